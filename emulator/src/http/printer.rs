//! An emulated network receipt printer (not in AWS): the console's cup tickets go to
//! `POST /_local/printer/cgi-bin/epos/service.cgi?devid=local_printer&timeout=…` and are
//! answered as an Epson TM printer answers ePOS-Print XML (`shared::epos`). Every ticket
//! printed is kept (the newest [`KEPT`]) and shown on `GET /_local/printer` (a page) and
//! `GET /_local/printer/tickets` (JSON), both local-only. The `printer` fault
//! (`/_local/faults`) takes it offline, out of paper or opens its cover.
//!
//! Like a printer on the bar's network, printing needs no token; CORS as for the APIs
//! (this emulator's own pages and loopback dev servers), and a body is read only up to
//! [`MAX_BODY`].

use super::{with_cors, AppState};
use crate::faults::PrinterFault;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use shared::epos::{self, Answer, Status};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Where the printer answers: the address a console is given is `{emulator}` + this.
pub const PRINTER_PATH: &str = "/_local/printer";
/// How many printed tickets are kept.
pub const KEPT: usize = 500;
/// The largest request the printer reads (a ticket is under a kilobyte).
pub const MAX_BODY: usize = 64 * 1024;

/// One ticket the printer printed.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Printed {
    pub at_ms: i64,
    /// What came out of the printer, line by line.
    pub text: String,
}

/// Every ticket printed, oldest first.
#[derive(Debug, Default)]
pub struct Printer(Mutex<VecDeque<Printed>>);

impl Printer {
    fn push(&self, printed: Printed) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(printed);
    }

    pub fn all(&self) -> Vec<Printed> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter().cloned().collect()
    }
}

/// What the printer answers to a request, given the fault in force: the answers of a TM
/// printer (ePOS-Print XML manual: `success`, `code`, the `ASB_*` status bits).
pub fn answer(
    devid: Option<&str>,
    body: &[u8],
    fault: Option<PrinterFault>,
) -> (Answer, Option<String>) {
    if devid != Some(epos::DEVICE_ID) {
        return (Answer::refused("DeviceNotFound", 0), None);
    }
    let Ok(printed) = std::str::from_utf8(body)
        .map_err(|e| e.to_string())
        .and_then(|xml| epos::printed_text(xml).map_err(|e| e.to_string()))
    else {
        return (Answer::refused("SchemaError", 0), None);
    };
    match fault {
        None => (Answer::printed(), Some(printed)),
        Some(PrinterFault::Offline) => (
            Answer::refused("EX_TIMEOUT", Status::OFF_LINE | Status::NO_RESPONSE),
            None,
        ),
        Some(PrinterFault::PaperOut) => (
            Answer::refused("EPTR_REC_EMPTY", Status::RECEIPT_END | Status::OFF_LINE),
            None,
        ),
        Some(PrinterFault::CoverOpen) => (
            Answer::refused("EPTR_COVER_OPEN", Status::COVER_OPEN | Status::OFF_LINE),
            None,
        ),
    }
}

/// `POST …/cgi-bin/epos/service.cgi`: prints the ticket, or says why not.
pub(super) async fn print(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let now = state.clock.now_ms();
    let (answer, printed) = if body.len() > MAX_BODY {
        (Answer::refused("SchemaError", 0), None)
    } else {
        let fault = state.faults.printer(now);
        answer(query.get("devid").map(String::as_str), &body, fault)
    };
    if let Some(text) = printed {
        tracing::info!("printed a ticket: {}", text.replace('\n', " / "));
        state.printer.push(Printed { at_ms: now, text });
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(epos::CONTENT_TYPE),
    );
    with_cors(StatusCode::OK, headers, answer.to_xml(), None)
}

/// The preflight of a page's print (its `Content-Type: text/xml` asks for one).
pub(super) async fn preflight() -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("Content-Type,SOAPAction,If-Modified-Since"),
    );
    with_cors(StatusCode::OK, headers, String::new(), Some("POST,OPTIONS"))
}

/// `GET /_local/printer/tickets`: every ticket printed, oldest first.
pub(super) async fn tickets(State(state): State<AppState>) -> Response {
    Json(serde_json::json!({ "tickets": state.printer.all() })).into_response()
}

/// `GET /_local/printer`: the printed tickets as a page, newest first.
pub(super) async fn page(State(state): State<AppState>) -> Response {
    let tickets: String = state
        .printer
        .all()
        .iter()
        .rev()
        .map(|t| {
            format!(
                "<pre class=\"ticket\">{}</pre>\n",
                crate::journey::escape(&t.text)
            )
        })
        .collect();
    let body = if tickets.is_empty() {
        "<p>No ticket printed yet.</p>".to_string()
    } else {
        tickets
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Printed tickets</title></head>\n\
         <body><h1>Printed tickets</h1>\n{body}</body></html>\n"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::epos::{PrintProblem, Ticket};

    fn ticket() -> String {
        Ticket {
            heading: "Serverlesspresso".into(),
            number: 12,
            drink: "Latte".into(),
            options: None,
            made_at: "09:05".into(),
        }
        .to_epos_xml()
    }

    #[test]
    fn it_prints_a_ticket_and_answers_as_a_tm_printer() {
        let (answer, printed) = answer(Some("local_printer"), ticket().as_bytes(), None);
        assert_eq!(answer.outcome(), Ok(()));
        assert_eq!(
            printed.as_deref(),
            Some("Serverlesspresso\n#12\nLatte\nMade 09:05\n")
        );
    }

    #[test]
    fn faults_and_bad_requests_print_nothing_and_say_why() {
        let xml = ticket();
        let case = |devid, body: &str, fault| {
            let (answer, printed) = answer(devid, body.as_bytes(), fault);
            assert_eq!(printed, None);
            Answer::parse(&answer.to_xml()).and_then(|a| a.outcome())
        };
        let local = Some("local_printer");
        assert_eq!(
            case(local, &xml, Some(PrinterFault::PaperOut)),
            Err(PrintProblem::PaperOut)
        );
        assert_eq!(
            case(local, &xml, Some(PrinterFault::Offline)),
            Err(PrintProblem::Offline)
        );
        assert_eq!(
            case(local, &xml, Some(PrinterFault::CoverOpen)),
            Err(PrintProblem::CoverOpen)
        );
        assert_eq!(case(Some("drawer"), &xml, None), Err(PrintProblem::Offline));
        assert_eq!(
            case(local, "<html/>", None),
            Err(PrintProblem::Refused("SchemaError".into()))
        );
    }
}
