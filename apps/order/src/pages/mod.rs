//! One file per screen of the order app.

mod home;
mod menu;
mod notices;
mod status;

pub use home::OrderHome;
