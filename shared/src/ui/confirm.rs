//! Asking before something that cannot be undone, inline and keyboard-friendly.

use leptos::prelude::*;

/// A button that, when pressed, asks `question` with Yes and No before `on_confirm`.
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    #[prop(into)] class: String,
    #[prop(optional, into)] disabled: Signal<bool>,
    on_confirm: impl Fn() + 'static,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let yes = NodeRef::<leptos::html::Button>::new();
    let on_confirm = StoredValue::new_local(on_confirm);
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
                let (label, class) = (label.clone(), class.clone());
                move || view! {
                    <button type="button" class=class.clone() disabled=move || disabled.get()
                        on:click=move |_| asking.set(true)>{label.clone()}</button>
                }
            }>
            <div class="confirm" role="alertdialog" aria-label=question.clone()>
                <p>{question.clone()}</p>
                <div class="button-row">
                    <button type="button" class="button danger" node_ref=yes
                        on:click=move |_| { asking.set(false); on_confirm.with_value(|f| f()); }>"Yes"</button>
                    <button type="button" class="button secondary" on:click=move |_| asking.set(false)>"No"</button>
                </div>
            </div>
        </Show>
    }
}
