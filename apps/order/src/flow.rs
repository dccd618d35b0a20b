//! What the order app shows, decided from REST answers at boot and resync, then moved
//! on by real-time events (contract §6.4, §7.1). Pure: time comes in as an argument.

use shared::model::{Config, DrinkOrder, Order, OrderState, TimeoutCause};
use shared::realtime::RealtimeEvent;

/// The customer's window to choose (contract §6.1).
pub const CHOOSE_WINDOW_MS: i64 = 300_000;
/// The baristas' window; an older open order timed out ("zombie", contract §6.4).
pub const BARISTA_WINDOW_MS: i64 = 900_000;

/// One screen of the order app.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    Loading,
    /// No order in flight and no token: scan the TV's QR code.
    Scan,
    Closed,
    /// Closed or full when the order tried to start (`ShopUnavailable`).
    Unavailable,
    /// The token was refused or expired.
    InvalidCode,
    /// Every drink of this QR window is taken; the next window opens at `next_window_ms`.
    NoTokens {
        next_window_ms: i64,
    },
    /// One coffee a day: the next order is possible after local midnight.
    LimitReached {
        until_ms: i64,
    },
    /// Choose a drink for `order_id` before `deadline_ms`.
    Menu {
        order_id: String,
        deadline_ms: i64,
    },
    /// Submitted; waiting for the order number.
    Submitted {
        order_id: String,
        drink: DrinkOrder,
    },
    Queued {
        order_id: String,
        number: Option<u32>,
        drink: Option<DrinkOrder>,
    },
    BeingMade {
        order_id: String,
        number: Option<u32>,
        drink: Option<DrinkOrder>,
    },
    Ready {
        order_id: String,
        number: Option<u32>,
        drink: Option<DrinkOrder>,
    },
    Cancelled {
        order_id: String,
    },
    TimedOut {
        order_id: String,
        cause: TimeoutCause,
    },
}

impl Screen {
    /// The order this screen follows, if any.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Self::Menu { order_id, .. }
            | Self::Submitted { order_id, .. }
            | Self::Queued { order_id, .. }
            | Self::BeingMade { order_id, .. }
            | Self::Ready { order_id, .. }
            | Self::Cancelled { order_id }
            | Self::TimedOut { order_id, .. } => Some(order_id),
            _ => None,
        }
    }

    fn number(&self) -> Option<u32> {
        match self {
            Self::Queued { number, .. }
            | Self::BeingMade { number, .. }
            | Self::Ready { number, .. } => *number,
            _ => None,
        }
    }

    fn drink(&self) -> Option<DrinkOrder> {
        match self {
            Self::Submitted { drink, .. } => Some(drink.clone()),
            Self::Queued { drink, .. }
            | Self::BeingMade { drink, .. }
            | Self::Ready { drink, .. } => drink.clone(),
            _ => None,
        }
    }

    /// Finished one way or another: a new scan may start another order.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Ready { .. } | Self::Cancelled { .. } | Self::TimedOut { .. }
        )
    }
}

/// The latest order by `TS` (the list comes sorted by id).
pub fn latest(orders: &[Order]) -> Option<&Order> {
    orders
        .iter()
        .filter(|o| o.ts_ms.is_some())
        .max_by_key(|o| o.ts_ms)
}

/// The screen for an order REST knows about, or None when it no longer matters.
/// `today_start_ms` is local midnight; W never times orders out in the table, so age
/// decides whether an open order is still alive.
pub fn screen_for(
    order: &Order,
    now_ms: i64,
    today_start_ms: i64,
    is_admin: bool,
    tomorrow_ms: i64,
) -> Option<Screen> {
    let ts = order.ts_ms?;
    let today = ts >= today_start_ms;
    let id = order.id.clone();
    match order.state {
        OrderState::Completed if today && !is_admin => Some(Screen::LimitReached {
            until_ms: tomorrow_ms,
        }),
        OrderState::Created if order.drink.is_none() => {
            // Still choosing, if the window is open.
            (now_ms - ts < CHOOSE_WINDOW_MS).then(|| Screen::Menu {
                order_id: id,
                deadline_ms: ts + CHOOSE_WINDOW_MS,
            })
        }
        OrderState::Created => (now_ms - ts < BARISTA_WINDOW_MS).then(|| Screen::Queued {
            order_id: id,
            number: order.number,
            drink: order.drink.clone(),
        }),
        _ => None,
    }
}

/// On a resync, REST's view of the current order replaces the screen, except where REST
/// knows less than the events did (W's order list cannot tell "being made").
pub fn resync(current: &Screen, order: Option<&Order>, now_ms: i64) -> Screen {
    let Some(order) = order else {
        return current.clone();
    };
    if current.order_id() != Some(order.id.as_str()) {
        return current.clone();
    }
    let id = order.id.clone();
    let number = order.number.or(current.number());
    let drink = order.drink.clone().or(current.drink());
    match (&order.state, current) {
        (OrderState::Completed, _) => Screen::Ready {
            order_id: id,
            number,
            drink,
        },
        (OrderState::Cancelled, _) => Screen::Cancelled { order_id: id },
        (
            _,
            Screen::BeingMade { .. }
            | Screen::Ready { .. }
            | Screen::Cancelled { .. }
            | Screen::TimedOut { .. },
        ) => current.clone(),
        (OrderState::Created, _) if order.drink.is_some() => {
            let age = now_ms - order.ts_ms.unwrap_or(now_ms);
            if age >= BARISTA_WINDOW_MS {
                Screen::TimedOut {
                    order_id: id,
                    cause: TimeoutCause::Barista,
                }
            } else if order.number.is_some() {
                Screen::Queued {
                    order_id: id,
                    number,
                    drink,
                }
            } else {
                current.clone()
            }
        }
        _ => current.clone(),
    }
}

/// Moves the screen on for a real-time event about this customer.
pub fn apply(current: &Screen, event: &RealtimeEvent) -> Screen {
    let mine = |id: &str| current.order_id() == Some(id);
    let keep = || current.clone();
    match event {
        RealtimeEvent::ShopUnavailable { .. }
            if matches!(current, Screen::Menu { .. } | Screen::Loading) =>
        {
            Screen::Unavailable
        }
        RealtimeEvent::OrderNumbered {
            order_id, number, ..
        } if mine(order_id) => match current {
            Screen::Submitted { drink, .. } => Screen::Queued {
                order_id: order_id.clone(),
                number: *number,
                drink: Some(drink.clone()),
            },
            Screen::Queued { drink, .. } => Screen::Queued {
                order_id: order_id.clone(),
                number: *number,
                drink: drink.clone(),
            },
            Screen::BeingMade { drink, .. } => Screen::BeingMade {
                order_id: order_id.clone(),
                number: *number,
                drink: drink.clone(),
            },
            // A cancelled order still gets a number in W (contract §6.2): ignore it.
            _ => keep(),
        },
        RealtimeEvent::WaitingCompletion { order } if mine(&order.id) && !current.is_final() => {
            Screen::Queued {
                order_id: order.id.clone(),
                number: order.number.or(current.number()),
                drink: order.drink.clone().or(current.drink()),
            }
        }
        RealtimeEvent::MakeOrder {
            order_id,
            barista_user_id,
            ..
        } if mine(order_id) && !current.is_final() => {
            let (number, drink) = (current.number(), current.drink());
            match barista_user_id {
                Some(_) => Screen::BeingMade {
                    order_id: order_id.clone(),
                    number,
                    drink,
                },
                // Unmake: back in the queue (the original showed "being made" for both).
                None => Screen::Queued {
                    order_id: order_id.clone(),
                    number,
                    drink,
                },
            }
        }
        RealtimeEvent::OrderCompleted { order_id, .. } if mine(order_id) => Screen::Ready {
            order_id: order_id.clone(),
            number: current.number(),
            drink: current.drink(),
        },
        RealtimeEvent::OrderCancelled { order_id, .. } if mine(order_id) => Screen::Cancelled {
            order_id: order_id.clone(),
        },
        RealtimeEvent::OrderTimeOut {
            order_id, cause, ..
        } if mine(order_id) && !current.is_final() => Screen::TimedOut {
            order_id: order_id.clone(),
            cause: cause.clone(),
        },
        _ => keep(),
    }
}

/// A drink is orderable when it is on the menu and available; each modifier group
/// needs one of its options.
pub fn ready_to_order(config: &Config, drink: &str, chosen: &[String]) -> bool {
    config
        .menu
        .iter()
        .find(|m| m.drink == drink && m.available)
        .is_some_and(|m| {
            m.modifiers
                .iter()
                .all(|g| chosen.iter().any(|c| g.options.contains(c)))
        })
}

/// The validator's windows are 5-minute buckets counted from the epoch (contract §3.2),
/// so the next one starts at the next multiple of 5 minutes.
pub const QR_WINDOW_MS: i64 = 300_000;

pub fn next_window_ms(now_ms: i64) -> i64 {
    (now_ms.div_euclid(QR_WINDOW_MS) + 1) * QR_WINDOW_MS
}

/// `MM:SS` left until `deadline_ms`, never negative.
pub fn countdown(deadline_ms: i64, now_ms: i64) -> String {
    let secs = ((deadline_ms - now_ms).max(0) + 999) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// `HH:MM:SS` left until `deadline_ms`.
pub fn long_countdown(deadline_ms: i64, now_ms: i64) -> String {
    let secs = ((deadline_ms - now_ms).max(0) + 999) / 1000;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: &str, state: OrderState, ts: i64, drink: bool, number: Option<u32>) -> Order {
        Order {
            id: id.into(),
            number,
            state,
            drink: drink.then(|| DrinkOrder {
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

    const DAY: i64 = 86_400_000;

    #[test]
    fn boot_decisions() {
        let (now, today, tomorrow) = (10 * DAY + 3_600_000, 10 * DAY, 11 * DAY);
        let done_today = order("a", OrderState::Completed, now - 60_000, true, Some(4));
        assert_eq!(
            screen_for(&done_today, now, today, false, tomorrow),
            Some(Screen::LimitReached { until_ms: tomorrow })
        );
        assert_eq!(
            screen_for(&done_today, now, today, true, tomorrow),
            None,
            "admins have no limit"
        );
        let done_yesterday = order("a", OrderState::Completed, today - 1, true, Some(4));
        assert_eq!(
            screen_for(&done_yesterday, now, today, false, tomorrow),
            None
        );
        let choosing = order("b", OrderState::Created, now - 60_000, false, None);
        assert_eq!(
            screen_for(&choosing, now, today, false, tomorrow),
            Some(Screen::Menu {
                order_id: "b".into(),
                deadline_ms: now - 60_000 + CHOOSE_WINDOW_MS
            })
        );
        let abandoned = order(
            "b",
            OrderState::Created,
            now - CHOOSE_WINDOW_MS - 1,
            false,
            None,
        );
        assert_eq!(screen_for(&abandoned, now, today, false, tomorrow), None);
        let queued = order("c", OrderState::Created, now - 60_000, true, Some(7));
        assert!(matches!(
            screen_for(&queued, now, today, false, tomorrow),
            Some(Screen::Queued {
                number: Some(7),
                ..
            })
        ));
        let zombie = order(
            "c",
            OrderState::Created,
            now - BARISTA_WINDOW_MS,
            true,
            Some(7),
        );
        assert_eq!(screen_for(&zombie, now, today, false, tomorrow), None);
        let cancelled = order("d", OrderState::Cancelled, now, true, Some(8));
        assert_eq!(
            screen_for(&cancelled, now, today, false, tomorrow),
            None,
            "cancelled or timed out: order again"
        );
    }

    #[test]
    fn latest_is_by_time_not_id() {
        let orders = [
            order("z", OrderState::Completed, 1, true, None),
            order("a", OrderState::Created, 5, false, None),
        ];
        assert_eq!(latest(&orders).unwrap().id, "a");
    }

    #[test]
    fn events_move_the_screen() {
        let drink = DrinkOrder {
            user_id: None,
            drink: "Latte".into(),
            modifiers: vec![],
            icon: "i".into(),
        };
        let submitted = Screen::Submitted {
            order_id: "o".into(),
            drink: drink.clone(),
        };
        let numbered = apply(
            &submitted,
            &RealtimeEvent::OrderNumbered {
                order_id: "o".into(),
                user_id: "u".into(),
                number: Some(41),
            },
        );
        assert_eq!(
            numbered,
            Screen::Queued {
                order_id: "o".into(),
                number: Some(41),
                drink: Some(drink.clone())
            }
        );
        let made = apply(
            &numbered,
            &RealtimeEvent::MakeOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                barista_user_id: Some("b".into()),
            },
        );
        assert!(matches!(
            made,
            Screen::BeingMade {
                number: Some(41),
                ..
            }
        ));
        let unmade = apply(
            &made,
            &RealtimeEvent::MakeOrder {
                order_id: "o".into(),
                user_id: "u".into(),
                barista_user_id: None,
            },
        );
        assert!(matches!(
            unmade,
            Screen::Queued {
                number: Some(41),
                ..
            }
        ));
        let ready = apply(
            &made,
            &RealtimeEvent::OrderCompleted {
                order_id: "o".into(),
                user_id: "u".into(),
            },
        );
        assert_eq!(
            ready,
            Screen::Ready {
                order_id: "o".into(),
                number: Some(41),
                drink: Some(drink)
            }
        );
        // Events about other orders change nothing; a timeout after completion neither.
        let other = RealtimeEvent::OrderCancelled {
            order_id: "x".into(),
            user_id: "u".into(),
        };
        assert_eq!(apply(&ready, &other), ready);
        let late = RealtimeEvent::OrderTimeOut {
            order_id: "o".into(),
            user_id: "u".into(),
            cause: TimeoutCause::Barista,
        };
        assert_eq!(apply(&ready, &late), ready);
        let menu = Screen::Menu {
            order_id: "o".into(),
            deadline_ms: 0,
        };
        assert_eq!(
            apply(
                &menu,
                &RealtimeEvent::OrderTimeOut {
                    order_id: "o".into(),
                    user_id: "u".into(),
                    cause: TimeoutCause::Customer
                }
            ),
            Screen::TimedOut {
                order_id: "o".into(),
                cause: TimeoutCause::Customer
            }
        );
        assert_eq!(
            apply(
                &menu,
                &RealtimeEvent::ShopUnavailable {
                    user_id: "u".into()
                }
            ),
            Screen::Unavailable
        );
        let cancelled = Screen::Cancelled {
            order_id: "o".into(),
        };
        assert_eq!(
            apply(
                &cancelled,
                &RealtimeEvent::OrderNumbered {
                    order_id: "o".into(),
                    user_id: "u".into(),
                    number: Some(9)
                }
            ),
            cancelled
        );
    }

    #[test]
    fn resync_never_goes_stale() {
        let queued = Screen::Queued {
            order_id: "o".into(),
            number: Some(3),
            drink: None,
        };
        let now = 1_000_000_000;
        let completed = order("o", OrderState::Completed, now - 1000, true, Some(3));
        assert!(matches!(
            resync(&queued, Some(&completed), now),
            Screen::Ready {
                number: Some(3),
                ..
            }
        ));
        let still_open = order("o", OrderState::Created, now - 1000, true, Some(3));
        let made = Screen::BeingMade {
            order_id: "o".into(),
            number: Some(3),
            drink: None,
        };
        assert_eq!(
            resync(&made, Some(&still_open), now),
            made,
            "REST cannot tell being made; keep it"
        );
        let too_old = order(
            "o",
            OrderState::Created,
            now - BARISTA_WINDOW_MS,
            true,
            Some(3),
        );
        assert!(matches!(
            resync(&queued, Some(&too_old), now),
            Screen::TimedOut {
                cause: TimeoutCause::Barista,
                ..
            }
        ));
        let submitted = Screen::Submitted {
            order_id: "o".into(),
            drink: DrinkOrder {
                user_id: None,
                drink: "Latte".into(),
                modifiers: vec![],
                icon: "i".into(),
            },
        };
        assert!(matches!(
            resync(&submitted, Some(&still_open), now),
            Screen::Queued {
                number: Some(3),
                ..
            }
        ));
    }

    #[test]
    fn next_qr_window() {
        assert_eq!(next_window_ms(0), 300_000);
        assert_eq!(next_window_ms(299_999), 300_000);
        assert_eq!(next_window_ms(300_000), 600_000);
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(300_000, 0), "5:00");
        assert_eq!(countdown(1, 0), "0:01");
        assert_eq!(countdown(0, 10), "0:00");
        assert_eq!(long_countdown(3_723_000, 0), "01:02:03");
    }
}
