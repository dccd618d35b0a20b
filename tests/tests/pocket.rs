//! The phone in the pocket: a customer who orders and puts the phone away is told when
//! the drink is ready, once, and finds the order's true state on coming back, reloaded
//! or not; a screen reader hears each step.

use anyhow::{ensure, Context, Result};
use e2e::{eventually, Browser, Harness, PHONE};
use serde_json::json;
use shared::AppKind;

const READY: &str = "Ready — collect it at the bar";

/// A signed-in phone with an order in the queue: (the phone, the order id, its number).
async fn phone_with_an_order(harness: &Harness, name: &str) -> Result<(Browser, String, String)> {
    let phone = harness.browser(PHONE).await?;
    let (user, password) = harness.customer_login(name).await?;
    harness
        .sign_in_to(&phone, AppKind::Order, (&user, &password))
        .await?;
    let order = harness.phone_orders(&phone).await?;
    phone.wait_for_connection("live").await?;
    let number = phone.text(".order-number").await?;
    Ok((phone, order, number))
}

/// The notifications the app's service worker shows now (what the phone's shade holds).
async fn notifications(phone: &Browser) -> Result<Vec<(String, String)>> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready
            .then(r => r.getNotifications())
            .then(list => done(list.map(n => [n.title, n.body])), e => done([["failed", String(e)]]));
    "#;
    Ok(serde_json::from_value(
        phone.client.execute_async(script, vec![]).await?,
    )?)
}

/// Puts the page behind a new blank tab (hidden, as a phone put away); returns the page's
/// own tab, to come back to.
async fn behind_another_tab(phone: &Browser) -> Result<fantoccini::wd::WindowHandle> {
    let page = phone.client.window().await?;
    let other = phone.client.new_window(true).await?;
    phone.client.switch_to_window(other.handle).await?;
    phone.goto("about:blank").await?;
    Ok(page)
}

/// The titles of the browser's tabs, the hidden ones too (as its tab strip shows them).
async fn tab_titles(phone: &Browser) -> Result<Vec<String>> {
    let targets = phone.cdp("Target.getTargets", json!({})).await?;
    Ok(targets["targetInfos"]
        .as_array()
        .context("Target.getTargets")?
        .iter()
        .filter(|t| t["type"] == "page")
        .filter_map(|t| t["title"].as_str().map(str::to_string))
        .collect())
}

/// iOS reloads a tab the customer comes back to: the ready order is still there, with
/// its number and drink, and the day's limit beneath it (before, the reload showed only
/// "You've had your coffee today").
#[tokio::test]
async fn a_ready_order_keeps_its_screen_after_a_reload() -> Result<()> {
    let harness = Harness::start().await?;
    let (phone, order, number) = phone_with_an_order(&harness, "rita").await?;
    harness.barista_action(&order, "make").await?;
    harness.barista_action(&order, "complete").await?;
    phone
        .wait_for_text_containing("#status-title", READY)
        .await?;
    phone.reload().await?;
    phone
        .wait_for_text_containing("#status-title", READY)
        .await?;
    ensure!(
        phone.text(".order-number").await? == number,
        "the number after a reload"
    );
    phone
        .wait_for_text_containing(
            ".daily-limit",
            "It's one coffee a day: you can order again in",
        )
        .await?;
    phone.look("order-ready-after-reload").await?;
    // Moving on: the limit, and a reload does not bring the ready screen back.
    phone.click_button("Next").await?;
    phone
        .wait_for_text("#notice-title", "You've had your coffee today")
        .await?;
    phone.reload().await?;
    phone
        .wait_for_text("#notice-title", "You've had your coffee today")
        .await?;
    phone.close().await
}

/// A phone put away (its tab behind another) hears of the ready order: the tab's title
/// says "Ready · #N" while hidden, one notification is shown, and coming back shows
/// the ready screen without a second alert, also after a reload.
#[tokio::test]
async fn an_order_ready_while_the_phone_is_away_alerts_once() -> Result<()> {
    let harness = Harness::start().await?;
    let (phone, order, number) = phone_with_an_order(&harness, "paul").await?;
    phone.wait_for_service_worker().await?;
    phone
        .wait_for_text_containing("#status-title", "In the queue")
        .await?;
    // The customer asks to be told, and allows it.
    let origin = harness.emulator.base_url();
    phone
        .cdp(
            "Browser.grantPermissions",
            json!({"origin": origin.trim_end_matches('/'), "permissions": ["notifications"]}),
        )
        .await?;
    phone.reload().await?;
    phone
        .wait_for_text(".notify-on", "We'll send a notification when it's ready.")
        .await?;
    phone
        .wait_for_text("#order-announcer", &format!("Order {number}: In the queue"))
        .await?;

    // Into the pocket: another tab in front.
    let order_tab = behind_another_tab(&phone).await?;
    harness.barista_action(&order, "make").await?;
    harness.barista_action(&order, "complete").await?;
    let badge = format!("Ready · {number}");
    eventually("the hidden tab's title says the order is ready", || async {
        Ok(tab_titles(&phone)
            .await?
            .iter()
            .any(|t| t.starts_with(&badge)))
    })
    .await?;

    // Back to the order.
    phone.client.switch_to_window(order_tab).await?;
    phone
        .wait_for_text_containing("#status-title", READY)
        .await?;
    phone
        .wait_for_text("#order-alerter", &format!("Order {number}: {READY}"))
        .await?;
    eventually("the title is the app's again", || async {
        Ok(!phone.client.title().await?.starts_with("Ready"))
    })
    .await?;
    // Shown through the service worker, a moment after the screen changed.
    eventually("one notification", || async {
        Ok(!notifications(&phone).await?.is_empty())
    })
    .await?;
    let shown = notifications(&phone).await?;
    ensure!(
        shown.len() == 1 && shown[0].0 == badge && shown[0].1.contains("collect it at the bar"),
        "one notification: {shown:?}"
    );
    // Close it, as the customer would; a reload must not show another.
    phone
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready.then(r => r.getNotifications())
                 .then(list => { list.forEach(n => n.close()); done(); });",
            vec![],
        )
        .await?;
    phone.reload().await?;
    phone
        .wait_for_text_containing("#status-title", READY)
        .await?;
    phone.wait_for_connection("live").await?;
    let again = notifications(&phone).await?;
    ensure!(again.is_empty(), "alerted twice: {again:?}");
    phone.close().await
}

/// Where the customer refuses notifications, the button goes and nothing nags.
#[tokio::test]
async fn refused_notifications_are_not_asked_for_again() -> Result<()> {
    let harness = Harness::start().await?;
    let (phone, _order, _number) = phone_with_an_order(&harness, "nina").await?;
    phone.wait_for(".notify-me").await?;
    phone.look("order-queued-notify-me").await?;
    let origin = harness.emulator.base_url();
    phone
        .cdp(
            "Browser.setPermission",
            json!({"origin": origin.trim_end_matches('/'),
                   "permission": {"name": "notifications"}, "setting": "denied"}),
        )
        .await?;
    phone.reload().await?;
    phone
        .wait_for_text_containing("#status-title", "In the queue")
        .await?;
    ensure!(
        !phone.shows(".notify-me").await?,
        "asked again after a refusal"
    );
    ensure!(!phone.shows(".notify-on").await?);
    phone.close().await
}

/// What has the keyboard's focus: its id.
async fn focused(phone: &Browser) -> Result<String> {
    Ok(phone
        .js("return document.activeElement ? document.activeElement.id : ''")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Sign-in, menu, order and its steps with the keyboard alone; each step takes the focus
/// to its heading and is read out by the page's live regions (the ready step at once).
#[tokio::test]
async fn the_whole_journey_by_keyboard_with_each_step_read_out() -> Result<()> {
    const ENTER: char = '\u{E007}';
    let harness = Harness::start().await?;
    let phone = harness.browser(PHONE).await?;
    let (user, password) = harness.customer_login("kim").await?;
    harness.open(&phone, AppKind::Order).await?;
    phone.tab_to("#auth-email", "").await?;
    phone.press(&user).await?;
    phone.tab_to("#auth-password", "").await?;
    phone.press(&password).await?;
    phone.press(&ENTER.to_string()).await?;
    phone
        .wait_for_text("#notice-title", "Scan the QR code to order")
        .await?;

    // The camera opens the link; the rest is keys.
    harness.phone_scans(&phone).await?;
    eventually("the menu's heading has the focus", || async {
        Ok(focused(&phone).await? == "menu-title")
    })
    .await?;
    let (drink, option) = harness.drink();
    phone.tab_to(".drink-card", drink).await?;
    phone.press(&ENTER.to_string()).await?;
    if let Some(option) = option {
        phone.tab_to(".option", option).await?;
        phone.press(&ENTER.to_string()).await?;
    }
    phone.tab_to(".order-now", "Order now").await?;
    phone.press(&ENTER.to_string()).await?;
    phone.wait_for(".order-number").await?;
    let number = phone.text(".order-number").await?;
    let order = phone
        .attr(".status", "data-order")
        .await?
        .unwrap_or_default();
    phone
        .wait_for_text("#order-announcer", &format!("Order {number}: In the queue"))
        .await?;

    for (action, step, region) in [
        ("make", "Being made", "#order-announcer"),
        ("complete", READY, "#order-alerter"),
    ] {
        harness.barista_action(&order, action).await?;
        phone
            .wait_for_text(region, &format!("Order {number}: {step}"))
            .await?;
        eventually("the step's heading has the focus", || async {
            Ok(focused(&phone).await? == "status-title")
        })
        .await?;
    }
    phone.look("order-ready-by-keyboard").await?;
    phone.tab_to("button", "Next").await?;
    phone.press(&ENTER.to_string()).await?;
    phone
        .wait_for_text("#notice-title", "You've had your coffee today")
        .await?;
    eventually("the notice's heading has the focus", || async {
        Ok(focused(&phone).await? == "notice-title")
    })
    .await?;
    phone.close().await
}

/// iOS suspends a hidden tab: its socket hears nothing and is not closed. Coming back,
/// the phone shows the order's true state at once, from REST, without waiting for the
/// connection to notice (45 s of silence), and alerts once.
#[tokio::test]
async fn back_from_a_suspended_tab_the_phone_shows_the_truth_at_once() -> Result<()> {
    let harness = Harness::start().await?;
    let (phone, order, number) = phone_with_an_order(&harness, "sara").await?;
    phone
        .wait_for_text("#order-announcer", &format!("Order {number}: In the queue"))
        .await?;
    let order_tab = behind_another_tab(&phone).await?;
    harness
        .faults(json!({"silenceWebSockets": {"forSeconds": 120}}))
        .await?;
    harness.barista_action(&order, "make").await?;
    harness.barista_action(&order, "complete").await?;

    phone.client.switch_to_window(order_tab).await?;
    phone
        .wait_for_text_within(
            std::time::Duration::from_secs(5),
            "#order-alerter",
            &format!("Order {number}: {READY}"),
        )
        .await?;
    phone
        .wait_for_text_containing("#status-title", READY)
        .await?;
    harness.faults(json!({"clear": true})).await?;
    phone.close().await
}
