//! Cup tickets for network receipt printers, in Epson's ePOS-Print XML: what the console
//! sends when a barista presses Make, what the printer answers, and what its status bits
//! mean to a person. The protocol Epson's TM-series printers (and many clones) speak over
//! HTTP(S): `POST {printer}/cgi-bin/epos/service.cgi?devid=local_printer&timeout=…` with a
//! SOAP envelope around an `<epos-print>` document; the answer is a SOAP envelope around
//! one `<response success code status battery/>` (Epson, "ePOS-Print XML User's Manual").
//!
//! Pure: the console (`apps/barista`) sends these, the emulator's printer answers them
//! (`emulator/src/printer.rs`), and both read them with this module.

use crate::model::Order;
use crate::url::Endpoint;
use std::fmt;

/// The printer's ePOS-Print service, below its address.
pub const SERVICE_PATH: &str = "cgi-bin/epos/service.cgi";
/// The device id of the printer itself (as opposed to a display or a drawer).
pub const DEVICE_ID: &str = "local_printer";
/// How long the printer may take (ms) before it answers `EX_TIMEOUT`.
pub const TIMEOUT_MS: u32 = 10_000;
/// The request's content type.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";
/// The SOAP envelope's namespace.
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The namespace of `<epos-print>` and `<response>`.
pub const EPOS_NS: &str = "http://www.epson-pos.com/schemas/2011/03/epos-print";

/// The URL a ticket is posted to for the printer at `printer`.
pub fn service_url(printer: &Endpoint) -> String {
    printer.join(&format!(
        "{SERVICE_PATH}?devid={DEVICE_ID}&timeout={TIMEOUT_MS}"
    ))
}

/// What a cup ticket says: the number large, the drink, its options and when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The line above the number (the bar's name).
    pub heading: String,
    pub number: u32,
    pub drink: String,
    pub options: Option<String>,
    /// "10:42", in the bar's local time.
    pub made_at: String,
}

impl Ticket {
    /// The ticket for `order`, made at `made_at`; none for an order without a number or
    /// a drink (it cannot be made).
    pub fn for_order(order: &Order, made_at: &str) -> Option<Self> {
        let drink = order.drink.as_ref()?;
        Some(Self {
            heading: "Serverlesspresso".to_string(),
            number: order.number?,
            drink: drink.drink.clone(),
            options: drink.options_text(),
            made_at: made_at.to_string(),
        })
    }

    /// Its lines as printed, top to bottom (for a print dialog and the emulator's page).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            self.heading.clone(),
            format!("#{}", self.number),
            self.drink.clone(),
        ];
        lines.extend(self.options.clone());
        lines.push(format!("Made {}", self.made_at));
        lines
    }

    /// The whole request body: centred, the number four times its size and emphasised,
    /// the drink twice its size, then the options and the time, three lines of feed and
    /// a cut. Each setting is its own empty `<text …/>` and holds for the text after it,
    /// as in Epson's samples.
    pub fn to_epos_xml(&self) -> String {
        let setting = |attributes: &str| format!("<text {attributes}/>");
        let mut body = vec![
            setting(r#"align="center""#),
            text(&self.heading),
            setting(r#"width="4" height="4""#),
            setting(r#"em="true""#),
            text(&format!("#{}", self.number)),
            setting(r#"width="1" height="1""#),
            setting(r#"em="false""#),
            setting(r#"width="2" height="2""#),
            text(&self.drink),
            setting(r#"width="1" height="1""#),
        ];
        body.extend(self.options.as_deref().map(text));
        body.push(text(&format!("Made {}", self.made_at)));
        body.push(r#"<feed line="3"/>"#.to_string());
        body.push(r#"<cut type="feed"/>"#.to_string());
        let body: String = body.iter().map(|e| format!("      {e}\n")).collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <s:Envelope xmlns:s=\"{SOAP_NS}\">\n  <s:Body>\n    \
             <epos-print xmlns=\"{EPOS_NS}\">\n{body}    </epos-print>\n  </s:Body>\n</s:Envelope>\n"
        )
    }
}

/// One line of text, ended by a newline.
fn text(line: &str) -> String {
    format!("<text>{}&#10;</text>", escape(line))
}

/// `text` as XML character data: markup escaped, control characters (a stranger's drink
/// name could hold any) dropped, since XML 1.0 cannot carry them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The printer's status word (`status` in the answer): Epson's `ASB_*` bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status(pub u32);

impl Status {
    pub const NO_RESPONSE: u32 = 0x0000_0001;
    pub const PRINT_SUCCESS: u32 = 0x0000_0002;
    pub const DRAWER_KICK: u32 = 0x0000_0004;
    pub const OFF_LINE: u32 = 0x0000_0008;
    pub const COVER_OPEN: u32 = 0x0000_0020;
    pub const PAPER_FEED: u32 = 0x0000_0040;
    pub const WAIT_ON_LINE: u32 = 0x0000_0100;
    pub const PANEL_SWITCH: u32 = 0x0000_0200;
    pub const MECHANICAL_ERR: u32 = 0x0000_0400;
    pub const AUTOCUTTER_ERR: u32 = 0x0000_0800;
    pub const UNRECOVER_ERR: u32 = 0x0000_2000;
    pub const AUTORECOVER_ERR: u32 = 0x0000_4000;
    pub const RECEIPT_NEAR_END: u32 = 0x0002_0000;
    pub const RECEIPT_END: u32 = 0x0008_0000;
    pub const BUZZER: u32 = 0x0100_0000;
    pub const SPOOLER_IS_STOPPED: u32 = 0x8000_0000;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Why a ticket did not print, as the barista is told on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintProblem {
    /// No answer at all: a wrong address, a printer switched off or on another network,
    /// a certificate the iPad does not trust, or an address this deployment's security
    /// policy does not allow.
    Unreachable,
    /// The printer is offline.
    Offline,
    PaperOut,
    CoverOpen,
    /// The cutter or the mechanism jammed.
    Jammed,
    /// The printer did not finish within its timeout.
    Timeout,
    /// The printer answered but not with ePOS-Print (not a receipt printer, or another
    /// page at that address).
    NotAPrinter,
    /// Any other refusal, with the printer's code.
    Refused(String),
}

impl fmt::Display for PrintProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable => write!(
                f,
                "the printer did not answer: check it is on and on this network, and its address"
            ),
            Self::Offline => write!(f, "the printer is offline"),
            Self::PaperOut => write!(f, "the printer is out of paper"),
            Self::CoverOpen => write!(f, "the printer's cover is open"),
            Self::Jammed => write!(f, "the printer is jammed: check its cutter"),
            Self::Timeout => write!(f, "the printer took too long"),
            Self::NotAPrinter => write!(
                f,
                "that address is not an ePOS receipt printer: check the printer's address"
            ),
            Self::Refused(code) => write!(f, "the printer refused the ticket ({code})"),
        }
    }
}

impl std::error::Error for PrintProblem {}

/// The printer's answer: `<response success="…" code="…" status="…" battery="…"/>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub success: bool,
    /// Empty on success, else why (`EPTR_REC_EMPTY`, `EX_TIMEOUT`, …).
    pub code: String,
    pub status: Status,
}

impl Answer {
    /// A printed ticket, with the printer online.
    pub fn printed() -> Self {
        Self {
            success: true,
            code: String::new(),
            status: Status(Status::PRINT_SUCCESS),
        }
    }

    /// A refusal with `code` and the status bits that go with it.
    pub fn refused(code: &str, status: u32) -> Self {
        Self {
            success: false,
            code: code.to_string(),
            status: Status(status),
        }
    }

    /// The answer as the printer sends it.
    pub fn to_xml(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <s:Envelope xmlns:s=\"{SOAP_NS}\">\n  <s:Body>\n    \
             <response success=\"{}\" code=\"{}\" status=\"{}\" battery=\"0\" xmlns=\"{EPOS_NS}\"/>\n  \
             </s:Body>\n</s:Envelope>\n",
            self.success,
            escape(&self.code),
            self.status.0
        )
    }

    /// Reads an answer. Only the one `<response …/>` element matters, and only its
    /// attributes, so this reads those by hand rather than ship an XML parser to the
    /// iPad (the tests check it against `quick-xml`).
    pub fn parse(xml: &str) -> Result<Self, PrintProblem> {
        let start = find_element(xml, "response").ok_or(PrintProblem::NotAPrinter)?;
        let tag = &xml[start..];
        let tag = &tag[..tag.find('>').ok_or(PrintProblem::NotAPrinter)?];
        let success = match attribute(tag, "success").as_deref() {
            // "true" or "1", "false" or "0" (Epson's reference).
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            _ => return Err(PrintProblem::NotAPrinter),
        };
        let status = attribute(tag, "status")
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or_default();
        Ok(Self {
            success,
            code: attribute(tag, "code").unwrap_or_default(),
            status: Status(status),
        })
    }

    /// Printed, or why not: the status bits first (they say what a person can fix),
    /// then the code.
    pub fn outcome(&self) -> Result<(), PrintProblem> {
        if self.success {
            return Ok(());
        }
        let status = self.status;
        if status.has(Status::RECEIPT_END) || self.code == "EPTR_REC_EMPTY" {
            return Err(PrintProblem::PaperOut);
        }
        if status.has(Status::COVER_OPEN) || self.code == "EPTR_COVER_OPEN" {
            return Err(PrintProblem::CoverOpen);
        }
        if status.has(Status::AUTOCUTTER_ERR | Status::MECHANICAL_ERR)
            || matches!(self.code.as_str(), "EPTR_CUTTER" | "EPTR_MECHANICAL")
        {
            return Err(PrintProblem::Jammed);
        }
        if status.has(Status::OFF_LINE | Status::NO_RESPONSE) || self.code == "DeviceNotFound" {
            return Err(PrintProblem::Offline);
        }
        if self.code == "EX_TIMEOUT" {
            return Err(PrintProblem::Timeout);
        }
        Err(PrintProblem::Refused(if self.code.is_empty() {
            "no code".to_string()
        } else {
            self.code.clone()
        }))
    }
}

/// Where the element `name` (with or without a namespace prefix) starts in `xml`.
fn find_element(xml: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = xml[from..].find('<') {
        let start = from + at + 1;
        let rest = &xml[start..];
        let tag_name: &str = rest
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or_default();
        let local = tag_name.rsplit(':').next().unwrap_or_default();
        if local == name {
            return Some(start);
        }
        from = start;
    }
    None
}

/// The value of `name="…"` (or `'…'`) in a tag's text, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = &value[1..];
        let end = value.find(quote)?;
        return Some(unescape(&value[..end]));
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Why a request is not a ticket this module can read.
#[cfg(any(all(test, not(target_arch = "wasm32")), feature = "server"))]
#[derive(Debug, thiserror::Error)]
#[error("not ePOS-Print XML: {0}")]
pub struct NotEpos(String);

/// What a printer prints for a request: the character data of its `<text>` elements, in
/// order, read with `quick-xml` (the emulator's printer; the apps never parse requests).
#[cfg(any(all(test, not(target_arch = "wasm32")), feature = "server"))]
pub fn printed_text(xml: &str) -> Result<String, NotEpos> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut out, mut inside, mut epos) = (String::new(), false, false);
    loop {
        match reader.read_event().map_err(|e| NotEpos(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "epos-print" => {
                epos = true;
            }
            Event::Start(e) if e.local_name().as_ref() == "text" => inside = true,
            Event::End(e) if e.local_name().as_ref() == "text" => inside = false,
            Event::Text(t) if inside => {
                out.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if inside => {
                let c = match r.resolve_char_ref().map_err(|e| NotEpos(e.to_string()))? {
                    Some(c) => c,
                    None => match &*r {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(NotEpos(format!("unknown entity &{other};"))),
                    },
                };
                out.push(c);
            }
            Event::Eof if epos => return Ok(out),
            Event::Eof => return Err(NotEpos("no <epos-print> element".into())),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DrinkOrder, Order};

    fn ticket() -> Ticket {
        Ticket {
            heading: "Serverlesspresso".into(),
            number: 42,
            drink: "Latte".into(),
            options: Some("Oat milk, Large".into()),
            made_at: "10:42".into(),
        }
    }

    /// The golden file was written by hand from Epson's manual (see
    /// `fixtures/epson-epos/README.md`), not from this code's output.
    #[test]
    fn a_ticket_is_the_documented_request() {
        let golden = include_str!("../../fixtures/epson-epos/ticket.xml");
        fn normal(xml: &str) -> Vec<&str> {
            xml.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        }
        assert_eq!(normal(&ticket().to_epos_xml()), normal(golden));
    }

    #[test]
    fn a_ticket_is_well_formed_xml_whatever_the_drink_is_called() {
        let mut hostile = ticket();
        hostile.drink = "</text><cut/>&amp; \"Mocha\" <script>\u{7}".into();
        let xml = hostile.to_epos_xml();
        let printed = printed_text(&xml).expect("well-formed XML");
        assert!(printed.contains("\n</text><cut/>&amp; \"Mocha\" <script>\n"));
        assert_eq!(xml.matches("<cut").count(), 1);
    }

    #[test]
    fn a_ticket_follows_the_order() {
        let mut order = Order::scanned("o1", 0);
        assert_eq!(Ticket::for_order(&order, "10:42"), None);
        order.number = Some(7);
        order.drink = Some(DrinkOrder {
            modifiers: vec!["Oat".into()],
            ..DrinkOrder::plain("Flat White")
        });
        let ticket = Ticket::for_order(&order, "10:42").expect("a ticket");
        assert_eq!(
            ticket.lines(),
            ["Serverlesspresso", "#7", "Flat White", "Oat", "Made 10:42"]
        );
    }

    #[test]
    fn the_service_url_is_below_the_printer_address() {
        let printer = Endpoint::parse("https://192.168.1.50/", crate::url::SchemeKind::Web)
            .expect("an address");
        assert_eq!(
            service_url(&printer),
            "https://192.168.1.50/cgi-bin/epos/service.cgi?devid=local_printer&timeout=10000"
        );
    }

    #[test]
    fn answers_round_trip_and_read_as_a_parser_reads_them() {
        for answer in [
            Answer::printed(),
            Answer::refused("EPTR_REC_EMPTY", Status::RECEIPT_END | Status::OFF_LINE),
            Answer::refused("a&b\"c", 0),
        ] {
            let xml = answer.to_xml();
            assert_eq!(Answer::parse(&xml), Ok(answer.clone()));
            // The same attributes through an independent parser.
            let mut reader = quick_xml::Reader::from_str(&xml);
            loop {
                match reader.read_event().expect("well-formed") {
                    quick_xml::events::Event::Empty(e) if e.local_name().as_ref() == "response" => {
                        let code = e
                            .try_get_attribute("code")
                            .expect("attributes")
                            .expect("a code")
                            .normalized_value(quick_xml::XmlVersion::default())
                            .expect("escaped")
                            .into_owned();
                        assert_eq!(code, answer.code);
                        break;
                    }
                    quick_xml::events::Event::Eof => panic!("no response element"),
                    _ => {}
                }
            }
        }
    }

    /// An answer as Epson's manual prints it, with single quotes and a prefix.
    #[test]
    fn documented_answers_say_what_a_person_can_fix() {
        let printed = r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><response success="true" code="" status="251658262" battery="0" xmlns="http://www.epson-pos.com/schemas/2011/03/epos-print"/></s:Body></s:Envelope>"#;
        assert_eq!(Answer::parse(printed).and_then(|a| a.outcome()), Ok(()));
        let case = |code: &str, status: u32| Answer::refused(code, status).outcome();
        assert_eq!(
            case("EPTR_REC_EMPTY", Status::RECEIPT_END),
            Err(PrintProblem::PaperOut)
        );
        assert_eq!(
            case("", Status::OFF_LINE | Status::COVER_OPEN),
            Err(PrintProblem::CoverOpen)
        );
        assert_eq!(case("", Status::OFF_LINE), Err(PrintProblem::Offline));
        assert_eq!(case("DeviceNotFound", 0), Err(PrintProblem::Offline));
        assert_eq!(case("EX_TIMEOUT", 0), Err(PrintProblem::Timeout));
        assert_eq!(
            case("EPTR_CUTTER", Status::AUTOCUTTER_ERR),
            Err(PrintProblem::Jammed)
        );
        assert_eq!(
            case("SchemaError", 0),
            Err(PrintProblem::Refused("SchemaError".into()))
        );
        let numeric = r#"<soapenv:Body><response success="1" code="" status="2"/></soapenv:Body>"#;
        assert_eq!(Answer::parse(numeric).and_then(|a| a.outcome()), Ok(()));
        let single = "<response code='' success='0' status='8'/>";
        assert_eq!(
            Answer::parse(single).and_then(|a| a.outcome()),
            Err(PrintProblem::Offline)
        );
        assert_eq!(
            Answer::parse("<html>Router login</html>"),
            Err(PrintProblem::NotAPrinter)
        );
        // `xsuccess` is not `success`.
        assert_eq!(
            Answer::parse("<response xsuccess='true'/>"),
            Err(PrintProblem::NotAPrinter)
        );
    }
}
