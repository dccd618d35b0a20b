//! What the order app shows, decided from REST answers at boot and resync, then moved
//! on by real-time events (contract §6.4, §7.1). Pure: time comes in as an argument.

use crate::text::Text;
use shared::i18n::{Message, Phrase};
use shared::live::LiveModel;
use shared::model::{Config, DrinkOrder, Order, OrderState, OrderStatus, TimeoutCause};
use shared::realtime::RealtimeEvent;
use shared::windows::Windows;

/// One screen of the order app.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    Loading,
    /// No order in flight and no token: scan the TV's QR code.
    Scan,
    Closed,
    /// Closed or full when the order tried to start (`ShopUnavailable`).
    Unavailable,
    /// The link's token was refused: `garbled` when it was never a code at all (a
    /// mangled link), otherwise an old or spent one.
    InvalidCode {
        garbled: bool,
    },
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
    /// In the barista's queue.
    Queued(Placed),
    /// A barista is making it.
    BeingMade(Placed),
    /// Ready at the bar.
    Ready(Placed),
    Cancelled {
        order_id: String,
    },
    TimedOut {
        order_id: String,
        cause: TimeoutCause,
    },
}

/// A placed order as the customer follows it: its number once the workflow gives it one,
/// its drink when known (a resync of an older order may not say).
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub order_id: String,
    pub number: Option<u32>,
    pub drink: Option<DrinkOrder>,
}

impl Screen {
    /// The order this screen follows, if any.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Self::Menu { order_id, .. }
            | Self::Submitted { order_id, .. }
            | Self::Cancelled { order_id }
            | Self::TimedOut { order_id, .. } => Some(order_id),
            Self::Queued(placed) | Self::BeingMade(placed) | Self::Ready(placed) => {
                Some(&placed.order_id)
            }
            _ => None,
        }
    }

    fn placed(&self) -> Option<&Placed> {
        match self {
            Self::Queued(placed) | Self::BeingMade(placed) | Self::Ready(placed) => Some(placed),
            _ => None,
        }
    }

    fn number(&self) -> Option<u32> {
        self.placed().and_then(|p| p.number)
    }

    fn drink(&self) -> Option<DrinkOrder> {
        match self {
            Self::Submitted { drink, .. } => Some(drink.clone()),
            _ => self.placed().and_then(|p| p.drink.clone()),
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
///
/// A completed order keeps its ready screen (its number, "collect it at the bar") while
/// it may still be waiting at the bar, unless the customer has left that screen
/// (`left_ready`): a phone that reloads (iOS does, bringing a tab back) still shows what
/// to collect. REST does not say when an order was completed (W's `TS` is when it reached
/// the baristas), so that lasts the baristas' window plus the Ready list's.
pub fn screen_for(
    windows: &Windows,
    order: &Order,
    now_ms: i64,
    today_start_ms: i64,
    is_admin: bool,
    tomorrow_ms: i64,
    left_ready: bool,
) -> Option<Screen> {
    let ts = order.ts_ms?;
    let today = ts >= today_start_ms;
    let id = order.id.clone();
    match order.state {
        OrderState::Completed
            if !left_ready && now_ms - ts < windows.barista_ms + windows.ready_on_board_ms =>
        {
            Some(Screen::Ready(Placed {
                order_id: id,
                number: order.number,
                drink: order.drink.clone(),
            }))
        }
        OrderState::Completed if today && !is_admin => Some(Screen::LimitReached {
            until_ms: tomorrow_ms,
        }),
        OrderState::Created if order.drink.is_none() => {
            // Still choosing, if the window is open.
            (now_ms - ts < windows.choose_ms).then(|| Screen::Menu {
                order_id: id,
                deadline_ms: ts + windows.choose_ms,
            })
        }
        OrderState::Created => (now_ms - ts < windows.barista_ms).then(|| {
            Screen::Queued(Placed {
                order_id: id,
                number: order.number,
                drink: order.drink.clone(),
            })
        }),
        _ => None,
    }
}

/// On a resync, REST's view of the current order replaces the screen, except where REST
/// knows less than the events did (W's order list cannot tell "being made").
pub fn resync(windows: &Windows, current: &Screen, order: Option<&Order>, now_ms: i64) -> Screen {
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
        (OrderState::Completed, _) => Screen::Ready(Placed {
            order_id: id,
            number,
            drink,
        }),
        // E's timeout Lambda marks a timed-out order cancelled, with its reason.
        (OrderState::Cancelled, _) => match order.timed_out.clone() {
            Some(cause) => Screen::TimedOut {
                order_id: id,
                cause,
            },
            None => Screen::Cancelled { order_id: id },
        },
        (
            _,
            Screen::BeingMade(_)
            | Screen::Ready(_)
            | Screen::Cancelled { .. }
            | Screen::TimedOut { .. },
        ) => current.clone(),
        (OrderState::Created, _) if order.drink.is_some() => {
            let age = now_ms - order.ts_ms.unwrap_or(now_ms);
            if age >= windows.barista_ms {
                Screen::TimedOut {
                    order_id: id,
                    cause: TimeoutCause::Barista,
                }
            } else if order.number.is_some() {
                Screen::Queued(Placed {
                    order_id: id,
                    number,
                    drink,
                })
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
            Screen::Submitted { drink, .. } => Screen::Queued(Placed {
                order_id: order_id.clone(),
                number: *number,
                drink: Some(drink.clone()),
            }),
            Screen::Queued(placed) => Screen::Queued(Placed {
                number: *number,
                ..placed.clone()
            }),
            Screen::BeingMade(placed) => Screen::BeingMade(Placed {
                number: *number,
                ..placed.clone()
            }),
            // A cancelled order still gets a number in W (contract §6.2): ignore it.
            _ => keep(),
        },
        RealtimeEvent::WaitingCompletion { order } if mine(&order.id) && !current.is_final() => {
            Screen::Queued(Placed {
                order_id: order.id.clone(),
                number: order.number.or(current.number()),
                drink: order.drink.clone().or(current.drink()),
            })
        }
        RealtimeEvent::MakeOrder {
            order_id,
            barista_user_id,
            ..
        } if mine(order_id) && !current.is_final() => {
            let (number, drink) = (current.number(), current.drink());
            match barista_user_id {
                Some(_) => Screen::BeingMade(Placed {
                    order_id: order_id.clone(),
                    number,
                    drink,
                }),
                // Unmake: back in the queue (the original showed "being made" for both).
                None => Screen::Queued(Placed {
                    order_id: order_id.clone(),
                    number,
                    drink,
                }),
            }
        }
        RealtimeEvent::OrderCompleted { order_id, .. } if mine(order_id) => Screen::Ready(Placed {
            order_id: order_id.clone(),
            number: current.number(),
            drink: current.drink(),
        }),
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

/// What came of the QR token the page was opened with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    /// Not a first load, or the token was not needed (an order in flight, the daily
    /// limit, a closed store): it was not spent.
    NotUsed,
    /// The page was opened without a token.
    NoToken,
    /// The link's token is not a code at all.
    Garbled,
    Started {
        order_id: String,
    },
    /// Every drink of this QR window is taken.
    NoTokensRemaining,
    /// The validator refused the code (old, or from another window).
    Refused,
}

/// A validator code: 10 characters of `A-Za-z0-9_-` (nanoid, contract §3.2).
pub fn is_code(token: &str) -> bool {
    token.len() == 10
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// What one load brings the order app.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub config: Config,
    pub orders: Vec<Order>,
    /// Local midnight today and tomorrow: the daily limit's day, read at the edge.
    pub today_ms: i64,
    pub tomorrow_ms: i64,
    pub token: TokenOutcome,
}

/// The order app's live model: the screen, and the store's config.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderModel {
    pub windows: Windows,
    pub is_admin: bool,
    pub screen: Screen,
    pub config: Option<Config>,
    /// When this customer may order again (local midnight), once an order of theirs was
    /// completed today; never for admins. Shown beneath the ready screen.
    pub next_order_ms: Option<i64>,
    /// The order whose finished screen the customer left with "Next".
    left: Option<String>,
    /// The next local midnight as of the last load: the limit an order completed live sets.
    tomorrow_ms: Option<i64>,
}

impl OrderModel {
    pub fn new(windows: Windows, is_admin: bool) -> Self {
        Self {
            windows,
            is_admin,
            screen: Screen::Loading,
            config: None,
            next_order_ms: None,
            left: None,
            tomorrow_ms: None,
        }
    }

    /// The order whose finished screen this customer left earlier (remembered by the
    /// phone across reloads).
    pub fn having_left(mut self, order_id: Option<String>) -> Self {
        self.left = order_id;
        self
    }

    /// The order whose finished screen the customer left last.
    pub fn left(&self) -> Option<&str> {
        self.left.as_deref()
    }

    /// Whether the first load should spend the scanned token: only when no order is in
    /// flight, the daily limit is not reached and the store is open (contract §7.1).
    pub fn needs_token(
        &self,
        config: &Config,
        orders: &[Order],
        now_ms: i64,
        today_ms: i64,
        tomorrow_ms: i64,
    ) -> bool {
        self.blocks_a_new_order(self.screen_for_latest(orders, now_ms, today_ms, tomorrow_ms))
            .is_none()
            && config.store.store_open
    }

    fn screen_for_latest(
        &self,
        orders: &[Order],
        now_ms: i64,
        today_ms: i64,
        tomorrow_ms: i64,
    ) -> Option<Screen> {
        latest(orders).and_then(|o| {
            screen_for(
                &self.windows,
                o,
                now_ms,
                today_ms,
                self.is_admin,
                tomorrow_ms,
                self.left.as_deref() == Some(o.id.as_str()),
            )
        })
    }

    /// The latest order's screen, if it stands in the way of a new one: a ready order
    /// does not for admins, who have no daily limit (staff trying the bar scan again).
    fn blocks_a_new_order(&self, latest: Option<Screen>) -> Option<Screen> {
        latest.filter(|screen| !(self.is_admin && matches!(screen, Screen::Ready(_))))
    }

    /// The daily limit after this load: reached when the customer's latest order was
    /// completed today (contract §7.1: one completed order per local calendar day).
    fn limit_from(&self, snapshot: &Snapshot) -> Option<i64> {
        let done_today = latest(&snapshot.orders).is_some_and(|o| {
            o.state == OrderState::Completed && o.ts_ms.is_some_and(|ts| ts >= snapshot.today_ms)
        });
        (done_today && !self.is_admin).then_some(snapshot.tomorrow_ms)
    }

    /// The boot sequence's answer (contract §7.1): the order in flight or the daily
    /// limit, else closed, else what came of the token.
    fn boot(&self, snapshot: &Snapshot, now_ms: i64) -> Screen {
        let latest = self.screen_for_latest(
            &snapshot.orders,
            now_ms,
            snapshot.today_ms,
            snapshot.tomorrow_ms,
        );
        // Without a scan, an admin's ready order is what there is to show.
        let scanned = !matches!(
            snapshot.token,
            TokenOutcome::NotUsed | TokenOutcome::NoToken
        );
        let latest = if scanned {
            self.blocks_a_new_order(latest)
        } else {
            latest
        };
        if let Some(screen) = latest {
            return screen;
        }
        if !snapshot.config.store.store_open {
            return Screen::Closed;
        }
        match &snapshot.token {
            TokenOutcome::NotUsed | TokenOutcome::NoToken => Screen::Scan,
            TokenOutcome::Garbled => Screen::InvalidCode { garbled: true },
            TokenOutcome::Refused => Screen::InvalidCode { garbled: false },
            TokenOutcome::Started { order_id } => Screen::Menu {
                order_id: order_id.clone(),
                deadline_ms: now_ms + self.windows.choose_ms,
            },
            TokenOutcome::NoTokensRemaining => Screen::NoTokens {
                next_window_ms: self.windows.next_qr_window_ms(now_ms),
            },
        }
    }

    /// The drink was accepted: wait for its number, unless something (a timeout, a
    /// closed shop) moved the screen on meanwhile.
    pub fn submitted(&mut self, order_id: &str, drink: DrinkOrder) {
        if matches!(&self.screen, Screen::Menu { order_id: id, .. } if id == order_id) {
            self.screen = Screen::Submitted {
                order_id: order_id.to_string(),
                drink,
            };
        }
    }

    /// "Next": start again from REST, as a fresh page would (without a token), past the
    /// finished order on screen.
    pub fn restart(&mut self) {
        if self.screen.is_final() {
            self.left = self.screen.order_id().map(str::to_string);
        }
        self.screen = Screen::Loading;
    }
}

impl LiveModel for OrderModel {
    type Snapshot = Snapshot;

    fn merge(&mut self, snapshot: Snapshot, now_ms: i64) {
        self.screen = match &self.screen {
            Screen::Loading => self.boot(&snapshot, now_ms),
            current => {
                let order = current
                    .order_id()
                    .and_then(|id| snapshot.orders.iter().find(|o| o.id == id));
                resync(&self.windows, current, order, now_ms)
            }
        };
        self.next_order_ms = self.limit_from(&snapshot);
        self.tomorrow_ms = Some(snapshot.tomorrow_ms);
        self.config = Some(snapshot.config);
    }

    fn apply(&mut self, event: &RealtimeEvent, _now_ms: i64) -> bool {
        if let RealtimeEvent::ConfigChanged {
            store_open: Some(open),
        } = event
        {
            return match &mut self.config {
                Some(config) if config.store.store_open != *open => {
                    config.store.store_open = *open;
                    true
                }
                _ => false,
            };
        }
        let next = apply(&self.screen, event);
        if next == self.screen {
            return false;
        }
        if matches!(next, Screen::Ready(_)) && !self.is_admin {
            self.next_order_ms = self.tomorrow_ms;
        }
        self.screen = next;
        true
    }
}

/// The alert for a finished order: a sound, a vibration, the tab's title and a system
/// notification, each once per order and outcome (a phone remembers [`OrderAlert::key`]
/// so that a reload, or coming back to the page, does not alert again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderAlert {
    pub order_id: String,
    /// How it ended: ready, cancelled or timed out.
    pub outcome: OrderStatus,
    pub number: Option<u32>,
    pub drink: Option<String>,
}

impl OrderAlert {
    /// The alert a screen calls for: only a finished order's.
    pub fn of(screen: &Screen) -> Option<Self> {
        let outcome = match screen {
            Screen::Ready(_) => OrderStatus::Ready,
            Screen::Cancelled { .. } => OrderStatus::Cancelled,
            Screen::TimedOut { .. } => OrderStatus::TimedOut,
            _ => return None,
        };
        Some(Self {
            order_id: screen.order_id()?.to_string(),
            outcome,
            number: screen.number(),
            drink: screen.drink().map(|d| d.drink),
        })
    }

    /// What a phone remembers once it has alerted.
    pub fn key(&self) -> String {
        let outcome = self.outcome.label().to_lowercase().replace(' ', "-");
        format!("{}:{outcome}", self.order_id)
    }

    /// The short form, for the tab's title and the notification's: "Ready · #12".
    pub fn title(&self) -> Phrase {
        let (plain, numbered) = match self.outcome {
            OrderStatus::Ready => (Text::AlertReady, Text::AlertReadyNumbered),
            OrderStatus::Cancelled => (Text::AlertCancelled, Text::AlertCancelledNumbered),
            _ => (Text::AlertTimedOut, Text::AlertTimedOutNumbered),
        };
        match self.number {
            Some(n) => numbered.with("n", n),
            None => plain.into(),
        }
    }

    /// The notification's text.
    pub fn body(&self) -> Phrase {
        match (self.outcome, &self.drink) {
            (OrderStatus::Ready, Some(drink)) => Text::DrinkReadyBody.with("drink", drink),
            (OrderStatus::Ready, None) => Text::ReadyBody.into(),
            (OrderStatus::Cancelled, _) => Text::CancelledBody.into(),
            _ => Text::TimedOutBody.into(),
        }
    }
}

/// How many live orders are ahead of order `number` in the baristas' queue.
pub fn orders_ahead(windows: &Windows, open: &[Order], number: u32, now_ms: i64) -> u32 {
    let ahead = open
        .iter()
        .filter(|o| windows.is_live(o, now_ms) && o.number.is_some_and(|n| n < number))
        .count();
    u32::try_from(ahead).unwrap_or(u32::MAX)
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
    use shared::i18n::{Catalogue, Lang};

    fn en(phrase: Phrase) -> String {
        phrase.say(Lang::En, &Catalogue::default())
    }

    fn order(id: &str, state: OrderState, ts: i64, drink: bool, number: Option<u32>) -> Order {
        Order {
            state,
            number,
            drink: drink.then(|| DrinkOrder::plain("Latte")),
            ..Order::scanned(id, ts)
        }
    }

    const DAY: i64 = 86_400_000;
    const W: Windows = Windows::AWS;

    /// A barista makes order "o" (`None`: unmakes it).
    fn make_order(barista: Option<&str>) -> RealtimeEvent {
        RealtimeEvent::MakeOrder {
            order_id: "o".into(),
            user_id: "u".into(),
            barista_user_id: barista.map(Into::into),
        }
    }

    #[test]
    fn boot_decisions() {
        let (now, today, tomorrow) = (10 * DAY + 3_600_000, 10 * DAY, 11 * DAY);
        // Completed a minute ago: perhaps still at the bar, so its ready screen.
        let just_done = order("a", OrderState::Completed, now - 60_000, true, Some(4));
        let ready = Screen::Ready(Placed {
            order_id: "a".into(),
            number: Some(4),
            drink: Some(DrinkOrder::plain("Latte")),
        });
        for is_admin in [false, true] {
            assert_eq!(
                screen_for(&W, &just_done, now, today, is_admin, tomorrow, false),
                Some(ready.clone())
            );
        }
        // Left with "Next", or long enough ago to have been collected: the daily limit.
        assert_eq!(
            screen_for(&W, &just_done, now, today, false, tomorrow, true),
            Some(Screen::LimitReached { until_ms: tomorrow })
        );
        let collect_by = W.barista_ms + W.ready_on_board_ms;
        let done_today = order("a", OrderState::Completed, now - collect_by, true, Some(4));
        assert_eq!(
            screen_for(&W, &done_today, now, today, false, tomorrow, false),
            Some(Screen::LimitReached { until_ms: tomorrow })
        );
        let still_ready = order(
            "a",
            OrderState::Completed,
            now - collect_by + 1,
            true,
            Some(4),
        );
        assert!(matches!(
            screen_for(&W, &still_ready, now, today, false, tomorrow, false),
            Some(Screen::Ready(_))
        ));
        assert_eq!(
            screen_for(&W, &done_today, now, today, true, tomorrow, false),
            None,
            "admins have no limit"
        );
        let done_yesterday = order("a", OrderState::Completed, today - 1, true, Some(4));
        assert_eq!(
            screen_for(&W, &done_yesterday, now, today, false, tomorrow, false),
            None
        );
        let choosing = order("b", OrderState::Created, now - 60_000, false, None);
        assert_eq!(
            screen_for(&W, &choosing, now, today, false, tomorrow, false),
            Some(Screen::Menu {
                order_id: "b".into(),
                deadline_ms: now - 60_000 + W.choose_ms
            })
        );
        let abandoned = order("b", OrderState::Created, now - W.choose_ms - 1, false, None);
        assert_eq!(
            screen_for(&W, &abandoned, now, today, false, tomorrow, false),
            None
        );
        let queued = order("c", OrderState::Created, now - 60_000, true, Some(7));
        assert!(matches!(
            screen_for(&W, &queued, now, today, false, tomorrow, false),
            Some(Screen::Queued(Placed {
                number: Some(7),
                ..
            }))
        ));
        let zombie = order("c", OrderState::Created, now - W.barista_ms, true, Some(7));
        assert_eq!(
            screen_for(&W, &zombie, now, today, false, tomorrow, false),
            None
        );
        let cancelled = order("d", OrderState::Cancelled, now, true, Some(8));
        assert_eq!(
            screen_for(&W, &cancelled, now, today, false, tomorrow, false),
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
        let drink = DrinkOrder::plain("Latte");
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
            Screen::Queued(Placed {
                order_id: "o".into(),
                number: Some(41),
                drink: Some(drink.clone())
            })
        );
        let made = apply(&numbered, &make_order(Some("b")));
        assert!(matches!(
            made,
            Screen::BeingMade(Placed {
                number: Some(41),
                ..
            })
        ));
        let unmade = apply(&made, &make_order(None));
        assert!(matches!(
            unmade,
            Screen::Queued(Placed {
                number: Some(41),
                ..
            })
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
            Screen::Ready(Placed {
                order_id: "o".into(),
                number: Some(41),
                drink: Some(drink)
            })
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
        let queued = Screen::Queued(Placed {
            order_id: "o".into(),
            number: Some(3),
            drink: None,
        });
        let now = 1_000_000_000;
        let completed = order("o", OrderState::Completed, now - 1000, true, Some(3));
        assert!(matches!(
            resync(&W, &queued, Some(&completed), now),
            Screen::Ready(Placed {
                number: Some(3),
                ..
            })
        ));
        let still_open = order("o", OrderState::Created, now - 1000, true, Some(3));
        let made = Screen::BeingMade(Placed {
            order_id: "o".into(),
            number: Some(3),
            drink: None,
        });
        assert_eq!(
            resync(&W, &made, Some(&still_open), now),
            made,
            "REST cannot tell being made; keep it"
        );
        let too_old = order("o", OrderState::Created, now - W.barista_ms, true, Some(3));
        assert!(matches!(
            resync(&W, &queued, Some(&too_old), now),
            Screen::TimedOut {
                cause: TimeoutCause::Barista,
                ..
            }
        ));
        let submitted = Screen::Submitted {
            order_id: "o".into(),
            drink: DrinkOrder::plain("Latte"),
        };
        assert!(matches!(
            resync(&W, &submitted, Some(&still_open), now),
            Screen::Queued(Placed {
                number: Some(3),
                ..
            })
        ));
    }

    fn config(open: bool) -> Config {
        Config {
            menu: vec![],
            store: shared::model::StoreConfig {
                store_open: open,
                max_orders_per_user: None,
                max_orders_in_queue: None,
            },
        }
    }

    fn snapshot(open: bool, orders: Vec<Order>, token: TokenOutcome) -> Snapshot {
        Snapshot {
            config: config(open),
            orders,
            today_ms: 10 * DAY,
            tomorrow_ms: 11 * DAY,
            token,
        }
    }

    #[test]
    fn the_first_load_boots_and_later_loads_resync() {
        let now = 10 * DAY + 3_600_000;
        let boot = |snapshot| {
            let mut model = OrderModel::new(W, false);
            model.merge(snapshot, now);
            model
        };
        let started = boot(snapshot(
            true,
            vec![],
            TokenOutcome::Started {
                order_id: "o".into(),
            },
        ));
        assert_eq!(
            started.screen,
            Screen::Menu {
                order_id: "o".into(),
                deadline_ms: now + W.choose_ms
            }
        );
        assert!(started.config.is_some());
        assert_eq!(
            boot(snapshot(true, vec![], TokenOutcome::NoToken)).screen,
            Screen::Scan
        );
        assert_eq!(
            boot(snapshot(false, vec![], TokenOutcome::NotUsed)).screen,
            Screen::Closed
        );
        assert_eq!(
            boot(snapshot(true, vec![], TokenOutcome::Garbled)).screen,
            Screen::InvalidCode { garbled: true }
        );
        assert_eq!(
            boot(snapshot(true, vec![], TokenOutcome::Refused)).screen,
            Screen::InvalidCode { garbled: false }
        );
        assert_eq!(
            boot(snapshot(true, vec![], TokenOutcome::NoTokensRemaining)).screen,
            Screen::NoTokens {
                next_window_ms: W.next_qr_window_ms(now)
            }
        );
        let in_flight = order("q", OrderState::Created, now - 1_000, true, Some(5));
        assert!(matches!(
            boot(snapshot(
                true,
                vec![in_flight.clone()],
                TokenOutcome::NotUsed
            ))
            .screen,
            Screen::Queued(Placed {
                number: Some(5),
                ..
            })
        ));

        // A resync follows the order on screen; REST's "completed" wins.
        let mut model = boot(snapshot(
            true,
            vec![in_flight.clone()],
            TokenOutcome::NotUsed,
        ));
        let mut done = in_flight;
        done.state = OrderState::Completed;
        model.merge(snapshot(true, vec![done], TokenOutcome::NotUsed), now);
        assert!(matches!(
            model.screen,
            Screen::Ready(Placed {
                number: Some(5),
                ..
            })
        ));

        // "Next" boots again, without a token.
        model.restart();
        model.merge(snapshot(true, vec![], TokenOutcome::NotUsed), now);
        assert_eq!(model.screen, Screen::Scan);
    }

    /// iOS reloads a tab the customer comes back to: a ready order keeps its screen,
    /// with the daily limit beneath it, until the customer moves on.
    #[test]
    fn a_reload_keeps_a_ready_order_on_screen_with_the_limit_beneath() {
        let now = 10 * DAY + 3_600_000;
        let ready_since = order("r", OrderState::Completed, now - 120_000, true, Some(12));
        let mut model = OrderModel::new(W, false);
        let loaded = snapshot(true, vec![ready_since], TokenOutcome::NotUsed);
        model.merge(loaded.clone(), now);
        assert!(matches!(
            &model.screen,
            Screen::Ready(Placed { order_id, number: Some(12), drink: Some(_) }) if order_id == "r"
        ));
        assert_eq!(model.next_order_ms, Some(11 * DAY));
        assert!(
            !model.needs_token(&loaded.config, &loaded.orders, now, 10 * DAY, 11 * DAY),
            "a new scan while it waits at the bar is not spent"
        );
        // "Next" leaves it: the daily limit, also after another load.
        model.restart();
        model.merge(loaded.clone(), now);
        assert_eq!(model.screen, Screen::LimitReached { until_ms: 11 * DAY });
        model.merge(loaded.clone(), now + 1_000);
        assert_eq!(model.screen, Screen::LimitReached { until_ms: 11 * DAY });

        // Admins have no limit to show.
        let mut admin = OrderModel::new(W, true);
        admin.merge(loaded.clone(), now);
        assert!(matches!(admin.screen, Screen::Ready(_)));
        assert_eq!(admin.next_order_ms, None);
        // ...and a ready order does not stop them scanning again.
        assert!(admin.needs_token(&loaded.config, &loaded.orders, now, 10 * DAY, 11 * DAY));
        let mut scanned = loaded;
        scanned.token = TokenOutcome::Started {
            order_id: "next".into(),
        };
        let mut admin = OrderModel::new(W, true);
        admin.merge(scanned, now);
        assert!(matches!(admin.screen, Screen::Menu { .. }));
    }

    #[test]
    fn an_order_completed_live_sets_the_daily_limit() {
        let now = 10 * DAY + 3_600_000;
        let in_flight = order("q", OrderState::Created, now - 1_000, true, Some(5));
        let loaded = snapshot(true, vec![in_flight], TokenOutcome::NotUsed);
        let mut model = OrderModel::new(W, false);
        model.merge(loaded, now);
        assert_eq!(model.next_order_ms, None);
        assert!(model.apply(
            &RealtimeEvent::OrderCompleted {
                order_id: "q".into(),
                user_id: "u".into(),
            },
            now
        ));
        assert!(matches!(model.screen, Screen::Ready(_)));
        assert_eq!(model.next_order_ms, Some(11 * DAY));
    }

    #[test]
    fn a_finished_order_alerts_once_in_words_a_lock_screen_can_show() {
        let ready = Screen::Ready(Placed {
            order_id: "o".into(),
            number: Some(12),
            drink: Some(DrinkOrder::plain("Flat White")),
        });
        let alert = OrderAlert::of(&ready).unwrap();
        assert_eq!(alert.key(), "o:ready");
        assert_eq!(en(alert.title()), "Ready · #12");
        assert_eq!(
            en(alert.body()),
            "Your Flat White is ready: collect it at the bar."
        );
        let mut ja = Catalogue::default();
        ja.add(
            "order",
            r#"{"DrinkReadyBody": "{drink}ができました。カウンターでお受け取りください。"}"#,
        )
        .unwrap();
        assert_eq!(
            alert.body().say(Lang::Ja, &ja),
            "Flat Whiteができました。カウンターでお受け取りください。",
            "the drink's name from the menu stays as it is"
        );
        let cancelled = OrderAlert::of(&Screen::Cancelled {
            order_id: "o".into(),
        })
        .unwrap();
        assert_eq!(
            cancelled.key(),
            "o:cancelled",
            "another outcome of the same order"
        );
        assert_eq!(en(cancelled.title()), "Cancelled");
        let timed_out = OrderAlert::of(&Screen::TimedOut {
            order_id: "o".into(),
            cause: TimeoutCause::Barista,
        })
        .unwrap();
        assert_eq!(en(timed_out.title()), "Timed out");
        for waiting in [
            Screen::Loading,
            Screen::Scan,
            Screen::Queued(Placed {
                order_id: "o".into(),
                number: Some(12),
                drink: None,
            }),
            Screen::LimitReached { until_ms: 0 },
        ] {
            assert_eq!(OrderAlert::of(&waiting), None, "{waiting:?}");
        }
    }

    #[test]
    fn the_token_is_spent_only_when_needed() {
        let now = 10 * DAY + 3_600_000;
        let model = OrderModel::new(W, false);
        let (today, tomorrow) = (10 * DAY, 11 * DAY);
        assert!(model.needs_token(&config(true), &[], now, today, tomorrow));
        assert!(
            !model.needs_token(&config(false), &[], now, today, tomorrow),
            "closed"
        );
        let in_flight = order("q", OrderState::Created, now - 1_000, true, Some(5));
        assert!(!model.needs_token(&config(true), &[in_flight], now, today, tomorrow));
        let done_today = order("d", OrderState::Completed, now - 1_000, true, Some(5));
        assert!(!model.needs_token(
            &config(true),
            std::slice::from_ref(&done_today),
            now,
            today,
            tomorrow
        ));
        assert!(
            OrderModel::new(W, true).needs_token(
                &config(true),
                &[done_today],
                now,
                today,
                tomorrow
            ),
            "admins have no daily limit"
        );
        assert!(is_code("V1StGXR8_Z"));
        assert!(!is_code("V1StGXR8_"), "too short");
        assert!(!is_code("V1StGXR8_Z%20"), "mangled");
        assert!(!is_code("V1StGXR8 Z"));
    }

    #[test]
    fn events_and_config_changes_redraw_only_when_something_changed() {
        let now = 10 * DAY;
        let mut model = OrderModel::new(W, false);
        model.merge(
            snapshot(
                true,
                vec![],
                TokenOutcome::Started {
                    order_id: "o".into(),
                },
            ),
            now,
        );
        let drink = DrinkOrder::plain("Latte");
        model.submitted("other", drink.clone());
        assert!(
            matches!(model.screen, Screen::Menu { .. }),
            "not this order"
        );
        model.submitted("o", drink);
        assert!(matches!(model.screen, Screen::Submitted { .. }));
        assert!(!model.apply(
            &RealtimeEvent::ConfigChanged {
                store_open: Some(true)
            },
            now
        ));
        assert!(model.apply(
            &RealtimeEvent::ConfigChanged {
                store_open: Some(false)
            },
            now
        ));
        assert!(!model.config.as_ref().unwrap().store.store_open);
        assert!(
            !model.apply(
                &RealtimeEvent::OrderCancelled {
                    order_id: "someone-else".into(),
                    user_id: "u".into()
                },
                now
            ),
            "another order's event changes nothing"
        );
        assert!(model.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "o".into(),
                user_id: "u".into()
            },
            now
        ));
        assert_eq!(
            model.screen,
            Screen::Cancelled {
                order_id: "o".into()
            }
        );
    }

    #[test]
    fn orders_ahead_count_live_orders_with_smaller_numbers() {
        let now = 10 * DAY;
        let open = [
            order("a", OrderState::Created, now - 1_000, true, Some(3)),
            order("b", OrderState::Created, now - 1_000, true, Some(4)),
            order("z", OrderState::Created, now - W.barista_ms, true, Some(1)),
            order("c", OrderState::Created, now - 1_000, false, None),
            order("mine", OrderState::Created, now - 1_000, true, Some(5)),
            order("later", OrderState::Created, now - 1_000, true, Some(6)),
        ];
        assert_eq!(orders_ahead(&W, &open, 5, now), 2, "a zombie is not ahead");
        assert_eq!(orders_ahead(&W, &open, 3, now), 0);
    }

    #[test]
    fn e_timeouts_read_as_timeouts_not_cancellations() {
        let now = 10 * DAY;
        let queued = Screen::Queued(Placed {
            order_id: "o".into(),
            number: Some(3),
            drink: None,
        });
        let mut timed_out = order("o", OrderState::Cancelled, now - 1_000, true, Some(3));
        timed_out.timed_out = Some(TimeoutCause::Barista);
        assert_eq!(
            resync(&W, &queued, Some(&timed_out), now),
            Screen::TimedOut {
                order_id: "o".into(),
                cause: TimeoutCause::Barista
            }
        );
        assert_eq!(
            W.status(&timed_out, now),
            shared::model::OrderStatus::TimedOut
        );
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(300_000, 0), "5:00");
        assert_eq!(countdown(1, 0), "0:01");
        assert_eq!(countdown(0, 10), "0:00");
        assert_eq!(long_countdown(3_723_000, 0), "01:02:03");
    }
}
