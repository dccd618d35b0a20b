//! The emulator on a developer's laptop, attacked (issue #18, "The emulator trusts
//! everyone"): by a page of another site in the developer's browser (a `text/plain` POST,
//! CORS, DNS rebinding), by another machine on the network, by a client subscribing to
//! everything. Each attack is refused, and what the apps and tests do still works.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use common::*;
use emulator::access::LOCAL_TOKEN_HEADER;
use emulator::iot::{self, PresignError};
use emulator::{local, Config, Running};
use reqwest::Method;
use serde_json::{json, Value};
use shared::sigv4;
use shared::url::{Endpoint, SchemeKind};
use shared::windows::Windows;
use std::net::SocketAddr;
use tower::ServiceExt;

/// A request to the emulator: (status, headers, body as JSON or `null`).
async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

/// `POST /_local/users` for `username` with this content type and token.
async fn create_user(
    emu: &Running,
    username: &str,
    content_type: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/_local/users", emu.base_url()))
        .header("Content-Type", content_type)
        .body(
            json!({"username": username, "password": "password1", "groups": ["admin"]}).to_string(),
        );
    if let Some(token) = token {
        request = request.header(LOCAL_TOKEN_HEADER, token);
    }
    let (status, _, body) = send(request).await;
    (status, body)
}

/// Whether `username` can sign in with `password1`, i.e. exists.
async fn exists(emu: &Running, username: &str) -> bool {
    client(emu)
        .sign_in(username, "password1")
        .await
        .unwrap()
        .is_ok()
}

#[tokio::test]
async fn a_text_plain_post_to_the_local_routes_is_refused() {
    // What any web page can send to 127.0.0.1 without a preflight.
    let emu = start(Windows::AWS, None).await;
    let token = Some(emu.local_token());
    let (status, body) = create_user(
        &emu,
        "mallory@example.com",
        "text/plain;charset=UTF-8",
        token,
    )
    .await;
    assert_eq!(status, 415, "{body}");
    assert!(message(&body).contains("application/json"), "{body}");
    assert!(
        !exists(&emu, "mallory@example.com").await,
        "no admin was made"
    );
    let (status, _, _) = send(
        reqwest::Client::new()
            .post(format!("{}/_local/faults", emu.base_url()))
            .header("Content-Type", "text/plain")
            .header(LOCAL_TOKEN_HEADER, emu.local_token())
            .body(r#"{"refuseSubscriptions": {}}"#),
    )
    .await;
    assert_eq!(status, 415);
    let state: Value = local_get(&emu, "/_local/faults")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["refuseSubscriptions"],
        Value::Null,
        "no fault was set"
    );

    // JSON (parameters allowed) is what the tests send.
    let (status, body) = create_user(
        &emu,
        "barista2@example.com",
        "application/json; charset=utf-8",
        token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(exists(&emu, "barista2@example.com").await);
}

#[tokio::test]
async fn the_local_routes_need_this_runs_token() {
    let emu = start(Windows::AWS, None).await;
    let faults = format!("{}/_local/faults", emu.base_url());
    let (status, _, body) = send(reqwest::Client::new().get(&faults)).await;
    assert_eq!(status, 403);
    assert!(message(&body).contains("X-Local-Token"), "{body}");
    let (status, _, body) = send(
        reqwest::Client::new()
            .get(&faults)
            .header(LOCAL_TOKEN_HEADER, "a-guess-of-the-token-0000"),
    )
    .await;
    assert_eq!(status, 403);
    assert!(message(&body).contains("not this run's"), "{body}");
    // A link carries it in the query (GET only).
    let link = format!("{faults}?localToken={}", emu.local_token());
    assert_eq!(send(reqwest::Client::new().get(&link)).await.0, 200);
    let (status, body) = create_user(&emu, "mallory@example.com", "application/json", None).await;
    assert_eq!(status, 403, "{body}");
    let (status, _, _) = send(
        reqwest::Client::new()
            .post(&link)
            .header("Content-Type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(status, 403, "a POST sends the header");
    assert!(!exists(&emu, "mallory@example.com").await);
    let code = format!("{}/_local/codes/{}", emu.base_url(), ADMIN.0);
    assert_eq!(send(reqwest::Client::new().get(&code)).await.0, 403);

    // Each run has its own, unless one is given.
    let other = start(Windows::AWS, None).await;
    assert_ne!(other.local_token(), emu.local_token());
    let given = emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        local_token: Some("given-on-the-command-line".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(given.local_token(), "given-on-the-command-line");
    assert_eq!(local_get(&given, "/_local/faults").await.status(), 200);
    let short = emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        local_token: Some("secret".into()),
        ..Default::default()
    })
    .await;
    let refused = short.err().expect("a short token is refused").to_string();
    assert!(refused.contains("--local-token"), "{refused}");
}

/// Drives the emulator's service in-process, as a request from `peer` to `path`.
async fn from_peer(
    emu: &Running,
    peer: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("Host", emu.addr.to_string())
        .header(LOCAL_TOKEN_HEADER, emu.local_token());
    if body.is_some() {
        request = request.header("Content-Type", "application/json");
    }
    let request = request
        .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()))
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = emu.service().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// An emulator serving (empty) apps, so that it has its start page.
async fn start_with_apps(dir: &std::path::Path) -> Running {
    for app in ["order", "barista", "display"] {
        std::fs::create_dir_all(dir.join(app).join("dist")).unwrap();
        std::fs::write(dir.join(app).join("dist/index.html"), "<html></html>").unwrap();
    }
    emulator::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        apps_dir: Some(dir.to_path_buf()),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_local_routes_answer_only_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let emu = start_with_apps(dir.path()).await;
    let new_admin =
        json!({"username": "mallory@example.com", "password": "password1", "groups": ["admin"]});
    // Another machine, with the token and JSON: still refused.
    let (status, body) = from_peer(
        &emu,
        "192.0.2.7:40000",
        Method::POST,
        "/_local/users",
        Some(new_admin.clone()),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("only this machine"), "{body}");
    assert!(!exists(&emu, "mallory@example.com").await);
    let (status, _) = from_peer(&emu, "192.0.2.7:40000", Method::GET, "/_local/faults", None).await;
    assert_eq!(status, 403);
    // The same request from this machine.
    let (status, body) = from_peer(
        &emu,
        "127.0.0.1:40000",
        Method::POST,
        "/_local/users",
        Some(new_admin),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The start page shows this machine the local routes, with the token; others not.
    let (status, here) = from_peer(&emu, "127.0.0.1:40000", Method::GET, "/", None).await;
    assert_eq!(status, 200);
    let link = format!(
        "{}/_local/faults?localToken={}",
        emu.base_url(),
        emu.local_token()
    );
    assert!(here.contains(&format!("href=\"{link}\"")), "{here}");
    let (status, elsewhere) = from_peer(&emu, "192.0.2.7:40000", Method::GET, "/", None).await;
    assert_eq!(status, 200);
    assert!(!elsewhere.contains(emu.local_token()));
    assert!(!elsewhere.contains("/_local/faults"));
    // And its links work when clicked.
    let clicked = reqwest::get(&link).await.unwrap();
    assert_eq!(clicked.status(), 200);
}

/// The CORS answer to a request from a page of `origin`: `Access-Control-Allow-Origin`,
/// if any, and whether any `Access-Control-*` header came.
fn cors_of(headers: &reqwest::header::HeaderMap) -> (Option<String>, bool) {
    let allow = headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string());
    let any = headers
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"));
    (allow, any)
}

#[tokio::test]
async fn cors_is_for_this_emulator_and_loopback_dev_servers_only() {
    let emu = start(Windows::AWS, None).await;
    let c = client(&emu);
    let config = c.config("config");
    let cognito = c.settings.cognito_idp_url();
    let get_id = |origin: &str| {
        reqwest::Client::new()
            .post(&cognito)
            .header("Origin", origin)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "AWSCognitoIdentityService.GetId")
            .body(json!({"IdentityPoolId": local::IDENTITY_POOL_ID}).to_string())
    };
    let preflight = |url: &str, origin: &str| {
        reqwest::Client::new()
            .request(Method::OPTIONS, url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type,x-local-token",
            )
    };
    let faults = format!("{}/_local/faults", emu.base_url());

    // API Gateway and Cognito would answer `*`: a page of any site could read them.
    for evil in ["https://evil.example", "http://evil.example:8080", "null"] {
        let (status, headers, _) =
            send(reqwest::Client::new().get(&config).header("Origin", evil)).await;
        assert_eq!(status, 200);
        assert_eq!(cors_of(&headers), (None, false), "GET /config from {evil}");
        assert_eq!(headers["vary"], "Origin");
        let (_, headers, _) = send(preflight(&config, evil)).await;
        assert_eq!(cors_of(&headers), (None, false), "preflight from {evil}");
        let (status, headers, _) = send(get_id(evil)).await;
        assert_eq!(status, 200);
        assert_eq!(cors_of(&headers), (None, false), "Cognito from {evil}");
        let (_, headers, _) = send(preflight(&faults, evil)).await;
        assert_eq!(
            cors_of(&headers),
            (None, false),
            "local preflight from {evil}"
        );
    }
    for ok in [
        "http://127.0.0.1:8080",
        "http://localhost:5173",
        "http://[::1]:8080",
        "https://localhost:8443",
        emu.base_url().as_str(),
    ] {
        let (_, headers, _) = send(reqwest::Client::new().get(&config).header("Origin", ok)).await;
        assert_eq!(
            cors_of(&headers).0.as_deref(),
            Some(ok),
            "GET /config from {ok}"
        );
        let (_, headers, _) = send(preflight(&config, ok)).await;
        assert_eq!(
            cors_of(&headers).0.as_deref(),
            Some(ok),
            "preflight from {ok}"
        );
        let (_, headers, _) = send(get_id(ok)).await;
        assert_eq!(
            cors_of(&headers).0.as_deref(),
            Some(ok),
            "Cognito from {ok}"
        );
        let (_, headers, _) = send(preflight(&faults, ok)).await;
        assert_eq!(
            cors_of(&headers).0.as_deref(),
            Some(ok),
            "local preflight from {ok}"
        );
    }
    // The apps' own calls (the native client sends the emulator's origin) still get it.
    let reply = c.rest(Method::GET, &config, None).await.unwrap();
    assert!(reply.cors);
}

#[tokio::test]
async fn requests_addressed_to_another_host_are_refused() {
    // DNS rebinding: evil.example resolves to 127.0.0.1, the browser still says its name.
    let dir = tempfile::tempdir().unwrap();
    let emu = start_with_apps(dir.path()).await;
    let port = emu.addr.port();
    let c = client(&emu);
    let evil = format!("evil.example:{port}");
    for url in [
        c.config("config"),
        format!("{}/", emu.base_url()),
        format!("{}/display/", emu.base_url()),
        format!(
            "{}/_local/faults?localToken={}",
            emu.base_url(),
            emu.local_token()
        ),
        format!(
            "{}{}{}/.well-known/jwks.json",
            emu.base_url(),
            local::COGNITO_PATH,
            local::USER_POOL_ID
        ),
    ] {
        let (status, _, body) = send(reqwest::Client::new().get(&url).header("Host", &evil)).await;
        assert_eq!(status, 421, "{url}");
        assert!(message(&body).contains("DNS rebinding"), "{url}: {body}");
        let (status, _, _) = send(
            reqwest::Client::new()
                .get(&url)
                .header("Host", format!("localhost:{port}")),
        )
        .await;
        assert_eq!(status, 200, "{url} as localhost");
    }
    for wrong in [
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "192.0.2.7".to_string(),
    ] {
        let (status, _, _) = send(
            reqwest::Client::new()
                .get(c.config("config"))
                .header("Host", &wrong),
        )
        .await;
        assert_eq!(status, 421, "{wrong}");
    }

    // The IoT WebSocket too, with a URL the identity pool's credentials presigned.
    let credentials = c.credentials().await.unwrap();
    let url = presigned(&emu, &credentials);
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("Host", evil.parse().unwrap());
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "mqtt".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 421)
        }
        other => panic!("expected a 421, got {other:?}"),
    }
    // Addressed by its name, it opens.
    RawMqtt::connect(&url, "serverlesspresso-named").await;
}

#[tokio::test]
async fn listening_beyond_loopback_has_to_be_asked_for() {
    let exposed = |allow_exposed| Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        allow_exposed,
        ..Default::default()
    };
    let refused = emulator::start(exposed(false))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(refused.contains("--i-know-this-is-exposed"), "{refused}");
    assert!(refused.contains("not a loopback address"), "{refused}");
    let emu = emulator::start(exposed(true)).await.unwrap();
    let port = emu.addr.port();
    let base = format!("http://127.0.0.1:{port}");
    let config = format!("{base}{}/config", local::CONFIG_PREFIX);
    // Phones on the network address it by this machine's IP address: any IP will do.
    for host in [format!("192.0.2.7:{port}"), format!("[fd00::2]:{port}")] {
        let (status, _, _) = send(reqwest::Client::new().get(&config).header("Host", &host)).await;
        assert_eq!(status, 200, "{host}");
    }
    // Not a name, though.
    let (status, _, _) = send(
        reqwest::Client::new()
            .get(&config)
            .header("Host", format!("evil.example:{port}")),
    )
    .await;
    assert_eq!(status, 421);
}

#[tokio::test]
async fn a_url_presigned_for_another_region_is_refused() {
    let emu = start(Windows::AWS, None).await;
    let c = client(&emu);
    let credentials = c.credentials().await.unwrap();
    let endpoint = Endpoint::parse(&c.settings.iot_url(), SchemeKind::WebSocket).unwrap();
    let presign = |region: &str| {
        sigv4::presign(
            &endpoint,
            region,
            sigv4::IOT_SERVICE,
            &credentials,
            emu.clock.now_ms(),
            None,
        )
    };
    let verify = |url: &str| {
        let (_, query) = url.split_once('?').unwrap();
        iot::verify_presigned(
            &emu.backend.store,
            endpoint.authority(),
            local::MQTT_PATH,
            query,
            emu.clock.now_ms(),
        )
    };
    assert_eq!(verify(&presign(local::REGION)).map(drop), Ok(()));
    let elsewhere = presign("eu-west-1");
    assert_eq!(
        verify(&elsewhere),
        Err(PresignError::Region("eu-west-1".into()))
    );
    let opened = emulator::client::Subscriber::connect(&elsewhere, "serverlesspresso-x", &[]).await;
    let refused = opened.err().expect("refused").to_string();
    assert!(refused.contains("403"), "{refused}");
}

#[tokio::test]
async fn wildcard_subscriptions_are_refused_and_the_named_topics_kept() {
    use mqttrs::SubscribeReturnCodes::{Failure, Success};
    let emu = start(Windows::AWS, None).await;
    let barista = admin(&emu).await;
    let credentials = client(&emu).credentials().await.unwrap();
    let mut eavesdropper =
        RawMqtt::connect(&presigned(&emu, &credentials), "serverlesspresso-all").await;
    assert_eq!(eavesdropper.subscribe(1, &["#"]).await, vec![Failure]);
    let qos0 = Success(mqttrs::QoS::AtMostOnce);
    let config = barista.config_topic();
    assert_eq!(
        eavesdropper
            .subscribe(2, &["#", &config, "serverlesspresso-user-+"])
            .await,
        vec![Failure, qos0, Failure],
        "each wildcard refused in its place, the named topic granted"
    );

    // A config change goes to the admin and the config topic: only the config one,
    // which was granted, arrives.
    let reply = barista
        .rest(Method::PUT, &barista.config("store?state=closed"), None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(
        eavesdropper.next_publish(WAIT).await.as_deref(),
        Some(config.as_str())
    );
    assert_eq!(
        eavesdropper.next_publish(QUIET).await,
        None,
        "nothing from the refused wildcards"
    );
}
