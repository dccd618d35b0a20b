//! The one shape of every live screen: a model loaded from REST, moved on by real-time
//! events, aged by the clock, and merged with REST again after every reconnect.
//!
//! The order app's screen, the barista's board and the TV's lists implement
//! [`LiveModel`]; the browser hook `shared::ui::use_live_model` owns the loading, the
//! subscription, the resync, the clock and the errors around it, so each page only
//! renders. Pure: time comes in as an argument, and every method is tested natively.

use crate::model::Order;
use crate::realtime::RealtimeEvent;

/// What the barista's board and the TV load from REST: the open orders, the completed
/// ones, and whether the store is open.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardSnapshot {
    pub open: Vec<Order>,
    pub completed: Vec<Order>,
    pub store_open: bool,
    /// Rows REST gave that could not be read (and so are not on the board).
    pub unreadable: usize,
}

pub trait LiveModel: Clone + 'static {
    /// What one load from REST brings.
    type Snapshot: 'static;

    /// Folds a load from REST into the model: the first load, and every resync after a
    /// reconnect. REST is right about what it knows; the model keeps what REST cannot
    /// tell (an action on its way, a recall, "being made" in W).
    fn merge(&mut self, snapshot: Self::Snapshot, now_ms: i64);

    /// Moves the model on for one real-time event; false when nothing changed (so the
    /// page is not redrawn for an event about somebody else).
    fn apply(&mut self, event: &RealtimeEvent, now_ms: i64) -> bool;

    /// Drops what has had its time; false when nothing went.
    fn expire(&mut self, _now_ms: i64) -> bool {
        false
    }
}
