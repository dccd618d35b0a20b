//! The people of a test: customers and baristas acting through the public APIs (the
//! emulator's native client, as its own tests use it), so the browser under test sees
//! real traffic, and people signing in to the apps in a browser.

use crate::harness::admin_of;
use crate::{eventually, Browser, Harness};
use anyhow::{anyhow, bail, Result};

impl Harness {
    /// The barista's sign-in: (username, password); in E a phone number.
    pub fn admin(&self) -> (String, String) {
        admin_of(&self.variant)
    }

    /// The barista, signed in through the public API.
    pub async fn barista(&self) -> Result<emulator::client::Client> {
        let mut c = self.client();
        let (user, password) = self.admin();
        c.sign_in_as(&self.emulator.base_url(), &user, &password)
            .await?;
        Ok(c)
    }

    /// Opens the store (E's seed has it closed).
    pub async fn open_store(&self) -> Result<()> {
        let reply = self.barista().await?.set_store(true).await?;
        anyhow::ensure!(reply.status == 200, "opening the store: {}", reply.body);
        Ok(())
    }

    /// A drink on this variant's menu, and an option for it (E's menu has milk).
    pub fn drink(&self) -> (&'static str, Option<&'static str>) {
        match self.variant {
            emulator::Variant::W => ("Latte", None),
            emulator::Variant::E { .. } => ("Flat White", Some("Oat")),
        }
    }

    /// Opens `app` as a new device would (it finds its settings beside its page), and
    /// waits for the sign-in page.
    pub async fn open(&self, browser: &Browser, app: shared::AppKind) -> Result<()> {
        browser
            .goto(&self.url(&format!("/{}/", app.slug())))
            .await?;
        browser.wait_for("#auth-title").await?;
        Ok(())
    }

    /// Opens `app` in `browser` and signs in as `user`: email and password in W, the
    /// phone number and its texted code in E.
    pub async fn sign_in_to(
        &self,
        browser: &Browser,
        app: shared::AppKind,
        user: (&str, &str),
    ) -> Result<()> {
        self.open(browser, app).await?;
        match self.variant {
            emulator::Variant::W => browser.sign_in(user.0, user.1).await,
            emulator::Variant::E { .. } => self.phone_sign_in(browser, user.0).await,
        }
    }

    /// The phone sign-in page: the number, "Get code", the code from the text message.
    pub async fn phone_sign_in(&self, browser: &Browser, phone: &str) -> Result<()> {
        let before = self.sent_code(phone);
        browser.fill("#auth-phone", phone).await?;
        browser.click_button("Get code").await?;
        let texted = || self.sent_code(phone).filter(|c| Some(c) != before.as_ref());
        eventually("the code is texted", || async { Ok(texted().is_some()) }).await?;
        browser
            .fill("#auth-code", &texted().unwrap_or_default())
            .await?;
        browser.click_button("Submit").await?;
        browser.sign_in_taken().await
    }

    /// A customer's sign-in for a browser: an account created through the API, as
    /// (username, password) for [`Harness::sign_in_to`].
    pub async fn customer_login(&self, name: &str) -> Result<(String, String)> {
        let mut customer = self.client();
        let username = customer
            .register_customer(&self.emulator.base_url(), name)
            .await?;
        Ok((username, "password1".into()))
    }

    /// A customer, signed up (W: `name@example.com`; E: a phone number) and signed in
    /// through the API.
    pub async fn customer(&self, name: &str) -> Result<emulator::client::Client> {
        let mut customer = self.client();
        customer
            .register_customer(&self.emulator.base_url(), name)
            .await?;
        Ok(customer)
    }

    /// The barista console on an iPad, signed in as the admin and live.
    pub async fn staff_console(&self) -> Result<Browser> {
        let browser = self.browser(crate::IPAD).await?;
        let (admin, secret) = self.admin();
        self.sign_in_to(&browser, shared::AppKind::Barista, (&admin, &secret))
            .await?;
        browser.wait_for_connection("live").await?;
        Ok(browser)
    }

    /// The QR code the board shows now.
    pub async fn current_code(&self) -> Result<String> {
        let bucket = self.barista().await?.qr_code().await?;
        Ok(bucket["last_code"].as_str().unwrap_or_default().to_string())
    }

    /// A code the board will show for at least `lasting` more (waiting for the next one
    /// when the current window ends sooner): for a test that scans a code itself after
    /// a few steps, where the code moving on would be a different story.
    pub async fn code_lasting(&self, lasting: std::time::Duration) -> Result<String> {
        let barista = self.barista().await?;
        let first = barista.qr_code().await?;
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64;
        let left_ms = first["end_ts"].as_i64().unwrap_or(i64::MAX) - now_ms;
        let code = first["last_code"].as_str().unwrap_or_default().to_string();
        if left_ms >= lasting.as_millis() as i64 {
            return Ok(code);
        }
        crate::eventually_within(lasting * 2, "the next QR code", || async {
            Ok(self.current_code().await? != code)
        })
        .await?;
        self.current_code().await
    }

    /// `customer` scans `code`; the order id, or an error when the scan is refused.
    pub async fn scan(&self, customer: &emulator::client::Client, code: &str) -> Result<String> {
        customer.scan_ok(code).await
    }

    /// Submits `drink` (with this variant's option when it has one) once the workflow
    /// has stored its task token (asynchronously).
    pub async fn submit(
        &self,
        customer: &emulator::client::Client,
        order: &str,
        drink: &str,
    ) -> Result<()> {
        let barista = self.barista().await?;
        eventually("the order row exists", || async {
            let rows = barista.orders(&shared::model::OrderState::Created).await?;
            Ok(rows.iter().any(|o| o["SK"]["S"] == order))
        })
        .await?;
        let options: Vec<&str> = match self.drink() {
            (default, Some(option)) if default == drink => vec![option],
            _ => Vec::new(),
        };
        let reply = customer.submit_drink(order, drink, &options).await?;
        anyhow::ensure!(reply.status == 200, "submitting: {}", reply.body);
        Ok(())
    }

    /// `customer` scans the code the board shows now; the order id. A code read just
    /// before the board moves on to the next is refused, as it would be for a person (the
    /// last CI failure: 2-second answers straddled a rotation); like that person, the
    /// customer scans the new code. A refusal of the code still showing is an error.
    pub async fn scan_current(&self, customer: &emulator::client::Client) -> Result<String> {
        let mut code = self.current_code().await?;
        for _ in 0..3 {
            match self.scan(customer, &code).await {
                Ok(order) => return Ok(order),
                Err(refused) => code = self.moved_on_from(&code, refused).await?,
            }
        }
        bail!("the code changed three times while scanning it")
    }

    /// After `code` was refused for `why`: the code the board shows now, to scan instead,
    /// if it moved on since (a person would scan again); else the refusal stands.
    async fn moved_on_from(&self, code: &str, why: anyhow::Error) -> Result<String> {
        let showing = self.current_code().await?;
        if showing == code {
            return Err(why);
        }
        Ok(showing)
    }

    /// A new customer scans the current code and orders `drink`; returns the order id.
    pub async fn order(&self, name: &str, drink: &str) -> Result<String> {
        let customer = self.customer(name).await?;
        let order = self.scan_current(&customer).await?;
        self.submit(&customer, &order, drink).await?;
        Ok(order)
    }

    /// A signed-in phone scans the code showing now and orders this backend's drink;
    /// returns the order id once the order has its number.
    pub async fn phone_orders(&self, phone: &Browser) -> Result<String> {
        self.phone_scans(phone).await?;
        self.phone_chooses_and_orders(phone).await
    }

    /// A signed-in phone opens the link of the code showing now, up to its menu. Like
    /// [`Harness::scan_current`], a phone that scanned a code just as the board moved on
    /// is told so, and scans the new one.
    pub async fn phone_scans(&self, phone: &Browser) -> Result<()> {
        self.phone_scans_until(phone, "#menu-title").await
    }

    /// [`Harness::phone_scans`] until the phone shows `arrived` (CSS): a test whose
    /// customer has seconds to choose may find the order already over on a slow machine.
    pub async fn phone_scans_until(&self, phone: &Browser, arrived: &str) -> Result<()> {
        let code = self.current_code().await?;
        phone
            .goto(&self.url(&format!("/order/?token={code}")))
            .await?;
        self.phone_reaches(phone, &code, arrived).await
    }

    /// A phone that opened the link of `scanned` shows its menu: if the board moved on
    /// to another code meanwhile (a sign-up takes a while), it is told so, and scans the
    /// code showing now, as its customer would.
    pub async fn phone_reaches_the_menu(&self, phone: &Browser, scanned: &str) -> Result<()> {
        self.phone_reaches(phone, scanned, "#menu-title").await
    }

    async fn phone_reaches(&self, phone: &Browser, scanned: &str, arrived: &str) -> Result<()> {
        let mut code = scanned.to_string();
        for _ in 0..3 {
            // Arrived, or a notice (not the busy one shown while the scan is on its way).
            phone
                .wait_for(&format!(
                    "{arrived}, .notice:not([aria-busy]) #notice-title"
                ))
                .await?;
            if phone.shows(arrived).await? {
                return Ok(());
            }
            let notice = phone.text("#notice-title").await?;
            let refused = anyhow!("the phone was refused the code showing now: {notice}");
            code = self.moved_on_from(&code, refused).await?;
            phone
                .goto(&self.url(&format!("/order/?token={code}")))
                .await?;
        }
        bail!("the code changed three times while the phone scanned it")
    }

    /// A signed-in phone opens `link` (what the TV's QR code says), chooses this
    /// backend's drink, sees it summed up and orders it; returns the order id once the
    /// order has its number.
    pub async fn phone_orders_from(&self, phone: &Browser, link: &str) -> Result<String> {
        phone.goto(link).await?;
        self.phone_chooses_and_orders(phone).await
    }

    /// A phone about to show the menu chooses this backend's drink, sees it summed up and
    /// orders it; the order id once the order has its number.
    async fn phone_chooses_and_orders(&self, phone: &Browser) -> Result<String> {
        phone.wait_for_text("#menu-title", "Choose a drink").await?;
        let (drink, option) = self.drink();
        self.phone_chooses(phone).await?;
        phone
            .wait_for_text(".order-summary .drink-line", &drink_line(drink, option))
            .await?;
        phone.click_button("Order now").await?;
        phone.wait_for(".order-number").await?;
        Ok(phone
            .attr(".status", "data-order")
            .await?
            .unwrap_or_default())
    }

    /// A phone on the menu picks this backend's drink and its option (by their names,
    /// which come from the backend in every language).
    pub async fn phone_chooses(&self, phone: &Browser) -> Result<()> {
        let (drink, option) = self.drink();
        phone.click_button(drink).await?;
        if let Some(option) = option {
            phone.click_button(option).await?;
        }
        Ok(())
    }

    /// The barista's `make`, `unmake`, `complete` or `cancel`, through the API.
    pub async fn barista_action(&self, order: &str, action: &str) -> Result<()> {
        let reply = self.barista().await?.order_action(order, action).await?;
        anyhow::ensure!(reply.status == 200, "{action} failed: {}", reply.body);
        Ok(())
    }
}

impl Browser {
    /// Signs in on the shared sign-in page (with its submit button, whatever the page's
    /// language), and waits until the page has taken the session (the form is gone), as
    /// a person waits before scanning a code.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        self.fill("#auth-email", email).await?;
        self.fill("#auth-password", password).await?;
        self.click(".auth-card button[type=submit]").await?;
        self.sign_in_taken().await
    }

    /// Waits until the sign-in form has gone (signed in, or refused for privileges).
    pub async fn sign_in_taken(&self) -> Result<()> {
        eventually("the sign-in form has gone", || async {
            Ok(!self.shows("#auth-title").await?)
        })
        .await
    }
}

/// A drink and its option as the phone and the TV write it: "Latte (Oat)". The tests' own
/// statement of it, so a change to the apps' wording shows as a failing test.
pub fn drink_line(drink: &str, option: Option<&str>) -> String {
    match option {
        Some(option) => format!("{drink} ({option})"),
        None => drink.to_string(),
    }
}
