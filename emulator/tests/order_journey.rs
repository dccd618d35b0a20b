//! The order workflows over real HTTP and MQTT-over-WebSocket (contract §6).

mod common;

use common::*;
use emulator::clock::Timings;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn full_journey_from_scan_to_completed() {
    let emu = start(Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut board = admin_events(&barista).await;
    let mut phone = customer_events(&ana).await;

    let bucket = qr_code(&barista).await;
    assert_eq!(bucket["availableTokens"], 10);
    assert!(bucket.get("PK").is_none(), "the creating call has no PK");
    let code = bucket["last_code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert_eq!(
        qr_code(&barista).await["PK"],
        bucket["last_id"],
        "later calls carry PK"
    );

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

    let reply = put_order(&ana, &order, None, drink(&ana, "Latte")).await;
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
    assert_eq!(card["state"], "CREATED");
    assert_eq!(card["drinkOrder"]["drink"], "Latte");
    assert_eq!(card["robot"], false);
    assert!(card["TS"].is_i64());

    let open = barista
        .rest(Method::GET, &barista.om("orders?state=CREATED"), None)
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
    assert!(row.get("TaskToken").is_none(), "tokens are not projected");
    let drink_order: Value =
        serde_json::from_str(row["drinkOrder"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(drink_order["drink"], "Latte");

    put_order(&barista, &order, Some("make"), json!({})).await;
    let made = phone
        .expect("OrderManager.MakeOrder", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(made["baristaUserId"], barista.sub().unwrap());
    put_order(&barista, &order, Some("unmake"), json!({})).await;
    assert_eq!(
        phone
            .expect("OrderManager.MakeOrder", Some(&order), WAIT)
            .await
            .unwrap()["baristaUserId"],
        ""
    );

    put_order(&barista, &order, Some("complete"), json!({})).await;
    let done = phone
        .expect("OrderManager.OrderCompleted", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(done["ORDERSTATE"], "Completed");
    phone
        .expect("OrderProcessor.orderFinished", Some(&order), WAIT)
        .await
        .unwrap();

    let receipt = ana
        .rest(Method::GET, &ana.om(&format!("orders/{order}")), None)
        .await
        .unwrap();
    assert!(
        receipt.body.ends_with("\",}"),
        "the mapping template's trailing comma: {}",
        receipt.body
    );
    let lenient: Value = serde_json::from_str(&receipt.body.replace(",}", "}")).unwrap();
    assert_eq!(lenient["orderState"], "Completed");

    let mine = ana
        .rest(Method::GET, &ana.om("myOrders"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["ORDERSTATE"]["S"], "Completed");
    assert!(
        mine[0].get("baristaUserId").is_none(),
        "not in the userId index projection"
    );

    let log: Value = reqwest::get(format!("{}/_local/orders/{order}/events", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Validator.NewOrder",
            "OrderProcessor.WorkflowStarted",
            "OrderProcessor.WaitingCompletion",
            "OrderManager.WaitingCompletion",
            "OrderManager.MakeOrder",
            "OrderManager.MakeOrder",
            "OrderManager.OrderCompleted",
            "OrderProcessor.orderFinished",
        ]
    );
}

#[tokio::test]
async fn customer_who_does_not_choose_times_out() {
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = scan_ok(&ana, qr_code(&barista).await["last_code"].as_str().unwrap()).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
        .await
        .unwrap();
    // Five minutes pass without a choice.
    clock.advance_ms(Timings::AWS.customer_wait_ms - 1);
    assert!(
        phone
            .next_message(Duration::from_millis(300))
            .await
            .is_err(),
        "still a millisecond to choose"
    );
    clock.advance_ms(1);
    let timeout = phone
        .expect("OrderProcessor.OrderTimeOut", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(timeout["cause"], "Customer timedout");
    // W has no timeout Lambda: the row stays CREATED, without a number (a zombie).
    let open = barista
        .rest(Method::GET, &barista.om("orders?state=CREATED"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let zombie = open
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["SK"]["S"] == order.as_str())
        .unwrap();
    assert!(zombie.get("orderNumber").is_none());
    // Too late to order now: the workflow no longer waits.
    put_order(&ana, &order, None, drink(&ana, "Latte")).await;
    assert!(
        phone
            .next_message(Duration::from_millis(500))
            .await
            .is_err(),
        "nothing follows a timeout"
    );
}

#[tokio::test]
async fn baristas_who_do_not_finish_time_out() {
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = order_at_the_bar(&barista, &ana, &mut phone, "Americano").await;
    // Fifteen minutes pass at the bar.
    clock.advance_ms(Timings::AWS.barista_wait_ms);
    let timeout = phone
        .expect("OrderProcessor.OrderTimeOut", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(timeout["cause"], "Barista timedout");
}

#[tokio::test]
async fn cancel_by_the_customer_ends_the_order() {
    let emu = start(Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = order_at_the_bar(&barista, &ana, &mut phone, "Espresso").await;
    put_order(&ana, &order, Some("cancel"), json!({})).await;
    let cancelled = phone
        .expect("OrderManager.OrderCancelled", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(cancelled["ORDERSTATE"], "Cancelled");
    phone
        .expect("OrderProcessor.orderFinished", Some(&order), WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn closed_store_turns_orders_away_and_announces_itself() {
    let emu = start(Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let closed = barista
        .rest(Method::PUT, &barista.config("store?state=closed"), None)
        .await
        .unwrap();
    assert_eq!(
        closed.json().unwrap()["Attributes"]["storeOpen"],
        json!({"BOOL": false})
    );
    let change = phone
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["PK"]["S"], "config");
    assert_eq!(change["NewImage"]["storeOpen"]["BOOL"], false);

    let config = ana
        .rest(Method::GET, &ana.config("config"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let item = config
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["PK"]["S"] == "config")
        .unwrap();
    assert_eq!(item["storeOpen"]["BOOL"], false);

    scan_ok(&ana, qr_code(&barista).await["last_code"].as_str().unwrap()).await;
    let unavailable = phone
        .expect("OrderProcessor.ShopUnavailable", None, WAIT)
        .await
        .unwrap();
    assert_eq!(unavailable["userId"], ana.sub().unwrap());
    assert!(unavailable.get("orderId").is_none());

    // Any value but "open" closes; "open" opens.
    barista
        .rest(Method::PUT, &barista.config("store?state=open"), None)
        .await
        .unwrap();
    let change = phone
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["storeOpen"]["BOOL"], true);
}

#[tokio::test]
async fn ten_tokens_per_bucket_then_no_tokens_remaining() {
    let emu = start(Timings::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let code = qr_code(&barista).await["last_code"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..10 {
        scan_ok(&ana, &code).await;
    }
    let eleventh = scan(&ana, &code).await;
    assert_eq!(eleventh.status, 200, "the validator answers 200 even here");
    assert_eq!(
        eleventh.json().unwrap(),
        json!({"error": "No tokens remaining"})
    );
    assert_eq!(qr_code(&barista).await["availableTokens"], 0);
}

#[tokio::test]
async fn codes_die_at_the_bucket_boundary() {
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Timings::AWS, None).await;
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
async fn capacity_of_twenty_running_orders() {
    let timings = Timings {
        bucket_ms: 400,
        ..Timings::AWS
    };
    let clock = manual_clock();
    let emu = start_on(clock.clone(), timings, None).await;
    let barista = admin(&emu).await;
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
        clock.advance_ms(timings.bucket_ms);
    }
    let mut workflows = 0;
    let unavailable = loop {
        let message = phone.next_message(WAIT).await.unwrap();
        match message["type"].as_str().unwrap() {
            "OrderProcessor.WorkflowStarted" => workflows += 1,
            "OrderProcessor.ShopUnavailable" => break message,
            _ => {}
        }
    };
    assert_eq!(unavailable["detail"]["userId"], ana.sub().unwrap());
    assert_eq!(workflows, 20, "twenty run, the twenty-first is turned away");
}
