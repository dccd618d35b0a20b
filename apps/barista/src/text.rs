//! The barista console's words. Translations: `public/locales/{tag}/barista.json`; drink
//! names and options come from the backend and stay as they are. The day's CSV keeps
//! English column names (a file for spreadsheets and scripts), and so do printed tickets.

use crate::keys::KeyAction;
use crate::printer::Paper;
use shared::epos::PrintProblem;
use shared::i18n::{Message, Phrase};

shared::messages! {
    /// The barista console's messages.
    pub enum Text in "barista" {
        Settings => "Settings",
        // The board.
        Preview => "Preview",
        Production => "Production",
        Pickup => "Pickup",
        NoOrders => "No orders",
        /// The card's name for screen readers: "Order #12".
        OrderCard => "Order {number}",
        Robot => "ROBOT",
        WaitingFor => "Waiting for",
        MadeByRobot => "Made by the console's robot",
        ClaimedByOther => "Being made by another barista",
        ReadyForPickup => "Ready for pickup",
        Make => "Make",
        Claiming => "Claiming…",
        Unmake => "Unmake",
        Releasing => "Releasing…",
        /// The button that marks a drink ready.
        Complete => "Ready",
        Completing => "Completing…",
        Cancel => "Cancel",
        Cancelling => "Cancelling…",
        CancelQuestion => "Cancel this order? The customer is told it was cancelled.",
        CouldNotMake => "Could not make the order: {why}",
        CouldNotUnmake => "Could not unmake the order: {why}",
        CouldNotComplete => "Could not complete the order: {why}",
        CouldNotCancel => "Could not cancel the order: {why}",
        /// "{drink}": the drink and its options, from the menu.
        LastReady => "Last ready: #{n} {drink}",
        LastCancelled => "Last cancelled: #{n} {drink}",
        SomeUnreadable => { one: "{n} open order could not be read from the server and is not shown. Check the order table.", other: "{n} open orders could not be read from the server and are not shown. Check the order table." },
        ChimeOn => "Chime on",
        ChimeOff => "Chime off",
        ToMake => "To make",
        // The store.
        OpeningStore => "Opening the store…",
        ClosingStore => "Closing the store…",
        StoreOpen => "Store open",
        StoreClosed => "Store closed",
        StoreUnknown => "Store: …",
        CloseStore => "Close store",
        CloseStoreQuestion => "Close the store? Customers will not be able to order.",
        OpenStore => "Open store",
        OpenStoreQuestion => "Open the store for orders?",
        CouldNotSwitchStore => "Could not switch the store: {why}",
        // The robot.
        RobotOn => "Robot on",
        RobotOff => "Robot off",
        /// "{percent}" is a number from 0 to 100.
        RobotSpeed => "Robot speed {percent} %",
        // Keys.
        Keys => "Keys",
        KeysHelp => "Number keys 1–9 select a card (Preview, then Production). A bump bar's keys can take any action: press Change, then the key.",
        PressAKey => "Press a key…",
        Change => "Change",
        DefaultKeys => "Default keys",
        Close => "Close",
        SpaceKey => "Space",
        KeyNext => "Next card in the column",
        KeyPrevious => "Previous card in the column",
        KeyNextColumn => "Next column",
        KeyPreviousColumn => "Previous column",
        KeyMain => "Make, or Ready",
        KeyUnmake => "Unmake",
        KeyCancel => "Cancel (asks first)",
        KeyHelp => "Show or hide the keys",
        KeyClear => "Clear the selection",
        // Service numbers.
        Numbers => "Numbers",
        ServiceNumbers => "Service numbers",
        DayNotLoaded => "Today's orders could not be loaded: {why} The numbers below count only what this console saw.",
        CompletedThisHour => "Completed this hour",
        CompletedToday => "Completed today",
        WaitingNow => "Waiting now",
        AverageWaitToday => "Average wait today",
        LongestWaitToday => "Longest wait today",
        AverageWaitRecent => "Average wait, last 30 min",
        LongestWaitRecent => "Longest wait, last 30 min",
        TimedOutToday => "Timed out today",
        CancelledToday => "Cancelled today",
        TopDrinks => "Top drinks today: ",
        NoneYet => "none yet",
        NoDrinkCompleted => "No drink completed yet today.",
        OneDrinkMeasured => "Wait measured for the one drink completed today.",
        AllDrinksMeasured => "Waits measured over all {n} drinks completed today.",
        SomeDrinksMeasured => "Waits measured over {timed} of the {n} drinks completed today: the others were completed while no console was open here.",
        DownloadCsv => "Download today's orders (CSV)",
        // Recent orders.
        RecentOrders => "Recent orders",
        OrderNumber => "Order number",
        NothingLeftYet => "No order has left the board yet.",
        NoRecentNumbered => "No recent order numbered {query}.",
        ColOrder => "Order",
        ColDrink => "Drink",
        ColReached => "Reached the bar",
        ColLeft => "Left",
        ColOutcome => "Outcome",
        /// A card's age or a wait: minutes, then seconds as two digits ("3m 07s").
        MinutesSeconds => "{m}m {s}s",
        /// "{time}": the time it left; "{wait}": how long it was on the board, such as 3m 05s.
        LeftAfter => "{time} (after {wait})",
        EarlierUnknown => "Earlier (time not known)",
        // Printing.
        Printer => "Printer",
        PrintingTicket => "Printing ticket…",
        TicketPrinted => "Ticket printed",
        PrintAgain => "Print again",
        PrintTicket => "Print ticket",
        TicketNotPrinted => "Ticket not printed: {why}.",
        NoTicketsPrinted => "No tickets are printed.",
        TicketsOnPrinter => "Tickets print on the receipt printer at {address}.",
        /// "{paper}": a paper size, such as "80 mm receipt".
        TicketsInDialog => "Tickets open the print dialog, laid out for {paper}.",
        PrinterHint => "A ticket prints when you press Make, and again from its card. A ticket that fails never stops the drink.",
        NoTickets => "No tickets",
        PrintDialog => "Print dialog, {paper}",
        PrinterAddressLabel => "Network receipt printer (Epson ePOS-Print): its address",
        UseThisPrinter => "Use this printer",
        Receipt58 => "58 mm receipt",
        Receipt80 => "80 mm receipt",
        Label62 => "62 mm label",
        /// "{why}" says what is wrong with the address, in English, such as "is empty".
        BadPrinterAddress => "The printer's address {why}.",
        InsecurePrinter => "This console is served over HTTPS, so it can only reach a printer at https://: turn on the printer's HTTPS (SSL/TLS) setting and use https://.",
        PrinterUnreachable => "the printer did not answer: check it is on and on this network, and its address",
        PrinterOffline => "the printer is offline",
        PaperOut => "the printer is out of paper",
        CoverOpen => "the printer's cover is open",
        Jammed => "the printer is jammed: check its cutter",
        PrinterTimeout => "the printer took too long",
        NotAPrinter => "that address is not an ePOS receipt printer: check the printer's address",
        PrinterRefused => "the printer refused the ticket ({code})",
    }
}

/// `ms` as minutes and seconds, such as "3m 07s".
pub fn minutes_seconds(ms: i64) -> Phrase {
    let secs = ms.max(0) / 1000;
    Text::MinutesSeconds
        .with("m", secs / 60)
        .with("s", format!("{:02}", secs % 60))
}

/// What a key does, as the Keys panel lists it.
pub fn key_action(action: KeyAction) -> Text {
    match action {
        KeyAction::Next => Text::KeyNext,
        KeyAction::Previous => Text::KeyPrevious,
        KeyAction::NextColumn => Text::KeyNextColumn,
        KeyAction::PreviousColumn => Text::KeyPreviousColumn,
        KeyAction::Main => Text::KeyMain,
        KeyAction::Unmake => Text::KeyUnmake,
        KeyAction::Cancel => Text::KeyCancel,
        KeyAction::Help => Text::KeyHelp,
        KeyAction::Clear => Text::KeyClear,
    }
}

/// A paper size's name.
pub fn paper(paper: Paper) -> Text {
    match paper {
        Paper::Receipt58 => Text::Receipt58,
        Paper::Receipt80 => Text::Receipt80,
        Paper::Label62 => Text::Label62,
    }
}

/// Why a ticket did not print, as the card says it.
pub fn print_problem(problem: &PrintProblem) -> Phrase {
    match problem {
        PrintProblem::Unreachable => Text::PrinterUnreachable.into(),
        PrintProblem::Offline => Text::PrinterOffline.into(),
        PrintProblem::PaperOut => Text::PaperOut.into(),
        PrintProblem::CoverOpen => Text::CoverOpen.into(),
        PrintProblem::Jammed => Text::Jammed.into(),
        PrintProblem::Timeout => Text::PrinterTimeout.into(),
        PrintProblem::NotAPrinter => Text::NotAPrinter.into(),
        PrintProblem::Refused(code) => Text::PrinterRefused.with("code", code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::i18n::{Catalogue, Lang};

    /// Every language has every message of the console, with its plural forms and
    /// placeholders; the English reference file is the source's.
    #[test]
    fn catalogues_are_complete() {
        shared::i18n::check_locales::<Text>().unwrap();
    }

    /// The English here says what the printer model's own description says.
    #[test]
    fn english_matches_the_models() {
        let en = |p: Phrase| p.say(Lang::En, &Catalogue::default());
        for problem in [
            PrintProblem::Unreachable,
            PrintProblem::PaperOut,
            PrintProblem::NotAPrinter,
            PrintProblem::Refused("EX".into()),
        ] {
            assert_eq!(en(print_problem(&problem)), problem.to_string());
        }
    }
}
