//! The order app's words. Translations: `public/locales/{tag}/order.json`; drink names
//! and options come from the backend and stay as they are.

shared::messages! {
    /// The order app's messages.
    pub enum Text in "order" {
        NavOrder => "Order",
        NavHistory => "History",
        // The menu.
        TimeLeftLabel => "Time left to choose",
        /// "{time}" is minutes and seconds, such as 4:59.
        ChooseCountdown => "Choose your drink — {time} left",
        TimeIsUp => "Time is up for this order. Scan the QR code again to start a new one.",
        ChooseADrink => "Choose a drink",
        Drinks => "Drinks",
        Unavailable => "Unavailable",
        Customize => "Customize your order",
        YourOrder => "Your order",
        PickADrink => "Pick a drink above.",
        Ordering => "Ordering…",
        OrderNow => "Order now",
        // An order's status.
        GettingNumber => "Getting your order number…",
        InQueueTitle => "Your order is in the queue",
        InTheQueue => "In the queue",
        LookForNumber => "Look out for your number on the big screen.",
        BeingMade => "Being made",
        BaristaMaking => "A barista is making your drink right now.",
        ReadyTitle => "Ready — collect it at the bar",
        Enjoy => "Enjoy your coffee!",
        CancelledTitle => "Your order was cancelled",
        ScanToOrderAgain => "Scan the QR code on the big screen to order again.",
        TimeRanOut => "Time ran out to choose",
        TimeRanOutDetail => "The 5 minutes to choose a drink are over. Scan the QR code on the big screen to start again.",
        MissedTitle => "Sorry, the baristas missed your order",
        MissedDetail => "Please order again, and let us know at the bar.",
        /// Said by screen readers before the status: "Order #12: Being made".
        OrderNumbered => "Order #{n}: {status}",
        YoureNext => "You're next.",
        OrdersAhead => { one: "{n} order ahead of you.", other: "{n} orders ahead of you." },
        /// Before and after a countdown such as 23:59:59.
        DailyLimitBefore => "It's one coffee a day: you can order again in ",
        DailyLimitAfter => ".",
        CouldNotCancel => "Could not cancel: {why}",
        Receipt => "Receipt",
        ReceiptOrder => "Order",
        ReceiptDrink => "Drink",
        ReceiptOptions => "Options",
        ReceiptNone => "None",
        Next => "Next",
        ViewJourney => "View order journey",
        CancelOrder => "Cancel order",
        CancelQuestion => "Cancel this order? Your drink will not be made.",
        // Screens without a menu.
        ClosedTitle => "The store is closed",
        ClosedDetail => "Come back soon: the baristas will open again shortly.",
        UnavailableTitle => "We can't take your order right now",
        UnavailableDetail => "The bar has just closed or is at capacity. Scan the QR code again in a few minutes.",
        GarbledTitle => "This link has no valid order code",
        GarbledDetail => "It may have been cut short when it was copied. Scan the QR code on the big screen to order.",
        StaleCodeTitle => "Scan the QR code again",
        StaleCodeDetail => "The code you scanned is no longer valid: the QR code on the big screen changes every few minutes. Scan the one showing now.",
        NoTokensTitle => "All drinks for this round are taken",
        /// "{time}": a time of day, such as 14:05.
        NoTokensDetail => "A new QR code with more drinks appears on the big screen at {time}. Scan it then.",
        ScanTitle => "Scan the QR code to order",
        ScanDetail => "Point your phone's camera at the QR code on the big screen by the bar, then open the link.",
        GettingReady => "Getting your order ready…",
        HadYourCoffee => "You've had your coffee today",
        /// Followed by a countdown such as 23:59:59, on its own line.
        OrderAgainIn => "It's one coffee a day. You can order again in",
        // History.
        YourOrders => "Your orders",
        NoOrdersYet => "No orders yet. Scan the QR code on the big screen to order your first coffee.",
        SomeUnreadable => { one: "{n} of your orders could not be read and is not listed.", other: "{n} of your orders could not be read and are not listed." },
        OrderJourney => "Order journey",
        // Alerts: the tab's title, the notification, and the button that asks for it.
        AlertReady => "Ready",
        AlertReadyNumbered => "Ready · #{n}",
        AlertCancelled => "Cancelled",
        AlertCancelledNumbered => "Cancelled · #{n}",
        AlertTimedOut => "Timed out",
        AlertTimedOutNumbered => "Timed out · #{n}",
        /// "{drink}": the drink's name from the menu, such as Latte.
        DrinkReadyBody => "Your {drink} is ready: collect it at the bar.",
        ReadyBody => "Your drink is ready: collect it at the bar.",
        CancelledBody => "Your order was cancelled. Scan the QR code on the big screen to order again.",
        TimedOutBody => "Your order timed out. Scan the QR code on the big screen to order again.",
        TellMe => "Tell me when it's ready",
        NotifyOn => "We'll send a notification when it's ready.",
    }
}

#[cfg(test)]
mod tests {
    /// Every language has every message of the order app, with its plural forms and
    /// placeholders; the English reference file is the source's.
    #[test]
    fn catalogues_are_complete() {
        shared::i18n::check_locales::<super::Text>().unwrap();
    }
}
