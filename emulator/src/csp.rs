//! The apps' Content-Security-Policy as the emulator serves it, and the violations
//! browsers report against it.
//!
//! `cargo xtask build` writes each app's policy into `dist/_headers` (see
//! `xtask/src/csp.rs`); the emulator sends it as a header with every file of the app,
//! as a host that reads `_headers` does, and adds `report-uri`: browsers then POST each
//! violation to `/_local/csp-reports`, where the browser tests count them (none is
//! allowed on any screen).

use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;

/// Where browsers send violation reports (the local-only routes, this machine only).
pub const REPORT_PATH: &str = "/_local/csp-reports";

/// How many reports are kept: enough for any test, bounded for a day-long run.
const KEPT: usize = 1000;

/// The violations reported so far, oldest first.
#[derive(Debug, Default)]
pub struct CspReports(Mutex<Vec<Value>>);

impl CspReports {
    /// Keeps a report: the `csp-report` object of a `report-uri` POST (or the body of a
    /// Reporting API one).
    pub fn push(&self, report: Value) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push(report);
    }

    /// Every report kept.
    pub fn all(&self) -> Vec<Value> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The policy an app built into `dist` gives its pages (its `_headers` file), with this
/// emulator's `report-uri`, and `'report-sample'` so that a report of a blocked inline
/// script quotes its start; `None` for a build without one (`trunk build`).
pub fn policy_of(dist: &Path) -> Option<String> {
    let headers = std::fs::read_to_string(dist.join("_headers")).ok()?;
    let policy = policy_in(&headers)?.replacen("script-src ", "script-src 'report-sample' ", 1);
    Some(format!("{policy}; report-uri {REPORT_PATH}"))
}

/// The `Content-Security-Policy` value in a `_headers` file.
fn policy_in(headers: &str) -> Option<&str> {
    headers
        .lines()
        .find_map(|line| line.trim().strip_prefix("Content-Security-Policy:"))
        .map(str::trim)
        .filter(|policy| !policy.is_empty())
}

/// The policy of a page the emulator writes itself (the start page, the journey pages):
/// no script at all, its one stylesheet `style` by hash, no framing; violations reported.
pub fn page_policy(style: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    format!(
        "default-src 'none'; script-src 'report-sample'; style-src 'sha256-{hash}'; \
         img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
         report-uri {REPORT_PATH}"
    )
}

/// The report in a violation POST: `report-uri`'s `{"csp-report": {...}}`, or the
/// Reporting API's list of `{"type": "csp-violation", "body": {...}}`.
pub fn reports_in(body: &Value) -> Vec<Value> {
    match body {
        Value::Object(o) if o.contains_key("csp-report") => vec![o["csp-report"].clone()],
        Value::Array(list) => list.iter().filter_map(|r| r.get("body").cloned()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_policy_comes_from_the_builds_headers_file() {
        let file = "# comment\n/order/*\n  Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\n  X-Content-Type-Options: nosniff\n";
        assert_eq!(
            policy_in(file),
            Some("default-src 'none'; frame-ancestors 'none'")
        );
        assert_eq!(policy_in("/order/*\n  X-Frame-Options: DENY\n"), None);
    }

    #[test]
    fn reports_of_both_kinds_are_read_and_bounded() {
        let old = json!({"csp-report": {"violated-directive": "script-src-elem", "blocked-uri": "inline"}});
        assert_eq!(reports_in(&old), [old["csp-report"].clone()]);
        let new =
            json!([{"type": "csp-violation", "body": {"effectiveDirective": "script-src-elem"}}]);
        assert_eq!(reports_in(&new), [new[0]["body"].clone()]);
        assert!(reports_in(&json!({"other": 1})).is_empty());
        let reports = CspReports::default();
        for i in 0..KEPT + 5 {
            reports.push(json!(i));
        }
        let all = reports.all();
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0], json!(5), "the oldest go first");
    }
}
