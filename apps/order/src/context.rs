//! What every order screen may read and change, provided by
//! [`OrderHome`](crate::pages::OrderHome).

use crate::flow::OrderModel;
use leptos::prelude::*;
use shared::api::Api;
use shared::ui::{Auth, Live};

/// What every order screen may read and change.
#[derive(Clone)]
pub struct OrderContext {
    pub api: Api,
    pub auth: Auth,
    pub live: Live<OrderModel>,
}

impl OrderContext {
    /// "Next": start again from REST, as a fresh page would.
    pub fn restart(&self) {
        self.live.model.update(OrderModel::restart);
        self.live.reload();
    }
}
