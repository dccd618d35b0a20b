//! The real-time connection (contract §4.1): MQTT over a browser WebSocket with
//! subprotocol `mqtt`, presigned with fresh credentials on every (re)connect, keep-alive
//! pings, reconnects with backoff capped at 8 s (reset when the page becomes visible or
//! the network comes back), and a resync signal after every connect so the app reloads
//! from REST what it may have missed.

use super::auth::AuthClient;
use super::{jitter, now_ms, random_bytes};
use crate::mqtt::{MqttOutput, MqttSession};
use crate::realtime::{parse_event, RealtimeEvent};
use crate::retry::Backoff;
use crate::sigv4;
use crate::url::{Endpoint, SchemeKind};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

/// Keep-alive period announced in CONNECT.
const KEEP_ALIVE_S: u16 = 30;

/// What the connection is doing, for the banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    Connecting,
    Live,
    /// Lost; the next attempt is in `retry_in_ms`.
    Reconnecting {
        attempt: u32,
        retry_in_ms: u32,
        reason: String,
    },
    /// Connected, but the broker refused the subscriptions to `topics`: nothing would
    /// arrive. The next attempt is in `retry_in_ms`.
    Refused {
        topics: Vec<String>,
        retry_in_ms: u32,
    },
    Stopped,
}

/// What the app hears from the connection.
pub trait RealtimeListener {
    fn status(&self, status: ConnectionStatus);
    fn event(&self, event: RealtimeEvent);
    /// Connected (again): reload state from REST, events may have been missed.
    fn resync(&self);
    /// A message could not be read: what it said is lost, so reload from REST.
    fn unreadable(&self, reason: String);
}

struct Socket {
    ws: WebSocket,
    session: MqttSession,
    // Kept alive while the socket is; dropped (and detached) with it.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

/// An event name and the handler added for it on the window or document.
type WindowListener = (&'static str, Closure<dyn FnMut()>);

struct Inner {
    auth: AuthClient,
    topics: Vec<String>,
    listener: Rc<dyn RealtimeListener>,
    socket: Option<Socket>,
    backoff: Backoff,
    /// Bumped on every connect attempt, so stale callbacks do nothing.
    generation: u32,
    stopped: bool,
    retry_timer: Option<i32>,
    tick_timer: Option<(i32, Closure<dyn FnMut()>)>,
    window_listeners: Vec<WindowListener>,
}

/// A running connection. Dropping it (or [`Realtime::stop`]) closes the socket and
/// removes every timer and listener it set.
pub struct Realtime {
    inner: Rc<RefCell<Inner>>,
}

impl Realtime {
    pub fn start(
        auth: AuthClient,
        topics: Vec<String>,
        listener: Rc<dyn RealtimeListener>,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            auth,
            topics,
            listener,
            socket: None,
            backoff: Backoff::default(),
            generation: 0,
            stopped: false,
            retry_timer: None,
            tick_timer: None,
            window_listeners: Vec::new(),
        }));
        install_window_hooks(&inner);
        connect(&inner);
        Self { inner }
    }

    pub fn stop(&self) {
        stop(&self.inner);
    }
}

impl Drop for Realtime {
    fn drop(&mut self) {
        stop(&self.inner);
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("the apps only run in a browser window")
}

fn stop(inner: &Rc<RefCell<Inner>>) {
    let listener = {
        let mut i = inner.borrow_mut();
        if i.stopped {
            return;
        }
        i.stopped = true;
        i.generation += 1;
        i.socket = None;
        if let Some(t) = i.retry_timer.take() {
            window().clear_timeout_with_handle(t);
        }
        if let Some((t, _closure)) = i.tick_timer.take() {
            window().clear_interval_with_handle(t);
        }
        let document = window().document();
        for (name, closure) in i.window_listeners.drain(..) {
            let f = closure.as_ref().unchecked_ref();
            let _ = window().remove_event_listener_with_callback(name, f);
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback(name, f);
            }
        }
        Rc::clone(&i.listener)
    };
    listener.status(ConnectionStatus::Stopped);
}

/// Going offline drops the connection at once (a socket may linger for a while before
/// the keep-alive notices); coming back online or to a visible page tries now, not
/// after the backoff.
fn install_window_hooks(inner: &Rc<RefCell<Inner>>) {
    let hooks: [(&'static str, bool); 3] = [
        ("online", false),
        ("offline", false),
        ("visibilitychange", true),
    ];
    for (name, on_document) in hooks {
        let weak = Rc::downgrade(inner);
        let closure = Closure::<dyn FnMut()>::new(move || {
            let Some(inner) = weak.upgrade() else { return };
            if inner.borrow().stopped {
                return;
            }
            if name == "offline" {
                let generation = inner.borrow().generation;
                lost(&weak, generation, "this device is offline".into());
                return;
            }
            let hidden = window().document().is_some_and(|d| d.hidden());
            let live = inner
                .borrow()
                .socket
                .as_ref()
                .is_some_and(|s| s.session.is_ready());
            if !hidden && !live {
                inner.borrow_mut().backoff.reset();
                connect(&inner);
            }
        });
        let f = closure.as_ref().unchecked_ref();
        let added = if on_document {
            window()
                .document()
                .map(|d| d.add_event_listener_with_callback(name, f))
        } else {
            Some(window().add_event_listener_with_callback(name, f))
        };
        if matches!(added, Some(Ok(()))) {
            inner.borrow_mut().window_listeners.push((name, closure));
        }
    }
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    let (generation, auth, listener) = {
        let mut i = inner.borrow_mut();
        if i.stopped {
            return;
        }
        i.generation += 1;
        i.socket = None;
        if let Some(t) = i.retry_timer.take() {
            window().clear_timeout_with_handle(t);
        }
        (i.generation, i.auth.clone(), Rc::clone(&i.listener))
    };
    listener.status(ConnectionStatus::Connecting);
    let weak = Rc::downgrade(inner);
    wasm_bindgen_futures::spawn_local(async move {
        // Fresh credentials and a fresh signature for every attempt.
        let url = match presigned_url(&auth).await {
            Ok(url) => url,
            Err(reason) => return lost(&weak, generation, reason),
        };
        let Some(inner) = weak.upgrade() else { return };
        if inner.borrow().generation != generation {
            return;
        }
        match open_socket(&inner, &url, generation) {
            Ok(socket) => inner.borrow_mut().socket = Some(socket),
            Err(reason) => lost(&weak, generation, reason),
        }
    });
}

async fn presigned_url(auth: &AuthClient) -> Result<String, String> {
    let (credentials, _expires) = auth.credentials().await.map_err(|e| e.to_string())?;
    let settings = auth.settings();
    let endpoint =
        Endpoint::parse(&settings.iot_url(), SchemeKind::WebSocket).map_err(|e| e.to_string())?;
    Ok(sigv4::presign(
        &endpoint,
        &settings.region,
        sigv4::IOT_SERVICE,
        &credentials,
        now_ms(),
        None,
    ))
}

fn client_id() -> String {
    let bytes = random_bytes::<8>();
    format!("serverlesspresso-{}", sigv4::hex(&bytes))
}

fn open_socket(inner: &Rc<RefCell<Inner>>, url: &str, generation: u32) -> Result<Socket, String> {
    let ws = WebSocket::new_with_str(url, "mqtt")
        .map_err(|_| "the WebSocket could not be opened".to_string())?;
    ws.set_binary_type(BinaryType::Arraybuffer);
    let topics = inner.borrow().topics.clone();
    let session = MqttSession::new(client_id(), topics, KEEP_ALIVE_S);

    let weak = Rc::downgrade(inner);
    let on_open = Closure::<dyn FnMut()>::new(move || {
        with_socket(&weak, generation, |socket| {
            vec![socket.session.start(now_ms())]
        });
    });
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Ok(buffer) = e.data().dyn_into::<js_sys::ArrayBuffer>() else {
            return;
        };
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        with_socket(&weak, generation, |socket| {
            socket.session.receive(&bytes, now_ms())
        });
    });
    let weak = Rc::downgrade(inner);
    let on_close = Closure::<dyn FnMut()>::new(move || {
        lost(&weak, generation, "the connection closed".into())
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
    ensure_ticking(inner);
    Ok(Socket {
        ws,
        session,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    })
}

/// One interval for the connection's life: keep-alive pings and the silence check.
fn ensure_ticking(inner: &Rc<RefCell<Inner>>) {
    if inner.borrow().tick_timer.is_some() {
        return;
    }
    let weak = Rc::downgrade(inner);
    let tick = Closure::<dyn FnMut()>::new(move || {
        let Some(inner) = weak.upgrade() else { return };
        let generation = inner.borrow().generation;
        with_socket(&weak, generation, |socket| socket.session.tick(now_ms()));
    });
    if let Ok(handle) = window()
        .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1000)
    {
        inner.borrow_mut().tick_timer = Some((handle, tick));
    }
}

/// Runs `f` on the current socket (if `generation` is still current) and carries out
/// what the session asks for.
fn with_socket(
    weak: &Weak<RefCell<Inner>>,
    generation: u32,
    f: impl FnOnce(&mut Socket) -> Vec<MqttOutput>,
) {
    let Some(inner) = weak.upgrade() else { return };
    let (outputs, ws, listener) = {
        let mut i = inner.borrow_mut();
        if i.generation != generation {
            return;
        }
        let listener = Rc::clone(&i.listener);
        let Some(socket) = i.socket.as_mut() else {
            return;
        };
        (f(socket), socket.ws.clone(), listener)
    };
    for output in outputs {
        match output {
            MqttOutput::Send(bytes) => {
                if ws.send_with_u8_array(&bytes).is_err() {
                    return lost(weak, generation, "the connection broke".into());
                }
            }
            MqttOutput::Ready => {
                inner.borrow_mut().backoff.reset();
                listener.status(ConnectionStatus::Live);
                listener.resync();
            }
            // Another event's order, on the user topic every event shares (E).
            MqttOutput::Message { payload, .. }
                if !crate::realtime::is_for_this_event(
                    &payload,
                    inner.borrow().auth.settings(),
                ) => {}
            MqttOutput::Message { topic, payload } => match parse_event(&payload) {
                Ok(event) => listener.event(event),
                // Not fatal, and not silently lost: reported, and REST fills the gap.
                Err(e) => listener.unreadable(format!("a message on {topic}: {e}")),
            },
            MqttOutput::Failed(reason) => return lost(weak, generation, reason),
            MqttOutput::Refused(topics) => return refused(weak, generation, topics),
        }
    }
}

/// The connection is gone: schedule the next attempt.
fn lost(weak: &Weak<RefCell<Inner>>, generation: u32, reason: String) {
    retry_later(weak, generation, |attempt, retry_in_ms| {
        ConnectionStatus::Reconnecting {
            attempt,
            retry_in_ms,
            reason,
        }
    });
}

/// The broker refused subscriptions: say so, close, and try again later.
fn refused(weak: &Weak<RefCell<Inner>>, generation: u32, topics: Vec<String>) {
    retry_later(weak, generation, |_, retry_in_ms| {
        ConnectionStatus::Refused {
            topics,
            retry_in_ms,
        }
    });
}

/// Drops the socket, reports `status` and connects again after the backoff.
fn retry_later(
    weak: &Weak<RefCell<Inner>>,
    generation: u32,
    status: impl FnOnce(u32, u32) -> ConnectionStatus,
) {
    let Some(inner) = weak.upgrade() else { return };
    let (delay, attempt, listener) = {
        let mut i = inner.borrow_mut();
        if i.generation != generation || i.stopped {
            return;
        }
        i.generation += 1;
        i.socket = None;
        let delay = i.backoff.next_delay_ms(jitter());
        (delay, i.backoff.attempt(), Rc::clone(&i.listener))
    };
    listener.status(status(attempt, delay));
    let weak = weak.clone();
    let retry = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            inner.borrow_mut().retry_timer = None;
            connect(&inner);
        }
    });
    let handle = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay as i32)
        .ok();
    inner.borrow_mut().retry_timer = handle;
}
