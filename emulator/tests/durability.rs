//! Kill the emulator in the middle of an order and start it again (W and E); the user
//! pool's signing key, kept in each database.

mod common;

use common::*;
use emulator::client::{Client, Method};
use emulator::{local, Running, Variant};
use serde_json::Value;
use shared::model::OrderState;
use shared::windows::Windows;

async fn orders_and_timers_survive_a_restart(variant: Variant) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("emulator.db");
    let windows = Windows::AWS;
    // One clock across the restart, as the wall clock would be.
    let clock = manual_clock();
    let drink = match variant {
        Variant::W => "Latte",
        Variant::E { .. } => "Double Espresso",
    };

    let emu = start_variant(variant.clone(), clock.clone(), windows, Some(db.clone())).await;
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

    let emu = start_variant(variant, clock.clone(), windows, Some(db)).await;
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
    clock.advance_ms(windows.choose_ms);
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

/// The user pool's JWKS, as a verifier of its tokens fetches it.
async fn jwks(emu: &Running) -> Value {
    reqwest::get(format!(
        "{}{}{}/.well-known/jwks.json",
        emu.base_url(),
        local::COGNITO_PATH,
        local::USER_POOL_ID
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

/// Whether `jwks` verifies `token`'s signature, as any JWT library would check it.
fn verifies(jwks: &Value, token: &str) -> bool {
    let key = &jwks["keys"][0];
    let header = jsonwebtoken::decode_header(token).unwrap();
    if header.kid.as_deref() != key["kid"].as_str() {
        return false;
    }
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &decoding, &validation).is_ok()
}

/// `barista`'s session, used with the emulator `emu`: the status of `GET /orders`.
async fn orders_status(barista: &Client, emu: &Running) -> u16 {
    let mut session = barista.clone();
    session.settings = client(emu).settings;
    session
        .rest(Method::GET, &session.om("orders?state=CREATED"), None)
        .await
        .unwrap()
        .status
}

#[tokio::test]
async fn each_database_signs_with_its_own_key_kept_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first.db"), dir.path().join("second.db"));
    let clock = manual_clock();
    let emu = start_on(clock.clone(), Windows::AWS, Some(first.clone())).await;
    let barista = admin(&emu).await;
    let token = barista.tokens.clone().unwrap().access_token;
    let keys = jwks(&emu).await;
    assert!(
        verifies(&keys, &token),
        "the JWKS served is the signing key's"
    );
    emu.stop().await.unwrap();

    // The same database: the same key, and the session goes on.
    let again = start_on(clock.clone(), Windows::AWS, Some(first)).await;
    assert_eq!(jwks(&again).await, keys);
    assert_eq!(orders_status(&barista, &again).await, 200);

    // Another database: another key, which the first one's tokens do not fool.
    let other = start_on(clock.clone(), Windows::AWS, Some(second)).await;
    let other_keys = jwks(&other).await;
    assert_ne!(other_keys["keys"][0]["n"], keys["keys"][0]["n"]);
    assert_ne!(other_keys["keys"][0]["kid"], keys["keys"][0]["kid"]);
    assert!(!verifies(&other_keys, &token));
    assert_eq!(orders_status(&barista, &other).await, 401);
    // Nor does an in-memory one.
    let memory = start_on(clock, Windows::AWS, None).await;
    assert_ne!(jwks(&memory).await["keys"][0]["n"], keys["keys"][0]["n"]);
    assert_eq!(orders_status(&barista, &memory).await, 401);
}
