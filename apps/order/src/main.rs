//! Order app: the customer's phone, from QR scan to coffee in hand.

mod app;
mod flow;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
