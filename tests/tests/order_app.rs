//! The order app on a phone: sign up, scan, choose, follow the order live, and keep
//! following it across a dropped connection.

use anyhow::{ensure, Result};
use e2e::{Browser, Harness, PHONE};
use shared::AppKind;

/// Opens the app as a new phone would, creates an account and signs in. Returns the
/// email.
async fn set_up_and_sign_up(harness: &Harness, browser: &Browser, name: &str) -> Result<String> {
    harness.open(browser, AppKind::Order).await?;
    browser
        .wait_for_text("#auth-title", "Sign in to order")
        .await?;
    browser.look("order-sign-in").await?;
    browser.click_button("Create an account").await?;
    browser
        .wait_for_text("#auth-title", "Create an account")
        .await?;
    browser.look("order-create-account").await?;
    let email = format!("{name}@example.com");
    browser.fill("#auth-email", &email).await?;
    browser.fill("#auth-password", "short").await?;
    browser.click_button("Create account").await?;
    browser
        .wait_for_text(
            ".auth-card .alert.error",
            "Choose a password of at least 6 characters.",
        )
        .await?;
    browser.fill("#auth-password", "password1").await?;
    browser.click_button("Create account").await?;
    browser
        .wait_for_text("#auth-title", "Confirm your email")
        .await?;
    browser.look("order-confirm-email").await?;
    let code = harness
        .sent_code(&email)
        .ok_or_else(|| anyhow::anyhow!("no code was sent"))?;
    browser.fill("#auth-code", &code).await?;
    browser.click_button("Confirm").await?;
    browser
        .wait_for_text("#notice-title", "Scan the QR code to order")
        .await?;
    Ok(email)
}

/// Scans the QR code, picks a Latte and orders; returns the order id. It is the bar's
/// first order, so it is #1.
async fn order_a_latte(harness: &Harness, browser: &Browser) -> Result<String> {
    order_latte_numbered(harness, browser, 1).await
}

async fn order_latte_numbered(harness: &Harness, browser: &Browser, number: u32) -> Result<String> {
    harness.phone_scans(browser).await?;
    browser
        .wait_for_text("#menu-title", "Choose a drink")
        .await?;
    let since_navigation = browser.js("return performance.now()").await?;
    println!(
        "page load to menu: {:.0} ms (within 25 ms polling)",
        since_navigation.as_f64().unwrap_or(0.0)
    );
    ensure!(
        !browser.url().await?.contains("token="),
        "the token is removed from the address bar"
    );
    browser.look("order-menu").await?;
    browser.click_button("Latte").await?;
    browser
        .wait_for_text(".order-summary .drink-line", "Latte")
        .await?;
    browser.click_button("Order now").await?;
    browser
        .wait_for_text(".order-number", &format!("#{number}"))
        .await?;
    browser
        .wait_for_text_containing("#status-title", "In the queue")
        .await?;
    Ok(browser
        .attr(".status", "data-order")
        .await?
        .unwrap_or_default())
}

#[tokio::test]
async fn sign_up_scan_order_and_follow_it_to_ready() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "ana").await?;
    browser.wait_for_connection("live").await?;
    browser.look("order-scan").await?;

    // Somebody ordered first: the waiting screen says one order is ahead.
    let first = harness.order("early", "Latte").await?;
    let order_id = order_latte_numbered(&harness, &browser, 2).await?;
    browser
        .wait_for_text(".queue-position", "1 order ahead of you.")
        .await?;
    browser.look("order-queued").await?;
    harness.barista_action(&first, "complete").await?;
    harness.barista_action(&order_id, "make").await?;
    browser
        .wait_for_text_containing("#status-title", "Being made")
        .await?;
    browser.look("order-being-made").await?;
    harness.barista_action(&order_id, "complete").await?;
    browser
        .wait_for_text_containing("#status-title", "Ready — collect it at the bar")
        .await?;
    browser
        .wait_for_text(".status .drink-line", "Latte")
        .await?;
    ensure!(
        !browser.text(".status").await?.contains("Completed"),
        "one word for a finished order: ready"
    );
    browser.look("order-ready").await?;

    // One coffee a day: Next shows the limit with a countdown to midnight.
    browser.click_button("Next").await?;
    browser
        .wait_for_text("#notice-title", "You've had your coffee today")
        .await?;
    browser.look("order-limit").await?;

    browser.click(".app-nav a[href='/order/history']").await?;
    browser.wait_for_text(".history-item h2", "Latte").await?;
    browser
        .wait_for_text(".history-item .badge", "Ready")
        .await?;
    browser.look("order-history").await?;
    browser.close().await
}

#[tokio::test]
async fn a_reload_resumes_the_order_in_flight() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "ed").await?;
    order_a_latte(&harness, &browser).await?;
    browser.reload().await?;
    browser.wait_for_text(".order-number", "#1").await?;
    browser
        .wait_for_text_containing("#status-title", "In the queue")
        .await?;
    browser.close().await
}

#[tokio::test]
async fn a_customer_who_does_not_choose_times_out() -> Result<()> {
    let windows = shared::windows::Windows {
        choose_ms: 3_000,
        ..shared::windows::Windows::AWS
    };
    let harness = Harness::start_with(windows).await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "fi").await?;
    harness.phone_scans(&browser).await?;
    browser
        .wait_for_text("#menu-title", "Choose a drink")
        .await?;
    browser
        .wait_for_text("#status-title", "Time ran out to choose")
        .await?;
    browser.look("order-timed-out").await?;
    browser.close().await
}

#[tokio::test]
async fn no_drinks_left_in_this_round() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "gi").await?;
    let code = harness
        .code_lasting(std::time::Duration::from_secs(15))
        .await?;
    let other = harness.customer("other").await?;
    for _ in 0..10 {
        other.scan(&code).await?;
    }
    browser
        .goto(&harness.url(&format!("/order/?token={code}")))
        .await?;
    browser
        .wait_for_text("#notice-title", "All drinks for this round are taken")
        .await?;
    ensure!(browser
        .text(".notice p")
        .await?
        .contains("appears on the big screen at "));
    browser.look("order-no-tokens").await?;
    browser.close().await
}

#[tokio::test]
async fn cancel_with_confirmation() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "bo").await?;
    order_a_latte(&harness, &browser).await?;
    browser.click_button("Cancel order").await?;
    browser.wait_for(".confirm").await?;
    browser.click_button("No").await?;
    browser.click_button("Cancel order").await?;
    browser.look("order-cancel-confirm").await?;
    browser.click_button("Yes").await?;
    browser
        .wait_for_text("#status-title", "Your order was cancelled")
        .await?;
    // What was cancelled, from the backend's record.
    browser
        .wait_for_text_containing(".receipt", "Latte")
        .await?;
    browser.look("order-cancelled").await?;
    browser.close().await
}

#[tokio::test]
async fn a_dropped_connection_comes_back_and_catches_up() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "cy").await?;
    let order_id = order_a_latte(&harness, &browser).await?;

    let stopped = harness.stop_emulator().await?;
    browser.wait_for_connection("reconnecting").await?;
    browser.look("order-offline").await?;
    let harness = stopped.restart().await?;
    // Completed while the phone may still be waiting to reconnect: the resync after
    // reconnecting must show it even if the event went by unheard.
    harness.barista_action(&order_id, "complete").await?;
    browser
        .wait_for_text_containing("#status-title", "Ready — collect it at the bar")
        .await?;
    browser.wait_for_connection("live").await?;
    browser.close().await
}

#[tokio::test]
async fn an_old_code_asks_to_scan_again() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(PHONE).await?;
    set_up_and_sign_up(&harness, &browser, "di").await?;
    browser
        .goto(&harness.url("/order/?token=NOT_A_CODE"))
        .await?;
    browser
        .wait_for_text("#notice-title", "Scan the QR code again")
        .await?;
    browser.look("order-invalid-code").await?;

    // A link cut short is not "expired": it never held a code.
    let code = harness.current_code().await?;
    browser
        .goto(&harness.url(&format!("/order/?token={}", &code[..6])))
        .await?;
    browser
        .wait_for_text("#notice-title", "This link has no valid order code")
        .await?;

    // The store closes: the next visit says so.
    let barista = harness.barista().await?;
    barista.set_store(false).await?;
    browser.goto(&harness.url("/order/")).await?;
    browser
        .wait_for_text("#notice-title", "The store is closed")
        .await?;
    browser.look("order-closed").await?;
    browser.close().await
}

/// The V1 and E backends sign customers in with a phone number and a texted code.
#[tokio::test]
async fn phone_sign_in_for_the_multi_event_backend() -> Result<()> {
    let harness = Harness::start_on(emulator::Variant::e(["ABC"])?).await?;
    let browser = harness.browser(PHONE).await?;
    browser.goto(&harness.url("/order/")).await?;
    browser
        .wait_for_text("#auth-title", "Sign in with your phone")
        .await?;
    browser.fill("#auth-phone", "12345").await?;
    browser.click_button("Get code").await?;
    browser
        .wait_for_text(
            ".auth-card .alert.error",
            "Enter your number with its country code, such as +15551234567.",
        )
        .await?;
    browser.fill("#auth-phone", "+15557654321").await?;
    browser.click_button("Get code").await?;
    browser.wait_for("#auth-code").await?;
    browser.fill("#auth-code", "000000").await?;
    browser.click_button("Submit").await?;
    browser
        .wait_for_text(
            ".auth-card .alert.error",
            "Invalid code. Check the text message and try again.",
        )
        .await?;
    let code = harness
        .sent_code("+15557654321")
        .ok_or_else(|| anyhow::anyhow!("no code was texted"))?;
    browser.fill("#auth-code", &code).await?;
    browser.click_button("Submit").await?;
    browser
        .wait_for_text("#notice-title", "Scan the QR code to order")
        .await?;
    browser.look("order-phone-signed-in").await?;
    browser.close().await
}

/// At 200 % zoom a 390 px phone is 195 CSS pixels wide: nothing may spill sideways,
/// and every field keeps its label.
#[tokio::test]
async fn usable_at_double_zoom() -> Result<()> {
    let harness = Harness::start().await?;
    let zoomed = e2e::Device {
        name: "phone-200pct",
        width: 195,
        height: 422,
        touch: true,
    };
    let browser = harness.browser(zoomed).await?;
    harness.open(&browser, AppKind::Order).await?;
    let unlabelled = "return [...document.querySelectorAll('input, select')].filter(i => !document.querySelector(`label[for='${i.id}']`)).length";
    ensure!(
        browser.js(unlabelled).await? == 0,
        "every field has a label"
    );
    let overflow = "return document.documentElement.scrollWidth - window.innerWidth";
    ensure!(
        browser.js(overflow).await?.as_i64() == Some(0),
        "the sign-in page spills sideways"
    );
    harness.customer("zoe").await?;
    browser.sign_in("zoe@example.com", "password1").await?;
    harness.phone_scans(&browser).await?;
    browser
        .wait_for_text("#menu-title", "Choose a drink")
        .await?;
    ensure!(
        browser.js(overflow).await?.as_i64() == Some(0),
        "the menu spills sideways"
    );
    let offscreen = "return [...document.querySelectorAll('.app-nav a, .app-nav button, button')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length";
    ensure!(
        browser.js(offscreen).await? == 0,
        "a control is off the screen"
    );
    browser.look("order-menu-zoomed").await?;
    browser.close().await
}

/// The customer's pages come after sign-in (fetched then, in the release build): when that
/// fetch fails the phone says so and "Try again" brings them once the network is back.
#[tokio::test]
async fn the_pages_after_sign_in_come_back_after_a_failed_fetch() -> Result<()> {
    let deployed = e2e::deployed_copy()?;
    // The part holding the customer's pages, missing as in a deployment still uploading:
    // the host answers its fallback page instead, which must not be kept as the part.
    let part = std::fs::read_dir(deployed.path().join("order/dist"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("wasm-"))
        })
        .map(|folder| folder.join("split_customer_pages.wasm"))
        .filter(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("no split build: run `cargo xtask build` first"))?;
    let hidden = part.with_extension("away");
    std::fs::rename(&part, &hidden)?;

    let harness = Harness::start_serving(
        deployed.path().to_path_buf(),
        shared::windows::Windows::AWS,
        true,
    )
    .await?;
    let (user, password) = harness.customer_login("unlucky").await?;
    let phone = harness.browser(PHONE).await?;
    harness
        .sign_in_to(&phone, AppKind::Order, (&user, &password))
        .await?;
    phone
        .wait_for_text_containing(".alert.error", "could not be loaded")
        .await?;
    phone.look("order-part-not-loaded").await?;

    std::fs::rename(&hidden, &part)?;
    phone.click_button("Try again").await?;
    phone.wait_for("#notice-title").await?;
    ensure!(
        phone
            .js("return !!document.querySelector('.app-nav')")
            .await?
            == true,
        "the header's links came with the pages"
    );
    phone.close().await
}

/// A fresh phone's first load is the sign-in form alone; the customer's pages are fetched
/// once the customer starts signing in, so they are there when the sign-in is done.
#[tokio::test]
async fn the_pages_after_sign_in_are_fetched_while_signing_in() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness.browser(PHONE).await?;
    harness.open(&phone, AppKind::Order).await?;
    let fetched = "return performance.getEntriesByType('resource')
        .some(r => r.name.includes('/split_customer_pages'))";
    ensure!(
        phone.js(fetched).await? == false,
        "the customer's pages came with the first screen"
    );
    phone.fill("#auth-email", "someone@example.com").await?;
    e2e::eventually("the customer's pages are fetched", || async {
        Ok(phone.js(fetched).await? == true)
    })
    .await?;
    phone.close().await
}
