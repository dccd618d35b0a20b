//! One file per screen of the order app.

mod alerts;
mod history;
mod home;
mod menu;
mod notices;
mod status;

pub use history::HistoryPage;
pub use home::OrderHome;

use leptos::html::H1;
use leptos::prelude::*;

/// A screen's heading that takes focus when the screen appears (`tabindex="-1"` on it):
/// each step of the order starts a screen reader's reading, and a keyboard's Tab, there.
fn use_focused_heading() -> NodeRef<H1> {
    let heading = NodeRef::<H1>::new();
    Effect::new(move |_| {
        if let Some(h1) = heading.get() {
            let _ = h1.focus();
        }
    });
    heading
}
