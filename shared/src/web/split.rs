//! Code that arrives when it is first needed. In the release build (`cargo xtask build`,
//! an app's `split` feature) what [`split_off!`](crate::split_off) declares is cut out of
//! the app's first wasm module and fetched on the first call; without `split` (`trunk
//! serve`, native tests) it is plain code. [`NotLoaded`] is what a failed fetch is, for
//! the browser client ([`super::auth`]) and for the screens `ui::Deferred` shows.

/// Split-off code that could not be fetched: the network dropped, or a newer
/// deployment replaced the files this page was built with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLoaded;

impl std::fmt::Display for NotLoaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Part of the app could not be loaded. Check your connection and try again.")
    }
}

impl std::error::Error for NotLoaded {}

impl crate::text::Explain for NotLoaded {
    fn explain(&self) -> crate::i18n::Phrase {
        crate::text::Common::ErrNotLoaded.into()
    }
}

impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self
    }
}

/// Functions whose code is split off into the wasm module `$module` when the calling crate
/// is built with its `split` feature, fetched on the first call; without it, plain code.
/// Either way each is an `async fn` to its callers and returns `Result<_, E>` where
/// `E: From<leptos::wasm_split::SplitLoaderError>` (a failed fetch is an `Err`, never a
/// panic). Arguments are owned: no references, generics or `self`.
#[macro_export]
macro_rules! split_off {
    ($module:ident: $($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block)+) => {
        $(
            $(#[$attr])*
            #[cfg(feature = "split")]
            #[::leptos::wasm_split::wasm_split($module, fallible, wasm_split_path = ::leptos::wasm_split)]
            fn $name($($arg: $ty),*) -> $ret $body

            $(#[$attr])*
            #[cfg(not(feature = "split"))]
            async fn $name($($arg: $ty),*) -> $ret $body
        )+
    };
}
