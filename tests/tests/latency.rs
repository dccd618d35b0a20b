//! Measurements, not tests: how long from an API call to its event on screen. Run with
//! `cargo xtask bench-ui` (they are ignored by `cargo test`).

use anyhow::Result;
use e2e::{eventually_within, Harness};
use emulator::client::Method;
use serde_json::json;
use std::time::Duration;

/// Records, in the page, when each order card first appears (epoch ms).
const WATCH_CARDS: &str = r#"
    window.cardSeen = {};
    new MutationObserver(() => {
        for (const card of document.querySelectorAll('.order-card[data-order]')) {
            const id = card.dataset.order;
            if (!(id in window.cardSeen)) window.cardSeen[id] = performance.timeOrigin + performance.now();
        }
    }).observe(document.body, { childList: true, subtree: true });
"#;

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test]
#[ignore = "a measurement: run with `cargo xtask bench-ui`"]
async fn order_placed_to_card_on_the_barista_console() -> Result<()> {
    const ORDERS: usize = 100;
    let windows = shared::windows::Windows {
        qr_ms: 1_000,
        ..shared::windows::Windows::AWS
    };
    let harness = Harness::start_with(windows).await?;
    let browser = harness.staff_console().await?;
    browser.js(WATCH_CARDS).await?;

    let barista = harness.barista().await?;
    let mut customer = harness.client();
    customer
        .register(
            &harness.emulator.base_url(),
            "bench@example.com",
            "password1",
        )
        .await?;
    let sub = customer.sub()?;
    let mut events = customer
        .subscribe(
            "serverlesspresso-bench",
            &[&format!("serverlesspresso-user-{sub}")],
        )
        .await?;
    let mut placed = Vec::new();
    while placed.len() < ORDERS {
        let bucket = barista.qr_code().await?;
        let code = bucket["last_code"].as_str().unwrap_or_default().to_string();
        let Ok(order) = customer.scan_ok(&code).await else {
            continue; // this window's tokens are spent or it just ended
        };
        events
            .expect(
                "OrderProcessor.WorkflowStarted",
                Some(&order),
                Duration::from_secs(10),
            )
            .await?;
        let body = json!({"userId": sub, "drink": "Latte", "modifiers": [], "icon": "i"});
        let sent_at = now_ms();
        customer
            .rest(
                Method::PUT,
                &customer.om(&format!("orders/{order}")),
                Some(body),
            )
            .await?;
        placed.push((order.clone(), sent_at));
        // Completed at once, so the console never holds more than a couple of cards.
        events
            .expect(
                "OrderManager.WaitingCompletion",
                Some(&order),
                Duration::from_secs(10),
            )
            .await?;
        barista
            .rest(
                Method::PUT,
                &barista.om(&format!("orders/{order}?action=complete")),
                Some(json!({})),
            )
            .await?;
    }
    eventually_within(Duration::from_secs(30), "every card was seen", || async {
        let seen = browser
            .js("return Object.keys(window.cardSeen).length")
            .await?;
        Ok(seen.as_u64().unwrap_or(0) as usize >= ORDERS)
    })
    .await?;
    let seen = browser.js("return window.cardSeen").await?;
    let mut latencies: Vec<f64> = placed
        .iter()
        .filter_map(|(id, sent)| seen[id].as_f64().map(|at| at - sent))
        .collect();
    latencies.sort_by(f64::total_cmp);
    println!(
        "order placed (PUT /orders/{{id}}) to card on the console, {} orders: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        latencies.last().copied().unwrap_or(0.0)
    );
    browser.close().await
}
