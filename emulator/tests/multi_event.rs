//! Variant E only: what each route does with, without and with an unknown `eventId`;
//! two events side by side with no cross-talk; E's menu seed and its sanitizer; the
//! phone-number user pool; the order-journey pages; the settings handed to the apps.
//! (The journeys W and E share are in `order_journey.rs`.)

mod common;

use common::*;
use emulator::client::{phone_for, Client, Method};
use emulator::Variant;
use serde_json::{json, Value};
use shared::model::OrderState;
use shared::windows::Windows;

/// A URL of `client`'s API without the `eventId` the client adds.
fn bare(url: String) -> String {
    url.replace("&eventId=ABC", "").replace("?eventId=ABC", "")
}

fn two_events() -> Variant {
    Variant::e(["ABC", "XYZ"]).unwrap()
}

#[tokio::test]
async fn config_routes_with_without_and_with_an_unknown_event() {
    let emu = start_as(two_events()).await;
    let anonymous = client(&emu);
    let get = |url: String| {
        let c = anonymous.clone();
        async move { c.rest(Method::GET, &url, None).await.unwrap() }
    };
    // GET /config?eventId=: a GetItem of config-<event>, answered raw.
    let abc = get(anonymous.config("config")).await;
    assert_eq!(abc.status, 200);
    assert!(abc.cors);
    let item = &abc.json().unwrap()["Item"];
    assert_eq!(item["PK"], json!({"S": "config-ABC"}));
    assert_eq!(item["storeOpen"], json!({"BOOL": false}));
    let xyz = get(client_of(&emu, "XYZ").config("config")).await;
    assert_eq!(xyz.json().unwrap()["Item"]["PK"]["S"], "config-XYZ");
    // No event, or an unknown one: an empty GetItem answer, HTTP 200.
    for url in [
        bare(anonymous.config("config")),
        anonymous.config("config").replace("ABC", "NOPE"),
    ] {
        let reply = get(url).await;
        assert_eq!((reply.status, reply.body.as_str()), (200, "{}"));
    }

    // GET /admin-config: the same behind the authorizer.
    let denied = get(anonymous.config("admin-config")).await;
    assert_eq!(denied.status, 401);
    let barista = admin(&emu).await;
    let admin_config = barista
        .rest(Method::GET, &barista.config("admin-config"), None)
        .await
        .unwrap();
    assert_eq!(admin_config.json().unwrap(), abc.json().unwrap());
    let none = barista
        .rest(Method::GET, &bare(barista.config("admin-config")), None)
        .await
        .unwrap();
    assert_eq!(none.body, "{}");

    // PUT /store: an UpdateItem of config-<event>, which (as DynamoDB does) creates the
    // item for an event that has none; its ConfigChanged goes to that event's topic.
    let mut nope_config = subscribe_to(&barista, &["serverlesspresso-config-NOPE"]).await;
    let mut abc_config = subscribe_to(&barista, &["serverlesspresso-config-ABC"]).await;
    let nope = barista
        .rest(
            Method::PUT,
            &barista.config("store?state=open").replace("ABC", "NOPE"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        nope.json().unwrap(),
        json!({"Attributes": {"PK": {"S": "config-NOPE"}, "storeOpen": {"BOOL": true}}})
    );
    nope_config
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_quiet(&mut abc_config, "ABC's config topic hears nothing of NOPE").await;
    let without = barista
        .rest(Method::PUT, &bare(barista.config("store?state=open")), None)
        .await
        .unwrap();
    assert_eq!(without.json().unwrap()["Attributes"]["PK"]["S"], "config-");
    assert_eq!(
        get(anonymous.config("config")).await.json().unwrap()["Item"]["storeOpen"],
        json!({"BOOL": false}),
        "ABC's store is still closed"
    );
}

#[tokio::test]
async fn validator_routes_need_an_event() {
    let emu = start_as(e()).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    // GET /qr-code: 403 for customers, then 400 without an event or for an unknown one.
    let refused = ana.qr_code().await.unwrap_err().to_string();
    assert!(refused.contains("403"), "{refused}");
    let get = |url: String| {
        let c = barista.clone();
        async move { c.rest(Method::GET, &url, None).await.unwrap() }
    };
    let missing = get(bare(barista.validator("qr-code"))).await;
    // getCode.js returns a bare `{statusCode: 400}`: no body, no CORS headers.
    assert_eq!((missing.status, missing.body.as_str()), (400, ""));
    assert!(!missing.cors, "Lambda errors carry no CORS headers");
    let unknown = get(barista.validator("qr-code").replace("ABC", "NOPE")).await;
    assert_eq!(
        (unknown.status, unknown.json().unwrap()),
        (400, json!({"error": "No matching event ID"}))
    );
    let bucket = qr_code(&barista).await;
    let code = bucket["last_code"].as_str().unwrap();

    // POST /qr-code: 422 without a query string, 400 without an event; another event's
    // bucket does not hold this code. Raw requests on purpose: no app sends these (a
    // URL without its token or its event, this event's code to another event), so
    // `Client::scan` cannot.
    let post = |url: String| {
        let c = ana.clone();
        async move { c.rest(Method::POST, &url, None).await.unwrap() }
    };
    let no_query = post(bare(ana.validator("qr-code"))).await;
    assert_eq!(
        (no_query.status, no_query.json().unwrap()),
        (422, json!({"error": "Missing parameter"}))
    );
    let no_event = post(bare(ana.validator(&format!("qr-code?token={code}")))).await;
    // So does verifyCode.js.
    assert_eq!((no_event.status, no_event.body.as_str()), (400, ""));
    assert!(!no_event.cors, "Lambda errors carry no CORS headers");
    let elsewhere = post(
        ana.validator(&format!("qr-code?token={code}"))
            .replace("ABC", "XYZ"),
    )
    .await;
    assert_eq!(
        (elsewhere.status, elsewhere.json().unwrap()),
        (400, json!({"error": "Invalid code"}))
    );
    scan_ok(&ana, code).await;
}

#[tokio::test]
async fn order_manager_routes_with_without_and_with_an_unknown_event() {
    let emu = start_as(e()).await;
    let barista = admin(&emu).await;
    open_store(&barista).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = order_with(&barista, &ana, &mut phone, "Americano", &["Regular"]).await;
    let ids = |rows: Vec<Value>| -> Vec<String> {
        rows.iter()
            .map(|r| r["SK"]["S"].as_str().unwrap().to_string())
            .collect()
    };
    let orders = |url: String| {
        let c = barista.clone();
        async move {
            let reply = c.rest(Method::GET, &url, None).await.unwrap();
            assert_eq!(reply.status, 200);
            match reply.json().unwrap() {
                Value::Array(rows) => rows,
                other => panic!("{other}"),
            }
        }
    };
    // GET /orders?state=CREATED&eventId=ABC queries ABC-CREATED: E's template adds the
    // event to the state, so a state that already has it finds nothing.
    assert_eq!(
        ids(orders(barista.om("orders?state=CREATED")).await),
        [order.as_str()]
    );
    assert!(orders(barista.om("orders?state=ABC-CREATED"))
        .await
        .is_empty());
    assert!(orders(bare(barista.om("orders?state=CREATED")))
        .await
        .is_empty());
    assert!(
        orders(barista.om("orders?state=CREATED").replace("ABC", "XYZ"))
            .await
            .is_empty()
    );
    assert!(
        orders(barista.om("orders")).await.is_empty(),
        "no state: ABC- holds nothing"
    );

    // GET /orders/{id} and /myOrders do not read the event.
    for url in [
        barista.om(&format!("orders/{order}")),
        bare(barista.om(&format!("orders/{order}"))),
    ] {
        let reply = barista.rest(Method::GET, &url, None).await.unwrap();
        assert!(reply.body.contains("\"orderState\":\"ABC-CREATED\""));
    }
    for url in [ana.om("myOrders"), bare(ana.om("myOrders"))] {
        let mine = ana.rest(Method::GET, &url, None).await.unwrap();
        assert_eq!(
            ids(serde_json::from_str(&mine.body).unwrap()),
            [order.as_str()]
        );
    }

    // PUT /orders/{id} passes eventId into the workflow as given: without one, the
    // barista's make is announced on "serverlesspresso-admin-" (nobody's board)...
    let mut board = admin_events(&barista).await;
    let mut nobodys = subscribe_to(&barista, &["serverlesspresso-admin-"]).await;
    let make = bare(barista.om(&format!("orders/{order}?action=make")));
    barista
        .rest(Method::PUT, &make, Some(json!({})))
        .await
        .unwrap();
    let made = nobodys
        .expect("OrderManager.MakeOrder", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(made["eventId"], "");
    assert_quiet(&mut board, "ABC's board hears nothing").await;
    // ...and a complete without one writes the state "-COMPLETED".
    let complete = bare(barista.om(&format!("orders/{order}?action=complete")));
    barista
        .rest(Method::PUT, &complete, Some(json!({})))
        .await
        .unwrap();
    let done = phone
        .expect("OrderManager.Order-COMPLETED", Some(&order), WAIT)
        .await
        .unwrap();
    assert_eq!(done["ORDERSTATE"], "-COMPLETED");
    assert!(barista
        .orders(&OrderState::Completed)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn two_events_keep_their_topics_counters_and_codes_apart() {
    let emu = start_as(two_events()).await;
    let (abc, xyz) = (admin_of(&emu, "ABC").await, admin_of(&emu, "XYZ").await);
    assert_eq!(abc.admin_topic(), "serverlesspresso-admin-ABC");
    assert_eq!(xyz.config_topic(), "serverlesspresso-config-XYZ");
    let mut abc_board = admin_events(&abc).await;
    let mut xyz_board = admin_events(&xyz).await;
    let mut xyz_config = subscribe_to(&xyz, &[&xyz.config_topic()]).await;
    let mut undefined = subscribe_to(&abc, &["serverlesspresso-admin-undefined"]).await;
    // ABC opens its store: ConfigChanged on ABC's config topic, and, as E's admin
    // publisher reads an eventId the stream image lacks, on admin-undefined; never on
    // ABC's admin topic (a barista console listening there only never hears it).
    open_store(&abc).await;
    let change = undefined
        .expect("ConfigService.ConfigChanged", None, WAIT)
        .await
        .unwrap();
    assert_eq!(change["NewImage"]["PK"]["S"], "config-ABC");
    assert!(change.get("eventId").is_none());
    assert_quiet(&mut xyz_config, "XYZ's config topic").await;
    assert_quiet(&mut abc_board, "ABC's admin topic").await;
    open_store(&xyz).await;

    // An order at each event: each board hears its own only; each counter starts at 1.
    let ana = customer(&emu, "ana").await;
    let mut bob = client_of(&emu, "XYZ");
    bob.register_customer(&emu.base_url(), "bob").await.unwrap();
    let mut ana_phone = customer_events(&ana).await;
    let mut bob_phone = customer_events(&bob).await;
    let at_abc = order_with(&abc, &ana, &mut ana_phone, "Flat White", &["Oat"]).await;
    let at_xyz = order_at_the_bar(&xyz, &bob, &mut bob_phone, "Singe Espresso").await;
    for (board, mine, theirs, event) in [
        (&mut abc_board, &at_abc, &at_xyz, "ABC"),
        (&mut xyz_board, &at_xyz, &at_abc, "XYZ"),
    ] {
        let mut seen = Vec::new();
        while let Ok(message) = board.next_message(QUIET).await {
            assert_ne!(message["detail"]["orderId"], theirs.as_str(), "cross-talk");
            assert_eq!(message["detail"]["eventId"], event);
            seen.push(message["type"].as_str().unwrap().to_string());
        }
        assert!(
            seen.contains(&"OrderManager.WaitingCompletion".to_string()),
            "{seen:?}"
        );
        let numbered = event_log(&emu, mine).await;
        let number = numbered
            .iter()
            .find(|e| e["type"] == "OrderProcessor.WaitingCompletion")
            .unwrap();
        assert_eq!(
            number["detail"]["orderNumber"], "1",
            "{event}'s own counter"
        );
    }
    // Each event's QR code is its own; each board lists its own orders.
    assert_ne!(
        qr_code(&abc).await["last_code"],
        qr_code(&xyz).await["last_code"]
    );
    let listed = |rows: Vec<Value>| -> Vec<String> {
        rows.iter()
            .map(|r| r["SK"]["S"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        listed(abc.orders(&OrderState::Created).await.unwrap()),
        [at_abc.as_str()]
    );
    assert_eq!(
        listed(xyz.orders(&OrderState::Created).await.unwrap()),
        [at_xyz]
    );
    // The user topic is shared: ana's phone hears her order only, with its event.
    abc.order_action(&at_abc, "complete").await.unwrap();
    let done = ana_phone
        .expect("OrderManager.OrderABC-COMPLETED", Some(&at_abc), WAIT)
        .await
        .unwrap();
    assert_eq!(done["eventId"], "ABC");
    assert_quiet(
        &mut xyz_board,
        "XYZ's board hears nothing of ABC's completion",
    )
    .await;
}

#[tokio::test]
async fn the_menu_seed_and_the_sanitizer_follow_its_options() {
    let emu = start_as(e()).await;
    let barista = admin(&emu).await;
    let menu = barista.menu().await.unwrap();
    let names: Vec<&str> = menu.iter().map(|m| m.drink.as_str()).collect();
    assert_eq!(
        names,
        [
            "Americano",
            "Flat White",
            "Cappuccino",
            "Singe Espresso",
            "Double Espresso"
        ]
    );
    for item in &menu {
        let with_milk = ["Americano", "Flat White", "Cappuccino"].contains(&item.drink.as_str());
        assert_eq!(
            item.modifiers.len(),
            usize::from(with_milk),
            "{}",
            item.drink
        );
        if with_milk {
            assert_eq!(item.modifiers[0].name, "Milk");
            assert_eq!(item.modifiers[0].options, ["Regular", "Oat"]);
        }
        assert_eq!(item.available, item.drink != "Cappuccino");
        assert!(
            item.icon.starts_with("barista-icons_"),
            "the seed's icon names"
        );
    }
    let config = barista
        .rest(Method::GET, &barista.config("config"), None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let item = &config["Item"];
    for (name, value) in [
        ("drinksPerBarcode", json!({"N": "10"})),
        ("maxOrdersInQueue", json!({"N": "10"})),
        ("maxOrdersPerUser", json!({"N": "1"})),
        ("storeOpen", json!({"BOOL": false})),
    ] {
        assert_eq!(item[name], value, "{name}");
    }
    for name in ["start", "end", "language", "region", "requester"] {
        assert!(item[name]["S"].is_string(), "{name}");
    }

    open_store(&barista).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    // Oat is one of the Flat White's options: the order reaches the baristas.
    let oat = order_with(&barista, &ana, &mut phone, "Flat White", &["Oat"]).await;
    let row = order_row(&emu, &oat);
    let drink: Value = serde_json::from_str(row["drinkOrder"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(drink["modifiers"], json!(["Oat"]));
    // Soy is on no menu, and an espresso takes no milk: refused, silently.
    for (drink, modifiers) in [("Flat White", &["Soy"]), ("Singe Espresso", &["Oat"])] {
        let code = qr_code(&barista).await["last_code"]
            .as_str()
            .unwrap()
            .to_string();
        let order = scan_ok(&ana, &code).await;
        phone
            .expect("OrderProcessor.WorkflowStarted", Some(&order), WAIT)
            .await
            .unwrap();
        let reply = ana.submit_drink(&order, drink, modifiers).await.unwrap();
        assert_eq!(
            reply.status, 200,
            "the API accepts it; the workflow refuses"
        );
        assert_quiet(&mut phone, &format!("{drink} with {modifiers:?}")).await;
        assert!(order_row(&emu, &order).get("drinkOrder").is_none());
    }
}

#[tokio::test]
async fn the_user_pool_takes_phone_numbers_only() {
    let emu = start_as(e()).await;
    let mut c = client(&emu);
    let refused = c
        .sign_up("ana@example.com", "password1")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (refused.kind.as_str(), refused.message.as_str()),
        (
            "InvalidParameterException",
            "Username should be a phone number."
        )
    );
    // The apps' phone flow: sign-up (auto-confirmed), a texted code, tokens.
    let phone = phone_for("ana");
    c.sign_in_phone(&emu.base_url(), &phone).await.unwrap();
    let tokens = c.tokens.clone().unwrap();
    let claims = |jwt: &str| -> Value {
        use base64::Engine as _;
        let payload = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let access = claims(&tokens.access_token);
    assert_eq!(
        access["username"], access["sub"],
        "a phone pool names users by sub"
    );
    let id = claims(&tokens.id_token);
    assert_eq!(id["phone_number"], phone);
    assert_eq!(id["phone_number_verified"], true);
    assert_eq!(id["cognito:username"], id["sub"]);
    let code = c.sent_code(&emu.base_url(), &phone).await.unwrap();
    assert_eq!(code.len(), 6);
    // A returning customer signs in again with a new code.
    let mut again = client(&emu);
    again.sign_in_phone(&emu.base_url(), &phone).await.unwrap();
    assert_eq!(again.sub().unwrap(), c.sub().unwrap());
    // The barista is a phone number too, in the admin group.
    let barista = admin(&emu).await;
    let admin_claims = claims(&barista.tokens.as_ref().unwrap().id_token);
    assert_eq!(admin_claims["phone_number"], E_ADMIN);
    assert_eq!(admin_claims["cognito:groups"], json!(["admin"]));
    // Signing out everywhere forgets the refresh token, found by its sub.
    let signed_out = c
        .cognito(
            "AWSCognitoIdentityProviderService.GlobalSignOut",
            json!({"AccessToken": tokens.access_token}),
        )
        .await
        .unwrap();
    assert!(signed_out.is_ok());
    assert_eq!(
        c.refresh().await.unwrap().unwrap_err().kind,
        "NotAuthorizedException"
    );
}

#[tokio::test]
async fn an_admin_that_is_not_a_phone_number_is_refused_at_start() {
    let started = emulator::start(emulator::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admins: vec![("barista@example.com".into(), "secret1".into())],
        variant: e(),
        ..Default::default()
    })
    .await;
    let error = started.err().expect("refused").to_string();
    assert!(error.contains("phone numbers only"), "{error}");
}

async fn get_page(url: &str) -> (u16, String, String) {
    let reply = reqwest::get(url).await.unwrap();
    let status = reply.status().as_u16();
    let kind = reply.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, kind, reply.text().await.unwrap())
}

/// Each of `titles` as a step heading, in this order.
fn assert_steps_in_order(html: &str, titles: &[&str]) {
    let mut at = 0;
    for title in titles {
        let found = html[at..]
            .find(&format!("<h3>{title}</h3>"))
            .unwrap_or_else(|| panic!("step {title:?} after byte {at} of {html}"));
        at += found + 1;
    }
    assert_eq!(html.matches("<h3>").count(), titles.len(), "{html}");
}

#[tokio::test]
async fn the_journey_page_tells_each_step_and_why_an_order_stopped() {
    let clock = manual_clock();
    let emu = start_variant(e(), clock.clone(), Windows::AWS, None).await;
    let barista = admin(&emu).await;
    open_store(&barista).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;

    let order = order_with(&barista, &ana, &mut phone, "Flat White", &["Oat"]).await;
    barista.order_action(&order, "make").await.unwrap();
    phone
        .expect("OrderManager.MakeOrder", Some(&order), WAIT)
        .await
        .unwrap();
    barista.order_action(&order, "complete").await.unwrap();
    phone
        .expect("OrderProcessor.orderFinished", Some(&order), WAIT)
        .await
        .unwrap();
    let url = ana.journey_url(&order).expect("E has journey pages");
    assert_eq!(url, format!("{}/journey/{order}.html", emu.base_url()));
    let (status, kind, html) = get_page(&url).await;
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert_steps_in_order(
        &html,
        &[
            "Scanned",
            "Workflow started",
            "Drink chosen, number 1 given",
            "In the baristas&#39; queue",
            "Being made",
            "Ready",
            "Finished",
        ],
    );
    assert!(html.contains("<h1>Order #1</h1>"));
    assert!(html.contains("Flat White, Oat"));
    assert!(html.contains("OrderManager.OrderABC-COMPLETED"));
    assert!(html.contains("Ready for collection. The workflow has finished."));
    assert!(html.contains("<html lang=\"en\">") && html.contains("name=\"viewport\""));
    assert!(!html.contains("https://") && !html.contains("<script"));

    // An order nobody chose a drink for: timed out, and why.
    let code = qr_code(&barista).await["last_code"]
        .as_str()
        .unwrap()
        .to_string();
    let stalled = scan_ok(&ana, &code).await;
    phone
        .expect("OrderProcessor.WorkflowStarted", Some(&stalled), WAIT)
        .await
        .unwrap();
    let (_, _, waiting) = get_page(&ana.journey_url(&stalled).unwrap()).await;
    assert!(
        waiting.contains("Waiting for a drink to be chosen"),
        "{waiting}"
    );
    clock.advance_ms(Windows::AWS.choose_ms);
    phone
        .expect("OrderProcessor.OrderTimeOut", Some(&stalled), WAIT)
        .await
        .unwrap();
    let (status, _, html) = get_page(&ana.journey_url(&stalled).unwrap()).await;
    assert_eq!(status, 200);
    assert_steps_in_order(&html, &["Scanned", "Workflow started", "Timed out"]);
    assert!(html.contains("No drink was chosen within 5 minutes"));
    assert!(html.contains("Customer timedout"));
    assert!(html.contains("marked cancelled, with the reason"));

    // An order the emulator never saw.
    let (status, kind, html) = get_page(&ana.journey_url("no-such-order").unwrap()).await;
    assert_eq!((status, kind.as_str()), (404, "text/html; charset=utf-8"));
    assert!(html.contains("Order not found"));
    let (status, _, _) = get_page(&format!("{}/journey/{order}", emu.base_url())).await;
    assert_eq!(status, 404, "pages end in .html");
}

#[tokio::test]
async fn w_orders_have_journey_pages_too_but_w_settings_do_not_name_them() {
    let emu = start(Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let ana = customer(&emu, "ana").await;
    let mut phone = customer_events(&ana).await;
    let order = order_at_the_bar(&barista, &ana, &mut phone, "Latte").await;
    assert_eq!(ana.journey_url(&order), None);
    let (status, _, html) = get_page(&format!("{}/journey/{order}.html", emu.base_url())).await;
    assert_eq!(status, 200);
    assert_steps_in_order(
        &html,
        &[
            "Scanned",
            "Workflow started",
            "Drink chosen, number 1 given",
            "In the baristas&#39; queue",
        ],
    );
}

#[tokio::test]
async fn the_apps_get_e_settings_for_the_first_event_and_staff_links_for_each() {
    let dir = tempfile::tempdir().unwrap();
    for app in ["order", "barista", "display"] {
        std::fs::create_dir_all(dir.path().join(app).join("dist")).unwrap();
        std::fs::write(
            dir.path().join(app).join("dist/index.html"),
            "<html></html>",
        )
        .unwrap();
    }
    let windows = Windows::scaled(10);
    let emu = emulator::start(emulator::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        apps_dir: Some(dir.path().to_path_buf()),
        windows,
        variant: two_events(),
        ..Default::default()
    })
    .await
    .unwrap();
    let base = emu.base_url();
    let order: Value = reqwest::get(format!("{base}/order/settings.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(order["flavour"], "E");
    assert_eq!(order["eventId"], "ABC");
    assert_eq!(order["journeyServiceURL"], format!("{base}/journey/"));
    assert_eq!(order["timeScale"], "10");
    let barista: Value = reqwest::get(format!("{base}/barista/settings.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (barista["flavour"].as_str(), barista["eventId"].as_str()),
        (Some("E"), Some("ABC"))
    );
    assert_eq!(emu.settings().get(shared::Field::EventId), "ABC");
    // Another event's settings, for a test or a staff device.
    let xyz = emulator::local::settings_for_event(&base, &windows, "XYZ");
    assert_eq!(xyz.get(shared::Field::EventId), "XYZ");
    let query = local_get(&emu, "/_local/settings?eventId=XYZ")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        query.contains("flavour=E") && query.contains("eventId=XYZ"),
        "{query}"
    );
    let start_page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "variant E",
        "Display settings, event ABC",
        "Display settings, event XYZ",
        "+15555550100",
        "open it from the barista console first",
    ] {
        assert!(start_page.contains(needle), "{needle}");
    }
}

#[tokio::test]
async fn w_settings_are_as_they_were() {
    let emu = start(Windows::AWS, None).await;
    assert_eq!(
        emu.settings(),
        emulator::local::settings_for(&emu.base_url(), &Windows::AWS)
    );
    let c = Client::new(&emu.base_url()).unwrap();
    assert_eq!(c.event_id(), None);
    assert_eq!(c.admin_topic(), "serverlesspresso-admin");
    assert_eq!(c.state_param(&OrderState::Completed), "Completed");
    assert_eq!(
        c.finished_event_type(&OrderState::Cancelled),
        "OrderManager.OrderCancelled"
    );
    assert!(!c.om("orders").contains("eventId"));
}

#[tokio::test]
async fn the_e_client_speaks_the_events_words() {
    let emu = start_as(e()).await;
    let c = client(&emu);
    assert_eq!(c.event_id(), Some("ABC"));
    assert_eq!(
        c.om("orders?state=CREATED"),
        format!(
            "{}/order-manager/Prod/orders?state=CREATED&eventId=ABC",
            emu.base_url()
        )
    );
    assert_eq!(
        c.validator("qr-code"),
        format!("{}/validator/Prod/qr-code?eventId=ABC", emu.base_url())
    );
    assert_eq!(c.state_param(&OrderState::Completed), "COMPLETED");
    assert_eq!(c.stored_state(&OrderState::Created), "ABC-CREATED");
    assert_eq!(c.stored_state(&OrderState::Cancelled), "ABC-CANCELLED");
    assert_eq!(
        c.finished_event_type(&OrderState::Cancelled),
        "OrderManager.OrderABC-CANCELLED"
    );
    assert_eq!(c.admin_topic(), "serverlesspresso-admin-ABC");
    assert_eq!(c.config_topic(), "serverlesspresso-config-ABC");
    let xyz = client_of(&emu, "XYZ");
    assert_eq!(xyz.event_id(), Some("XYZ"));
    assert_ne!(phone_for("ana"), phone_for("bob"));
    assert_eq!(phone_for("ana"), phone_for("ana"));
    assert!(shared::cognito::is_e164(&phone_for("ana")));
}
