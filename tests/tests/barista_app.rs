//! The barista console on an iPad: orders arrive live and move through Preview,
//! Production and Pickup; the backend agrees; two baristas share a bar.

use anyhow::{ensure, Context, Result};
use e2e::{eventually, Device, Harness, ADMIN, IPAD};
use emulator::client::{Client, Method};
use shared::AppKind;

fn card_in(column: usize, order: &str) -> String {
    format!(".board-column:nth-child({column}) .order-card[data-order='{order}']")
}

/// Three drinks of this backend's menu: the W workshop's or E's seed.
fn menu(harness: &Harness) -> [&'static str; 3] {
    match harness.variant {
        emulator::Variant::W => ["Latte", "Espresso", "Americano"],
        emulator::Variant::E { .. } => ["Americano", "Flat White", "Double Espresso"],
    }
}

/// The all-day strip's words for these counts: most first, then by name.
fn strip(counts: &[(u32, &str)]) -> Vec<String> {
    let mut counts = counts.to_vec();
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    counts.iter().map(|(n, d)| format!("{n} {d}")).collect()
}

/// Runs a test in W and in E (its event ABC).
macro_rules! in_w_and_e {
    ($test:ident, $w:ident, $e:ident) => {
        #[tokio::test]
        async fn $w() -> Result<()> {
            $test(emulator::Variant::W).await
        }

        #[tokio::test]
        async fn $e() -> Result<()> {
            $test(emulator::Variant::event("ABC")).await
        }
    };
}

/// The barista taps Make on `order`'s card once it is in Preview.
async fn tap_make(browser: &e2e::Browser, order: &str) -> Result<()> {
    browser.wait_for(&card_in(1, order)).await?;
    browser
        .click(&format!("{} .button.make", card_in(1, order)))
        .await
}

async fn backend_state(barista: &Client, order: &str) -> Result<String> {
    let body = barista
        .rest(Method::GET, &barista.om(&format!("orders/{order}")), None)
        .await?
        .body;
    let order = shared::wire::parse_order_body(&body, shared::Flavour::W)?;
    Ok(format!("{:?}", order.state))
}

#[tokio::test]
async fn orders_move_through_preview_production_and_pickup() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.staff_console().await?;
    browser.wait_for_text(".store-state", "Store open").await?;

    let first = harness.order("ana", "Latte").await?;
    browser.wait_for(&card_in(1, &first)).await?;
    let second = harness.order("bo", "Americano").await?;
    browser.wait_for(&card_in(1, &second)).await?;
    ensure!(
        browser
            .text(&format!("{} .order-card-number", card_in(1, &first)))
            .await?
            == "#1"
    );
    ensure!(browser
        .attr(&card_in(1, &first), "class")
        .await?
        .unwrap_or_default()
        .contains("age-fresh"));
    browser.look("barista-preview").await?;

    tap_make(&browser, &first).await?;
    browser.wait_for(&card_in(2, &first)).await?;
    let barista = harness.barista().await?;
    let rows = barista
        .rest(Method::GET, &barista.om("orders?state=CREATED"), None)
        .await?
        .json()?;
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["SK"]["S"] == first.as_str())
        .cloned()
        .unwrap_or_default();
    ensure!(
        row["baristaUserId"]["S"] == barista.sub()?.as_str(),
        "the backend has the claim: {row}"
    );
    browser.look("barista-production").await?;

    // Unmake puts it back for anyone, then make again.
    browser
        .click(&format!("{} .button.secondary", card_in(2, &first)))
        .await?;
    tap_make(&browser, &first).await?;
    browser.wait_for(&card_in(2, &first)).await?;
    browser
        .click(&format!("{} .button.complete", card_in(2, &first)))
        .await?;
    browser.wait_for(&card_in(3, &first)).await?;
    ensure!(backend_state(&barista, &first).await? == "Completed");
    browser
        .wait_for_text(".recall", "Last ready: #1 Latte")
        .await?;

    browser.click_button("Cancel").await?;
    browser.look("barista-cancel-confirm").await?;
    browser.click_button("Yes").await?;
    eventually("the cancelled card leaves", || async {
        Ok(!browser.shows(&card_in(1, &second)).await?)
    })
    .await?;
    ensure!(backend_state(&barista, &second).await? == "Cancelled");
    browser.look("barista-pickup").await?;
    browser.close().await
}

#[tokio::test]
async fn customers_are_refused() -> Result<()> {
    let harness = Harness::start().await?;
    harness.customer("eve").await?;
    let browser = harness.browser(IPAD).await?;
    harness.open(&browser, AppKind::Barista).await?;
    let tv = harness.browser(e2e::TV).await?;
    harness.open(&tv, AppKind::Display).await?;
    ensure!(
        !tv.text(".auth-card").await?.contains("Create an account"),
        "the TV offers no account creation"
    );
    tv.look("display-sign-in").await?;
    tv.close().await?;
    browser.wait_for_text("#auth-title", "Sign in").await?;
    ensure!(
        !browser
            .text(".auth-card")
            .await?
            .contains("Create an account"),
        "staff apps offer no account creation"
    );
    browser.look("barista-sign-in").await?;
    browser.sign_in("eve@example.com", "password1").await?;
    browser
        .wait_for_text("#privileges-title", "Insufficient privileges")
        .await?;
    browser.look("barista-insufficient-privileges").await?;
    browser.close().await
}

#[tokio::test]
async fn the_store_switch_waits_for_the_backend() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.staff_console().await?;
    browser.wait_for_text(".store-state", "Store open").await?;
    browser.click_button("Close store").await?;
    browser.click_button("Yes").await?;
    browser
        .wait_for_text(".store-state", "Store closed")
        .await?;
    let client = harness.client();
    let config = client
        .rest(Method::GET, &client.config("config"), None)
        .await?
        .json()?;
    let item = config
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["PK"]["S"] == "config")
        .cloned()
        .unwrap_or_default();
    ensure!(item["storeOpen"]["BOOL"] == false);
    browser.click_button("Open store").await?;
    browser.click_button("Yes").await?;
    browser.wait_for_text(".store-state", "Store open").await?;
    browser.close().await
}

#[tokio::test]
async fn two_baristas_share_the_bar() -> Result<()> {
    let harness = Harness::start().await?;
    harness.emulator.cognito.create_user(
        &harness.emulator.backend.store,
        "second@example.com",
        "second-secret",
        &["admin"],
    )?;
    let first = harness.browser(IPAD).await?;
    let second = harness.browser(IPAD).await?;
    harness.sign_in_to(&first, AppKind::Barista, ADMIN).await?;
    harness
        .sign_in_to(
            &second,
            AppKind::Barista,
            ("second@example.com", "second-secret"),
        )
        .await?;
    first.wait_for_connection("live").await?;
    second.wait_for_connection("live").await?;
    let order = harness.order("ana", "Latte").await?;
    first.wait_for(&card_in(1, &order)).await?;
    second.wait_for(&card_in(1, &order)).await?;
    first
        .click(&format!("{} .button.make", card_in(1, &order)))
        .await?;
    first.wait_for(&card_in(2, &order)).await?;
    second
        .wait_for_text(
            &format!("{} .claimed", card_in(1, &order)),
            "Being made by another barista",
        )
        .await?;
    second.look("barista-claimed-by-another").await?;
    first.close().await?;
    second.close().await
}

#[tokio::test]
async fn orders_placed_while_offline_appear_after_reconnecting() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.staff_console().await?;
    let stopped = harness.stop_emulator().await?;
    browser.wait_for_connection("reconnecting").await?;
    let harness = stopped.restart().await?;
    let order = harness.order("cy", "Espresso").await?;
    browser.wait_for(&card_in(1, &order)).await?;
    browser.wait_for_connection("live").await?;
    browser.close().await
}

/// Ageing colours: an order that reached the baristas three minutes ago is amber, one
/// from six minutes ago red (its time is written back, as if the clock had run).
#[tokio::test]
async fn ageing_orders_change_colour() -> Result<()> {
    let harness = Harness::start().await?;
    let waiting = harness.order("ana", "Latte").await?;
    let late = harness.order("bo", "Espresso").await?;
    let barista = harness.barista().await?;
    eventually("both reached the baristas", || async {
        let rows = barista
            .rest(Method::GET, &barista.om("orders?state=CREATED"), None)
            .await?
            .json()?;
        Ok(rows
            .as_array()
            .is_some_and(|r| r.iter().filter(|o| o.get("orderNumber").is_some()).count() == 2))
    })
    .await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    for (order, age_ms) in [(&waiting, 180_000), (&late, 360_000)] {
        harness.emulator.backend.store.write(|tx| {
            let mut item = emulator::store::order(tx, order)?.expect("the order exists");
            item.insert("TS".into(), shared::dynamo::AttributeValue::n(now - age_ms));
            emulator::store::put_order(tx, &item)
        })?;
    }
    let browser = harness
        .browser(Device {
            name: "ipad-portrait",
            width: 820,
            height: 1180,
            touch: true,
        })
        .await?;
    harness
        .sign_in_to(&browser, AppKind::Barista, ADMIN)
        .await?;
    browser.wait_for(&card_in(1, &waiting)).await?;
    ensure!(browser
        .attr(&card_in(1, &waiting), "class")
        .await?
        .unwrap_or_default()
        .contains("age-waiting"));
    ensure!(browser
        .attr(&card_in(1, &late), "class")
        .await?
        .unwrap_or_default()
        .contains("age-late"));
    browser.look("barista-ageing").await?;
    browser.close().await
}

/// The strip's counts, as the barista reads them: "2 Latte", in order.
async fn all_day(browser: &e2e::Browser) -> Result<Vec<String>> {
    let script =
        "return [...document.querySelectorAll('.all-day-count')].map(e => e.textContent.trim())";
    Ok(serde_json::from_value(browser.js(script).await?)?)
}

/// REST's open orders counted by drink, most first, then by name: what the strip must say.
async fn all_day_from_rest(harness: &Harness) -> Result<Vec<String>> {
    let barista = harness.barista().await?;
    let open = barista
        .send(
            barista
                .api()
                .orders(&shared::model::OrderState::Created, None),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .orders;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let mut counts = std::collections::BTreeMap::<String, u32>::new();
    for order in open {
        if shared::windows::Windows::AWS.is_live(&order, now) {
            *counts
                .entry(order.drink.map(|d| d.drink).unwrap_or_default())
                .or_default() += 1;
        }
    }
    let mut counts: Vec<(String, u32)> = counts.into_iter().collect();
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Ok(counts
        .into_iter()
        .map(|(drink, n)| format!("{n} {drink}"))
        .collect())
}

in_w_and_e!(
    all_day_counts_follow_the_service,
    all_day_counts_follow_the_service_w,
    all_day_counts_follow_the_service_e
);

/// The all-day strip counts what waits to be made, as REST does, through a service; a
/// tap highlights that drink's cards.
async fn all_day_counts_follow_the_service(variant: emulator::Variant) -> Result<()> {
    let harness = Harness::start_timed_on(variant, shared::windows::Windows::AWS).await?;
    let [twice, once, _] = menu(&harness);
    let browser = harness.staff_console().await?;
    browser.wait_for_text(".store-state", "Store open").await?;
    ensure!(!browser.shows(".all-day").await?, "nothing waits yet");

    let first = harness.order("ana", twice).await?;
    let second = harness.order("bo", twice).await?;
    let third = harness.order("cy", once).await?;
    let expect = |counts: Vec<String>| {
        let browser = &browser;
        let harness = &harness;
        async move {
            eventually(&format!("the strip says {counts:?}"), || async {
                Ok(all_day(browser).await? == counts)
            })
            .await?;
            let rest = all_day_from_rest(harness).await?;
            ensure!(rest == counts, "REST counts {rest:?}");
            Ok::<_, anyhow::Error>(())
        }
    };
    expect(strip(&[(2, twice), (1, once)])).await?;

    browser.click(".all-day-drink").await?;
    for (order, lit) in [(&first, true), (&second, true), (&third, false)] {
        eventually("the tapped drink's cards are highlighted", || async {
            let class = browser
                .attr(&format!(".order-card[data-order='{order}']"), "class")
                .await?
                .unwrap_or_default();
            Ok(class.contains("highlighted") == lit)
        })
        .await?;
    }
    ensure!(
        browser
            .attr(".all-day-drink", "aria-pressed")
            .await?
            .as_deref()
            == Some("true")
    );
    browser.look("barista-all-day").await?;
    // The smaller iPad, portrait, sees the strip too.
    let small = harness
        .browser(Device {
            name: "ipad-portrait-small",
            width: 768,
            height: 1024,
            touch: true,
        })
        .await?;
    let (admin, secret) = harness.admin();
    harness
        .sign_in_to(&small, AppKind::Barista, (&admin, &secret))
        .await?;
    small
        .wait_for_text(".all-day-count", &format!("2 {twice}"))
        .await?;
    small.look("barista-all-day").await?;
    small.close().await?;

    // Through the service: made and ready, cancelled.
    harness.barista_action(&first, "make").await?;
    expect(strip(&[(2, twice), (1, once)])).await?;
    harness.barista_action(&first, "complete").await?;
    expect(strip(&[(1, twice), (1, once)])).await?;
    harness.barista_action(&third, "cancel").await?;
    expect(strip(&[(1, twice)])).await?;
    harness.barista_action(&second, "make").await?;
    harness.barista_action(&second, "complete").await?;
    eventually("nothing waits: the strip goes", || async {
        Ok(!browser.shows(".all-day").await?)
    })
    .await?;
    ensure!(all_day_from_rest(&harness).await?.is_empty());
    browser.close().await
}

in_w_and_e!(
    recent_orders_show_what_happened_to_each,
    recent_orders_show_what_happened_to_each_w,
    recent_orders_show_what_happened_to_each_e
);

/// "I never got #14": the recent orders panel says what happened to each order that
/// left the board (ready, cancelled, timed out), finds one by its number, and still
/// knows the timed-out one after a reload.
async fn recent_orders_show_what_happened_to_each(variant: emulator::Variant) -> Result<()> {
    // Forty times faster: the baristas' window is 22.5 s, and the console knows it.
    let windows = shared::windows::Windows::scaled(40);
    let harness = Harness::start_timed_on(variant, windows).await?;
    let [first, second, third] = menu(&harness);
    let browser = harness.staff_console().await?;
    let ready = harness.order("ana", first).await?;
    let cancelled = harness.order("bo", second).await?;
    let forgotten = harness.order("cy", third).await?;
    browser.wait_for(&card_in(1, &forgotten)).await?;
    harness.barista_action(&ready, "make").await?;
    harness.barista_action(&ready, "complete").await?;
    harness.barista_action(&cancelled, "cancel").await?;

    browser.click_button("Recent orders").await?;
    let outcome = |order: &str| format!("#recent-orders tr[data-order='{order}'] .badge");
    browser.wait_for_text(&outcome(&ready), "Ready").await?;
    browser
        .wait_for_text(&outcome(&cancelled), "Cancelled")
        .await?;
    // Nobody makes the third: its window ends.
    let window = std::time::Duration::from_millis(windows.barista_ms as u64);
    browser
        .wait_for_text_within(window * 2, &outcome(&forgotten), "Timed out")
        .await
        .context("the timed-out order, live")?;
    browser.look("barista-recent-orders").await?;

    // Found by its number, alone.
    let number = browser
        .text(&format!("#recent-orders tr[data-order='{forgotten}'] th"))
        .await?;
    browser.fill("#recent-orders input", &number).await?;
    eventually("only the order searched for is listed", || async {
        let rows = browser
            .js("return document.querySelectorAll('#recent-orders tbody tr').length")
            .await?;
        Ok(rows == 1 && browser.shows(&outcome(&forgotten)).await?)
    })
    .await?;
    browser.fill("#recent-orders input", "999").await?;
    browser
        .wait_for_text("#recent-orders .empty", "No recent order numbered 999.")
        .await?;

    // After a reload, REST and the console's log still tell the ready and the timed-out
    // ones (in E, REST lists a timed-out order as cancelled, without the reason: the log
    // knows).
    browser.reload().await?;
    browser.wait_for_connection("live").await?;
    browser.click_button("Recent orders").await?;
    browser
        .wait_for_text(&outcome(&forgotten), "Timed out")
        .await
        .context("the timed-out order, after a reload")?;
    browser.wait_for_text(&outcome(&ready), "Ready").await?;
    browser.close().await
}

/// Keys as a bump bar sends them, pressed where the focus is.
const ENTER: &str = "\u{E007}";
const DELETE: &str = "\u{E017}";
const ARROW_DOWN: &str = "\u{E015}";
const ESCAPE: &str = "\u{E00C}";
const F2: &str = "\u{E032}";

in_w_and_e!(
    a_service_driven_from_the_keyboard,
    a_service_driven_from_the_keyboard_w,
    a_service_driven_from_the_keyboard_e
);

/// A whole service from the keyboard alone: select, make, ready, unmake, cancel (with
/// its confirmation), and a bump bar's key given to Make, kept after a reload.
async fn a_service_driven_from_the_keyboard(variant: emulator::Variant) -> Result<()> {
    let harness = Harness::start_timed_on(variant, shared::windows::Windows::AWS).await?;
    let [drink, other, _] = menu(&harness);
    let browser = harness.staff_console().await?;
    let first = harness.order("ana", drink).await?;
    let second = harness.order("bo", other).await?;
    browser.wait_for(&card_in(1, &second)).await?;
    let selected = |order: &str| format!(".order-card[data-order='{order}'][aria-current='true']");

    // 1 selects the first card; Enter makes it, Enter again has it ready.
    browser.press("1").await?;
    browser.wait_for(&selected(&first)).await?;
    browser.look("barista-keyboard-selected").await?;
    browser.press(ENTER).await?;
    browser.wait_for(&card_in(2, &first)).await?;
    browser.wait_for(&selected(&first)).await?;
    // u unmakes, Enter makes again, Enter completes.
    browser.press("u").await?;
    browser.wait_for(&card_in(1, &first)).await?;
    browser.press(ENTER).await?;
    browser.wait_for(&card_in(2, &first)).await?;
    browser.press(ENTER).await?;
    browser.wait_for(&card_in(3, &first)).await?;
    eventually("the backend has it completed", || async {
        Ok(backend_state(&harness.barista().await?, &first).await? == "Completed")
    })
    .await?;

    // ↓ selects the next waiting card; Delete asks first; Escape keeps it; Enter on
    // "Yes" cancels it.
    browser.press(ARROW_DOWN).await?;
    browser.wait_for(&selected(&second)).await?;
    browser.press(DELETE).await?;
    browser.wait_for(".confirm").await?;
    browser.press(ESCAPE).await?;
    eventually("the question goes, the order stays", || async {
        Ok(!browser.shows(".confirm").await? && browser.shows(&card_in(1, &second)).await?)
    })
    .await?;
    browser.press(DELETE).await?;
    browser.wait_for(".confirm").await?;
    browser.press(ENTER).await?;
    eventually("the backend has it cancelled", || async {
        Ok(backend_state(&harness.barista().await?, &second).await? == "Cancelled")
    })
    .await?;

    // A bump bar's F2 takes over Make, and is kept.
    browser.press("?").await?;
    browser.wait_for("#keys-panel:not([hidden])").await?;
    browser.look("barista-keys").await?;
    browser
        .click("#keys-panel tbody tr:first-child button")
        .await?;
    browser
        .wait_for_text("#keys-panel tbody tr:first-child button", "Press a key…")
        .await?;
    browser.press(F2).await?;
    browser
        .wait_for_text("#keys-panel tbody tr:first-child kbd", "F2")
        .await?;
    browser.reload().await?;
    browser.wait_for_connection("live").await?;
    let third = harness.order("cy", drink).await?;
    browser.wait_for(&card_in(1, &third)).await?;
    browser.press("1").await?;
    browser.wait_for(&selected(&third)).await?;
    browser.press(F2).await?;
    browser.wait_for(&card_in(2, &third)).await?;
    browser.close().await
}

in_w_and_e!(
    the_robot_switch_serves_robot_orders_only,
    the_robot_switch_serves_robot_orders_only_w,
    the_robot_switch_serves_robot_orders_only_e
);

/// The robot switch makes and completes the robot customers' orders at its speed, and
/// never a person's; closing the store turns it off.
async fn the_robot_switch_serves_robot_orders_only(variant: emulator::Variant) -> Result<()> {
    // Ten times faster: the robot acts every 3 s.
    let harness = Harness::start_timed_on(variant, shared::windows::Windows::scaled(10)).await?;
    let [drink, _, _] = menu(&harness);
    let browser = harness.staff_console().await?;
    let (cognito, store) = (&harness.emulator.cognito, &harness.emulator.backend.store);
    let robot = emulator::robot::robot_user_like(
        &harness.client(),
        cognito,
        store,
        "robot-customer@example.com",
        &["robot"],
    )
    .await?;
    let robots_order = harness.scan_current(&robot).await?;
    harness.submit(&robot, &robots_order, drink).await?;
    let persons_order = harness.order("ana", drink).await?;
    browser.wait_for(&card_in(1, &persons_order)).await?;
    browser.wait_for(&card_in(1, &robots_order)).await?;

    browser.click_button("Robot off").await?;
    browser
        .wait_for(&format!("{} .robot-made", card_in(2, &robots_order)))
        .await?;
    browser.look("barista-robot").await?;
    browser.wait_for(&card_in(3, &robots_order)).await?;
    eventually("the backend has the robot's order completed", || async {
        Ok(backend_state(&harness.barista().await?, &robots_order).await? == "Completed")
    })
    .await?;
    ensure!(
        browser.shows(&card_in(1, &persons_order)).await?,
        "the person's order is still waiting"
    );
    ensure!(backend_state(&harness.barista().await?, &persons_order).await? == "Created");

    // Closing the store turns the robot off.
    browser.click_button("Close store").await?;
    browser.click_button("Yes").await?;
    browser
        .wait_for_text(".store-state", "Store closed")
        .await?;
    browser
        .wait_for_text(".robot-switch .button", "Robot off")
        .await?;
    browser.close().await
}

in_w_and_e!(
    make_prints_a_cup_ticket_and_a_failed_one_prints_again,
    make_prints_a_cup_ticket_and_a_failed_one_prints_again_w,
    make_prints_a_cup_ticket_and_a_failed_one_prints_again_e
);

/// Make prints the drink's cup ticket on the network printer, once; a printer out of
/// paper shows on the card while the drink is made all the same, and "Print again"
/// prints it once the paper is in.
async fn make_prints_a_cup_ticket_and_a_failed_one_prints_again(
    variant: emulator::Variant,
) -> Result<()> {
    let harness = Harness::start_timed_on(variant, shared::windows::Windows::AWS).await?;
    let [drink, other, _] = menu(&harness);
    let browser = harness.staff_console().await?;
    browser.click_button("Printer").await?;
    browser
        .fill("#printer-address", &harness.printer_address())
        .await?;
    browser.click_button("Use this printer").await?;
    browser
        .wait_for_text_containing("#printer-panel [role=status]", "receipt printer at")
        .await?;
    browser.look("barista-printer").await?;
    browser.click_button("Printer").await?;

    let ticket_of = |order: &str| format!("{} .ticket-state", card_in(2, order));
    let first = harness.order("ana", drink).await?;
    tap_make(&browser, &first).await?;
    browser
        .wait_for_text_containing(&ticket_of(&first), "Ticket printed")
        .await?;
    let number = browser
        .text(&format!("{} .order-card-number", card_in(2, &first)))
        .await?;
    let tickets = harness.printed_tickets().await?;
    ensure!(
        tickets.len() == 1 && tickets[0].contains(&format!("\n{number}\n{drink}\n")),
        "one ticket for {number} {drink}, not {tickets:?}"
    );

    harness
        .faults(serde_json::json!({"printer": {"state": "paperOut"}}))
        .await?;
    let second = harness.order("bo", other).await?;
    tap_make(&browser, &second).await?;
    browser
        .wait_for_text_containing(
            &format!("{}.failed", ticket_of(&second)),
            "Ticket not printed: the printer is out of paper.",
        )
        .await?;
    browser.look("barista-ticket-failed").await?;
    ensure!(harness.printed_tickets().await?.len() == 1);

    harness.faults(serde_json::json!({"printer": null})).await?;
    browser
        .click(&format!("{}.failed button", ticket_of(&second)))
        .await?;
    browser
        .wait_for_text_containing(&ticket_of(&second), "Ticket printed")
        .await?;
    let number = browser
        .text(&format!("{} .order-card-number", card_in(2, &second)))
        .await?;
    let tickets = harness.printed_tickets().await?;
    ensure!(
        tickets.len() == 2 && tickets[1].contains(&format!("\n{number}\n{other}\n")),
        "the second ticket for {number} {other}, not {tickets:?}"
    );

    // A printer switched off: said so, and the drink is made all the same.
    harness
        .faults(serde_json::json!({"printer": {"state": "offline"}}))
        .await?;
    let third = harness.order("cy", drink).await?;
    tap_make(&browser, &third).await?;
    browser
        .wait_for_text_containing(
            &format!("{}.failed", ticket_of(&third)),
            "Ticket not printed: the printer is offline.",
        )
        .await?;
    ensure!(harness.printed_tickets().await?.len() == 2);
    // Back on: Print again prints it.
    harness.faults(serde_json::json!({"printer": null})).await?;
    browser
        .click(&format!("{}.failed button", ticket_of(&third)))
        .await?;
    browser
        .wait_for_text_containing(&ticket_of(&third), "Ticket printed")
        .await?;
    ensure!(harness.printed_tickets().await?.len() == 3);
    browser.close().await
}

/// The print dialog's ticket: Make opens the dialog with the ticket alone on the page,
/// laid out for the paper chosen.
#[tokio::test]
async fn the_print_dialog_prints_the_ticket_alone() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.staff_console().await?;
    // The dialog itself is the browser's: count its openings instead.
    browser
        .js("window.printed = 0; window.print = () => { window.printed += 1; }; return true")
        .await?;
    browser.click_button("Printer").await?;
    browser.click_button("Print dialog, 58 mm receipt").await?;
    browser
        .wait_for_text_containing("#printer-panel [role=status]", "58 mm receipt")
        .await?;
    browser.click_button("Printer").await?;
    let order = harness.order("ana", "Latte").await?;
    tap_make(&browser, &order).await?;
    browser
        .wait_for_text_containing(
            &format!("{} .ticket-state", card_in(2, &order)),
            "Ticket printed",
        )
        .await?;
    ensure!(
        browser.js("return window.printed").await? == 1,
        "one print dialog"
    );
    let number = browser
        .text(&format!("{} .order-card-number", card_in(2, &order)))
        .await?;
    browser
        .cdp(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": "print"}),
        )
        .await?;
    let shown = browser
        .js("return [...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null && !e.children.length).map(e => e.textContent.trim()).filter(t => t)")
        .await?;
    let expected = serde_json::json!(["Serverlesspresso", number, "Latte"]);
    ensure!(
        shown
            .as_array()
            .is_some_and(|s| s.len() == 4 && s[..3] == expected.as_array().unwrap()[..]),
        "the ticket alone on paper, not {shown}"
    );
    browser.screenshot("barista-print-dialog-ticket").await?;
    browser.close().await
}

/// The service numbers over a scripted service, counted by hand: three drinks completed
/// (two of one kind), one cancelled, one timed out, one waiting; the same after a
/// reload, the waits still measured over every drink (the console kept when each left).
async fn service_numbers_match_a_hand_count(variant: emulator::Variant) -> Result<()> {
    // Forty times faster: the baristas' window is 22.5 s, an hour 90 s.
    let windows = shared::windows::Windows::scaled(40);
    let harness = Harness::start_timed_on(variant, windows).await?;
    let (twice, once, cancelled_drink) = if harness.variant.is_e() {
        ("Americano", "Flat White", "Double Espresso")
    } else {
        ("Latte", "Espresso", "Americano")
    };
    let browser = harness.staff_console().await?;
    browser.click_button("Numbers").await?;
    let figure = |name: &str| format!("#numbers-panel [data-figure='{name}'] dd");
    browser
        .wait_for_text(&figure("completed-today"), "0")
        .await?;

    let mut served = Vec::new();
    for (name, drink) in [("ana", twice), ("bo", twice), ("cy", once)] {
        served.push(harness.order(name, drink).await?);
    }
    let cancelled = harness.order("dee", cancelled_drink).await?;
    let forgotten = harness.order("ed", once).await?;
    for order in &served {
        harness.barista_action(order, "make").await?;
        harness.barista_action(order, "complete").await?;
    }
    harness.barista_action(&cancelled, "cancel").await?;
    browser
        .wait_for_text(&figure("completed-today"), "3")
        .await?;
    // Nobody makes the fifth: its window ends.
    let window = std::time::Duration::from_millis(windows.barista_ms as u64);
    browser
        .wait_for_text_within(window * 2, &figure("timed-out"), "1")
        .await?;
    let waiting = harness.order("fay", twice).await?;
    browser.wait_for(&card_in(1, &waiting)).await?;

    let hand_count = [
        ("completed-today", "3"),
        ("waiting-now", "1"),
        ("timed-out", "1"),
        ("cancelled", "1"),
    ];
    let top = format!("Top drinks today: {twice} 2 · {once} 1");
    let check = |when: &'static str| {
        let (browser, top) = (&browser, top.clone());
        async move {
            for (name, value) in hand_count {
                browser
                    .wait_for_text(&figure(name), value)
                    .await
                    .with_context(|| format!("{name} {when}"))?;
            }
            browser
                .wait_for_text("#numbers-panel [data-figure='top-drinks']", &top)
                .await
                .with_context(|| format!("top drinks {when}"))?;
            browser
                .wait_for_text(
                    "#numbers-panel .numbers-note",
                    "Waits measured over all 3 drinks completed today.",
                )
                .await
                .with_context(|| format!("waits {when}"))?;
            let longest = browser.text(&figure("wait-longest-today")).await?;
            ensure!(
                longest.ends_with('s') && longest.contains("m "),
                "a wait, not {longest:?}"
            );
            anyhow::Ok(())
        }
    };
    check("live").await?;
    browser.look("barista-numbers").await?;
    let _ = forgotten;

    browser.reload().await?;
    browser.wait_for_connection("live").await?;
    browser.click_button("Numbers").await?;
    check("after a reload").await?;
    browser.close().await
}

#[tokio::test]
async fn service_numbers_match_a_hand_count_w() -> Result<()> {
    service_numbers_match_a_hand_count(emulator::Variant::W).await
}

#[tokio::test]
async fn service_numbers_match_a_hand_count_e() -> Result<()> {
    service_numbers_match_a_hand_count(emulator::Variant::event("ABC")).await
}

/// The console at both iPad sizes, landscape and portrait, with every part of the
/// station on screen: nothing wider than the screen, every part looked at.
#[tokio::test]
async fn the_station_fits_both_ipads_both_ways() -> Result<()> {
    let harness = Harness::start().await?;
    let browser = harness.staff_console().await?;
    browser.click_button("Printer").await?;
    browser
        .fill("#printer-address", &harness.printer_address())
        .await?;
    browser.click_button("Use this printer").await?;
    browser.click_button("Printer").await?;
    let made = harness.order("ana", "Latte").await?;
    let ready = harness.order("bo", "Espresso").await?;
    let waiting = harness.order("cy", "Latte").await?;
    browser.wait_for(&card_in(1, &waiting)).await?;
    harness.barista_action(&ready, "make").await?;
    harness.barista_action(&ready, "complete").await?;
    tap_make(&browser, &made).await?;
    browser
        .wait_for_text_containing(
            &format!("{} .ticket-state", card_in(2, &made)),
            "Ticket printed",
        )
        .await?;
    browser.wait_for(&card_in(3, &ready)).await?;

    for (width, height) in [(1180, 820), (820, 1180), (1024, 768), (768, 1024)] {
        browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": true}),
            )
            .await?;
        eventually("the page takes the new size", || async {
            Ok(browser.viewport().await? == (width, height))
        })
        .await?;
        let size = format!("{width}x{height}");
        let overflow = browser
            .js("return document.documentElement.scrollWidth - window.innerWidth")
            .await?;
        ensure!(
            overflow.as_i64() == Some(0),
            "wider than the screen at {size}: {overflow}"
        );
        browser.look(&format!("barista-station-{size}")).await?;
        browser.click_button("Numbers").await?;
        browser.click_button("Recent orders").await?;
        browser
            .wait_for_text("#numbers-panel [data-figure='completed-today'] dd", "1")
            .await?;
        browser
            .look(&format!("barista-station-panels-{size}"))
            .await?;
        browser.click_button("Numbers").await?;
        browser.click_button("Recent orders").await?;
    }
    browser.close().await
}
