//! The apps' service worker: the shell from the cache when offline, a new deployment
//! taking over on the visit after it was fetched, and never an API answer, a token or
//! a message in the cache.

use anyhow::{ensure, Result};
use e2e::{eventually, Browser, Harness, PHONE};
use shared::AppKind;

/// Every URL the page's caches hold.
async fn cached_urls(browser: &Browser) -> Result<Vec<String>> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        (async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
            }
            return urls;
        })().then(done, e => done(['failed: ' + e]));
    "#;
    Ok(serde_json::from_value(
        browser.client.execute_async(script, vec![]).await?,
    )?)
}

#[tokio::test]
async fn the_shell_loads_offline_and_no_api_traffic_is_cached() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness.browser(PHONE).await?;
    harness.open(&phone, AppKind::Order).await?;
    phone.wait_for_service_worker().await?;
    harness.customer("sw").await?;
    phone.wait_for("#auth-email").await?;
    phone.sign_in("sw@example.com", "password1").await?;
    harness.phone_orders(&phone).await?;
    phone.wait_for_connection("live").await?;

    let urls = cached_urls(&phone).await?;
    ensure!(!urls.is_empty(), "nothing was cached");
    for url in &urls {
        for never in [
            "/cognito/",
            "/order-manager/",
            "/validator/",
            "/config-service/",
            "/mqtt",
            "/_local/",
        ] {
            ensure!(!url.contains(never), "the cache holds {url}");
        }
    }
    ensure!(
        urls.iter().any(|u| u.ends_with(".wasm")),
        "the app's code is cached: {urls:?}"
    );
    ensure!(
        urls.iter().any(|u| u.contains("/split_customer_pages")),
        "the screens fetched after sign-in are cached too: {urls:?}"
    );

    // No network: the app still opens, says it is offline, and keeps the order.
    phone.set_offline(true).await?;
    phone.reload().await?;
    phone.wait_for(".app-header").await?;
    phone.wait_for_connection("reconnecting").await?;
    phone.look("order-offline-from-cache").await?;
    phone.set_offline(false).await?;
    phone.wait_for(".order-number").await?;
    phone.close().await
}

#[tokio::test]
async fn a_new_deployment_takes_over_on_the_next_visit() -> Result<()> {
    // A copy of the built apps, changed below as a deployment would change it.
    let deployed = e2e::deployed_copy()?;
    let harness = Harness::start_serving(
        deployed.path().to_path_buf(),
        shared::windows::Windows::AWS,
        true,
    )
    .await?;
    let phone = harness.browser(PHONE).await?;
    harness.open(&phone, AppKind::Order).await?;
    phone.wait_for_service_worker().await?;

    let index = deployed.path().join("order/dist/index.html");
    let page = std::fs::read_to_string(&index)?;
    std::fs::write(
        &index,
        page.replace(
            "<head>",
            "<head>\n  <meta name=\"deployment\" content=\"2\">",
        ),
    )?;
    // Deployed a while after the first: `Last-Modified` has a resolution of one second.
    std::fs::File::options()
        .write(true)
        .open(&index)?
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(10))?;
    let marked = "return !!document.querySelector('meta[name=deployment]')";
    // The next visit is served from the cache at once, and fetches the new page.
    phone.reload().await?;
    phone.wait_for("#auth-title").await?;
    ensure!(phone.js(marked).await? == false, "served from the cache");
    // The visit after that is the new deployment.
    eventually("the new deployment is served", || async {
        phone.reload().await?;
        phone.wait_for("#auth-title").await?;
        Ok(phone.js(marked).await? == true)
    })
    .await?;
    phone.close().await
}
