//! The display board on a TV: the QR code and its tokens, Preparing and Ready, the closed
//! state, bucket rotation, the settings hand-off, and a long run's memory.

use anyhow::{ensure, Result};
use e2e::{eventually, eventually_within, Harness, ADMIN, IPAD, TV, TV_4K};
use shared::AppKind;
use std::time::Duration;

fn row(list: &str, order: &str) -> String {
    format!(".display-list.{list} .display-row[data-order='{order}']")
}

#[tokio::test]
async fn qr_tokens_and_orders_from_preparing_to_ready() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(TV).await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    browser.wait_for_qr_code().await?;
    browser.wait_for_text(".tokens", "10 drinks left").await?;
    // The QR code carries the order app's URL and the validator's current code.
    let barista = harness.barista().await?;
    let code = harness.code_lasting(Duration::from_secs(10)).await?;
    browser.click(".qr-button").await?;
    let expected = format!("{}/order/?token={code}", harness.emulator.base_url());
    browser.wait_for_text(".qr-debug", &expected).await?;
    ensure!(
        browser.wait_for(".qr svg").await.is_ok(),
        "the QR code is an SVG"
    );

    let ana = harness.customer("ana").await?;
    let first = harness.scan(&ana, &code).await?;
    browser.wait_for_text(".tokens", "9 drinks left").await?;
    harness.submit(&ana, &first, "Latte").await?;
    browser.wait_for(&row("preparing", &first)).await?;
    ensure!(
        browser
            .text(&format!("{} .display-number", row("preparing", &first)))
            .await?
            == "#1",
        "the board writes numbers as the phone does"
    );
    let bo = harness.customer("bo").await?;
    let second = harness.scan(&bo, &code).await?;
    harness.submit(&bo, &second, "Americano").await?;
    browser.wait_for(&row("preparing", &second)).await?;
    browser.look("display-preparing").await?;

    harness.barista_action(&first, "complete").await?;
    browser.wait_for(&row("ready", &first)).await?;
    ensure!(browser
        .attr(&row("ready", &first), "class")
        .await?
        .unwrap_or_default()
        .contains("highlight"));
    harness.barista_action(&second, "cancel").await?;
    eventually("the cancelled order leaves", || async {
        Ok(!browser.shows(&row("preparing", &second)).await?)
    })
    .await?;
    browser.look("display-ready").await?;

    // Closed, then open again.
    barista.set_store(false).await?;
    browser
        .wait_for_text("#qr-title", "The store is not taking orders right now")
        .await?;
    browser.look("display-closed").await?;
    barista.set_store(true).await?;
    browser.wait_for_qr_code().await?;
    browser.close().await?;

    let big = harness.browser(TV_4K).await?;
    harness.sign_in_to(&big, AppKind::Display, ADMIN).await?;
    big.wait_for_connection("live").await?;
    big.wait_for(&row("ready", &first)).await?;
    big.look("display-ready").await?;
    big.close().await
}

#[tokio::test]
async fn the_last_token_shows_the_countdown() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(TV).await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    browser.wait_for_text(".tokens", "10 drinks left").await?;
    let code = harness.current_code().await?;
    let mut customer = harness.client();
    customer
        .register(
            &harness.emulator.base_url(),
            "many@example.com",
            "password1",
        )
        .await?;
    for _ in 0..9 {
        customer.scan(&code).await?;
    }
    browser.wait_for_text(".tokens", "1 drink left").await?;
    customer.scan(&code).await?;
    browser
        .wait_for_text("#qr-title", "We are making drinks!")
        .await?;
    browser.look("display-making-drinks").await?;
    browser.close().await
}

#[tokio::test]
async fn a_fresh_code_at_the_bucket_boundary() -> Result<()> {
    // 16 s windows: the code shows for 15.2 s, then hides for the window's last 5 %.
    let windows = shared::windows::Windows {
        qr_ms: 16_000,
        ..shared::windows::Windows::AWS
    };
    let harness = Harness::start_with(windows).await?;
    let browser = harness.browser(TV).await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    let first = harness.current_code().await?;
    eventually_within(
        Duration::from_secs(40),
        "the board shows the next window's code",
        || async {
            let now = harness.current_code().await?;
            if now == first || browser.text("#qr-title").await? != "Scan to order" {
                return Ok(false);
            }
            browser.click(".qr-button").await?;
            let shown = browser.text(".qr-debug").await.unwrap_or_default();
            Ok(shown.ends_with(&format!("?token={now}")))
        },
    )
    .await?;
    browser.close().await
}

#[tokio::test]
async fn configure_barista_app_hands_off_the_settings() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(TV).await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    let link = browser
        .client
        .find(fantoccini::Locator::XPath(
            "//a[normalize-space()='Configure barista app']",
        ))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    ensure!(link.starts_with(&harness.url("/barista/?")), "{link}");
    // Customers' phones take no settings from links: there is nothing to hand them.
    ensure!(
        browser
            .client
            .find_all(fantoccini::Locator::XPath(
                "//button[normalize-space()='Configure order app']"
            ))
            .await?
            .is_empty(),
        "no hand-off to the order app"
    );
    browser.close().await?;

    let ipad = harness.browser(IPAD).await?;
    ipad.goto(&link).await?;
    ipad.wait_for_text("#settings-title", "Settings").await?;
    ensure!(ipad.value("#setting-poolId").await? == emulator::local::IDENTITY_POOL_ID);
    ensure!(ipad.value("#setting-region").await? == "us-east-1");
    // The board's own deployment: nothing to confirm, the console asks for a sign-in.
    ipad.click_button("Save and reload").await?;
    ipad.wait_for_text("#auth-title", "Sign in").await?;
    ipad.close().await
}

#[tokio::test]
async fn a_long_run_keeps_memory_bounded() -> Result<()> {
    let windows = shared::windows::Windows {
        qr_ms: 1_000,
        ..shared::windows::Windows::AWS
    };
    let harness = Harness::start_with(windows).await?;
    let browser = harness
        .browser_with(TV, &["--js-flags=--expose-gc"])
        .await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    let heap = || async {
        let v = browser
            .js("window.gc(); return performance.memory.usedJSHeapSize")
            .await?;
        Ok::<_, anyhow::Error>(v.as_f64().unwrap_or(0.0))
    };
    let barista = harness.barista().await?;
    // Warm up, then measure, then thousands of events, then measure again. The store is
    // switched closed and open: only a change is announced (as DynamoDB's stream does).
    for round in 0..50 {
        barista.set_store(round % 2 == 1).await?;
    }
    let before = heap().await?;
    let mut customer = harness.client();
    customer
        .register(
            &harness.emulator.base_url(),
            "long@example.com",
            "password1",
        )
        .await?;
    let mut orders = 0;
    for round in 0..3000 {
        // Open on the rounds that scan, closed on the others.
        barista.set_store(round % 2 == 0).await?;
        if round % 50 == 0 {
            let code = harness.current_code().await?;
            let scanned = customer.scan(&code).await?;
            if let Some(order) = scanned.json()?["orderId"].as_str() {
                harness.barista_action(order, "cancel").await?;
                orders += 1;
            }
        }
    }
    eventually("the board caught up", || async {
        Ok(browser
            .attr(".connection-banner", "data-status")
            .await?
            .as_deref()
            == Some("live"))
    })
    .await?;
    let after = heap().await?;
    println!(
        "display heap: {:.2} MB before, {:.2} MB after 3,000 config events and {orders} orders",
        before / 1e6,
        after / 1e6
    );
    ensure!(
        after < before + 2_000_000.0,
        "the heap grew from {before} to {after} bytes"
    );
    browser.close().await
}

#[tokio::test]
async fn timed_out_orders_leave_and_the_toolbar_hides_when_idle() -> Result<()> {
    let windows = shared::windows::Windows {
        barista_ms: 2_000,
        ..shared::windows::Windows::AWS
    };
    let harness = Harness::start_with(windows).await?;
    let browser = harness.browser(TV).await?;
    harness
        .sign_in_to(&browser, AppKind::Display, ADMIN)
        .await?;
    browser.wait_for_connection("live").await?;
    let ana = harness.customer("ana").await?;
    let order = harness.scan_current(&ana).await?;
    harness.submit(&ana, &order, "Latte").await?;
    browser.wait_for(&row("preparing", &order)).await?;
    // Nobody makes it: the barista window ends and the row goes.
    eventually("the timed-out order leaves", || async {
        Ok(!browser.shows(&row("preparing", &order)).await?)
    })
    .await?;
    // Untouched for ten seconds, the toolbar slides away.
    eventually_within(Duration::from_secs(20), "the toolbar hides", || async {
        Ok(browser
            .attr(".display-toolbar", "data-idle")
            .await?
            .as_deref()
            == Some("true"))
    })
    .await?;
    // Once the slide-out is over, the board is all there is on the screen.
    eventually("the toolbar is out of sight", || async {
        Ok(browser
            .js("return document.querySelector('.display-toolbar').getBoundingClientRect().bottom <= 0")
            .await?
            == true)
    })
    .await?;
    browser.look("display-board-idle").await?;
    browser.close().await
}
