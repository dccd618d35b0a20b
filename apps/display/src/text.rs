//! The display board's words. Translations: `public/locales/{tag}/display.json`; drink
//! names come from the backend and stay as they are.

shared::messages! {
    /// The display board's messages.
    pub enum Text in "display" {
        SomeUnreadable => { one: "{n} order could not be read and is not shown.", other: "{n} orders could not be read and are not shown." },
        ConfigureBarista => "Configure barista app",
        ClearSettings => "Clear settings",
        Closed => "The store is not taking orders right now",
        ComeBackSoon => "Come back soon.",
        GettingCode => "Getting a new QR code…",
        /// "{why}" is an error that ends with a full stop.
        TryingEverySecond => "{why} Trying again every second.",
        MakingDrinks => "We are making drinks!",
        TimeUntilOrders => "Time until new orders",
        AcceptSoon => "We will accept new orders soon.",
        ScanToOrder => "Scan to order",
        ShowLink => "Show the ordering link as text",
        QrLabel => "QR code to order a drink",
        /// "{time}" is minutes and seconds, such as 4:59.
        NewCodeIn => "New code in {time}",
        DrinksLeft => { one: "{n} drink left", other: "{n} drinks left" },
        Preparing => "Preparing",
        NoOrdersYet => "No orders yet",
        Ready => "Ready",
        ReadyAppearHere => "Ready orders appear here",
        /// More orders than the list has room for.
        More => "+ {n} more",
    }
}

#[cfg(test)]
mod tests {
    /// Every language has every message of the board, with its plural forms and
    /// placeholders; the English reference file is the source's.
    #[test]
    fn catalogues_are_complete() {
        shared::i18n::check_locales::<super::Text>().unwrap();
    }
}
