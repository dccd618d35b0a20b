//! The domain as the apps see it: menu, store config, orders, QR buckets. Wire formats
//! are read into these in [`crate::wire`] and [`crate::realtime`].

use crate::kind::Flavour;

/// One drink on the menu (contract §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    pub drink: String,
    pub icon: String,
    pub available: bool,
    pub modifiers: Vec<ModifierGroup>,
}

/// The picture of a drink whose backend icon name is `icon`: `drinks/<icon>.svg`, only
/// for names of letters, digits, `-`, `_` and `@` (at most 64: every icon the backends
/// seed, such as `barista-icons_flat-white-alternative@2x`); anything else (a path, a
/// URL, markup) gets the generic cup. The name comes from the backend: it never
/// chooses a path.
pub fn drink_image(icon: &str) -> String {
    let safe = !icon.is_empty()
        && icon.len() <= 64
        && icon
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'@'));
    match safe {
        true => format!("drinks/{icon}.svg"),
        false => "icons/take-away.svg".to_string(),
    }
}

/// A group of options for a drink, one to be chosen ("Milk": "Regular", "Oat").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModifierGroup {
    pub name: String,
    pub options: Vec<String>,
}

/// The store's switch and limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    pub store_open: bool,
    pub max_orders_per_user: Option<i64>,
    pub max_orders_in_queue: Option<i64>,
}

/// What `GET /config` tells: the menu and the store config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub menu: Vec<MenuItem>,
    pub store: StoreConfig,
}

/// An order's state. W writes `CREATED`, `Completed`, `Cancelled`; V1 upper case; E
/// prefixes the event id (`ABC-CREATED`). All read the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OrderState {
    Created,
    Completed,
    Cancelled,
    Other(String),
}

impl OrderState {
    pub fn parse(wire: &str) -> Self {
        // E: "ABC-CREATED"; the state is the part after the last '-'.
        let bare = wire.rsplit('-').next().unwrap_or(wire);
        match bare.to_ascii_uppercase().as_str() {
            "CREATED" => Self::Created,
            "COMPLETED" => Self::Completed,
            "CANCELLED" => Self::Cancelled,
            _ => Self::Other(wire.to_string()),
        }
    }

    /// The value `GET /orders?state=` needs: the query is case-sensitive (contract §6.4).
    /// E's mapping template prefixes the event id itself (`"${eventId}-$state"`), so E
    /// takes the bare upper-case word.
    pub fn query_value(&self, flavour: Flavour) -> String {
        let (w, upper) = match self {
            Self::Created => ("CREATED", "CREATED"),
            Self::Completed => ("Completed", "COMPLETED"),
            Self::Cancelled => ("Cancelled", "CANCELLED"),
            Self::Other(s) => return s.clone(),
        };
        match flavour {
            Flavour::W => w.to_string(),
            Flavour::V1 | Flavour::E => upper.to_string(),
        }
    }
}

/// Where an order is, in the words all three apps use (one vocabulary: the customer's
/// phone, the barista's buttons and the TV say the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Scanned, the drink not chosen yet.
    Choosing,
    InQueue,
    Ready,
    Cancelled,
    /// Its window ran out (W leaves such orders `CREATED`).
    TimedOut,
    Unknown,
}

impl OrderStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Choosing => "Choosing",
            Self::InQueue => "In the queue",
            Self::Ready => "Ready",
            Self::Cancelled => "Cancelled",
            Self::TimedOut => "Timed out",
            Self::Unknown => "Unknown",
        }
    }

    /// A class for its colour: green ready, amber waiting, red stopped.
    pub fn class(self) -> &'static str {
        match self {
            Self::Choosing | Self::InQueue => "badge status-waiting",
            Self::Ready => "badge status-ready",
            Self::Cancelled | Self::TimedOut => "badge status-stopped",
            Self::Unknown => "badge",
        }
    }
}

/// The customer's choice, as the PUT body and `drinkOrder` carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrinkOrder {
    pub user_id: Option<String>,
    pub drink: String,
    pub modifiers: Vec<String>,
    pub icon: String,
}

impl DrinkOrder {
    /// A drink without options (and without the customer's id).
    pub fn plain(drink: &str) -> Self {
        Self {
            user_id: None,
            drink: drink.to_string(),
            modifiers: Vec::new(),
            icon: String::new(),
        }
    }

    /// The chosen options worth saying ("None" is no option).
    pub fn options(&self) -> Vec<&str> {
        self.modifiers
            .iter()
            .map(String::as_str)
            .filter(|m| !m.is_empty() && !m.eq_ignore_ascii_case("none"))
            .collect()
    }

    /// The options on one line ("Oat, Large"), or None without any.
    pub fn options_text(&self) -> Option<String> {
        let options = self.options();
        (!options.is_empty()).then(|| options.join(", "))
    }

    /// The drink and its options on one line, as every app writes it: "Latte (Oat)".
    pub fn summary(&self) -> String {
        match self.options_text() {
            Some(options) => format!("{} ({options})", self.drink),
            None => self.drink.clone(),
        }
    }
}

/// One order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    /// Given once the customer submits; absent while they choose.
    pub number: Option<u32>,
    pub state: OrderState,
    pub drink: Option<DrinkOrder>,
    pub user_id: Option<String>,
    /// The barista making it; empty or absent when nobody is.
    pub barista_user_id: Option<String>,
    /// Set at creation and again when the order reaches the baristas (ms).
    pub ts_ms: Option<i64>,
    pub robot: bool,
    /// Why the workflow gave up on it: E's timeout Lambda writes a `reason` and marks
    /// the order cancelled; W writes nothing (the order stays `CREATED`).
    pub timed_out: Option<TimeoutCause>,
}

impl Order {
    /// An order just scanned, its drink not chosen yet: `CREATED`, no number.
    pub fn scanned(id: &str, ts_ms: i64) -> Self {
        Self {
            id: id.to_string(),
            number: None,
            state: OrderState::Created,
            drink: None,
            user_id: None,
            barista_user_id: None,
            ts_ms: Some(ts_ms),
            robot: false,
            timed_out: None,
        }
    }

    /// An order with its number and a plain drink, in `state`, as REST lists it.
    pub fn numbered(id: &str, number: u32, drink: &str, state: OrderState, ts_ms: i64) -> Self {
        Self {
            number: Some(number),
            state,
            drink: Some(DrinkOrder::plain(drink)),
            ..Self::scanned(id, ts_ms)
        }
    }

    /// Claimed by a barista (`make`), not released by `unmake`.
    pub fn claimed_by(&self) -> Option<&str> {
        self.barista_user_id.as_deref().filter(|b| !b.is_empty())
    }
}

/// A list of orders as REST gave it, with the rows that could not be read counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderList {
    pub orders: Vec<Order>,
    pub unreadable: usize,
}

/// Why the OrderProcessor gave up on an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeoutCause {
    /// The customer did not choose within 5 minutes.
    Customer,
    /// The baristas did not finish within 15 minutes.
    Barista,
    Other(String),
}

impl TimeoutCause {
    pub fn parse(cause: &str) -> Self {
        match cause {
            "Customer timedout" => Self::Customer,
            "Barista timedout" => Self::Barista,
            other => Self::Other(other.to_string()),
        }
    }
}

/// The validator's current interval: its code and tokens (contract §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub id: i64,
    pub code: String,
    pub start_ts: i64,
    pub end_ts: i64,
    pub available_tokens: i64,
}

impl Bucket {
    /// The share of the interval still left at `now_ms`, 0.0 to 1.0.
    pub fn remaining_share(&self, now_ms: i64) -> f64 {
        ((self.end_ts + 1 - now_ms) as f64 / self.len_ms() as f64).clamp(0.0, 1.0)
    }

    /// The interval's length (5 minutes on AWS).
    pub fn len_ms(&self) -> i64 {
        (self.end_ts - self.start_ts + 1).max(1)
    }

    /// The closing part of the interval, when the board stops showing the code so
    /// nobody scans one about to die: the original's last 15 s of 5 minutes, kept in
    /// proportion when an emulator runs its timers faster.
    pub fn closing_ms(&self) -> i64 {
        self.len_ms() * 15 / 300
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_in_every_casing() {
        for (wire, state) in [
            ("CREATED", OrderState::Created),
            ("Completed", OrderState::Completed),
            ("COMPLETED", OrderState::Completed),
            ("Cancelled", OrderState::Cancelled),
            ("ABC-CANCELLED", OrderState::Cancelled),
            ("ABC-CREATED", OrderState::Created),
        ] {
            assert_eq!(OrderState::parse(wire), state, "{wire}");
        }
        assert_eq!(
            OrderState::parse("WAITING"),
            OrderState::Other("WAITING".into())
        );
    }

    #[test]
    fn query_values_follow_the_flavour() {
        assert_eq!(OrderState::Completed.query_value(Flavour::W), "Completed");
        assert_eq!(OrderState::Completed.query_value(Flavour::V1), "COMPLETED");
        assert_eq!(
            OrderState::Completed.query_value(Flavour::E),
            "COMPLETED",
            "E's template adds the event id"
        );
    }

    #[test]
    fn one_way_to_write_a_drink() {
        let drink = |modifiers: &[&str]| DrinkOrder {
            user_id: None,
            drink: "Latte".into(),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            icon: "i".into(),
        };
        assert_eq!(drink(&[]).summary(), "Latte");
        assert_eq!(drink(&["None"]).summary(), "Latte");
        assert_eq!(drink(&["Oat", "Large"]).summary(), "Latte (Oat, Large)");
        assert_eq!(
            drink(&["Oat", "none"]).options_text().as_deref(),
            Some("Oat")
        );
        assert_eq!(drink(&[]).options_text(), None);
    }

    #[test]
    fn bucket_share() {
        let b = Bucket {
            id: 1,
            code: "c".into(),
            start_ts: 0,
            end_ts: 299_999,
            available_tokens: 10,
        };
        assert_eq!(b.remaining_share(0), 1.0);
        assert_eq!(b.remaining_share(150_000), 0.5);
        assert_eq!(b.remaining_share(400_000), 0.0);
    }

    #[test]
    fn a_drink_image_is_a_name_never_a_path() {
        assert_eq!(
            drink_image("barista-icons_flat-white-alternative@2x"),
            "drinks/barista-icons_flat-white-alternative@2x.svg"
        );
        let long = "a".repeat(65);
        for bad in [
            "",
            "../../_local/users",
            "https://evil.example/x",
            "a/b",
            "x\"><script>",
            "x?y",
            "caf\u{e9}",
            long.as_str(),
        ] {
            assert_eq!(drink_image(bad), "icons/take-away.svg", "{bad}");
        }
    }
}
