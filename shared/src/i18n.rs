//! The apps' words in six languages.
//!
//! Each crate declares its messages with [`messages!`](crate::messages): an enum whose
//! variants are the keys (a mistyped key does not compile) and whose English text is
//! compiled in. The other languages are catalogues, `public/locales/{tag}/{namespace}.json`,
//! fetched after the first screen; a key a catalogue lacks falls back to English.
//! Placeholders are `{name}`; a message that counts has plural forms chosen by the
//! language's CLDR rule ([`Lang::plural`]). Everything here is pure: the browser side
//! (which language, the fetch, the header's switch) is `ui::i18n`.
//!
//! ```
//! use shared::i18n::{Catalogue, Lang, Message};
//! shared::messages! {
//!     /// Words of an example.
//!     pub enum Words in "example" {
//!         Hello => "Hello",
//!         Ahead => { one: "{n} order ahead of you", other: "{n} orders ahead of you" },
//!     }
//! }
//! assert_eq!(Words::Ahead.count(2).say(Lang::En, &Catalogue::default()), "2 orders ahead of you");
//! let mut es = Catalogue::default();
//! es.add("example", r#"{"Hello": "Hola", "Ahead": {"one": "{n} pedido delante", "other": "{n} pedidos delante"}}"#).unwrap();
//! assert_eq!(Words::Hello.say(Lang::Es, &es), "Hola");
//! assert_eq!(Words::Ahead.count(1).say(Lang::Es, &es), "1 pedido delante");
//! ```

use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Display;

/// The languages the apps speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
    De,
    PtBr,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::PtBr, Lang::Ja];

    /// The BCP 47 tag: `<html lang>`, `Intl`'s locale and the catalogue's folder.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::PtBr => "pt-BR",
            Lang::Ja => "ja",
        }
    }

    /// The language's name in itself, as the switch lists it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
            Lang::PtBr => "Português (Brasil)",
            Lang::Ja => "日本語",
        }
    }

    /// Two letters for a small switch: "EN", "ES", "FR", "DE", "PT", "JA".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Es => "ES",
            Lang::Fr => "FR",
            Lang::De => "DE",
            Lang::PtBr => "PT",
            Lang::Ja => "JA",
        }
    }

    /// The writing direction, for `<html dir>`. All six are left to right; the layout
    /// uses logical properties only, so a right-to-left language needs a line here.
    pub fn dir(self) -> &'static str {
        "ltr"
    }

    /// The language a tag asks for, by its primary subtag (`es-MX` → Spanish, any
    /// Portuguese → Brazilian); `None` for languages the apps do not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().split('-').next() == Some(primary.as_str()))
    }

    /// The first of the person's preferred languages (`navigator.languages`, most
    /// wanted first) that the apps speak; English when none.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The CLDR cardinal plural category of a whole number `n` in this language.
    pub fn plural(self, n: i64) -> Plural {
        let n = n.unsigned_abs();
        // CLDR 38+: es, fr and pt have `many` for exact millions (1 000 000 "de" …).
        let million = n != 0 && n.is_multiple_of(1_000_000);
        match self {
            Lang::Ja => Plural::Other,
            Lang::En | Lang::De => match n {
                1 => Plural::One,
                _ => Plural::Other,
            },
            Lang::Es => match n {
                1 => Plural::One,
                _ if million => Plural::Many,
                _ => Plural::Other,
            },
            Lang::Fr | Lang::PtBr => match n {
                0 | 1 => Plural::One,
                _ if million => Plural::Many,
                _ => Plural::Other,
            },
        }
    }

    /// The plural forms a catalogue must give, and those it may give.
    fn plural_forms(self) -> (&'static [Plural], &'static [Plural]) {
        match self {
            Lang::Ja => (&[Plural::Other], &[Plural::Other]),
            Lang::En | Lang::De => (&[Plural::One, Plural::Other], &[Plural::One, Plural::Other]),
            Lang::Es | Lang::Fr | Lang::PtBr => (
                &[Plural::One, Plural::Other],
                &[Plural::One, Plural::Many, Plural::Other],
            ),
        }
    }
}

/// A CLDR plural category (the ones the six languages use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plural {
    One,
    Many,
    Other,
}

impl Plural {
    fn name(self) -> &'static str {
        match self {
            Plural::One => "one",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }

    fn from_name(name: &str) -> Option<Plural> {
        [Plural::One, Plural::Many, Plural::Other]
            .into_iter()
            .find(|p| p.name() == name)
    }
}

/// A message's English, compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum English {
    Text(&'static str),
    Plural {
        one: &'static str,
        other: &'static str,
    },
}

impl English {
    /// The key of a [`messages!`](crate::messages) table entry: `Key\0English`.
    #[doc(hidden)]
    pub fn key_of(entry: &'static str) -> &'static str {
        entry.split('\0').next().unwrap_or_default()
    }

    /// The English of a table entry: `Key\0Text` or `Key\0one\0other`.
    #[doc(hidden)]
    pub fn of(entry: &'static str) -> English {
        let mut parts = entry.split('\0').skip(1);
        match (parts.next(), parts.next()) {
            (Some(one), Some(other)) => English::Plural { one, other },
            (text, _) => English::Text(text.unwrap_or_default()),
        }
    }

    /// The text (a plural message's `other` form).
    pub fn text(self) -> &'static str {
        match self {
            English::Text(t) => t,
            English::Plural { other, .. } => other,
        }
    }
}

/// One crate's messages: made by [`messages!`](crate::messages).
pub trait Message: Copy + std::fmt::Debug + Send + Sync + 'static {
    /// The catalogue file's name: `shared`, `order`, `barista`, `display`.
    const NAMESPACE: &'static str;
    /// Every message, in declaration order.
    fn all() -> &'static [Self];
    /// The key in the catalogues: the variant's name.
    fn key(self) -> &'static str;
    fn english(self) -> English;

    /// This message with a placeholder filled: `Msg::X.with("n", 3)`.
    fn with(self, name: &'static str, value: impl Display) -> Phrase {
        Phrase::from(self).with(name, value)
    }

    /// This message counting `n`: its plural form, and `{n}` filled.
    fn count(self, n: i64) -> Phrase {
        Phrase::from(self).count(n)
    }

    /// The message in `lang` (English where `catalogue` lacks it).
    fn say(self, lang: Lang, catalogue: &Catalogue) -> String {
        Phrase::from(self).say(lang, catalogue)
    }
}

/// A message with its placeholders' values and, if it counts, the number. Not generic
/// over the message type: one `say` for every crate's messages keeps the wasm small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    namespace: &'static str,
    key: &'static str,
    english: English,
    count: Option<i64>,
    args: Vec<(&'static str, String)>,
}

impl<M: Message> From<M> for Phrase {
    fn from(message: M) -> Self {
        Phrase {
            namespace: M::NAMESPACE,
            key: message.key(),
            english: message.english(),
            count: None,
            args: Vec::new(),
        }
    }
}

impl Phrase {
    pub fn with(mut self, name: &'static str, value: impl Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn count(mut self, n: i64) -> Self {
        self.count = Some(n);
        self.with("n", n)
    }

    /// The phrase in `lang`: the catalogue's text for the message (English when it has
    /// none), its plural form for the count, placeholders filled.
    pub fn say(&self, lang: Lang, catalogue: &Catalogue) -> String {
        let category = lang.plural(self.count.unwrap_or(0));
        let translated = (lang != Lang::En)
            .then(|| catalogue.get(self.namespace, self.key))
            .flatten()
            .and_then(|entry| match entry {
                Entry::Text(t) => Some(t.as_str()),
                Entry::Plural(forms) => {
                    form(forms, category).or_else(|| form(forms, Plural::Other))
                }
            });
        let template = translated.unwrap_or_else(|| match self.english {
            English::Text(t) => t,
            English::Plural { one, other } => match Lang::En.plural(self.count.unwrap_or(0)) {
                Plural::One => one,
                _ => other,
            },
        });
        fill(template, &self.args)
    }
}

fn form(forms: &[(Plural, String)], category: Plural) -> Option<&str> {
    forms
        .iter()
        .find(|(p, _)| *p == category)
        .map(|(_, t)| t.as_str())
}

/// `template` with each `{name}` replaced by its value; unknown placeholders stay.
pub fn fill(template: &str, args: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template.
pub fn placeholders(template: &str) -> BTreeSet<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

/// One translated message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Text(String),
    Plural(Vec<(Plural, String)>),
}

/// The loaded translations of one language: per namespace, its entries sorted by key
/// (a few hundred at most: a sorted list is smaller in wasm than a hash map).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    namespaces: Vec<(String, Vec<(String, Entry)>)>,
}

/// Why a catalogue file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue is not a JSON object of messages: {0}")]
    NotJson(String),
    #[error("message {0} is neither text nor an object of plural forms")]
    BadEntry(String),
}

impl Catalogue {
    /// Adds one namespace's file: `{"Key": "text", "Counted": {"one": …, "other": …}}`.
    pub fn add(&mut self, namespace: &str, json: &str) -> Result<(), CatalogueError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CatalogueError::NotJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(CatalogueError::NotJson("not an object".into()));
        };
        let mut entries = Vec::with_capacity(map.len());
        for (key, value) in map {
            let entry = match value {
                Value::String(s) => Entry::Text(s),
                Value::Object(forms) => Entry::Plural(
                    forms
                        .into_iter()
                        .map(|(name, text)| match (Plural::from_name(&name), text) {
                            (Some(p), Value::String(t)) => Ok((p, t)),
                            _ => Err(CatalogueError::BadEntry(key.clone())),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                _ => return Err(CatalogueError::BadEntry(key)),
            };
            entries.push((key, entry));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.namespaces.retain(|(ns, _)| ns != namespace);
        self.namespaces.push((namespace.to_string(), entries));
        Ok(())
    }

    pub fn get(&self, namespace: &str, key: &str) -> Option<&Entry> {
        let (_, entries) = self.namespaces.iter().find(|(ns, _)| ns == namespace)?;
        let at = entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()?;
        Some(&entries[at].1)
    }

    /// The keys of a namespace.
    fn keys<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a str> {
        self.namespaces
            .iter()
            .filter(move |(ns, _)| ns == namespace)
            .flat_map(|(_, entries)| entries.iter().map(|(k, _)| k.as_str()))
    }
}

/// The reference catalogue of a crate's English (`public/locales/en/{namespace}.json`),
/// which translators start from; a native test keeps the file equal to the source.
pub fn english_catalogue<M: Message>() -> String {
    let mut map = serde_json::Map::new();
    for m in M::all() {
        let value = match m.english() {
            English::Text(t) => Value::from(t),
            English::Plural { one, other } => serde_json::json!({ "one": one, "other": other }),
        };
        map.insert(m.key().to_string(), value);
    }
    let mut out = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
    out.push('\n');
    out
}

/// What is wrong with `json`, `lang`'s catalogue of `M`: missing or unknown keys, plural
/// forms the language needs or does not have, placeholders that differ from English,
/// empty texts. Empty when it is complete.
pub fn check_catalogue<M: Message>(lang: Lang, json: &str) -> Vec<String> {
    let mut catalogue = Catalogue::default();
    if let Err(e) = catalogue.add(M::NAMESPACE, json) {
        return vec![e.to_string()];
    }
    let ns = M::NAMESPACE;
    let mut problems = Vec::new();
    let (needed, allowed) = lang.plural_forms();
    for m in M::all() {
        let key = m.key();
        let english_places = match m.english() {
            English::Text(t) => placeholders(t),
            English::Plural { one, other } => &placeholders(one) | &placeholders(other),
        };
        let texts: Vec<&str> = match (catalogue.get(ns, key), m.english()) {
            (None, _) => {
                problems.push(format!("{ns}.{key}: missing"));
                continue;
            }
            (Some(Entry::Text(t)), English::Text(_)) => vec![t.as_str()],
            (Some(Entry::Plural(forms)), English::Plural { .. }) => {
                for p in needed.iter().filter(|p| form(forms, **p).is_none()) {
                    problems.push(format!("{ns}.{key}: no `{}` form", p.name()));
                }
                for (p, _) in forms.iter().filter(|(p, _)| !allowed.contains(p)) {
                    problems.push(format!(
                        "{ns}.{key}: {} has no `{}` form",
                        lang.tag(),
                        p.name()
                    ));
                }
                forms.iter().map(|(_, t)| t.as_str()).collect()
            }
            (Some(_), English::Text(_)) => {
                problems.push(format!("{ns}.{key}: should be text, not plural forms"));
                continue;
            }
            (Some(_), English::Plural { .. }) => {
                problems.push(format!("{ns}.{key}: should be plural forms"));
                continue;
            }
        };
        for text in texts {
            if text.trim().is_empty() {
                problems.push(format!("{ns}.{key}: empty"));
            }
            let places = placeholders(text);
            // A plural form may leave out `{n}` ("one" written as a word); no other.
            let counted = matches!(m.english(), English::Plural { .. });
            let missing: Vec<_> = english_places
                .difference(&places)
                .filter(|p| !(counted && **p == "n"))
                .collect();
            let unknown: Vec<_> = places.difference(&english_places).collect();
            if !missing.is_empty() || !unknown.is_empty() {
                problems.push(format!(
                    "{ns}.{key}: placeholders differ from English (missing {missing:?}, unknown {unknown:?}) in {text:?}"
                ));
            }
        }
    }
    let known: BTreeSet<&str> = M::all().iter().map(|m| m.key()).collect();
    for key in catalogue.keys(ns).filter(|k| !known.contains(k)) {
        problems.push(format!(
            "{ns}.{key}: not a message of the source (remove it)"
        ));
    }
    problems
}

/// Checks `M`'s catalogues in `public/locales`: the English reference equals the source
/// (with `UPDATE_LOCALES=1` in the environment, it is rewritten), and every other
/// language's file is complete ([`check_catalogue`]). For each crate's native tests.
#[cfg(not(target_arch = "wasm32"))]
pub fn check_locales<M: Message>() -> Result<(), String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/locales");
    let file = |lang: Lang| format!("{root}/{}/{}.json", lang.tag(), M::NAMESPACE);
    let mut problems = Vec::new();
    let english = english_catalogue::<M>();
    let en_file = file(Lang::En);
    if std::fs::read_to_string(&en_file).ok().as_deref() != Some(english.as_str()) {
        if std::env::var_os("UPDATE_LOCALES").is_some() {
            std::fs::create_dir_all(format!("{root}/en")).map_err(|e| e.to_string())?;
            std::fs::write(&en_file, &english).map_err(|e| e.to_string())?;
        } else {
            problems.push(format!(
                "{en_file} is not the source's English: run the tests with UPDATE_LOCALES=1"
            ));
        }
    }
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        match std::fs::read_to_string(file(lang)) {
            Ok(json) => problems.extend(
                check_catalogue::<M>(lang, &json)
                    .into_iter()
                    .map(|p| format!("{}: {p}", lang.tag())),
            ),
            Err(e) => problems.push(format!("{}: {e}", file(lang))),
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n")),
    }
}

/// Declares a crate's messages: an enum of keys, their English, and [`Message`].
///
/// ```
/// shared::messages! {
///     /// The words of a page.
///     pub enum Words in "example" {
///         /// A doc comment per message helps translators.
///         Title => "Your order",
///         Drinks => { one: "{n} drink", other: "{n} drinks" },
///     }
/// }
/// ```
#[macro_export]
macro_rules! messages {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $ns:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $english:tt ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),*
        }

        impl $name {
            /// Each message as one string, in declaration order: its key, then its English
            /// (or its two plural forms), each after a NUL. One string per message is
            /// smaller in wasm than a table of pieces or a `match` per property.
            const TABLE: &'static [&'static str] =
                &[$( concat!(stringify!($variant), $crate::__english!($english)) ),*];
        }

        impl $crate::i18n::Message for $name {
            const NAMESPACE: &'static str = $ns;
            fn all() -> &'static [Self] {
                &[$( Self::$variant ),*]
            }
            fn key(self) -> &'static str {
                $crate::i18n::English::key_of(Self::TABLE[self as usize])
            }
            fn english(self) -> $crate::i18n::English {
                $crate::i18n::English::of(Self::TABLE[self as usize])
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __english {
    ($text:literal) => {
        concat!("\0", $text)
    };
    ({ one: $one:literal, other: $other:literal $(,)? }) => {
        concat!("\0", $one, "\0", $other)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::messages! {
        enum T in "t" {
            Hello => "Hello {name}",
            Ahead => { one: "{n} order ahead", other: "{n} orders ahead" },
        }
    }

    #[test]
    fn negotiation_takes_the_first_language_spoken() {
        assert_eq!(Lang::negotiate(["nl-NL", "de-AT", "en"]), Lang::De);
        assert_eq!(Lang::negotiate(["pt-PT"]), Lang::PtBr);
        assert_eq!(Lang::negotiate(["ja-JP", "en-US"]), Lang::Ja);
        assert_eq!(Lang::negotiate(["zz", ""]), Lang::En);
        assert_eq!(Lang::negotiate([]), Lang::En);
        assert_eq!(Lang::from_tag("ES_mx"), Some(Lang::Es));
    }

    #[test]
    fn plural_rules_follow_cldr() {
        assert_eq!(Lang::En.plural(1), Plural::One);
        assert_eq!(Lang::En.plural(0), Plural::Other);
        assert_eq!(Lang::Fr.plural(0), Plural::One);
        assert_eq!(Lang::PtBr.plural(1), Plural::One);
        assert_eq!(Lang::Es.plural(0), Plural::Other);
        assert_eq!(Lang::Es.plural(2_000_000), Plural::Many);
        assert_eq!(Lang::Ja.plural(1), Plural::Other);
        assert_eq!(Lang::De.plural(-1), Plural::One);
    }

    #[test]
    fn phrases_fill_placeholders_and_fall_back_to_english() {
        let empty = Catalogue::default();
        assert_eq!(
            T::Hello.with("name", "Ana").say(Lang::Es, &empty),
            "Hello Ana"
        );
        assert_eq!(T::Ahead.count(1).say(Lang::En, &empty), "1 order ahead");
        let mut fr = Catalogue::default();
        fr.add(
            "t",
            r#"{"Ahead": {"one": "{n} commande avant", "other": "{n} commandes avant"}}"#,
        )
        .unwrap();
        assert_eq!(T::Ahead.count(0).say(Lang::Fr, &fr), "0 commande avant");
        assert_eq!(
            T::Ahead.count(2_000_000).say(Lang::Fr, &fr),
            "2000000 commandes avant"
        );
        assert_eq!(T::Hello.with("name", "Ana").say(Lang::Fr, &fr), "Hello Ana");
        assert_eq!(fill("{a} {b} {", &[("a", "1".into())]), "1 {b} {");
    }

    #[test]
    fn the_check_finds_every_kind_of_problem() {
        let good = r#"{"Hello": "Hola {name}", "Ahead": {"one": "uno", "other": "{n} más"}}"#;
        assert_eq!(check_catalogue::<T>(Lang::Es, good), Vec::<String>::new());
        let unknown_form = r#"{"Hello": "Hola {name}", "Ahead": {"other": "{n}", "few": "x"}}"#;
        assert_eq!(
            check_catalogue::<T>(Lang::Es, unknown_form),
            vec!["message Ahead is neither text nor an object of plural forms"]
        );
        let bad = r#"{"Hello": "Hola {nombre}", "Ahead": {"other": "{n} más"}, "Old": "x"}"#;
        let problems = check_catalogue::<T>(Lang::Es, bad);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("t.Hello: placeholders differ")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("t.Ahead: no `one` form")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("t.Old: not a message")),
            "{problems:?}"
        );
        let ja = r#"{"Hello": "{name}", "Ahead": {"one": "1", "other": "{n}"}}"#;
        assert!(check_catalogue::<T>(Lang::Ja, ja)
            .iter()
            .any(|p| p.contains("ja has no `one` form")));
        assert_eq!(check_catalogue::<T>(Lang::De, "{}").len(), 2);
    }

    #[test]
    fn the_english_reference_lists_every_message() {
        let en = english_catalogue::<T>();
        assert!(en.contains(r#""Hello": "Hello {name}""#), "{en}");
        assert!(check_catalogue::<T>(Lang::En, &en).is_empty());
    }
}
