//! `cargo xtask deploy` end to end against a local AWS stand-in: `moto`'s server for S3,
//! CloudFormation and CloudFront, the real AWS CLI, the built apps. The backend stack's
//! outputs point at the emulator, so the uploaded tree, served as CloudFront would serve
//! it (each object with its stored headers, the stack's security headers, deep links to
//! their app's page), runs the customer's journey in the browser.
//!
//! moto cannot create CloudFront resources from a template, so the hosting stack here is
//! a stand-in with `deploy/hosting.yaml`'s parameters and outputs (a bucket, and a
//! distribution made beforehand through moto's CloudFront API); `hosting.yaml` itself is
//! checked by cfn-lint, and its deep-link function by `xtask`'s tests. `cargo xtask
//! test` installs moto and the AWS CLI (`SERVERLESSPRESSO_AWS_TOOLS`).

use anyhow::{bail, ensure, Context, Result};
use e2e::{Harness, PHONE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// moto's server and the AWS CLI, as `cargo xtask test` installs them.
fn tools() -> Result<PathBuf> {
    let dir = std::env::var_os("SERVERLESSPRESSO_AWS_TOOLS").context(
        "SERVERLESSPRESSO_AWS_TOOLS is not set: run `cargo xtask test`, which installs moto and the AWS CLI",
    )?;
    Ok(PathBuf::from(dir))
}

/// Credentials moto accepts (any), for this test's calls only.
const AWS_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
];

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto(tools: &Path) -> Result<Moto> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(tools.join("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting moto_server")?;
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    e2e::eventually("moto answers", || async {
        Ok(http
            .get(format!("{}/moto-api/", moto.url))
            .send()
            .await
            .is_ok())
    })
    .await?;
    Ok(moto)
}

/// An AWS CLI call against moto; its JSON answer.
fn aws(tools: &Path, moto: &Moto, args: &[&str]) -> Result<Value> {
    let output = Command::new(tools.join("aws"))
        .args(["--endpoint-url", &moto.url, "--output", "json"])
        .args(args)
        .envs(AWS_ENV)
        .output()?;
    ensure!(
        output.status.success(),
        "aws {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The hosting stand-in: `hosting.yaml`'s parameters and outputs over a bucket.
fn standin_template(distribution: &str, domain: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ContentSecurityPolicy: {{Type: String}}
  DomainName: {{Type: String, Default: ""}}
  CertificateArn: {{Type: String, Default: ""}}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  BucketName:
    Value: !Ref Bucket
  DistributionId:
    Value: {distribution}
  SiteUrl:
    Value: https://{domain}/
"#
    )
}

/// An `Authorization` header for moto, which refuses anonymous reads of a private
/// bucket (as S3 does) and checks no signature.
const MOTO_AUTHORIZATION: &str =
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// Every object of `bucket`: its key, content type, cache control and body.
async fn objects(moto: &Moto, bucket: &str) -> Result<BTreeMap<String, (String, String, Vec<u8>)>> {
    let http = reqwest::Client::new();
    let listing = http
        .get(format!("{}/{bucket}?list-type=2&max-keys=1000", moto.url))
        .header("authorization", MOTO_AUTHORIZATION)
        .send()
        .await?
        .text()
        .await?;
    let mut out = BTreeMap::new();
    for part in listing.split("<Key>").skip(1) {
        let key = part.split("</Key>").next().unwrap_or_default().to_string();
        let response = http
            .get(format!("{}/{bucket}/{key}", moto.url))
            .header("authorization", MOTO_AUTHORIZATION)
            .send()
            .await?;
        ensure!(response.status() == 200, "{key}: {}", response.status());
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (content_type, cache) = (header("content-type"), header("cache-control"));
        out.insert(key, (content_type, cache, response.bytes().await?.to_vec()));
    }
    Ok(out)
}

/// The uploaded tree served as CloudFront serves it: each object with its own headers,
/// the stack's security headers, and deep links (no dot in the last part) answered with
/// their app's page. One request a connection.
async fn serve_as_cloudfront(
    tree: BTreeMap<String, (String, String, Vec<u8>)>,
    policy: String,
) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let tree = std::sync::Arc::new(tree);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (tree, policy) = (tree.clone(), policy.clone());
            tokio::spawn(async move {
                let mut request = vec![0u8; 8192];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..n]).into_owned();
                let path = request.split(' ').nth(1).unwrap_or("/");
                let path = path
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let mut key = path.to_string();
                let last = key.rsplit('/').next().unwrap_or_default().to_string();
                if !last.contains('.') {
                    // The deep-link function: `order/menu` → `order/index.html`.
                    let app = key.split('/').next().unwrap_or_default();
                    key = format!("{app}/index.html");
                }
                let response = match tree.get(&key) {
                    Some((content_type, cache, body)) => {
                        let mut head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncache-control: {cache}\r\n\
                             content-security-policy: {policy}\r\nx-content-type-options: nosniff\r\n\
                             content-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        head.extend_from_slice(body);
                        head
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Ok(url)
}

#[tokio::test]
async fn a_deploy_uploads_safely_and_the_uploaded_apps_serve_a_customer() -> Result<()> {
    let tools = tools()?;
    let moto = start_moto(&tools).await?;
    let harness = Harness::start().await?;

    // The backend stack: its DisplayAppURI carries the emulator's settings.
    let display_uri = format!(
        "{}?{}",
        harness.url("/display/"),
        harness.local_settings().to_query(shared::AppKind::Display)
    );
    let scratch = tempfile::tempdir()?;
    let backend = scratch.path().join("backend.yaml");
    std::fs::write(
        &backend,
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Marker:\n    Type: AWS::S3::Bucket\n\
             Outputs:\n  DisplayAppURI:\n    Value: \"{display_uri}\"\n"
        ),
    )?;
    aws(
        &tools,
        &moto,
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            "serverlesspresso",
            "--template-body",
            &format!("file://{}", backend.display()),
        ],
    )?;
    // The distribution the stand-in names.
    let config = serde_json::json!({
        "CallerReference": "deploy-test", "Comment": "", "Enabled": true,
        "Origins": {"Quantity": 1, "Items": [{"Id": "apps", "DomainName": "apps.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "apps", "ViewerProtocolPolicy": "redirect-to-https",
            "TrustedSigners": {"Enabled": false, "Quantity": 0},
            "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}, "MinTTL": 0},
    });
    let created = aws(
        &tools,
        &moto,
        &[
            "cloudfront",
            "create-distribution",
            "--distribution-config",
            &config.to_string(),
        ],
    )?;
    let distribution = created["Distribution"]["Id"]
        .as_str()
        .context("a distribution id")?
        .to_string();
    let domain = created["Distribution"]["DomainName"]
        .as_str()
        .context("a domain")?
        .to_string();
    let template = scratch.path().join("hosting-standin.yaml");
    std::fs::write(&template, standin_template(&distribution, &domain))?;

    // Deploy a copy of the built apps (the deploy writes settings.json into it).
    let apps = e2e::deployed_copy()?;
    let work = scratch.path().join("deploy");
    let mut options = xtask::deploy::Options::parse(
        &[
            "--stack",
            "coffee-apps",
            "--backend-stack",
            "serverlesspresso",
            "--no-build",
            "--endpoint-url",
            &moto.url,
        ]
        .map(String::from),
    )?;
    options.cli = Some(tools.join("aws"));
    options.env = AWS_ENV
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let first = xtask::deploy::run(&options, apps.path(), &template, &work, || Ok(()))?;

    // The upload order: hashed folders first, pages last.
    let includes: Vec<String> = first
        .calls
        .iter()
        .filter(|c| c.iter().any(|a| a == "cp"))
        .filter_map(|c| c.iter().skip_while(|a| *a != "--include").nth(1).cloned())
        .collect();
    ensure!(
        includes.first().is_some_and(|p| p.contains("wasm-")),
        "hashed first: {includes:?}"
    );
    ensure!(
        includes.last().map(String::as_str) == Some("*/index.html"),
        "pages last: {includes:?}"
    );
    let invalidated = first
        .calls
        .iter()
        .any(|c| c.iter().any(|a| a == "create-invalidation"));
    ensure!(invalidated, "CloudFront was told");

    let tree = objects(&moto, &first.bucket).await?;
    let wasm_folder = tree
        .keys()
        .find_map(|k| {
            k.strip_prefix("order/")
                .and_then(|k| k.split('/').next())
                .filter(|f| f.starts_with("wasm-"))
        })
        .context("the order app's wasm folder")?
        .to_string();
    for (key, (content_type, cache, _)) in &tree {
        let (want_type, want_cache) = match key.rsplit('.').next().unwrap_or_default() {
            "wasm" => ("application/wasm", "public, max-age=31536000, immutable"),
            "js" if key.contains("/wasm-") => (
                "text/javascript; charset=utf-8",
                "public, max-age=31536000, immutable",
            ),
            "js" => ("text/javascript; charset=utf-8", "no-cache"),
            "html" => ("text/html; charset=utf-8", "no-cache"),
            "json" => ("application/json", "no-cache"),
            "webmanifest" => ("application/manifest+json", "no-cache"),
            "svg" => ("image/svg+xml", "public, max-age=86400"),
            "woff2" => ("font/woff2", "public, max-age=86400"),
            "txt" => ("text/plain; charset=utf-8", "public, max-age=86400"),
            other => bail!("{key}: an object of an unexpected kind ({other})"),
        };
        ensure!(
            content_type == want_type && cache == want_cache,
            "{key}: {content_type} / {cache}, wanted {want_type} / {want_cache}"
        );
    }
    ensure!(
        !tree.keys().any(|k| k.ends_with("_headers")),
        "no _headers uploaded"
    );
    let settings: Value = serde_json::from_slice(&tree["display/settings.json"].2)?;
    ensure!(
        settings
            .to_string()
            .contains(&format!("https://{domain}/order/")),
        "the TV's QR code points at the site's order app: {settings}"
    );

    // A second deploy of a new build keeps the first build's folder.
    let order_dist = apps.path().join("order").join("dist");
    let renamed = format!("{wasm_folder}0");
    std::fs::rename(order_dist.join(&wasm_folder), order_dist.join(&renamed))?;
    let page = order_dist.join("index.html");
    std::fs::write(
        &page,
        std::fs::read_to_string(&page)?.replace(&wasm_folder, &renamed),
    )?;
    xtask::deploy::run(&options, apps.path(), &template, &work, || Ok(()))?;
    let tree = objects(&moto, &first.bucket).await?;
    for folder in [&wasm_folder, &renamed] {
        ensure!(
            tree.contains_key(&format!("order/{folder}/order_bg.wasm")),
            "order/{folder} is kept"
        );
    }

    // The tree as CloudFront serves it, with the stack's policy: a customer orders.
    let stack = aws(
        &tools,
        &moto,
        &[
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            "coffee-apps",
        ],
    )?;
    let policy = stack["Stacks"][0]["Parameters"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["ParameterKey"] == "ContentSecurityPolicy")
        })
        .and_then(|p| p["ParameterValue"].as_str())
        .context("the stack's Content-Security-Policy")?
        .to_string();
    ensure!(
        policy.contains("frame-ancestors 'none'") && policy.contains(&harness.url("")),
        "{policy}"
    );
    let site_url = serve_as_cloudfront(tree, policy).await?;
    let phone = harness.browser(PHONE).await?;
    phone.goto(&format!("{site_url}/order/")).await?;
    phone.wait_for("#auth-title").await?;
    let (name, password) = harness.customer_login("dana").await?;
    phone.sign_in(&name, &password).await?;
    let code = harness.current_code().await?;
    let order = harness
        .phone_orders_from(&phone, &format!("{site_url}/order/?token={code}"))
        .await?;
    harness.barista_action(&order, "make").await?;
    harness.barista_action(&order, "complete").await?;
    phone
        .wait_for_text_containing("#status-title", "Ready — collect it at the bar")
        .await?;
    // A deep link reloads into its app.
    phone.goto(&format!("{site_url}/order/history")).await?;
    phone.wait_for_text(".history-item .badge", "Ready").await?;
    // (Not `look`: its check of the policy waits for a report this deployment's pages
    // send nowhere.)
    phone.screenshot("deployed-order-history").await?;
    phone.audit("deployed-order-history").await?;
    phone.close().await
}
