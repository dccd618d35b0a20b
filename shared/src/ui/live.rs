//! Live screens: a [`LiveModel`] loaded from REST, kept current by the real-time
//! connection, aged by the clock and resynced after every reconnect, with the connection
//! banner and load errors. Each page calls [`use_live_model`] and only renders.

use super::alert::{Alert, AlertKind, Announce};
use super::auth::Auth;
use super::feedback::ErrorNotice;
use crate::api::{Api, ApiError};
use crate::i18n::Message;
use crate::live::{BoardSnapshot, LiveModel};
use crate::model::OrderState;
use crate::realtime::RealtimeEvent;
use crate::retry::Backoff;
use crate::text::{Common, Explain};
use crate::web::now_ms;
use crate::web::realtime::{ConnectionStatus, Realtime, RealtimeListener};
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// What [`use_live_model`] keeps live and where it listens. Both are needed: there is
/// no sensible model or topic to start from but the page's own.
pub struct UseLiveModelOptions<M> {
    /// The model before the first load answers (what the page shows meanwhile).
    pub initial: M,
    /// The real-time topics whose events move the model on (named by
    /// [`crate::realtime`]: `admin_topic`, `config_topic`, `user_topic`).
    pub topics: Vec<String>,
}

/// A live model and what goes with it, for the page that renders it: what
/// [`use_live_model`] returns. `Copy`, so a page may keep it in its own context.
pub struct Live<M: Send + Sync + 'static> {
    pub model: RwSignal<M>,
    /// The time, updated each second (the model has just been aged to it).
    pub now: ReadSignal<i64>,
    /// The connection and the loads, for [`LiveNotices`].
    pub status: LiveStatus,
}

impl<M: Send + Sync + 'static> Clone for Live<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Send + Sync + 'static> Copy for Live<M> {}

impl<M: Send + Sync + 'static> Live<M> {
    /// Loads from REST again and merges the answer into the model.
    pub fn reload(&self) {
        self.status.reload();
    }

    /// A load is on its way.
    pub fn loading(&self) -> bool {
        self.status.loading()
    }
}

/// How a live page's data is doing: the real-time connection, the last load's error and
/// how many real-time messages could not be read. [`LiveNotices`] shows it.
#[derive(Clone, Copy)]
pub struct LiveStatus {
    pub connection: ReadSignal<ConnectionStatus>,
    /// Why the last load failed; `None` once one succeeds.
    pub load_error: ReadSignal<Option<ApiError>>,
    /// Real-time messages that could not be read (each one reloaded from REST).
    pub unreadable: ReadSignal<u32>,
    reload: Action<(), ()>,
}

impl LiveStatus {
    /// Loads from REST again and merges the answer into the model.
    pub fn reload(&self) {
        self.reload.dispatch(());
    }

    /// A load is on its way.
    pub fn loading(&self) -> bool {
        self.reload.pending().get()
    }
}

/// The load of the barista's board and the TV: three requests side by side.
pub async fn load_board(api: Api, auth: Auth) -> Result<BoardSnapshot, ApiError> {
    let (open, completed, config) = futures::join!(
        auth.call(api.orders(&OrderState::Created, None)),
        auth.call(api.orders(&OrderState::Completed, None)),
        auth.call(api.config()),
    );
    let (open, completed) = (open?, completed?);
    Ok(BoardSnapshot {
        unreadable: open.unreadable + completed.unreadable,
        open: open.orders,
        completed: completed.orders,
        store_open: config?.store.store_open,
    })
}

/// Keeps a [`LiveModel`] live for as long as the calling component lives: `load` runs
/// now, after every reconnect and when the page comes back into view (its answer merged into the model, a failure tried
/// again with backoff), events on the `topics` are applied as they arrive, and the model
/// is aged once a second. Returns the [`Live`] handle; the page renders from it, shows
/// [`LiveNotices`] with its `status`, and provides it in its own context if its parts
/// need it.
///
/// # Example
///
/// A page of the orders waiting to be made, loaded with [`load_board`] and kept current
/// by the staff topics. (`no_run`: the hook needs a browser.)
///
/// ```no_run
/// use leptos::prelude::*;
/// use shared::api::Api;
/// use shared::live::{BoardSnapshot, LiveModel};
/// use shared::realtime::{admin_topic, config_topic, RealtimeEvent};
/// use shared::ui::{load_board, use_live_model, Auth, LiveNotices, UseLiveModelOptions};
/// use shared::Settings;
///
/// /// How many orders are open.
/// #[derive(Clone)]
/// struct Waiting(usize);
///
/// impl LiveModel for Waiting {
///     type Snapshot = BoardSnapshot;
///     fn merge(&mut self, snapshot: BoardSnapshot, _now_ms: i64) {
///         self.0 = snapshot.open.len();
///     }
///     fn apply(&mut self, event: &RealtimeEvent, _now_ms: i64) -> bool {
///         // A real model moves on here; this one waits for the next load.
///         let _ = event;
///         false
///     }
/// }
///
/// #[component]
/// fn WaitingPage() -> impl IntoView {
///     let settings = expect_context::<Settings>();
///     let auth = expect_context::<Auth>();
///     let load = {
///         let (api, auth) = (Api::new(&settings), auth.clone());
///         move || load_board(api.clone(), auth.clone())
///     };
///     let live = use_live_model(
///         &auth,
///         load,
///         UseLiveModelOptions {
///             initial: Waiting(0),
///             topics: vec![admin_topic(&settings), config_topic(&settings)],
///         },
///     );
///     view! {
///         <LiveNotices status=live.status/>
///         <p>{move || live.model.with(|w| w.0)} " orders waiting"</p>
///     }
/// }
/// ```
pub fn use_live_model<M, L, Fut>(auth: &Auth, load: L, options: UseLiveModelOptions<M>) -> Live<M>
where
    M: LiveModel + Send + Sync,
    L: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<M::Snapshot, ApiError>> + 'static,
{
    let UseLiveModelOptions { initial, topics } = options;
    // The reload, for the retry timer that the reload itself sets.
    let reload_slot = StoredValue::new(None::<Action<(), ()>>);
    let model = RwSignal::new(initial);
    let load_error = RwSignal::new(None::<ApiError>);
    let unreadable = RwSignal::new(0u32);
    // A failed load is tried again by itself, with backoff (0.5 s doubling to 8 s), so a
    // page converges on what REST says soon after the network or the backend is back.
    let backoff = StoredValue::new(Backoff::default());
    let retry = StoredValue::new(None::<TimeoutHandle>);
    let reload = Action::new_local(move |_: &()| {
        let answer = load();
        async move {
            let result = answer.await;
            if let Some(pending) = retry.try_update_value(Option::take).flatten() {
                pending.clear();
            }
            match result {
                Ok(snapshot) => {
                    model.update(|m| m.merge(snapshot, now_ms()));
                    load_error.set(None);
                    backoff.update_value(Backoff::reset);
                }
                // Signed out: the page goes; nothing to try again.
                Err(ApiError::Unauthorized) => load_error.set(Some(ApiError::Unauthorized)),
                Err(e) => {
                    load_error.set(Some(e));
                    let delay = backoff
                        .try_update_value(|b| b.next_delay_ms(crate::web::jitter()))
                        .unwrap_or(8_000);
                    let handle = set_timeout_with_handle(
                        move || {
                            if let Some(reload) = reload_slot.get_value() {
                                reload.dispatch(());
                            }
                        },
                        Duration::from_millis(u64::from(delay)),
                    );
                    retry.try_set_value(handle.ok());
                }
            }
        }
    });
    reload_slot.set_value(Some(reload));
    on_cleanup(move || {
        if let Some(pending) = retry.try_update_value(Option::take).flatten() {
            pending.clear();
        }
    });
    reload.dispatch(());

    // One clock for the page: the model ages with it, subscribers hear only when
    // something went.
    let (now, set_now) = signal(now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let now = now_ms();
            set_now.set(now);
            model.maybe_update(|m| m.expire(now));
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    // Back from the background (a phone unlocked, a tab brought to the front): what
    // happened meanwhile comes from REST at once, whether or not the connection noticed
    // it was gone (iOS suspends a hidden tab's socket without closing it).
    let visible = super::use_page_visible();
    Effect::new(move |was_visible: Option<bool>| {
        let visible = visible.get();
        if was_visible == Some(false) && visible && !reload.pending().get_untracked() {
            reload.dispatch(());
        }
        visible
    });

    let connection = use_live_connection(
        auth,
        topics,
        move |event| model.maybe_update(|m| m.apply(&event, now_ms())),
        // Catch up on what happened while offline, or what a message could not say.
        move |why| {
            if let Resync::Unreadable(reason) = why {
                crate::ui::browser::warn(&format!("reloading: unreadable {reason}"));
                unreadable.update(|n| *n += 1);
            }
            reload.dispatch(());
        },
    );
    Live {
        model,
        now,
        status: LiveStatus {
            connection: connection.read_only(),
            load_error: load_error.read_only(),
            unreadable: unreadable.read_only(),
            reload,
        },
    }
}

/// The connection banner and the last load's error (with "Try again") of a live page:
/// `<LiveNotices status=live.status/>`.
#[component]
pub fn LiveNotices(status: LiveStatus) -> impl IntoView {
    let load_error = status.load_error;
    view! {
        <ConnectionBanner status/>
        {move || load_error.get().map(|e| view! {
            <ErrorNotice message=super::t(e.explain()) on_retry=Callback::new(move |()| status.reload())/>
        })}
    }
}

/// Why the page reloads from REST.
enum Resync {
    /// Connected again after the first connect.
    Reconnected,
    /// A message could not be read.
    Unreadable(String),
}

struct Listener {
    status: RwSignal<ConnectionStatus>,
    on_event: Rc<dyn Fn(RealtimeEvent)>,
    on_resync: Rc<dyn Fn(Resync)>,
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
            (self.on_resync)(Resync::Reconnected);
        }
    }
    fn unreadable(&self, reason: String) {
        (self.on_resync)(Resync::Unreadable(reason));
    }
}

/// Connects to `topics` for as long as the calling component lives (the connection
/// closes, and its timers and listeners go, when the component is disposed).
/// `on_resync` runs after every reconnect (not the first connect) and after an
/// unreadable message: reload from REST what may have been missed.
fn use_live_connection(
    auth: &Auth,
    topics: Vec<String>,
    on_event: impl Fn(RealtimeEvent) + 'static,
    on_resync: impl Fn(Resync) + 'static,
) -> RwSignal<ConnectionStatus> {
    let status = RwSignal::new(ConnectionStatus::Connecting);
    let listener = Rc::new(Listener {
        status,
        on_event: Rc::new(on_event),
        on_resync: Rc::new(on_resync),
        connected_before: std::cell::Cell::new(false),
    });
    let realtime = Realtime::start(auth.client.clone(), topics, listener);
    // Owned by the component: dropped (and stopped) when it is disposed.
    StoredValue::new_local(realtime);
    status
}

/// A banner while the real-time connection is down; nothing while it is live.
#[component]
pub fn ConnectionBanner(status: LiveStatus) -> impl IntoView {
    let LiveStatus {
        connection,
        unreadable,
        ..
    } = status;
    let i18n = super::use_i18n();
    let alert = move || match connection.get() {
        ConnectionStatus::Live => None,
        ConnectionStatus::Connecting => Some((AlertKind::Info, i18n.say(Common::LiveConnecting))),
        ConnectionStatus::Refused { retry_in_ms, .. } => Some((
            AlertKind::Warning,
            i18n.say(Common::LiveRefused.with("s", retry_in_ms.div_ceil(1000))),
        )),
        ConnectionStatus::Reconnecting { retry_in_ms, .. } => Some((
            AlertKind::Warning,
            i18n.say(Common::LiveReconnecting.with("s", retry_in_ms.div_ceil(1000))),
        )),
        ConnectionStatus::Stopped => Some((AlertKind::Warning, i18n.say(Common::LiveStopped))),
    };
    // The banner is the live region: the alert inside has no role of its own.
    view! {
        <div class="connection-banner" role="status" aria-live="polite"
            data-unreadable=move || unreadable.get()
            data-status=move || match connection.get() {
                ConnectionStatus::Live => "live",
                ConnectionStatus::Connecting => "connecting",
                ConnectionStatus::Reconnecting { .. } => "reconnecting",
                ConnectionStatus::Refused { .. } => "refused",
                ConnectionStatus::Stopped => "stopped",
            }>
            {move || alert().map(|(kind, message)| view! { <Alert kind announce=Announce::Off>{message}</Alert> })}
        </div>
    }
}
