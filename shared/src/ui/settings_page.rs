//! The settings page every app shows when it has no settings (contract §1.2).

use super::browser::{self, StorageError};
use super::SettingsContext;
use crate::settings::{Field, FieldErrors, Flavour, SettingsDraft};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

/// Shows the settings page until this app has valid settings, and whenever the page
/// was opened with settings in its query string (a hand-off from the display).
/// Below it, the validated [`Settings`] are in context.
#[component]
pub fn RequireSettings(children: ChildrenFn) -> impl IntoView {
    let ctx = expect_context::<SettingsContext>();
    let handed_off = SettingsDraft::query_has_settings(&browser::query());
    match ctx.settings() {
        Some(settings) if !handed_off => {
            provide_context(settings.clone());
            children().into_any()
        }
        _ => view! { <SettingsPage/> }.into_any(),
    }
}

/// The form: this app's fields pre-filled from storage and the query string, checked
/// on save, persisted to localStorage, then the app reloads.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<SettingsContext>();
    let app = ctx.app;
    let from_query = SettingsDraft::from_query(&browser::query()).for_app(app);
    let draft = RwSignal::new(ctx.stored.clone().overlaid_with(&from_query).for_app(app));
    let attempted = RwSignal::new(false);
    let save_error = RwSignal::new(None::<StorageError>);
    let validation = Memo::new(move |_| draft.with(|d| d.validate(app).err().unwrap_or_default()));
    // Errors show once a save was attempted, then follow every keystroke.
    let shown_errors = Signal::derive(move || {
        if attempted.get() {
            validation.get()
        } else {
            FieldErrors::default()
        }
    });
    let summary = NodeRef::<html::Div>::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        match draft.with_untracked(|d| d.validate(app)) {
            Ok(settings) => match browser::save_draft(app, settings.draft()) {
                Ok(()) => browser::reload_app(&SettingsDraft::strip_from_query(&browser::query())),
                Err(e) => save_error.set(Some(e)),
            },
            // The summary appears on the next frame; move focus to it so screen
            // readers announce what to fix.
            Err(_) => request_animation_frame(move || {
                if let Some(el) = summary.get_untracked() {
                    let _ = el.focus();
                }
            }),
        }
    };
    let on_clear = move |_| match browser::clear_draft(app) {
        Ok(()) => browser::reload_app(&SettingsDraft::strip_from_query(&browser::query())),
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
            .map(|field| view! { <SettingField field draft errors=shown_errors/> })
            .collect_view();
        view! { <div class="settings-fields">{views}</div> }
    };

    view! {
        <section class="settings-page" aria-labelledby="settings-title">
            <h1 id="settings-title">"Settings"</h1>
            <p>
                "This " {app.title().to_lowercase()}
                " app needs to know where the Serverlesspresso backend runs. "
                "Settings stay in this browser and are never sent anywhere."
            </p>
            {(!from_query.is_empty()).then(|| view! {
                <div class="alert info" role="status">
                    "Filled in from the link you opened. Check the values, then save."
                </div>
            })}
            {ctx.load_error.clone().map(|e| view! {
                <div class="alert warning" role="alert">{e.to_string()}</div>
            })}
            {move || save_error.get().map(|e| view! {
                <div class="alert error" role="alert">{e.to_string()}</div>
            })}
            <div class="alert error" tabindex="-1" node_ref=summary
                hidden=move || shown_errors.with(FieldErrors::is_empty)>
                <strong>
                    {move || match shown_errors.with(FieldErrors::len) {
                        1 => "One setting needs attention:".to_string(),
                        n => format!("{n} settings need attention:"),
                    }}
                </strong>
                <ul>
                    {move || shown_errors.get().0.into_iter().map(|(field, error)| view! {
                        <li>{field.label()} ": " {error.to_string()}</li>
                    }).collect_view()}
                </ul>
            </div>
            <form class="card" novalidate on:submit=on_submit>
                <fieldset class="form-section">
                    <legend>"Backend"</legend>
                    {field_views(basic)}
                </fieldset>
                <details class="form-section" open=advanced_open>
                    <summary>"Other backends and the local emulator"</summary>
                    {field_views(advanced)}
                </details>
                <div class="button-row">
                    <button type="submit" class="button">"Save and reload"</button>
                    <button type="button" class="button secondary" on:click=on_clear>
                        "Clear settings"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// One labelled input with its help text and, after a save attempt, its error.
#[component]
fn SettingField(
    field: Field,
    draft: RwSignal<SettingsDraft>,
    #[prop(into)] errors: Signal<FieldErrors>,
) -> impl IntoView {
    let id = format!("setting-{}", field.key());
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let error = move || errors.with(|e| e.get(field).map(ToString::to_string));
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
            <select id=id.clone() name=field.key() on:change=on_input
                aria-describedby=described_by aria-invalid=invalid>
                {Flavour::ALL.into_iter().map(|f| view! {
                    <option value=f.key() selected=f == current>{f.describe()}</option>
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=field.key() type="text" prop:value=initial
                placeholder=field.example() autocomplete="off" autocapitalize="none"
                spellcheck="false" on:input=on_input
                aria-required=move || required().to_string()
                aria-describedby=described_by aria-invalid=invalid/>
        }
        .into_any()
    };

    view! {
        <div class="field">
            <label for=id>
                {field.label()}
                <Show when=required>
                    <span class="required" aria-hidden="true">"*"</span>
                </Show>
            </label>
            {control}
            <p id=help_id class="field-help">{field.help()}</p>
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
        <section class="card" aria-labelledby="not-found-title">
            <h1 id="not-found-title">"Page not found"</h1>
            <p>
                "There is nothing at this address. "
                <a href=browser::base_uri()>"Go to the start page"</a>
            </p>
        </section>
    }
}

/// The settings page as a whole screen, with the shared header: every app's
/// `/settings` route.
#[component]
pub fn SettingsScreen() -> impl IntoView {
    use leptos_router::components::A;
    view! {
        <super::AppHeader><A href="settings">"Settings"</A></super::AppHeader>
        <main id="main" class="app-main"><SettingsPage/></main>
    }
}
