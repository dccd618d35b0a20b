//! Cup tickets: the toolbar's "Printer" panel (none, a network receipt printer, or the
//! print dialog on 58/80 mm receipt or 62 mm label paper), printing a card's ticket, and
//! its state on the card with "Print again". A ticket that fails never holds up a drink:
//! it is sent beside the Make, and the card says what went wrong.

use super::panel::PanelButton;
use crate::context::ConsoleContext;
use crate::printer::{printer_address, AddressError, Paper, PrintState, PrinterChoice};
use crate::text::{paper as paper_name, print_problem, Text};
use leptos::prelude::*;
use shared::epos::{self, Answer, PrintProblem, Ticket};
use shared::i18n::Message;
use shared::ui::{browser, t, use_i18n};
use shared::web::{http, now_ms, time_of_day};

/// Where this browser keeps its printer.
const PRINTER_KEY: &str = "serverlesspresso.barista.printer";

/// The printer this browser was given (none at first).
pub fn stored_printer() -> PrinterChoice {
    browser::recall(PRINTER_KEY)
        .map(|text| PrinterChoice::from_text(&text))
        .unwrap_or_default()
}

/// Prints the ticket of the order `order_id` where the console's printer says, and keeps
/// how it went on its card. Nothing when there is no printer or no such order.
pub fn print_ticket(ctx: &ConsoleContext, order_id: &str) {
    let printer = ctx.printer.get_untracked();
    let ticket = ctx.live.model.with_untracked(|b| {
        b.cards
            .get(order_id)
            .and_then(|c| Ticket::for_order(&c.order, &time_of_day(now_ms())))
    });
    let Some(ticket) = ticket else { return };
    let tickets = ctx.tickets;
    let id = order_id.to_string();
    match printer {
        PrinterChoice::None => {}
        PrinterChoice::Dialog(_) => {
            ctx.dialog_ticket.set(Some(ticket));
            // Once the ticket is on the page: the dialog prints what the print
            // stylesheet shows (the ticket alone).
            request_animation_frame(move || {
                let _ = window().print();
                tickets.update(|t| {
                    t.insert(id, PrintState::Printed);
                });
            });
        }
        PrinterChoice::Network(address) => {
            tickets.update(|t| {
                t.insert(id.clone(), PrintState::Printing);
            });
            leptos::task::spawn_local(async move {
                let sent = http::post_to_device(
                    &epos::service_url(&address),
                    epos::CONTENT_TYPE,
                    ticket.to_epos_xml(),
                )
                .await;
                let state = match sent {
                    Err(_) => PrintState::Failed(PrintProblem::Unreachable),
                    Ok((200, body)) => match Answer::parse(&body).and_then(|a| a.outcome()) {
                        Ok(()) => PrintState::Printed,
                        Err(problem) => PrintState::Failed(problem),
                    },
                    Ok(_) => PrintState::Failed(PrintProblem::NotAPrinter),
                };
                tickets.update(|t| {
                    t.insert(id, state);
                });
            });
        }
    }
}

/// The card's ticket: printing, printed, or why not with "Print again"; a "Print ticket"
/// button while nothing was printed. Nothing without a printer.
#[component]
pub fn TicketState(order_id: String) -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let (printer, tickets) = (ctx.printer, ctx.tickets);
    let state = {
        let id = order_id.clone();
        Memo::new(move |_| tickets.with(|t| t.get(&id).cloned()))
    };
    let print = move |_| print_ticket(&ctx, &order_id);
    let i18n = use_i18n();
    move || {
        if !printer.with(PrinterChoice::prints) {
            return None;
        }
        Some(match state.get() {
            Some(PrintState::Printing) => {
                view! { <p class="ticket-state" role="status">{t(Text::PrintingTicket)}</p> }.into_any()
            }
            Some(PrintState::Printed) => view! {
                <p class="ticket-state printed" role="status">{t(Text::TicketPrinted)} " "
                    <button type="button" class="button secondary quiet" on:click=print.clone()>{t(Text::PrintAgain)}</button>
                </p>
            }
            .into_any(),
            Some(PrintState::Failed(problem)) => view! {
                <div class="ticket-state failed" role="alert">
                    <p>{move || i18n.say(Text::TicketNotPrinted.with("why", i18n.say(print_problem(&problem))))}</p>
                    <button type="button" class="button secondary" on:click=print.clone()>{t(Text::PrintAgain)}</button>
                </div>
            }
            .into_any(),
            None => view! {
                <p class="ticket-state">
                    <button type="button" class="button secondary quiet" on:click=print.clone()>{t(Text::PrintTicket)}</button>
                </p>
            }
            .into_any(),
        })
    }
}

/// The ticket the print dialog prints: hidden on screen, alone on paper.
#[component]
pub fn DialogTicket() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let paper = move || match ctx.printer.get() {
        PrinterChoice::Dialog(paper) => paper.code(),
        _ => "80",
    };
    view! {
        <div class=move || format!("print-ticket paper-{}", paper()) aria-hidden="true">
            {move || ctx.dialog_ticket.get().map(|t| {
                let mut lines = t.lines().into_iter();
                view! {
                    <p class="print-heading">{lines.next()}</p>
                    <p class="print-number">{lines.next()}</p>
                    <p class="print-drink">{lines.next()}</p>
                    {lines.map(|l| view! { <p>{l}</p> }).collect_view()}
                }
            })}
        </div>
    }
}

/// The toolbar's "Printer" button and its panel: where tickets go.
#[component]
pub fn PrinterPanel() -> impl IntoView {
    let ctx = expect_context::<ConsoleContext>();
    let printer = ctx.printer;
    let open = RwSignal::new(false);
    let page_secure = window().location().protocol().is_ok_and(|p| p == "https:");
    let address = RwSignal::new(match printer.get_untracked() {
        PrinterChoice::Network(a) => a.to_string(),
        _ => String::new(),
    });
    let error = RwSignal::new(None::<AddressError>);
    let i18n = use_i18n();
    let choose = move |choice: PrinterChoice| {
        browser::remember(PRINTER_KEY, &choice.to_text());
        printer.set(choice);
        error.set(None);
    };
    let use_address = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match printer_address(&address.get_untracked(), page_secure) {
            Ok(endpoint) => {
                address.set(endpoint.to_string());
                choose(PrinterChoice::Network(endpoint));
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let summary = move || {
        i18n.say(match printer.get() {
            PrinterChoice::None => Text::NoTicketsPrinted.into(),
            PrinterChoice::Network(a) => Text::TicketsOnPrinter.with("address", a),
            PrinterChoice::Dialog(p) => {
                Text::TicketsInDialog.with("paper", i18n.say(paper_name(p)))
            }
        })
    };
    let address_error = move || {
        error.get().map(|e| match e {
            AddressError::Url(why) => i18n.say(Text::BadPrinterAddress.with("why", why)),
            AddressError::Insecure => i18n.say(Text::InsecurePrinter),
        })
    };
    view! {
        <PanelButton label=Text::Printer controls="printer-panel" open/>
        <section id="printer-panel" class="printer-panel card" aria-labelledby="printer-title" hidden=move || !open.get()>
            <h2 id="printer-title">{t(Text::Printer)}</h2>
            <p role="status">{summary}</p>
            <p class="printer-hint">{t(Text::PrinterHint)}</p>
            <div class="button-row">
                <button type="button" class="button secondary"
                    aria-pressed=move || printer.with(|p| *p == PrinterChoice::None).to_string()
                    on:click=move |_| choose(PrinterChoice::None)>{t(Text::NoTickets)}</button>
                {Paper::ALL.into_iter().map(|paper| view! {
                    <button type="button" class="button secondary"
                        aria-pressed=move || printer.with(|p| *p == PrinterChoice::Dialog(paper)).to_string()
                        on:click=move |_| choose(PrinterChoice::Dialog(paper))>
                        {move || i18n.say(Text::PrintDialog.with("paper", i18n.say(paper_name(paper))))}
                    </button>
                }).collect_view()}
            </div>
            <form class="printer-address" on:submit=use_address>
                <label for="printer-address">{t(Text::PrinterAddressLabel)}</label>
                <div class="button-row">
                    <input id="printer-address" type="text" inputmode="url" autocomplete="off" spellcheck="false"
                        placeholder="192.168.1.50" aria-describedby="printer-address-error"
                        aria-invalid=move || error.with(Option::is_some).to_string()
                        prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev))/>
                    <button type="submit" class="button">{t(Text::UseThisPrinter)}</button>
                </div>
                <p id="printer-address-error" class="field-error" role="alert">{address_error}</p>
            </form>
        </section>
    }
}
