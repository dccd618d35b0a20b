//! The apps' Content-Security-Policy: nothing runs on a page but the build's own files
//! and the two inline scripts it writes (by their hashes), and nothing is fetched from a
//! host the settings do not name.
//!
//! `cargo xtask build` writes it into each page (a `<meta>` right after the charset, so
//! it covers every script) and into `dist/_headers` (Netlify's and Cloudflare Pages'
//! format, which a host applies as headers; that copy also carries what a `<meta>`
//! cannot: `frame-ancestors 'none'`). The build does not know the backend yet, so its
//! `connect-src` allows the page's own origin and AWS's domain; `cargo xtask
//! aws-settings` narrows it to the deployment's hosts. The emulator serves the apps
//! with the `_headers` policy as a header.

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Where a build that knows no backend may connect: its own origin (the emulator, which
/// serves the apps and the APIs from one origin, WebSockets included) and AWS.
pub const ANY_AWS: [&str; 2] = ["https://*.amazonaws.com", "wss://*.amazonaws.com"];

/// The policy of a page: `inline_scripts` and `inline_styles` are the exact texts of
/// the page's inline `<script>` and `<style>` elements; `connect` the hosts (with their
/// schemes) it may reach besides its own origin.
pub fn policy(inline_scripts: &[&str], inline_styles: &[&str], connect: &[String]) -> String {
    let hashes = |texts: &[&str]| -> String {
        texts
            .iter()
            .map(|text| format!(" 'sha256-{}'", sha256_base64(text)))
            .collect()
    };
    let connect: String = connect.iter().map(|c| format!(" {c}")).collect();
    [
        "default-src 'none'".to_string(),
        // WebAssembly needs 'wasm-unsafe-eval'; no 'unsafe-inline', no 'unsafe-eval'.
        format!(
            "script-src 'self' 'wasm-unsafe-eval'{}",
            hashes(inline_scripts)
        ),
        // Leptos sets styles through the CSSOM (`style:` in the views), which a policy
        // does not govern; style attributes in markup are not allowed.
        format!("style-src 'self'{}", hashes(inline_styles)),
        "img-src 'self'".into(),
        "font-src 'self'".into(),
        format!("connect-src 'self'{connect}"),
        "manifest-src 'self'".into(),
        "worker-src 'self'".into(),
        "base-uri 'self'".into(),
        "form-action 'self'".into(),
        "object-src 'none'".into(),
    ]
    .join("; ")
}

/// `policy` as a header: with `frame-ancestors 'none'`, which only a header can carry.
pub fn header_policy(meta_policy: &str) -> String {
    format!("{meta_policy}; frame-ancestors 'none'")
}

/// The hosts a deployment's page connects to, with their schemes: the three REST APIs,
/// Cognito's two services, the IoT endpoint's WebSocket, and the hosts `settings.json`
/// allows (which staff may point a device at).
pub fn connect_sources(settings: &shared::Settings, allowed_hosts: &[String]) -> Vec<String> {
    let origin = |url: &str| {
        url.split_once("://").map(|(scheme, rest)| {
            format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
        })
    };
    let mut sources: Vec<String> = [
        Some(settings.order_manager.to_string()),
        Some(settings.config.to_string()),
        settings.validator.as_ref().map(ToString::to_string),
        Some(settings.cognito_idp_url()),
        Some(settings.cognito_identity_url()),
        Some(settings.iot_url()),
    ]
    .into_iter()
    .flatten()
    .filter_map(|url| origin(&url))
    .collect();
    for host in allowed_hosts {
        sources.push(format!("https://{host}"));
        sources.push(format!("wss://{host}"));
    }
    sources.sort();
    sources.dedup();
    sources
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// The texts of the inline elements `tag` (`script` or `style`) of `html`: those
/// without a `src`.
pub fn inline_texts<'a>(html: &'a str, tag: &str) -> Result<Vec<&'a str>> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<style>` or `<style …>`, not `<stylesheet`.
        if !after.starts_with(['>', ' ', '\n', '\t']) {
            rest = after;
            continue;
        }
        let end_of_tag = after.find('>').context("an unclosed tag")?;
        let attributes = &after[..end_of_tag];
        let body = &after[end_of_tag + 1..];
        let body_end = body
            .find(&close)
            .with_context(|| format!("a <{tag}> is not closed"))?;
        if !attributes.contains("src=") {
            found.push(&body[..body_end]);
        }
        rest = &body[body_end + close.len()..];
    }
    Ok(found)
}

/// The page with its policy as a `<meta>` right after `<meta charset="utf-8">`, for
/// `connect` hosts; a page that already has one gets it replaced.
pub fn with_meta(html: &str, connect: &[String]) -> Result<String> {
    let html = without_meta(html);
    let scripts = inline_texts(&html, "script")?;
    let styles = inline_texts(&html, "style")?;
    let meta = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy(&scripts, &styles, connect)
    );
    const CHARSET: &str = "<meta charset=\"utf-8\">";
    if !html.contains(CHARSET) {
        bail!("the page has no {CHARSET}: the policy must come before any script");
    }
    Ok(html.replacen(CHARSET, &format!("{CHARSET}\n{meta}"), 1))
}

const META_START: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"";

fn without_meta(html: &str) -> String {
    let Some(start) = html.find(META_START) else {
        return html.to_string();
    };
    let end = html[start..]
        .find('>')
        .map_or(html.len(), |e| start + e + 1);
    let rest = html[end..].strip_prefix('\n').unwrap_or(&html[end..]);
    format!("{}{rest}", &html[..start])
}

/// The policy a page carries in its `<meta>`, if any.
pub fn meta_policy(html: &str) -> Option<&str> {
    let start = html.find(META_START)? + META_START.len();
    let end = html[start..].find('"')?;
    Some(&html[start..start + end])
}

/// `dist/_headers` for the app served under `/{app}/`: the policy as a header, and the
/// headers every page of it should have.
pub fn headers_file(app: &str, meta_policy: &str) -> String {
    format!(
        "# Headers for a host that reads this file (Netlify, Cloudflare Pages); written by\n\
         # cargo xtask build / aws-settings. Other hosts: send the same (docs/security.md).\n\
         /{app}/*\n  \
         Content-Security-Policy: {}\n  \
         X-Content-Type-Options: nosniff\n  \
         Referrer-Policy: no-referrer\n  \
         X-Frame-Options: DENY\n",
        header_policy(meta_policy)
    )
}

/// Writes the policy, for `connect` hosts, into `dist/index.html` and `dist/_headers`
/// of the app `app` built into `dist`.
pub fn write(dist: &Path, app: &str, connect: &[String]) -> Result<()> {
    let page = dist.join("index.html");
    let html =
        std::fs::read_to_string(&page).with_context(|| format!("reading {}", page.display()))?;
    let html = with_meta(&html, connect)?;
    let policy = meta_policy(&html).context("the policy just written")?;
    std::fs::write(dist.join("_headers"), headers_file(app, policy))?;
    std::fs::write(&page, &html)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\">\n\
        <script src=\"a.js\"></script><style>body{color:red}</style>\n\
        <script>register()</script>\n<script type=\"module\">import init from \"./x.js\"; init();</script>\n\
        <link rel=\"stylesheet\" href=\"s.css\"></head><body></body></html>";

    #[test]
    fn inline_elements_are_found_and_hashed() {
        assert_eq!(
            inline_texts(PAGE, "script").unwrap(),
            ["register()", "import init from \"./x.js\"; init();"]
        );
        assert_eq!(inline_texts(PAGE, "style").unwrap(), ["body{color:red}"]);
        // The hash a browser computes for `<script>alert(1)</script>` (from the CSP spec's
        // way: base64 of SHA-256 of the text; checked with `openssl dgst -sha256 -binary |
        // base64`).
        assert_eq!(
            sha256_base64("alert(1)"),
            "bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn the_policy_allows_only_the_pages_own_scripts_and_the_given_hosts() {
        let html = with_meta(PAGE, &["https://api.example.com".into()]).unwrap();
        let policy = meta_policy(&html).unwrap();
        assert!(
            policy.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-")
        );
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
        assert_eq!(
            policy.matches("'sha256-").count(),
            3,
            "two scripts, one style"
        );
        assert!(policy.contains("connect-src 'self' https://api.example.com;"));
        assert!(policy.contains("object-src 'none'") && policy.contains("base-uri 'self'"));
        // The meta comes before every script, and once only, even written twice.
        let again = with_meta(&html, &["https://other.example.com".into()]).unwrap();
        assert_eq!(again.matches(META_START).count(), 1);
        assert!(again.find(META_START).unwrap() < again.find("<script").unwrap());
        assert!(meta_policy(&again)
            .unwrap()
            .contains("connect-src 'self' https://other.example.com;"));
        // frame-ancestors only in the header: a <meta> cannot carry it.
        assert!(!policy.contains("frame-ancestors"));
        let headers = headers_file("order", policy);
        assert!(headers.contains("/order/*\n  Content-Security-Policy: default-src 'none';"));
        assert!(headers.contains("frame-ancestors 'none'\n"));
    }

    #[test]
    fn a_deployment_connects_to_its_own_hosts_only() {
        let mut draft = shared::SettingsDraft::default();
        for (field, value) in [
            (shared::Field::Region, "us-east-1"),
            (shared::Field::UserPoolId, "us-east-1_AbCdEf123"),
            (
                shared::Field::UserPoolWebClientId,
                "1a2b3c4d5e6f7g8h9i0j1k2l3m",
            ),
            (
                shared::Field::IdentityPoolId,
                "us-east-1:11111111-2222-3333-4444-555555555555",
            ),
            (
                shared::Field::IotHost,
                "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
            ),
            (
                shared::Field::OrderManagerEndpoint,
                "https://om1.execute-api.us-east-1.amazonaws.com/Prod/",
            ),
            (
                shared::Field::ConfigEndpoint,
                "https://cfg1.execute-api.us-east-1.amazonaws.com/Prod/",
            ),
        ] {
            draft.set(field, value);
        }
        let settings = draft.validate(shared::AppKind::Barista).unwrap();
        assert_eq!(
            connect_sources(&settings, &["api.coffee.example.com".into()]),
            [
                "https://api.coffee.example.com",
                "https://cfg1.execute-api.us-east-1.amazonaws.com",
                "https://cognito-identity.us-east-1.amazonaws.com",
                "https://cognito-idp.us-east-1.amazonaws.com",
                "https://om1.execute-api.us-east-1.amazonaws.com",
                "wss://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
                "wss://api.coffee.example.com",
            ]
        );
    }

    #[test]
    fn a_page_without_a_charset_is_refused() {
        assert!(with_meta("<html><script>x()</script></html>", &[]).is_err());
    }
}
