//! The day's orders, which Recent orders and Numbers both read: REST's lists (open,
//! completed, cancelled) while either panel is open, reloaded after every resync of the
//! board, merged with what the board saw live and the log of what this console saw leave
//! (kept in this browser for the day, so a reload keeps when and how each order left).

use crate::board::Board;
use crate::numbers::{day_orders, DayOrder, DaySnapshot, ServiceLog};
use leptos::prelude::*;
use shared::api::{Api, ApiError};
use shared::model::OrderState;
use shared::ui::{browser, Auth, Live};
use shared::web::local_midnights;

/// Where this browser keeps the log of what it saw leave.
const LOG_KEY: &str = "serverlesspresso.barista.service-log";
/// The most orders of each state one load asks REST for.
const DAY_MAX: u32 = 2_000;

async fn load_day(api: Api, auth: Auth) -> Result<DaySnapshot, ApiError> {
    let (open, completed, cancelled) = futures::join!(
        auth.call(api.orders(&OrderState::Created, Some(DAY_MAX))),
        auth.call(api.orders(&OrderState::Completed, Some(DAY_MAX))),
        auth.call(api.orders(&OrderState::Cancelled, Some(DAY_MAX))),
    );
    Ok(DaySnapshot {
        open: open?.orders,
        completed: completed?.orders,
        cancelled: cancelled?.orders,
    })
}

/// The day's orders and the two panels that want them.
#[derive(Clone, Copy)]
pub struct ServiceDay {
    pub recent_open: RwSignal<bool>,
    pub numbers_open: RwSignal<bool>,
    /// Oldest first (see [`day_orders`]).
    pub orders: Memo<Vec<DayOrder>>,
    /// Why REST's lists could not be loaded, if they could not.
    pub failed: Signal<Option<shared::api::ApiError>>,
    day: LocalResource<Option<Result<DaySnapshot, ApiError>>>,
}

impl ServiceDay {
    /// Loads REST's lists again.
    pub fn reload(&self) {
        self.day.refetch();
    }
}

/// The day's orders for the console whose board `live` keeps.
pub fn use_service_day(api: Api, auth: Auth, live: Live<Board>) -> ServiceDay {
    let (board, now) = (live.model, live.now);
    let log = RwSignal::new({
        let mut log = browser::recall(LOG_KEY)
            .map(|text| ServiceLog::from_text(&text))
            .unwrap_or_default();
        log.keep_from(local_midnights(shared::web::now_ms()).0);
        log
    });
    // The log follows the board: an effect, because it writes to the browser's storage.
    Effect::new(move |_| {
        let mut changed = false;
        board.with(|b| log.update_untracked(|l| changed = l.record(b)));
        if changed {
            log.with_untracked(|l| browser::remember(LOG_KEY, &l.to_text()));
            log.notify();
        }
    });
    let (recent_open, numbers_open) = (RwSignal::new(false), RwSignal::new(false));
    let resyncs = Memo::new(move |_| board.with(|b| b.store_news));
    let day = LocalResource::new(move || {
        let wanted = recent_open.get() || numbers_open.get();
        resyncs.track();
        let (api, auth) = (api.clone(), auth.clone());
        async move {
            match wanted {
                true => Some(load_day(api, auth).await),
                false => None,
            }
        }
    });
    let orders = Memo::new(move |_| {
        let rest = day.get().flatten().and_then(Result::ok).unwrap_or_default();
        let now = now.get();
        let today = local_midnights(now).0;
        board.with(|b| log.with(|l| day_orders(&rest, b, l, now, today)))
    });
    let failed = Signal::derive(move || day.get().flatten().and_then(Result::err));
    ServiceDay {
        recent_open,
        numbers_open,
        orders,
        failed,
        day,
    }
}
