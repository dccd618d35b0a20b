//! Signing in, as every app needs it: the auth state in context, the sign-in and
//! create-account forms with their errors, and the gate that shows them.

use super::alert::{Alert, AlertKind};
use super::{t, use_i18n};
use crate::api::{ApiCall, ApiError};
use crate::cognito::CognitoErrorKind;
use crate::i18n::{Message, Phrase};
use crate::kind::{AppKind, Flavour};
use crate::settings::Settings;
use crate::text::{Common, Explain};
use crate::web::auth::{AuthClient, AuthError, PhoneChallenge, SignedIn};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// Who is signed in, and the client that keeps them signed in.
#[derive(Clone)]
pub struct Auth {
    pub client: AuthClient,
    pub user: RwSignal<Option<SignedIn>>,
}

impl Auth {
    pub fn sign_out(&self) {
        self.client.sign_out();
        self.user.set(None);
    }

    /// Sends a REST call with a fresh access token and reads its answer. When the
    /// backend no longer accepts the session, the person is signed out and sees the
    /// sign-in page.
    pub async fn call<T>(&self, call: ApiCall<T>) -> Result<T, ApiError> {
        let mut answer = crate::web::send_signed(&self.client, &call.request, false).await;
        if matches!(answer, Ok((401, _))) {
            // The backend refused a token we thought good (a clock off, a shortened
            // lifetime): refresh it now and try once more before anyone is signed out.
            answer = crate::web::send_signed(&self.client, &call.request, true).await;
        }
        if matches!(answer, Err(ApiError::Unauthorized) | Ok((401, _))) {
            self.sign_out();
        }
        let (status, body) = answer?;
        call.read(status, &body)
    }
}

/// Provides [`Auth`] for `app`, starting from the session kept in this browser.
pub fn provide_auth(settings: &Settings, app: AppKind) -> Auth {
    let client = AuthClient::new(settings.clone(), app);
    let auth = Auth {
        user: RwSignal::new(client.stored()),
        client,
    };
    provide_context(auth.clone());
    auth
}

/// Shows the sign-in page until someone is signed in; with `admin_only`, until an
/// admin is (others see "Insufficient privileges").
#[component]
pub fn RequireSignIn(#[prop(optional)] admin_only: bool, children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let children = StoredValue::new(children);
    // Only signing in or out (or a change of group) rebuilds the page, not a token
    // refresh: the display keeps its state and connection all day.
    let access = Memo::new(move |_| auth.user.with(|u| u.as_ref().map(SignedIn::is_admin)));
    move || match access.get() {
        None => view! { <SignInPage/> }.into_any(),
        Some(false) if admin_only => view! { <InsufficientPrivileges/> }.into_any(),
        Some(_) => children.with_value(|c| c()).into_any(),
    }
}

#[component]
fn InsufficientPrivileges() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let name = auth
        .user
        .get_untracked()
        .map(|u| u.display_name())
        .unwrap_or_default();
    view! {
        <section class="card auth-card" aria-labelledby="privileges-title">
            <h1 id="privileges-title">{t(Common::InsufficientPrivileges)}</h1>
            <p>{t(Common::NotAdmin.with("name", &name))}</p>
            <button type="button" class="button secondary" on:click=move |_| auth.sign_out()>{t(Common::SignOut)}</button>
        </section>
    }
}

/// The sign-in the backend uses: email and password for W, phone and a texted code for
/// the V1 and E backends (contract §2.1).
#[component]
pub fn SignInPage() -> impl IntoView {
    let flavour = expect_context::<Auth>().client.settings().flavour;
    match flavour {
        Flavour::W => view! { <EmailSignIn/> }.into_any(),
        _ => view! { <super::Deferred load=phone_sign_in/> }.into_any(),
    }
}

// Only one of the two forms is used by a deployment: the workshop backend's (W) comes
// with the first screen, the phone form loads when needed.
crate::deferred_screen!(phone_sign_in => PhoneSignIn);

/// How long "Get code" waits before it may be pressed again.
const RESEND_WAIT_MS: i64 = 30_000;

/// Phone sign-in: the number, "Get code", then the six digits from the text message.
/// What the person reads derives from the last answer of each step.
#[component]
fn PhoneSignIn() -> impl IntoView {
    use crate::web::auth::PhoneAnswer;
    let auth = expect_context::<Auth>();
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let number_error = RwSignal::new(None::<Common>);
    let i18n = use_i18n();
    let sent_at = RwSignal::new(None::<i64>);
    let now = super::use_clock(std::time::Duration::from_secs(1));

    let client = auth.client.clone();
    let get_code = Action::new_local(move |number: &String| {
        let (client, number) = (client.clone(), number.clone());
        async move { client.start_phone_sign_in(&number).await }
    });
    // The right code signs in; a wrong one answers with the challenge to retry.
    let client = auth.client.clone();
    let answer = Action::new_local(move |(c, digits): &(PhoneChallenge, String)| {
        let (client, c, digits) = (client.clone(), c.clone(), digits.clone());
        async move { client.answer_phone_code(&c, &digits).await }
    });
    // Signed in: the app moves on once the answer has settled, so that this page (with
    // the action it owns) goes in one piece rather than under a finishing action.
    let user = auth.user;
    Effect::new(move || {
        if let Some(Ok(PhoneAnswer::SignedIn(signed_in))) = answer.value().get() {
            user.set(Some(*signed_in));
        }
    });
    // The challenge to answer: after a wrong code, the one that came with it.
    let challenge = move || match answer.value().get() {
        Some(Ok(PhoneAnswer::WrongCode(next))) => Some(next),
        _ => get_code.value().get().and_then(Result::ok),
    };
    let error = move || {
        if let Some(e) = number_error.get() {
            return Some(i18n.say(e));
        }
        match answer.value().get() {
            Some(Ok(PhoneAnswer::WrongCode(_))) => return Some(i18n.say(Common::WrongTextCode)),
            Some(Err(e)) => return Some(i18n.say(e.explain())),
            _ => {}
        }
        super::error_of(get_code)
    };
    let wait_left = move || {
        sent_at
            .get()
            .map_or(0, |t| (t + RESEND_WAIT_MS - now.get()).max(0) / 1000)
    };
    let request_code = move |_| {
        let number = phone.get_untracked().trim().replace([' ', '-'], "");
        if !crate::cognito::is_e164(&number) {
            number_error.set(Some(Common::PhoneFormat));
            return;
        }
        number_error.set(None);
        answer.value().set(None);
        sent_at.set(Some(crate::web::now_ms()));
        get_code.dispatch(number);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(c) = challenge() {
            answer.dispatch((c, code.get_untracked().trim().to_string()));
        }
    };
    let input = |value: RwSignal<String>| move |ev| value.set(event_target_value(&ev));
    view! {
        <section class="card auth-card" aria-labelledby="auth-title">
            <h1 id="auth-title">{t(Common::PhoneSignInTitle)}</h1>
            {move || error().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
            <form novalidate on:submit=on_submit>
                <div class="field">
                    <label for="auth-phone">{t(Common::PhoneNumber)}</label>
                    <input id="auth-phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required
                        placeholder="+15551234567" prop:value=move || phone.get() on:input=input(phone)/>
                </div>
                <div class="button-row">
                    <button type="button" class="button secondary" on:click=request_code
                        disabled=move || { get_code.pending().get() || wait_left() > 0 }>
                        {move || match wait_left() { 0 => i18n.say(Common::GetCode), s => i18n.say(Common::GetCodeWait.with("s", s)) }}
                    </button>
                </div>
                <Show when=move || challenge().is_some()>
                    <div class="field">
                        <label for="auth-code">{t(Common::TextCode)}</label>
                        <input id="auth-code" name="code" inputmode="numeric" autocomplete="one-time-code" required
                            maxlength="6" prop:value=move || code.get() on:input=input(code)/>
                    </div>
                    <div class="button-row">
                        <button type="submit" class="button" disabled=move || answer.pending().get()>{t(Common::Submit)}</button>
                    </div>
                </Show>
            </form>
        </section>
    }
}

/// Where the email sign-in is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    SignIn,
    CreateAccount,
    /// The emailed code for `email`.
    Confirm,
}

/// What the form asked for, and what came of it.
#[derive(Clone)]
enum Request {
    SignIn {
        email: String,
        password: String,
    },
    CreateAccount {
        email: String,
        password: String,
    },
    Confirm {
        email: String,
        code: String,
        password: String,
    },
    Resend {
        email: String,
    },
}

/// A sign-up waiting for its emailed code survives a reload of the page (the customer
/// switched to their mail app and back), so the QR token in the address and the step
/// are both still there. Only the email is kept, in this tab's session storage.
fn pending_key(app: AppKind) -> String {
    format!("serverlesspresso.{}.confirming", app.slug())
}

/// Email and password sign-in (variant W), account creation (customers only), the
/// emailed code with "Send a new code", and a sign-in that finds the account
/// unconfirmed going to the code step.
#[component]
fn EmailSignIn() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let app = expect_context::<super::SettingsContext>().app;
    let can_create = app == AppKind::Order;
    let pending = super::browser::session_get(&pending_key(app));
    let step = RwSignal::new(if pending.is_some() {
        Step::Confirm
    } else {
        Step::SignIn
    });
    let email = RwSignal::new(pending.unwrap_or_default());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());

    // Each request runs to its end here: the session on success, or the next step.
    // What the person reads (notice or error) is derived from the last outcome.
    let (client, user) = (auth.client.clone(), auth.user);
    let submit = Action::new_local(move |request: &Request| {
        let (client, request) = (client.clone(), request.clone());
        async move {
            let notice: Result<Option<Phrase>, AuthError> = async {
                let to_confirm = |address: &str| {
                    super::browser::session_set(&pending_key(app), address);
                    step.set(Step::Confirm);
                };
                match request {
                    Request::SignIn { email, password } => {
                        match client.sign_in(&email, &password).await {
                            Ok(signed_in) => {
                                super::browser::session_remove(&pending_key(app));
                                user.set(Some(signed_in));
                                Ok(None)
                            }
                            Err(AuthError::Cognito(e))
                                if e.kind == CognitoErrorKind::UserNotConfirmed =>
                            {
                                to_confirm(&email);
                                Ok(Some(Common::NotConfirmedEnterCode.into()))
                            }
                            Err(e) => Err(e),
                        }
                    }
                    Request::CreateAccount { email, password } => {
                        client.sign_up(&email, &password).await?;
                        to_confirm(&email);
                        Ok(Some(Common::CodeSentTo.with("email", email)))
                    }
                    Request::Confirm {
                        email,
                        code,
                        password,
                    } => {
                        client.confirm(&email, &code).await?;
                        super::browser::session_remove(&pending_key(app));
                        if password.is_empty() {
                            // The page was reloaded since the password was typed.
                            step.set(Step::SignIn);
                            return Ok(Some(Common::EmailConfirmed.into()));
                        }
                        let signed_in = client.sign_in(&email, &password).await?;
                        user.set(Some(signed_in));
                        Ok(None)
                    }
                    Request::Resend { email } => {
                        client.resend_code(&email).await?;
                        Ok(Some(Common::NewCodeSentTo.with("email", email)))
                    }
                }
            }
            .await;
            notice
        }
    });
    let i18n = use_i18n();
    let notice = move || {
        submit
            .value()
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|n| i18n.say(n))
    };
    let error = move || super::error_of(submit);
    let busy = move || submit.pending().get();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_string();
        let request = match step.get_untracked() {
            Step::SignIn => Request::SignIn {
                email: address,
                password: password.get_untracked(),
            },
            Step::CreateAccount => Request::CreateAccount {
                email: address,
                password: password.get_untracked(),
            },
            Step::Confirm => Request::Confirm {
                email: address,
                code: code.get_untracked().trim().to_string(),
                password: password.get_untracked(),
            },
        };
        submit.dispatch(request);
    };
    let switch = move |to: Step| {
        move |_| {
            super::browser::session_remove(&pending_key(app));
            submit.value().set(None);
            step.set(to);
        }
    };
    let resend = move |_| {
        submit.dispatch(Request::Resend {
            email: email.get_untracked().trim().to_string(),
        });
    };
    let title = move || {
        i18n.say(match step.get() {
            Step::SignIn if can_create => Common::SignInToOrder,
            Step::SignIn => Common::SignInTitle,
            Step::CreateAccount => Common::CreateAccountTitle,
            Step::Confirm => Common::ConfirmEmailTitle,
        })
    };
    let submit_label = move || {
        i18n.say(match (step.get(), busy()) {
            (_, true) => Common::PleaseWait,
            (Step::SignIn, _) => Common::SignInButton,
            (Step::CreateAccount, _) => Common::CreateAccountButton,
            (Step::Confirm, _) => Common::ConfirmButton,
        })
    };
    let input = |value: RwSignal<String>| move |ev| value.set(event_target_value(&ev));

    view! {
        <section class="card auth-card" aria-labelledby="auth-title">
            <h1 id="auth-title">{title}</h1>
            {(!can_create).then(|| view! { <p>{t(Common::StaffOnly)}</p> })}
            {move || notice().map(|n| view! { <Alert kind=AlertKind::Info>{n}</Alert> })}
            {move || error().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
            <form novalidate on:submit=on_submit aria-busy=move || busy().to_string()>
                <div class="field">
                    <label for="auth-email">{t(Common::Email)}</label>
                    <input id="auth-email" name="email" type="email" autocomplete="username" required
                        prop:value=move || email.get() on:input=input(email)
                        disabled=move || step.get() == Step::Confirm/>
                </div>
                <Show when=move || step.get() != Step::Confirm>
                    <div class="field">
                        <label for="auth-password">{t(Common::Password)}</label>
                        <input id="auth-password" name="password" type="password" required minlength="6"
                            autocomplete=move || if step.get() == Step::CreateAccount { "new-password" } else { "current-password" }
                            prop:value=move || password.get() on:input=input(password)
                            aria-describedby="auth-password-help"/>
                        <p id="auth-password-help" class="field-help">{t(Common::PasswordHelp)}</p>
                    </div>
                </Show>
                <Show when=move || step.get() == Step::Confirm>
                    <div class="field">
                        <label for="auth-code">{t(Common::EmailCode)}</label>
                        <input id="auth-code" name="code" inputmode="numeric" autocomplete="one-time-code" required
                            prop:value=move || code.get() on:input=input(code)/>
                    </div>
                </Show>
                <div class="button-row">
                    <button type="submit" class="button" disabled=busy>{submit_label}</button>
                    {move || match step.get() {
                        Step::SignIn => can_create.then(|| view! {
                            <button type="button" class="button secondary" on:click=switch(Step::CreateAccount)>
                                {t(Common::CreateAnAccount)}
                            </button>
                        }.into_any()),
                        Step::CreateAccount => Some(view! {
                            <button type="button" class="button secondary" on:click=switch(Step::SignIn)>
                                {t(Common::HaveAnAccount)}
                            </button>
                        }.into_any()),
                        Step::Confirm => Some(view! {
                            <button type="button" class="button secondary" on:click=resend disabled=busy>
                                {t(Common::SendNewCode)}
                            </button>
                            <button type="button" class="button secondary" on:click=switch(Step::SignIn)>
                                {t(Common::BackToSignIn)}
                            </button>
                        }.into_any()),
                    }}
                </div>
            </form>
        </section>
    }
}

/// The signed-in person and a sign-out button, for a header.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let auth = expect_context::<Auth>();
    move || {
        let auth = auth.clone();
        auth.user.get().map(|user| {
            view! {
                <button type="button" class="button secondary small" on:click=move |_| auth.sign_out()
                    title=user.display_name()>
                    {t(Common::SignOut)}
                </button>
            }
        })
    }
}
