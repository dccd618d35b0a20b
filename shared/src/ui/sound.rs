//! Sound at the bar: browsers play sound only after a person's tap, so the chime is made
//! inside one (the barista's "Chime on", the customer's "Order now") and played later.

use crate::web::device::Chime;
use leptos::prelude::*;

/// A chime for a page, silent until [`TapChime::unlock`] is called from a tap.
#[derive(Clone, Copy)]
pub struct TapChime(StoredValue<Option<Chime>, LocalStorage>);

impl Default for TapChime {
    fn default() -> Self {
        Self::new()
    }
}

impl TapChime {
    /// A chime owned by the calling component, not yet allowed to sound.
    pub fn new() -> Self {
        Self(StoredValue::new_local(None))
    }

    /// Makes the chime, from inside a person's tap (once; later taps change nothing).
    pub fn unlock(&self) {
        if self.0.with_value(Option::is_none) {
            self.0.set_value(Chime::new());
        }
    }

    /// Plays it, if a tap has unlocked it.
    pub fn play(&self) {
        self.0.with_value(|c| c.as_ref().map(Chime::play));
    }
}
