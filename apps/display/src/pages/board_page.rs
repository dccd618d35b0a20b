//! The board: QR panel, Preparing and Ready, kept live by [`use_live_model`].

use super::lists::{Preparing, Ready};
use super::qr_panel::QrPanel;
use crate::board::Lists;
use crate::context::BoardContext;
use crate::text::Text;
use leptos::prelude::*;
use shared::api::Api;
use shared::i18n::Message;
use shared::realtime::{admin_topic, config_topic};
use shared::ui::use_i18n;
use shared::ui::{
    load_board, use_live_model, Alert, AlertKind, Announce, Auth, LiveNotices, UseLiveModelOptions,
};
use shared::web::device::ScreenAwake;
use shared::Settings;

#[component]
pub fn BoardPage() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let load = {
        let (api, auth) = (api.clone(), auth.clone());
        move || load_board(api.clone(), auth.clone())
    };
    let live = use_live_model(
        &auth,
        load,
        UseLiveModelOptions {
            initial: Lists::new(settings.windows()),
            topics: vec![admin_topic(&settings), config_topic(&settings)],
        },
    );
    provide_context(BoardContext {
        api,
        auth,
        settings,
        live,
    });
    StoredValue::new_local(ScreenAwake::start());
    let i18n = use_i18n();

    view! {
        <div class="display-notices">
            <LiveNotices status=live.status/>
            {move || match live.model.with(|m| m.unreadable) {
                0 => None,
                n => Some(view! {
                    <Alert kind=AlertKind::Warning announce=Announce::Polite>
                        {move || i18n.say(Text::SomeUnreadable.count(n as i64))}
                    </Alert>
                }),
            }}
        </div>
        <div class="display-grid">
            <QrPanel/>
            <Preparing/>
            <Ready/>
        </div>
    }
}
