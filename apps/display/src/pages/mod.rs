//! The board and its parts.

mod board_page;
mod lists;
mod qr_panel;
mod toolbar;

pub use board_page::BoardPage;
pub use toolbar::Toolbar;
