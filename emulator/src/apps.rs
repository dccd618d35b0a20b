//! Serves the three apps' built files under `/order/`, `/barista/` and `/display/`,
//! and a start page at `/` that links to each with the settings it needs.

use axum::response::{Html, Redirect};
use axum::routing::get;
use axum::Router;
use shared::AppKind;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

pub fn router(apps_dir: &Path, base_url: &str) -> Router {
    let mut router = Router::new();
    for app in AppKind::ALL {
        let dist = apps_dir.join(app.slug()).join("dist");
        // Unknown paths under an app get its index.html, so deep links work (SPA).
        let files = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
        let with_slash = format!("/{}/", app.slug());
        router = router
            .route(
                &format!("/{}", app.slug()),
                get(move || async move { Redirect::permanent(&with_slash) }),
            )
            .nest_service(&format!("/{}/", app.slug()), files);
    }
    let page = start_page(base_url);
    router.route("/", get(move || async move { Html(page) }))
}

/// Links that open each app already configured for this emulator.
fn start_page(base_url: &str) -> String {
    let settings = crate::local::settings(base_url);
    let links: String = AppKind::ALL
        .into_iter()
        .map(|app| {
            let url = format!("{base_url}/{}/?{}", app.slug(), settings.to_query(app));
            format!(
                "<li><a href=\"{}\">{} app</a></li>",
                url.replace('&', "&amp;"),
                app.title()
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">\
         <title>Serverlesspresso emulator</title>\
         <h1>Serverlesspresso emulator</h1>\
         <p>Open an app with its settings for this emulator filled in:</p><ul>{links}</ul></html>"
    )
}
