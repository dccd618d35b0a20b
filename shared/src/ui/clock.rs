//! A ticking clock for countdowns and ageing timers: one interval per component,
//! cleared when the component goes.

use crate::web::now_ms;
use leptos::prelude::*;
use std::time::Duration;

/// The time now (ms), updated every `period`.
pub fn use_clock(period: Duration) -> ReadSignal<i64> {
    let (now, set_now) = signal(now_ms());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(now_ms()), period) {
        on_cleanup(move || handle.clear());
    }
    now
}
