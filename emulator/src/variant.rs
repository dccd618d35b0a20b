//! Which backend the emulator is: variant W (the workshop's, the default) or variant E
//! (serverless-coffee's multi-event backend, `SC:00-baseCore` + `SC:01-appCore`), chosen
//! at start (`--backend w|e`, `--event ID`).
//!
//! E is W's REST shapes plus an `eventId` everywhere: per-event config rows (which hold
//! the menu), counters, validator buckets and admin/config topics; states prefixed with
//! the event id (`ABC-CREATED`); a phone-number user pool with one-time codes; a
//! timeout Lambda; the order-journey pages. What it does, quirks included, is in
//! `backend.rs` ([`crate::backend::Scope`]), `events.rs` and `http/`.

use shared::{AppKind, Field, Flavour, SettingsDraft};

/// The backend variant the emulator speaks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// The workshop backend (contract §3–§6): one coffee bar, email sign-in.
    #[default]
    W,
    /// The multi-event backend: these events (at least one), each with its own config
    /// (menu), order counter, QR codes and admin/config topics.
    E { events: Vec<String> },
}

/// The event E's seed data uses, and the emulator's when `--backend e` names none.
pub const DEFAULT_EVENT: &str = "ABC";

/// The barista every W emulator started from the command line has.
pub const W_ADMIN: (&str, &str) = ("barista@serverlesspresso.local", "coffee-time");
/// The barista every E emulator started from the command line has: a phone number
/// (E's user pool signs in with phone numbers only), signing in with a texted code.
pub const E_ADMIN_PHONE: &str = "+15555550100";

/// Why a list of events cannot make an E emulator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadEvent {
    #[error("event id {0:?}: {1}")]
    Invalid(String, String),
}

impl Variant {
    /// Variant E with these events, in order (the first is the one the apps' settings
    /// name), duplicates dropped; [`DEFAULT_EVENT`] when none is given. Each id must be
    /// one the apps' settings accept (letters, digits, `-` and `_`, at most 64).
    pub fn e<I, S>(events: I) -> Result<Self, BadEvent>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut unique: Vec<String> = Vec::new();
        for event in events {
            let event = event.into();
            check_event_id(&event)?;
            if !unique.contains(&event) {
                unique.push(event);
            }
        }
        if unique.is_empty() {
            unique.push(DEFAULT_EVENT.to_string());
        }
        Ok(Self::E { events: unique })
    }

    /// E with one event, for tests: `Variant::event("ABC")`.
    ///
    /// # Panics
    /// If `id` is not a valid event id.
    pub fn event(id: &str) -> Self {
        Self::e([id]).expect("a valid event id")
    }

    pub fn is_e(&self) -> bool {
        matches!(self, Self::E { .. })
    }

    /// The events of an E emulator (none for W).
    pub fn events(&self) -> &[String] {
        match self {
            Self::W => &[],
            Self::E { events } => events,
        }
    }

    /// The event the apps' `settings.json` name (E's first).
    pub fn first_event(&self) -> Option<&str> {
        self.events().first().map(String::as_str)
    }

    /// Whether `event` is one this emulator was started with.
    pub fn knows(&self, event: &str) -> bool {
        self.events().iter().any(|e| e == event)
    }

    /// The apps' `flavour` setting.
    pub fn flavour(&self) -> Flavour {
        match self {
            Self::W => Flavour::W,
            Self::E { .. } => Flavour::E,
        }
    }

    /// `w` or `e`, as `--backend` takes it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::W => "w",
            Self::E { .. } => "e",
        }
    }

    /// The barista created when the command line names none: (username, password). In
    /// E the username is a phone number and the password is not needed (an empty one
    /// becomes a random one).
    pub fn default_admin(&self) -> (&'static str, &'static str) {
        match self {
            Self::W => W_ADMIN,
            Self::E { .. } => (E_ADMIN_PHONE, ""),
        }
    }
}

/// An event id as the apps' settings check it (shared's `eventId` field): a draft
/// with only the flavour and the event is checked, and only what it says of the event
/// counts (the other fields it lacks are not this check's business).
fn check_event_id(event: &str) -> Result<(), BadEvent> {
    let mut draft = SettingsDraft::default();
    draft.set(Field::Flavour, Flavour::E.key());
    draft.set(Field::EventId, event);
    if event.trim().is_empty() {
        return Err(BadEvent::Invalid(event.into(), "it is empty".into()));
    }
    match draft.validate(AppKind::Display) {
        Ok(_) => Ok(()),
        Err(errors) => match errors.get(Field::EventId) {
            Some(why) => Err(BadEvent::Invalid(event.into(), why.to_string())),
            None => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_defaults_to_abc_and_checks_ids_as_the_apps_do() {
        assert_eq!(
            Variant::e(Vec::<String>::new()),
            Ok(Variant::E {
                events: vec!["ABC".into()]
            })
        );
        let v = Variant::e(["XYZ", "ABC", "XYZ"]).unwrap();
        assert_eq!(v.events(), ["XYZ", "ABC"]);
        assert_eq!(v.first_event(), Some("XYZ"));
        assert!(v.knows("ABC") && !v.knows("abc"));
        assert!(matches!(
            Variant::e(["no spaces"]),
            Err(BadEvent::Invalid(..))
        ));
        assert!(matches!(Variant::e([""]), Err(BadEvent::Invalid(..))));
        assert_eq!(Variant::default(), Variant::W);
        assert_eq!(Variant::W.events(), [] as [String; 0]);
        assert_eq!(Variant::W.default_admin().0, W_ADMIN.0);
        assert_eq!(v.default_admin().0, "+15555550100");
    }
}
