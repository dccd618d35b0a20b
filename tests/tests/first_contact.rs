//! First contact with real people and real screens: a phone that has never seen the app
//! orders in one scan; the TV board fits 720p, 1080p and 4K with a QR code readable
//! from across the room; a time-scaled emulator still shows its QR code; a phone that
//! cannot run the app is told why instead of seeing a blank page.

use anyhow::{ensure, Result};
use e2e::{eventually, eventually_within, Device, Harness, ADMIN, PHONE};
use shared::AppKind;
use std::time::Duration;

/// No customer page links to the backend settings or shows their fields.
async fn no_settings_in_sight(browser: &e2e::Browser, screen: &str) -> Result<()> {
    let found = browser
        .js("return document.querySelectorAll('a[href*=\"settings\"], [id^=\"setting-\"]').length")
        .await?;
    ensure!(found == 0, "{screen}: a customer can see backend settings");
    Ok(())
}

#[tokio::test]
async fn a_fresh_phone_orders_in_one_scan() -> Result<()> {
    let harness = Harness::start().await?;
    let code = harness.current_code().await?;
    let scanned = harness.url(&format!("/order/?token={code}"));
    // A phone that has never opened the app: an empty profile, no settings, no session.
    let phone = harness.browser(PHONE).await?;
    phone.goto(&scanned).await?;
    phone
        .wait_for_text("#auth-title", "Sign in to order")
        .await?;
    no_settings_in_sight(&phone, "sign-in").await?;
    phone.look("fresh-phone-sign-in").await?;

    phone.click_button("Create an account").await?;
    phone.fill("#auth-email", "new@example.com").await?;
    phone.fill("#auth-password", "password1").await?;
    phone.click_button("Create account").await?;
    phone
        .wait_for_text("#auth-title", "Confirm your email")
        .await?;
    ensure!(phone.url().await? == scanned, "the token is kept");

    // The customer switches to their mail app; the browser reloads the page.
    phone.reload().await?;
    phone
        .wait_for_text("#auth-title", "Confirm your email")
        .await?;
    ensure!(phone.url().await? == scanned, "the token survives a reload");
    ensure!(phone.value("#auth-email").await? == "new@example.com");
    let first_code = harness.sent_code("new@example.com");
    phone.click_button("Send a new code").await?;
    phone
        .wait_for_text(
            ".auth-card .alert.info",
            "We sent a new code to new@example.com.",
        )
        .await?;
    ensure!(
        harness.sent_code("new@example.com") != first_code,
        "a new code was sent"
    );
    phone.look("fresh-phone-confirm").await?;
    let code_sent = harness
        .sent_code("new@example.com")
        .ok_or_else(|| anyhow::anyhow!("no code was sent"))?;
    phone.fill("#auth-code", &code_sent).await?;
    phone.click_button("Confirm").await?;
    // The reload forgot the password (it is never stored): sign in with it.
    phone
        .wait_for_text(
            ".auth-card .alert.info",
            "Your email is confirmed. Sign in with your password.",
        )
        .await?;
    phone.fill("#auth-password", "password1").await?;
    phone.click_button("Sign in").await?;

    // The scanned code is spent now (unless the board moved on during the sign-up: then
    // the phone says to scan again, and the customer does).
    harness.phone_reaches_the_menu(&phone, &code).await?;
    phone.wait_for_text("#menu-title", "Choose a drink").await?;
    ensure!(
        !phone.url().await?.contains("token="),
        "the spent token leaves the address bar"
    );
    no_settings_in_sight(&phone, "menu").await?;
    phone.click_button("Latte").await?;
    phone.click_button("Order now").await?;
    phone.wait_for_text(".order-number", "#1").await?;
    phone
        .wait_for_text(".queue-position", "You're next.")
        .await?;
    no_settings_in_sight(&phone, "status").await?;
    phone.click(".app-nav a[href='/order/history']").await?;
    phone.wait_for(".history-item").await?;
    no_settings_in_sight(&phone, "history").await?;
    phone.close().await
}

/// The board at the TV sizes people have: no scrolling, no dead band, the QR code at
/// least as large as the original's (innerWidth / 4.75) and 45 % of the height.
#[tokio::test]
async fn the_tv_board_fits_every_tv() -> Result<()> {
    // Short QR windows, so more orders than one window's ten drinks can be placed.
    let harness = Harness::start_with(shared::windows::Windows {
        qr_ms: 1_500,
        ..shared::windows::Windows::AWS
    })
    .await?;
    // Enough orders to fill Preparing past its twelve cells.
    let mut orders = Vec::new();
    let mut attempt = 0;
    while orders.len() < 15 {
        attempt += 1;
        // A scan may meet the end of its window or its last drink: scan again.
        if let Ok(order) = harness
            .order(&format!("guest{attempt}"), "Flat White")
            .await
        {
            orders.push(order);
        }
        ensure!(attempt < 60, "could not place the orders");
    }
    for order in &orders[..2] {
        harness.barista_action(order, "complete").await?;
    }
    for (name, width, height) in [
        ("tv-720p", 1280, 720),
        ("tv", 1920, 1080),
        ("tv-4k", 3840, 2160),
    ] {
        let tv = harness
            .browser(Device {
                name,
                width,
                height,
                touch: false,
            })
            .await?;
        harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
        tv.wait_for_connection("live").await?;
        tv.wait_for(".qr svg").await?;
        tv.wait_for_text(".display-list.preparing .more", "+ 2 more")
            .await?;
        // Measured while the code shows (the short windows hide it for 75 ms each).
        let measure = "const d = document.documentElement, q = document.querySelector('.qr svg'); return q && [d.scrollHeight - innerHeight, d.scrollWidth - innerWidth, document.querySelector('.display-grid').getBoundingClientRect().top, q.getBoundingClientRect().width]";
        let measured = std::cell::RefCell::new(serde_json::Value::Null);
        eventually("the QR code shows", || async {
            let fit = tv.js(measure).await?;
            let shown = !fit.is_null();
            *measured.borrow_mut() = fit;
            Ok(shown)
        })
        .await?;
        let fit = measured.into_inner();
        let number = |i: usize| fit[i].as_f64().unwrap_or(f64::MAX);
        println!(
            "{name}: {width}x{height}, overflow {}x{} px, board top {} px, QR {} px",
            number(1),
            number(0),
            number(2),
            number(3)
        );
        ensure!(number(0) <= 0.0, "{name}: the board scrolls vertically");
        ensure!(number(1) <= 0.0, "{name}: the board scrolls sideways");
        ensure!(
            number(2) <= f64::from(height) * 0.03,
            "{name}: a band above the board"
        );
        let qr = number(3);
        ensure!(
            qr >= f64::from(width) / 4.75 && qr >= f64::from(height) * 0.45,
            "{name}: the QR code is {qr} px"
        );
        tv.look(&format!("display-board-{name}")).await?;
        tv.close().await?;
    }
    Ok(())
}

/// `--time-scale 60`: 5-second windows. The board shows a code within one window,
/// labelled with the time to the next one.
#[tokio::test]
async fn a_time_scaled_board_shows_its_code() -> Result<()> {
    let harness = Harness::start_with(shared::windows::Windows::scaled(60)).await?;
    let tv = harness.browser(e2e::TV).await?;
    harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
    tv.wait_for_connection("live").await?;
    eventually_within(
        Duration::from_secs(5),
        "a QR code shows within one window",
        || async {
            Ok(
                tv.text("#qr-title").await.unwrap_or_default() == "Scan to order"
                    && tv.wait_for(".qr svg").await.is_ok(),
            )
        },
    )
    .await?;
    tv.wait_for_text_containing(".qr-countdown", "New code in 0:0")
        .await?;
    tv.close().await
}

/// The QR code is drawn once per code, not once a second with the countdown (a redraw
/// would flicker on a TV and lose a staff member's keyboard focus).
#[tokio::test]
async fn the_qr_code_is_not_redrawn_as_the_countdown_moves() -> Result<()> {
    let harness = Harness::start().await?;
    let tv = harness.browser(e2e::TV).await?;
    harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
    tv.wait_for_qr_code().await?;
    tv.wait_for(".qr svg").await?;
    tv.js("window.firstQr = document.querySelector('.qr svg'); window.firstProgress = document.querySelector('.qr-progress').getAttribute('aria-valuenow');")
        .await?;
    eventually("the countdown moves", || async {
        Ok(tv
            .js("return document.querySelector('.qr-progress').getAttribute('aria-valuenow') !== window.firstProgress")
            .await?
            == true)
    })
    .await?;
    ensure!(
        tv.js("return document.querySelector('.qr svg') === window.firstQr")
            .await?
            == true,
        "the QR code was redrawn"
    );
    tv.close().await
}

/// A phone whose browser has no WebAssembly (Safari in Lockdown Mode, a very old browser)
/// is told which browser to use, and one whose download of the app failed is told to
/// reload: never a blank page.
#[tokio::test]
async fn a_phone_that_cannot_run_the_app_is_told_why() -> Result<()> {
    let harness = Harness::start().await?;
    // Without a JIT V8 has no WebAssembly, as Safari has none in Lockdown Mode.
    let phone = harness
        .browser_with(PHONE, &["--js-flags=--jitless"])
        .await?;
    ensure!(
        phone.js("return typeof WebAssembly").await? == "undefined",
        "this browser still has WebAssembly"
    );
    phone.goto(&harness.url("/order/")).await?;
    phone
        .wait_for_text_containing(".boot-failure", "cannot run in this browser")
        .await?;
    phone.look("order-without-webassembly").await?;
    phone.close().await?;

    // WebAssembly, but older than the build's features (Safari 14, Chrome 90): the
    // engine refuses to compile the probe, as it would the app.
    let phone = harness.browser(PHONE).await?;
    phone
        .before_each_page("WebAssembly.validate = () => false;")
        .await?;
    phone.goto(&harness.url("/order/")).await?;
    phone
        .wait_for_text_containing(".boot-failure", "Safari 15 or later")
        .await?;
    ensure!(
        !phone.shows("#auth-title, #menu-title").await?,
        "an app started in a browser that cannot run it"
    );
    phone.close().await?;

    let phone = harness.browser(PHONE).await?;
    phone.cdp("Network.enable", serde_json::json!({})).await?;
    phone
        .cdp(
            "Network.setBlockedURLs",
            serde_json::json!({"urls": ["*.wasm"]}),
        )
        .await?;
    phone.goto(&harness.url("/order/")).await?;
    phone
        .wait_for_text_containing(".boot-failure", "Reload the page to try again")
        .await?;
    phone.look("order-did-not-load").await?;
    phone.close().await
}
