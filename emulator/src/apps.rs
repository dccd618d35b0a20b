//! Serves the three apps' built files under `/display/`, `/barista/` and `/order/`, each
//! with the `settings.json` a deployment puts beside it (so a fresh phone needs no
//! set-up), and a start page at `/` that links to each (and, for this machine only, to
//! the local-only routes, with the run's local token).

use crate::access::LOCAL_TOKEN_PARAM;
use crate::journey::escape;
use crate::variant::Variant;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use shared::{AppKind, SettingsDraft};
use std::net::SocketAddr;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

/// The apps in the order a newcomer opens them: the board first (it hands its settings
/// to the others), then the barista's console, then a customer's phone.
pub const APPS: [AppKind; 3] = [AppKind::Display, AppKind::Barista, AppKind::Order];

/// The apps' files, and (when given) the settings each app finds beside its page; the
/// start page says how to use `variant`, and shows this machine the local-only routes
/// with `local_token`.
pub fn router(
    apps_dir: &Path,
    base_url: &str,
    settings: Option<SettingsDraft>,
    variant: &Variant,
    local_token: &str,
    least_privilege: bool,
) -> Router {
    let mut router = Router::new();
    for app in APPS {
        let dist = apps_dir.join(app.slug()).join("dist");
        // Unknown paths under an app get its index.html, so deep links work (SPA).
        let files = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
        // The headers a deployment should send (`dist/_headers`, written by `cargo xtask
        // build`): the app's Content-Security-Policy, with violations reported to this
        // emulator, and no framing, sniffing or referrer.
        let policy = crate::csp::policy_of(&dist).and_then(|p| HeaderValue::from_str(&p).ok());
        let files = SetResponseHeader::overriding(files, header::CONTENT_SECURITY_POLICY, policy);
        let files = SetResponseHeader::overriding(
            files,
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        );
        let files = SetResponseHeader::overriding(
            files,
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        let files = SetResponseHeader::overriding(
            files,
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        let with_slash = format!("/{}/", app.slug());
        // This emulator's settings, whatever a `cargo xtask aws-settings` left in the
        // dist folder; without settings, a 404 (as a host without the file answers).
        let json = settings.as_ref().map(|s| s.for_app(app).to_json());
        let settings_file = move || async move {
            match json {
                Some(json) => (
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    json,
                )
                    .into_response(),
                None => axum::http::StatusCode::NOT_FOUND.into_response(),
            }
        };
        router = router
            .route(
                &format!("/{}", app.slug()),
                get(move || async move { Redirect::permanent(&with_slash) }),
            )
            .route(
                &format!("/{}/settings.json", app.slug()),
                get(settings_file),
            )
            .nest_service(&format!("/{}/", app.slug()), files);
    }
    let for_others = start_page(base_url, variant, None, least_privilege);
    let for_this_machine = start_page(base_url, variant, Some(local_token), least_privilege);
    router.route(
        "/",
        get(move |request: Request| async move {
            let local = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|peer| peer.0.ip().to_canonical().is_loopback());
            let policy = crate::csp::page_policy(START_PAGE_STYLE);
            (
                [(header::CONTENT_SECURITY_POLICY, policy)],
                Html(if local { for_this_machine } else { for_others }),
            )
        }),
    )
}

/// The start page's only style, allowed by its hash ([`crate::csp::page_policy`]).
pub const START_PAGE_STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}";

/// Links that open each app. Every app finds this emulator's settings by itself
/// (`settings.json`); staff devices still sign in. Below, the staff hand-off links that
/// carry the settings in the address, for an app served elsewhere (`trunk serve`), one
/// set per event in E; with `local_token` (for this machine), the local-only routes.
fn start_page(
    base_url: &str,
    variant: &Variant,
    local_token: Option<&str>,
    least_privilege: bool,
) -> String {
    let hand_off_list = |event: Option<&str>| -> String {
        let settings = crate::local::with_identities(
            crate::local::settings_of(base_url, variant, event),
            least_privilege,
        );
        APPS.into_iter()
            .filter(|&app| shared::trust::takes_hand_offs(app))
            .map(|app| {
                let link = format!(
                    "{base_url}/{}/settings?{}",
                    app.slug(),
                    settings.to_query(app)
                )
                .replace('&', "&amp;");
                let title = match event {
                    Some(event) => format!("{} settings, event {event}", app.title()),
                    None => format!("{} settings", app.title()),
                };
                format!("<li><a href=\"{link}\">{title}</a></li>")
            })
            .collect()
    };
    let hand_offs: String = match variant {
        Variant::W => hand_off_list(None),
        Variant::E { events } => events.iter().map(|e| hand_off_list(Some(e))).collect(),
    };
    let (admin, _) = variant.default_admin();
    let how = match variant {
        // W's page is as it always was.
        Variant::W => String::new(),
        Variant::E { events } => format!(
            "<p>This emulator speaks variant E (the multi-event backend), events: {}. \
             The apps are set up for event <code>{}</code>.</p>\
             <ul><li>Everyone signs in with a phone number (baristas: <code>{admin}</code> unless \
             the emulator was started with other <code>--admin</code> numbers). The code is \
             \"texted\" to the emulator's log and to <code>/_local/codes/&lt;phone&gt;</code>.</li>\
             <li>Each event's store starts closed: open it from the barista console first.</li>\
             <li>Each order's journey: <code>/journey/&lt;orderId&gt;.html</code>.</li></ul>",
            events.join(", "),
            events.first().map_or("", String::as_str),
        ),
    };
    let links: String = APPS
        .into_iter()
        .map(|app| {
            format!(
                "<li><a href=\"{base_url}/{slug}/\">{title}</a>: {what}</li>",
                slug = app.slug(),
                title = app.title(),
                what = match app {
                    AppKind::Display =>
                        "the TV board with the ordering QR code (sign in as a barista)",
                    AppKind::Barista => "the barista console (sign in as a barista)",
                    AppKind::Order =>
                        "a customer's phone (scan the board's QR code, or open it here)",
                }
            )
        })
        .collect();
    let local_routes = match local_token {
        Some(token) => {
            let with_token =
                |path: &str| escape(&format!("{base_url}{path}?{LOCAL_TOKEN_PARAM}={token}"));
            format!(
                "<h2>Local-only routes, for this machine</h2>\
                 <p>Not in AWS. These links carry this run's local token; a script sends it \
                 in the <code>X-Local-Token</code> header, and POSTs JSON.</p><ul>\
                 <li><a href=\"{faults}\">The faults in force</a> (POST to change them)</li>\
                 <li><a href=\"{settings}\">The settings that reach this emulator</a></li>\
                 <li>The code sent to a user: <code>{codes}</code></li>\
                 <li>An order's events: <code>{events}</code></li></ul>",
                faults = with_token("/_local/faults"),
                settings = with_token("/_local/settings"),
                codes = with_token("/_local/codes/<username>"),
                events = with_token("/_local/orders/<orderId>/events"),
            )
        }
        None => String::new(),
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Serverlesspresso emulator</title><style>{START_PAGE_STYLE}</style>\
         <body>\
         <h1>Serverlesspresso emulator</h1>{how}\
         <p>Open the apps in this order:</p><ol>{links}</ol>\
         <h2>Settings pages, for staff</h2>\
         <p>The staff apps' settings pages, filled in for this emulator. Replace the host with another one (such as <code>trunk serve</code>'s) to set up an app served there; saving names each new host for you to confirm. The order app takes no settings from links (anyone can print one): it reads its <code>settings.json</code>.</p><ul>{hand_offs}</ul>\
         {local_routes}</body></html>"
    )
}
