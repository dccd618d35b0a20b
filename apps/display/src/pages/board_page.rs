//! The board: QR panel, Preparing and Ready, kept live by [`use_live_model`].

use super::lists::{Preparing, Ready};
use super::qr_panel::QrPanel;
use crate::board::Lists;
use leptos::prelude::*;
use shared::api::Api;
use shared::realtime::{admin_topic, config_topic};
use shared::ui::{load_board, use_live_model, Auth, Live, LiveNotices};
use shared::web::device::ScreenAwake;
use shared::Settings;

/// What the board's parts share.
#[derive(Clone)]
pub struct BoardContext {
    pub api: Api,
    pub auth: Auth,
    pub settings: Settings,
    pub live: Live<Lists>,
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let auth = expect_context::<Auth>();
    let api = Api::new(&settings);
    let live = {
        let (api, auth) = (api.clone(), auth.clone());
        use_live_model(
            &auth.clone(),
            vec![admin_topic(&settings), config_topic(&settings)],
            Lists::new(settings.windows()),
            move || load_board(api.clone(), auth.clone()),
        )
    };
    provide_context(BoardContext {
        api,
        auth,
        settings,
        live,
    });
    StoredValue::new_local(ScreenAwake::start());

    view! {
        <div class="display-notices">
            <LiveNotices/>
            {move || match live.model.with(|m| m.unreadable) {
                0 => None,
                n => Some(view! { <div class="alert warning" role="status">{format!("{n} orders could not be read and are not shown.")}</div> }),
            }}
        </div>
        <div class="display-grid">
            <QrPanel/>
            <Preparing/>
            <Ready/>
        </div>
    }
}
