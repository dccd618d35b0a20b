//! What the board's parts share, provided by [`BoardPage`](crate::pages::BoardPage).

use crate::board::Lists;
use shared::api::Api;
use shared::ui::{Auth, Live};
use shared::Settings;

/// What the board's parts share.
#[derive(Clone)]
pub struct BoardContext {
    pub api: Api,
    pub auth: Auth,
    pub settings: Settings,
    pub live: Live<Lists>,
}
