//! The words of what the apps share (the header, signing in, connection banners, errors,
//! an order's status), and [`Explain`]: an error said to a person in their language.
//! Translations: `public/locales/{tag}/shared.json`.

use crate::api::ApiError;
use crate::cognito::{CognitoError, CognitoErrorKind};
use crate::i18n::{Message, Phrase};
use crate::kind::{AppKind, Flavour};
use crate::model::OrderStatus;
use crate::settings::{Field, FieldError};

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

crate::messages! {
    /// The staff's settings page: fetched with its page (`public/locales/{tag}/setup.json`),
    /// not with the first screen. Its English also lives in `settings.rs` (labels, help,
    /// `FieldError`), `kind.rs` (backend names) and `ui/browser.rs` (`StorageError`) for
    /// the native side and logs; a test keeps the two the same.
    pub enum Setup in "setup" {
        SettingsTitle => "Settings",
        SettingsIntro => "This app needs to know where the Serverlesspresso backend runs. Settings saved here stay in this browser and are never sent anywhere.",
        FilledFromLink => "Filled in from the link you opened. Check the values, then save: anyone can make such a link.",
        SettingsLocked => "Where this app sends sign-ins, tokens and orders is set by its deployment (settings.json) and cannot be changed on this device. To let staff point devices at other hosts, list them in settings.json as allowedHosts.",
        FromDeployment => "These are the settings deployed with the app. Saving keeps your changes in this browser only; Clear settings goes back to the deployed ones.",
        LinkIgnored => "This link tried to change where this device sends sign-ins and tokens. That part was ignored:",
        SetAside => "Settings saved in this browser are not used: {why}",
        NeedAttention => { one: "One setting needs attention:", other: "{n} settings need attention:" },
        BackendLegend => "Backend",
        OtherBackends => "Other backends and the local emulator",
        CheckHosts => "Check these hosts before saving",
        CheckHostsDetail => "This device will send sign-ins, tokens and AWS credentials to them. Save only if each one is your coffee bar's.",
        NoHost => "none",
        UseTheseHosts => "Use these hosts",
        NotNow => "Not now",
        SaveAndReload => "Save and reload",
        ClearSettings => "Clear settings",
        StorageUnavailable => "This browser is not keeping data for this site (private browsing or blocked storage), so settings cannot be saved. Open the app in a normal browser window.",
        StorageWriteFailed => "The browser refused to save the settings: {why}",
        StorageCorrupt => "The saved settings could not be read ({why}). Enter them again.",
        FlavourW => "W: workshop backend (email sign-in)",
        FlavourE => "E: multi-event backend (needs an event id)",
        FlavourV1 => "V1: re:Invent 2021 backend",
        FieldRegion => "Region",
        FieldUserPoolId => "User pool id",
        FieldUserPoolWebClientId => "User pool app client id",
        FieldOrderManagerEndpoint => "Order manager endpoint",
        FieldValidatorEndpoint => "Validator endpoint",
        FieldConfigEndpoint => "Config endpoint",
        FieldIdentityPoolId => "Identity pool id",
        FieldIdentities => "Identities",
        FieldIotHost => "IoT host",
        FieldOrderAppUrl => "Order app URL",
        FieldBaristaAppUrl => "Barista app URL",
        FieldJourneyServiceUrl => "Order journey URL",
        FieldEventId => "Event id",
        FieldFlavour => "Backend",
        FieldCognitoEndpoint => "Cognito endpoint override",
        FieldIotEndpoint => "IoT WebSocket override",
        FieldTimeScale => "Time scale",
        HelpRegion => "The AWS region of the deployment.",
        HelpUserPoolId => "Cognito user pool id, from the stack outputs.",
        HelpUserPoolWebClientId => "The user pool's app client id (no secret).",
        HelpOrderManagerEndpoint => "Order manager REST API, ending in /Prod/.",
        HelpValidatorEndpoint => "Validator (QR code) REST API, ending in /Prod/.",
        HelpConfigEndpoint => "Config REST API, ending in /Prod/.",
        HelpIdentityPoolId => "aws cognito-identity list-identity-pools --max-results 10",
        HelpIdentities => "unauthenticated for the workshop backend's identity pool; authenticated for the pool of deploy/least-privilege.yaml.",
        HelpIotHost => "aws iot describe-endpoint --endpoint-type iot:Data-ATS",
        HelpOrderAppUrl => "Where customers' phones open the order app; the QR code points here.",
        HelpBaristaAppUrl => "Where the barista console runs; used by “Configure barista app”.",
        HelpJourneyServiceUrl => "Order journey pages (V1 and E backends only).",
        HelpEventId => "Event key of the multi-event (E) backend.",
        HelpFlavour => "Which generation of the Serverlesspresso backend this is.",
        HelpCognitoEndpoint => "Only for a local emulator: replaces the Cognito service URLs.",
        HelpIotEndpoint => "Only for a local emulator: replaces wss://<IoT host>/mqtt.",
        HelpTimeScale => "Only for an emulator started with --time-scale: how much faster its timers run.",
        ErrMissing => "This field is required.",
        ErrRegion => "Enter an AWS region in lower case, such as us-east-1.",
        ErrUserPoolId => "Enter a user pool id: the region, an underscore, then letters and digits, such as us-east-1_AbCdEf123.",
        ErrClientId => "Enter the app client id: letters and digits only (26 of them in a Cognito app client).",
        ErrIdentityPoolId => "Enter an identity pool id: the region, a colon, then an id such as 11111111-2222-3333-4444-555555555555.",
        ErrRegionMismatch => "This id is for region {found}, but the region above is {expected}.",
        ErrIotHostWithScheme => "Enter only the host name, without wss:// or a path, such as a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com.",
        ErrIotHost => "Enter a host name such as a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com: this one {why}.",
        ErrUrl => "This URL {why}.",
        ErrEventId => "Use letters, digits, - and _ only (at most 64).",
        ErrFlavour => "Choose W, E or V1.",
        ErrTimeScale => "Enter a whole number from 1 to 3600 (1 is real time).",
        ErrIdentities => "Enter authenticated or unauthenticated.",
        ErrNotAws => "Use AWS's own endpoint for this region, such as {example}, or an emulator on this machine (127.0.0.1 or localhost).",
        ErrLoopbackOnly => "Only an emulator on this machine (127.0.0.1 or localhost) can be named here.",
        ErrPlainHttp => "Use https:// or wss:// (plain http:// and ws:// only for an emulator on this machine).",
        ErrHostNotAllowed => "{host} is not one of this deployment's hosts. Its settings.json lists the hosts staff may use (allowedHosts).",
        ErrFixedByDeployment => "This deployment's settings.json sets this value: it cannot be changed on this device.",
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

/// A setting's name, as its field is labelled.
pub fn field_label(field: Field) -> Setup {
    match field {
        Field::Region => Setup::FieldRegion,
        Field::UserPoolId => Setup::FieldUserPoolId,
        Field::UserPoolWebClientId => Setup::FieldUserPoolWebClientId,
        Field::OrderManagerEndpoint => Setup::FieldOrderManagerEndpoint,
        Field::ValidatorEndpoint => Setup::FieldValidatorEndpoint,
        Field::ConfigEndpoint => Setup::FieldConfigEndpoint,
        Field::IdentityPoolId => Setup::FieldIdentityPoolId,
        Field::Identities => Setup::FieldIdentities,
        Field::IotHost => Setup::FieldIotHost,
        Field::OrderAppUrl => Setup::FieldOrderAppUrl,
        Field::BaristaAppUrl => Setup::FieldBaristaAppUrl,
        Field::JourneyServiceUrl => Setup::FieldJourneyServiceUrl,
        Field::EventId => Setup::FieldEventId,
        Field::Flavour => Setup::FieldFlavour,
        Field::CognitoEndpoint => Setup::FieldCognitoEndpoint,
        Field::IotEndpoint => Setup::FieldIotEndpoint,
        Field::TimeScale => Setup::FieldTimeScale,
    }
}

/// Where a setting's value comes from, under its field.
pub fn field_help(field: Field) -> Setup {
    match field {
        Field::Region => Setup::HelpRegion,
        Field::UserPoolId => Setup::HelpUserPoolId,
        Field::UserPoolWebClientId => Setup::HelpUserPoolWebClientId,
        Field::OrderManagerEndpoint => Setup::HelpOrderManagerEndpoint,
        Field::ValidatorEndpoint => Setup::HelpValidatorEndpoint,
        Field::ConfigEndpoint => Setup::HelpConfigEndpoint,
        Field::IdentityPoolId => Setup::HelpIdentityPoolId,
        Field::Identities => Setup::HelpIdentities,
        Field::IotHost => Setup::HelpIotHost,
        Field::OrderAppUrl => Setup::HelpOrderAppUrl,
        Field::BaristaAppUrl => Setup::HelpBaristaAppUrl,
        Field::JourneyServiceUrl => Setup::HelpJourneyServiceUrl,
        Field::EventId => Setup::HelpEventId,
        Field::Flavour => Setup::HelpFlavour,
        Field::CognitoEndpoint => Setup::HelpCognitoEndpoint,
        Field::IotEndpoint => Setup::HelpIotEndpoint,
        Field::TimeScale => Setup::HelpTimeScale,
    }
}

/// Why a setting's value was refused. What it quotes from a URL's check stays English.
pub fn field_error(error: &FieldError) -> Phrase {
    match error {
        FieldError::Missing => Setup::ErrMissing.into(),
        FieldError::Region => Setup::ErrRegion.into(),
        FieldError::UserPoolId => Setup::ErrUserPoolId.into(),
        FieldError::ClientId => Setup::ErrClientId.into(),
        FieldError::IdentityPoolId => Setup::ErrIdentityPoolId.into(),
        FieldError::RegionMismatch { expected, found } => Setup::ErrRegionMismatch
            .with("found", found)
            .with("expected", expected),
        FieldError::IotHostWithScheme => Setup::ErrIotHostWithScheme.into(),
        FieldError::IotHost(why) => Setup::ErrIotHost.with("why", why),
        FieldError::Url(why) => Setup::ErrUrl.with("why", why),
        FieldError::EventId => Setup::ErrEventId.into(),
        FieldError::Flavour => Setup::ErrFlavour.into(),
        FieldError::TimeScale => Setup::ErrTimeScale.into(),
        FieldError::Identities => Setup::ErrIdentities.into(),
        FieldError::NotAws { example } => Setup::ErrNotAws.with("example", example),
        FieldError::LoopbackOnly => Setup::ErrLoopbackOnly.into(),
        FieldError::PlainHttp => Setup::ErrPlainHttp.into(),
        FieldError::HostNotAllowed { host } => Setup::ErrHostNotAllowed.with("host", host),
        FieldError::FixedByDeployment => Setup::ErrFixedByDeployment.into(),
    }
}

/// A backend generation, as the settings page offers it.
pub fn flavour_name(flavour: Flavour) -> Setup {
    match flavour {
        Flavour::W => Setup::FlavourW,
        Flavour::E => Setup::FlavourE,
        Flavour::V1 => Setup::FlavourV1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogue, Lang};

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
    /// The settings page's English is what the settings' own words say.
    #[test]
    fn the_settings_page_says_what_the_settings_say() {
        let none = Catalogue::default();
        for field in Field::ALL {
            assert_eq!(field_label(field).say(Lang::En, &none), field.label());
            assert_eq!(field_help(field).say(Lang::En, &none), field.help());
        }
        for flavour in Flavour::ALL {
            assert_eq!(
                flavour_name(flavour).say(Lang::En, &none),
                flavour.describe()
            );
        }
        let url = crate::url::Endpoint::parse("", crate::url::SchemeKind::Web).unwrap_err();
        let host = crate::url::check_host_port("").unwrap_err();
        for error in [
            FieldError::Missing,
            FieldError::Region,
            FieldError::UserPoolId,
            FieldError::ClientId,
            FieldError::IdentityPoolId,
            FieldError::RegionMismatch {
                expected: "eu-west-1".into(),
                found: "us-east-1".into(),
            },
            FieldError::IotHostWithScheme,
            FieldError::IotHost(host),
            FieldError::Url(url),
            FieldError::EventId,
            FieldError::Flavour,
            FieldError::TimeScale,
            FieldError::Identities,
            FieldError::NotAws {
                example: "https://x".into(),
            },
            FieldError::LoopbackOnly,
            FieldError::PlainHttp,
            FieldError::HostNotAllowed { host: "h".into() },
            FieldError::FixedByDeployment,
        ] {
            assert_eq!(field_error(&error).say(Lang::En, &none), error.to_string());
        }
    }

    #[test]
    fn catalogues_are_complete() {
        crate::i18n::check_locales::<Common>().unwrap();
        crate::i18n::check_locales::<Setup>().unwrap();
    }
}
