//! What a device at the bar needs: the screen kept on, and a chime for new orders.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn request_wake_lock() {
    // `navigator.wakeLock.request("screen")`, looked up dynamically: the API is not in
    // every browser (nor in web-sys's stable set), and without it the screen just sleeps.
    let Some(navigator) = window().map(|w| w.navigator()) else {
        return;
    };
    let Ok(wake_lock) = js_sys::Reflect::get(&navigator, &JsValue::from_str("wakeLock")) else {
        return;
    };
    let Ok(request) = js_sys::Reflect::get(&wake_lock, &JsValue::from_str("request")) else {
        return;
    };
    if let Some(request) = request.dyn_ref::<js_sys::Function>() {
        // A refusal (battery saver, not visible) is fine: the next visibility change retries.
        let _ = request.call1(&wake_lock, &JsValue::from_str("screen"));
    }
}

/// Keeps the screen awake while it lives, re-asking whenever the page becomes visible
/// again (browsers drop the lock when it is hidden).
pub struct ScreenAwake {
    on_visible: Closure<dyn FnMut()>,
}

impl ScreenAwake {
    pub fn start() -> Self {
        request_wake_lock();
        let on_visible = Closure::<dyn FnMut()>::new(|| {
            if window()
                .and_then(|w| w.document())
                .is_some_and(|d| !d.hidden())
            {
                request_wake_lock();
            }
        });
        if let Some(document) = window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visible.as_ref().unchecked_ref(),
            );
        }
        Self { on_visible }
    }
}

impl Drop for ScreenAwake {
    fn drop(&mut self) {
        if let Some(document) = window().and_then(|w| w.document()) {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                self.on_visible.as_ref().unchecked_ref(),
            );
        }
    }
}

/// A short two-note chime, synthesised (no sound file to load). Browsers only allow
/// sound after a tap: create it from a click handler to unlock it.
pub struct Chime {
    context: web_sys::AudioContext,
}

impl Chime {
    pub fn new() -> Option<Self> {
        web_sys::AudioContext::new()
            .ok()
            .map(|context| Self { context })
    }

    pub fn play(&self) {
        let start = self.context.current_time();
        for (i, frequency) in [880.0_f32, 1318.5].into_iter().enumerate() {
            let (Ok(oscillator), Ok(gain)) =
                (self.context.create_oscillator(), self.context.create_gain())
            else {
                return;
            };
            oscillator.frequency().set_value(frequency);
            let at = start + i as f64 * 0.18;
            let _ = gain.gain().set_value_at_time(0.0001, at);
            let _ = gain
                .gain()
                .exponential_ramp_to_value_at_time(0.3, at + 0.02);
            let _ = gain
                .gain()
                .exponential_ramp_to_value_at_time(0.0001, at + 0.5);
            let _ = oscillator.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&self.context.destination());
            let _ = oscillator.start_with_when(at);
            let _ = oscillator.stop_with_when(at + 0.55);
        }
    }
}
