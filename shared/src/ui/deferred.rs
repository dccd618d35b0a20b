//! Screens whose code arrives when they are first shown.
//!
//! In the release build (`cargo xtask build`, the apps' `split` feature) each screen declared
//! with [`deferred_screen!`](crate::deferred_screen) is split out of the app's first wasm
//! module and fetched when [`Deferred`] first renders it: the first screen a phone sees
//! carries only its own code. Without `split` (`trunk serve`, native tests) the same
//! declaration is a plain call into the one module.

use super::ErrorNotice;
use crate::web::split::NotLoaded;
use leptos::prelude::*;
use std::future::Future;

/// The screen `load` gives, with `loading` (a spinner unless given) while its code
/// arrives and a retry when it cannot.
#[component]
pub fn Deferred<F, Fut>(load: F, #[prop(optional, into)] loading: Option<ViewFn>) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, NotLoaded>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    let retry = Callback::new(move |()| attempt.update(|n| *n += 1));
    let screen = move || {
        attempt.track();
        // A split screen's loader is browser-only (not `Send`); so is this page.
        let loading = send_wrapper::SendWrapper::new(load());
        Suspend::new(async move {
            match loading.await {
                Ok(screen) => screen,
                Err(why) => {
                    view! { <ErrorNotice message=super::t(crate::text::Explain::explain(&why)) on_retry=retry/> }.into_any()
                }
            }
        })
    };
    let loading = loading.unwrap_or_else(|| ViewFn::from(Spinner));
    view! { <Suspense fallback=move || loading.run()>{screen}</Suspense> }
}

#[component]
fn Spinner() -> impl IntoView {
    view! { <div class="spinner" role="status" aria-label=super::t(crate::text::Common::Loading)></div> }
}

/// Declares `async fn $name() -> Result<AnyView, NotLoaded>` giving `view! { <$screen/> }`,
/// split off into a module of its own when the calling app is built with its `split`
/// feature. Show it with `<Deferred load=$name/>`. With `, prefetch $prefetch`, also
/// `async fn $prefetch()`, which fetches the screen's code ahead of showing it (its result,
/// ignorable: a failed prefetch is tried again when the screen is shown).
#[macro_export]
macro_rules! deferred_screen {
    ($(#[$doc:meta])* $name:ident => $screen:ident, prefetch $prefetch:ident) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split($name, fallible, wasm_split_path = ::leptos::wasm_split, preload($prefetch))]
        fn $name() -> ::std::result::Result<::leptos::prelude::AnyView, $crate::web::split::NotLoaded> {
            use ::leptos::prelude::*;
            Ok(view! { <$screen/> }.into_any())
        }

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        async fn $name() -> ::std::result::Result<::leptos::prelude::AnyView, $crate::web::split::NotLoaded> {
            use ::leptos::prelude::*;
            Ok(view! { <$screen/> }.into_any())
        }

        #[cfg(not(feature = "split"))]
        async fn $prefetch() -> ::std::result::Result<(), $crate::web::split::NotLoaded> {
            Ok(())
        }
    };
    ($(#[$doc:meta])* $name:ident => $screen:ident) => {
        $crate::split_off! { $name:
            $(#[$doc])*
            fn $name() -> ::std::result::Result<::leptos::prelude::AnyView, $crate::web::split::NotLoaded> {
                use ::leptos::prelude::*;
                Ok(view! { <$screen/> }.into_any())
            }
        }
    };
}
