//! The real-time connection as the apps use it: started for a component's lifetime,
//! its status in a signal for the banner, events handed to the app, and a resync after
//! every (re)connect.

use super::auth::Auth;
use crate::realtime::RealtimeEvent;
use crate::web::realtime::{ConnectionStatus, Realtime, RealtimeListener};
use leptos::prelude::*;
use std::rc::Rc;

/// The connection's status, in context for the banner.
#[derive(Clone, Copy)]
pub struct LiveStatus(pub RwSignal<ConnectionStatus>);

struct Listener {
    status: RwSignal<ConnectionStatus>,
    on_event: Rc<dyn Fn(RealtimeEvent)>,
    on_reconnect: Rc<dyn Fn()>,
    /// The first connect follows the page's own initial load: nothing to catch up on.
    connected_before: std::cell::Cell<bool>,
}

impl RealtimeListener for Listener {
    fn status(&self, status: ConnectionStatus) {
        self.status.set(status);
    }
    fn event(&self, event: RealtimeEvent) {
        (self.on_event)(event);
    }
    fn resync(&self) {
        if self.connected_before.replace(true) {
            (self.on_reconnect)();
        }
    }
}

/// Connects to `topics` for as long as the calling component lives (the connection
/// closes, and its timers and listeners go, when the component is disposed).
/// `on_reconnect` runs after every reconnect (not the first connect): reload from REST
/// what may have happened while offline.
pub fn use_live_connection(
    auth: &Auth,
    topics: Vec<String>,
    on_event: impl Fn(RealtimeEvent) + 'static,
    on_reconnect: impl Fn() + 'static,
) -> LiveStatus {
    let status = RwSignal::new(ConnectionStatus::Connecting);
    let listener = Rc::new(Listener {
        status,
        on_event: Rc::new(on_event),
        on_reconnect: Rc::new(on_reconnect),
        connected_before: std::cell::Cell::new(false),
    });
    let realtime = Realtime::start(auth.client.clone(), topics, listener);
    // Owned by the component: dropped (and stopped) when it is disposed.
    StoredValue::new_local(realtime);
    let live = LiveStatus(status);
    provide_context(live);
    live
}

/// A banner while the real-time connection is down; nothing while it is live.
#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let LiveStatus(status) = expect_context::<LiveStatus>();
    let text = move || match status.get() {
        ConnectionStatus::Live => None,
        ConnectionStatus::Connecting => Some(("info", "Connecting for live updates…".to_string())),
        ConnectionStatus::Reconnecting { retry_in_ms, .. } => Some((
            "warning",
            format!(
                "Offline: live updates paused. Reconnecting in {} s…",
                retry_in_ms.div_ceil(1000)
            ),
        )),
        ConnectionStatus::Stopped => Some(("warning", "Live updates are off.".to_string())),
    };
    view! {
        <div class="connection-banner" role="status" aria-live="polite"
            data-status=move || match status.get() {
                ConnectionStatus::Live => "live",
                ConnectionStatus::Connecting => "connecting",
                ConnectionStatus::Reconnecting { .. } => "reconnecting",
                ConnectionStatus::Stopped => "stopped",
            }>
            {move || text().map(|(kind, message)| view! { <div class=format!("alert {kind}")>{message}</div> })}
        </div>
    }
}
