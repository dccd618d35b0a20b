//! What every order screen may read and change, provided by
//! [`OrderHome`](crate::pages::OrderHome).

use crate::flow::OrderModel;
use leptos::prelude::*;
use shared::api::Api;
use shared::ui::{browser, Auth, Live, TapChime};

/// Where the phone remembers the order whose finished screen the customer left, so that
/// a reload does not bring back "Ready" for a drink already collected.
pub const LEFT_KEY: &str = "serverlesspresso.order.left";

/// What every order screen may read and change.
#[derive(Clone)]
pub struct OrderContext {
    pub api: Api,
    pub auth: Auth,
    pub live: Live<OrderModel>,
    /// The sound that says the order is ready: browsers allow sound only after a tap, so
    /// the customer's own "Order now" makes it.
    pub chime: TapChime,
}

impl OrderContext {
    /// "Next": start again from REST, as a fresh page would.
    pub fn restart(&self) {
        self.live.model.update(OrderModel::restart);
        if let Some(left) = self
            .live
            .model
            .with_untracked(|m| m.left().map(str::to_string))
        {
            browser::remember(LEFT_KEY, &left);
        }
        self.live.reload();
    }
}
