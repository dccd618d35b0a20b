//! What keeps a device safe at a public event, as a browser shows it: signing out ends
//! the session for good, the service worker keeps nothing but the app's own files, and
//! each app's pages carry the headers that stop framing and sniffing.
//! (Forged settings links: `settings.rs`; the policy against injected scripts is checked
//! on every screen the tests look at: `Browser::look`.)

use anyhow::{ensure, Context, Result};
use e2e::{device_for, eventually, Browser, Harness, ADMIN, IPAD, PHONE};
use shared::AppKind;

/// The session this browser keeps (the JSON of the one `.session.` key), if any.
async fn stored_session(browser: &Browser) -> Result<Option<serde_json::Value>> {
    let found = browser
        .js("const k = Object.keys(localStorage).find(k => k.includes('.session.')); return k ? localStorage.getItem(k) : null")
        .await?;
    Ok(match found.as_str() {
        Some(json) => Some(serde_json::from_str(json)?),
        None => None,
    })
}

/// The attack: a refresh token copied off a device (or left in a shared browser) keeps
/// a barista signed in for 30 days. Signing out revokes it at Cognito and deletes every
/// token and identity the app kept.
#[tokio::test]
async fn signing_out_ends_the_session_for_good() -> Result<()> {
    let harness = Harness::start().await?;
    let ipad = harness.browser(IPAD).await?;
    harness.sign_in_to(&ipad, AppKind::Barista, ADMIN).await?;
    ipad.wait_for_connection("live").await?;
    let session = stored_session(&ipad)
        .await?
        .context("a session is kept while signed in")?;
    let refresh_token = session["refresh_token"]
        .as_str()
        .context("the session has a refresh token")?
        .to_string();
    ensure!(
        ipad.js("return Object.keys(localStorage).some(k => k.includes('.identity.'))")
            .await?
            == true,
        "an identity is kept while connected"
    );

    ipad.click_button("Sign out").await?;
    ipad.wait_for_text("#auth-title", "Sign in").await?;
    ensure!(
        stored_session(&ipad).await?.is_none(),
        "the session is gone"
    );
    ensure!(
        ipad.js("return Object.keys(localStorage).filter(k => k.includes('.session.') || k.includes('.identity.')).length")
            .await?
            == 0,
        "no token or identity is left in the browser"
    );
    // The copy is worth nothing: Cognito refuses it.
    let client = harness.client();
    eventually("the refresh token is revoked", || async {
        let answer = client
            .call(shared::cognito::refresh(&client.settings, &refresh_token))
            .await?;
        Ok(answer.is_err_and(|e| e.message == "Refresh Token has been revoked"))
    })
    .await?;
    ipad.close().await
}

/// The attack: an answer in the app's scope that is not one of its files (an API on the
/// same host, a request carrying a token) kept by the service worker, and so readable
/// by anyone using the device later, offline. Only the app's static files are kept.
#[tokio::test]
async fn the_service_worker_keeps_only_the_apps_own_files() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness.browser(PHONE).await?;
    harness.open(&phone, AppKind::Order).await?;
    phone.wait_for_service_worker().await?;
    phone.wait_for("#auth-title").await?;
    let probe = r#"
        const done = arguments[arguments.length - 1];
        (async () => {
            // A request with a token, to a file the worker would otherwise keep.
            await fetch('settings.json?probe=token', { headers: { Authorization: 'Bearer secret' } });
            // Something in scope that is not a file of the app (the host answers it).
            await fetch('not-a-file-of-the-app.json');
            const kept = [];
            for (const name of await caches.keys())
                for (const r of await (await caches.open(name)).keys()) kept.push(r.url);
            return kept;
        })().then(done, e => done(['failed: ' + e]));
    "#;
    let kept: Vec<String> =
        serde_json::from_value(phone.client.execute_async(probe, vec![]).await?)?;
    ensure!(
        !kept.iter().any(|u| u.contains("probe=token")),
        "a request with Authorization was kept: {kept:?}"
    );
    ensure!(
        !kept.iter().any(|u| u.contains("not-a-file-of-the-app")),
        "an answer that is no file of the app was kept: {kept:?}"
    );
    // What the worker is for still works: the app's code is kept.
    eventually("the app's own files are kept", || async {
        let kept: Vec<String> =
            serde_json::from_value(phone.client.execute_async(probe, vec![]).await?)?;
        Ok(kept.iter().any(|u| u.ends_with(".wasm")))
    })
    .await?;
    phone.close().await
}

/// Every app's page comes with its Content-Security-Policy as a header too (with what a
/// `<meta>` cannot say: no framing), and without sniffing or a referrer.
#[tokio::test]
async fn every_page_is_served_with_its_policy_and_no_framing() -> Result<()> {
    let harness = Harness::start().await?;
    for app in AppKind::ALL {
        let page = reqwest::get(harness.url(&format!("/{}/", app.slug()))).await?;
        let header = |name: &str| {
            page.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let policy = header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
        ] {
            ensure!(
                policy.contains(directive),
                "{app:?}: {directive} in {policy}"
            );
        }
        ensure!(!policy.contains("unsafe-inline"), "{app:?}: {policy}");
        ensure!(header("x-frame-options") == "DENY");
        ensure!(header("x-content-type-options") == "nosniff");
        let html = page.text().await?;
        ensure!(
            html.contains("<meta http-equiv=\"Content-Security-Policy\""),
            "{app:?}: the page carries its policy itself, for hosts that send no headers"
        );
        // And the page works under it: the first screen shows, with no violation.
        let browser = harness.browser(device_for(app)).await?;
        harness.open(&browser, app).await?;
        browser
            .no_csp_violations(&format!("{}-sign-in", app.slug()))
            .await?;
        browser.close().await?;
    }
    Ok(())
}
