//! What the TV shows, kept bounded for a day of service: the QR panel's phase, and the
//! Preparing and Ready lists (contract §7.3). Pure: time comes in.

use shared::live::{BoardSnapshot, LiveModel};
use shared::model::{Bucket, DrinkOrder, Order};
use shared::realtime::RealtimeEvent;
use shared::windows::Windows;

/// How long an order that just turned ready is highlighted.
pub const HIGHLIGHT_MS: i64 = 10_000;

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
                .map(DrinkOrder::summary)
                .unwrap_or_default(),
            since_ms,
        }
    }
}

/// Everything live on the board: the two lists, whether the store is open, and the
/// token count the validator last announced. Every row leaves by an event or by age, so
/// nothing grows all day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lists {
    pub windows: Windows,
    /// Oldest first, newest last.
    pub preparing: Vec<Row>,
    /// Newest first.
    pub ready: Vec<Row>,
    /// None until the config has loaded.
    pub store_open: Option<bool>,
    /// The tokens left in a QR window, from `Validator.NewOrder`: (window, tokens).
    pub tokens: Option<(i64, i64)>,
    /// The order that most recently turned ready, and when (for its highlight).
    pub just_ready: Option<(String, i64)>,
    /// Loads from REST after the first (resyncs after a reconnect): the QR code's token
    /// count is asked again then, as `Validator.NewOrder` events may have been missed.
    pub resyncs: u32,
    /// Orders REST gave that could not be read at the last load (not on the board).
    pub unreadable: usize,
}

impl LiveModel for Lists {
    type Snapshot = BoardSnapshot;

    /// REST decides which rows there are; a ready row keeps the time it turned ready
    /// here (REST only knows when it reached the baristas).
    fn merge(&mut self, snapshot: BoardSnapshot, now_ms: i64) {
        let loaded = Lists::load(self.windows, &snapshot.open, &snapshot.completed, now_ms);
        let ready = loaded
            .ready
            .into_iter()
            .map(|mut row| {
                if let Some(known) = self.ready.iter().find(|r| r.order_id == row.order_id) {
                    row.since_ms = known.since_ms;
                }
                row
            })
            .collect();
        self.preparing = loaded.preparing;
        self.ready = ready;
        self.unreadable = snapshot.unreadable;
        if self.store_open.is_some() {
            self.resyncs += 1;
        }
        self.store_open = Some(snapshot.store_open);
    }

    fn apply(&mut self, event: &RealtimeEvent, now_ms: i64) -> bool {
        match event {
            RealtimeEvent::ConfigChanged {
                store_open: Some(open),
            } => self.store_open.replace(*open) != Some(*open),
            RealtimeEvent::NewOrder {
                bucket: Some(bucket),
                ..
            } => {
                self.tokens = Some((bucket.id, bucket.available_tokens));
                true
            }
            _ => self.apply_order_event(event, now_ms),
        }
    }

    fn expire(&mut self, now_ms: i64) -> bool {
        Lists::expire(self, now_ms)
    }
}

impl Lists {
    pub fn new(windows: Windows) -> Self {
        Self {
            windows,
            ..Self::default()
        }
    }

    /// The lists REST describes: live open orders, and orders completed within the time
    /// a ready order stays on the board.
    pub fn load(windows: Windows, open: &[Order], completed: &[Order], now_ms: i64) -> Self {
        let mut preparing: Vec<Row> = open
            .iter()
            .filter(|o| windows.is_live(o, now_ms))
            .filter_map(|o| o.ts_ms.map(|ts| Row::of(o, ts)))
            .collect();
        preparing.sort_by_key(|r| r.since_ms);
        // W does not update TS on completion: a completed order's age counts from when
        // it reached the baristas, so this errs on showing it a little less long.
        let mut ready: Vec<Row> = completed
            .iter()
            .filter(|o| o.number.is_some())
            .filter_map(|o| {
                o.ts_ms
                    .filter(|ts| now_ms - ts < windows.ready_on_board_ms)
                    .map(|ts| Row::of(o, ts))
            })
            .collect();
        ready.sort_by_key(|r| std::cmp::Reverse(r.since_ms));
        Self {
            windows,
            preparing,
            ready,
            ..Self::default()
        }
    }

    /// Moves rows for an order's event; returns whether a list changed.
    fn apply_order_event(&mut self, event: &RealtimeEvent, now_ms: i64) -> bool {
        match event {
            RealtimeEvent::WaitingCompletion { order } => {
                if self.preparing.iter().any(|r| r.order_id == order.id) {
                    return false;
                }
                self.preparing
                    .push(Row::of(order, order.ts_ms.unwrap_or(now_ms)));
                true
            }
            RealtimeEvent::OrderCompleted { order_id, .. } => {
                let Some(i) = self.preparing.iter().position(|r| r.order_id == *order_id) else {
                    return false;
                };
                let mut row = self.preparing.remove(i);
                row.since_ms = now_ms;
                self.ready.retain(|r| r.order_id != *order_id);
                self.ready.insert(0, row);
                self.just_ready = Some((order_id.clone(), now_ms));
                true
            }
            RealtimeEvent::OrderCancelled { order_id, .. }
            | RealtimeEvent::OrderTimeOut { order_id, .. } => {
                let before = self.preparing.len() + self.ready.len();
                self.preparing.retain(|r| r.order_id != *order_id);
                self.ready.retain(|r| r.order_id != *order_id);
                before != self.preparing.len() + self.ready.len()
            }
            _ => false,
        }
    }

    /// Whether `order_id` turned ready within the last [`HIGHLIGHT_MS`].
    pub fn highlighted(&self, order_id: &str, now_ms: i64) -> bool {
        self.just_ready
            .as_ref()
            .is_some_and(|(id, at)| id == order_id && now_ms - at < HIGHLIGHT_MS)
    }

    /// The QR window as the board shows it: as fetched, with the token count the
    /// validator announced since (0 included: the original ignored 0 as falsy).
    pub fn shown_bucket(&self, fetched: Option<Bucket>) -> Option<Bucket> {
        let mut bucket = fetched?;
        if let Some((id, tokens)) = self.tokens {
            if id == bucket.id {
                bucket.available_tokens = tokens;
            }
        }
        Some(bucket)
    }

    /// Drops Ready rows after 10 minutes and Preparing rows that outlived the baristas'
    /// window (their timeout event may have been missed while offline).
    pub fn expire(&mut self, now_ms: i64) -> bool {
        let before = (self.preparing.len(), self.ready.len());
        let Windows {
            ready_on_board_ms,
            barista_ms,
            ..
        } = self.windows;
        self.ready
            .retain(|r| now_ms - r.since_ms < ready_on_board_ms);
        self.preparing.retain(|r| now_ms - r.since_ms < barista_ms);
        let highlight_over = self
            .just_ready
            .as_ref()
            .is_some_and(|(_, at)| now_ms - at >= HIGHLIGHT_MS);
        if highlight_over {
            self.just_ready = None;
        }
        highlight_over || before != (self.preparing.len(), self.ready.len())
    }
}

/// The rows that fit in `cells`, and how many more there are. When they do not all
/// fit, the last cell is kept for "+ N more".
pub fn fitting(rows: &[Row], cells: usize) -> (Vec<Row>, usize) {
    if rows.len() <= cells {
        return (rows.to_vec(), 0);
    }
    let shown = cells.saturating_sub(1);
    (rows[..shown].to_vec(), rows.len() - shown)
}

/// What the QR panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrPhase {
    Closed,
    Loading,
    /// The code, with the share of its window left (per mille) and the time until the
    /// next code.
    Showing {
        per_mille_left: i64,
        ms_left: i64,
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
    if b.available_tokens <= 0 || left_ms <= b.closing_ms() {
        return QrPhase::MakingDrinks {
            seconds_left: (left_ms + 999) / 1000,
        };
    }
    QrPhase::Showing {
        per_mille_left: left_ms * 1000 / b.len_ms(),
        ms_left: left_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::model::OrderState;

    const NOW: i64 = 1_000_000_000_000;

    fn order(id: &str, number: u32, ts: i64, state: OrderState) -> Order {
        Order::numbered(id, number, "Latte", state, ts)
    }

    #[test]
    fn lists_follow_the_events_and_stay_bounded() {
        let w = Windows::AWS;
        let mut lists = Lists::load(
            w,
            &[
                order("a", 1, NOW - 1000, OrderState::Created),
                order("z", 9, NOW - w.barista_ms, OrderState::Created),
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
        assert!(lists.highlighted("a", NOW + HIGHLIGHT_MS - 1));
        assert!(!lists.highlighted("a", NOW + HIGHLIGHT_MS));
        lists.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "b".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        assert!(lists.preparing.is_empty());
        assert!(lists.expire(NOW + HIGHLIGHT_MS), "the highlight ends");
        assert!(!lists.expire(NOW + w.ready_on_board_ms - 1));
        assert!(lists.expire(NOW + w.ready_on_board_ms));
        assert_eq!(lists, Lists::new(w));
    }

    #[test]
    fn a_day_of_events_leaves_nothing_behind() {
        let mut lists = Lists::new(Windows::AWS);
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
        assert!(lists.ready.len() <= (Windows::AWS.ready_on_board_ms / 2_000) as usize + 1);
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
                per_mille_left: 1000,
                ms_left: 300_000
            }
        );
        assert_eq!(
            qr_phase(Some(true), Some(&bucket), NOW + 190_000),
            QrPhase::Showing {
                per_mille_left: 366,
                ms_left: 110_000
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

    /// An emulator at `--time-scale 60` has 5-second windows: the code shows for most
    /// of each window, not never (the last 15 s of a 5-minute window scale with it).
    #[test]
    fn a_time_scaled_window_still_shows_its_code() {
        let fast = Bucket {
            id: 1,
            code: "c".into(),
            start_ts: NOW,
            end_ts: NOW + 4_999,
            available_tokens: 10,
        };
        assert!(matches!(
            qr_phase(Some(true), Some(&fast), NOW + 4_000),
            QrPhase::Showing { .. }
        ));
        assert!(matches!(
            qr_phase(Some(true), Some(&fast), NOW + 4_800),
            QrPhase::MakingDrinks { seconds_left: 1 }
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
        let new_order = |id: i64, tokens: i64| RealtimeEvent::NewOrder {
            order_id: "o".into(),
            user_id: "u".into(),
            bucket: Some(Bucket {
                id,
                available_tokens: tokens,
                ..bucket.clone()
            }),
        };
        let mut lists = Lists::new(Windows::AWS);
        assert_eq!(
            lists.shown_bucket(Some(bucket.clone())),
            Some(bucket.clone())
        );
        assert!(lists.apply(&new_order(1, 0), NOW));
        assert_eq!(
            lists
                .shown_bucket(Some(bucket.clone()))
                .unwrap()
                .available_tokens,
            0
        );
        lists.apply(&new_order(2, 5), NOW);
        assert_eq!(
            lists
                .shown_bucket(Some(bucket.clone()))
                .unwrap()
                .available_tokens,
            1,
            "another window's count"
        );
        assert_eq!(lists.shown_bucket(None), None);
    }

    #[test]
    fn a_resync_takes_rest_and_keeps_when_rows_turned_ready() {
        let w = Windows::AWS;
        let mut lists = Lists::new(w);
        let snapshot = |open: Vec<Order>, completed: Vec<Order>, store_open| BoardSnapshot {
            open,
            completed,
            store_open,
            unreadable: 0,
        };
        lists.merge(
            snapshot(
                vec![order("a", 1, NOW - 60_000, OrderState::Created)],
                vec![],
                true,
            ),
            NOW,
        );
        assert_eq!(lists.store_open, Some(true));
        lists.apply(
            &RealtimeEvent::OrderCompleted {
                order_id: "a".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        // Offline: "b" arrived and "a" is still completed; the store closed.
        let mut a = order("a", 1, NOW - 60_000, OrderState::Completed);
        a.state = OrderState::Completed;
        lists.merge(
            snapshot(
                vec![order("b", 2, NOW, OrderState::Created)],
                vec![a],
                false,
            ),
            NOW + 5_000,
        );
        assert_eq!(lists.preparing.len(), 1);
        assert_eq!(lists.resyncs, 1, "the first load is no resync");
        assert_eq!(lists.ready[0].since_ms, NOW, "turned ready here, not at TS");
        assert_eq!(lists.store_open, Some(false));
        assert!(!lists.apply(
            &RealtimeEvent::ConfigChanged {
                store_open: Some(false)
            },
            NOW
        ));
        assert!(
            !lists.apply(
                &RealtimeEvent::OrderCancelled {
                    order_id: "zz".into(),
                    user_id: "u".into()
                },
                NOW
            ),
            "nothing to redraw for an order not on the board"
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
        let (shown, more) = fitting(&rows, 12);
        assert_eq!(
            (shown.len(), more),
            (11, 9),
            "the last cell says how many more"
        );
        let (shown, more) = fitting(&rows[..12], 12);
        assert_eq!((shown.len(), more), (12, 0));
    }
}
