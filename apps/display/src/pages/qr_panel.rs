//! The QR panel: the code customers scan, the time until the next one, the drinks left;
//! "We are making drinks!" when they run out or the window closes; closed when closed.

use crate::board::{qr_phase, QrPhase};
use crate::context::BoardContext;
use crate::qr::QrCode;
use crate::text::Text;
use leptos::prelude::*;
use shared::api::ApiError;
use shared::i18n::Message;
use shared::model::Bucket;
use shared::text::Explain;
use shared::ui::{t, use_i18n};
use shared::web::now_ms;
use std::time::Duration;

/// What the panel shows, without the numbers that change every second: the panel is
/// rebuilt only when this changes, so the QR code is not redrawn each second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shows {
    Closed,
    Loading,
    MakingDrinks,
    Code,
}

/// `m:ss`.
fn clock_text(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[component]
pub fn QrPanel() -> impl IntoView {
    let ctx = expect_context::<BoardContext>();
    let live = ctx.live;
    let now = live.now;
    let store_open = Memo::new(move |_| live.model.with(|m| m.store_open));

    // A code is fetched when the one shown has ended (or there is none yet), again a
    // second later while a fetch fails or still answers the window that just ended, and
    // after a resync (token counts announced while offline were missed). The key changes
    // only then, so the fetch runs once per window.
    let retry = RwSignal::new(0u32);
    // When the last code fetched ends.
    let shown_until = RwSignal::new(None::<i64>);
    let resyncs = Memo::new(move |_| live.model.with(|m| m.resyncs));
    let wanted = Memo::new(move |previous: Option<&Option<(i64, u32, u32)>>| {
        let ended = match shown_until.get() {
            None => Some(0),
            Some(end) => (now.get() > end).then_some(end),
        };
        match (
            store_open.get() != Some(false),
            ended,
            previous.copied().flatten(),
        ) {
            (true, Some(end), _) => Some((end, retry.get(), resyncs.get())),
            (true, None, Some((end, retry, _))) => Some((end, retry, resyncs.get())),
            (_, _, previous) => previous,
        }
    });
    let (api, auth) = (ctx.api.clone(), ctx.auth.clone());
    let fetched: LocalResource<Option<Result<Bucket, ApiError>>> = LocalResource::new(move || {
        let (wanted, api, auth) = (wanted.get(), api.clone(), auth.clone());
        async move {
            wanted?;
            let answer = auth.call(api.qr_code()).await;
            if let Ok(bucket) = &answer {
                shown_until.try_set(Some(bucket.end_ts));
            }
            if answer.as_ref().map_or(true, |b| b.end_ts < now_ms()) {
                set_timeout(
                    move || {
                        retry.try_update(|r| *r += 1);
                    },
                    Duration::from_secs(1),
                );
            }
            Some(answer)
        }
    });
    let fetch_error = move || fetched.get().flatten().and_then(Result::err);
    let bucket: Memo<Option<Bucket>> = Memo::new(move |_| {
        let latest = fetched.get().flatten().and_then(Result::ok);
        live.model.with(|m| m.shown_bucket(latest))
    });
    let phase = Memo::new(move |_| qr_phase(store_open.get(), bucket.get().as_ref(), now.get()));
    let shows = Memo::new(move |_| match phase.get() {
        QrPhase::Closed => Shows::Closed,
        QrPhase::Loading => Shows::Loading,
        QrPhase::MakingDrinks { .. } => Shows::MakingDrinks,
        QrPhase::Showing { .. } => Shows::Code,
    });

    let settings = ctx.settings.clone();
    let qr_text = Signal::derive(move || {
        let code = bucket
            .with(|b| b.as_ref().map(|b| b.code.clone()))
            .unwrap_or_default();
        settings.order_link(&code).unwrap_or_default()
    });
    let tokens = move || bucket.with(|b| b.as_ref().map_or(0, |b| b.available_tokens));
    let show_debug = RwSignal::new(false);
    let (per_mille, ms_left) = (
        move || match phase.get() {
            QrPhase::Showing { per_mille_left, .. } => per_mille_left,
            _ => 0,
        },
        move || match phase.get() {
            QrPhase::Showing { ms_left, .. } => ms_left,
            _ => 0,
        },
    );
    let i18n = use_i18n();
    let seconds_left = move || match phase.get() {
        QrPhase::MakingDrinks { seconds_left } => seconds_left,
        _ => 0,
    };

    view! {
        <section class="display-panel qr-panel" aria-labelledby="qr-title">
            <div class="display-brand">
                <img class="display-logo" src="icons/logo.svg" alt=""/>
                <span translate="no">"Serverlesspresso"</span>
            </div>
            {move || match shows.get() {
                Shows::Closed => view! {
                    <div class="qr-closed">
                        <img src="icons/closed.svg" alt="" class="qr-state-icon"/>
                        <h2 id="qr-title">{t(Text::Closed)}</h2>
                        <p>{t(Text::ComeBackSoon)}</p>
                    </div>
                }.into_any(),
                Shows::Loading => view! {
                    <div class="qr-loading" aria-busy="true">
                        <div class="spinner" aria-hidden="true"></div>
                        <h2 id="qr-title">{t(Text::GettingCode)}</h2>
                        {move || fetch_error().map(|e: ApiError| view! {
                            <p class="qr-error" role="alert">{move || i18n.say(Text::TryingEverySecond.with("why", i18n.say(e.explain())))}</p>
                        })}
                    </div>
                }.into_any(),
                Shows::MakingDrinks => view! {
                    <div class="qr-waiting">
                        <h2 id="qr-title">{t(Text::MakingDrinks)}</h2>
                        <div class=move || format!("ring {}", match seconds_left() { ..=5 => "urgent", 6..=10 => "soon", 11..=59 => "", _ => "long" })
                            role="timer" aria-label=t(Text::TimeUntilOrders)>
                            <span>{move || match seconds_left() {
                                s @ ..=59 => s.to_string(),
                                s => clock_text(s * 1000),
                            }}</span>
                        </div>
                        <p>{t(Text::AcceptSoon)}</p>
                    </div>
                }.into_any(),
                Shows::Code => view! {
                    <div class="qr-showing">
                        <h2 id="qr-title">{t(Text::ScanToOrder)}</h2>
                        <button type="button" class="qr-button" on:click=move |_| show_debug.update(|d| *d = !*d)
                            aria-label=t(Text::ShowLink)>
                            <QrCode text=qr_text label=t(Text::QrLabel)/>
                        </button>
                        <div class="qr-progress" role="progressbar" aria-labelledby="qr-countdown"
                            aria-valuemin="0" aria-valuemax="1000" aria-valuenow=per_mille>
                            <div style:transform=move || { let pm = per_mille(); format!("scaleX({}.{:03})", pm / 1000, pm % 1000) }></div>
                        </div>
                        <p id="qr-countdown" class="qr-countdown">{move || i18n.say(Text::NewCodeIn.with("time", clock_text(ms_left())))}</p>
                        <p class="tokens" aria-live="polite">
                            {move || i18n.say(Text::DrinksLeft.count(tokens()))}
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
