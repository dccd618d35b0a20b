//! Telling people something beside what they are doing: information, a warning or an
//! error, coloured and announced as its kind is.

use leptos::html::Div;
use leptos::prelude::*;

/// What an [`Alert`] tells: it decides the colour (`.alert.info`, `.alert.warning`,
/// `.alert.error` in `style/components.css`) and how a screen reader hears it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    Info,
    Warning,
    Error,
}

impl AlertKind {
    /// The element's classes.
    pub fn class(self) -> &'static str {
        match self {
            Self::Info => "alert info",
            Self::Warning => "alert warning",
            Self::Error => "alert error",
        }
    }

    /// How it is announced unless the alert says otherwise: information politely,
    /// warnings and errors at once.
    pub fn announce(self) -> Announce {
        match self {
            Self::Info => Announce::Polite,
            Self::Warning | Self::Error => Announce::Assertive,
        }
    }
}

/// How a screen reader hears an alert appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announce {
    /// `role="alert"`: at once, interrupting what it was reading.
    Assertive,
    /// `role="status"`: once it has finished what it was reading (a count that changes
    /// now and then, a notice that is no emergency).
    Polite,
    /// No role of its own: a live region around it announces it (the connection
    /// banner), or the page moves focus to it.
    Off,
}

impl Announce {
    fn role(self) -> Option<&'static str> {
        match self {
            Self::Assertive => Some("alert"),
            Self::Polite => Some("status"),
            Self::Off => None,
        }
    }
}

/// A box of information, a warning or an error: `<div class="alert {kind}">` with the
/// role its kind calls for (`status` for information, `alert` for warnings and errors)
/// unless `announce` says otherwise.
#[component]
pub fn Alert(
    kind: AlertKind,
    /// The element's id, for links, tests and focus.
    #[prop(optional, into)]
    id: Option<String>,
    /// How a screen reader hears it appear; by default as its kind is.
    #[prop(optional)]
    announce: Option<Announce>,
    /// Hidden while true: for a panel that stays in the page and comes and goes.
    #[prop(optional, into)]
    hidden: Signal<bool>,
    /// For a panel the page moves focus to: focusable by script (`tabindex="-1"`),
    /// reached through this reference.
    #[prop(optional)]
    focus: Option<NodeRef<Div>>,
    children: Children,
) -> impl IntoView {
    let role = announce.unwrap_or_else(|| kind.announce()).role();
    let tabindex = focus.is_some().then_some("-1");
    view! {
        <div class=kind.class() role=role id=id tabindex=tabindex hidden=hidden
            node_ref=focus.unwrap_or_default()>
            {children()}
        </div>
    }
}
