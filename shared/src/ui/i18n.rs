//! Which language the page speaks, and its words: English is compiled in and shown at
//! once; another language's catalogues (`locales/{tag}/shared.json` and the app's) are
//! fetched once the first screen is up, and take over when both have come. The choice
//! comes from the header's switch (remembered in this browser), else the browser's
//! preferred languages. Times and dates are the browser's `Intl`, in the person's locale.
//!
//! ```ignore
//! let i18n = provide_i18n(AppKind::Order);            // once, at the app's root
//! view! { <h1>{t(Text::ChooseDrink)}</h1> }           // reactive text
//! i18n.say(Text::OrdersAhead.count(2))                // inside a closure
//! ```

use crate::i18n::{Catalogue, Lang, Message, Phrase};
use crate::kind::AppKind;
use crate::text::Common;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsValue;

/// Where this browser remembers the language chosen with the switch.
const LANG_KEY: &str = "serverlesspresso.lang";

/// The page's language: the one chosen, and the one shown (with its catalogue), which is
/// English until the chosen one's catalogue has come.
#[derive(Clone, Copy)]
pub struct I18n {
    chosen: RwSignal<Lang>,
    shown: RwSignal<(Lang, Arc<Catalogue>)>,
    /// The catalogues the page needs: the shared one and the app's, and a page's own
    /// (the settings page's) once it is shown.
    namespaces: RwSignal<Vec<&'static str>>,
    /// The browser's preferred languages, read once.
    preferred: StoredValue<Vec<String>>,
}

impl I18n {
    /// The language chosen (the switch shows it).
    pub fn chosen(&self) -> Lang {
        self.chosen.get()
    }

    /// The language the page is in now.
    pub fn lang(&self) -> Lang {
        self.shown.with(|(lang, _)| *lang)
    }

    /// A message or phrase in the page's language (reactive).
    pub fn say(&self, phrase: impl Into<Phrase>) -> String {
        let phrase = phrase.into();
        self.shown
            .with(|(lang, catalogue)| phrase.say(*lang, catalogue))
    }

    /// Runs `f` with the page's language and catalogue (reactive), for words made of
    /// several messages.
    pub fn speak<R>(&self, f: impl FnOnce(Lang, &Catalogue) -> R) -> R {
        self.shown.with(|(lang, catalogue)| f(*lang, catalogue))
    }

    /// Also loads `namespace`'s catalogue, for a page that is not part of the first
    /// screen (the staff's settings page): its words come with it, not before.
    pub fn include(&self, namespace: &'static str) {
        if !self.namespaces.with_untracked(|n| n.contains(&namespace)) {
            self.namespaces.update(|n| n.push(namespace));
        }
    }

    /// Speaks `lang` from now on, in this browser.
    pub fn choose(&self, lang: Lang) {
        super::browser::remember(LANG_KEY, lang.tag());
        self.chosen.set(lang);
    }

    /// The locale for `Intl`: the person's own preferred tag in the page's language
    /// (`en-GB`, `es-MX`), else the language's.
    pub fn locale(&self) -> String {
        let lang = self.lang();
        self.preferred.with_value(|tags| {
            tags.iter()
                .find(|tag| Lang::from_tag(tag) == Some(lang))
                .cloned()
                .unwrap_or_else(|| lang.tag().to_string())
        })
    }

    /// "14:05" or "2:05 PM": the local time of day at `ms`, as the locale writes it.
    pub fn time_of_day(&self, ms: i64) -> String {
        let options = js_sys::Object::new();
        set(&options, "hour", "numeric");
        set(&options, "minute", "2-digit");
        date(ms)
            .to_locale_time_string_with_options(&self.locale(), &options)
            .into()
    }

    /// A date and time, short, as the locale writes them.
    pub fn date_time(&self, ms: i64) -> String {
        let options = js_sys::Object::new();
        set(&options, "dateStyle", "medium");
        set(&options, "timeStyle", "short");
        date(ms).to_locale_string(&self.locale(), &options).into()
    }
}

fn date(ms: i64) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
}

fn set(object: &js_sys::Object, key: &str, value: &str) {
    let _ = js_sys::Reflect::set(object, &key.into(), &value.into());
}

/// The browser's preferred languages, most wanted first.
fn preferred() -> Vec<String> {
    web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

/// The page's [`I18n`] (provided by [`provide_i18n`]).
pub fn use_i18n() -> I18n {
    expect_context()
}

/// A message or phrase as reactive text, for a view, an attribute or a prop:
/// `{t(Text::Title)}`, `message=t(error.explain())`.
pub fn t(phrase: impl Into<Phrase>) -> Signal<String> {
    let (i18n, phrase) = (use_i18n(), phrase.into());
    Signal::derive(move || i18n.say(phrase.clone()))
}

/// Provides the page's [`I18n`] for `app`: the language remembered or preferred; its
/// catalogues are fetched after the first screen, and again whenever the switch changes.
pub fn provide_i18n(app: AppKind) -> I18n {
    let preferred = preferred();
    let initial = super::browser::recall(LANG_KEY)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_else(|| Lang::negotiate(preferred.iter().map(String::as_str)));
    let i18n = I18n {
        preferred: StoredValue::new(preferred),
        chosen: RwSignal::new(initial),
        shown: RwSignal::new((Lang::En, Arc::new(Catalogue::default()))),
        namespaces: RwSignal::new(vec![Common::NAMESPACE, app.slug()]),
    };
    provide_context(i18n);
    // Each language's catalogues, for the namespaces they were fetched with.
    let loaded = StoredValue::new(Vec::<(Lang, usize, Arc<Catalogue>)>::new());
    // Effects run once the first screen is in the page.
    Effect::new(move |_| {
        let lang = i18n.chosen.get();
        let namespaces = i18n.namespaces.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
            let _ = root.set_attribute("dir", lang.dir());
        }
        if lang == Lang::En {
            i18n.shown.set((Lang::En, Arc::new(Catalogue::default())));
            return;
        }
        let count = namespaces.len();
        let known = loaded.with_value(|l| {
            l.iter()
                .find(|(l, n, _)| *l == lang && *n == count)
                .map(|(_, _, c)| c.clone())
        });
        if let Some(catalogue) = known {
            i18n.shown.set((lang, catalogue));
            return;
        }
        leptos::task::spawn_local(async move {
            match fetch_catalogue(lang, namespaces).await {
                Ok(catalogue) => {
                    let catalogue = Arc::new(catalogue);
                    loaded.update_value(|l| l.push((lang, count, catalogue.clone())));
                    // Only if it is still the language wanted.
                    if i18n.chosen.get_untracked() == lang {
                        i18n.shown.set((lang, catalogue));
                    }
                }
                Err(e) => super::browser::warn(&format!(
                    "The {} words could not be loaded ({e}); showing English.",
                    lang.endonym()
                )),
            }
        });
    });
    i18n
}

/// Why a language's catalogues did not load (the page stays in English).
#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("{0}")]
    Fetch(#[from] crate::api::ApiError),
    #[error("{0}")]
    Read(#[from] crate::i18n::CatalogueError),
    #[error("{0}")]
    NotLoaded(#[from] crate::web::split::NotLoaded),
}

impl From<leptos::wasm_split::SplitLoaderError> for LoadError {
    fn from(e: leptos::wasm_split::SplitLoaderError) -> Self {
        Self::NotLoaded(e.into())
    }
}

/// `lang`'s catalogues of `namespaces`: the first two (the shared one and the app's)
/// together, then any a page added.
async fn fetch_catalogue(
    lang: Lang,
    namespaces: Vec<&'static str>,
) -> Result<Catalogue, LoadError> {
    let base = super::browser::base_uri();
    let url = |ns: &str| format!("{base}locales/{}/{ns}.json", lang.tag());
    let (first, second) = (url(namespaces[0]), url(namespaces[1]));
    let (shared, own) = futures::join!(
        crate::web::http::get_text(&first),
        crate::web::http::get_text(&second)
    );
    let mut files = vec![
        (namespaces[0].to_string(), shared?),
        (namespaces[1].to_string(), own?),
    ];
    for ns in &namespaces[2..] {
        files.push((ns.to_string(), crate::web::http::get_text(&url(ns)).await?));
    }
    read_catalogue(files).await
}

// Reading catalogues is needed only after the first screen, and only for a language
// other than English: in the split release build its code is fetched then, and so is
// the header's language switch.
crate::split_off! { catalogue:
    fn read_catalogue(files: Vec<(String, String)>) -> Result<Catalogue, LoadError> {
        let mut catalogue = Catalogue::default();
        for (namespace, text) in files {
            catalogue.add(&namespace, &text)?;
        }
        Ok(catalogue)
    }
}
crate::deferred_screen!(language_switch => LanguageSwitch);

/// The header's language switch, once its code has come.
#[component]
pub fn LanguageSwitchLater() -> impl IntoView {
    view! { <super::Deferred load=language_switch loading=|| ()/> }
}

/// The header's language switch: each language named in itself.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let change = move |ev| {
        if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
            i18n.choose(lang);
        }
    };
    view! {
        // The native list names each language in itself; the closed switch shows only
        // the chosen one's short code, so it fits a phone's header.
        <label class="lang-switch" for="language">
            <span class="visually-hidden">{t(Common::Language)}</span>
            <span class="lang-code" aria-hidden="true" translate="no">{move || i18n.chosen().code()}</span>
            <select id="language" translate="no" on:change=change>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.tag() lang=lang.tag() selected=move || i18n.chosen() == lang>
                        {lang.endonym()}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}
