//! Endpoint URLs as the settings page accepts them, and trailing-slash-safe joining.
//!
//! Hand-written on purpose: the `url` crate pulls in IDNA tables that would cost the
//! apps tens of kilobytes, and all we need is "is this an absolute http(s) or ws(s)
//! URL we can append a path to".

use std::fmt;

/// URL schemes an endpoint may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
    Ws,
    Wss,
}

impl Scheme {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            "ws" => Some(Self::Ws),
            "wss" => Some(Self::Wss),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::Ws => "ws",
            Self::Wss => "wss",
        }
    }
}

/// Which family of schemes a setting accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// `https://` (or `http://` for a local emulator).
    Web,
    /// `wss://` (or `ws://` for a local emulator).
    WebSocket,
}

impl SchemeKind {
    fn accepts(self, scheme: Scheme) -> bool {
        match self {
            Self::Web => matches!(scheme, Scheme::Http | Scheme::Https),
            Self::WebSocket => matches!(scheme, Scheme::Ws | Scheme::Wss),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Web => "https://",
            Self::WebSocket => "wss://",
        }
    }
}

/// Why a piece of text is not a usable endpoint URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    Empty,
    Whitespace,
    MissingScheme(SchemeKind),
    WrongScheme { found: String, wanted: SchemeKind },
    UserInfo,
    Host(HostError),
    QueryOrFragment,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::Whitespace => write!(f, "contains a space"),
            Self::MissingScheme(kind) => write!(f, "must start with {}", kind.example()),
            Self::WrongScheme { found, wanted } => {
                write!(f, "must start with {} (not {found}://)", wanted.example())
            }
            Self::UserInfo => write!(f, "must not contain a user name or password"),
            Self::Host(e) => write!(f, "has {e}"),
            Self::QueryOrFragment => write!(f, "must not contain ? or #"),
        }
    }
}

impl std::error::Error for UrlError {}

/// Why a host (with optional port) is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostError {
    Missing,
    BadName,
    BadPort,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "no host name"),
            Self::BadName => write!(f, "an invalid host name"),
            Self::BadPort => write!(f, "an invalid port"),
        }
    }
}

impl std::error::Error for HostError {}

/// An absolute URL that paths can be appended to, e.g.
/// `https://abc123.execute-api.us-east-1.amazonaws.com/Prod/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    text: String,
    scheme: Scheme,
    /// Byte range of `host[:port]` within `text`.
    authority: (usize, usize),
}

impl Endpoint {
    /// Parses trimmed text as an endpoint of the given scheme family.
    pub fn parse(input: &str, kind: SchemeKind) -> Result<Self, UrlError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(UrlError::Empty);
        }
        if text.chars().any(char::is_whitespace) {
            return Err(UrlError::Whitespace);
        }
        let Some((scheme_text, rest)) = text.split_once("://") else {
            return Err(UrlError::MissingScheme(kind));
        };
        let scheme = match Scheme::parse(scheme_text) {
            Some(s) if kind.accepts(s) => s,
            _ => {
                return Err(UrlError::WrongScheme {
                    found: scheme_text.to_string(),
                    wanted: kind,
                })
            }
        };
        if rest.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        let authority_len = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        check_host_port(authority).map_err(UrlError::Host)?;
        let start = scheme_text.len() + 3;
        Ok(Self {
            text: text.to_string(),
            scheme,
            authority: (start, start + authority_len),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `host[:port]`, as a SigV4 `host` header wants it.
    pub fn authority(&self) -> &str {
        &self.text[self.authority.0..self.authority.1]
    }

    /// The path part, `/` when there is none.
    pub fn path(&self) -> &str {
        match &self.text[self.authority.1..] {
            "" => "/",
            path => path,
        }
    }

    /// Appends `path` with exactly one `/` between, whatever either side ends or
    /// starts with: the `DisplayAppURI` endpoints end in `/Prod/` (contract §1.1).
    pub fn join(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.text.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Checks `host` or `host:port`, where host is a DNS name, an IPv4 address or a
/// bracketed IPv6 address.
pub fn check_host_port(authority: &str) -> Result<(), HostError> {
    if authority.is_empty() {
        return Err(HostError::Missing);
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or(HostError::BadName)?;
        if v6.is_empty() || !v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(HostError::BadName);
        }
        match after {
            "" => (v6, None),
            _ => (v6, Some(after.strip_prefix(':').ok_or(HostError::BadPort)?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => {
                check_dns_name(host)?;
                (host, Some(port))
            }
            None => {
                check_dns_name(authority)?;
                (authority, None)
            }
        }
    };
    debug_assert!(!host.is_empty());
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && matches!(port.parse::<u32>(), Ok(1..=65535));
        if !valid {
            return Err(HostError::BadPort);
        }
    }
    Ok(())
}

fn check_dns_name(host: &str) -> Result<(), HostError> {
    if host.is_empty() {
        return Err(HostError::Missing);
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.len() <= 253 && host.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(HostError::BadName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(s: &str) -> Result<Endpoint, UrlError> {
        Endpoint::parse(s, SchemeKind::Web)
    }

    #[test]
    fn accepts_api_gateway_stage_urls_and_trims() {
        let e = web("  https://abc123.execute-api.us-east-1.amazonaws.com/Prod/ \n").unwrap();
        assert_eq!(
            e.as_str(),
            "https://abc123.execute-api.us-east-1.amazonaws.com/Prod/"
        );
        assert_eq!(e.authority(), "abc123.execute-api.us-east-1.amazonaws.com");
        assert_eq!(e.path(), "/Prod/");
        assert_eq!(e.scheme(), Scheme::Https);
    }

    #[test]
    fn accepts_loopback_with_port_and_no_path() {
        let e = web("http://127.0.0.1:8080").unwrap();
        assert_eq!(e.authority(), "127.0.0.1:8080");
        assert_eq!(e.path(), "/");
        assert!(web("http://[::1]:8080/Prod").is_ok());
        assert!(web("http://localhost/").is_ok());
    }

    #[test]
    fn join_puts_exactly_one_slash_between() {
        for base in ["https://x.example/Prod", "https://x.example/Prod/"] {
            let e = web(base).unwrap();
            assert_eq!(e.join("orders"), "https://x.example/Prod/orders");
            assert_eq!(e.join("/orders/abc"), "https://x.example/Prod/orders/abc");
        }
        assert_eq!(
            web("http://h:1").unwrap().join("/config"),
            "http://h:1/config"
        );
    }

    #[test]
    fn rejects_what_would_break_requests() {
        assert_eq!(web(""), Err(UrlError::Empty));
        assert_eq!(web("   "), Err(UrlError::Empty));
        assert_eq!(
            web("abc.execute-api.us-east-1.amazonaws.com/Prod/"),
            Err(UrlError::MissingScheme(SchemeKind::Web))
        );
        assert_eq!(
            web("ftp://x.example/"),
            Err(UrlError::WrongScheme {
                found: "ftp".into(),
                wanted: SchemeKind::Web
            })
        );
        assert_eq!(web("https://x.example/Prod /"), Err(UrlError::Whitespace));
        assert_eq!(
            web("https://x.example/Prod?a=1"),
            Err(UrlError::QueryOrFragment)
        );
        assert_eq!(web("https://u:p@x.example/"), Err(UrlError::UserInfo));
        assert_eq!(
            web("https:///Prod"),
            Err(UrlError::Host(HostError::Missing))
        );
        assert_eq!(
            web("https://bad_host.example/"),
            Err(UrlError::Host(HostError::BadName))
        );
        assert_eq!(
            web("https://x.example:99999/"),
            Err(UrlError::Host(HostError::BadPort))
        );
        assert_eq!(
            web("https://x.example:/"),
            Err(UrlError::Host(HostError::BadPort))
        );
    }

    #[test]
    fn websocket_kind_wants_ws_schemes() {
        assert!(Endpoint::parse("ws://127.0.0.1:8080/mqtt", SchemeKind::WebSocket).is_ok());
        assert!(Endpoint::parse(
            "wss://a-ats.iot.x.amazonaws.com/mqtt",
            SchemeKind::WebSocket
        )
        .is_ok());
        assert!(matches!(
            Endpoint::parse("https://a/mqtt", SchemeKind::WebSocket),
            Err(UrlError::WrongScheme { .. })
        ));
    }

    #[test]
    fn host_check() {
        assert_eq!(
            check_host_port("a1b2c3-ats.iot.us-east-1.amazonaws.com"),
            Ok(())
        );
        assert_eq!(check_host_port("127.0.0.1:8080"), Ok(()));
        assert_eq!(check_host_port("-bad.example"), Err(HostError::BadName));
        assert_eq!(check_host_port("a..b"), Err(HostError::BadName));
        assert_eq!(check_host_port("h:0"), Err(HostError::BadPort));
        assert_eq!(check_host_port("[::1"), Err(HostError::BadName));
        assert_eq!(check_host_port(""), Err(HostError::Missing));
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(
            UrlError::MissingScheme(SchemeKind::Web).to_string(),
            "must start with https://"
        );
        assert_eq!(
            UrlError::Host(HostError::BadPort).to_string(),
            "has an invalid port"
        );
    }
}
