//! The whole bar in one browser: the phone scans the TV's QR code and orders, the
//! barista makes and completes it, the TV shows it Ready, and the phone says so.

use anyhow::{ensure, Result};
use e2e::{Harness, ADMIN, IPAD, PHONE, TV};
use shared::AppKind;

#[tokio::test]
async fn scan_order_make_complete_and_collect() -> Result<()> {
    let harness = Harness::start().await?;
    let (tv, ipad, phone) = (
        harness.browser(TV).await?,
        harness.browser(IPAD).await?,
        harness.browser(PHONE).await?,
    );

    harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
    tv.wait_for_connection("live").await?;
    harness.sign_in_to(&ipad, AppKind::Barista, ADMIN).await?;
    ipad.wait_for_connection("live").await?;

    // The phone: a customer account (the app finds its settings by itself).
    harness.customer("journey").await?;
    harness
        .sign_in_to(&phone, AppKind::Order, ("journey@example.com", "password1"))
        .await?;
    phone.wait_for_connection("live").await?;

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
    phone.wait_for_text(".order-number", "#1").await?;
    let order = phone
        .attr(".status", "data-order")
        .await?
        .unwrap_or_default();
    tv.wait_for(&format!(".display-list.preparing [data-order='{order}']"))
        .await?;

    let card = format!(".order-card[data-order='{order}']");
    ipad.click(&format!("{card} .button.make")).await?;
    phone
        .wait_for_text_containing("#status-title", "Being made")
        .await?;
    ipad.click(&format!("{card} .button.complete")).await?;
    tv.wait_for(&format!(".display-list.ready [data-order='{order}']"))
        .await?;
    phone
        .wait_for_text_containing("#status-title", "Ready — collect it at the bar")
        .await?;
    tv.wait_for_text(
        &format!(".display-list.ready [data-order='{order}'] .display-number"),
        "#1",
    )
    .await?;

    tv.look("journey-board").await?;
    ipad.look("journey-console").await?;
    phone.look("journey-phone").await?;
    for browser in [tv, ipad, phone] {
        browser.close().await?;
    }
    Ok(())
}
