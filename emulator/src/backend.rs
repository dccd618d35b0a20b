//! The backend's behaviour: config service, validator, and the OrderProcessor and
//! OrderManager workflows with the Lambdas they trigger (contract §3, §6), as variant W
//! does it, quirks included, so a client that works here works against AWS.
//!
//! Variant E (`SC:01-appCore`) runs the same workflows for the event a call names
//! ([`Scope::Event`]): its config item (with the menu), counter, buckets and states, an
//! `eventId` in every order event, and its own quirks, kept on purpose: the capacity
//! check never rejects; completion and cancellation are announced as
//! `OrderManager.Order<event>-COMPLETED` / `-CANCELLED`; an unmake updates the order and
//! then fails before announcing it (its Pass state drops `eventId`); and a timed-out
//! order is set `<event>-CANCELLED` with the cause as `reason` by the OrderTimedOut
//! Lambda.
//!
//! Each operation is one SQLite transaction; the events it produces are published after
//! the commit.

use crate::clock::Clock;
use crate::events::{Bus, Event};
use crate::ids;
use crate::store::{self, Bucket, Execution, ExecutionStatus, Step, Store};
use crate::variant::Variant;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use shared::dynamo::{AttributeValue, Item};
use shared::time::UtcDateTime;
use shared::windows::Windows;
use std::sync::Arc;
use tokio::sync::Notify;

/// The validator's tokens per bucket (`TokensPerBucket`).
pub const TOKENS_PER_BUCKET: i64 = 10;
/// The OrderProcessor rejects an order when this many executions already run.
pub const CAPACITY: i64 = 20;

pub struct Backend {
    pub store: Store,
    pub windows: Windows,
    /// W, or E and its events.
    pub variant: Variant,
    bus: Bus,
    /// Read when a workflow step starts on its own (after the request that caused it)
    /// and by the timer loop; everything else is handed the time.
    clock: Arc<dyn Clock>,
    /// Wakes the timer loop when a new deadline is set.
    timers_changed: Notify,
}

/// Which coffee bar a call or an order is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// W: one bar, no event ids.
    W,
    /// E: the `eventId` a request named, known to this emulator or not; `""` when it
    /// named none (E's mapping templates read a missing parameter as empty).
    Event(String),
}

impl Scope {
    pub fn event_id(&self) -> Option<&str> {
        match self {
            Self::W => None,
            Self::Event(id) => Some(id),
        }
    }

    /// The config item: W's `config`; E's `config-<event>`, which also holds the menu.
    pub fn config_pk(&self) -> String {
        match self {
            Self::W => "config".into(),
            Self::Event(id) => format!("config-{id}"),
        }
    }

    /// The counting table's item: `orderID`, E's `orderID-<event>`.
    pub fn counter_pk(&self) -> String {
        match self {
            Self::W => "orderID".into(),
            Self::Event(id) => format!("orderID-{id}"),
        }
    }

    /// The `ORDERSTATE` that `GET /orders?state=` queries: W the value as given, E's
    /// template `${eventId}-$state` (so `state=CREATED&eventId=ABC` is `ABC-CREATED`).
    pub fn state_key(&self, state: &str) -> String {
        match self {
            Self::W => state.into(),
            Self::Event(id) => format!("{id}-{state}"),
        }
    }

    /// `ORDERSTATE` of an order that has not ended: `CREATED`, E's `<event>-CREATED`.
    pub fn created(&self) -> String {
        self.state_key(CREATED)
    }

    /// `ORDERSTATE` of a finished order: W's `Completed`/`Cancelled`, E's
    /// `<event>-COMPLETED`/`<event>-CANCELLED`.
    pub fn final_state(&self, state: FinalState) -> String {
        match self {
            Self::W => state.wire().into(),
            Self::Event(_) => self.state_key(state.upper()),
        }
    }

    /// The event announcing a finished order: W's `OrderManager.OrderCompleted`; E
    /// builds it from the state, `OrderManager.Order<event>-COMPLETED` (a bug of E).
    pub fn final_event_type(&self, state: FinalState) -> String {
        match self {
            Self::W => state.event_type().into(),
            Self::Event(_) => format!("OrderManager.Order{}", self.final_state(state)),
        }
    }

    /// An event's detail, with E's `eventId`.
    fn detail(&self, mut detail: Value) -> Value {
        if let (Self::Event(id), Some(map)) = (self, detail.as_object_mut()) {
            map.insert("eventId".into(), json!(id));
        }
        detail
    }

    fn of_execution(event_id: Option<&str>) -> Self {
        event_id.map_or(Self::W, |id| Self::Event(id.into()))
    }
}

/// Outcome of `GET /qr-code` (contract §3.2).
#[derive(Clone, Debug, PartialEq)]
pub enum QrCode {
    /// The current bucket, as the Lambda answers it.
    Bucket(Value),
    /// E: no config item for the event (E's Lambda answers 400, "No matching event ID").
    NoSuchEvent,
}

/// Outcome of `POST /qr-code` (contract §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redeemed {
    /// No bucket for this interval, or another code.
    InvalidCode,
    NoTokensRemaining,
    Started {
        order_id: String,
    },
}

/// What `PUT /orders/{id}?action=` asks of the OrderManager workflow (§6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderAction {
    /// No action (or an empty one): the customer submits their drink.
    Submit,
    /// `make`: a barista claims the order.
    Make,
    /// `unmake`: the barista lets go of it.
    Unmake,
    /// `complete`: the drink is ready.
    Complete,
    /// `cancel`: by a barista or the customer.
    Cancel,
}

/// An `?action=` the workflow's Choice state has no branch for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct UnknownAction(pub String);

impl OrderAction {
    /// Reads `?action=` as the Choice state does: none or empty is the customer's submit.
    pub fn from_query(action: Option<&str>) -> Result<Self, UnknownAction> {
        match action.unwrap_or_default() {
            "" => Ok(Self::Submit),
            "make" => Ok(Self::Make),
            "unmake" => Ok(Self::Unmake),
            "complete" => Ok(Self::Complete),
            "cancel" => Ok(Self::Cancel),
            other => Err(UnknownAction(other.to_string())),
        }
    }
}

/// How an order ends, as W writes it to `ORDERSTATE` and announces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalState {
    Completed,
    Cancelled,
}

impl FinalState {
    /// The `ORDERSTATE` value (W's capitalisation: `Completed`, `Cancelled`).
    pub fn wire(self) -> &'static str {
        match self {
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
        }
    }

    /// The event's detail-type.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Completed => "OrderManager.OrderCompleted",
            Self::Cancelled => "OrderManager.OrderCancelled",
        }
    }

    /// E's word for the state (`COMPLETED`, `CANCELLED`).
    pub fn upper(self) -> &'static str {
        match self {
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::Completed => "The order is completed",
            Self::Cancelled => "The order is cancelled",
        }
    }
}

/// `ORDERSTATE` of an order that has not ended (W writes it in capitals).
pub const CREATED: &str = "CREATED";

/// What spending one of a bucket's tokens came to.
enum TokenSpend {
    /// No bucket for this interval, or another code.
    InvalidCode,
    NoTokensRemaining,
    /// The bucket with one token fewer.
    Spent(Bucket),
}

/// The input of an OrderManager execution (`PUT /orders/{id}`).
#[derive(Clone, Debug)]
pub struct OrderManagerInput {
    /// The action, or the one the Choice state will fail on.
    pub action: Result<OrderAction, UnknownAction>,
    /// The request body; `None` when it was not JSON (the execution never starts).
    pub body: Option<Value>,
    pub order_id: String,
    /// The caller's `sub`.
    pub barista_user_id: String,
    /// W, or the `eventId` E's mapping template puts in the input.
    pub scope: Scope,
}

/// Why a workflow step failed; logged like a failed Step Functions execution.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionFailure {
    #[error("States.NoChoiceMatched: {0}")]
    UnknownAction(#[from] UnknownAction),
    #[error("DynamoDB.ConditionalCheckFailedException: The conditional request failed")]
    ConditionalCheckFailed,
    #[error("Sanitize order: the order is not valid for the menu ({0})")]
    InvalidOrder(&'static str),
    #[error("States.TaskFailed: no order {0}")]
    NoSuchOrder(String),
    #[error("SFN.TaskTimedOut: Task Timed Out: the task token is no longer valid")]
    StaleTaskToken,
    /// E's unmake: its `Unmake Order` Pass state replaces the input, so the next state
    /// cannot find `$.eventId`; the order was updated, nothing is announced.
    #[error("States.Runtime: The JSONPath '$.eventId' specified for the field 'eventId.$' could not be found in the input (E's Unmake Order state replaced it); the order was updated but no MakeOrder event is emitted")]
    UnmakeLostEventId,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(AttributeValue::as_s)
}

/// The bucket as the validator answers it: W's `PK` is the interval, absent on the
/// creating call; E's is `<event>-<interval>`, always there, with the `eventId`.
fn bucket_json(b: &Bucket, with_pk: bool) -> Value {
    let mut v = json!({
        "last_id": b.id,
        "last_code": b.code,
        "start_ts": b.start_ts,
        "start_full": UtcDateTime::from_epoch_ms(b.start_ts).js_date_string(),
        "end_ts": b.end_ts,
        "end_full": UtcDateTime::from_epoch_ms(b.end_ts).js_date_string(),
        "availableTokens": b.tokens,
    });
    match &b.event_id {
        None if with_pk => v["PK"] = json!(b.id),
        None => {}
        Some(event) => {
            v["PK"] = json!(b.pk());
            v["eventId"] = json!(event);
        }
    }
    v
}

impl Backend {
    pub fn new(
        store: Store,
        windows: Windows,
        variant: Variant,
        bus: Bus,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            windows,
            variant,
            bus,
            clock,
            timers_changed: Notify::new(),
        }
    }

    fn emit(&self, events: Vec<Event>, now: i64) {
        self.bus.emit(&self.store, events, now);
    }

    /// The scope of a call naming `event_id` (`?eventId=`): W ignores it; E takes it as
    /// given, `""` when missing, as its mapping templates and Lambdas do.
    pub fn scope(&self, event_id: Option<&str>) -> Scope {
        match self.variant {
            Variant::W => Scope::W,
            Variant::E { .. } => Scope::Event(event_id.unwrap_or_default().to_string()),
        }
    }

    // ---- config service (§3.1) -------------------------------------------------------

    /// `GET /config`: a scan of the config table, in no promised order.
    pub fn config_items(&self) -> Result<Vec<Item>> {
        self.store.read(store::config_items)
    }

    /// E's `GET /config?eventId=` and `/admin-config`: a GetItem of `config-<event>`.
    pub fn config_item(&self, scope: &Scope) -> Result<Option<Item>> {
        let pk = scope.config_pk();
        self.store.read(|c| store::config_item(c, &pk))
    }

    /// W's `PUT /store?state=`: anything but `open` closes. Returns the new item; the
    /// table's stream then emits `ConfigService.ConfigChanged` if the item changed.
    pub fn set_store_open(&self, open: bool, now: i64) -> Result<Item> {
        self.set_store_open_in(&Scope::W, open, now)
    }

    /// `PUT /store?state=` for `scope`: an UpdateItem of its config item, which (as in
    /// DynamoDB) creates the item when E names an event it has no config for.
    ///
    /// `ConfigService.ConfigChanged` comes from the config table's stream (W's and E's
    /// alike), which writes no record for an update that changes nothing: opening an
    /// open store, or closing a closed one, announces nothing.
    pub fn set_store_open_in(&self, scope: &Scope, open: bool, now: i64) -> Result<Item> {
        let pk = scope.config_pk();
        let (item, changed) = self.store.write(|tx| {
            let before = store::config_item(tx, &pk)?;
            let mut item = before.clone().unwrap_or_default();
            item.insert("PK".into(), s(pk.clone()));
            item.insert("storeOpen".into(), AttributeValue::Bool(open));
            let changed = before.as_ref() != Some(&item);
            if changed {
                store::put_config_item(tx, &item)?;
            }
            Ok((item, changed))
        })?;
        if changed {
            let image = shared::dynamo::item_to_json(&item);
            self.emit(
                vec![Event::new(
                    "ConfigService.ConfigChanged",
                    json!({ "NewImage": image }),
                )],
                now,
            );
        }
        Ok(item)
    }

    // ---- validator (§3.2) ------------------------------------------------------------

    fn bucket_id(&self, now: i64) -> i64 {
        now.div_euclid(self.windows.qr_ms)
    }

    /// `GET /qr-code`: the current bucket, created on first ask (without `PK` then, in
    /// W). E's bucket is the event's, with the event's `drinksPerBarcode` tokens.
    pub fn current_bucket(&self, scope: &Scope, now: i64) -> Result<QrCode> {
        let id = self.bucket_id(now);
        let event = scope.event_id();
        self.store.write(|tx| {
            let tokens = match scope {
                Scope::W => TOKENS_PER_BUCKET,
                Scope::Event(_) => {
                    let Some(config) = store::config_item(tx, &scope.config_pk())? else {
                        return Ok(QrCode::NoSuchEvent);
                    };
                    // `parseInt(eventConfig.drinksPerBarcode)`: without one, NaN, which
                    // DynamoDB refuses, and the Lambda fails.
                    config
                        .get("drinksPerBarcode")
                        .and_then(AttributeValue::as_i64)
                        .with_context(|| format!("{} has no drinksPerBarcode", scope.config_pk()))?
                }
            };
            if let Some(existing) = store::bucket(tx, event, id)? {
                return Ok(QrCode::Bucket(bucket_json(&existing, true)));
            }
            let start_ts = id * self.windows.qr_ms;
            let created = Bucket {
                id,
                event_id: event.map(str::to_string),
                code: ids::nanoid(10),
                tokens,
                start_ts,
                end_ts: start_ts + self.windows.qr_ms - 1,
            };
            store::put_bucket(tx, &created)?;
            Ok(QrCode::Bucket(bucket_json(&created, false)))
        })
    }

    /// `POST /qr-code?token=`: spends a token and starts an order workflow.
    pub fn redeem(
        self: &Arc<Self>,
        scope: &Scope,
        token: &str,
        user_id: &str,
        now: i64,
    ) -> Result<Redeemed> {
        let id = self.bucket_id(now);
        let spend = self.store.write(|tx| {
            let Some(mut bucket) = store::bucket(tx, scope.event_id(), id)? else {
                return Ok(TokenSpend::InvalidCode);
            };
            if bucket.code != token {
                return Ok(TokenSpend::InvalidCode);
            }
            if bucket.tokens < 1 {
                return Ok(TokenSpend::NoTokensRemaining);
            }
            bucket.tokens -= 1;
            store::put_bucket(tx, &bucket)?;
            Ok(TokenSpend::Spent(bucket))
        })?;
        let bucket = match spend {
            TokenSpend::InvalidCode => return Ok(Redeemed::InvalidCode),
            TokenSpend::NoTokensRemaining => return Ok(Redeemed::NoTokensRemaining),
            TokenSpend::Spent(bucket) => bucket,
        };
        let order_id = ids::nanoid(21);
        let new_order = Event::new(
            "Validator.NewOrder",
            scope.detail(json!({
                "orderId": order_id, "userId": user_id, "Message": "A new order has been placed",
                "bucket": bucket_json(&bucket, true),
            })),
        );
        self.emit(vec![new_order], now);
        // EventBridge rule NewOrder starts the OrderProcessor, asynchronously.
        let backend = Arc::clone(self);
        let (order, user, scope) = (order_id.clone(), user_id.to_string(), scope.clone());
        tokio::spawn(async move {
            let now = backend.clock.now_ms();
            if let Err(e) = backend.start_order_processor(&order, &user, &scope, now) {
                tracing::error!(order = %order, "OrderProcessor failed to start: {e:#}");
            }
        });
        Ok(Redeemed::Started { order_id })
    }

    // ---- OrderProcessor (§6.1) -------------------------------------------------------

    fn start_order_processor(
        &self,
        order_id: &str,
        user_id: &str,
        scope: &Scope,
        now: i64,
    ) -> Result<()> {
        enum Start {
            Unavailable,
            Waiting { token: String },
        }
        let start = self.store.write(|tx| {
            let open = store::config_item(tx, &scope.config_pk())?
                .and_then(|c| c.get("storeOpen").and_then(AttributeValue::as_bool))
                .unwrap_or(false);
            // W: `Executions[20]` present, 20 others already running. E reads
            // `$.isCapacityAvailable[20]`, which is never present: it never rejects.
            let full = *scope == Scope::W && store::running_executions(tx)? >= CAPACITY;
            if !open || full {
                return Ok(Start::Unavailable);
            }
            let token = ids::token(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                64,
            );
            store::put_running_execution(
                tx,
                &Execution {
                    order_id: order_id.into(),
                    user_id: user_id.into(),
                    event_id: scope.event_id().map(str::to_string),
                    step: Step::Customer,
                    task_token: token.clone(),
                    deadline_ms: now + self.windows.choose_ms,
                },
                now,
            )?;
            // The WorkflowStarted Lambda writes the order row with the task token.
            let robot = crate::cognito::is_robot(tx, user_id)?;
            let item: Item = [
                ("PK", s("orders")),
                ("SK", s(order_id)),
                ("USERID", s(user_id)),
                ("ORDERSTATE", s(scope.created())),
                ("TaskToken", s(token.clone())),
                ("robot", AttributeValue::Bool(robot)),
                ("TS", AttributeValue::n(now)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            store::put_order(tx, &item)?;
            Ok(Start::Waiting { token })
        })?;
        match start {
            Start::Unavailable => self.emit(
                vec![Event::new(
                    "OrderProcessor.ShopUnavailable",
                    scope.detail(
                        json!({"Message": "The shop is not open or is at capacity", "userId": user_id}),
                    ),
                )],
                now,
            ),
            Start::Waiting { token } => {
                self.timers_changed.notify_one();
                self.emit(
                    vec![Event::new(
                        "OrderProcessor.WorkflowStarted",
                        scope.detail(json!({
                            "Message": "The workflow waits for your order to be submitted",
                            "TaskToken": token, "orderId": order_id, "userId": user_id,
                        })),
                    )],
                    now,
                );
            }
        }
        Ok(())
    }

    /// `sendTaskSuccess(token, "{}")`: resumes the OrderProcessor where it waits.
    fn send_task_success(&self, token: &str, now: i64) -> Result<(), ExecutionFailure> {
        let mut events = Vec::new();
        let resumed = self.store.write(|tx| {
            let Some(execution) = store::execution_by_token(tx, token)? else {
                return Ok(false);
            };
            let scope = Scope::of_execution(execution.event_id.as_deref());
            match execution.step {
                Step::Customer => {
                    // Generate Order Number: an UpdateItem that DynamoDB refuses when the
                    // counter item is missing, failing the execution.
                    let Some(number) = store::next_counter(tx, &scope.counter_pk())? else {
                        tracing::warn!(order = %execution.order_id, "OrderProcessor failed at Generate Order Number: no counter {}", scope.counter_pk());
                        store::finish_execution(tx, &execution.order_id, ExecutionStatus::Failed)?;
                        return Ok(true);
                    };
                    let number = number.to_string();
                    let next_token = ids::token(b"abcdefghijklmnopqrstuvwxyz0123456789", 64);
                    store::put_running_execution(
                        tx,
                        &Execution {
                            step: Step::Barista,
                            task_token: next_token.clone(),
                            deadline_ms: now + self.windows.barista_ms,
                            ..execution.clone()
                        },
                        now,
                    )?;
                    events.push(Event::new(
                        "OrderProcessor.WaitingCompletion",
                        scope.detail(json!({
                            "Message": "The workflow waits for the barista to complete your order",
                            "TaskToken": next_token, "orderId": execution.order_id,
                            "orderNumber": number, "userId": execution.user_id,
                        })),
                    ));
                    events.extend(waiting_completion_lambda(tx, &execution.order_id, &next_token, &number, &scope, now)?);
                }
                Step::Barista => {
                    store::finish_execution(tx, &execution.order_id, ExecutionStatus::Succeeded)?;
                    events.push(Event::new(
                        "OrderProcessor.orderFinished",
                        scope.detail(json!({"Message": "The order has finished", "userId": execution.user_id, "orderId": execution.order_id})),
                    ));
                }
            }
            Ok(true)
        })?;
        self.timers_changed.notify_one();
        self.emit(events, now);
        if resumed {
            Ok(())
        } else {
            Err(ExecutionFailure::StaleTaskToken)
        }
    }

    /// Times out every execution whose deadline has passed; returns the next deadline.
    /// In E, the OrderTimedOut Lambda then sets the order `<event>-CANCELLED`, with the
    /// cause as its `reason` and `TS` now (W has no such Lambda: the order stays
    /// `CREATED`).
    pub fn fire_due_timers(&self, now: i64) -> Result<Option<i64>> {
        let mut events = Vec::new();
        let next = self.store.write(|tx| {
            for execution in store::due_executions(tx, now)? {
                store::finish_execution(tx, &execution.order_id, ExecutionStatus::TimedOut)?;
                let cause = execution.step.timeout_cause();
                let scope = Scope::of_execution(execution.event_id.as_deref());
                events.push(Event::new(
                    "OrderProcessor.OrderTimeOut",
                    scope.detail(json!({
                        "Message": "The order timed out", "userId": execution.user_id,
                        "orderId": execution.order_id, "cause": cause,
                    })),
                ));
                if scope != Scope::W {
                    order_timed_out_lambda(tx, &execution.order_id, &scope, cause, now)?;
                }
            }
            store::next_deadline(tx)
        })?;
        self.emit(events, now);
        Ok(next)
    }

    /// Fires timers as they come due on the backend's clock, for as long as the emulator
    /// runs. It wakes when a deadline is set or the clock reaches the next one (a manual
    /// clock moved past it, in tests), and at least once a minute.
    pub async fn run_timers(self: Arc<Self>) {
        loop {
            let now = self.clock.now_ms();
            let wake_at = match self.fire_due_timers(now) {
                Ok(next) => next.map_or(now + 60_000, |deadline| deadline.min(now + 60_000)),
                Err(e) => {
                    tracing::error!("timer loop: {e:#}");
                    // A retry, not a timer: real time whatever the clock.
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            tokio::select! {
                () = self.clock.sleep_until(wake_at) => {}
                () = self.timers_changed.notified() => {}
            }
        }
    }

    // ---- OrderManager (§6.2) ---------------------------------------------------------

    /// `PUT /orders/{id}` starts an execution and returns at once (`StartExecution`).
    pub fn start_order_manager(self: &Arc<Self>, input: OrderManagerInput, now: i64) -> Value {
        let arn = format!(
            "arn:aws:states:us-east-1:000000000000:execution:OrderManagerStateMachine:{}",
            ids::uuid()
        );
        let start_date = now as f64 / 1000.0;
        if input.body.is_none() {
            // The body is spliced into the input; non-JSON makes the input invalid and
            // the execution never starts, yet API Gateway still answers 200.
            tracing::warn!(order = %input.order_id, "OrderManager not started: the request body is not JSON");
            return json!({});
        }
        let backend = Arc::clone(self);
        tokio::spawn(async move {
            let order = input.order_id.clone();
            let action = input.action.clone();
            let now = backend.clock.now_ms();
            if let Err(e) = backend.order_manager(input, now) {
                tracing::warn!(order = %order, action = ?action, "OrderManager execution failed: {e}");
            }
        });
        json!({"executionArn": arn, "startDate": start_date})
    }

    fn order_manager(&self, input: OrderManagerInput, now: i64) -> Result<(), ExecutionFailure> {
        let body = input.body.unwrap_or(Value::Null);
        let (order, scope) = (&input.order_id, &input.scope);
        match input.action? {
            OrderAction::Submit => self.customer_put_order(order, &body, scope, now),
            OrderAction::Make => self.claim(order, &input.barista_user_id, scope, now),
            OrderAction::Unmake => self.claim(order, "", scope, now),
            OrderAction::Complete => self.finish(order, FinalState::Completed, scope, now),
            OrderAction::Cancel => self.finish(order, FinalState::Cancelled, scope, now),
        }
    }

    /// Customer Put Order: sanitize against the menu, store the drink if the caller
    /// owns the order and its workflow waits, then resume the workflow.
    fn customer_put_order(
        &self,
        order_id: &str,
        body: &Value,
        scope: &Scope,
        now: i64,
    ) -> Result<(), ExecutionFailure> {
        let token = self.store.write(|tx| {
            // get menu: W's `menu` item (`value`), E's `config-<event>` item (`menu`).
            let drinks = match scope {
                Scope::W => store::config_item(tx, "menu")?.and_then(|m| {
                    m.get("value")
                        .and_then(AttributeValue::as_l)
                        .map(<[_]>::to_vec)
                }),
                Scope::Event(_) => store::config_item(tx, &scope.config_pk())?.and_then(|m| {
                    m.get("menu")
                        .and_then(AttributeValue::as_l)
                        .map(<[_]>::to_vec)
                }),
            };
            let Some(drinks) = drinks.or_else(|| (*scope == Scope::W).then(Vec::new)) else {
                // E's sanitizer unwraps `event.menu.Item`, which a missing item lacks.
                return Ok(Err(ExecutionFailure::InvalidOrder(
                    "no config item (menu) for this event",
                )));
            };
            if let Err(reason) = sanitize(body, &drinks) {
                return Ok(Err(ExecutionFailure::InvalidOrder(reason)));
            }
            let Some(mut order) = store::order(tx, order_id)? else {
                return Ok(Err(ExecutionFailure::ConditionalCheckFailed));
            };
            let owner = body.get("userId").and_then(Value::as_str);
            let token = text(&order, "TaskToken").map(str::to_string);
            match (owner, token) {
                (Some(owner), Some(token)) if Some(owner) == text(&order, "USERID") => {
                    order.insert("drinkOrder".into(), s(body.to_string()));
                    store::put_order(tx, &order)?;
                    Ok(Ok(token))
                }
                _ => Ok(Err(ExecutionFailure::ConditionalCheckFailed)),
            }
        })??;
        self.send_task_success(&token, now)
    }

    fn claim(
        &self,
        order_id: &str,
        barista: &str,
        scope: &Scope,
        now: i64,
    ) -> Result<(), ExecutionFailure> {
        let user = self.store.write(|tx| {
            let Some(mut order) = store::order(tx, order_id)? else {
                return Ok(None);
            };
            order.insert("baristaUserId".into(), s(barista));
            store::put_order(tx, &order)?;
            Ok(Some(text(&order, "USERID").unwrap_or_default().to_string()))
        })?;
        let user = user.ok_or_else(|| ExecutionFailure::NoSuchOrder(order_id.into()))?;
        if barista.is_empty() && *scope != Scope::W {
            return Err(ExecutionFailure::UnmakeLostEventId);
        }
        let claimed = Event::new(
            "OrderManager.MakeOrder",
            scope.detail(json!({"baristaUserId": barista, "orderId": order_id, "userId": user, "Message": "The barista has claimed the order"})),
        );
        self.emit(vec![claimed], now);
        Ok(())
    }

    /// Complete or cancel: no state check (completing twice emits twice), then resume
    /// the workflow with the stored token, which fails once the token is stale.
    fn finish(
        &self,
        order_id: &str,
        state: FinalState,
        scope: &Scope,
        now: i64,
    ) -> Result<(), ExecutionFailure> {
        let wire = scope.final_state(state);
        let found = self.store.write(|tx| {
            let Some(mut order) = store::order(tx, order_id)? else {
                return Ok(None);
            };
            order.insert("ORDERSTATE".into(), s(wire.clone()));
            store::put_order(tx, &order)?;
            let user = text(&order, "USERID").unwrap_or_default().to_string();
            Ok(Some((
                user,
                text(&order, "TaskToken").unwrap_or_default().to_string(),
            )))
        })?;
        let (user, token) = found.ok_or_else(|| ExecutionFailure::NoSuchOrder(order_id.into()))?;
        let finished = Event::new(
            &scope.final_event_type(state),
            scope.detail(json!({"orderId": order_id, "userId": user, "ORDERSTATE": wire, "Message": state.message()})),
        );
        self.emit(vec![finished], now);
        self.send_task_success(&token, now)
    }

    // ---- queries (§3.3) --------------------------------------------------------------

    pub fn orders_by_state(&self, state: &str, max_items: i64) -> Result<Vec<Item>> {
        self.store
            .read(|c| store::orders_by_state(c, state, max_items))
    }

    pub fn order(&self, id: &str) -> Result<Option<Item>> {
        self.store.read(|c| store::order(c, id))
    }

    pub fn orders_of_user(&self, user_id: &str) -> Result<Vec<Item>> {
        self.store.read(|c| store::orders_by_user(c, user_id))
    }

    pub fn order_events(&self, id: &str) -> Result<Vec<Value>> {
        self.store.read(|c| store::order_events(c, id))
    }
}

/// The WaitingCompletion Lambda: stores the barista-step token, the number and the
/// time, then announces the order to baristas. Like the real one it fails on an order
/// without a drink (cancelled while the customer was choosing).
fn waiting_completion_lambda(
    tx: &rusqlite::Transaction,
    order_id: &str,
    token: &str,
    number: &str,
    scope: &Scope,
    now: i64,
) -> Result<Option<Event>> {
    let Some(mut order) = store::order(tx, order_id)? else {
        tracing::warn!(order = %order_id, "WaitingCompletion Lambda: no such order");
        return Ok(None);
    };
    order.insert("TaskToken".into(), s(token));
    order.insert("orderNumber".into(), s(number));
    order.insert("TS".into(), AttributeValue::n(now));
    store::put_order(tx, &order)?;
    let Some(drink_order) =
        text(&order, "drinkOrder").and_then(|d| serde_json::from_str::<Value>(d).ok())
    else {
        tracing::warn!(order = %order_id, "WaitingCompletion Lambda crashed: the order has no drinkOrder");
        return Ok(None);
    };
    let user = text(&order, "USERID").unwrap_or_default();
    let robot = order
        .get("robot")
        .and_then(AttributeValue::as_bool)
        .unwrap_or(false);
    Ok(Some(Event::new(
        "OrderManager.WaitingCompletion",
        scope.detail(json!({
            "orderId": order_id, "orderNumber": number, "state": text(&order, "ORDERSTATE"),
            "drinkOrder": drink_order, "userId": user, "robot": robot, "TS": now,
            "Message": "The order is waiting for a barista",
        })),
    )))
}

/// E's OrderTimedOut Lambda (on `OrderProcessor.OrderTimeOut`): the order becomes
/// `<event>-CANCELLED`, with `reason` = the timeout's cause and `TS` = now. It announces
/// nothing.
fn order_timed_out_lambda(
    tx: &rusqlite::Transaction,
    order_id: &str,
    scope: &Scope,
    cause: &str,
    now: i64,
) -> Result<()> {
    // An UpdateItem: it would create the row if it were missing, but the WorkflowStarted
    // Lambda always wrote it.
    let mut order = store::order(tx, order_id)?.unwrap_or_else(|| {
        [("PK", s("orders")), ("SK", s(order_id))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    });
    order.insert(
        "ORDERSTATE".into(),
        s(scope.final_state(FinalState::Cancelled)),
    );
    order.insert("TS".into(), AttributeValue::n(now));
    order.insert("reason".into(), s(cause));
    store::put_order(tx, &order)
}

/// The Sanitize order Lambda: the drink must be on the menu (`drinks`: W's `value`,
/// E's `menu`) and every modifier one of that drink's groups' options. A missing
/// `modifiers` array is invalid (it crashes the Lambda). `available` is not checked:
/// only the apps hide unavailable drinks.
pub fn sanitize(body: &Value, drinks: &[AttributeValue]) -> Result<(), &'static str> {
    let drink = body
        .get("drink")
        .and_then(Value::as_str)
        .ok_or("no drink")?;
    let modifiers = body
        .get("modifiers")
        .and_then(Value::as_array)
        .ok_or("no modifiers array")?;
    let entry = drinks
        .iter()
        .filter_map(AttributeValue::as_m)
        .find(|m| m.get("drink").and_then(AttributeValue::as_s) == Some(drink))
        .ok_or("the drink is not on the menu")?;
    let options: Vec<&str> = entry
        .get("modifiers")
        .and_then(AttributeValue::as_l)
        .unwrap_or_default()
        .iter()
        .filter_map(AttributeValue::as_m)
        .flat_map(|group| {
            group
                .get("Options")
                .and_then(AttributeValue::as_l)
                .unwrap_or_default()
        })
        .filter_map(AttributeValue::as_s)
        .collect();
    for modifier in modifiers {
        let m = modifier.as_str().ok_or("a modifier is not a string")?;
        if !options.contains(&m) {
            return Err("a modifier is not an option of this drink");
        }
    }
    Ok(())
}

/// Reads a `?maxItems=` value as API Gateway's mapping template passes it on.
pub fn max_items(raw: Option<&str>) -> Result<i64> {
    match raw {
        None | Some("") => Ok(100),
        Some(n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .context("maxItems must be a positive integer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dynamo::item_from_json;

    fn menu() -> Vec<AttributeValue> {
        let item = item_from_json(&json!({"PK": {"S": "menu"}, "value": {"L": [
            {"M": {"drink": {"S": "Latte"}, "icon": {"S": "i"}, "available": {"BOOL": true}, "modifiers": {"L": []}}},
            {"M": {"drink": {"S": "Americano"}, "icon": {"S": "i"}, "available": {"BOOL": true}, "modifiers": {"L": [
                {"M": {"Name": {"S": "Milk"}, "Options": {"L": [{"S": "Regular"}, {"S": "Oat"}]}}}
            ]}}}
        ]}}))
        .unwrap();
        item["value"].as_l().unwrap().to_vec()
    }

    #[test]
    fn sanitize_follows_the_menu() {
        let m = menu();
        assert_eq!(
            sanitize(&json!({"drink": "Latte", "modifiers": []}), &m),
            Ok(())
        );
        assert_eq!(
            sanitize(&json!({"drink": "Americano", "modifiers": ["Oat"]}), &m),
            Ok(())
        );
        assert!(sanitize(&json!({"drink": "Latte", "modifiers": ["Oat"]}), &m).is_err());
        assert!(sanitize(&json!({"drink": "Mocha", "modifiers": []}), &m).is_err());
        assert!(
            sanitize(&json!({"drink": "Latte"}), &m).is_err(),
            "missing modifiers"
        );
        assert!(sanitize(&json!({"drink": "Americano", "modifiers": [1]}), &m).is_err());
    }

    #[test]
    fn actions_and_final_states_keep_ws_words() {
        assert_eq!(OrderAction::from_query(None), Ok(OrderAction::Submit));
        assert_eq!(OrderAction::from_query(Some("")), Ok(OrderAction::Submit));
        assert_eq!(OrderAction::from_query(Some("make")), Ok(OrderAction::Make));
        assert_eq!(
            OrderAction::from_query(Some("unmake")),
            Ok(OrderAction::Unmake)
        );
        assert_eq!(
            OrderAction::from_query(Some("complete")),
            Ok(OrderAction::Complete)
        );
        assert_eq!(
            OrderAction::from_query(Some("cancel")),
            Ok(OrderAction::Cancel)
        );
        assert_eq!(
            OrderAction::from_query(Some("Complete")),
            Err(UnknownAction("Complete".into())),
            "the Choice state is case-sensitive"
        );
        assert_eq!(
            (
                FinalState::Completed.wire(),
                FinalState::Completed.event_type()
            ),
            ("Completed", "OrderManager.OrderCompleted")
        );
        assert_eq!(
            (
                FinalState::Cancelled.wire(),
                FinalState::Cancelled.event_type()
            ),
            ("Cancelled", "OrderManager.OrderCancelled")
        );
        assert_eq!(FinalState::Cancelled.message(), "The order is cancelled");
    }

    #[test]
    fn max_items_defaults_to_100() {
        assert_eq!(max_items(None).unwrap(), 100);
        assert_eq!(max_items(Some("10")).unwrap(), 10);
        assert!(max_items(Some("-1")).is_err());
        assert!(max_items(Some("x")).is_err());
    }
}
