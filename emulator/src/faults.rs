//! Fault injection (issue #12): what goes wrong at an event, on demand. Tokens and
//! credentials that expire within seconds, a throttled or failing Cognito, dropped
//! WebSockets, refused subscriptions, a failing or slow REST API, a receipt printer offline
//! or out of paper.
//!
//! Set from the command line (`--token-lifetime`, `--credentials-lifetime`,
//! `--rest-latency-ms`, `--refuse-subscriptions`) and, while the emulator runs, through
//! the local-only `POST /_local/faults` (a JSON object read by [`FaultChange::from_json`]).
//! Timed faults end by the emulator's [`Clock`](crate::clock::Clock), so a test on a
//! [`ManualClock`](crate::clock::ManualClock) moves past them instead of waiting. The
//! state lives in memory: a restarted emulator starts without faults.
//!
//! Who asks what:
//! - `cognito/`: [`Faults::token_lifetime_s`], [`Faults::credentials_lifetime_s`];
//! - `http/`: [`Faults::cognito`] for `/cognito/` (`http/cognito.rs`), [`Faults::rest`]
//!   and [`Faults::rest_latency`] for the three APIs (a middleware in `http/mod.rs`),
//!   the route itself (`http/local.rs`);
//! - `iot.rs`: [`Faults::refusing_subscriptions`] per SUBSCRIBE,
//!   [`Faults::silencing_websockets`] per packet to a client, and [`Faults::drops`],
//!   which every WebSocket bridge watches;
//! - `http/printer.rs`: [`Faults::printer`] per ticket.

use serde_json::{json, Map, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Access and ID tokens last an hour (as in AWS), unless `tokenLifetimeSeconds` says
/// otherwise.
pub const TOKEN_LIFETIME_S: i64 = 3600;
/// Identity-pool credentials last an hour (as in AWS), unless
/// `credentialsLifetimeSeconds` says otherwise.
pub const CREDENTIALS_LIFETIME_S: i64 = 3600;
/// The longest lifetime the route accepts for tokens and credentials: a year.
pub const MAX_LIFETIME_S: i64 = 365 * 24 * 3600;
/// The longest REST latency the route accepts: ten minutes.
pub const MAX_LATENCY_MS: u64 = 600_000;
/// Every key `POST /_local/faults` understands.
const KEYS: &[&str] = &[
    "tokenLifetimeSeconds",
    "credentialsLifetimeSeconds",
    "cognito",
    "dropWebSockets",
    "refuseSubscriptions",
    "silenceWebSockets",
    "rest",
    "restLatency",
    "printer",
    "clear",
];

/// How a faulty Cognito answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CognitoAnswer {
    /// `400 TooManyRequestsException: Rate exceeded`.
    Throttle,
    /// `500 InternalErrorException`.
    Error,
}

impl CognitoAnswer {
    fn name(self) -> &'static str {
        match self {
            Self::Throttle => "throttle",
            Self::Error => "error",
        }
    }
}

/// What is wrong with the emulated receipt printer (`http/printer.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterFault {
    /// Switched off or unplugged from its interface: it times out.
    Offline,
    PaperOut,
    CoverOpen,
}

impl PrinterFault {
    fn name(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::PaperOut => "paperOut",
            Self::CoverOpen => "coverOpen",
        }
    }
}

/// How long a fault lasts from the moment it is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lasting {
    /// This many milliseconds of the emulator's clock.
    ForMs(i64),
    /// Until `"clear"` or the key set to `null` (the command line's permanent faults).
    UntilCleared,
}

/// What a change does to one timed fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Switch<T> {
    /// Key absent: as it was.
    #[default]
    Leave,
    /// `null`: ends now.
    End,
    /// Starts (or restarts) the fault.
    Start(T, Lasting),
}

/// A change to the faults: what one `POST /_local/faults` asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultChange {
    /// Ends every timed fault before the rest of the change applies.
    pub clear: bool,
    /// Lifetime of access and ID tokens issued from now on.
    pub token_lifetime_s: Option<i64>,
    /// Lifetime of identity-pool credentials issued from now on.
    pub credentials_lifetime_s: Option<i64>,
    pub cognito: Switch<CognitoAnswer>,
    pub refuse_subscriptions: Switch<()>,
    /// Open WebSockets carry nothing to their clients (a phone's suspended tab, a network
    /// that went quiet): messages are lost and the connection is not closed.
    pub silence_websockets: Switch<()>,
    /// The status every REST call answers.
    pub rest: Switch<u16>,
    /// How long (ms) every REST call waits before it is handled.
    pub rest_latency: Switch<u64>,
    /// What the emulated receipt printer suffers.
    pub printer: Switch<PrinterFault>,
    /// Closes every open MQTT WebSocket (after the rest of the change applies).
    pub drop_websockets: bool,
}

/// A request the route does not understand (answered `400` with this message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadFaults(String);

impl BadFaults {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

fn bad(message: impl Into<String>) -> BadFaults {
    BadFaults::new(message)
}

impl FaultChange {
    /// Reads the body of `POST /_local/faults`; every key is optional, and a request
    /// with anything it does not understand changes nothing.
    pub fn from_json(body: &Value) -> Result<Self, BadFaults> {
        let Some(keys) = body.as_object() else {
            return Err(bad(
                "expected a JSON object, e.g. {\"cognito\": {\"answer\": \"throttle\", \"forSeconds\": 5}}",
            ));
        };
        if let Some(unknown) = keys.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(bad(format!(
                "unknown key {unknown:?}; the keys are {}",
                KEYS.join(", ")
            )));
        }
        Ok(Self {
            clear: flag(keys, "clear")?,
            token_lifetime_s: lifetime(keys, "tokenLifetimeSeconds")?,
            credentials_lifetime_s: lifetime(keys, "credentialsLifetimeSeconds")?,
            cognito: timed(keys, "cognito", &["answer"], |fault| {
                match fault.get("answer").and_then(Value::as_str) {
                    Some("throttle") => Ok(CognitoAnswer::Throttle),
                    Some("error") => Ok(CognitoAnswer::Error),
                    _ => Err(bad(
                        "\"cognito\" needs \"answer\": \"throttle\" or \"error\"",
                    )),
                }
            })?,
            refuse_subscriptions: timed(keys, "refuseSubscriptions", &[], |_| Ok(()))?,
            silence_websockets: timed(keys, "silenceWebSockets", &[], |_| Ok(()))?,
            rest: timed(keys, "rest", &["status"], |fault| {
                match fault.get("status").and_then(Value::as_u64) {
                    Some(status @ (429 | 500..=599)) => Ok(status as u16),
                    _ => Err(bad(
                        "\"rest\" needs \"status\": a 5xx status (or 429, API Gateway's throttling)",
                    )),
                }
            })?,
            rest_latency: timed(keys, "restLatency", &["ms"], |fault| {
                match fault.get("ms").and_then(Value::as_f64) {
                    Some(ms) if (0.0..=MAX_LATENCY_MS as f64).contains(&ms) => {
                        Ok(ms.round() as u64)
                    }
                    _ => Err(bad(format!(
                        "\"restLatency\" needs \"ms\": milliseconds from 0 to {MAX_LATENCY_MS}"
                    ))),
                }
            })?,
            printer: timed(keys, "printer", &["state"], |fault| {
                match fault.get("state").and_then(Value::as_str) {
                    Some("offline") => Ok(PrinterFault::Offline),
                    Some("paperOut") => Ok(PrinterFault::PaperOut),
                    Some("coverOpen") => Ok(PrinterFault::CoverOpen),
                    _ => Err(bad(
                        "\"printer\" needs \"state\": \"offline\", \"paperOut\" or \"coverOpen\"",
                    )),
                }
            })?,
            drop_websockets: flag(keys, "dropWebSockets")?,
        })
    }
}

fn flag(keys: &Map<String, Value>, key: &str) -> Result<bool, BadFaults> {
    match keys.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(format!("{key:?} must be true or false, not {other}"))),
    }
}

fn lifetime(keys: &Map<String, Value>, key: &str) -> Result<Option<i64>, BadFaults> {
    let Some(value) = keys.get(key) else {
        return Ok(None);
    };
    match value.as_f64() {
        Some(s) if s.fract() == 0.0 && (1.0..=MAX_LIFETIME_S as f64).contains(&s) => {
            Ok(Some(s as i64))
        }
        _ => Err(bad(format!(
            "{key:?} must be a whole number of seconds from 1 to {MAX_LIFETIME_S} (tokens and credentials carry whole seconds), not {value}"
        ))),
    }
}

/// A timed fault: `null` ends it; an object with `forSeconds` (absent or `null`: until
/// cleared) and the fault's own `fields`, read by `read`.
fn timed<T>(
    keys: &Map<String, Value>,
    key: &str,
    fields: &[&str],
    read: impl Fn(&Map<String, Value>) -> Result<T, BadFaults>,
) -> Result<Switch<T>, BadFaults> {
    let fault = match keys.get(key) {
        None => return Ok(Switch::Leave),
        Some(Value::Null) => return Ok(Switch::End),
        Some(Value::Object(fault)) => fault,
        Some(other) => {
            return Err(bad(format!(
                "{key:?} must be an object or null, not {other}"
            )))
        }
    };
    if let Some(unknown) = fault
        .keys()
        .find(|k| *k != "forSeconds" && !fields.contains(&k.as_str()))
    {
        let mut known: Vec<&str> = fields.to_vec();
        known.push("forSeconds");
        return Err(bad(format!(
            "unknown key {unknown:?} in {key:?}; its keys are {}",
            known.join(", ")
        )));
    }
    let lasting = match fault.get("forSeconds") {
        None | Some(Value::Null) => Lasting::UntilCleared,
        Some(seconds) => match seconds.as_f64() {
            Some(s) if s >= 0.0 => Lasting::ForMs((s * 1000.0).round() as i64),
            _ => {
                return Err(bad(format!(
                "\"forSeconds\" in {key:?} must be a number of seconds, 0 or more, not {seconds}"
            )))
            }
        },
    };
    Ok(Switch::Start(read(fault)?, lasting))
}

/// A fault in force, and until when (epoch ms; `None`: until cleared).
#[derive(Clone, Copy, Debug)]
struct Active<T> {
    fault: T,
    until_ms: Option<i64>,
}

impl<T: Copy> Active<T> {
    /// The fault, if still in force at `now_ms`.
    fn at(slot: &Option<Self>, now_ms: i64) -> Option<T> {
        slot.filter(|a| a.until_ms.is_none_or(|until| now_ms < until))
            .map(|a| a.fault)
    }

    /// `{...fields, "forSeconds": remaining}` while in force, else `null`.
    fn json(slot: &Option<Self>, now_ms: i64, fields: impl Fn(T) -> Value) -> Value {
        let Some(active) = slot.filter(|a| a.until_ms.is_none_or(|until| now_ms < until)) else {
            return Value::Null;
        };
        let mut out = fields(active.fault);
        out["forSeconds"] = match active.until_ms {
            Some(until) => json!((until - now_ms) as f64 / 1000.0),
            None => Value::Null,
        };
        out
    }
}

fn switch<T>(slot: &mut Option<Active<T>>, change: Switch<T>, now_ms: i64) {
    match change {
        Switch::Leave => {}
        Switch::End => *slot = None,
        Switch::Start(fault, lasting) => {
            *slot = Some(Active {
                fault,
                until_ms: match lasting {
                    Lasting::ForMs(ms) => Some(now_ms.saturating_add(ms)),
                    Lasting::UntilCleared => None,
                },
            })
        }
    }
}

struct State {
    token_lifetime_s: i64,
    credentials_lifetime_s: i64,
    cognito: Option<Active<CognitoAnswer>>,
    refuse_subscriptions: Option<Active<()>>,
    silence_websockets: Option<Active<()>>,
    rest: Option<Active<u16>>,
    /// Milliseconds.
    rest_latency: Option<Active<u64>>,
    printer: Option<Active<PrinterFault>>,
}

/// The faults in force, shared by every part of the emulator.
pub struct Faults {
    state: Mutex<State>,
    /// Counts `dropWebSockets`; every bridge closes when it changes.
    drops: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new()
    }
}

impl Faults {
    /// No faults; tokens and credentials last an hour, as in AWS.
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                token_lifetime_s: TOKEN_LIFETIME_S,
                credentials_lifetime_s: CREDENTIALS_LIFETIME_S,
                cognito: None,
                refuse_subscriptions: None,
                silence_websockets: None,
                rest: None,
                rest_latency: None,
                printer: None,
            }),
            drops: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `change` at `now_ms` (`clear` first, dropping WebSockets last, so that
    /// reconnects meet the new faults) and returns the state it leaves.
    pub fn apply(&self, change: FaultChange, now_ms: i64) -> Value {
        {
            let mut state = self.lock();
            if change.clear {
                state.cognito = None;
                state.refuse_subscriptions = None;
                state.silence_websockets = None;
                state.rest = None;
                state.rest_latency = None;
                state.printer = None;
            }
            if let Some(s) = change.token_lifetime_s {
                state.token_lifetime_s = s;
            }
            if let Some(s) = change.credentials_lifetime_s {
                state.credentials_lifetime_s = s;
            }
            switch(&mut state.cognito, change.cognito, now_ms);
            switch(
                &mut state.refuse_subscriptions,
                change.refuse_subscriptions,
                now_ms,
            );
            switch(
                &mut state.silence_websockets,
                change.silence_websockets,
                now_ms,
            );
            switch(&mut state.rest, change.rest, now_ms);
            switch(&mut state.rest_latency, change.rest_latency, now_ms);
            switch(&mut state.printer, change.printer, now_ms);
        }
        if change.drop_websockets {
            self.drops.send_modify(|n| *n = n.wrapping_add(1));
        }
        self.state_json(now_ms)
    }

    /// The state at `now_ms`, as `/_local/faults` answers it: both lifetimes, and each
    /// timed fault with its remaining `forSeconds` (`null` for until cleared) while in
    /// force, `null` when not.
    pub fn state_json(&self, now_ms: i64) -> Value {
        let state = self.lock();
        json!({
            "tokenLifetimeSeconds": state.token_lifetime_s,
            "credentialsLifetimeSeconds": state.credentials_lifetime_s,
            "cognito": Active::json(&state.cognito, now_ms, |a| json!({"answer": a.name()})),
            "refuseSubscriptions": Active::json(&state.refuse_subscriptions, now_ms, |()| json!({})),
            "silenceWebSockets": Active::json(&state.silence_websockets, now_ms, |()| json!({})),
            "rest": Active::json(&state.rest, now_ms, |status| json!({"status": status})),
            "restLatency": Active::json(&state.rest_latency, now_ms, |ms| json!({"ms": ms})),
            "printer": Active::json(&state.printer, now_ms, |p| json!({"state": p.name()})),
        })
    }

    /// Lifetime of access and ID tokens issued now (`exp - iat`, `ExpiresIn`).
    pub fn token_lifetime_s(&self) -> i64 {
        self.lock().token_lifetime_s
    }

    /// Lifetime of identity-pool credentials issued now.
    pub fn credentials_lifetime_s(&self) -> i64 {
        self.lock().credentials_lifetime_s
    }

    /// How every Cognito call answers at `now_ms`, if Cognito is faulty.
    pub fn cognito(&self, now_ms: i64) -> Option<CognitoAnswer> {
        Active::at(&self.lock().cognito, now_ms)
    }

    /// Whether every SUBSCRIBE is refused at `now_ms`.
    pub fn refusing_subscriptions(&self, now_ms: i64) -> bool {
        Active::at(&self.lock().refuse_subscriptions, now_ms).is_some()
    }

    /// Whether open WebSockets carry nothing to their clients at `now_ms`.
    pub fn silencing_websockets(&self, now_ms: i64) -> bool {
        Active::at(&self.lock().silence_websockets, now_ms).is_some()
    }

    /// The status every REST call answers at `now_ms`, if the APIs are failing.
    pub fn rest(&self, now_ms: i64) -> Option<u16> {
        Active::at(&self.lock().rest, now_ms)
    }

    /// What is wrong with the emulated printer at `now_ms`, if anything.
    pub fn printer(&self, now_ms: i64) -> Option<PrinterFault> {
        Active::at(&self.lock().printer, now_ms)
    }

    /// How long a REST call arriving at `now_ms` waits before it is handled.
    pub fn rest_latency(&self, now_ms: i64) -> Option<Duration> {
        Active::at(&self.lock().rest_latency, now_ms).map(Duration::from_millis)
    }

    /// Changes when WebSockets are to be dropped; take it before a connection is
    /// upgraded, so a drop during the upgrade is not missed.
    pub fn drops(&self) -> watch::Receiver<u64> {
        self.drops.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(body: Value) -> FaultChange {
        FaultChange::from_json(&body).unwrap()
    }

    #[test]
    fn timed_faults_end_by_the_clock_given() {
        let faults = Faults::new();
        let state = faults.apply(
            change(json!({"cognito": {"answer": "throttle", "forSeconds": 1.5}})),
            10_000,
        );
        assert_eq!(
            state["cognito"],
            json!({"answer": "throttle", "forSeconds": 1.5})
        );
        assert_eq!(faults.cognito(11_499), Some(CognitoAnswer::Throttle));
        assert_eq!(faults.cognito(11_500), None);
        assert_eq!(faults.state_json(11_500)["cognito"], Value::Null);
    }

    #[test]
    fn until_cleared_has_no_remaining_seconds() {
        let faults = Faults::new();
        let state = faults.apply(change(json!({"refuseSubscriptions": {}})), 0);
        assert_eq!(state["refuseSubscriptions"], json!({"forSeconds": null}));
        assert!(faults.refusing_subscriptions(i64::MAX));
        let state = faults.apply(change(json!({"refuseSubscriptions": null})), 5);
        assert_eq!(state["refuseSubscriptions"], Value::Null);

        let state = faults.apply(change(json!({"silenceWebSockets": {"forSeconds": 2}})), 0);
        assert_eq!(state["silenceWebSockets"], json!({"forSeconds": 2.0}));
        assert!(faults.silencing_websockets(1_999));
        assert!(!faults.silencing_websockets(2_000));
    }

    #[test]
    fn clear_comes_first_and_lifetimes_stay() {
        let faults = Faults::new();
        faults.apply(
            change(json!({"tokenLifetimeSeconds": 302, "rest": {"status": 503, "forSeconds": 9}, "restLatency": {"ms": 5, "forSeconds": 9}})),
            0,
        );
        let state = faults.apply(
            change(json!({"clear": true, "cognito": {"answer": "error", "forSeconds": 2}})),
            1_000,
        );
        assert_eq!(
            state,
            json!({
                "tokenLifetimeSeconds": 302, "credentialsLifetimeSeconds": 3600,
                "cognito": {"answer": "error", "forSeconds": 2.0},
                "refuseSubscriptions": null, "silenceWebSockets": null, "rest": null,
                "restLatency": null, "printer": null,
            })
        );
        let state = faults.apply(change(json!({"printer": {"state": "paperOut"}})), 1_000);
        assert_eq!(
            state["printer"],
            json!({"state": "paperOut", "forSeconds": null})
        );
        assert_eq!(faults.printer(5_000), Some(PrinterFault::PaperOut));
    }

    #[test]
    fn anything_not_understood_is_refused() {
        for body in [
            json!([]),
            json!({"nope": 1}),
            json!({"cognito": {"answer": "sometimes"}}),
            json!({"cognito": {"answer": "throttle", "forSecond": 3}}),
            json!({"cognito": true}),
            json!({"rest": {"status": 200, "forSeconds": 1}}),
            json!({"rest": {"status": 503, "forSeconds": -1}}),
            json!({"restLatency": {"forSeconds": 1}}),
            json!({"tokenLifetimeSeconds": 0}),
            json!({"credentialsLifetimeSeconds": 2.5}),
            json!({"dropWebSockets": "yes"}),
        ] {
            assert!(FaultChange::from_json(&body).is_err(), "{body}");
        }
        assert_eq!(change(json!({})), FaultChange::default());
    }
}
