//! The console's screen and its parts.

mod card;
mod console;
mod store_switch;

pub use console::Console;
