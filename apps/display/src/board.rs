//! What the TV shows, kept bounded for a day of service: the QR panel's phase, and the
//! Preparing and Ready lists (contract §7.3). Pure: time comes in.

use shared::model::{Bucket, Order, OrderState};
use shared::realtime::RealtimeEvent;

/// Ready orders stay on the board this long.
pub const READY_MS: i64 = 600_000;
/// Open orders older than this timed out in the workflow (W leaves them `CREATED`).
pub const ZOMBIE_AGE_MS: i64 = 900_000;
/// The QR code hides in the last seconds of its window.
pub const LAST_SECONDS_MS: i64 = 15_000;

/// One order on a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub order_id: String,
    pub number: Option<u32>,
    pub drink: String,
    /// When it reached the baristas (Preparing) or became ready (Ready).
    pub since_ms: i64,
}

impl Row {
    fn of(order: &Order, since_ms: i64) -> Self {
        Self {
            order_id: order.id.clone(),
            number: order.number,
            drink: order
                .drink
                .as_ref()
                .map(|d| d.drink.clone())
                .unwrap_or_default(),
            since_ms,
        }
    }
}

/// The two lists. Every row leaves by an event or by age, so they cannot grow all day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lists {
    /// Oldest first, newest last.
    pub preparing: Vec<Row>,
    /// Newest first.
    pub ready: Vec<Row>,
}

impl Lists {
    pub fn load(open: &[Order], completed: &[Order], now_ms: i64) -> Self {
        let mut preparing: Vec<Row> = open
            .iter()
            .filter(|o| o.state == OrderState::Created && o.number.is_some() && o.drink.is_some())
            .filter_map(|o| {
                o.ts_ms
                    .filter(|ts| now_ms - ts < ZOMBIE_AGE_MS)
                    .map(|ts| Row::of(o, ts))
            })
            .collect();
        preparing.sort_by_key(|r| r.since_ms);
        // W does not update TS on completion: a completed order's age counts from when
        // it reached the baristas, so this errs on showing it a little less long.
        let mut ready: Vec<Row> = completed
            .iter()
            .filter(|o| o.number.is_some())
            .filter_map(|o| {
                o.ts_ms
                    .filter(|ts| now_ms - ts < READY_MS)
                    .map(|ts| Row::of(o, ts))
            })
            .collect();
        ready.sort_by_key(|r| std::cmp::Reverse(r.since_ms));
        Self { preparing, ready }
    }

    /// Returns true when an order just turned ready (for the highlight).
    pub fn apply(&mut self, event: &RealtimeEvent, now_ms: i64) -> bool {
        match event {
            RealtimeEvent::WaitingCompletion { order } => {
                if !self.preparing.iter().any(|r| r.order_id == order.id) {
                    self.preparing
                        .push(Row::of(order, order.ts_ms.unwrap_or(now_ms)));
                }
                false
            }
            RealtimeEvent::OrderCompleted { order_id, .. } => {
                let Some(i) = self.preparing.iter().position(|r| r.order_id == *order_id) else {
                    return false;
                };
                let mut row = self.preparing.remove(i);
                row.since_ms = now_ms;
                self.ready.retain(|r| r.order_id != *order_id);
                self.ready.insert(0, row);
                true
            }
            RealtimeEvent::OrderCancelled { order_id, .. }
            | RealtimeEvent::OrderTimeOut { order_id, .. } => {
                self.preparing.retain(|r| r.order_id != *order_id);
                self.ready.retain(|r| r.order_id != *order_id);
                false
            }
            _ => false,
        }
    }

    /// Drops Ready rows after 10 minutes and Preparing rows that outlived the baristas'
    /// window (their timeout event may have been missed while offline).
    pub fn expire(&mut self, now_ms: i64) -> bool {
        let before = (self.preparing.len(), self.ready.len());
        self.ready.retain(|r| now_ms - r.since_ms < READY_MS);
        self.preparing
            .retain(|r| now_ms - r.since_ms < ZOMBIE_AGE_MS);
        before != (self.preparing.len(), self.ready.len())
    }
}

/// The rows that fit, and how many more there are.
pub fn fitting(rows: &[Row], max: usize) -> (Vec<Row>, usize) {
    (
        rows.iter().take(max).cloned().collect(),
        rows.len().saturating_sub(max),
    )
}

/// What the QR panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrPhase {
    Closed,
    Loading,
    /// The code, with the share of its window left (per mille).
    Showing {
        per_mille_left: i64,
    },
    /// No tokens left, or the window's last seconds: "We are making drinks!".
    MakingDrinks {
        seconds_left: i64,
    },
}

pub fn qr_phase(store_open: Option<bool>, bucket: Option<&Bucket>, now_ms: i64) -> QrPhase {
    if store_open == Some(false) {
        return QrPhase::Closed;
    }
    let Some(b) = bucket.filter(|b| now_ms <= b.end_ts) else {
        return QrPhase::Loading;
    };
    let left_ms = b.end_ts + 1 - now_ms;
    if b.available_tokens <= 0 || left_ms <= LAST_SECONDS_MS {
        return QrPhase::MakingDrinks {
            seconds_left: (left_ms + 999) / 1000,
        };
    }
    QrPhase::Showing {
        per_mille_left: (b.remaining_share(now_ms) * 1000.0) as i64,
    }
}

/// Keeps the token count current from `Validator.NewOrder`, including 0 (the original
/// ignored 0 as falsy).
pub fn with_tokens_from(bucket: Option<Bucket>, event: &RealtimeEvent) -> Option<Bucket> {
    match (bucket, event) {
        (
            Some(mut current),
            RealtimeEvent::NewOrder {
                bucket: Some(latest),
                ..
            },
        ) if latest.id == current.id => {
            current.available_tokens = latest.available_tokens;
            Some(current)
        }
        (current, _) => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::model::DrinkOrder;

    const NOW: i64 = 1_000_000_000_000;

    fn order(id: &str, number: u32, ts: i64, state: OrderState) -> Order {
        Order {
            id: id.into(),
            number: Some(number),
            state,
            drink: Some(DrinkOrder {
                user_id: None,
                drink: "Latte".into(),
                modifiers: vec![],
                icon: "i".into(),
            }),
            user_id: None,
            barista_user_id: None,
            ts_ms: Some(ts),
            robot: false,
        }
    }

    #[test]
    fn lists_follow_the_events_and_stay_bounded() {
        let mut lists = Lists::load(
            &[
                order("a", 1, NOW - 1000, OrderState::Created),
                order("z", 9, NOW - ZOMBIE_AGE_MS, OrderState::Created),
            ],
            &[],
            NOW,
        );
        assert_eq!(lists.preparing.len(), 1, "zombies are dropped");
        lists.apply(
            &RealtimeEvent::WaitingCompletion {
                order: order("b", 2, NOW, OrderState::Created),
            },
            NOW,
        );
        lists.apply(
            &RealtimeEvent::WaitingCompletion {
                order: order("b", 2, NOW, OrderState::Created),
            },
            NOW,
        );
        assert_eq!(
            lists.preparing.iter().map(|r| r.number).collect::<Vec<_>>(),
            [Some(1), Some(2)],
            "newest last, once"
        );
        assert!(lists.apply(
            &RealtimeEvent::OrderCompleted {
                order_id: "a".into(),
                user_id: "u".into()
            },
            NOW
        ));
        assert_eq!(lists.ready[0].order_id, "a");
        lists.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "b".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        assert!(lists.preparing.is_empty());
        assert!(!lists.expire(NOW + READY_MS - 1));
        assert!(lists.expire(NOW + READY_MS));
        assert_eq!(lists, Lists::default());
    }

    #[test]
    fn a_day_of_events_leaves_nothing_behind() {
        let mut lists = Lists::default();
        for i in 0..20_000u32 {
            let t = NOW + i64::from(i) * 2_000;
            let id = format!("o{i}");
            lists.apply(
                &RealtimeEvent::WaitingCompletion {
                    order: order(&id, i, t, OrderState::Created),
                },
                t,
            );
            if i % 10 == 0 {
                lists.apply(
                    &RealtimeEvent::OrderCancelled {
                        order_id: id.clone(),
                        user_id: "u".into(),
                    },
                    t,
                );
            } else {
                lists.apply(
                    &RealtimeEvent::OrderCompleted {
                        order_id: id.clone(),
                        user_id: "u".into(),
                    },
                    t,
                );
            }
            lists.expire(t);
        }
        assert!(lists.preparing.is_empty());
        assert!(lists.ready.len() <= (READY_MS / 2_000) as usize + 1);
    }

    #[test]
    fn qr_phases() {
        let bucket = Bucket {
            id: 1,
            code: "c".into(),
            start_ts: NOW,
            end_ts: NOW + 299_999,
            available_tokens: 3,
        };
        assert_eq!(qr_phase(Some(false), Some(&bucket), NOW), QrPhase::Closed);
        assert_eq!(qr_phase(Some(true), None, NOW), QrPhase::Loading);
        assert_eq!(
            qr_phase(Some(true), Some(&bucket), NOW),
            QrPhase::Showing {
                per_mille_left: 1000
            }
        );
        assert_eq!(
            qr_phase(Some(true), Some(&bucket), NOW + 290_000),
            QrPhase::MakingDrinks { seconds_left: 10 }
        );
        assert_eq!(
            qr_phase(Some(true), Some(&bucket), NOW + 300_000),
            QrPhase::Loading,
            "expired: fetch a new one"
        );
        let spent = Bucket {
            available_tokens: 0,
            ..bucket.clone()
        };
        assert!(matches!(
            qr_phase(Some(true), Some(&spent), NOW),
            QrPhase::MakingDrinks { .. }
        ));
    }

    #[test]
    fn token_count_follows_new_orders_including_zero() {
        let bucket = Bucket {
            id: 1,
            code: "c".into(),
            start_ts: 0,
            end_ts: 9,
            available_tokens: 1,
        };
        let spent = RealtimeEvent::NewOrder {
            order_id: "o".into(),
            user_id: "u".into(),
            bucket: Some(Bucket {
                available_tokens: 0,
                ..bucket.clone()
            }),
        };
        assert_eq!(
            with_tokens_from(Some(bucket.clone()), &spent)
                .unwrap()
                .available_tokens,
            0
        );
        let other = RealtimeEvent::NewOrder {
            order_id: "o".into(),
            user_id: "u".into(),
            bucket: Some(Bucket {
                id: 2,
                available_tokens: 5,
                ..bucket.clone()
            }),
        };
        assert_eq!(
            with_tokens_from(Some(bucket.clone()), &other)
                .unwrap()
                .available_tokens,
            1,
            "another window's count"
        );
    }

    #[test]
    fn overflow_is_counted() {
        let rows: Vec<Row> = (0..20)
            .map(|i| Row {
                order_id: i.to_string(),
                number: Some(i),
                drink: String::new(),
                since_ms: 0,
            })
            .collect();
        let (shown, more) = fitting(&rows, 14);
        assert_eq!((shown.len(), more), (14, 6));
    }
}
