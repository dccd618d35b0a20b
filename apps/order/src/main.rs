//! Order app: the customer's phone, from QR scan to coffee in hand.

mod app;
mod context;
mod flow;
mod pages;
mod text;

fn main() {
    // A panic's message in the console (the split release build traps instead).
    #[cfg(not(feature = "split"))]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
