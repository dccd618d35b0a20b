//! Who may talk to the emulator. It runs on a developer's laptop, where every web page
//! the developer visits can send requests to loopback addresses, and, listening on any
//! other address, everyone on the network can reach it. So:
//!
//! - listening on a non-loopback address has to be asked for twice ([`check_listen`],
//!   `--i-know-this-is-exposed`);
//! - every request, the IoT WebSocket's included, must name the emulator in its `Host`
//!   in a way a DNS-rebinding attacker's domain cannot ([`HostCheck`]): `127.0.0.1`,
//!   `localhost` or `[::1]` with the port it listens on, or, when it listens on another
//!   address, any IP address with that port;
//! - CORS is granted only to the emulator's own origin and to dev servers on loopback
//!   ([`cors_allowed`]), by echoing their `Origin`: never `*`, as API Gateway would;
//! - the local-only routes (`/_local/*`) answer only peers on this machine that show
//!   this run's token, and take only JSON bodies ([`local_refusal`]), so that no web
//!   page can create users, read codes or set faults.
//!
//! The decisions are here, as plain functions; `http/` and `lib.rs` apply them.

use axum::http::{header, HeaderMap, Method, StatusCode};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use subtle::ConstantTimeEq;

/// The header that carries the local token.
pub const LOCAL_TOKEN_HEADER: &str = "x-local-token";
/// The query parameter that may carry the local token of a GET (links on the start
/// page, a browser's address bar).
pub const LOCAL_TOKEN_PARAM: &str = "localToken";
/// The shortest local token `--local-token` accepts.
pub const MIN_LOCAL_TOKEN_LEN: usize = 16;
const LOCAL_TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A new random local token: 32 letters and digits (190 bits).
pub fn new_local_token() -> String {
    crate::ids::token(LOCAL_TOKEN_ALPHABET, 32)
}

/// Checks a local token given by the person starting the emulator (`--local-token`):
/// long enough not to be guessed, and made of characters that go into a URL as they are.
pub fn check_local_token(token: &str) -> anyhow::Result<()> {
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    if token.chars().count() < MIN_LOCAL_TOKEN_LEN || !token.chars().all(url_safe) {
        anyhow::bail!(
            "--local-token must be at least {MIN_LOCAL_TOKEN_LEN} characters of letters, digits, \
             '-', '.', '_' or '~' (a short token could be guessed by any program on this machine)"
        );
    }
    Ok(())
}

/// Refuses a non-loopback listen address unless `exposed_on_purpose`
/// (`--i-know-this-is-exposed`), saying what it would expose.
pub fn check_listen(listen: SocketAddr, exposed_on_purpose: bool) -> anyhow::Result<()> {
    if listen.ip().is_loopback() || exposed_on_purpose {
        return Ok(());
    }
    anyhow::bail!(
        "--listen {listen} is not a loopback address: everyone who can reach this machine on \
         the network could use the emulator. It is a development server: plain HTTP and \
         WebSocket (passwords and tokens cross the network readable), no rate limits, and \
         accounts anyone can create. Listen on 127.0.0.1 (the default) unless you mean it; \
         to mean it, add --i-know-this-is-exposed."
    )
}

/// Whether the emulator listens where others can reach it (not on loopback).
pub fn is_exposed(listen: SocketAddr) -> bool {
    !listen.ip().is_loopback()
}

/// A `Host` (or an origin's authority) cut into its name and port: an IPv6 address
/// without its brackets, `None` for a missing port. `None` when it is malformed.
fn split_authority(authority: &str) -> Option<(Name, Option<u16>)> {
    let port_of = |text: &str| -> Option<u16> { text.parse().ok() };
    if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = ip.parse().ok()?;
        let port = match after {
            "" => None,
            after => Some(port_of(after.strip_prefix(':')?)?),
        };
        return Some((Name::Ip(IpAddr::V6(ip)), port));
    }
    let (name, port) = match authority.rsplit_once(':') {
        Some((name, port)) => (name, Some(port_of(port)?)),
        None => (authority, None),
    };
    let name = match name.parse::<Ipv4Addr>() {
        Ok(ip) => Name::Ip(IpAddr::V4(ip)),
        Err(_) if name.eq_ignore_ascii_case("localhost") => Name::Localhost,
        Err(_) if !name.is_empty() => Name::Other,
        Err(_) => return None,
    };
    Some((name, port))
}

/// The name part of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    Localhost,
    Ip(IpAddr),
    /// A domain name other than `localhost`: what a rebinding attack sends.
    Other,
}

impl Name {
    fn is_loopback(self) -> bool {
        match self {
            Name::Localhost => true,
            Name::Ip(ip) => {
                ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
            }
            Name::Other => false,
        }
    }
}

/// The `Host` check against DNS rebinding: a page on `evil.example`, whose name a
/// rebinding attack points at 127.0.0.1, still says `Host: evil.example`.
#[derive(Clone, Copy, Debug)]
pub struct HostCheck {
    listen: SocketAddr,
}

impl HostCheck {
    /// For an emulator listening on `listen` (its real port, not 0).
    pub fn new(listen: SocketAddr) -> Self {
        Self { listen }
    }

    /// Whether `host` (a `Host` header) names this emulator.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_authority(host) else {
            return false;
        };
        // A browser leaves out the scheme's default port.
        if port.unwrap_or(80) != self.listen.port() {
            return false;
        }
        match name {
            Name::Localhost => true,
            Name::Ip(ip) => name.is_loopback() || ip == self.listen.ip() || is_exposed(self.listen),
            Name::Other => false,
        }
    }

    /// What a refused request should have said, for people.
    pub fn refusal(&self, host: Option<&str>) -> String {
        let port = self.listen.port();
        let expected = if is_exposed(self.listen) {
            format!("127.0.0.1:{port}, localhost:{port}, [::1]:{port} or an IP address of this machine with port {port}")
        } else {
            format!("127.0.0.1:{port}, localhost:{port} or [::1]:{port}")
        };
        match host {
            Some(host) => format!(
                "This emulator answers only requests addressed to {expected}, not to {host:?}: \
                 a page of another site may be trying to reach it through its own domain name \
                 (DNS rebinding)."
            ),
            None => format!("This emulator answers only requests addressed to {expected}; this one has no Host."),
        }
    }
}

/// Whether a browser page of `origin` may read the emulator's answers (CORS): the
/// emulator's own origin (`http://` + `own_host`, the request's `Host`), or any page
/// served from a loopback address, on any port, over HTTP or HTTPS (`trunk serve`, the
/// wasm test runner). Not `null`, and not any other site.
pub fn cors_allowed(origin: &str, own_host: Option<&str>) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") || authority.contains(['/', '?', '#', '@']) {
        return false;
    }
    if scheme == "http" && own_host.is_some_and(|own| own.eq_ignore_ascii_case(authority)) {
        return true;
    }
    split_authority(authority).is_some_and(|(name, _)| name.is_loopback())
}

/// Why a request to a local-only route was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalRefusal {
    #[error("The local-only routes (/_local/…) answer only this machine; {0} is another one.")]
    NotLoopback(String),
    #[error(
        "The local-only routes (/_local/…) need this run's local token: send it in the \
         X-Local-Token header (a GET may also add ?localToken=). The emulator prints it when \
         it starts."
    )]
    NoToken,
    #[error(
        "That is not this run's local token (X-Local-Token). The emulator prints it when it \
         starts; it changes with every run unless given with --local-token."
    )]
    WrongToken,
    #[error(
        "The local-only routes take JSON: send Content-Type: application/json (this request \
         says {0}). Other types are refused because any web page can send them to this \
         machine without asking first."
    )]
    NotJson(String),
}

impl LocalRefusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotJson(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::FORBIDDEN,
        }
    }
}

/// Whether `secret` equals `expected`, in a time that does not tell how much of it does.
pub fn same_secret(secret: &str, expected: &str) -> bool {
    secret.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// Why a request to a local-only route from `peer` must be refused, if it must: it comes
/// from another machine, it lacks `token` (the `X-Local-Token` header, or for a GET also
/// `?localToken=` in `query`), or it has a body that is not JSON.
pub fn local_refusal(
    peer: Option<SocketAddr>,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    token: &str,
) -> Option<LocalRefusal> {
    match peer {
        Some(peer) if peer.ip().to_canonical().is_loopback() => {}
        Some(peer) => return Some(LocalRefusal::NotLoopback(peer.ip().to_string())),
        None => return Some(LocalRefusal::NotLoopback("an unknown peer".into())),
    }
    let reads = *method == Method::GET || *method == Method::HEAD;
    let given = headers
        .get(LOCAL_TOKEN_HEADER)
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .or_else(|| {
            reads.then(|| {
                form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == LOCAL_TOKEN_PARAM)
                    .map(|(_, v)| v.into_owned())
            })?
        });
    match given {
        None => return Some(LocalRefusal::NoToken),
        Some(given) if !same_secret(&given, token) => return Some(LocalRefusal::WrongToken),
        Some(_) => {}
    }
    if !reads {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let is_json = content_type.as_deref().is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
        });
        if !is_json {
            return Some(LocalRefusal::NotJson(match content_type {
                Some(ct) => format!("{ct:?}"),
                None => "no type".into(),
            }));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_loopback_listen_address_goes_without_saying() {
        assert!(check_listen(addr("127.0.0.1:8787"), false).is_ok());
        assert!(check_listen(addr("[::1]:8787"), false).is_ok());
        for exposed in ["0.0.0.0:8787", "192.168.1.20:8787", "[::]:8787"] {
            let refused = check_listen(addr(exposed), false).unwrap_err().to_string();
            assert!(refused.contains("--i-know-this-is-exposed"), "{refused}");
            assert!(check_listen(addr(exposed), true).is_ok());
        }
    }

    #[test]
    fn hosts_must_name_this_emulator() {
        let local = HostCheck::new(addr("127.0.0.1:8787"));
        for ok in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LocalHost:8787",
            "[::1]:8787",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example:8787",
            "evil.example",
            "127.0.0.1:8788",
            "127.0.0.1",
            "192.168.1.20:8787",
            "localhost.evil.example:8787",
            "[::1]",
            "::1:8787",
            "",
            ":8787",
            "127.0.0.1:87870",
        ] {
            assert!(!local.allows(refused), "{refused}");
        }
        let message = local.refusal(Some("evil.example:8787"));
        assert!(message.contains("evil.example:8787") && message.contains("DNS rebinding"));

        let exposed = HostCheck::new(addr("0.0.0.0:8787"));
        for ok in [
            "192.168.1.20:8787",
            "[fd00::2]:8787",
            "localhost:8787",
            "127.0.0.1:8787",
        ] {
            assert!(exposed.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example:8787",
            "my-laptop.local:8787",
            "192.168.1.20:80",
        ] {
            assert!(!exposed.allows(refused), "{refused}");
        }
        // Port 80 may go unsaid, as browsers do.
        assert!(HostCheck::new(addr("127.0.0.1:80")).allows("localhost"));
    }

    #[test]
    fn cors_is_for_this_emulator_and_loopback_dev_servers() {
        let own = Some("127.0.0.1:8787");
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
            "https://localhost:8443",
            "http://127.0.0.1",
            "http://127.0.0.1:8787",
        ] {
            assert!(cors_allowed(ok, own), "{ok}");
        }
        assert!(cors_allowed(
            "http://192.168.1.20:8787",
            Some("192.168.1.20:8787")
        ));
        for refused in [
            "https://evil.example",
            "http://evil.example:8080",
            "null",
            "http://192.168.1.20:8787",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "file://",
            "http://127.0.0.1:8080/path",
            "http://user@127.0.0.1:8080",
        ] {
            assert!(!cors_allowed(refused, own), "{refused}");
        }
    }

    #[test]
    fn local_routes_need_this_machine_the_token_and_json() {
        let token = "the-token-of-this-run";
        let here = Some(addr("127.0.0.1:50000"));
        let mut headers = HeaderMap::new();
        let refusal = |peer, method: &Method, headers: &HeaderMap, query| {
            local_refusal(peer, method, headers, query, token)
        };
        assert_eq!(
            refusal(here, &Method::GET, &headers, None),
            Some(LocalRefusal::NoToken)
        );
        assert_eq!(
            refusal(
                here,
                &Method::GET,
                &headers,
                Some("localToken=the-token-of-this-run")
            ),
            None
        );
        assert_eq!(
            refusal(here, &Method::GET, &headers, Some("localToken=guess")),
            Some(LocalRefusal::WrongToken)
        );
        // The query is for links: a POST must send the header.
        assert_eq!(
            refusal(
                here,
                &Method::POST,
                &headers,
                Some("localToken=the-token-of-this-run")
            ),
            Some(LocalRefusal::NoToken)
        );
        headers.insert(
            LOCAL_TOKEN_HEADER,
            HeaderValue::from_static("the-token-of-this-run"),
        );
        assert_eq!(refusal(here, &Method::GET, &headers, None), None);
        assert_eq!(
            refusal(here, &Method::POST, &headers, None),
            Some(LocalRefusal::NotJson("no type".into()))
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=UTF-8"),
        );
        let not_json = refusal(here, &Method::POST, &headers, None).unwrap();
        assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert_eq!(refusal(here, &Method::POST, &headers, None), None);
        let ipv6_here = Some(addr("[::1]:50000"));
        let mapped_here = Some(addr("[::ffff:127.0.0.1]:50000"));
        assert_eq!(refusal(ipv6_here, &Method::POST, &headers, None), None);
        assert_eq!(refusal(mapped_here, &Method::POST, &headers, None), None);
        let elsewhere = refusal(
            Some(addr("192.168.1.20:50000")),
            &Method::POST,
            &headers,
            None,
        );
        assert_eq!(
            elsewhere,
            Some(LocalRefusal::NotLoopback("192.168.1.20".into()))
        );
        assert_eq!(elsewhere.unwrap().status(), StatusCode::FORBIDDEN);
        assert!(matches!(
            refusal(None, &Method::GET, &headers, None),
            Some(LocalRefusal::NotLoopback(_))
        ));
    }

    #[test]
    fn local_tokens() {
        let token = new_local_token();
        assert_eq!(token.len(), 32);
        assert!(check_local_token(&token).is_ok());
        assert_ne!(token, new_local_token());
        assert!(check_local_token("short").is_err());
        assert!(check_local_token("sixteen chars but spaces").is_err());
        assert!(check_local_token("a-token_of.sixteen~").is_ok());
        assert!(
            same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("ab", "abc")
        );
    }
}
