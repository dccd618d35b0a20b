//! The barista's board: every open order in Preview, Production or Pickup, loaded from
//! REST and kept current by real-time events (contract §7.2). Pure: time comes in.

use shared::api::OrderAction;
use shared::live::{BoardSnapshot, LiveModel};
use shared::model::{Order, OrderState, OrderStatus};
use shared::realtime::RealtimeEvent;
use shared::windows::Windows;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Preview,
    Production,
    Pickup,
}

/// How long an order has waited, as a colour: green under 2 min, amber under 5, red
/// (of the baristas' 15 minutes, so a time-scaled demo ages as fast).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Fresh,
    Waiting,
    Late,
}

impl Age {
    pub fn of(age_ms: i64, windows: &Windows) -> Self {
        if age_ms < windows.barista_ms * 2 / 15 {
            Self::Fresh
        } else if age_ms < windows.barista_ms / 3 {
            Self::Waiting
        } else {
            Self::Late
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Self::Fresh => "age-fresh",
            Self::Waiting => "age-waiting",
            Self::Late => "age-late",
        }
    }
}

/// `3m 07s` since `since_ms` (in English; each language writes its own units).
pub fn age_text(since_ms: i64, now_ms: i64) -> shared::i18n::Phrase {
    crate::text::minutes_seconds(now_ms - since_ms)
}

/// One order on the board.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub order: Order,
    pub column: Column,
    /// Claimed by a barista other than me.
    pub claimed_by_other: bool,
    /// An action sent and not yet confirmed by its event.
    pub pending: Option<OrderAction>,
    /// When it reached Pickup (for the 60 s there).
    pub picked_up_at_ms: Option<i64>,
}

impl Card {
    /// The time its age counts from: when it reached the baristas.
    pub fn since_ms(&self) -> i64 {
        self.order.ts_ms.unwrap_or(0)
    }
}

/// The last order that left the board, for a minute's undo.
#[derive(Clone, Debug, PartialEq)]
pub struct Recall {
    pub card: Card,
    pub left_at_ms: i64,
    pub state: OrderState,
}

/// An order that left the board, for "I never got #14".
#[derive(Clone, Debug, PartialEq)]
pub struct Departed {
    pub order: Order,
    /// How it left: ready, cancelled or timed out.
    pub outcome: OrderStatus,
    /// When it left: seen by this console, or known (a W timeout is its window's end);
    /// `None` for an order completed before this console loaded (REST does not say when).
    pub left_at_ms: Option<i64>,
}

impl Departed {
    /// The time it is listed by: when it left, else when it reached the baristas.
    fn at_ms(&self) -> i64 {
        self.left_at_ms.or(self.order.ts_ms).unwrap_or(0)
    }
}

/// How many departed orders the console keeps.
pub const RECENT: usize = 50;

/// One drink waiting to be made, across Preview and Production: the all-day count a
/// barista batches by ("3 Latte: 1 Oat").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllDay {
    pub drink: String,
    pub count: u32,
    /// Each option chosen for it, by name, with how many of the drinks have it.
    pub options: Vec<(String, u32)>,
}

impl AllDay {
    /// "3 Latte", as it is read out.
    pub fn label(&self) -> String {
        format!("{} {}", self.count, self.drink)
    }

    /// "1 Oat · 2 Extra shot", or nothing without options.
    pub fn options_text(&self) -> Option<String> {
        (!self.options.is_empty()).then(|| {
            self.options
                .iter()
                .map(|(option, n)| format!("{n} {option}"))
                .collect::<Vec<_>>()
                .join(" · ")
        })
    }
}

/// Every card, keyed by order id, as seen by one barista.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    pub windows: Windows,
    /// The signed-in barista's `sub`: their claims go to Production.
    pub me: String,
    pub cards: BTreeMap<String, Card>,
    pub recall: Option<Recall>,
    /// The orders that left the board, newest first, at most [`RECENT`].
    pub recent: Vec<Departed>,
    /// None until the config has loaded.
    pub store_open: Option<bool>,
    /// Counts every word on the store's state (a load or `ConfigChanged`), so the store
    /// switch knows when its request was answered.
    pub store_news: u32,
    /// Counts new orders, for the chime.
    pub arrivals: u32,
    /// Orders REST gave that could not be read at the last load (not on the board).
    pub unreadable: usize,
}

impl LiveModel for Board {
    type Snapshot = BoardSnapshot;

    fn merge(&mut self, snapshot: BoardSnapshot, now_ms: i64) {
        let loaded = Board::load(
            self.windows,
            &self.me,
            snapshot.open,
            snapshot.completed,
            now_ms,
        );
        let merged = loaded.merged_with_previous(self);
        self.cards = merged.cards;
        self.recent = merged.recent;
        self.unreadable = snapshot.unreadable;
        self.store_open = Some(snapshot.store_open);
        self.store_news += 1;
    }

    /// Applies one real-time event; a new order also counts an arrival (the chime).
    fn apply(&mut self, event: &RealtimeEvent, now_ms: i64) -> bool {
        match event {
            RealtimeEvent::ConfigChanged {
                store_open: Some(open),
            } => {
                self.store_open = Some(*open);
                self.store_news += 1;
                true
            }
            RealtimeEvent::WaitingCompletion { order } => {
                if self.cards.contains_key(&order.id) {
                    return false;
                }
                self.place(order.clone(), None);
                self.arrivals += 1;
                true
            }
            RealtimeEvent::MakeOrder {
                order_id,
                barista_user_id,
                ..
            } => {
                let me = self.me.clone();
                let Some(card) = self.cards.get_mut(order_id) else {
                    return false;
                };
                card.order.barista_user_id = barista_user_id.clone();
                let mine = barista_user_id.as_deref() == Some(me.as_str());
                card.column = if mine {
                    Column::Production
                } else {
                    Column::Preview
                };
                card.claimed_by_other = barista_user_id.is_some() && !mine;
                card.pending = None;
                true
            }
            RealtimeEvent::OrderCompleted { order_id, .. } => {
                let Some(card) = self.cards.get_mut(order_id) else {
                    return false;
                };
                card.column = Column::Pickup;
                card.pending = None;
                card.order.state = OrderState::Completed;
                card.picked_up_at_ms = Some(now_ms);
                let card = card.clone();
                self.depart(card.order.clone(), OrderStatus::Ready, now_ms);
                self.recall = Some(Recall {
                    card,
                    left_at_ms: now_ms,
                    state: OrderState::Completed,
                });
                true
            }
            RealtimeEvent::OrderCancelled { order_id, .. } => {
                self.leave(order_id, OrderState::Cancelled, now_ms)
            }
            RealtimeEvent::OrderTimeOut { order_id, .. } => match self.cards.remove(order_id) {
                Some(card) => {
                    self.depart(card.order, OrderStatus::TimedOut, now_ms);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    fn expire(&mut self, now_ms: i64) -> bool {
        Board::expire(self, now_ms)
    }
}

impl Board {
    pub fn new(windows: Windows, me: &str) -> Self {
        Self {
            windows,
            me: me.to_string(),
            ..Self::default()
        }
    }

    /// The board from REST: live open orders and up to ten recently completed ones.
    pub fn load(
        windows: Windows,
        me: &str,
        open: Vec<Order>,
        completed: Vec<Order>,
        now_ms: i64,
    ) -> Self {
        let mut board = Self::new(windows, me);
        let mut timed_out = Vec::new();
        for order in open {
            if windows.is_live(&order, now_ms) {
                board.place(order, None);
            } else if order.number.is_some() && order.drink.is_some() {
                timed_out.push(order);
            }
        }
        // Gone from the board, as REST tells: completed, and (W) open past its window.
        board.recent = completed
            .iter()
            .filter(|o| o.number.is_some())
            .map(|o| Departed {
                order: o.clone(),
                outcome: OrderStatus::Ready,
                left_at_ms: None,
            })
            .chain(timed_out.into_iter().map(|o| Departed {
                left_at_ms: o.ts_ms.map(|ts| ts + windows.barista_ms),
                order: o,
                outcome: OrderStatus::TimedOut,
            }))
            .collect();
        board.sort_recent();
        let mut recent: Vec<Order> = completed
            .into_iter()
            .filter(|o| {
                o.number.is_some()
                    && o.ts_ms
                        .is_some_and(|ts| now_ms - ts < windows.recent_completed_ms)
            })
            .collect();
        recent.sort_by_key(|o| std::cmp::Reverse(o.ts_ms));
        for order in recent.into_iter().take(10) {
            let since = order.ts_ms;
            board.cards.insert(
                order.id.clone(),
                Card {
                    order,
                    column: Column::Pickup,
                    claimed_by_other: false,
                    pending: None,
                    picked_up_at_ms: since,
                },
            );
        }
        board
    }

    /// A resync keeps what REST cannot know (pending actions, recall) for orders still there.
    pub fn merged_with_previous(mut self, previous: &Board) -> Self {
        for (id, card) in &mut self.cards {
            if let Some(old) = previous.cards.get(id) {
                if old.column == card.column {
                    card.pending = old.pending;
                }
                if card.column == Column::Pickup {
                    card.picked_up_at_ms = old.picked_up_at_ms.or(card.picked_up_at_ms);
                }
            }
        }
        self.recall = previous.recall.clone();
        // What this console saw go stays (REST lists no cancellations), and knows when.
        for seen in &previous.recent {
            match self.recent.iter_mut().find(|d| d.order.id == seen.order.id) {
                Some(listed) if seen.left_at_ms.is_some() => *listed = seen.clone(),
                Some(_) => {}
                None => self.recent.push(seen.clone()),
            }
        }
        self.sort_recent();
        self
    }

    /// Newest first, at most [`RECENT`].
    fn sort_recent(&mut self) {
        self.recent.sort_by_key(|d| std::cmp::Reverse(d.at_ms()));
        self.recent.truncate(RECENT);
    }

    /// Lists `order` as gone, newest first.
    fn depart(&mut self, order: Order, outcome: OrderStatus, now_ms: i64) {
        self.recent.retain(|d| d.order.id != order.id);
        self.recent.insert(
            0,
            Departed {
                order,
                outcome,
                left_at_ms: Some(now_ms),
            },
        );
        self.recent.truncate(RECENT);
    }

    fn place(&mut self, order: Order, pending: Option<OrderAction>) {
        let claimed = order.claimed_by().map(str::to_string);
        let column = if claimed.as_deref() == Some(self.me.as_str()) {
            Column::Production
        } else {
            Column::Preview
        };
        let claimed_by_other = claimed.is_some_and(|c| c != self.me);
        self.cards.insert(
            order.id.clone(),
            Card {
                order,
                column,
                claimed_by_other,
                pending,
                picked_up_at_ms: None,
            },
        );
    }

    /// Takes a card off the board, keeping it for a minute's recall.
    fn leave(&mut self, id: &str, state: OrderState, now_ms: i64) -> bool {
        let Some(card) = self.cards.remove(id) else {
            return false;
        };
        self.depart(card.order.clone(), OrderStatus::Cancelled, now_ms);
        self.recall = Some(Recall {
            card,
            left_at_ms: now_ms,
            state,
        });
        true
    }

    /// Marks an action as sent; false when one is already on its way (a double tap).
    pub fn start(&mut self, order_id: &str, action: OrderAction) -> bool {
        match self.cards.get_mut(order_id) {
            Some(card) if card.pending.is_none() => {
                card.pending = Some(action);
                true
            }
            _ => false,
        }
    }

    /// The action failed to send: the card can be tapped again.
    pub fn failed(&mut self, order_id: &str) {
        if let Some(card) = self.cards.get_mut(order_id) {
            card.pending = None;
        }
    }

    /// Drops what has had its time: Pickup after a minute, the recall after a minute.
    /// Returns whether anything went.
    pub fn expire(&mut self, now_ms: i64) -> bool {
        let cards = self.cards.len();
        let Windows {
            pickup_ms,
            recall_ms,
            ..
        } = self.windows;
        self.cards.retain(|_, c| {
            c.column != Column::Pickup || c.picked_up_at_ms.is_some_and(|t| now_ms - t < pickup_ms)
        });
        let recall_expired = self
            .recall
            .as_ref()
            .is_some_and(|r| now_ms - r.left_at_ms >= recall_ms);
        if recall_expired {
            self.recall = None;
        }
        recall_expired || cards != self.cards.len()
    }

    /// The all-day counts: each drink waiting in Preview or Production (whoever makes
    /// it), most first, then by name.
    pub fn all_day(&self) -> Vec<AllDay> {
        let mut drinks: BTreeMap<&str, (u32, BTreeMap<&str, u32>)> = BTreeMap::new();
        let waiting = self
            .cards
            .values()
            .filter(|c| c.column != Column::Pickup)
            .filter_map(|c| c.order.drink.as_ref());
        for drink in waiting {
            let (count, options) = drinks.entry(drink.drink.as_str()).or_default();
            *count += 1;
            for option in &drink.modifiers {
                *options.entry(option.as_str()).or_default() += 1;
            }
        }
        let mut counts: Vec<AllDay> = drinks
            .into_iter()
            .map(|(drink, (count, options))| AllDay {
                drink: drink.to_string(),
                count,
                options: options
                    .into_iter()
                    .map(|(o, n)| (o.to_string(), n))
                    .collect(),
            })
            .collect();
        // Stable: equal counts stay in name order.
        counts.sort_by_key(|d| std::cmp::Reverse(d.count));
        counts
    }

    /// A column's cards, by order number as a number (not as text: 9 before 10).
    pub fn column(&self, column: Column) -> Vec<Card> {
        let mut cards: Vec<Card> = self
            .cards
            .values()
            .filter(|c| c.column == column)
            .cloned()
            .collect();
        cards.sort_by_key(|c| (c.order.number.unwrap_or(u32::MAX), c.order.id.clone()));
        cards
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::model::DrinkOrder;

    const NOW: i64 = 10_000_000_000;
    const W: Windows = Windows::AWS;

    fn order(id: &str, number: u32, age_ms: i64, barista: Option<&str>) -> Order {
        Order {
            user_id: Some("u".into()),
            barista_user_id: barista.map(Into::into),
            ..Order::numbered(id, number, "Latte", OrderState::Created, NOW - age_ms)
        }
    }

    #[test]
    fn load_sorts_by_number_and_drops_zombies_and_unnumbered() {
        let mut unnumbered = order("u", 1, 0, None);
        unnumbered.number = None;
        let board = Board::load(
            W,
            "me",
            vec![
                order("a", 10, 0, None),
                order("b", 9, 0, None),
                order("z", 3, W.barista_ms, None),
                unnumbered,
                order("m", 4, 0, Some("me")),
            ],
            vec![],
            NOW,
        );
        let preview: Vec<u32> = board
            .column(Column::Preview)
            .iter()
            .filter_map(|c| c.order.number)
            .collect();
        assert_eq!(preview, [9, 10]);
        assert_eq!(board.column(Column::Production)[0].order.id, "m");
    }

    #[test]
    fn all_day_counts_what_waits_in_preview_and_production() {
        let with = |id: &str, n: u32, drink: &str, options: &[&str], barista: Option<&str>| {
            let mut o = order(id, n, 0, barista);
            o.drink = Some(DrinkOrder {
                modifiers: options.iter().map(|s| s.to_string()).collect(),
                ..DrinkOrder::plain(drink)
            });
            o
        };
        let done = Order {
            state: OrderState::Completed,
            ..with("d", 9, "Latte", &["Soy"], None)
        };
        let board = Board::load(
            W,
            "me",
            vec![
                with("a", 1, "Latte", &["Oat"], None),
                with("b", 2, "Latte", &[], Some("me")),
                with("c", 3, "Latte", &["Oat", "Extra shot"], Some("other")),
                with("e", 4, "Espresso", &[], None),
                with("f", 5, "Flat White", &[], None),
                with("z", 6, "Mocha", &[], None),
            ]
            .into_iter()
            .chain([Order {
                ts_ms: Some(NOW - W.barista_ms),
                ..with("zombie", 7, "Mocha", &[], None)
            }])
            .collect(),
            vec![done],
            NOW,
        );
        let counts = board.all_day();
        let labels: Vec<String> = counts.iter().map(AllDay::label).collect();
        assert_eq!(
            labels,
            ["3 Latte", "1 Espresso", "1 Flat White", "1 Mocha"],
            "most first, then by name; Pickup and timed-out orders are not waiting"
        );
        assert_eq!(
            counts[0].options_text().as_deref(),
            Some("1 Extra shot · 2 Oat")
        );
        assert_eq!(counts[1].options_text(), None);
        assert!(Board::new(W, "me").all_day().is_empty());
    }

    #[test]
    fn recent_orders_say_what_happened_to_each_and_survive_a_reload() {
        let done = Order {
            state: OrderState::Completed,
            ..order("done", 1, 600_000, None)
        };
        let zombie = order("zombie", 2, W.barista_ms + 60_000, None);
        // The console's first load, as the page makes it.
        let mut board = Board::new(W, "me");
        board.merge(
            BoardSnapshot {
                open: vec![
                    zombie,
                    order("c", 3, 0, None),
                    order("k", 4, 0, None),
                    order("t", 5, 0, None),
                ],
                completed: vec![done],
                store_open: true,
                unreadable: 0,
            },
            NOW,
        );
        let listed = |b: &Board| -> Vec<(Option<u32>, OrderStatus, Option<i64>)> {
            b.recent
                .iter()
                .map(|d| (d.order.number, d.outcome, d.left_at_ms))
                .collect()
        };
        // From REST: the zombie timed out when its window ended; the completed order at
        // an unknown time, listed by when it reached the bar.
        assert_eq!(
            listed(&board),
            [
                (Some(2), OrderStatus::TimedOut, Some(NOW - 60_000)),
                (Some(1), OrderStatus::Ready, None),
            ]
        );
        // Live: completed, cancelled, timed out, newest first.
        let user_id = String::from("u");
        for (i, event) in [
            RealtimeEvent::OrderCompleted {
                order_id: "c".into(),
                user_id: user_id.clone(),
            },
            RealtimeEvent::OrderCancelled {
                order_id: "k".into(),
                user_id: user_id.clone(),
            },
            RealtimeEvent::OrderTimeOut {
                order_id: "t".into(),
                user_id: user_id.clone(),
                cause: shared::model::TimeoutCause::Barista,
            },
        ]
        .iter()
        .enumerate()
        {
            assert!(board.apply(event, NOW + 1_000 * (i as i64 + 1)));
        }
        assert_eq!(
            listed(&board)[..3],
            [
                (Some(5), OrderStatus::TimedOut, Some(NOW + 3_000)),
                (Some(4), OrderStatus::Cancelled, Some(NOW + 2_000)),
                (Some(3), OrderStatus::Ready, Some(NOW + 1_000)),
            ]
        );
        // A reload: REST knows the completed order (not when) and nothing of the
        // cancellation; the console keeps what it saw.
        let completed_c = Order {
            state: OrderState::Completed,
            ..order("c", 3, 0, None)
        };
        let done_again = Order {
            state: OrderState::Completed,
            ..order("done", 1, 600_000, None)
        };
        board.merge(
            BoardSnapshot {
                open: vec![order("zombie", 2, W.barista_ms + 60_000, None)],
                completed: vec![done_again, completed_c],
                store_open: true,
                unreadable: 0,
            },
            NOW + 4_000,
        );
        assert_eq!(listed(&board).len(), 5);
        assert_eq!(
            listed(&board)[2],
            (Some(3), OrderStatus::Ready, Some(NOW + 1_000)),
            "the time it was seen to leave is kept"
        );
    }

    #[test]
    fn recent_orders_keep_the_newest_fifty() {
        let mut board = Board::new(W, "me");
        for n in 0..(RECENT as u32 + 10) {
            let id = format!("o{n}");
            board.apply(
                &RealtimeEvent::WaitingCompletion {
                    order: order(&id, n, 0, None),
                },
                NOW,
            );
            board.apply(
                &RealtimeEvent::OrderCancelled {
                    order_id: id,
                    user_id: "u".into(),
                },
                NOW + i64::from(n),
            );
        }
        assert_eq!(board.recent.len(), RECENT);
        assert_eq!(board.recent[0].order.number, Some(RECENT as u32 + 9));
    }

    #[test]
    fn another_baristas_order_is_shown_as_claimed() {
        let board = Board::load(W, "me", vec![order("a", 1, 0, Some("other"))], vec![], NOW);
        let card = &board.column(Column::Preview)[0];
        assert!(card.claimed_by_other);
    }

    #[test]
    fn events_move_cards_and_clear_pending() {
        let mut board = Board::new(W, "me");
        assert!(board.apply(
            &RealtimeEvent::WaitingCompletion {
                order: order("a", 1, 0, None)
            },
            NOW
        ));
        assert!(
            !board.apply(
                &RealtimeEvent::WaitingCompletion {
                    order: order("a", 1, 0, None)
                },
                NOW
            ),
            "deduplicated"
        );
        assert_eq!(board.arrivals, 1, "one chime");
        assert!(board.start("a", OrderAction::Make));
        assert!(
            !board.start("a", OrderAction::Make),
            "a double tap sends nothing"
        );
        board.apply(
            &RealtimeEvent::MakeOrder {
                order_id: "a".into(),
                user_id: "u".into(),
                barista_user_id: Some("me".into()),
            },
            NOW,
        );
        assert_eq!(board.cards["a"].column, Column::Production);
        assert_eq!(board.cards["a"].pending, None);
        board.apply(
            &RealtimeEvent::MakeOrder {
                order_id: "a".into(),
                user_id: "u".into(),
                barista_user_id: None,
            },
            NOW,
        );
        assert_eq!(board.cards["a"].column, Column::Preview);
        board.apply(
            &RealtimeEvent::OrderCompleted {
                order_id: "a".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        assert_eq!(board.cards["a"].column, Column::Pickup);
        assert_eq!(board.recall.as_ref().unwrap().state, OrderState::Completed);
        assert!(!board.expire(NOW + W.pickup_ms - 1));
        assert!(board.cards.contains_key("a"));
        assert!(board.expire(NOW + W.pickup_ms));
        assert!(board.cards.is_empty());
        assert!(board.recall.is_none());
    }

    #[test]
    fn cancel_and_timeout_remove() {
        let mut board = Board::load(
            W,
            "me",
            vec![order("a", 1, 0, None), order("b", 2, 0, None)],
            vec![],
            NOW,
        );
        board.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "a".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        board.apply(
            &RealtimeEvent::OrderTimeOut {
                order_id: "b".into(),
                user_id: "u".into(),
                cause: shared::model::TimeoutCause::Barista,
            },
            NOW,
        );
        assert!(board.cards.is_empty());
        assert_eq!(board.recall.as_ref().unwrap().card.order.id, "a");
    }

    #[test]
    fn ages() {
        assert_eq!(Age::of(0, &W), Age::Fresh);
        assert_eq!(Age::of(119_999, &W), Age::Fresh);
        assert_eq!(Age::of(120_000, &W), Age::Waiting);
        assert_eq!(Age::of(300_000, &W), Age::Late);
        assert_eq!(Age::of(5_000, &Windows::scaled(60)), Age::Late);
        let en = |p: shared::i18n::Phrase| p.say(shared::i18n::Lang::En, &Default::default());
        assert_eq!(en(age_text(NOW - 187_000, NOW)), "3m 07s");
    }

    #[test]
    fn recent_completed_go_to_pickup() {
        let mut done = order("d", 5, 30_000, None);
        done.state = OrderState::Completed;
        let mut old = order("o", 6, W.recent_completed_ms, None);
        old.state = OrderState::Completed;
        let board = Board::load(W, "me", vec![], vec![done, old], NOW);
        assert_eq!(board.column(Column::Pickup).len(), 1);
    }

    #[test]
    fn a_resync_takes_rest_and_keeps_what_rest_cannot_know() {
        let mut board = Board::new(W, "me");
        board.merge(
            BoardSnapshot {
                open: vec![order("a", 1, 0, None), order("b", 2, 0, None)],
                completed: vec![],
                store_open: true,
                unreadable: 1,
            },
            NOW,
        );
        assert_eq!((board.store_open, board.store_news), (Some(true), 1));
        assert_eq!(
            board.unreadable, 1,
            "a row that could not be read is counted"
        );
        assert!(board.start("a", OrderAction::Make), "a make on its way");
        board.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "b".into(),
                user_id: "u".into(),
            },
            NOW,
        );
        // Offline: "c" arrived, "b" is gone; the make of "a" is still on its way.
        board.merge(
            BoardSnapshot {
                open: vec![order("a", 1, 0, None), order("c", 3, 0, None)],
                completed: vec![],
                store_open: false,
                unreadable: 0,
            },
            NOW + 1_000,
        );
        assert_eq!(board.cards["a"].pending, Some(OrderAction::Make));
        assert!(board.cards.contains_key("c") && !board.cards.contains_key("b"));
        assert_eq!(
            board.recall.as_ref().unwrap().card.order.id,
            "b",
            "the recall stays"
        );
        assert_eq!((board.store_open, board.store_news), (Some(false), 2));
        assert!(
            !board.apply(
                &RealtimeEvent::MakeOrder {
                    order_id: "zz".into(),
                    user_id: "u".into(),
                    barista_user_id: None,
                },
                NOW
            ),
            "nothing to redraw for an order not on the board"
        );
    }
}
