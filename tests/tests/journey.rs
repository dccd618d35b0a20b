//! The whole bar in one browser, against both backends people deploy: the workshop's (W)
//! and serverless-coffee's multi-event one (E). The phone scans the TV's QR code and
//! orders (with milk in E), the barista makes and completes it, the TV shows it Ready,
//! the phone says so; orders time out, are cancelled, meet a closed store; two events at
//! once never see each other's orders.

use anyhow::{ensure, Result};
use e2e::people::drink_line;
use e2e::{eventually, Browser, Harness, IPAD, PHONE, TV};
use emulator::Variant;
use shared::AppKind;

fn e() -> Variant {
    Variant::event("ABC")
}

/// The TV, the barista's iPad and a customer's phone, signed in.
async fn the_bar(harness: &Harness, customer: &str) -> Result<(Browser, Browser, Browser)> {
    let (tv, ipad, phone) = (
        harness.browser(TV).await?,
        harness.browser(IPAD).await?,
        harness.browser(PHONE).await?,
    );
    let (admin, secret) = harness.admin();
    harness
        .sign_in_to(&tv, AppKind::Display, (&admin, &secret))
        .await?;
    tv.wait_for_connection("live").await?;
    harness
        .sign_in_to(&ipad, AppKind::Barista, (&admin, &secret))
        .await?;
    ipad.wait_for_connection("live").await?;
    let (user, password) = harness.customer_login(customer).await?;
    harness
        .sign_in_to(&phone, AppKind::Order, (&user, &password))
        .await?;
    phone.wait_for("#notice-title").await?;
    phone.wait_for_connection("live").await?;
    Ok((tv, ipad, phone))
}

/// The phone opens what the TV's QR code says, and orders this backend's drink.
async fn scan_and_order(harness: &Harness, tv: &Browser, phone: &Browser) -> Result<String> {
    tv.wait_for_qr_code().await?;
    tv.click(".qr-button").await?;
    let scanned = tv.text(".qr-debug").await?;
    ensure!(
        scanned.starts_with(&harness.url("/order/?token=")),
        "{scanned}"
    );
    harness.phone_orders_from(phone, &scanned).await
}

async fn scan_order_make_complete_and_collect(variant: Variant) -> Result<()> {
    let harness = Harness::start_on(variant).await?;
    let name = harness.variant.name();
    let (tv, ipad, phone) = the_bar(&harness, "journey").await?;
    let order = scan_and_order(&harness, &tv, &phone).await?;
    phone.wait_for_text(".order-number", "#1").await?;
    let (drink, option) = harness.drink();
    let row = format!(".display-list.preparing [data-order='{order}']");
    tv.wait_for_text(&format!("{row} .display-drink"), &drink_line(drink, option))
        .await?;

    let card = format!(".order-card[data-order='{order}']");
    if let Some(option) = option {
        ipad.wait_for_text(&format!("{card} .order-card-options"), option)
            .await?;
    }
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
    tv.look(&format!("journey-{name}-board")).await?;
    ipad.look(&format!("journey-{name}-console")).await?;
    phone.look(&format!("journey-{name}-phone")).await?;

    // E (and V1) have the order-journey pages; W has none, and shows no link.
    let journeys = phone
        .client
        .find_all(fantoccini::Locator::LinkText("View order journey"))
        .await?;
    match harness.variant {
        Variant::W => ensure!(journeys.is_empty(), "W has no journey pages"),
        Variant::E { .. } => {
            let href = phone
                .attr(".status a[href$='.html']", "href")
                .await?
                .unwrap_or_default();
            ensure!(href.ends_with(&format!("/journey/{order}.html")), "{href}");
            phone.goto(&href).await?;
            phone.wait_for("h1").await?;
            ensure!(
                phone.text("body").await?.contains("ready"),
                "the journey says it is ready"
            );
            phone.look("journey-e-page").await?;
        }
    }
    for browser in [tv, ipad, phone] {
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn w_scan_order_make_complete_and_collect() -> Result<()> {
    scan_order_make_complete_and_collect(Variant::W).await
}

#[tokio::test]
async fn e_scan_order_make_complete_and_collect() -> Result<()> {
    scan_order_make_complete_and_collect(e()).await
}

/// A customer who does not choose, an order the barista cancels, a closed store.
async fn timeouts_cancels_and_a_closed_store(variant: Variant) -> Result<()> {
    let harness = Harness::start_on(variant).await?;
    let (tv, _ipad, phone) = the_bar(&harness, "waverer").await?;

    // The barista cancels an order: the phone says so and the TV lets it go.
    let order = scan_and_order(&harness, &tv, &phone).await?;
    let row = format!(".display-list.preparing [data-order='{order}']");
    tv.wait_for(&row).await?;
    harness.barista_action(&order, "cancel").await?;
    phone
        .wait_for_text("#status-title", "Your order was cancelled")
        .await?;
    eventually("the TV lets the cancelled order go", || async {
        Ok(!tv.shows(&row).await?)
    })
    .await?;

    // The store closes: the TV says so, and a scan meets a closed store.
    harness.barista().await?.set_store(false).await?;
    tv.wait_for_text("#qr-title", "The store is not taking orders right now")
        .await?;
    phone.goto(&harness.url("/order/")).await?;
    phone
        .wait_for_text("#notice-title", "The store is closed")
        .await?;
    harness.open_store().await?;
    tv.wait_for_qr_code().await?;
    for browser in [tv, _ipad, phone] {
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn w_cancels_and_a_closed_store() -> Result<()> {
    timeouts_cancels_and_a_closed_store(Variant::W).await
}

#[tokio::test]
async fn e_cancels_and_a_closed_store() -> Result<()> {
    timeouts_cancels_and_a_closed_store(e()).await
}

/// The customer's five minutes run out (shortened): W leaves the order `CREATED`, E's
/// timeout Lambda marks it cancelled with a reason; the phone says the same for both.
async fn the_time_to_choose_runs_out(variant: Variant) -> Result<()> {
    // Every timer 30 times faster, and the apps told so: 10 s to choose.
    let harness = Harness::start_timed_on(variant, shared::windows::Windows::scaled(30)).await?;
    let phone = harness.browser(PHONE).await?;
    let (user, password) = harness.customer_login("slow").await?;
    harness
        .sign_in_to(&phone, AppKind::Order, (&user, &password))
        .await?;
    // A 10-second QR window may end between reading the code and opening it: scan again.
    // On a loaded machine the 10 seconds to choose may be over before the menu is seen.
    harness
        .phone_scans_until(&phone, "#menu-title, #status-title")
        .await?;
    phone
        .wait_for_text("#status-title", "Time ran out to choose")
        .await?;
    // After a reload the order is over (REST: a zombie in W, cancelled with a reason in
    // E): no menu for it, the phone asks for a new scan or says why it ended.
    phone.reload().await?;
    phone.wait_for("#notice-title, #status-title").await?;
    ensure!(
        !phone.shows("#menu-title").await?,
        "a menu for an order whose time ran out"
    );
    phone.close().await
}

#[tokio::test]
async fn w_the_time_to_choose_runs_out() -> Result<()> {
    the_time_to_choose_runs_out(Variant::W).await
}

#[tokio::test]
async fn e_the_time_to_choose_runs_out() -> Result<()> {
    the_time_to_choose_runs_out(e()).await
}

/// Two events on one E backend: each TV shows its own event's orders only.
#[tokio::test]
async fn two_events_at_once_never_cross() -> Result<()> {
    let variant = Variant::e(["ABC", "XYZ"])?;
    let harness = Harness::start_on(variant).await?;
    let base = harness.emulator.base_url();
    let (admin, secret) = harness.admin();
    let mut xyz_barista = harness.client_of_event("XYZ")?;
    xyz_barista.sign_in_as(&base, &admin, &secret).await?;
    xyz_barista.set_store(true).await?;

    let abc_tv = harness.browser(TV).await?;
    harness
        .sign_in_to(&abc_tv, AppKind::Display, (&admin, &secret))
        .await?;
    // The second TV is set up for event XYZ through the staff hand-off link.
    let xyz_tv = harness.browser(TV).await?;
    let xyz_settings =
        emulator::local::settings_for_event(&base, &shared::windows::Windows::AWS, "XYZ");
    xyz_tv
        .goto(&harness.url(&format!(
            "/display/?{}",
            xyz_settings.to_query(AppKind::Display)
        )))
        .await?;
    xyz_tv.click_button("Save and reload").await?;
    harness.phone_sign_in(&xyz_tv, &admin).await?;
    for tv in [&abc_tv, &xyz_tv] {
        tv.wait_for_connection("live").await?;
    }

    let at_abc = harness.order("abc-guest", "Flat White").await?;
    let mut xyz_guest = harness.client_of_event("XYZ")?;
    xyz_guest.register_customer(&base, "xyz-guest").await?;
    let code = xyz_barista.qr_code().await?["last_code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let at_xyz = xyz_guest.scan_ok(&code).await?;
    eventually("the XYZ order reaches its baristas", || async {
        let rows = xyz_barista
            .orders(&shared::model::OrderState::Created)
            .await?;
        Ok(rows.iter().any(|o| o["SK"]["S"] == at_xyz.as_str()))
    })
    .await?;
    xyz_guest
        .submit_drink(&at_xyz, "Americano", &["Regular"])
        .await?;

    let row = |order: &str| format!(".display-list.preparing [data-order='{order}']");
    abc_tv.wait_for(&row(&at_abc)).await?;
    xyz_tv.wait_for(&row(&at_xyz)).await?;
    for (tv, other) in [(&abc_tv, &at_xyz), (&xyz_tv, &at_abc)] {
        ensure!(
            !tv.shows(&row(other)).await?,
            "an order of the other event is on this TV"
        );
    }
    xyz_tv.look("display-e-second-event").await?;
    abc_tv.close().await?;
    xyz_tv.close().await
}
