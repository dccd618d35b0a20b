//! Where the console's cup tickets go (none, a network receipt printer, or the iPad's
//! print dialog on receipt or label paper), as staff set it and this browser keeps it,
//! and how each card's ticket is doing. Pure; the ticket itself is `shared::epos`.

use shared::epos::PrintProblem;
use shared::url::{Endpoint, SchemeKind, UrlError};
use std::fmt;

/// The paper a print dialog's ticket is laid out for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    /// 58 mm receipt roll.
    Receipt58,
    /// 80 mm receipt roll.
    Receipt80,
    /// 62 mm continuous label (a label printer's roll).
    Label62,
}

impl Paper {
    pub const ALL: [Paper; 3] = [Self::Receipt58, Self::Receipt80, Self::Label62];

    /// Its name in storage and in the page's class (`paper-58`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Receipt58 => "58",
            Self::Receipt80 => "80",
            Self::Label62 => "62",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Where tickets go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PrinterChoice {
    /// No tickets (the default: most bars have no printer).
    #[default]
    None,
    /// An ePOS-Print receipt printer at this address.
    Network(Endpoint),
    /// The device's print dialog (AirPrint on an iPad), laid out for this paper.
    Dialog(Paper),
}

impl PrinterChoice {
    /// As this browser keeps it: `none`, `network https://…`, `dialog 80`.
    pub fn to_text(&self) -> String {
        match self {
            Self::None => "none".into(),
            Self::Network(address) => format!("network {address}"),
            Self::Dialog(paper) => format!("dialog {}", paper.code()),
        }
    }

    /// What [`Self::to_text`] wrote; anything else (an old or tampered value) is none.
    pub fn from_text(text: &str) -> Self {
        match text.split_once(' ') {
            Some(("network", address)) => Endpoint::parse(address, SchemeKind::Web)
                .map(Self::Network)
                .unwrap_or_default(),
            Some(("dialog", code)) => Paper::from_code(code).map(Self::Dialog).unwrap_or_default(),
            _ => Self::None,
        }
    }

    /// Whether a ticket prints when a barista presses Make.
    pub fn prints(&self) -> bool {
        !matches!(self, Self::None)
    }
}

/// Why a printer address was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    Url(UrlError),
    /// An `http://` printer from an `https://` console: the browser would block it.
    Insecure,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(e) => write!(f, "The printer's address {e}."),
            Self::Insecure => write!(
                f,
                "This console is served over HTTPS, so it can only reach a printer at https://: turn on the printer's HTTPS (SSL/TLS) setting and use https://."
            ),
        }
    }
}

impl std::error::Error for AddressError {}

/// The printer address staff typed: an IP address or host name (`192.168.1.50`, given
/// the page's own scheme), or a whole `http(s)://` address. A page served over HTTPS
/// refuses an `http://` printer (mixed content) with a reason instead of failing later.
pub fn printer_address(input: &str, page_secure: bool) -> Result<Endpoint, AddressError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(AddressError::Url(UrlError::Empty));
    }
    let text = if input.contains("://") {
        input.to_string()
    } else {
        let scheme = if page_secure { "https" } else { "http" };
        format!("{scheme}://{input}")
    };
    let address = Endpoint::parse(&text, SchemeKind::Web).map_err(AddressError::Url)?;
    if page_secure && address.scheme() == shared::url::Scheme::Http {
        return Err(AddressError::Insecure);
    }
    Ok(address)
}

/// How one card's ticket is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintState {
    Printing,
    Printed,
    Failed(PrintProblem),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_takes_the_pages_scheme_unless_given_one() {
        let at = |input, secure| printer_address(input, secure).map(|e| e.to_string());
        assert_eq!(at("192.168.1.50", true), Ok("https://192.168.1.50".into()));
        assert_eq!(
            at(" 192.168.1.50:8043 ", false),
            Ok("http://192.168.1.50:8043".into())
        );
        assert_eq!(
            at("http://127.0.0.1:4000/_local/printer", false),
            Ok("http://127.0.0.1:4000/_local/printer".into())
        );
        assert_eq!(at("http://192.168.1.50", true), Err(AddressError::Insecure));
        assert!(matches!(
            at("", true),
            Err(AddressError::Url(UrlError::Empty))
        ));
        assert!(matches!(
            at("https://user:pw@printer.local", true),
            Err(AddressError::Url(UrlError::UserInfo))
        ));
        assert!(matches!(
            at("javascript:alert(1)", true),
            Err(AddressError::Url(_))
        ));
        assert!(matches!(
            at("printer.local/?x=1", true),
            Err(AddressError::Url(UrlError::QueryOrFragment))
        ));
    }

    #[test]
    fn the_choice_survives_storage_and_refuses_what_it_did_not_write() {
        for choice in [
            PrinterChoice::None,
            PrinterChoice::Dialog(Paper::Label62),
            PrinterChoice::Network(printer_address("10.0.0.9", true).expect("an address")),
        ] {
            assert_eq!(PrinterChoice::from_text(&choice.to_text()), choice);
        }
        assert_eq!(
            PrinterChoice::from_text("network ftp://x"),
            PrinterChoice::None
        );
        assert_eq!(PrinterChoice::from_text("dialog 99"), PrinterChoice::None);
        assert_eq!(PrinterChoice::from_text(""), PrinterChoice::None);
        assert!(!PrinterChoice::None.prints());
        assert!(PrinterChoice::Dialog(Paper::Receipt58).prints());
    }
}
