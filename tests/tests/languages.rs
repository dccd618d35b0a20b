//! The customer's journey in another language: a phone whose browser prefers Spanish is
//! spoken to in Spanish, and one switched to Japanese in the header in Japanese, with no
//! English left on any screen (a walk of the page's text); German, the language of long
//! words, fits a 320 px phone and a 200 % zoom.
//!
//! The words a test expects come from the catalogues (`public/locales`), so a change of
//! wording is not a failing test; a message left in English, or never put in a
//! catalogue, is.

use anyhow::{ensure, Context, Result};
use e2e::{workspace_root, Browser, Device, Harness, ADMIN, PHONE, TV};
use serde_json::Value;
use shared::AppKind;
use std::collections::BTreeMap;

/// One language's words, as its catalogues give them: (namespace, key) → text (a plural
/// message's `other` form).
struct Words(BTreeMap<(String, String), String>);

impl Words {
    fn of(tag: &str) -> Result<Self> {
        let mut words = BTreeMap::new();
        for ns in ["shared", "order", "barista", "display", "setup"] {
            let path = workspace_root().join(format!("public/locales/{tag}/{ns}.json"));
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
            let json: BTreeMap<String, Value> = serde_json::from_str(&text)?;
            for (key, value) in json {
                let text = match value {
                    Value::String(s) => s,
                    other => other["other"].as_str().unwrap_or_default().to_string(),
                };
                words.insert((ns.to_string(), key), text);
            }
        }
        Ok(Self(words))
    }

    fn get(&self, ns: &str, key: &str) -> String {
        self.0
            .get(&(ns.to_string(), key.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("no message {ns}.{key}"))
    }
}

/// Every text a person (or a screen reader) meets on the page: text nodes of shown
/// elements (and of visually hidden ones, which screen readers read) and the names in
/// attributes, leaving out what is marked `translate="no"` (drink names from the menu,
/// the brand, the list of languages).
const PAGE_TEXTS: &str = r#"
    const out = [];
    const skipped = el => el.closest('[translate="no"], script, style, noscript, template');
    const shown = el => el.closest('.visually-hidden')
        || (el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
        if (text && el && !skipped(el) && shown(el)) out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
        if (skipped(el)) continue;
        for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
            const value = (el.getAttribute(name) || '').trim();
            if (value) out.push(value);
        }
    }
    return out;
"#;

/// Words that show a text is English (none is a word of the other five languages).
const ENGLISH: [&str; 40] = [
    "the", "your", "you", "is", "are", "and", "of", "to", "for", "with", "order", "orders",
    "drink", "drinks", "scan", "choose", "ready", "sign", "please", "now", "here", "this", "will",
    "again", "left", "cancel", "next", "history", "loading", "try", "queue", "being", "collect",
    "enjoy", "coffee", "today", "account", "password", "skip", "language",
];

/// What on the page is still English: a text with an English word, the English of a
/// message that has a translation, or (for a language not written in Latin letters) any
/// word of four Latin letters.
async fn english_on(
    page: &Browser,
    tag: &str,
    english: &Words,
    words: &Words,
) -> Result<Vec<String>> {
    let texts: Vec<String> = serde_json::from_value(page.js(PAGE_TEXTS).await?)?;
    let translated: Vec<&String> = english
        .0
        .iter()
        // Whole messages only, with words (not a lone "." that ends a sentence).
        .filter(|(k, text)| {
            words.0.get(k) != Some(text)
                && !text.contains('{')
                && text.chars().any(char::is_alphabetic)
        })
        .map(|(_, text)| text)
        .collect();
    let latin_word = |w: &str| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic());
    Ok(texts
        .into_iter()
        // A person's own email (the sign-out button's title) is theirs, not the app's.
        .filter(|text| !text.contains('@'))
        .filter(|text| {
            let lower = text.to_lowercase();
            let mut found = lower.split(|c: char| !c.is_ascii_alphabetic() && c != '\'');
            found.any(|w| ENGLISH.contains(&w) || (tag == "ja" && latin_word(w)))
                || translated.contains(&text)
        })
        .collect())
}

async fn no_english(
    page: &Browser,
    tag: &str,
    english: &Words,
    words: &Words,
    screen: &str,
) -> Result<()> {
    let left = english_on(page, tag, english, words).await?;
    ensure!(
        left.is_empty(),
        "{screen} in {tag}: English left on the page: {left:?}"
    );
    page.look(&format!("{tag}-{screen}")).await?;
    Ok(())
}

/// The phone orders what it chose; the order's id once it has its number.
async fn place_the_order(phone: &Browser) -> Result<String> {
    phone.click(".order-now").await?;
    phone.wait_for(".order-number").await?;
    Ok(phone
        .attr(".status", "data-order")
        .await?
        .unwrap_or_default())
}

/// A barista makes the order and marks it ready.
async fn made_ready(harness: &Harness, order: &str) -> Result<()> {
    harness.barista_action(order, "make").await?;
    harness.barista_action(order, "complete").await
}

/// A customer signs in, scans, orders and is told the drink is ready, and looks at the
/// history, reading `tag`'s words all the way.
async fn journey(harness: &Harness, phone: &Browser, tag: &str, name: &str) -> Result<()> {
    let (english, words) = (Words::of("en")?, Words::of(tag)?);
    let said = |ns: &str, key: &str| words.get(ns, key);
    phone
        .wait_for_text("#auth-title", &said("shared", "SignInToOrder"))
        .await?;
    ensure!(
        phone.attr("html", "lang").await?.as_deref() == Some(tag),
        "the page says it is in {tag}"
    );
    no_english(phone, tag, &english, &words, "sign-in").await?;
    // The walk finds what it looks for: the page before the catalogue came was English.
    let (user, password) = harness.customer_login(name).await?;
    phone.sign_in(&user, &password).await?;

    harness.phone_scans(phone).await?;
    phone
        .wait_for_text("#menu-title", &said("order", "ChooseADrink"))
        .await?;
    no_english(phone, tag, &english, &words, "menu").await?;
    harness.phone_chooses(phone).await?;
    phone.wait_for(".order-now:not([disabled])").await?;
    no_english(phone, tag, &english, &words, "menu-chosen").await?;
    let order = place_the_order(phone).await?;
    phone
        .wait_for_text("#status-title [aria-hidden]", &said("order", "InTheQueue"))
        .await?;
    no_english(phone, tag, &english, &words, "queued").await?;

    made_ready(harness, &order).await?;
    let ready = said("order", "ReadyTitle");
    phone
        .wait_for_text("#status-title [aria-hidden]", &ready)
        .await?;
    phone
        .wait_for_text_containing("#order-alerter", &ready)
        .await?;
    no_english(phone, tag, &english, &words, "ready").await?;

    phone.click(".app-nav a[href$='history']").await?;
    phone
        .wait_for_text("#history-title", &said("order", "YourOrders"))
        .await?;
    phone.wait_for(".history-item").await?;
    no_english(phone, tag, &english, &words, "history").await
}

/// A phone whose browser prefers Spanish (Mexican, then any) gets the app in Spanish
/// from the first screen on, without touching the switch.
#[tokio::test]
async fn a_phone_that_prefers_spanish_orders_in_spanish() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness
        .browser_with(PHONE, &["--lang=es-MX", "--accept-lang=es-MX,es"])
        .await?;
    harness.open(&phone, AppKind::Order).await?;
    let preferred = phone.js("return navigator.languages[0]").await?;
    ensure!(
        preferred.as_str().is_some_and(|l| l.starts_with("es")),
        "the browser prefers {preferred}, not Spanish"
    );
    journey(&harness, &phone, "es", "sofia").await?;
    phone.close().await
}

/// A phone in English switched to Japanese in the header: the page changes language in
/// place, and the next visit is Japanese too.
#[tokio::test]
async fn a_phone_switched_to_japanese_orders_in_japanese() -> Result<()> {
    let harness = Harness::start().await?;
    let phone = harness.browser(PHONE).await?;
    harness.open(&phone, AppKind::Order).await?;
    let english = Words::of("en")?;
    phone
        .wait_for_text("#auth-title", &english.get("shared", "SignInToOrder"))
        .await?;
    let before = english_on(&phone, "ja", &english, &Words::of("ja")?).await?;
    ensure!(
        !before.is_empty(),
        "the check for English found none on the English page"
    );
    phone.click(".lang-switch option[value='ja']").await?;
    journey(&harness, &phone, "ja", "haruto").await?;
    phone.reload().await?;
    phone
        .wait_for_text(
            "#history-title",
            &Words::of("ja")?.get("order", "YourOrders"),
        )
        .await?;
    phone.close().await
}

/// French, German and Brazilian Portuguese, each chosen in the header: with Spanish and
/// Japanese above, the journey runs in every language the apps speak.
#[tokio::test]
async fn the_journey_in_french_german_and_portuguese() -> Result<()> {
    let harness = Harness::start().await?;
    let english = Words::of("en")?;
    for (tag, name) in [("fr", "chloe"), ("de", "lukas"), ("pt-BR", "ana-clara")] {
        let phone = harness.browser(PHONE).await?;
        harness.open(&phone, AppKind::Order).await?;
        phone
            .wait_for_text("#auth-title", &english.get("shared", "SignInToOrder"))
            .await?;
        phone
            .click(&format!(".lang-switch option[value='{tag}']"))
            .await?;
        journey(&harness, &phone, tag, name).await?;
        phone.close().await?;
    }
    Ok(())
}

/// The staff's screens in the language chosen on them (remembered by the browser): the
/// barista console on the iPad with an order on it, and the TV board with the order in
/// Preparing, in Japanese.
#[tokio::test]
async fn the_console_and_the_board_in_japanese() -> Result<()> {
    let harness = Harness::start().await?;
    let (english, words) = (Words::of("en")?, Words::of("ja")?);
    harness.open_store().await?;
    let order = harness.order("kenji", harness.drink().0).await?;

    let ipad = harness.staff_console().await?;
    ipad.js("localStorage.setItem('serverlesspresso.lang', 'ja')")
        .await?;
    ipad.reload().await?;
    ipad.wait_for_text_containing("#col-Preview", &words.get("barista", "Preview"))
        .await?;
    ipad.wait_for(&format!(".order-card[data-order='{order}'] .make"))
        .await?;
    ensure!(
        ipad.text(&format!(".order-card[data-order='{order}'] .make"))
            .await?
            == words.get("barista", "Make"),
        "the card's main button is in Japanese"
    );
    no_english(&ipad, "ja", &english, &words, "console").await?;
    // The settings page's words come with it (they are not in the first load).
    ipad.goto(&harness.url("/barista/settings")).await?;
    ipad.wait_for_text("#settings-title", &words.get("setup", "SettingsTitle"))
        .await?;
    ipad.wait_for_text_containing(
        "label[for='setting-region']",
        &words.get("setup", "FieldRegion"),
    )
    .await?;
    ipad.look("ja-settings").await?;

    let tv = harness.browser(TV).await?;
    harness.sign_in_to(&tv, AppKind::Display, ADMIN).await?;
    tv.wait_for_qr_code().await?;
    tv.js("localStorage.setItem('serverlesspresso.lang', 'ja')")
        .await?;
    tv.reload().await?;
    tv.wait_for_text("#preparing-title", &words.get("display", "Preparing"))
        .await?;
    tv.wait_for_text("#qr-title", &words.get("display", "ScanToOrder"))
        .await?;
    no_english(&tv, "ja", &english, &words, "board").await?;
    ipad.close().await?;
    tv.close().await
}

/// German has the longest words: on a 320 px phone and at 200 % zoom (a 195 px
/// viewport), no screen of the order spills sideways or puts a control off the screen.
#[tokio::test]
async fn german_fits_a_narrow_phone_and_a_double_zoom() -> Result<()> {
    let harness = Harness::start().await?;
    let words = Words::of("de")?;
    let narrow = Device {
        name: "phone-320",
        width: 320,
        height: 640,
        touch: true,
    };
    let zoomed = Device {
        name: "phone-200pct",
        width: 195,
        height: 422,
        touch: true,
    };
    for (device, name) in [(narrow, "lena"), (zoomed, "jonas")] {
        let phone = harness
            .browser_with(device, &["--lang=de", "--accept-lang=de"])
            .await?;
        harness.open(&phone, AppKind::Order).await?;
        phone
            .wait_for_text("#auth-title", &words.get("shared", "SignInToOrder"))
            .await?;
        fits(&phone, &format!("{}-sign-in", device.name)).await?;
        let (user, password) = harness.customer_login(name).await?;
        phone.sign_in(&user, &password).await?;
        harness.phone_scans(&phone).await?;
        harness.phone_chooses(&phone).await?;
        fits(&phone, &format!("{}-menu", device.name)).await?;
        let order = place_the_order(&phone).await?;
        made_ready(&harness, &order).await?;
        phone
            .wait_for_text(
                "#status-title [aria-hidden]",
                &words.get("order", "ReadyTitle"),
            )
            .await?;
        fits(&phone, &format!("{}-ready", device.name)).await?;
        phone.close().await?;
    }
    Ok(())
}

/// Nothing spills sideways and every control is on the screen.
async fn fits(page: &Browser, screen: &str) -> Result<()> {
    let spill = page
        .js("return document.documentElement.scrollWidth - window.innerWidth")
        .await?;
    ensure!(
        spill.as_i64() == Some(0),
        "de {screen}: the page spills {spill} px sideways"
    );
    let off = page
        .js("return [...document.querySelectorAll('button, a, select, input')].filter(e => e.getClientRects().length && e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.textContent.trim() || e.outerHTML.slice(0, 60))")
        .await?;
    ensure!(
        off.as_array().is_some_and(Vec::is_empty),
        "de {screen}: off the screen: {off}"
    );
    page.look(&format!("de-{screen}")).await?;
    Ok(())
}
