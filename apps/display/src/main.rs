//! Display board: the TV above the bar.

mod app;
mod board;
mod pages;
mod qr;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
