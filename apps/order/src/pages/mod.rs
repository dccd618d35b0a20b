//! One file per screen of the order app.

mod history;
mod home;
mod menu;
mod notices;
mod status;

pub use history::HistoryPage;
pub use home::OrderHome;
