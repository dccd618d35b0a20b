//! Kill the emulator in the middle of an order and start it again.

mod common;

use common::*;
use emulator::clock::Timings;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn orders_and_timers_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("emulator.db");
    let timings = Timings::AWS;
    // One clock across the restart, as the wall clock would be.
    let clock = manual_clock();

    let emu = start_on(clock.clone(), timings, Some(db.clone())).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let code = qr_code(&barista).await["last_code"]
        .as_str()
        .unwrap()
        .to_string();
    let mut phone = customer_events(&ana).await;
    // One order reaches the baristas; another waits for the customer's choice.
    let made = scan_ok(&ana, &code).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&made), WAIT)
        .await
        .unwrap();
    put_order(&ana, &made, None, drink(&ana, "Latte")).await;
    phone
        .expect("OrderManager.WaitingCompletion", Some(&made), WAIT)
        .await
        .unwrap();
    let undecided = scan_ok(&ana, &code).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&undecided), WAIT)
        .await
        .unwrap();
    emu.stop().await.unwrap();
    drop(phone);

    let emu = start_on(clock.clone(), timings, Some(db)).await;
    let mut barista = barista.clone();
    barista.settings = client(&emu).settings;
    let mut ana = ana.clone();
    ana.settings = barista.settings.clone();
    // Tokens are signed with the same key, so sessions survive too.
    let open = barista
        .rest(Method::GET, &barista.om("orders?state=CREATED"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let ids: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["SK"]["S"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&made.as_str()) && ids.contains(&undecided.as_str()));

    let mut phone = customer_events(&ana).await;
    // The customer timer set before the restart still fires when its time comes.
    clock.advance_ms(timings.customer_wait_ms);
    let timeout = phone
        .expect("OrderProcessor.OrderTimeOut", Some(&undecided), WAIT)
        .await
        .unwrap();
    assert_eq!(timeout["cause"], "Customer timedout");
    // The order in progress can still be completed, and its workflow finishes.
    put_order(&barista, &made, Some("complete"), json!({})).await;
    phone
        .expect("OrderManager.OrderCompleted", Some(&made), WAIT)
        .await
        .unwrap();
    phone
        .expect("OrderProcessor.orderFinished", Some(&made), WAIT)
        .await
        .unwrap();
    // The counter continues.
    let code = qr_code(&barista).await["last_code"]
        .as_str()
        .unwrap()
        .to_string();
    let next = scan_ok(&ana, &code).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&next), WAIT)
        .await
        .unwrap();
    put_order(&ana, &next, None, drink(&ana, "Latte")).await;
    let waiting = phone
        .expect("OrderProcessor.WaitingCompletion", Some(&next), WAIT)
        .await
        .unwrap();
    assert_eq!(waiting["orderNumber"], "2");
}
