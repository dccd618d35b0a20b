//! The barista's board: every open order in Preview, Production or Pickup, loaded from
//! REST and kept current by real-time events (contract §7.2). Pure: time comes in.

use shared::api::OrderAction;
use shared::model::{Order, OrderState};
use shared::realtime::RealtimeEvent;
use std::collections::BTreeMap;

/// Open orders older than the baristas' window timed out in the workflow but stay
/// `CREATED` in W's table ("zombies", contract §6.4).
pub const ZOMBIE_AGE_MS: i64 = 900_000;
/// How long a completed order stays in Pickup.
pub const PICKUP_MS: i64 = 60_000;
/// How long the last completed or cancelled order can be recalled.
pub const RECALL_MS: i64 = 60_000;
/// Completed orders younger than this are loaded into Pickup.
const RECENT_COMPLETED_MS: i64 = 5 * 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Preview,
    Production,
    Pickup,
}

/// How long an order has waited, as a colour: green under 2 min, amber under 5, red.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Fresh,
    Waiting,
    Late,
}

impl Age {
    pub fn of(age_ms: i64) -> Self {
        if age_ms < 120_000 {
            Self::Fresh
        } else if age_ms < 300_000 {
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

/// `3m 07s` since `since_ms`.
pub fn age_text(since_ms: i64, now_ms: i64) -> String {
    let secs = (now_ms - since_ms).max(0) / 1000;
    format!("{}m {:02}s", secs / 60, secs % 60)
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

/// Every card, keyed by order id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    pub cards: BTreeMap<String, Card>,
    pub recall: Option<Recall>,
}

impl Board {
    /// The board from REST: open orders (with a number, not zombies) and up to ten
    /// recently completed ones. `me` is the signed-in barista's `sub`.
    pub fn load(open: Vec<Order>, completed: Vec<Order>, me: &str, now_ms: i64) -> Self {
        let mut board = Self::default();
        for order in open {
            let fresh = order.ts_ms.is_some_and(|ts| now_ms - ts < ZOMBIE_AGE_MS);
            if order.number.is_none()
                || order.drink.is_none()
                || !fresh
                || order.state != OrderState::Created
            {
                continue;
            }
            board.place(order, me, None);
        }
        let mut recent: Vec<Order> = completed
            .into_iter()
            .filter(|o| {
                o.number.is_some() && o.ts_ms.is_some_and(|ts| now_ms - ts < RECENT_COMPLETED_MS)
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
        self
    }

    fn place(&mut self, order: Order, me: &str, pending: Option<OrderAction>) {
        let claimed = order.claimed_by().map(str::to_string);
        let column = if claimed.as_deref() == Some(me) {
            Column::Production
        } else {
            Column::Preview
        };
        let claimed_by_other = claimed.is_some_and(|c| c != me);
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

    fn leave(&mut self, id: &str, state: OrderState, now_ms: i64) {
        if let Some(card) = self.cards.remove(id) {
            self.recall = Some(Recall {
                card,
                left_at_ms: now_ms,
                state,
            });
        }
    }

    /// Applies one real-time event. Returns true when a new order arrived (for the chime).
    pub fn apply(&mut self, event: &RealtimeEvent, me: &str, now_ms: i64) -> bool {
        match event {
            RealtimeEvent::WaitingCompletion { order } => {
                let is_new = !self.cards.contains_key(&order.id);
                if is_new {
                    self.place(order.clone(), me, None);
                }
                is_new
            }
            RealtimeEvent::MakeOrder {
                order_id,
                barista_user_id,
                ..
            } => {
                if let Some(card) = self.cards.get_mut(order_id) {
                    card.order.barista_user_id = barista_user_id.clone();
                    let mine = barista_user_id.as_deref() == Some(me);
                    card.column = if mine {
                        Column::Production
                    } else {
                        Column::Preview
                    };
                    card.claimed_by_other = barista_user_id.is_some() && !mine;
                    card.pending = None;
                }
                false
            }
            RealtimeEvent::OrderCompleted { order_id, .. } => {
                if let Some(card) = self.cards.get_mut(order_id) {
                    card.column = Column::Pickup;
                    card.pending = None;
                    card.order.state = OrderState::Completed;
                    card.picked_up_at_ms = Some(now_ms);
                    self.recall = Some(Recall {
                        card: card.clone(),
                        left_at_ms: now_ms,
                        state: OrderState::Completed,
                    });
                }
                false
            }
            RealtimeEvent::OrderCancelled { order_id, .. } => {
                self.leave(order_id, OrderState::Cancelled, now_ms);
                false
            }
            RealtimeEvent::OrderTimeOut { order_id, .. } => {
                self.cards.remove(order_id);
                false
            }
            _ => false,
        }
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
        self.cards.retain(|_, c| {
            c.column != Column::Pickup || c.picked_up_at_ms.is_some_and(|t| now_ms - t < PICKUP_MS)
        });
        let recall_expired = self
            .recall
            .as_ref()
            .is_some_and(|r| now_ms - r.left_at_ms >= RECALL_MS);
        if recall_expired {
            self.recall = None;
        }
        recall_expired || cards != self.cards.len()
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

    fn order(id: &str, number: u32, age_ms: i64, barista: Option<&str>) -> Order {
        Order {
            id: id.into(),
            number: Some(number),
            state: OrderState::Created,
            drink: Some(DrinkOrder {
                user_id: None,
                drink: "Latte".into(),
                modifiers: vec![],
                icon: "i".into(),
            }),
            user_id: Some("u".into()),
            barista_user_id: barista.map(Into::into),
            ts_ms: Some(NOW - age_ms),
            robot: false,
        }
    }

    #[test]
    fn load_sorts_by_number_and_drops_zombies_and_unnumbered() {
        let mut unnumbered = order("u", 1, 0, None);
        unnumbered.number = None;
        let board = Board::load(
            vec![
                order("a", 10, 0, None),
                order("b", 9, 0, None),
                order("z", 3, ZOMBIE_AGE_MS, None),
                unnumbered,
                order("m", 4, 0, Some("me")),
            ],
            vec![],
            "me",
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
    fn another_baristas_order_is_shown_as_claimed() {
        let board = Board::load(vec![order("a", 1, 0, Some("other"))], vec![], "me", NOW);
        let card = &board.column(Column::Preview)[0];
        assert!(card.claimed_by_other);
    }

    #[test]
    fn events_move_cards_and_clear_pending() {
        let mut board = Board::default();
        assert!(board.apply(
            &RealtimeEvent::WaitingCompletion {
                order: order("a", 1, 0, None)
            },
            "me",
            NOW
        ));
        assert!(
            !board.apply(
                &RealtimeEvent::WaitingCompletion {
                    order: order("a", 1, 0, None)
                },
                "me",
                NOW
            ),
            "deduplicated"
        );
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
            "me",
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
            "me",
            NOW,
        );
        assert_eq!(board.cards["a"].column, Column::Preview);
        board.apply(
            &RealtimeEvent::OrderCompleted {
                order_id: "a".into(),
                user_id: "u".into(),
            },
            "me",
            NOW,
        );
        assert_eq!(board.cards["a"].column, Column::Pickup);
        assert_eq!(board.recall.as_ref().unwrap().state, OrderState::Completed);
        assert!(!board.expire(NOW + PICKUP_MS - 1));
        assert!(board.cards.contains_key("a"));
        assert!(board.expire(NOW + PICKUP_MS));
        assert!(board.cards.is_empty());
        assert!(board.recall.is_none());
    }

    #[test]
    fn cancel_and_timeout_remove() {
        let mut board = Board::load(
            vec![order("a", 1, 0, None), order("b", 2, 0, None)],
            vec![],
            "me",
            NOW,
        );
        board.apply(
            &RealtimeEvent::OrderCancelled {
                order_id: "a".into(),
                user_id: "u".into(),
            },
            "me",
            NOW,
        );
        board.apply(
            &RealtimeEvent::OrderTimeOut {
                order_id: "b".into(),
                user_id: "u".into(),
                cause: shared::model::TimeoutCause::Barista,
            },
            "me",
            NOW,
        );
        assert!(board.cards.is_empty());
        assert_eq!(board.recall.as_ref().unwrap().card.order.id, "a");
    }

    #[test]
    fn ages() {
        assert_eq!(Age::of(0), Age::Fresh);
        assert_eq!(Age::of(119_999), Age::Fresh);
        assert_eq!(Age::of(120_000), Age::Waiting);
        assert_eq!(Age::of(300_000), Age::Late);
        assert_eq!(age_text(NOW - 187_000, NOW), "3m 07s");
    }

    #[test]
    fn recent_completed_go_to_pickup() {
        let mut done = order("d", 5, 30_000, None);
        done.state = OrderState::Completed;
        let mut old = order("o", 6, RECENT_COMPLETED_MS, None);
        old.state = OrderState::Completed;
        let board = Board::load(vec![], vec![done, old], "me", NOW);
        assert_eq!(board.column(Column::Pickup).len(), 1);
    }
}
