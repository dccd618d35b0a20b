//! The console's screen and its parts.

mod all_day;
mod card;
mod console;
mod keyboard;
mod numbers;
mod panel;
mod printer;
mod recent;
mod robot_switch;
mod service_day;
mod store_switch;

pub use console::Console;
pub use service_day::ServiceDay;
