//! Measurements, not tests: each app's first load on a phone on conference Wi-Fi
//! (Lighthouse's mobile "Slow 4G": 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up, and a
//! CPU four times slower), served gzipped and uncompressed. Run with `cargo xtask
//! bench-load`; it prints, per app, the bytes transferred, the first contentful paint and
//! the time to the first usable screen, for a fresh device, a returning signed-in one, and
//! a repeat visit answered by the service worker: medians with min–max.

use anyhow::{Context, Result};
use e2e::{eventually_within, Browser, Device, Harness, ADMIN, IPAD, PHONE, TV};
use serde_json::json;
use shared::AppKind;
use std::time::Duration;

const RUNS: usize = 5;

/// Records when each watched selector first matches (ms since navigation start).
const WATCH: &str = r#"
  window.seenAt = {};
  const watched = ['#auth-email', '#auth-phone', '#menu-title', '.board', '.display-grid', '#notice-title'];
  const look = () => {
    for (const css of watched) {
      if (!(css in window.seenAt) && document.querySelector(css)) window.seenAt[css] = performance.now();
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
"#;

#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    bytes: f64,
    fcp_ms: f64,
    usable_ms: f64,
}

async fn throttle(browser: &Browser) -> Result<()> {
    browser.cdp("Network.enable", json!({})).await?;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": 150,
                "downloadThroughput": 1_600_000 / 8,
                "uploadThroughput": 750_000 / 8,
            }),
        )
        .await?;
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
        .await?;
    Ok(())
}

async fn watch(browser: &Browser) -> Result<()> {
    browser.before_each_page(WATCH).await
}

/// Opens `url` and waits for `usable` (a selector) to appear.
async fn measure(browser: &Browser, url: &str, usable: &str) -> Result<Sample> {
    browser.goto(url).await?;
    eventually_within(Duration::from_secs(60), usable, || async {
        Ok(browser
            .js(&format!("return '{usable}' in (window.seenAt || {{}})"))
            .await?
            == true)
    })
    .await?;
    let figures = browser
        .js(&format!(
            r#"
            const nav = performance.getEntriesByType('navigation')[0];
            const bytes = (nav ? nav.transferSize : 0) + performance.getEntriesByType('resource')
                .reduce((sum, r) => sum + r.transferSize, 0);
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            return [bytes, fcp ? fcp.startTime : -1, window.seenAt['{usable}']];
            "#
        ))
        .await?;
    let n = |i: usize| figures[i].as_f64().unwrap_or(f64::NAN);
    Ok(Sample {
        bytes: n(0),
        fcp_ms: n(1),
        usable_ms: n(2),
    })
}

fn summary(values: &mut [f64], unit: impl Fn(f64) -> String) -> String {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    format!(
        "{} ({}–{})",
        unit(median),
        unit(values[0]),
        unit(values[values.len() - 1])
    )
}

fn report(label: &str, samples: &[Sample]) {
    let secs = |ms: f64| format!("{:.2} s", ms / 1000.0);
    let kb = |b: f64| format!("{:.0} KB", b / 1024.0);
    println!(
        "  {label:<44} transfer {:<22} first paint {:<26} usable {}",
        summary(&mut samples.iter().map(|s| s.bytes).collect::<Vec<_>>(), kb),
        summary(
            &mut samples.iter().map(|s| s.fcp_ms).collect::<Vec<_>>(),
            secs
        ),
        summary(
            &mut samples.iter().map(|s| s.usable_ms).collect::<Vec<_>>(),
            secs
        ),
    );
}

/// What a person of `app` sees first, and the device they hold.
fn first_screen(app: AppKind) -> (Device, &'static str) {
    match app {
        AppKind::Order => (PHONE, "#menu-title"),
        AppKind::Barista => (IPAD, ".board"),
        AppKind::Display => (TV, ".display-grid"),
    }
}

async fn one_app(harness: &Harness, app: AppKind, served: &str) -> Result<()> {
    let (device, signed_in_screen) = first_screen(app);
    let path = format!("/{}/", app.slug());
    let (mut fresh, mut returning, mut repeat) = (Vec::new(), Vec::new(), Vec::new());
    // A customer with no daily limit, so every run can reach the menu.
    let customer = format!("bench-{}@example.com", served.replace(' ', "-"));
    if app == AppKind::Order {
        harness.emulator.cognito.create_user(
            &harness.emulator.backend.store,
            &customer,
            "password1",
            &["admin"],
        )?;
    }
    for _ in 0..RUNS {
        // A device that has never opened the app: the sign-in form.
        let browser = harness.browser(device).await?;
        watch(&browser).await?;
        throttle(&browser).await?;
        let url = match app {
            AppKind::Order => {
                harness.url(&format!("{path}?token={}", harness.current_code().await?))
            }
            _ => harness.url(&path),
        };
        fresh.push(measure(&browser, &url, "#auth-email").await?);
        // The same device again: the service worker answers.
        repeat.push(measure(&browser, &harness.url(&path), "#auth-email").await?);
        browser.close().await?;

        // A device signed in before: its own screen (the menu, the console, the board).
        let browser = harness.browser(device).await?;
        watch(&browser).await?;
        let user = match app {
            AppKind::Order => (customer.as_str(), "password1"),
            _ => ADMIN,
        };
        harness.sign_in_to(&browser, app, user).await?;
        // Signed in for sure (the sign-in form has gone) before the page is opened again.
        eventually_within(Duration::from_secs(30), "signed in", || async {
            Ok(browser
                .js("return !!document.querySelector('main') && !document.querySelector('#auth-email, #auth-phone')")
                .await?
                == true)
        })
        .await?;
        throttle(&browser).await?;
        let url = match app {
            AppKind::Order => {
                harness.url(&format!("{path}?token={}", harness.current_code().await?))
            }
            _ => harness.url(&path),
        };
        returning.push(
            measure(&browser, &url, signed_in_screen)
                .await
                .with_context(|| format!("{app:?} signed in"))?,
        );
        browser.close().await?;
    }
    println!("{} app, served {served}:", app.title());
    report("a fresh device: the sign-in form", &fresh);
    report("a repeat visit (service worker): sign-in form", &repeat);
    report(&format!("signed in before: {signed_in_screen}"), &returning);
    Ok(())
}

#[tokio::test]
#[ignore = "a measurement: run with `cargo xtask bench-load`"]
async fn first_load_on_slow_4g() -> Result<()> {
    println!(
        "First load on Slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up) with the CPU 4x slower; {RUNS} runs, median (min–max):"
    );
    for (served, gzip) in [("gzipped", true), ("uncompressed", false)] {
        let harness = Harness::start_serving_gzip(gzip).await?;
        for app in [AppKind::Order, AppKind::Barista, AppKind::Display] {
            one_app(&harness, app, served).await?;
        }
    }
    Ok(())
}
