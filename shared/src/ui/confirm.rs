//! Asking before something that cannot be undone, inline and keyboard-friendly.

use leptos::prelude::*;

/// How a [`ConfirmButton`] looks before it asks (the `.button` styles of
/// `style/components.css`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonKind {
    /// The page's main action.
    #[default]
    Primary,
    /// An action beside the main one.
    Secondary,
    /// Something that cannot be undone, kept quiet beside the main action (cancelling
    /// an order).
    DangerQuiet,
}

impl ButtonKind {
    /// The button's classes.
    pub fn class(self) -> &'static str {
        match self {
            Self::Primary => "button",
            Self::Secondary => "button secondary",
            Self::DangerQuiet => "button danger-quiet",
        }
    }
}

/// A button that, when pressed, asks `question` with Yes and No before `on_confirm`.
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] question: Signal<String>,
    /// How the button looks before it asks.
    #[prop(optional)]
    kind: ButtonKind,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let yes = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if asking.get() {
            if let Some(button) = yes.get() {
                let _ = button.focus();
            }
        }
    });
    view! {
        <Show when=move || asking.get()
            fallback={
                move || view! {
                    <button type="button" class=kind.class() disabled=move || disabled.get()
                        on:click=move |_| asking.set(true)>{label}</button>
                }
            }>
            <div class="confirm" role="alertdialog" aria-label=question
                on:keydown=move |ev| if ev.key() == "Escape" { asking.set(false); }>
                <p>{question}</p>
                <div class="button-row">
                    <button type="button" class="button danger" node_ref=yes
                        on:click=move |_| { asking.set(false); on_confirm.run(()); }>{super::t(crate::text::Common::Yes)}</button>
                    <button type="button" class="button secondary" on:click=move |_| asking.set(false)>{super::t(crate::text::Common::No)}</button>
                </div>
            </div>
        </Show>
    }
}
