//! Kill the emulator in the middle of an order and start it again (W and E).

mod common;

use common::*;
use emulator::clock::Timings;
use emulator::Variant;
use shared::model::OrderState;

async fn orders_and_timers_survive_a_restart(variant: Variant) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("emulator.db");
    let timings = Timings::AWS;
    // One clock across the restart, as the wall clock would be.
    let clock = manual_clock();
    let drink = match variant {
        Variant::W => "Latte",
        Variant::E { .. } => "Double Espresso",
    };

    let emu = start_variant(variant.clone(), clock.clone(), timings, Some(db.clone())).await;
    let barista = admin(&emu).await;
    if barista.is_e() {
        open_store(&barista).await;
    }
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
    ana.submit_drink(&made, drink, &[]).await.unwrap();
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

    let emu = start_variant(variant, clock.clone(), timings, Some(db)).await;
    let mut barista = barista.clone();
    barista.settings = client(&emu).settings;
    let mut ana = ana.clone();
    ana.settings = barista.settings.clone();
    // Tokens are signed with the same key, so sessions survive too.
    let open = barista.orders(&OrderState::Created).await.unwrap();
    let ids: Vec<&str> = open
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
    if barista.is_e() {
        // The execution kept its event: E's timeout Lambda cancels the right order.
        assert_eq!(timeout["eventId"], "ABC");
        assert_eq!(
            order_row(&emu, &undecided)["ORDERSTATE"]["S"],
            "ABC-CANCELLED"
        );
    }
    // The order in progress can still be completed, and its workflow finishes.
    barista.order_action(&made, "complete").await.unwrap();
    phone
        .expect(
            &barista.finished_event_type(&OrderState::Completed),
            Some(&made),
            WAIT,
        )
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
    ana.submit_drink(&next, drink, &[]).await.unwrap();
    let waiting = phone
        .expect("OrderProcessor.WaitingCompletion", Some(&next), WAIT)
        .await
        .unwrap();
    assert_eq!(waiting["orderNumber"], "2");
}

#[tokio::test]
async fn w_orders_and_timers_survive_a_restart() {
    orders_and_timers_survive_a_restart(Variant::W).await;
}

#[tokio::test]
async fn e_orders_and_timers_survive_a_restart() {
    orders_and_timers_survive_a_restart(e()).await;
}
