//! Display board: the TV above the bar.
//!
//! Its own screens come next; until then it has the shared header and settings page.

use leptos::prelude::*;
use shared::ui::SettingsOnlyApp;
use shared::AppKind;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <SettingsOnlyApp app=AppKind::Display/> });
}
