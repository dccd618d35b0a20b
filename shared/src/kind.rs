//! The two words the rest of the crate is parameterised by: which app is asking
//! ([`AppKind`]) and which backend generation it talks to ([`Flavour`]).
//!
//! Plain vocabulary that imports nothing from the crate, so the model, the settings, the
//! wire readers and the windows can all use it without depending on one another. What
//! each app needs of the settings ([`AppKind::fields`], [`AppKind::storage_key`]) is
//! said in [`crate::settings`].

/// Which of the three apps is asking: each needs a different subset of settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppKind {
    Order,
    Barista,
    Display,
}

impl AppKind {
    pub const ALL: [AppKind; 3] = [AppKind::Order, AppKind::Barista, AppKind::Display];

    /// Lower-case name, used in paths and storage keys.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Barista => "barista",
            Self::Display => "display",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Order => "Order",
            Self::Barista => "Barista",
            Self::Display => "Display",
        }
    }
}

/// Which backend generation the apps talk to (contract §0). W is the wire contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavour {
    #[default]
    W,
    E,
    V1,
}

impl Flavour {
    pub const ALL: [Flavour; 3] = [Flavour::W, Flavour::E, Flavour::V1];

    pub fn key(self) -> &'static str {
        match self {
            Self::W => "W",
            Self::E => "E",
            Self::V1 => "V1",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::W => "W: workshop backend (email sign-in)",
            Self::E => "E: multi-event backend (needs an event id)",
            Self::V1 => "V1: re:Invent 2021 backend",
        }
    }

    /// The flavour whose [`key`](Flavour::key) is `s`, in any case.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(s))
    }
}
