//! Barista console: the iPad at the bar.

mod app;
mod board;
mod context;
mod keys;
mod numbers;
mod pages;
mod printer;
mod robot;
mod text;

fn main() {
    // A panic's message in the console (the split release build traps instead).
    #[cfg(not(feature = "split"))]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
