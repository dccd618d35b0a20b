//! What the console's parts share, provided by [`Console`](crate::pages::Console).

use crate::board::Board;
use crate::printer::{PrintState, PrinterChoice};
use leptos::prelude::*;
use shared::api::Api;
use shared::ui::{Auth, Live};

/// What the console's parts share.
#[derive(Clone)]
pub struct ConsoleContext {
    pub api: Api,
    pub auth: Auth,
    pub live: Live<Board>,
    /// The last action that could not be sent, and why.
    pub action_error: RwSignal<Option<(shared::api::OrderAction, shared::api::ApiError)>>,
    /// The drink whose cards the all-day strip highlights.
    pub highlight: RwSignal<Option<String>>,
    /// The card the keyboard has selected (an order id).
    pub selected: RwSignal<Option<String>>,
    /// The robot orders the console's robot made and has yet to complete.
    pub robot_made: RwSignal<std::collections::BTreeSet<String>>,
    /// Where cup tickets go.
    pub printer: RwSignal<PrinterChoice>,
    /// Each card's ticket, by order id.
    pub tickets: RwSignal<std::collections::HashMap<String, PrintState>>,
    /// The ticket the print dialog shows.
    pub dialog_ticket: RwSignal<Option<shared::epos::Ticket>>,
    /// The day's orders (Recent orders, Numbers).
    pub day: crate::pages::ServiceDay,
}
