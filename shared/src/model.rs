//! The domain as the apps see it: menu, store config, orders, QR buckets. Wire formats
//! are read into these in [`crate::wire`] and [`crate::realtime`].

use crate::settings::Flavour;

/// One drink on the menu (contract §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    pub drink: String,
    pub icon: String,
    pub available: bool,
    pub modifiers: Vec<ModifierGroup>,
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
    pub fn query_value(&self, flavour: Flavour, event_id: Option<&str>) -> String {
        let (w, upper) = match self {
            Self::Created => ("CREATED", "CREATED"),
            Self::Completed => ("Completed", "COMPLETED"),
            Self::Cancelled => ("Cancelled", "CANCELLED"),
            Self::Other(s) => return s.clone(),
        };
        match flavour {
            Flavour::W => w.to_string(),
            Flavour::V1 => upper.to_string(),
            Flavour::E => format!("{}-{upper}", event_id.unwrap_or_default()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Created => "In progress",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
            Self::Other(s) => s,
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
}

impl Order {
    /// Claimed by a barista (`make`), not released by `unmake`.
    pub fn claimed_by(&self) -> Option<&str> {
        self.barista_user_id.as_deref().filter(|b| !b.is_empty())
    }
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
        let total = (self.end_ts - self.start_ts + 1).max(1) as f64;
        ((self.end_ts + 1 - now_ms) as f64 / total).clamp(0.0, 1.0)
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
        assert_eq!(
            OrderState::Completed.query_value(Flavour::W, None),
            "Completed"
        );
        assert_eq!(
            OrderState::Completed.query_value(Flavour::V1, None),
            "COMPLETED"
        );
        assert_eq!(
            OrderState::Created.query_value(Flavour::E, Some("ABC")),
            "ABC-CREATED"
        );
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
}
