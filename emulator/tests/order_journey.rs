//! The order workflows over real HTTP and MQTT-over-WebSocket (contract §6), each
//! journey run against variant W and variant E (event ABC): the same steps, in each
//! backend's words (states, event types, topics, quirks).

mod common;

use common::*;
use emulator::clock::Clock;
use emulator::Variant;
use serde_json::{json, Value};
use shared::model::OrderState;
use shared::windows::Windows;

/// W's and E's drink for a journey: one on each menu, E's with an option.
fn a_drink(variant: &Variant) -> (&'static str, &'static [&'static str]) {
    match variant {
        Variant::W => ("Latte", &[]),
        Variant::E { .. } => ("Flat White", &["Oat"]),
    }
}

async fn full_journey_from_scan_to_completed(variant: Variant) {
    let emu = start_as(variant.clone()).await;
    let barista = admin(&emu).await;
    let event = barista.event_id().map(str::to_string);
    if event.is_some() {
        open_store(&barista).await;
    }
    let ana = customer(&emu, "ana").await;
    let mut board = admin_events(&barista).await;
    let mut phone = customer_events(&ana).await;

    let bucket = qr_code(&barista).await;
    assert_eq!(bucket["availableTokens"], 10);
    let code = bucket["last_code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    match &event {
        None => {
            assert!(bucket.get("PK").is_none(), "the creating call has no PK");
            assert_eq!(
                qr_code(&barista).await["PK"],
                bucket["last_id"],
                "later calls carry PK"
            );
        }
        Some(event) => {
            // E's key: "<event>-<interval>", there from the first call, with the event.
            assert_eq!(bucket["PK"], format!("{event}-{}", bucket["last_id"]));
            assert_eq!(bucket["eventId"], event.as_str());
            assert_eq!(qr_code(&barista).await["PK"], bucket["PK"]);
        }
    }

    let order = scan_ok(&ana, code).await;
    assert_eq!(order.len(), 21);
    let new_order = board
        .expect("Validator.NewOrder", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(new_order["userId"], ana.sub().unwrap());
    assert_eq!(new_order["bucket"]["availableTokens"], 9);
    let started = phone
        .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
        .await
        .unwrap();
    assert!(started["TaskToken"].as_str().is_some_and(|t| !t.is_empty()));

    let (drink, modifiers) = a_drink(&variant);
    let reply = ana.submit_drink(&order, drink, modifiers).await.unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.json().unwrap()["executionArn"].is_string());
    let waiting = phone
        .expect("OrderProcessor.WaitingCompletion", Some(&order), WAIT)
        .await
        .unwrap();
    let number = waiting["orderNumber"].as_str().unwrap().to_string();
    assert_eq!(number, "1");
    let card = board
        .expect("OrderManager.WaitingCompletion", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(card["orderNumber"], number);
    assert_eq!(card["state"], ana.stored_state(&OrderState::Created));
    assert_eq!(card["drinkOrder"]["drink"], drink);
    assert_eq!(card["drinkOrder"]["modifiers"], json!(modifiers));
    assert_eq!(card["robot"], false);
    assert!(card["TS"].is_i64());

    let open = barista
        .rest(
            emulator::client::Method::GET,
            &barista.om("orders?state=CREATED"),
            None,
        )
        .await
        .unwrap();
    assert!(open.cors);
    let rows = open.json().unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["SK"]["S"] == order.as_str())
        .unwrap();
    assert_eq!(row["orderNumber"], json!({"S": "1"}));
    assert_eq!(
        row["ORDERSTATE"]["S"],
        barista.stored_state(&OrderState::Created)
    );
    assert!(row.get("TaskToken").is_none(), "tokens are not projected");
    let drink_order: Value =
        serde_json::from_str(row["drinkOrder"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(drink_order["drink"], drink);

    barista.order_action(&order, "make").await.unwrap();
    let made = phone
        .expect("OrderManager.MakeOrder", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(made["baristaUserId"], barista.sub().unwrap());
    barista.order_action(&order, "unmake").await.unwrap();
    match &event {
        None => assert_eq!(
            phone
                .expect("OrderManager.MakeOrder", Some(&order), WAIT)
                .await
                .unwrap()["baristaUserId"],
            ""
        ),
        Some(_) => {
            // E's unmake loses `eventId` in its Pass state: the order is updated, then
            // the execution fails before announcing it.
            eventually_row(&emu, &order, |row| row["baristaUserId"]["S"] == "").await;
            assert_quiet(&mut phone, "E announces no unmake").await;
        }
    }

    barista.order_action(&order, "complete").await.unwrap();
    let completed = ana.finished_event_type(&OrderState::Completed);
    if event.is_some() {
        assert_eq!(
            completed, "OrderManager.OrderABC-COMPLETED",
            "E's bug, kept"
        );
    }
    let done = phone.expect(&completed, Some(&order), WAIT).await.unwrap();
    assert_eq!(done["ORDERSTATE"], ana.stored_state(&OrderState::Completed));
    phone
        .expect("OrderProcessor.orderFinished", Some(&order), WAIT)
        .await
        .unwrap();

    let receipt = ana
        .rest(
            emulator::client::Method::GET,
            &ana.om(&format!("orders/{order}")),
            None,
        )
        .await
        .unwrap();
    assert!(
        receipt.body.ends_with("\",}"),
        "the mapping template's trailing comma: {}",
        receipt.body
    );
    let lenient: Value = serde_json::from_str(&receipt.body.replace(",}", "}")).unwrap();
    assert_eq!(
        lenient["orderState"],
        ana.stored_state(&OrderState::Completed)
    );

    let mine = ana
        .rest(emulator::client::Method::GET, &ana.om("myOrders"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        mine[0]["ORDERSTATE"]["S"],
        ana.stored_state(&OrderState::Completed)
    );
    assert!(
        mine[0].get("baristaUserId").is_none(),
        "not in the userId index projection"
    );

    let log = event_log(&emu, &order).await;
    let types: Vec<&str> = log.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let made_twice = ["OrderManager.MakeOrder", "OrderManager.MakeOrder"];
    let makes: &[&str] = if event.is_some() {
        &made_twice[..1]
    } else {
        &made_twice
    };
    let expected: Vec<&str> = [
        "Validator.NewOrder",
        "OrderProcessor.WorkflowStarted",
        "OrderProcessor.WaitingCompletion",
        "OrderManager.WaitingCompletion",
    ]
    .into_iter()
    .chain(makes.iter().copied())
    .chain([completed.as_str(), "OrderProcessor.orderFinished"])
    .collect();
    assert_eq!(types, expected);
    for e in &log {
        match &event {
            None => assert!(e["detail"].get("eventId").is_none(), "W has no event ids"),
            Some(event) => assert_eq!(e["detail"]["eventId"], event.as_str(), "{e}"),
        }
    }
}

/// Waits until the order's row satisfies `ok`.
async fn eventually_row(emu: &emulator::Running, order: &str, ok: impl Fn(&Value) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let row = order_row(emu, order);
        if ok(&row) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "row: {row}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn w_full_journey_from_scan_to_completed() {
    full_journey_from_scan_to_completed(Variant::W).await;
}

#[tokio::test]
async fn e_full_journey_from_scan_to_completed() {
    full_journey_from_scan_to_completed(e()).await;
}

async fn customer_who_does_not_choose_times_out(variant: Variant) {
    let clock = manual_clock();
    let emu = start_variant(variant, clock.clone(), Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let is_e = barista.is_e();
    if is_e {
        open_store(&barista).await;
    }
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = scan_ok(&ana, qr_code(&barista).await["last_code"].as_str().unwrap()).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
        .await
        .unwrap();
    // Five minutes pass without a choice.
    clock.advance_ms(Windows::AWS.choose_ms - 1);
    assert_quiet(&mut phone, "still a millisecond to choose").await;
    clock.advance_ms(1);
    let timeout = phone
        .expect("OrderProcessor.OrderTimeOut", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(timeout["cause"], "Customer timedout");
    let open = barista.orders(&OrderState::Created).await.unwrap();
    let still_open = open.iter().find(|r| r["SK"]["S"] == order.as_str());
    if is_e {
        // E's OrderTimedOut Lambda cancels it, with the cause as the reason.
        assert!(still_open.is_none(), "no zombie in E");
        let row = order_row(&emu, &order);
        assert_eq!(row["ORDERSTATE"]["S"], "ABC-CANCELLED");
        assert_eq!(row["reason"]["S"], "Customer timedout");
        assert_eq!(row["TS"]["N"], clock.now_ms().to_string());
        let cancelled = barista.orders(&OrderState::Cancelled).await.unwrap();
        assert!(cancelled.iter().any(|r| r["SK"]["S"] == order.as_str()));
    } else {
        // W has no timeout Lambda: the row stays CREATED, without a number (a zombie).
        let zombie = still_open.expect("the zombie is listed");
        assert!(zombie.get("orderNumber").is_none());
    }
    // Too late to order now: the workflow no longer waits.
    ana.submit_drink(&order, a_drink(&emu.variant).0, &[])
        .await
        .unwrap();
    assert_quiet(&mut phone, "nothing follows a timeout").await;
}

#[tokio::test]
async fn w_customer_who_does_not_choose_times_out() {
    customer_who_does_not_choose_times_out(Variant::W).await;
}

#[tokio::test]
async fn e_customer_who_does_not_choose_times_out_and_is_cancelled() {
    customer_who_does_not_choose_times_out(e()).await;
}

async fn baristas_who_do_not_finish_time_out(variant: Variant) {
    let clock = manual_clock();
    let emu = start_variant(variant, clock.clone(), Windows::AWS, None).await;
    let barista = admin(&emu).await;
    if barista.is_e() {
        open_store(&barista).await;
    }
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let (drink, modifiers) = a_drink(&emu.variant);
    let order = order_with(&barista, &ana, &mut phone, drink, modifiers).await;
    // Fifteen minutes pass at the bar.
    clock.advance_ms(Windows::AWS.barista_ms);
    let timeout = phone
        .expect("OrderProcessor.OrderTimeOut", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(timeout["cause"], "Barista timedout");
    let row = order_row(&emu, &order);
    if barista.is_e() {
        assert_eq!(timeout["eventId"], "ABC");
        assert_eq!(row["ORDERSTATE"]["S"], "ABC-CANCELLED");
        assert_eq!(row["reason"]["S"], "Barista timedout");
    } else {
        assert_eq!(row["ORDERSTATE"]["S"], "CREATED");
        assert!(row.get("reason").is_none());
    }
}

#[tokio::test]
async fn w_baristas_who_do_not_finish_time_out() {
    baristas_who_do_not_finish_time_out(Variant::W).await;
}

#[tokio::test]
async fn e_baristas_who_do_not_finish_time_out() {
    baristas_who_do_not_finish_time_out(e()).await;
}

async fn cancel_by_the_customer_ends_the_order(variant: Variant) {
    let emu = start_as(variant).await;
    let barista = admin(&emu).await;
    if barista.is_e() {
        open_store(&barista).await;
    }
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let drink = match emu.variant {
        Variant::W => "Espresso",
        Variant::E { .. } => "Double Espresso",
    };
    let order = order_at_the_bar(&barista, &ana, &mut phone, drink).await;
    ana.order_action(&order, "cancel").await.unwrap();
    let cancelled = phone
        .expect(
            &ana.finished_event_type(&OrderState::Cancelled),
            Some(&order),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(
        cancelled["ORDERSTATE"],
        ana.stored_state(&OrderState::Cancelled)
    );
    phone
        .expect("OrderProcessor.orderFinished", Some(&order), WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn w_cancel_by_the_customer_ends_the_order() {
    cancel_by_the_customer_ends_the_order(Variant::W).await;
}

#[tokio::test]
async fn e_cancel_by_the_customer_ends_the_order() {
    cancel_by_the_customer_ends_the_order(e()).await;
}

/// Whether `GET /config` says the store is open, read as the apps read it.
async fn store_open(client: &emulator::client::Client) -> bool {
    let reply = client
        .rest(
            emulator::client::Method::GET,
            &client.config("config"),
            None,
        )
        .await
        .unwrap();
    shared::wire::parse_config(&reply.body, client.settings.flavour)
        .unwrap()
        .store
        .store_open
}

async fn closed_store_turns_orders_away_and_announces_itself(variant: Variant) {
    let emu = start_as(variant).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let config_pk = match barista.event_id() {
        None => "config".to_string(),
        Some(event) => format!("config-{event}"),
    };
    // W's seed has the store open, E's closed: E's is opened first, since closing a
    // closed store announces nothing.
    assert_eq!(store_open(&ana).await, !barista.is_e());
    if barista.is_e() {
        open_store(&barista).await;
    }
    let mut phone = customer_events(&ana).await;
    let closed = barista.set_store(false).await.unwrap();
    assert_eq!(
        closed.json().unwrap()["Attributes"]["storeOpen"],
        json!({"BOOL": false})
    );
    assert_eq!(closed.json().unwrap()["Attributes"]["PK"]["S"], config_pk);
    let change = phone
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["PK"]["S"], config_pk);
    assert_eq!(change["NewImage"]["storeOpen"]["BOOL"], false);
    assert!(!store_open(&ana).await);

    scan_ok(&ana, qr_code(&barista).await["last_code"].as_str().unwrap()).await;
    let unavailable = phone
        .expect("OrderProcessor.ShopUnavailable", None, WAIT)
        .await
        .unwrap();
    assert_eq!(unavailable["userId"], ana.sub().unwrap());
    assert!(unavailable.get("orderId").is_none());
    assert_eq!(
        unavailable.get("eventId").and_then(Value::as_str),
        barista.event_id()
    );

    // Any value but "open" closes; "open" opens.
    barista.set_store(true).await.unwrap();
    let change = phone
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["storeOpen"]["BOOL"], true);
    assert!(store_open(&ana).await);
}

#[tokio::test]
async fn w_closed_store_turns_orders_away_and_announces_itself() {
    closed_store_turns_orders_away_and_announces_itself(Variant::W).await;
}

#[tokio::test]
async fn e_closed_store_turns_orders_away_and_announces_itself() {
    closed_store_turns_orders_away_and_announces_itself(e()).await;
}

/// `ConfigChanged` comes from the config table's DynamoDB stream, which writes no record
/// for an update that changes nothing: opening an open store, or closing a closed one,
/// answers as usual and announces nothing.
async fn only_a_change_of_the_store_is_announced(variant: Variant) {
    let emu = start_as(variant).await;
    let barista = admin(&emu).await;
    if barista.is_e() {
        // E's seed has the store closed.
        open_store(&barista).await;
    }
    let mut config = subscribe_to(&barista, &[&barista.config_topic()]).await;

    set_store(&barista, true).await; // open already: no record
    set_store(&barista, false).await;
    assert!(!next_store_open(&mut config).await, "the close, first");
    set_store(&barista, false).await; // closed already: no record
    set_store(&barista, true).await;
    assert!(next_store_open(&mut config).await, "the open, next");
    assert_quiet(&mut config, "the config topic after the last change").await;
}

/// `PUT /store?state=`, answered 200 with the item's `storeOpen`.
async fn set_store(barista: &emulator::client::Client, open: bool) {
    let reply = barista.set_store(open).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json().unwrap()["Attributes"]["storeOpen"],
        json!({ "BOOL": open })
    );
}

/// The next message on `config`, a ConfigChanged: the `storeOpen` it announces.
async fn next_store_open(config: &mut emulator::client::Subscriber) -> bool {
    let message = config.next_message(WAIT).await.unwrap();
    assert_eq!(message["type"], "ConfigService.ConfigChanged", "{message}");
    message["detail"]["NewImage"]["storeOpen"]["BOOL"]
        .as_bool()
        .expect("storeOpen")
}

#[tokio::test]
async fn w_only_a_change_of_the_store_is_announced() {
    only_a_change_of_the_store_is_announced(Variant::W).await;
}

#[tokio::test]
async fn e_only_a_change_of_the_store_is_announced() {
    only_a_change_of_the_store_is_announced(e()).await;
}

/// `tokens` per bucket, then "No tokens remaining" (E: the event's `drinksPerBarcode`,
/// set to `tokens` before the bucket is made).
async fn tokens_per_bucket_then_no_tokens_remaining(variant: Variant, tokens: i64) {
    let emu = start_as(variant).await;
    let barista = admin(&emu).await;
    if let Some(event) = barista.event_id() {
        let pk = format!("config-{event}");
        emu.backend
            .store
            .write(|tx| {
                let mut config = emulator::store::config_item(tx, &pk)?.unwrap();
                config.insert(
                    "drinksPerBarcode".into(),
                    shared::dynamo::AttributeValue::n(tokens),
                );
                emulator::store::put_config_item(tx, &config)
            })
            .unwrap();
    }
    let ana = customer(&emu, "ana").await;
    let code = qr_code(&barista).await["last_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(qr_code(&barista).await["availableTokens"], tokens);
    for _ in 0..tokens {
        scan_ok(&ana, &code).await;
    }
    let last = scan(&ana, &code).await;
    assert_eq!(last.status, 200, "the validator answers 200 even here");
    assert_eq!(
        last.json().unwrap(),
        json!({"error": "No tokens remaining"})
    );
    assert_eq!(qr_code(&barista).await["availableTokens"], 0);
}

#[tokio::test]
async fn w_ten_tokens_per_bucket_then_no_tokens_remaining() {
    tokens_per_bucket_then_no_tokens_remaining(Variant::W, 10).await;
}

#[tokio::test]
async fn e_tokens_per_bucket_come_from_drinks_per_barcode() {
    tokens_per_bucket_then_no_tokens_remaining(e(), 3).await;
}

async fn codes_die_at_the_bucket_boundary(variant: Variant) {
    let clock = manual_clock();
    let emu = start_variant(variant, clock.clone(), Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let first = qr_code(&barista).await;
    let end = first["end_ts"].as_i64().unwrap();
    // The last millisecond of the bucket, then the first of the next.
    clock.set(end);
    assert_eq!(qr_code(&barista).await["last_id"], first["last_id"]);
    clock.advance_ms(1);
    let second = qr_code(&barista).await;
    assert_ne!(second["last_id"], first["last_id"], "the bucket rotated");
    assert_ne!(second["last_code"], first["last_code"]);
    assert_eq!(
        second["start_ts"].as_i64().unwrap(),
        first["end_ts"].as_i64().unwrap() + 1
    );
    let stale = scan(&ana, first["last_code"].as_str().unwrap()).await;
    assert_eq!(stale.status, 400);
    assert_eq!(stale.json().unwrap(), json!({"error": "Invalid code"}));
    assert!(!stale.cors, "Lambda errors carry no CORS headers");
}

#[tokio::test]
async fn w_codes_die_at_the_bucket_boundary() {
    codes_die_at_the_bucket_boundary(Variant::W).await;
}

#[tokio::test]
async fn e_codes_die_at_the_bucket_boundary() {
    codes_die_at_the_bucket_boundary(e()).await;
}

/// 21 orders at once: W's capacity check turns the twenty-first away; E's reads
/// `$.isCapacityAvailable[20]`, never present, and never does.
async fn capacity_of_twenty_running_orders(variant: Variant) {
    let windows = Windows {
        qr_ms: 400,
        ..Windows::AWS
    };
    let clock = manual_clock();
    let emu = start_variant(variant, clock.clone(), windows, None).await;
    let barista = admin(&emu).await;
    let is_e = barista.is_e();
    if is_e {
        open_store(&barista).await;
    }
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let mut started = 0;
    while started < 21 {
        let bucket = qr_code(&barista).await;
        let tokens = bucket["availableTokens"].as_i64().unwrap();
        for _ in 0..tokens.min(21 - started) {
            scan_ok(&ana, bucket["last_code"].as_str().unwrap()).await;
            started += 1;
        }
        // The next bucket's ten tokens.
        clock.advance_ms(windows.qr_ms);
    }
    let mut workflows = 0;
    while !(is_e && workflows == 21) {
        let message = phone.next_message(WAIT).await.unwrap();
        match message["type"].as_str().unwrap() {
            "OrderProcessor.WorkflowStarted" => workflows += 1,
            "OrderProcessor.ShopUnavailable" => {
                assert!(!is_e, "E never turns an order away for capacity");
                assert_eq!(message["detail"]["userId"], ana.sub().unwrap());
                assert_eq!(workflows, 20, "twenty run, the twenty-first is turned away");
                return;
            }
            _ => {}
        }
    }
    assert_eq!(workflows, 21);
}

#[tokio::test]
async fn w_capacity_of_twenty_running_orders() {
    capacity_of_twenty_running_orders(Variant::W).await;
}

#[tokio::test]
async fn e_capacity_check_never_rejects() {
    capacity_of_twenty_running_orders(e()).await;
}
