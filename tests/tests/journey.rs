//! The whole bar in one browser: the phone scans the TV's QR code and orders, the
//! barista makes and completes it, the TV shows it Ready, and the phone says so.

use anyhow::{ensure, Result};
use e2e::{eventually, Browser, Harness, ADMIN, IPAD, PHONE, TV};
use shared::AppKind;

async fn save_settings(harness: &Harness, browser: &Browser, app: AppKind) -> Result<()> {
    let settings = harness.local_settings().to_query(app);
    browser
        .goto(&harness.url(&format!("/{}/?{settings}", app.slug())))
        .await?;
    browser.click_button("Save and reload").await?;
    browser.wait_for_text("#auth-title", "Sign in").await
}

async fn sign_in(browser: &Browser, email: &str, password: &str) -> Result<()> {
    browser.fill("#auth-email", email).await?;
    browser.fill("#auth-password", password).await?;
    browser.click_button("Sign in").await?;
    eventually("live", || async {
        Ok(browser
            .attr(".connection-banner", "data-status")
            .await?
            .as_deref()
            == Some("live"))
    })
    .await
}

#[tokio::test]
async fn scan_order_make_complete_and_collect() -> Result<()> {
    let harness = Harness::start().await?;
    let (tv, ipad, phone) = (
        harness.browser(TV).await?,
        harness.browser(IPAD).await?,
        harness.browser(PHONE).await?,
    );

    save_settings(&harness, &tv, AppKind::Display).await?;
    sign_in(&tv, ADMIN.0, ADMIN.1).await?;
    save_settings(&harness, &ipad, AppKind::Barista).await?;
    sign_in(&ipad, ADMIN.0, ADMIN.1).await?;

    // The phone: configured, then a customer account.
    let mut customer = harness.client();
    customer
        .register(
            &harness.emulator.base_url(),
            "journey@example.com",
            "password1",
        )
        .await?;
    save_settings(&harness, &phone, AppKind::Order).await?;
    sign_in(&phone, "journey@example.com", "password1").await?;

    // The phone opens exactly what the TV's QR code says.
    tv.wait_for_text("#qr-title", "Scan to order").await?;
    tv.click(".qr-button").await?;
    let scanned = tv.text(".qr-debug").await?;
    ensure!(
        scanned.starts_with(&harness.url("/order/?token=")),
        "{scanned}"
    );
    phone.goto(&scanned).await?;
    phone.wait_for_text("#menu-title", "Choose a drink").await?;
    phone.click_button("Flat White").await?;
    phone.click_button("Order now").await?;
    phone.wait_for_text("#status-title", "Order #1").await?;
    let order = phone
        .attr(".status", "data-order")
        .await?
        .unwrap_or_default();
    tv.wait_for(&format!(".display-list.preparing [data-order='{order}']"))
        .await?;

    let card = format!(".order-card[data-order='{order}']");
    ipad.click(&format!("{card} .button.make")).await?;
    phone
        .wait_for_text("#status-title", "Your order is being made")
        .await?;
    ipad.click(&format!("{card} .button.complete")).await?;
    tv.wait_for(&format!(".display-list.ready [data-order='{order}']"))
        .await?;
    phone
        .wait_for_text("#status-title", "Ready for collection")
        .await?;

    tv.screenshot("journey-board").await?;
    ipad.screenshot("journey-console").await?;
    phone.screenshot("journey-phone").await?;
    for browser in [tv, ipad, phone] {
        browser.close().await?;
    }
    Ok(())
}
