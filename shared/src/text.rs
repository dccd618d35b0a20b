//! The words of what the apps share (the header, signing in, connection banners, errors,
//! an order's status), and [`Explain`]: an error said to a person in their language.
//! Translations: `public/locales/{tag}/shared.json`.

use crate::api::ApiError;
use crate::cognito::{CognitoError, CognitoErrorKind};
use crate::i18n::{Message, Phrase};
use crate::kind::AppKind;
use crate::model::OrderStatus;

crate::messages! {
    /// The shared UI's messages.
    pub enum Common in "shared" {
        SkipToContent => "Skip to content",
        /// The language switch's name, for screen readers.
        Language => "Language",
        MainNav => "Main",
        AppOrder => "Order",
        AppBarista => "Barista",
        AppDisplay => "Display",
        Loading => "Loading",
        TryAgain => "Try again",
        Yes => "Yes",
        No => "No",
        SignOut => "Sign out",
        // Order statuses, as every app names them.
        StatusChoosing => "Choosing",
        StatusInQueue => "In the queue",
        StatusReady => "Ready",
        StatusCancelled => "Cancelled",
        StatusTimedOut => "Timed out",
        StatusUnknown => "Unknown",
        // The real-time connection.
        LiveConnecting => "Connecting for live updates…",
        LiveRefused => "The server refused live updates for this screen. Trying again in {s} s…",
        LiveReconnecting => "Offline: live updates paused. Reconnecting in {s} s…",
        LiveStopped => "Live updates are off.",
        // Signing in.
        SignInToOrder => "Sign in to order",
        SignInTitle => "Sign in",
        CreateAccountTitle => "Create an account",
        ConfirmEmailTitle => "Confirm your email",
        StaffOnly => "Staff only: sign in with a barista account.",
        Email => "Email",
        Password => "Password",
        PasswordHelp => "At least 6 characters.",
        EmailCode => "Code from the email",
        PleaseWait => "Please wait…",
        SignInButton => "Sign in",
        CreateAccountButton => "Create account",
        ConfirmButton => "Confirm",
        CreateAnAccount => "Create an account",
        HaveAnAccount => "I have an account",
        SendNewCode => "Send a new code",
        BackToSignIn => "Back to sign in",
        NotConfirmedEnterCode => "This account is not confirmed yet. Enter the code we emailed you, or send a new one.",
        CodeSentTo => "We sent a code to {email}. Enter it below.",
        EmailConfirmed => "Your email is confirmed. Sign in with your password.",
        NewCodeSentTo => "We sent a new code to {email}.",
        PhoneSignInTitle => "Sign in with your phone",
        PhoneNumber => "Phone number",
        GetCode => "Get code",
        GetCodeWait => "Get code ({s} s)",
        TextCode => "Code from the text message",
        Submit => "Submit",
        WrongTextCode => "Invalid code. Check the text message and try again.",
        PhoneFormat => "Enter your number with its country code, such as +15551234567.",
        InsufficientPrivileges => "Insufficient privileges",
        NotAdmin => "{name} is not in the admin group. Sign in with a barista account.",
        // Errors.
        ErrNetwork => "The server could not be reached. Check the connection and try again.",
        ErrSessionExpired => "Your session has expired. Sign in again.",
        ErrSignInService => "Signing in is not working right now ({why}). Trying again shortly.",
        ErrForbidden => "You are not allowed to do this.",
        ErrRejected => "The request was refused: {why}",
        ErrServer => "The server had a problem (HTTP {status}). Try again in a moment.",
        ErrUnreadable => "The server's answer could not be read: {why}",
        ErrNotLoaded => "Part of the app could not be loaded. Check your connection and try again.",
        ErrSignInWentWrong => "Sign-in went wrong: {why}",
        ErrWrongPassword => "That email and password do not match an account.",
        ErrNotConfirmed => "This account is not confirmed yet: enter the code we emailed you.",
        ErrAccountExists => "An account with this email already exists. Sign in instead.",
        ErrCodeMismatch => "That code is not right. Check the email and try again.",
        ErrCodeExpired => "That code has expired. Ask for a new one.",
        ErrPasswordTooShort => "Choose a password of at least 6 characters.",
        ErrTooManyAttempts => "Too many attempts. Wait a minute, then try again.",
        ErrSignInFailed => "Sign-in failed. Try again.",
        ErrSignInFailedBecause => "Sign-in failed: {why}",
        // Screens before the app runs.
        Starting => "Starting",
        NotSetUpTitle => "This coffee bar is not set up yet",
        NotSetUpDetail => "Ask the staff at the bar: you can order as soon as they have finished setting up.",
        ForStaff => "For staff",
        /// "{why}" is in English: it is for whoever deploys the apps.
        NoSettings => "This app has no settings: {why}. Deploy settings.json with the app (README, “Pointing the apps at AWS”), or open this app's settings page from the display board's “Configure order app”.",
        NotFoundTitle => "Page not found",
        NothingHere => "There is nothing at this address.",
        GoToStart => "Go to the start page",
    }
}

/// An error, said to a person: the message and its details.
pub trait Explain {
    fn explain(&self) -> Phrase;
}

impl Explain for ApiError {
    fn explain(&self) -> Phrase {
        match self {
            ApiError::Network => Common::ErrNetwork.into(),
            ApiError::Unauthorized => Common::ErrSessionExpired.into(),
            ApiError::SignInService(why) => Common::ErrSignInService.with("why", why),
            ApiError::Forbidden => Common::ErrForbidden.into(),
            ApiError::Rejected { message, .. } => Common::ErrRejected.with("why", message),
            ApiError::Server(status) => Common::ErrServer.with("status", status),
            ApiError::Unreadable(why) => Common::ErrUnreadable.with("why", why),
        }
    }
}

impl Explain for CognitoError {
    fn explain(&self) -> Phrase {
        match &self.kind {
            // Cognito says "Incorrect username or password." for both wrong password
            // and (with user existence errors prevented) unknown user.
            CognitoErrorKind::NotAuthorized | CognitoErrorKind::UserNotFound => {
                Common::ErrWrongPassword.into()
            }
            CognitoErrorKind::UserNotConfirmed => Common::ErrNotConfirmed.into(),
            CognitoErrorKind::UsernameExists => Common::ErrAccountExists.into(),
            CognitoErrorKind::CodeMismatch => Common::ErrCodeMismatch.into(),
            CognitoErrorKind::ExpiredCode => Common::ErrCodeExpired.into(),
            CognitoErrorKind::InvalidPassword => Common::ErrPasswordTooShort.into(),
            CognitoErrorKind::TooManyRequests => Common::ErrTooManyAttempts.into(),
            CognitoErrorKind::InvalidParameter | CognitoErrorKind::Other(_) => {
                match self.message.as_str() {
                    "" => Common::ErrSignInFailed.into(),
                    m => Common::ErrSignInFailedBecause.with("why", m),
                }
            }
        }
    }
}

/// An order status's name.
pub fn status_name(status: OrderStatus) -> Common {
    match status {
        OrderStatus::Choosing => Common::StatusChoosing,
        OrderStatus::InQueue => Common::StatusInQueue,
        OrderStatus::Ready => Common::StatusReady,
        OrderStatus::Cancelled => Common::StatusCancelled,
        OrderStatus::TimedOut => Common::StatusTimedOut,
        OrderStatus::Unknown => Common::StatusUnknown,
    }
}

/// An app's name, as its header shows it.
pub fn app_name(app: AppKind) -> Common {
    match app {
        AppKind::Order => Common::AppOrder,
        AppKind::Barista => Common::AppBarista,
        AppKind::Display => Common::AppDisplay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{check_catalogue, english_catalogue, Catalogue, Lang};

    /// The English in the source says what the errors' own `Display` says (the native
    /// side and logs use that), so the two cannot drift apart. (A Cognito error's
    /// `Display` is its explanation in English.)
    #[test]
    fn explanations_in_english_match_the_errors() {
        let none = Catalogue::default();
        let errors = [
            ApiError::Network,
            ApiError::Unauthorized,
            ApiError::SignInService("throttled".into()),
            ApiError::Forbidden,
            ApiError::Rejected {
                status: 400,
                message: "no".into(),
            },
            ApiError::Server(502),
        ];
        for e in errors {
            assert_eq!(e.explain().say(Lang::En, &none), e.to_string());
        }
        let e = CognitoError::parse(r#"{"__type":"InvalidParameterException","message":"bad"}"#);
        assert_eq!(e.to_string(), "Sign-in failed: bad");
        for s in [
            OrderStatus::Ready,
            OrderStatus::InQueue,
            OrderStatus::TimedOut,
        ] {
            assert_eq!(status_name(s).say(Lang::En, &none), s.label());
        }
    }

    /// Every language has every shared message, with its plural forms and placeholders;
    /// the English reference file is the source's.
    #[test]
    fn catalogues_are_complete() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/locales");
        crate::i18n::check_locales::<Common>(root).unwrap();
        let _ = (check_catalogue::<Common>, english_catalogue::<Common>);
    }
}
