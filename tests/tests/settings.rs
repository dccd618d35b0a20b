//! The settings page of each app (contract §1) and the rules that keep a stranger's link
//! from redirecting a device's credentials (`shared::trust`): staff hand-offs, the
//! confirmation of new hosts, validation, a deployment's `settings.json` winning over
//! what a browser saved, and an app deployed without settings.

use anyhow::{ensure, Result};
use e2e::{device_for, eventually, Browser, Harness, ADMIN};
use shared::{AppKind, Field, SettingsDraft};

fn input(field: Field) -> String {
    format!("#setting-{}", field.key())
}

/// What this browser saved for `app` (JSON), or null.
async fn saved(browser: &Browser, app: AppKind) -> Result<serde_json::Value> {
    browser
        .js(&format!(
            "return localStorage.getItem('{}')",
            app.storage_key()
        ))
        .await
}

/// The keys of every session kept in this browser.
async fn session_keys(browser: &Browser) -> Result<Vec<String>> {
    let keys = browser
        .js("return Object.keys(localStorage).filter(k => k.includes('.session.'))")
        .await?;
    Ok(serde_json::from_value(keys)?)
}

/// The barista's iPad set up by the emulator's hand-off link and signed in: a device of a
/// coffee bar with nothing deployed beside its apps. Returns the settings it holds.
async fn barista_set_up_by_hand(harness: &Harness, ipad: &Browser) -> Result<SettingsDraft> {
    let settings = harness.local_settings();
    ipad.goto(&harness.url(&format!(
        "/barista/?{}",
        settings.to_query(AppKind::Barista)
    )))
    .await?;
    ipad.click_button("Save and reload").await?;
    ipad.click_button("Use these hosts").await?;
    ipad.sign_in(ADMIN.0, ADMIN.1).await?;
    ipad.wait_for(".board").await?;
    ensure!(session_keys(ipad).await?.len() == 1, "signed in");
    Ok(settings)
}

/// A staff device with no deployed settings (the workshop's way): the hand-off link
/// fills in the page, saving lists every host the device will trust, and only "Use these
/// hosts" saves; the settings persist and the token in the address survives.
async fn hand_off_is_confirmed_host_by_host(app: AppKind) -> Result<()> {
    let harness = Harness::start_without_app_settings().await?;
    let browser = harness.browser(device_for(app)).await?;
    let settings = harness.local_settings();
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

    browser.click_button("Save and reload").await?;
    browser.wait_for("#host-changes").await?;
    let listed = browser.text("#host-changes").await?;
    let host = harness.emulator.addr.to_string();
    ensure!(
        listed.contains(&format!("Order manager endpoint: none → {host}")),
        "the new hosts are listed, old → new: {listed}"
    );
    browser
        .look(&format!("{}-settings-confirm-hosts", app.slug()))
        .await?;
    ensure!(
        saved(&browser, app).await?.is_null(),
        "nothing is saved before the hosts are confirmed"
    );
    browser.click_button("Use these hosts").await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
    let url = browser.url().await?;
    ensure!(
        url == harness.url(&format!("/{}/?token=KEEP_ME_123", app.slug())),
        "after saving, the URL should keep only the token, not the settings: {url}"
    );

    // Reload, then open the settings page: the values come from storage now.
    browser.reload().await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
    browser
        .goto(&harness.url(&format!("/{}/settings", app.slug())))
        .await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    for &field in app.fields() {
        ensure!(
            browser.value(&input(field)).await? == value_shown(&settings, field),
            "{app:?}: {field:?} did not persist"
        );
    }
    // Saving the same hosts again asks nothing.
    browser.click_button("Save and reload").await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
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
async fn barista_hand_off_is_confirmed_host_by_host() -> Result<()> {
    hand_off_is_confirmed_host_by_host(AppKind::Barista).await
}

#[tokio::test]
async fn display_hand_off_is_confirmed_host_by_host() -> Result<()> {
    hand_off_is_confirmed_host_by_host(AppKind::Display).await
}

/// The attack: a forged link that points a barista's iPad at the attacker's host. On a
/// device without deployed settings a host that is neither AWS's nor this machine's is
/// refused outright; an AWS-looking one needs the confirmation that names it; a device
/// that was signed in stays signed in to its own backend until someone confirms.
#[tokio::test]
async fn a_forged_link_cannot_redirect_the_barista() -> Result<()> {
    let app = AppKind::Barista;
    let harness = Harness::start_without_app_settings().await?;
    let ipad = harness.browser(device_for(app)).await?;
    let settings = barista_set_up_by_hand(&harness, &ipad).await?;
    let sessions = session_keys(&ipad).await?;
    let before = saved(&ipad, app).await?;

    let mut forged = settings.clone();
    forged.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
    ipad.goto(&harness.url(&format!("/barista/?{}", forged.to_query(app))))
        .await?;
    ipad.wait_for_text_containing(
        "#setting-orderManagerEndpoint-error",
        "Use AWS's own endpoint for this region",
    )
    .await?;
    ipad.look("barista-settings-forged-link").await?;
    ipad.click_button("Save and reload").await?;
    eventually("the error summary has focus", || async {
        Ok(ipad.js("return document.activeElement.id").await? == "settings-errors")
    })
    .await?;

    // An API Gateway host of the region passes the format, but is named before saving.
    let aws_like = "https://attacker01.execute-api.us-east-1.amazonaws.com/Prod/";
    forged.set(Field::OrderManagerEndpoint, aws_like);
    ipad.goto(&harness.url(&format!("/barista/?{}", forged.to_query(app))))
        .await?;
    ipad.click_button("Save and reload").await?;
    ipad.wait_for_text_containing(
        "#host-changes",
        &format!(
            "Order manager endpoint: {} → attacker01.execute-api.us-east-1.amazonaws.com",
            harness.emulator.addr
        ),
    )
    .await?;
    ipad.click_button("Not now").await?;
    ipad.goto(&harness.url("/barista/")).await?;
    ipad.wait_for(".board").await?;
    ensure!(
        saved(&ipad, app).await? == before,
        "the settings did not change"
    );
    ensure!(session_keys(&ipad).await? == sessions, "still signed in");
    ipad.close().await
}

/// On a deployment (the emulator serves each app's `settings.json`) a link can change
/// nothing that decides where credentials go: the fields are fixed and say why, and
/// nothing is saved.
#[tokio::test]
async fn a_deployment_fixes_where_credentials_go() -> Result<()> {
    let app = AppKind::Barista;
    let harness = Harness::start().await?;
    let ipad = harness.browser(device_for(app)).await?;
    let mut forged = harness.local_settings();
    forged.set(
        Field::OrderManagerEndpoint,
        "https://attacker01.execute-api.us-east-1.amazonaws.com/Prod/",
    );
    ipad.goto(&harness.url(&format!("/barista/?{}", forged.to_query(app))))
        .await?;
    ipad.wait_for("#settings-locked").await?;
    ipad.wait_for_text_containing(
        "#settings-ignored",
        "Order manager endpoint: https://attacker01.execute-api.us-east-1.amazonaws.com/Prod/",
    )
    .await?;
    let deployed = harness.local_settings();
    ensure!(
        ipad.value(&input(Field::OrderManagerEndpoint)).await?
            == deployed.get(Field::OrderManagerEndpoint),
        "the form shows the deployment's endpoint"
    );
    ensure!(
        ipad.attr(&input(Field::OrderManagerEndpoint), "readonly")
            .await?
            .is_some(),
        "the field cannot be edited"
    );
    ipad.look("barista-settings-deployment-fixed").await?;
    ipad.click_button("Save and reload").await?;
    ipad.wait_for_text("#auth-title", "Sign in").await?;
    ensure!(
        saved(&ipad, app).await?.is_null(),
        "nothing differs from the deployment, so nothing was saved"
    );
    ipad.close().await
}

/// The attack on a customer: a printed QR code whose link carries settings. The order app
/// takes no settings from links: the phone goes on to sign in with the deployment's
/// settings, and its settings page ignores the query too.
#[tokio::test]
async fn a_customer_phone_ignores_settings_in_a_link() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness.browser(device_for(AppKind::Order)).await?;
    let mut forged = harness.local_settings();
    forged.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
    forged.set(Field::CognitoEndpoint, "https://evil.example/cognito/");
    let query = forged.to_query(AppKind::Order);
    phone
        .goto(&harness.url(&format!("/order/?token=V1StGXR8_Z&{query}")))
        .await?;
    phone
        .wait_for_text("#auth-title", "Sign in to order")
        .await?;
    phone
        .goto(&harness.url(&format!("/order/settings?{query}")))
        .await?;
    phone.wait_for_text("#settings-title", "Settings").await?;
    let deployed = harness.local_settings();
    ensure!(
        phone.value(&input(Field::OrderManagerEndpoint)).await?
            == deployed.get(Field::OrderManagerEndpoint),
        "the link's endpoint is not even shown"
    );
    ensure!(saved(&phone, AppKind::Order).await?.is_null());
    phone.close().await?;

    // Without a deployment the phone is simply not set up.
    let bare = Harness::start_without_app_settings().await?;
    let phone = bare.browser(device_for(AppKind::Order)).await?;
    phone
        .goto(&bare.url(&format!("/order/?token=V1StGXR8_Z&{query}")))
        .await?;
    phone
        .wait_for_text("#not-set-up-title", "This coffee bar is not set up yet")
        .await?;
    phone.close().await
}

/// Invalid and missing values get a message each, the summary takes focus, and nothing
/// is saved: a reload still shows the settings page with empty storage.
async fn invalid_values_show_messages_and_are_not_saved(app: AppKind) -> Result<()> {
    let harness = Harness::start_without_app_settings().await?;
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
    // A link's values are checked at once.
    browser
        .wait_for_text(
            "#setting-region-error",
            "⚠ Enter an AWS region in lower case, such as us-east-1.",
        )
        .await?;
    // A person empties one field.
    browser.empty(&input(Field::ConfigEndpoint)).await?;
    browser.click_button("Save and reload").await?;
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
    browser
        .wait_for_text_containing("#setting-APIGWEndpointConfigService-error", "required")
        .await?;
    // The ids carry region us-east-1 but the region is invalid: no mismatch message.
    ensure!(!browser.shows("#setting-userPoolId-error").await?);
    eventually("the error summary has focus", || async {
        Ok(browser.js("return document.activeElement.id").await? == "settings-errors")
    })
    .await?;
    ensure!(browser.text("#settings-errors strong").await? == "3 settings need attention:");
    browser
        .look(&format!("{}-settings-invalid", app.slug()))
        .await?;

    // Fixing one field updates its message straight away.
    browser.fill(&input(Field::Region), "us-east-1").await?;
    eventually("the region error disappears", || async {
        Ok(!browser.shows("#setting-region-error").await?)
    })
    .await?;
    ensure!(
        saved(&browser, app).await?.is_null(),
        "invalid settings were stored"
    );
    // Nothing saved: the staff app shows its settings page again.
    browser
        .goto(&harness.url(&format!("/{}/", app.slug())))
        .await?;
    browser.wait_for_text("#settings-title", "Settings").await?;
    browser.close().await
}

#[tokio::test]
async fn barista_invalid_settings_are_refused_with_messages() -> Result<()> {
    invalid_values_show_messages_and_are_not_saved(AppKind::Barista).await
}

#[tokio::test]
async fn display_invalid_settings_are_refused_with_messages() -> Result<()> {
    invalid_values_show_messages_and_are_not_saved(AppKind::Display).await
}

/// Settings a browser saved no longer win over the deployment's: saved before these
/// rules (here written straight into storage, as an old version or a forged link once
/// did), they are set aside, the app runs with the deployment's, the settings page says
/// why, and Clear settings removes them.
#[tokio::test]
async fn a_deployment_wins_over_settings_saved_in_the_browser() -> Result<()> {
    let app = AppKind::Barista;
    let harness = Harness::start().await?;
    let browser = harness.browser(device_for(app)).await?;
    browser.goto(&harness.url("/barista/")).await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
    let mut old = harness.local_settings();
    old.set(Field::OrderManagerEndpoint, "https://evil.example/Prod/");
    browser
        .js(&format!(
            "localStorage.setItem('{}', {})",
            app.storage_key(),
            serde_json::to_string(&old.to_json())?
        ))
        .await?;
    browser.reload().await?;
    browser.sign_in(ADMIN.0, ADMIN.1).await?;
    browser.wait_for_connection("live").await?;

    browser.goto(&harness.url("/barista/settings")).await?;
    browser
        .wait_for_text_containing(
            "#settings-set-aside",
            "Settings saved in this browser are not used",
        )
        .await?;
    ensure!(
        browser.value(&input(Field::OrderManagerEndpoint)).await?
            == harness.local_settings().get(Field::OrderManagerEndpoint)
    );
    browser.look("barista-settings-set-aside").await?;
    browser.click_button("Clear settings").await?;
    browser.wait_for(".board, #auth-title").await?;
    ensure!(
        saved(&browser, app).await?.is_null(),
        "the old settings are gone"
    );
    browser.close().await
}

/// New settings end the session: a device pointed at other services never offers them
/// the tokens it had, and is signed out.
#[tokio::test]
async fn new_settings_end_the_session() -> Result<()> {
    let app = AppKind::Barista;
    let harness = Harness::start_without_app_settings().await?;
    let ipad = harness.browser(device_for(app)).await?;
    let settings = barista_set_up_by_hand(&harness, &ipad).await?;

    let mut elsewhere = settings.clone();
    let port = harness.emulator.addr.port();
    elsewhere.set(
        Field::OrderManagerEndpoint,
        &format!("http://localhost:{port}/order-manager/Prod/"),
    );
    ipad.goto(&harness.url(&format!("/barista/?{}", elsewhere.to_query(app))))
        .await?;
    ipad.click_button("Save and reload").await?;
    ipad.click_button("Use these hosts").await?;
    ipad.wait_for_text("#auth-title", "Sign in").await?;
    ensure!(
        session_keys(&ipad).await?.is_empty(),
        "the old session was deleted"
    );
    ipad.close().await
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
    // The header's language switch is the one control a customer may use here.
    let fields = phone
        .js("return document.querySelectorAll('input, select:not(#language)').length + document.querySelectorAll('a[href*=\"settings\"]').length")
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
