//! The QR panel: the code customers scan, the share of its window left, the drinks left;
//! "We are making drinks!" when they run out or the window ends; closed when closed.

use super::board_page::BoardContext;
use crate::board::{qr_phase, QrPhase};
use crate::qr::QrCode;
use leptos::prelude::*;

#[component]
pub fn QrPanel() -> impl IntoView {
    let ctx = expect_context::<BoardContext>();
    let (now, bucket, store_open) = (ctx.now, ctx.bucket, ctx.store_open);
    let phase = Memo::new(move |_| qr_phase(store_open.get(), bucket.get().as_ref(), now.get()));
    let fetching = RwSignal::new(false);
    let show_debug = RwSignal::new(false);

    // A new code at each window's end, retried every second until it arrives.
    let fetch_ctx = ctx.clone();
    Effect::new(move |_| {
        // Runs every second (the clock), so a failed fetch is retried.
        now.track();
        if phase.get() != QrPhase::Loading || fetching.get_untracked() {
            return;
        }
        fetching.set(true);
        let ctx = fetch_ctx.clone();
        leptos::task::spawn_local(async move {
            let fetched = ctx.auth.send(&ctx.api.qr_code()).await;
            if let Ok(b) = fetched.and_then(|(status, body)| ctx.api.read_qr_code(status, &body)) {
                ctx.bucket.set(Some(b));
            }
            fetching.set(false);
        });
    });

    let order_app = ctx
        .settings
        .order_app
        .as_ref()
        .map(|u| u.as_str().to_string())
        .unwrap_or_default();
    let qr_text = Signal::derive(move || {
        let code = bucket
            .with(|b| b.as_ref().map(|b| b.code.clone()))
            .unwrap_or_default();
        format!("{order_app}?token={code}")
    });
    let tokens = move || bucket.with(|b| b.as_ref().map_or(0, |b| b.available_tokens));

    view! {
        <section class="display-panel qr-panel" aria-labelledby="qr-title">
            <img class="display-logo" src="icons/logo.svg" alt="Serverlesspresso"/>
            {move || match phase.get() {
                QrPhase::Closed => view! {
                    <div class="qr-closed">
                        <img src="icons/closed.svg" alt="" width="160" height="160"/>
                        <h2 id="qr-title">"The store is not taking orders right now"</h2>
                    </div>
                }.into_any(),
                QrPhase::Loading => view! {
                    <div class="qr-loading" aria-busy="true"><div class="spinner"></div><h2 id="qr-title">"Getting a new QR code…"</h2></div>
                }.into_any(),
                QrPhase::MakingDrinks { seconds_left } => view! {
                    <div class="qr-waiting">
                        <h2 id="qr-title">"We are making drinks!"</h2>
                        <div class=move || format!("ring {}", match seconds_left { ..=5 => "urgent", 6..=10 => "soon", _ => "" })
                            role="timer" aria-label="Seconds until new orders">
                            <span>{seconds_left}</span>
                        </div>
                        <p>"We will accept new orders soon."</p>
                    </div>
                }.into_any(),
                QrPhase::Showing { per_mille_left } => view! {
                    <div class="qr-showing">
                        <h2 id="qr-title">"Scan to order"</h2>
                        <button type="button" class="qr-button" on:click=move |_| show_debug.update(|d| *d = !*d)
                            aria-label="Show the code as text">
                            <QrCode text=qr_text label="QR code to order a drink"/>
                        </button>
                        <div class="qr-progress" role="progressbar" aria-label="Time left for this code"
                            aria-valuemin="0" aria-valuemax="1000" aria-valuenow=per_mille_left>
                            <div style=format!("transform: scaleX({}.{:03})", per_mille_left / 1000, per_mille_left % 1000)></div>
                        </div>
                        <p class="tokens" aria-live="polite">
                            {move || match tokens() { 1 => "1 drink remaining".to_string(), n => format!("{n} drinks remaining") }}
                        </p>
                        <Show when=move || show_debug.get()>
                            <p class="qr-debug">{move || qr_text.get()}</p>
                        </Show>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
