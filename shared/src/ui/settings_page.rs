//! The settings page every app shows when it has no settings (contract §1.2).

use super::alert::{Alert, AlertKind, Announce};
use super::browser::{self, StorageError};
use super::context::{Resolved, Source};
use super::{t, AppHeader, SettingsContext};
use crate::i18n::Message;
use crate::kind::{AppKind, Flavour};
use crate::settings::{Field, FieldErrors, SettingsDraft};
use crate::text::{field_error, field_help, field_label, flavour_name, Common, Explain, Setup};
use crate::trust::{self, HostChange, Trust};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

/// Renders `children` with this app's [`Settings`] in context once they are known:
/// the deployment's `settings.json`, with what this browser saved on top where the rules
/// of [`crate::trust`] allow. A staff hand-off link (settings in the query string) opens
/// the settings page instead, to be checked and saved; the customer's order app takes no
/// settings from links. Without any settings a customer sees a friendly "not set up
/// yet" screen; staff apps show the settings page.
#[component]
pub fn RequireSettings(children: ChildrenFn) -> impl IntoView {
    let ctx = expect_context::<SettingsContext>();
    let app = ctx.app;
    if trust::takes_hand_offs(app) && SettingsDraft::query_has_settings(&browser::query()) {
        return view! { <SettingsScreen/> }.into_any();
    }
    let children = StoredValue::new(children);
    (move || match ctx.resolve() {
        Resolved::Pending => view! { <Starting/> }.into_any(),
        Resolved::Ready(settings, _) => {
            provide_context(*settings);
            children.with_value(|c| c()).into_any()
        }
        Resolved::NotSetUp(reason) if app == AppKind::Order => {
            view! { <NotSetUp reason/> }.into_any()
        }
        Resolved::NotSetUp(_) => view! { <SettingsScreen/> }.into_any(),
    })
    .into_any()
}

/// The moment between the page and its settings file.
#[component]
fn Starting() -> impl IntoView {
    view! {
        <AppHeader/>
        <main id="main" class="app-main">
            <div class="spinner" role="status" aria-label=super::t(Common::Starting)></div>
        </main>
    }
}

/// What a customer sees on a phone when the coffee bar's apps were deployed without
/// settings: no backend fields, just what to do. The reason is there for staff.
#[component]
fn NotSetUp(reason: String) -> impl IntoView {
    view! {
        <AppHeader/>
        <main id="main" class="app-main order-main">
            <section class="card notice" aria-labelledby="not-set-up-title">
                <img class="notice-icon" src="icons/closed.svg" alt="" width="96" height="96"/>
                <h1 id="not-set-up-title">{super::t(Common::NotSetUpTitle)}</h1>
                <p>{super::t(Common::NotSetUpDetail)}</p>
                <details class="staff-details">
                    <summary>{super::t(Common::ForStaff)}</summary>
                    <p>{super::t(Common::NoSettings.with("why", &reason))}</p>
                </details>
            </section>
        </main>
    }
}

/// The form: this app's fields pre-filled from what it runs with and (staff apps) the
/// query string, checked on save against the format and the rules of [`crate::trust`],
/// then, when a host changes, confirmed host by host; saved to localStorage, every
/// session of the app forgotten, and the app reloads.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<SettingsContext>();
    let i18n = super::use_i18n();
    // This page's words are not fetched with the first screen.
    i18n.include(Setup::NAMESPACE);
    let app = ctx.app;
    let deployment = ctx.deployment();
    let from_query = match trust::takes_hand_offs(app) {
        true => SettingsDraft::from_query(&browser::query()).for_app(app),
        false => SettingsDraft::default(),
    };
    let locked = deployment
        .as_ref()
        .is_some_and(|d| d.allowed_hosts.is_empty());
    // On a deployment that allows no other hosts, what a link says about where
    // credentials go is not even put in the form: it is listed as ignored.
    let (from_query, ignored) = match deployment.as_ref().filter(|_| locked) {
        Some(d) => trust::split_fixed(&from_query, d),
        None => (from_query, Vec::new()),
    };
    // What the app runs with now: a host that differs from these is a change to confirm.
    let current = match ctx.resolve() {
        Resolved::Ready(settings, _) => settings.draft().clone(),
        _ => SettingsDraft::default(),
    };
    let current_confirm = current.clone();
    let draft = RwSignal::new(ctx.starting_draft().overlaid_with(&from_query).for_app(app));
    let from_deployment = ctx.stored.is_empty()
        && from_query.is_empty()
        && matches!(ctx.resolve(), Resolved::Ready(_, Source::Deployment));
    // A link's values are checked at once: staff see what it would change before anything.
    let attempted = RwSignal::new(!from_query.is_empty());
    let save_error = RwSignal::new(None::<StorageError>);
    let to_confirm = RwSignal::new(Vec::<HostChange>::new());
    let trust_rules = StoredValue::new(deployment.clone());
    let validate = move |d: &SettingsDraft| {
        trust_rules.with_value(|dep| Trust::new(app, dep.as_ref()).validate(d))
    };
    let validation = Memo::new(move |_| draft.with(|d| validate(d).err().unwrap_or_default()));
    // Errors show once a save was attempted, then follow every keystroke.
    let shown_errors = Signal::derive(move || {
        if attempted.get() {
            validation.get()
        } else {
            FieldErrors::default()
        }
    });
    let summary = NodeRef::<html::Div>::new();
    let confirm_panel = NodeRef::<html::Div>::new();
    let focus = move |target: NodeRef<html::Div>| {
        // The panel appears on the next frame; focus it so screen readers announce it.
        request_animation_frame(move || {
            if let Some(el) = target.get_untracked() {
                let _ = el.focus();
            }
        })
    };

    let save = move || {
        let Ok(settings) = draft.with_untracked(|d| validate(d)) else {
            return;
        };
        let saved =
            trust_rules.with_value(|dep| trust::to_save(app, settings.draft(), dep.as_ref()));
        let result = match saved.is_empty() {
            true => browser::clear_draft(app),
            false => browser::save_draft(app, &saved),
        };
        match result {
            Ok(()) => {
                // Tokens of the previous settings are never offered to the new ones.
                crate::web::auth::forget_all(app, &[]);
                browser::reload_app(&SettingsDraft::strip_from_query(&browser::query()));
            }
            Err(e) => save_error.set(Some(e)),
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        match draft.with_untracked(|d| validate(d)) {
            Ok(settings) => {
                let changes = trust::host_changes(app, &current, settings.draft());
                if changes.is_empty() {
                    save();
                } else {
                    to_confirm.set(changes);
                    focus(confirm_panel);
                }
            }
            Err(_) => focus(summary),
        }
    };
    // What was confirmed must be what is saved: a field edited while the list showed
    // lists its hosts again.
    let on_confirm = move |_| {
        let changes = draft.with_untracked(|d| trust::host_changes(app, &current_confirm, d));
        if to_confirm.with_untracked(|shown| *shown == changes) {
            save();
        } else {
            to_confirm.set(changes);
        }
    };
    let on_clear = move |_| match browser::clear_draft(app) {
        Ok(()) => {
            crate::web::auth::forget_all(app, &[]);
            browser::reload_app(&SettingsDraft::strip_from_query(&browser::query()));
        }
        Err(e) => save_error.set(Some(e)),
    };

    let (basic, advanced): (Vec<Field>, Vec<Field>) =
        app.fields().iter().partition(|f| !f.is_advanced());
    let advanced_open = advanced
        .iter()
        .any(|f| !draft.with_untracked(|d| d.get(*f).is_empty()));
    let field_views = move |fields: Vec<Field>| {
        let views = fields
            .into_iter()
            .map(|field| {
                let fixed = locked && field.decides_where_credentials_go();
                view! { <SettingField field draft errors=shown_errors fixed/> }
            })
            .collect_view();
        view! { <div class="settings-fields">{views}</div> }
    };

    view! {
        <section class="card settings-page" aria-labelledby="settings-title">
            <h1 id="settings-title">{t(Setup::SettingsTitle)}</h1>
            <p>{t(Setup::SettingsIntro)}</p>
            {(!from_query.is_empty()).then(|| view! {
                <Alert kind=AlertKind::Info>
                    {t(Setup::FilledFromLink)}
                </Alert>
            })}
            {locked.then(|| view! {
                <Alert kind=AlertKind::Info id="settings-locked">
                    {t(Setup::SettingsLocked)}
                </Alert>
            })}
            {(from_deployment && !locked).then(|| view! {
                <Alert kind=AlertKind::Info>
                    {t(Setup::FromDeployment)}
                </Alert>
            })}
            {(!ignored.is_empty()).then(|| view! {
                <Alert kind=AlertKind::Warning id="settings-ignored">
                    <strong>{t(Setup::LinkIgnored)}</strong>
                    <ul>
                        {ignored.into_iter().map(|(field, value)| view! {
                            <li>{t(field_label(field))} ": " {value}</li>
                        }).collect_view()}
                    </ul>
                </Alert>
            })}
            {ctx.set_aside().map(|errors| view! {
                <Alert kind=AlertKind::Warning id="settings-set-aside">
                    {move || {
                        let why = errors.0.iter().map(|(field, error)| {
                            format!("{}: {}", i18n.say(field_label(*field)), i18n.say(field_error(error)))
                        }).collect::<Vec<_>>().join(" ");
                        i18n.say(Setup::SetAside.with("why", why))
                    }}
                </Alert>
            })}
            {ctx.load_error.clone().map(|e| view! {
                <Alert kind=AlertKind::Warning>{t(e.explain())}</Alert>
            })}
            {move || save_error.get().map(|e| view! {
                <Alert kind=AlertKind::Error>{t(e.explain())}</Alert>
            })}
            // Not announced as it appears: the page moves focus to it.
            <Alert kind=AlertKind::Error id="settings-errors" announce=Announce::Off focus=summary
                hidden=move || shown_errors.with(FieldErrors::is_empty)>
                <strong>
                    {move || i18n.say(Setup::NeedAttention.count(shown_errors.with(FieldErrors::len) as i64))}
                </strong>
                <ul>
                    {move || shown_errors.get().0.into_iter().map(|(field, error)| view! {
                        <li>{t(field_label(field))} ": " {i18n.say(field_error(&error))}</li>
                    }).collect_view()}
                </ul>
            </Alert>
            <form novalidate on:submit=on_submit>
                <fieldset class="form-section">
                    <legend>{t(Setup::BackendLegend)}</legend>
                    {field_views(basic)}
                </fieldset>
                <details class="form-section" open=advanced_open>
                    <summary>{t(Setup::OtherBackends)}</summary>
                    {field_views(advanced)}
                </details>
                <Alert kind=AlertKind::Warning id="host-changes" focus=confirm_panel
                    hidden=move || to_confirm.with(Vec::is_empty)>
                    <strong>{t(Setup::CheckHosts)}</strong>
                    <p>{t(Setup::CheckHostsDetail)}</p>
                    <ul>
                        {move || to_confirm.get().into_iter().map(|change| view! {
                            <li>
                                {t(field_label(change.field))} ": "
                                {change.from.unwrap_or_else(|| i18n.say(Setup::NoHost))}
                                " → " <strong>{change.to}</strong>
                            </li>
                        }).collect_view()}
                    </ul>
                    <div class="button-row">
                        <button type="button" class="button" id="confirm-hosts" on:click=on_confirm>
                            {t(Setup::UseTheseHosts)}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| to_confirm.set(Vec::new())>
                            {t(Setup::NotNow)}
                        </button>
                    </div>
                </Alert>
                <div class="button-row" hidden=move || !to_confirm.with(Vec::is_empty)>
                    <button type="submit" class="button">{t(Setup::SaveAndReload)}</button>
                    <button type="button" class="button secondary" on:click=on_clear>
                        {t(Setup::ClearSettings)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// One labelled input with its help text and, after a save attempt, its error; read-only
/// when the deployment fixes it.
#[component]
fn SettingField(
    field: Field,
    draft: RwSignal<SettingsDraft>,
    #[prop(into)] errors: Signal<FieldErrors>,
    fixed: bool,
) -> impl IntoView {
    let id = format!("setting-{}", field.key());
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let i18n = super::use_i18n();
    let error = move || errors.with(|e| e.get(field).map(|e| i18n.say(field_error(e))));
    let invalid = move || error().is_some().to_string();
    let described_by = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        move || match error() {
            Some(_) => format!("{error_id} {help_id}"),
            None => help_id.clone(),
        }
    };
    let required = move || field.is_required(draft.with(SettingsDraft::flavour));
    let initial = draft.with_untracked(|d| d.get(field).to_string());
    // The input keeps what the person typed; the draft keeps it trimmed.
    let on_input = move |ev| draft.update(|d| d.set(field, &event_target_value(&ev)));

    let control = if field == Field::Flavour {
        let current = draft.with_untracked(SettingsDraft::flavour);
        view! {
            <select id=id.clone() name=field.key() on:change=on_input disabled=fixed
                aria-describedby=described_by aria-invalid=invalid>
                {Flavour::ALL.into_iter().map(|f| view! {
                    <option value=f.key() selected=f == current>{t(flavour_name(f))}</option>
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=field.key() type="text" prop:value=initial
                placeholder=field.example() autocomplete="off" autocapitalize="none" readonly=fixed
                spellcheck="false" on:input=on_input
                aria-required=move || required().to_string()
                aria-describedby=described_by aria-invalid=invalid/>
        }
        .into_any()
    };

    view! {
        <div class="field">
            <label for=id>
                {t(field_label(field))}
                <Show when=required>
                    <span class="required" aria-hidden="true">"*"</span>
                </Show>
            </label>
            {control}
            <p id=help_id class="field-help">{t(field_help(field))}</p>
            {move || error().map(|message| view! {
                <p id=error_id.clone() class="field-error">
                    <span aria-hidden="true">"⚠ "</span>{message}
                </p>
            })}
        </div>
    }
}

/// Shown for a path no route knows.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <AppHeader/>
        <main id="main" class="app-main">
            <section class="card" aria-labelledby="not-found-title">
                <h1 id="not-found-title">{super::t(Common::NotFoundTitle)}</h1>
                <p>
                    {super::t(Common::NothingHere)} " "
                    <a href=browser::base_uri()>{super::t(Common::GoToStart)}</a>
                </p>
            </section>
        </main>
    }
}

/// The settings page as a whole screen inside the app's shell: every app's `/settings`
/// route, for staff (customers are never sent here). Its code loads when it is first
/// shown (see `deferred.rs`).
#[component]
pub fn SettingsScreen() -> impl IntoView {
    view! { <super::Deferred load=settings_screen/> }
}

crate::deferred_screen!(settings_screen => LoadedSettingsScreen);

#[component]
fn LoadedSettingsScreen() -> impl IntoView {
    let ctx = expect_context::<SettingsContext>();
    view! {
        <AppHeader/>
        <main id="main" class="app-main">
            {move || match ctx.deployed.get() {
                None => view! { <div class="spinner" role="status" aria-label=super::t(Common::Loading)></div> }.into_any(),
                Some(_) => view! { <SettingsPage/> }.into_any(),
            }}
        </main>
    }
}

/// A staff app (the barista console, the TV board): once the app has settings, `chrome`
/// (its header or toolbar) and, for a signed-in admin, `screen` in a `<main>` of
/// `main_class`, at `/`; the settings page at `/settings`. The address is read once when
/// the app loads: a staff app has no other page to move to, so it needs no router.
#[component]
pub fn StaffApp(
    app: AppKind,
    chrome: fn() -> AnyView,
    main_class: &'static str,
    screen: fn() -> AnyView,
) -> impl IntoView {
    super::provide_settings(app);
    let signed_in = move || {
        let settings = expect_context::<crate::Settings>();
        super::provide_auth(&settings, app);
        view! {
            {chrome()}
            <main id="main" class=main_class>
                <super::RequireSignIn admin_only=true>{screen()}</super::RequireSignIn>
            </main>
        }
    };
    match browser::app_path().trim_end_matches('/') {
        "" => view! { <RequireSettings>{signed_in()}</RequireSettings> }.into_any(),
        "/settings" => view! { <SettingsScreen/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}
