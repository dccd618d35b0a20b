//! The settings page of each app (contract §1): staff hand-off from a query string, save
//! and reload, validation, clearing back to the deployed settings, and an app deployed
//! without settings.

use anyhow::{ensure, Result};
use e2e::{device_for, eventually, Harness};
use shared::{AppKind, Field, SettingsDraft};

fn input(field: Field) -> String {
    format!("#setting-{}", field.key())
}

/// Opens `app` with the emulator's settings in the query string; every field of the
/// app shows its value, Save and reload stores them, and they are still there after
/// another reload.
async fn hand_off_prefills_saves_and_persists(app: AppKind) -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(device_for(app)).await?;

    let settings = harness.local_settings();
    // A customer's token rides along in the order app's URL and must survive the save.
    let link = harness.url(&format!(
        "/{}/?{}&token=KEEP_ME_123",
        app.slug(),
        settings.to_query(app)
    ));
    browser.goto(&link).await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    browser.wait_for(".alert.info").await?;
    let expected = (browser.device.width as u64, browser.device.height as u64);
    ensure!(
        browser.viewport().await? == expected,
        "viewport is not the device size"
    );
    for &field in app.fields() {
        ensure!(
            browser.value(&input(field)).await? == value_shown(&settings, field),
            "{app:?}: {field:?} is not pre-filled"
        );
    }
    browser.look(&format!("{}-settings", app.slug())).await?;
    ensure!(
        browser.wait_for(".app-header").await.is_ok(),
        "the settings page is inside the app's shell"
    );

    browser.click_button("Save and reload").await?;
    // Configured, every app asks for a sign-in.
    let (heading, text) = (
        "#auth-title",
        match app {
            AppKind::Order => "Sign in to order",
            _ => "Sign in",
        },
    );
    browser.wait_for_text(heading, text).await?;
    let url = browser.url().await?;
    ensure!(
        url == harness.url(&format!("/{}/?token=KEEP_ME_123", app.slug())),
        "after saving, the URL should keep only the token, not the settings: {url}"
    );

    // Reload, then open the settings page: the values come from storage now.
    browser.client.refresh().await?;
    browser.wait_for_text(heading, text).await?;
    browser
        .goto(&harness.url(&format!("/{}/settings", app.slug())))
        .await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    ensure!(browser
        .client
        .find_all(fantoccini::Locator::Css(".alert.info"))
        .await?
        .is_empty());
    for &field in app.fields() {
        ensure!(
            browser.value(&input(field)).await? == value_shown(&settings, field),
            "{app:?}: {field:?} did not persist"
        );
    }
    browser.close().await
}

/// What the form shows for a field: the flavour select always has a value.
fn value_shown(settings: &SettingsDraft, field: Field) -> String {
    match (field, settings.get(field)) {
        (Field::Flavour, "") => "W".to_string(),
        (_, value) => value.to_string(),
    }
}

#[tokio::test]
async fn order_settings_hand_off_prefills_saves_and_persists() -> Result<()> {
    hand_off_prefills_saves_and_persists(AppKind::Order).await
}

#[tokio::test]
async fn barista_settings_hand_off_prefills_saves_and_persists() -> Result<()> {
    hand_off_prefills_saves_and_persists(AppKind::Barista).await
}

#[tokio::test]
async fn display_settings_hand_off_prefills_saves_and_persists() -> Result<()> {
    hand_off_prefills_saves_and_persists(AppKind::Display).await
}

/// Invalid and missing values get a message each, the summary takes focus, and nothing
/// is saved: a reload still shows the settings page with empty storage.
async fn invalid_values_show_messages_and_are_not_saved(app: AppKind) -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.browser(device_for(app)).await?;
    let mut settings = harness.local_settings();
    settings.set(Field::Region, "US-EAST-1");
    settings.set(
        Field::IotHost,
        "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt",
    );
    browser
        .goto(&harness.url(&format!("/{}/?{}", app.slug(), settings.to_query(app))))
        .await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    // The form starts from the deployed settings; a person empties one field.
    browser.empty(&input(Field::ConfigEndpoint)).await?;
    ensure!(
        browser
            .attr(&input(Field::Region), "aria-invalid")
            .await?
            .as_deref()
            == Some("false")
    );

    browser.click_button("Save and reload").await?;
    browser
        .wait_for_text(
            "#setting-region-error",
            "⚠ Enter an AWS region in lower case, such as us-east-1.",
        )
        .await?;
    ensure!(
        browser
            .attr(&input(Field::Region), "aria-invalid")
            .await?
            .as_deref()
            == Some("true")
    );
    ensure!(browser
        .text("#setting-host-error")
        .await?
        .contains("without wss:// or a path"));
    ensure!(browser
        .text("#setting-APIGWEndpointConfigService-error")
        .await?
        .contains("required"));
    // The ids carry region us-east-1 but the region is invalid: no mismatch message.
    ensure!(browser
        .client
        .find_all(fantoccini::Locator::Css("#setting-userPoolId-error"))
        .await?
        .is_empty());
    eventually("the error summary has focus", || async {
        Ok(browser
            .js("return document.activeElement.classList.contains('alert')")
            .await?
            == true)
    })
    .await?;
    ensure!(browser.text(".alert.error strong").await? == "3 settings need attention:");
    browser
        .look(&format!("{}-settings-invalid", app.slug()))
        .await?;

    // Fixing one field updates its message straight away.
    browser.fill(&input(Field::Region), "us-east-1").await?;
    eventually("the region error disappears", || async {
        Ok(browser
            .client
            .find_all(fantoccini::Locator::Css("#setting-region-error"))
            .await?
            .is_empty())
    })
    .await?;

    let stored = browser
        .js(&format!(
            "return localStorage.getItem('{}')",
            app.storage_key()
        ))
        .await?;
    ensure!(stored.is_null(), "invalid settings were stored: {stored}");
    // Nothing saved: the app runs with the settings deployed beside it.
    browser
        .goto(&harness.url(&format!("/{}/", app.slug())))
        .await?;
    browser.wait_for("#auth-title").await?;
    browser.close().await
}

#[tokio::test]
async fn order_invalid_settings_are_refused_with_messages() -> Result<()> {
    invalid_values_show_messages_and_are_not_saved(AppKind::Order).await
}

#[tokio::test]
async fn barista_invalid_settings_are_refused_with_messages() -> Result<()> {
    invalid_values_show_messages_and_are_not_saved(AppKind::Barista).await
}

#[tokio::test]
async fn display_invalid_settings_are_refused_with_messages() -> Result<()> {
    invalid_values_show_messages_and_are_not_saved(AppKind::Display).await
}

/// Clear settings empties storage; the app goes back to its deployed settings, which
/// the settings page then shows as such.
#[tokio::test]
async fn clear_settings_goes_back_to_the_deployed_ones() -> Result<()> {
    let app = AppKind::Barista;
    let harness = Harness::start().await?;
    let browser = harness.browser(device_for(app)).await?;
    let mut settings = harness.local_settings();
    settings.set(Field::Region, "us-east-1");
    browser
        .goto(&harness.url(&format!("/barista/?{}", settings.to_query(app))))
        .await?;
    browser.click_button("Save and reload").await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;

    browser.goto(&harness.url("/barista/settings")).await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    ensure!(browser.value(&input(Field::Region)).await? == "us-east-1");
    browser.click_button("Clear settings").await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
    let stored = browser
        .js(&format!(
            "return localStorage.getItem('{}')",
            app.storage_key()
        ))
        .await?;
    ensure!(stored.is_null(), "settings are still stored: {stored}");
    browser.goto(&harness.url("/barista/settings")).await?;
    browser
        .wait_for_text_containing(".alert.info", "deployed with the app")
        .await?;
    ensure!(browser.value(&input(Field::Region)).await? == "us-east-1");
    browser.close().await
}

/// Apps deployed without `settings.json`: a customer's phone says the bar is not set up
/// (no backend fields, no link to them); staff devices show the settings page inside
/// the app's shell, readable on the TV.
#[tokio::test]
async fn an_app_deployed_without_settings() -> Result<()> {
    let harness = Harness::start_without_app_settings().await?;
    let phone = harness.browser(device_for(AppKind::Order)).await?;
    phone.goto(&harness.url("/order/?token=V1StGXR8_Z")).await?;
    phone
        .wait_for_text("#not-set-up-title", "This coffee bar is not set up yet")
        .await?;
    let fields = phone
        .js("return document.querySelectorAll('input, select').length + document.querySelectorAll('a[href*=\"settings\"]').length")
        .await?;
    ensure!(fields == 0, "a customer sees no settings fields or links");
    ensure!(
        phone.url().await?.ends_with("?token=V1StGXR8_Z"),
        "the scanned token is kept"
    );
    phone.look("order-not-set-up").await?;
    phone.close().await?;

    for app in [AppKind::Barista, AppKind::Display] {
        let browser = harness.browser(device_for(app)).await?;
        browser
            .goto(&harness.url(&format!("/{}/", app.slug())))
            .await?;
        browser.wait_for_text("#settings-title", "Settings").await?;
        ensure!(browser.wait_for(".app-header").await.is_ok());
        browser
            .look(&format!("{}-settings-first-run", app.slug()))
            .await?;
        browser.close().await?;
    }
    Ok(())
}
