//! The order-journey pages (contract §3.4, variants E and V1): `{journeyServiceURL}
//! {orderId}.html`, a timeline of every step of an order's workflow, rendered from the
//! emulator's per-order event log (`/_local/orders/<id>/events`). It is the equivalent of
//! the Step Functions execution view people open to see where an order stalled: when
//! each event happened, what it was, and what it meant, in plain words.
//!
//! AWS's journey service writes the page to S3 when `OrderProcessor.orderFinished`
//! arrives, so an order that timed out or never started has no page there; the emulator
//! renders it on every request, whatever the order has come to.
//!
//! The page is self-contained (no script, no font or stylesheet from elsewhere), works on
//! a phone, and keeps WCAG AA contrast; colour is never the only sign of anything.

use serde_json::Value;
use shared::dynamo::{AttributeValue, Item};
use shared::time::UtcDateTime;
use shared::windows::Windows;

/// How a step went, for its colour and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tone {
    Ok,
    Waiting,
    Stopped,
    Neutral,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Waiting => "waiting",
            Self::Stopped => "stopped",
            Self::Neutral => "neutral",
        }
    }
}

/// One event of the log, read.
struct Step<'a> {
    at_ms: i64,
    detail_type: &'a str,
    detail: &'a Value,
}

/// What an event meant: a title and a sentence.
struct Meaning {
    title: String,
    text: String,
    tone: Tone,
}

/// Escapes text for HTML (element content and quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "5 minutes", "15 seconds", "1 minute 30 seconds".
fn duration(ms: i64) -> String {
    let total = (ms.max(0) + 500) / 1000;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (total / 3600, total / 60 % 60, total % 60) {
        (0, 0, s) => plural(s, "second"),
        (0, m, 0) => plural(m, "minute"),
        (0, m, s) => format!("{} {}", plural(m, "minute"), plural(s, "second")),
        (h, 0, _) => plural(h, "hour"),
        (h, m, _) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// "+1 min 05 s", from the first event.
fn elapsed(ms: i64) -> String {
    let total = ms.max(0) / 1000;
    match (total / 3600, total / 60 % 60, total % 60) {
        (0, 0, s) => format!("+{s} s"),
        (0, m, s) => format!("+{m} min {s:02} s"),
        (h, m, _) => format!("+{h} h {m:02} min"),
    }
}

fn iso(ms: i64) -> String {
    let t = UtcDateTime::from_epoch_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn clock_time(ms: i64) -> String {
    let t = UtcDateTime::from_epoch_ms(ms);
    format!("{:02}:{:02}:{:02} UTC", t.hour, t.minute, t.second)
}

fn time_element(ms: i64) -> String {
    format!("<time datetime=\"{}\">{}</time>", iso(ms), clock_time(ms))
}

fn text_of<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

/// A drink order's one line: "Flat White, Oat".
fn drink_line(drink_order: &Value) -> Option<String> {
    let drink = text_of(drink_order, "drink")?;
    let modifiers: Vec<&str> = drink_order
        .get("modifiers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|m| *m != "None")
        .collect();
    Some(
        std::iter::once(drink)
            .chain(modifiers)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn is_final(detail_type: &str, state: &str) -> bool {
    // W: OrderManager.OrderCompleted; E: OrderManager.Order<event>-COMPLETED.
    detail_type
        .strip_prefix("OrderManager.Order")
        .is_some_and(|rest| rest.to_ascii_uppercase().ends_with(state))
}

fn timeout_words(cause: &str, windows: &Windows) -> String {
    match cause {
        "Customer timedout" => format!(
            "No drink was chosen within {}, so the workflow gave up",
            duration(windows.choose_ms)
        ),
        "Barista timedout" => format!(
            "The baristas did not finish it within {}, so the workflow gave up",
            duration(windows.barista_ms)
        ),
        _ => "The workflow gave up waiting".to_string(),
    }
}

fn meaning(step: &Step, windows: &Windows) -> Meaning {
    let d = step.detail;
    let (title, text, tone) = match step.detail_type {
        "Validator.NewOrder" => {
            let left = d.pointer("/bucket/availableTokens").and_then(Value::as_i64);
            let left = left.map_or(String::new(), |n| {
                format!(
                    " {n} drink{} left on this QR code.",
                    if n == 1 { "" } else { "s" }
                )
            });
            (
                "Scanned".to_string(),
                format!("The QR code was scanned and accepted: a new order.{left}"),
                Tone::Ok,
            )
        }
        "OrderProcessor.WorkflowStarted" => (
            "Workflow started".to_string(),
            format!(
                "The store was open, so the order workflow started. It waits up to {} for a drink to be chosen.",
                duration(windows.choose_ms)
            ),
            Tone::Ok,
        ),
        "OrderProcessor.ShopUnavailable" => (
            "Store closed or full".to_string(),
            "The store was closed or had no room for more orders: the workflow ended.".to_string(),
            Tone::Stopped,
        ),
        "OrderProcessor.WaitingCompletion" => {
            let number = text_of(d, "orderNumber")
                .map(str::to_string)
                .or_else(|| d.get("orderNumber").map(Value::to_string))
                .unwrap_or_else(|| "?".into());
            (
                format!("Drink chosen, number {number} given"),
                format!(
                    "The drink was chosen in time. The workflow gave the order number {number} and now waits up to {} for the baristas to finish it.",
                    duration(windows.barista_ms)
                ),
                Tone::Ok,
            )
        }
        "OrderManager.WaitingCompletion" => {
            let drink = d
                .get("drinkOrder")
                .and_then(drink_line)
                .unwrap_or_else(|| "The order".into());
            (
                "In the baristas' queue".to_string(),
                format!("{drink}: on the barista console and the TV's Preparing list."),
                Tone::Ok,
            )
        }
        "OrderManager.MakeOrder" => match text_of(d, "baristaUserId").filter(|b| !b.is_empty()) {
            Some(_) => (
                "Being made".to_string(),
                "A barista started making it.".to_string(),
                Tone::Ok,
            ),
            None => (
                "Back in the queue".to_string(),
                "The barista stopped making it: it is back in the queue.".to_string(),
                Tone::Waiting,
            ),
        },
        "OrderProcessor.OrderTimeOut" => {
            let cause = text_of(d, "cause").unwrap_or_default();
            (
                "Timed out".to_string(),
                format!(
                    "{} (cause: \u{201c}{cause}\u{201d}).",
                    timeout_words(cause, windows)
                ),
                Tone::Stopped,
            )
        }
        "OrderProcessor.orderFinished" => (
            "Finished".to_string(),
            "The workflow ended.".to_string(),
            Tone::Ok,
        ),
        t if is_final(t, "COMPLETED") => (
            "Ready".to_string(),
            "The barista finished it: ready for collection.".to_string(),
            Tone::Ok,
        ),
        t if is_final(t, "CANCELLED") => (
            "Cancelled".to_string(),
            "The order was cancelled, by a barista or by the customer.".to_string(),
            Tone::Stopped,
        ),
        other => (
            other.to_string(),
            text_of(d, "Message").unwrap_or_default().to_string(),
            Tone::Neutral,
        ),
    };
    Meaning { title, text, tone }
}

/// Where the order is now, in one sentence, from its events and row.
fn summary(steps: &[Step], order: Option<&Item>, windows: &Windows, now_ms: i64) -> (String, Tone) {
    let last = |ty: &str| steps.iter().rev().find(|s| s.detail_type == ty);
    let finished = last("OrderProcessor.orderFinished").is_some();
    let reason = order
        .and_then(|o| o.get("reason"))
        .and_then(AttributeValue::as_s);
    let gives_up = |from: &Step, wait_ms: i64| {
        let deadline = from.at_ms + wait_ms;
        format!(
            "the workflow gives up at {} ({} from now)",
            clock_time(deadline),
            duration(deadline - now_ms)
        )
    };
    if let Some(timeout) = last("OrderProcessor.OrderTimeOut") {
        let cause = text_of(timeout.detail, "cause").unwrap_or_default();
        let marked = match reason {
            Some(reason) => format!(
                " The order was then marked cancelled, with the reason \u{201c}{reason}\u{201d}."
            ),
            None => String::new(),
        };
        return (
            format!(
                "Timed out. {} (cause: \u{201c}{cause}\u{201d}).{marked}",
                timeout_words(cause, windows)
            ),
            Tone::Stopped,
        );
    }
    if steps.iter().any(|s| is_final(s.detail_type, "CANCELLED")) {
        return ("Cancelled.".into(), Tone::Stopped);
    }
    if steps.iter().any(|s| is_final(s.detail_type, "COMPLETED")) {
        let end = if finished {
            " The workflow has finished."
        } else {
            ""
        };
        return (format!("Ready for collection.{end}"), Tone::Ok);
    }
    if let Some(numbered) = last("OrderProcessor.WaitingCompletion") {
        let made = last("OrderManager.MakeOrder")
            .is_some_and(|m| text_of(m.detail, "baristaUserId").is_some_and(|b| !b.is_empty()));
        let doing = if made {
            "Being made"
        } else {
            "In the baristas' queue"
        };
        return (
            format!(
                "{doing}: waiting for the baristas to finish it; {}.",
                gives_up(numbered, windows.barista_ms)
            ),
            Tone::Waiting,
        );
    }
    if let Some(started) = last("OrderProcessor.WorkflowStarted") {
        return (
            format!(
                "Waiting for a drink to be chosen; {}.",
                gives_up(started, windows.choose_ms)
            ),
            Tone::Waiting,
        );
    }
    if last("Validator.NewOrder").is_some() {
        return (
            "Scanned, but the workflow has not started: either it is starting, or the store was closed or full (which the workflow tells the customer without naming the order, so it is not on this page).".into(),
            Tone::Waiting,
        );
    }
    (
        "No step of this order has happened yet.".into(),
        Tone::Neutral,
    )
}

/// The event's detail, for the curious: long task tokens shortened.
fn technical(detail: &Value) -> String {
    let mut shown = detail.clone();
    if let Some(map) = shown.as_object_mut() {
        for (key, value) in map.iter_mut() {
            if key == "TaskToken" {
                if let Some(token) = value.as_str() {
                    let short: String = token.chars().take(12).collect();
                    *value = Value::String(format!("{short}…"));
                }
            }
        }
    }
    serde_json::to_string_pretty(&shown).unwrap_or_default()
}

pub const STYLE: &str = "
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c9c9c9;
  --ok: #0a6b47; --ok-bg: #e7f5ee; --waiting: #8a4b00; --waiting-bg: #fdf1e1;
  --stopped: #a4161a; --stopped-bg: #fbe9e9; --neutral: #4a4a4a; --neutral-bg: #f1f1f1; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 1rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
a { color: #0b4f8a; }
a:focus-visible, summary:focus-visible, pre:focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
.eyebrow { margin: 0; color: var(--muted); font-size: .875rem; letter-spacing: .02em; }
h1 { margin: .25rem 0; font-size: 1.75rem; line-height: 1.2; }
h2 { margin: 2rem 0 .75rem; font-size: 1.25rem; }
h3 { margin: 0; font-size: 1.0625rem; }
.drink { margin: 0; font-size: 1.125rem; }
.status { margin: 0; padding: .75rem 1rem; border-left: .375rem solid; border-radius: .25rem; }
.status.ok { background: var(--ok-bg); border-color: var(--ok); }
.status.waiting { background: var(--waiting-bg); border-color: var(--waiting); }
.status.stopped { background: var(--stopped-bg); border-color: var(--stopped); }
.status.neutral { background: var(--neutral-bg); border-color: var(--neutral); }
.timeline { list-style: none; margin: 0; padding: 0; }
.step { position: relative; margin: 0; padding: 0 0 1.25rem 1.75rem; border-left: 2px solid var(--line); margin-left: .5rem; }
.step:last-child { border-left-color: transparent; }
.step::before { content: ''; position: absolute; left: -.5625rem; top: .25rem; width: 1rem; height: 1rem;
  border-radius: 50%; background: #fff; border: .1875rem solid var(--neutral); }
.step.ok::before { border-color: var(--ok); }
.step.waiting::before { border-color: var(--waiting); }
.step.stopped::before { border-color: var(--stopped); background: var(--stopped); }
.step.stopped h3 { color: var(--stopped); }
.when { margin: .125rem 0 .25rem; color: var(--muted); font-size: .875rem; }
.step p { margin: .25rem 0; }
details { margin-top: .25rem; font-size: .875rem; }
summary { cursor: pointer; color: var(--muted); }
code { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: .875em; overflow-wrap: anywhere; }
pre { margin: .5rem 0 0; padding: .75rem; background: #f6f6f6; border: 1px solid var(--line);
  border-radius: .25rem; overflow-x: auto; font-size: .8125rem; line-height: 1.4; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .875rem; }
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        title = escape(title)
    )
}

/// The journey page of order `order_id`: its events (the log's `[{at, type, detail}]`,
/// oldest first) and its row, as of `now_ms`; `events_link` is where the log can be read
/// as JSON, for a viewer who may (a local-only route: none for other machines).
pub fn render(
    order_id: &str,
    events: &[Value],
    order: Option<&Item>,
    windows: &Windows,
    now_ms: i64,
    events_link: Option<&str>,
) -> String {
    let steps: Vec<Step> = events
        .iter()
        .filter_map(|e| {
            Some(Step {
                at_ms: e.get("at")?.as_i64()?,
                detail_type: e.get("type")?.as_str()?,
                detail: e.get("detail")?,
            })
        })
        .collect();
    let number = order
        .and_then(|o| o.get("orderNumber"))
        .and_then(|n| match n {
            AttributeValue::S(s) | AttributeValue::N(s) => Some(s.clone()),
            _ => None,
        })
        .or_else(|| {
            steps
                .iter()
                .find(|s| s.detail_type == "OrderProcessor.WaitingCompletion")
                .and_then(|s| text_of(s.detail, "orderNumber").map(str::to_string))
        });
    let drink = order
        .and_then(|o| o.get("drinkOrder"))
        .and_then(AttributeValue::as_s)
        .and_then(|json| serde_json::from_str::<Value>(json).ok())
        .as_ref()
        .and_then(drink_line)
        .or_else(|| {
            steps
                .iter()
                .find(|s| s.detail_type == "OrderManager.WaitingCompletion")
                .and_then(|s| s.detail.get("drinkOrder"))
                .and_then(drink_line)
        });
    let heading = match &number {
        Some(n) => format!("Order #{}", escape(n)),
        None => "An order without a number yet".to_string(),
    };
    let drink = match drink {
        Some(d) => format!("<p class=\"drink\">{}</p>", escape(&d)),
        None => String::new(),
    };
    let (now, tone) = summary(&steps, order, windows, now_ms);
    let first = steps.first().map_or(0, |s| s.at_ms);
    let items: String = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let m = meaning(step, windows);
            format!(
                "<li class=\"step {tone}\"><h3>{title}</h3>\
                 <p class=\"when\">{time} · {elapsed}</p>\
                 <p>{text}</p>\
                 <details><summary>Event details</summary>\
                 <p><code>{ty}</code></p><pre tabindex=\"0\">{detail}</pre></details></li>",
                tone = m.tone.class(),
                title = escape(&m.title),
                time = time_element(step.at_ms),
                elapsed = match i {
                    0 => "the start".to_string(),
                    _ => escape(&elapsed(step.at_ms - first)),
                },
                text = escape(&m.text),
                ty = escape(step.detail_type),
                detail = escape(&technical(step.detail)),
            )
        })
        .collect();
    let timeline = if steps.is_empty() {
        "<p>No events yet.</p>".to_string()
    } else {
        format!("<ol class=\"timeline\">{items}</ol>")
    };
    let id = escape(order_id);
    let as_json = match events_link {
        Some(link) => format!(", also available <a href=\"{}\">as JSON</a>", escape(link)),
        None => String::new(),
    };
    let body = format!(
        "<header><p class=\"eyebrow\">Serverlesspresso · order journey</p>\
         <h1>{heading}</h1>{drink}</header>\
         <section aria-labelledby=\"now\"><h2 id=\"now\">Where it is now</h2>\
         <p class=\"status {tone}\">{now}</p></section>\
         <section aria-labelledby=\"steps\"><h2 id=\"steps\">Every step, oldest first</h2>{timeline}</section>\
         <footer><p>Order id <code>{id}</code>. This page is made by the Serverlesspresso emulator \
         from the order's events{as_json}. \
         Times are in UTC.</p></footer>",
        tone = tone.class(),
        now = escape(&now),
    );
    page(
        &match &number {
            Some(n) => format!("Order #{n}: its journey"),
            None => format!("Order {order_id}: its journey"),
        },
        &body,
    )
}

/// The page for an order the emulator has never seen.
pub fn not_found(order_id: &str) -> String {
    page(
        "Order not found",
        &format!(
            "<header><p class=\"eyebrow\">Serverlesspresso · order journey</p>\
             <h1>Order not found</h1></header>\
             <p>There is no order <code>{}</code> here: no QR code scan started it. \
             Check the link, or scan the QR code on the TV to start an order.</p>",
            escape(order_id)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(at: i64, ty: &str, detail: Value) -> Value {
        json!({"at": at, "type": ty, "detail": detail})
    }

    #[test]
    fn a_finished_order_reads_step_by_step_in_plain_words() {
        let t0 = 1_700_000_000_000;
        let events = [
            event(
                t0,
                "Validator.NewOrder",
                json!({"orderId": "o1", "bucket": {"availableTokens": 9}}),
            ),
            event(
                t0 + 100,
                "OrderProcessor.WorkflowStarted",
                json!({"orderId": "o1", "TaskToken": "A".repeat(64)}),
            ),
            event(
                t0 + 65_000,
                "OrderProcessor.WaitingCompletion",
                json!({"orderId": "o1", "orderNumber": "7"}),
            ),
            event(
                t0 + 65_010,
                "OrderManager.WaitingCompletion",
                json!({"orderId": "o1", "drinkOrder": {"drink": "Flat <White>", "modifiers": ["Oat"]}}),
            ),
            event(
                t0 + 70_000,
                "OrderManager.MakeOrder",
                json!({"orderId": "o1", "baristaUserId": "b"}),
            ),
            event(
                t0 + 130_000,
                "OrderManager.OrderABC-COMPLETED",
                json!({"orderId": "o1"}),
            ),
            event(
                t0 + 130_010,
                "OrderProcessor.orderFinished",
                json!({"orderId": "o1"}),
            ),
        ];
        let html = render("o1", &events, None, &Windows::AWS, t0 + 200_000, None);
        let titles = [
            "Scanned",
            "Workflow started",
            "Drink chosen, number 7 given",
            "In the baristas&#39; queue",
            "Being made",
            "Ready",
            "Finished",
        ];
        let mut at = 0;
        for title in titles {
            let found = html[at..]
                .find(&format!("<h3>{title}</h3>"))
                .unwrap_or_else(|| panic!("{title} after position {at}"));
            at += found + 1;
        }
        assert!(html.contains("<h1>Order #7</h1>"));
        assert!(
            html.contains("<p class=\"drink\">Flat &lt;White&gt;, Oat</p>"),
            "the drink from the event when the row is not given"
        );
        assert!(html.contains("Flat &lt;White&gt;, Oat"), "escaped");
        assert!(!html.contains("<White>"));
        assert!(html.contains("9 drinks left"));
        assert!(html.contains("Ready for collection. The workflow has finished."));
        assert!(html.contains("up to 5 minutes"));
        assert!(html.contains("+1 min 05 s"));
        assert!(
            html.contains(&format!("{}…", "A".repeat(12))),
            "tokens shortened"
        );
        assert!(!html.contains(&"A".repeat(13)));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "self-contained"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn a_timed_out_order_says_why_and_when_it_stalled() {
        let t0 = 1_700_000_000_000;
        let events = [
            event(t0, "Validator.NewOrder", json!({"orderId": "o2"})),
            event(
                t0 + 10,
                "OrderProcessor.WorkflowStarted",
                json!({"orderId": "o2"}),
            ),
            event(
                t0 + 300_010,
                "OrderProcessor.OrderTimeOut",
                json!({"orderId": "o2", "cause": "Customer timedout"}),
            ),
        ];
        let order: Item = [("reason", AttributeValue::s("Customer timedout"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let html = render(
            "o2",
            &events,
            Some(&order),
            &Windows::AWS,
            t0 + 400_000,
            Some("/_local/orders/o2/events?localToken=t"),
        );
        assert!(html.contains("<h3>Timed out</h3>"));
        assert!(html.contains("No drink was chosen within 5 minutes"));
        assert!(html.contains("cause: \u{201c}Customer timedout\u{201d}"));
        assert!(html.contains("marked cancelled, with the reason"));
        assert!(html.contains("<h1>An order without a number yet</h1>"));
        assert!(html.contains("<a href=\"/_local/orders/o2/events?localToken=t\">as JSON</a>"));
        // Still waiting: where it is and when the workflow gives up.
        let waiting = render(
            "o2",
            &events[..2],
            None,
            &Windows::scaled(60),
            t0 + 1_000,
            None,
        );
        assert!(waiting.contains("Waiting for a drink to be chosen"));
        assert!(waiting.contains("up to 5 seconds"));
        assert!(!waiting.contains("as JSON"), "no link for other machines");
    }

    #[test]
    fn durations_and_the_missing_page() {
        assert_eq!(duration(300_000), "5 minutes");
        assert_eq!(duration(900_000), "15 minutes");
        assert_eq!(duration(5_000), "5 seconds");
        assert_eq!(duration(1_000), "1 second");
        assert_eq!(duration(90_000), "1 minute 30 seconds");
        assert_eq!(duration(3_600_000), "1 hour");
        assert_eq!(elapsed(0), "+0 s");
        assert_eq!(elapsed(3_723_000), "+1 h 02 min");
        let missing = not_found("<x>");
        assert!(missing.contains("Order not found") && missing.contains("&lt;x&gt;"));
    }
}
