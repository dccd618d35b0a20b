//! `--least-privilege` (docs/security.md): the identity pool's authenticated identities
//! and their roles, the IoT front door's policy per role, the REST actions limited to
//! who may take them; and signing out with `RevokeToken`. Each attack is a test: a
//! customer listening to the admin topic or to another customer's, a customer making
//! or cancelling someone else's order, an unauthenticated identity, a revoked refresh
//! token.

mod common;

use common::*;
use emulator::client::{Client, Method};
use emulator::clock::SystemClock;
use emulator::{Config, Running, Variant};
use mqttrs::SubscribeReturnCodes::{Failure, Success};
use serde_json::json;
use shared::cognito;
use shared::windows::Windows;
use std::sync::Arc;

async fn start_least_privilege(variant: Variant) -> Running {
    let admin = match variant {
        Variant::W => (ADMIN.0.to_string(), ADMIN.1.to_string()),
        Variant::E { .. } => (E_ADMIN.to_string(), String::new()),
    };
    emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admins: vec![admin],
        clock: Arc::new(SystemClock),
        windows: Windows::AWS,
        variant,
        least_privilege: true,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

/// `GetId` without `Logins`, as the workshop's apps called it.
async fn unauthenticated_get_id(c: &Client) -> Result<serde_json::Value, String> {
    c.call(cognito::get_id(&c.settings, None))
        .await
        .unwrap()
        .map_err(|e| format!("{}: {}", e.kind, e.message))
}

#[tokio::test]
async fn unauthenticated_identities_only_without_least_privilege() {
    let open = start(Windows::AWS, None).await;
    assert!(unauthenticated_get_id(&client(&open)).await.is_ok());

    let strict = start_least_privilege(Variant::W).await;
    assert_eq!(
        unauthenticated_get_id(&client(&strict)).await.unwrap_err(),
        "NotAuthorizedException: Unauthenticated access is not supported for this identity pool."
    );
    // A signed-in person gets an authenticated identity, the same one each time.
    let ana = customer(&strict, "ana").await;
    let id_token = ana.tokens.as_ref().unwrap().id_token.clone();
    let get_id = || async {
        let answer = ana
            .call(cognito::get_id(&ana.settings, Some(&id_token)))
            .await
            .unwrap()
            .unwrap();
        cognito::parse_identity_id(&answer.to_string()).unwrap()
    };
    let identity = get_id().await;
    assert_eq!(get_id().await, identity, "one identity per person");
    assert!(ana.credentials().await.is_ok());
}

#[tokio::test]
async fn an_identity_gives_credentials_only_with_its_own_login() {
    let emu = start_least_privilege(Variant::W).await;
    let (ana, bo) = (customer(&emu, "ana").await, customer(&emu, "bo").await);
    let token = |c: &Client| c.tokens.as_ref().unwrap().id_token.clone();
    let answer = ana
        .call(cognito::get_id(&ana.settings, Some(&token(&ana))))
        .await
        .unwrap()
        .unwrap();
    let anas = cognito::parse_identity_id(&answer.to_string()).unwrap();
    for (logins, what) in [
        (None, "no login"),
        (Some(token(&bo)), "another person's login"),
        (Some("not.a.token".to_string()), "a forged token"),
    ] {
        let refused = ana
            .call(cognito::get_credentials(
                &ana.settings,
                &anas,
                logins.as_deref(),
            ))
            .await
            .unwrap();
        assert_eq!(
            refused.map_err(|e| e.kind).unwrap_err(),
            "NotAuthorizedException",
            "{what}"
        );
    }
}

/// The attack: a customer's credentials listening to the admin topic (every order, the
/// QR code, the task tokens) or to another customer's topic.
#[tokio::test]
async fn a_customer_may_listen_only_to_their_own_topic_and_the_config() {
    let emu = start_least_privilege(Variant::W).await;
    let barista = admin(&emu).await;
    let (ana, bo) = (customer(&emu, "ana").await, customer(&emu, "bo").await);
    let qos0 = Success(mqttrs::QoS::AtMostOnce);

    let mut anas = RawMqtt::connect(
        &presigned(&emu, &ana.credentials().await.unwrap()),
        "serverlesspresso-ana",
    )
    .await;
    let (own, config) = (ana.user_topic().unwrap(), ana.config_topic());
    let admin_topic = barista.admin_topic();
    let others = bo.user_topic().unwrap();
    assert_eq!(
        anas.subscribe(1, &[&own, &config, &admin_topic, &others])
            .await,
        vec![qos0, qos0, Failure, Failure]
    );
    // The granted ones work: Bo's order is not Ana's to hear, her own is.
    let mut bos_phone = customer_events(&bo).await;
    let bos = order_at_the_bar(&barista, &bo, &mut bos_phone, "Latte").await;
    let mut anas_phone = customer_events(&ana).await;
    let hers = order_at_the_bar(&barista, &ana, &mut anas_phone, "Latte").await;
    let mut heard = Vec::new();
    while let Some(topic) = anas.next_publish(QUIET).await {
        heard.push(topic);
    }
    assert!(
        heard.iter().all(|t| *t == own),
        "only her own topic: {heard:?} ({bos}, {hers})"
    );
    assert!(!heard.is_empty(), "her own order's events arrived");

    // Staff hear the admin and config topics, no customer's.
    let mut bar = RawMqtt::connect(
        &presigned(&emu, &barista.credentials().await.unwrap()),
        "serverlesspresso-bar",
    )
    .await;
    assert_eq!(
        bar.subscribe(1, &[&admin_topic, &config, &own]).await,
        vec![qos0, qos0, Failure]
    );
}

/// The attack: a customer taking the barista's actions, or cancelling someone else's
/// order, with their own valid token.
#[tokio::test]
async fn barista_actions_are_for_admins_and_a_cancel_for_the_owner() {
    for variant in [Variant::W, e()] {
        let emu = start_least_privilege(variant).await;
        let barista = admin(&emu).await;
        if emu.variant.is_e() {
            open_store(&barista).await;
        }
        let (ana, bo) = (customer(&emu, "ana").await, customer(&emu, "bo").await);
        let mut phone = customer_events(&ana).await;
        let (drink, options): (&str, &[&str]) = match emu.variant.is_e() {
            true => ("Flat White", &["Oat"]),
            false => ("Latte", &[]),
        };
        let order = order_with(&barista, &ana, &mut phone, drink, options).await;
        for action in ["make", "unmake", "complete"] {
            let reply = ana.order_action(&order, action).await.unwrap();
            assert_eq!(reply.status, 403, "{action} by a customer: {}", reply.body);
        }
        let reply = bo.order_action(&order, "cancel").await.unwrap();
        assert_eq!(
            reply.status, 403,
            "another customer's cancel: {}",
            reply.body
        );
        let reply = ana.set_store(false).await.unwrap();
        assert_eq!(reply.status, 403, "the store switch: {}", reply.body);

        // The barista's actions and the owner's cancel go through.
        assert_eq!(
            barista.order_action(&order, "make").await.unwrap().status,
            200
        );
        assert_eq!(
            barista.order_action(&order, "unmake").await.unwrap().status,
            200
        );
        let reply = ana.order_action(&order, "cancel").await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        phone
            .expect(
                &ana.finished_event_type(&shared::model::OrderState::Cancelled),
                Some(&order),
                WAIT,
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn without_least_privilege_the_workshop_backend_is_as_open_as_ever() {
    let emu = start(Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = order_at_the_bar(&barista, &ana, &mut phone, "Latte").await;
    let reply = ana.order_action(&order, "make").await.unwrap();
    assert_eq!(
        reply.status, 200,
        "W lets any signed-in user make: {}",
        reply.body
    );
}

/// The workshop backend attaches no AWS IoT policy to identities, so AWS IoT refuses an
/// authenticated one: the apps' default (`identities` unset) is unauthenticated, and
/// only that connects to the workshop's IoT.
#[tokio::test]
async fn the_workshops_iot_lets_in_unauthenticated_identities_only() {
    let emu = start(Windows::AWS, None).await;
    let mut ana = customer(&emu, "ana").await;
    assert!(!ana.settings.authenticated_identities);
    let topic = ana.user_topic().unwrap();
    assert!(ana
        .subscribe("serverlesspresso-ana-1", &[&topic])
        .await
        .is_ok());

    let mut draft = ana.settings.draft().clone();
    draft.set(shared::Field::Identities, "authenticated");
    ana.settings = draft.validate(shared::AppKind::Display).unwrap();
    let refused = ana.subscribe("serverlesspresso-ana-2", &[&topic]).await;
    assert!(
        format!("{:#}", refused.err().expect("refused")).contains("403"),
        "an authenticated identity is refused"
    );
}

/// Signing out: `RevokeToken` ends the refresh token; a copy of it is refused after.
#[tokio::test]
async fn a_revoked_refresh_token_is_refused() {
    let emu = start(Windows::AWS, None).await;
    let mut ana = customer(&emu, "ana").await;
    let mut other_device = customer_signed_in_again(&emu, "ana").await;
    assert!(ana.refresh().await.unwrap().is_ok(), "good before");
    assert_eq!(ana.revoke().await.unwrap().unwrap(), json!({}));
    let refused = ana.refresh().await.unwrap().unwrap_err();
    assert_eq!(
        (refused.kind.as_str(), refused.message.as_str()),
        ("NotAuthorizedException", "Refresh Token has been revoked")
    );
    assert!(ana.revoke().await.unwrap().is_err(), "revoked once only");
    // Another sign-in of the same person (another device) is not signed out.
    assert!(other_device.refresh().await.unwrap().is_ok());
    // The access token already issued lasts its hour, as at API Gateway.
    let reply = ana
        .rest(Method::GET, &ana.om("myOrders"), None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
}

/// `name` signed in once more, as on a second device.
async fn customer_signed_in_again(emu: &Running, name: &str) -> Client {
    let mut c = client(emu);
    c.sign_in_as(&emu.base_url(), &format!("{name}@example.com"), "password1")
        .await
        .unwrap();
    c
}
