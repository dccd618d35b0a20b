//! A day of faults, one class at a time, as the people at the bar see them: tokens and
//! credentials that expire, a throttled or failing Cognito, dropped WebSockets, refused
//! subscriptions, a failing or slow REST API, a phone or TV off the network. After each,
//! every screen shows what REST says within seconds, and nobody was signed out.

use anyhow::{ensure, Result};
use e2e::{eventually, eventually_within, Browser, Harness, ADMIN, IPAD, PHONE, TV};
use serde_json::json;
use shared::AppKind;
use std::time::Duration;

/// The convergence promise: after a fault ends, a screen agrees with REST within this.
const CONVERGE: Duration = Duration::from_secs(10);

/// Records, in the page, whether a sign-in form ever appeared (an unexpected sign-out).
const WATCH_SIGN_IN: &str = r#"
    window.sawSignIn = false;
    new MutationObserver(() => {
        if (document.querySelector('#auth-title')) window.sawSignIn = true;
    }).observe(document.body, { childList: true, subtree: true });
"#;

async fn signed_in_board(harness: &Harness, app: AppKind) -> Result<Browser> {
    let device = match app {
        AppKind::Display => TV,
        _ => IPAD,
    };
    let browser = harness.browser(device).await?;
    harness.sign_in_to(&browser, app, ADMIN).await?;
    browser.wait_for_connection("live").await?;
    browser.js(WATCH_SIGN_IN).await?;
    Ok(browser)
}

async fn still_signed_in(browser: &Browser) -> Result<()> {
    ensure!(
        browser.js("return window.sawSignIn").await? == false,
        "{} was signed out",
        browser.device.name
    );
    Ok(())
}

/// The order's row on the TV, or its card on the barista console.
fn shown(app: AppKind, order: &str) -> String {
    match app {
        AppKind::Display => format!(".display-list [data-order='{order}']"),
        _ => format!(".order-card[data-order='{order}']"),
    }
}

#[tokio::test]
async fn expiring_tokens_and_a_throttled_cognito_sign_nobody_out() -> Result<()> {
    let harness = Harness::start().await?;
    // Tokens that need refreshing within seconds (the apps refresh 5 minutes ahead).
    harness.faults(json!({"tokenLifetimeSeconds": 302})).await?;
    let console = signed_in_board(&harness, AppKind::Barista).await?;
    harness
        .faults(json!({"cognito": {"answer": "throttle", "forSeconds": 4}}))
        .await?;
    // A reconnect makes the console reload from REST, which needs a refreshed token
    // while Cognito says "Rate exceeded".
    harness.faults(json!({"dropWebSockets": true})).await?;
    let order = harness_order_when_cognito_answers(&harness, "ana").await?;
    eventually_within(CONVERGE * 2, "the console shows the order", || async {
        Ok(console
            .wait_for(&shown(AppKind::Barista, &order))
            .await
            .is_ok())
    })
    .await?;
    still_signed_in(&console).await?;

    // Cognito failing outright (5xx) is no sign-out either.
    harness
        .faults(json!({"cognito": {"answer": "error", "forSeconds": 3}}))
        .await?;
    harness.faults(json!({"dropWebSockets": true})).await?;
    console.wait_for_connection("live").await?;
    console.look("barista-after-cognito-faults").await?;
    still_signed_in(&console).await?;
    console.close().await
}

/// A customer signing up through the API waits out Cognito's fault, as a person would.
async fn harness_order_when_cognito_answers(harness: &Harness, name: &str) -> Result<String> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match harness.order(&format!("{name}{attempt}"), "Latte").await {
            Ok(order) => return Ok(order),
            Err(e) if attempt < 40 => {
                let _ = e;
                eventually("Cognito answers again", || async {
                    let faults = harness.faults(json!({})).await?;
                    Ok(faults["cognito"].is_null())
                })
                .await?;
            }
            Err(e) => return Err(e),
        }
    }
}

#[tokio::test]
async fn expired_credentials_are_replaced_on_reconnect() -> Result<()> {
    let harness = Harness::start().await?;
    harness
        .faults(json!({"credentialsLifetimeSeconds": 2}))
        .await?;
    let tv = signed_in_board(&harness, AppKind::Display).await?;
    let connected_at = std::time::Instant::now();
    eventually_within(
        Duration::from_secs(5),
        "the TV's credentials have expired",
        || async { Ok(connected_at.elapsed() > Duration::from_millis(2_500)) },
    )
    .await?;
    // Reconnecting with the old credentials would be refused: the TV gets new ones.
    harness.faults(json!({"dropWebSockets": true})).await?;
    tv.wait_for_connection("reconnecting").await?;
    tv.wait_for_connection("live").await?;
    let order = harness.order("bo", "Americano").await?;
    tv.wait_for(&shown(AppKind::Display, &order)).await?;
    still_signed_in(&tv).await?;
    tv.close().await
}

#[tokio::test]
async fn a_refused_subscription_is_shown_and_retried() -> Result<()> {
    let harness = Harness::start().await?;
    let tv = signed_in_board(&harness, AppKind::Display).await?;
    harness
        .faults(json!({"refuseSubscriptions": {"forSeconds": 3}, "dropWebSockets": true}))
        .await?;
    tv.wait_for_connection("refused").await?;
    tv.wait_for_text_containing(
        ".connection-banner",
        "The server refused live updates for this screen",
    )
    .await?;
    tv.look("display-subscription-refused").await?;
    let order = harness.order("cy", "Latte").await?;
    eventually_within(CONVERGE * 2, "live again, with the order", || async {
        Ok(tv
            .attr(".connection-banner", "data-status")
            .await?
            .as_deref()
            == Some("live")
            && tv.wait_for(&shown(AppKind::Display, &order)).await.is_ok())
    })
    .await?;
    still_signed_in(&tv).await?;
    tv.close().await
}

#[tokio::test]
async fn a_failing_then_slow_rest_api_converges() -> Result<()> {
    let harness = Harness::start().await?;
    let tv = signed_in_board(&harness, AppKind::Display).await?;
    let console = signed_in_board(&harness, AppKind::Barista).await?;
    // REST answers 503 for a while; a reconnect makes both reload during it.
    harness
        .faults(json!({"rest": {"status": 503, "forSeconds": 3}, "dropWebSockets": true}))
        .await?;
    tv.wait_for(".display-notices .alert.error").await?;
    tv.look("display-rest-failing").await?;
    let order = harness_order_after_rest_fault(&harness, "di").await?;
    for (browser, app) in [(&tv, AppKind::Display), (&console, AppKind::Barista)] {
        eventually_within(CONVERGE, "the order is shown, the error gone", || async {
            Ok(browser.wait_for(&shown(app, &order)).await.is_ok()
                && !browser.shows(".alert.error").await?)
        })
        .await?;
    }
    // Slow, not failing: every answer takes two seconds.
    harness
        .faults(json!({"restLatency": {"ms": 2000, "forSeconds": 4}, "dropWebSockets": true}))
        .await?;
    let late = harness.order("ed", "Espresso").await?;
    for (browser, app) in [(&tv, AppKind::Display), (&console, AppKind::Barista)] {
        eventually_within(CONVERGE, "the order placed while slow", || async {
            Ok(browser.wait_for(&shown(app, &late)).await.is_ok())
        })
        .await?;
        still_signed_in(browser).await?;
    }
    tv.close().await?;
    console.close().await
}

/// Orders are placed through the same REST API: wait for it to answer again.
async fn harness_order_after_rest_fault(harness: &Harness, name: &str) -> Result<String> {
    eventually("the REST API answers again", || async {
        let faults = harness.faults(json!({})).await?;
        Ok(faults["rest"].is_null())
    })
    .await?;
    harness.order(name, "Flat White").await
}

#[tokio::test]
async fn a_phone_and_a_tv_off_the_network_catch_up() -> Result<()> {
    let harness = Harness::start().await?;
    let tv = signed_in_board(&harness, AppKind::Display).await?;
    let phone = harness.browser(PHONE).await?;
    harness.customer("fi").await?;
    harness
        .sign_in_to(&phone, AppKind::Order, ("fi@example.com", "password1"))
        .await?;
    let order = harness.phone_orders(&phone).await?;
    phone.wait_for_connection("live").await?;
    phone.js(WATCH_SIGN_IN).await?;

    tv.set_offline(true).await?;
    phone.set_offline(true).await?;
    tv.wait_for_connection("reconnecting").await?;
    phone.wait_for_connection("reconnecting").await?;
    phone.look("order-offline-network").await?;
    // While they are away, the order is made and completed.
    harness.barista_action(&order, "make").await?;
    harness.barista_action(&order, "complete").await?;
    let back = std::time::Instant::now();
    tv.set_offline(false).await?;
    phone.set_offline(false).await?;
    eventually_within(CONVERGE, "the phone says ready", || async {
        Ok(phone
            .text("#status-title")
            .await?
            .contains("Ready — collect it at the bar"))
    })
    .await?;
    eventually_within(CONVERGE, "the TV shows it ready", || async {
        Ok(tv
            .wait_for(&format!(".display-list.ready [data-order='{order}']"))
            .await
            .is_ok())
    })
    .await?;
    println!(
        "back online to converged: {:.1} s",
        back.elapsed().as_secs_f64()
    );
    still_signed_in(&tv).await?;
    still_signed_in(&phone).await?;
    tv.close().await?;
    phone.close().await
}
