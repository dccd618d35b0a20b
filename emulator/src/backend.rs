//! The backend's behaviour: config service, validator, and the OrderProcessor and
//! OrderManager workflows with the Lambdas they trigger (contract §3, §6), as variant W
//! does it, quirks included, so a client that works here works against AWS.
//!
//! Each operation is one SQLite transaction; the events it produces are published after
//! the commit.

use crate::clock::{Clock, Timings};
use crate::events::{Bus, Event};
use crate::ids;
use crate::store::{self, Bucket, Execution, ExecutionStatus, Step, Store};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use shared::dynamo::{AttributeValue, Item};
use shared::time::UtcDateTime;
use std::sync::Arc;
use tokio::sync::Notify;

/// The validator's tokens per bucket (`TokensPerBucket`).
pub const TOKENS_PER_BUCKET: i64 = 10;
/// The OrderProcessor rejects an order when this many executions already run.
pub const CAPACITY: i64 = 20;

pub struct Backend {
    pub store: Store,
    pub timings: Timings,
    bus: Bus,
    /// Read when a workflow step starts on its own (after the request that caused it)
    /// and by the timer loop; everything else is handed the time.
    clock: Arc<dyn Clock>,
    /// Wakes the timer loop when a new deadline is set.
    timers_changed: Notify,
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
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(AttributeValue::as_s)
}

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
    if with_pk {
        v["PK"] = json!(b.id);
    }
    v
}

impl Backend {
    pub fn new(store: Store, timings: Timings, bus: Bus, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            timings,
            bus,
            clock,
            timers_changed: Notify::new(),
        }
    }

    fn emit(&self, events: Vec<Event>, now: i64) {
        self.bus.emit(&self.store, events, now);
    }

    // ---- config service (§3.1) -------------------------------------------------------

    /// `GET /config`: a scan of the config table, in no promised order.
    pub fn config_items(&self) -> Result<Vec<Item>> {
        self.store.read(store::config_items)
    }

    /// `PUT /store?state=`: anything but `open` closes. Returns the new item; the
    /// table's stream then emits `ConfigService.ConfigChanged`.
    pub fn set_store_open(&self, open: bool, now: i64) -> Result<Item> {
        let item = self.store.write(|tx| {
            let mut item = store::config_item(tx, "config")?.unwrap_or_default();
            item.insert("PK".into(), s("config"));
            item.insert("storeOpen".into(), AttributeValue::Bool(open));
            store::put_config_item(tx, &item)?;
            Ok(item)
        })?;
        let image = shared::dynamo::item_to_json(&item);
        self.emit(
            vec![Event::new(
                "ConfigService.ConfigChanged",
                json!({ "NewImage": image }),
            )],
            now,
        );
        Ok(item)
    }

    // ---- validator (§3.2) ------------------------------------------------------------

    fn bucket_id(&self, now: i64) -> i64 {
        now.div_euclid(self.timings.bucket_ms)
    }

    /// `GET /qr-code`: the current bucket, created on first ask (without `PK` then).
    pub fn current_bucket(&self, now: i64) -> Result<Value> {
        let id = self.bucket_id(now);
        self.store.write(|tx| {
            if let Some(existing) = store::bucket(tx, id)? {
                return Ok(bucket_json(&existing, true));
            }
            let start_ts = id * self.timings.bucket_ms;
            let created = Bucket {
                id,
                code: ids::nanoid(10),
                tokens: TOKENS_PER_BUCKET,
                start_ts,
                end_ts: start_ts + self.timings.bucket_ms - 1,
            };
            store::put_bucket(tx, &created)?;
            Ok(bucket_json(&created, false))
        })
    }

    /// `POST /qr-code?token=`: spends a token and starts an order workflow.
    pub fn redeem(self: &Arc<Self>, token: &str, user_id: &str, now: i64) -> Result<Redeemed> {
        let id = self.bucket_id(now);
        let spend = self.store.write(|tx| {
            let Some(mut bucket) = store::bucket(tx, id)? else {
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
            json!({
                "orderId": order_id, "userId": user_id, "Message": "A new order has been placed",
                "bucket": bucket_json(&bucket, true),
            }),
        );
        self.emit(vec![new_order], now);
        // EventBridge rule NewOrder starts the OrderProcessor, asynchronously.
        let backend = Arc::clone(self);
        let (order, user) = (order_id.clone(), user_id.to_string());
        tokio::spawn(async move {
            let now = backend.clock.now_ms();
            if let Err(e) = backend.start_order_processor(&order, &user, now) {
                tracing::error!(order = %order, "OrderProcessor failed to start: {e:#}");
            }
        });
        Ok(Redeemed::Started { order_id })
    }

    // ---- OrderProcessor (§6.1) -------------------------------------------------------

    fn start_order_processor(&self, order_id: &str, user_id: &str, now: i64) -> Result<()> {
        enum Start {
            Unavailable,
            Waiting { token: String },
        }
        let start = self.store.write(|tx| {
            let open = store::config_item(tx, "config")?
                .and_then(|c| c.get("storeOpen").and_then(AttributeValue::as_bool))
                .unwrap_or(false);
            // `Executions[20]` present: 20 others already running.
            if !open || store::running_executions(tx)? >= CAPACITY {
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
                    step: Step::Customer,
                    task_token: token.clone(),
                    deadline_ms: now + self.timings.customer_wait_ms,
                },
                now,
            )?;
            // The WorkflowStarted Lambda writes the order row with the task token.
            let robot = crate::cognito::is_robot(tx, user_id)?;
            let item: Item = [
                ("PK", s("orders")),
                ("SK", s(order_id)),
                ("USERID", s(user_id)),
                ("ORDERSTATE", s(CREATED)),
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
                    json!({"Message": "The shop is not open or is at capacity", "userId": user_id}),
                )],
                now,
            ),
            Start::Waiting { token } => {
                self.timers_changed.notify_one();
                self.emit(
                    vec![Event::new(
                        "OrderProcessor.WorkflowStarted",
                        json!({
                            "Message": "The workflow waits for your order to be submitted",
                            "TaskToken": token, "orderId": order_id, "userId": user_id,
                        }),
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
            match execution.step {
                Step::Customer => {
                    let number = store::next_order_number(tx)?.to_string();
                    let next_token = ids::token(b"abcdefghijklmnopqrstuvwxyz0123456789", 64);
                    store::put_running_execution(
                        tx,
                        &Execution {
                            step: Step::Barista,
                            task_token: next_token.clone(),
                            deadline_ms: now + self.timings.barista_wait_ms,
                            ..execution.clone()
                        },
                        now,
                    )?;
                    events.push(Event::new(
                        "OrderProcessor.WaitingCompletion",
                        json!({
                            "Message": "The workflow waits for the barista to complete your order",
                            "TaskToken": next_token, "orderId": execution.order_id,
                            "orderNumber": number, "userId": execution.user_id,
                        }),
                    ));
                    events.extend(waiting_completion_lambda(tx, &execution.order_id, &next_token, &number, now)?);
                }
                Step::Barista => {
                    store::finish_execution(tx, &execution.order_id, ExecutionStatus::Succeeded)?;
                    events.push(Event::new(
                        "OrderProcessor.orderFinished",
                        json!({"Message": "The order has finished", "userId": execution.user_id, "orderId": execution.order_id}),
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
    pub fn fire_due_timers(&self, now: i64) -> Result<Option<i64>> {
        let mut events = Vec::new();
        let next = self.store.write(|tx| {
            for execution in store::due_executions(tx, now)? {
                store::finish_execution(tx, &execution.order_id, ExecutionStatus::TimedOut)?;
                let cause = execution.step.timeout_cause();
                events.push(Event::new(
                    "OrderProcessor.OrderTimeOut",
                    json!({
                        "Message": "The order timed out", "userId": execution.user_id,
                        "orderId": execution.order_id, "cause": cause,
                    }),
                ));
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
        let order = &input.order_id;
        match input.action? {
            OrderAction::Submit => self.customer_put_order(order, &body, now),
            OrderAction::Make => self.claim(order, &input.barista_user_id, now),
            OrderAction::Unmake => self.claim(order, "", now),
            OrderAction::Complete => self.finish(order, FinalState::Completed, now),
            OrderAction::Cancel => self.finish(order, FinalState::Cancelled, now),
        }
    }

    /// Customer Put Order: sanitize against the menu, store the drink if the caller
    /// owns the order and its workflow waits, then resume the workflow.
    fn customer_put_order(
        &self,
        order_id: &str,
        body: &Value,
        now: i64,
    ) -> Result<(), ExecutionFailure> {
        let token = self.store.write(|tx| {
            let menu = store::config_item(tx, "menu")?.unwrap_or_default();
            if let Err(reason) = sanitize(body, &menu) {
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

    fn claim(&self, order_id: &str, barista: &str, now: i64) -> Result<(), ExecutionFailure> {
        let user = self.store.write(|tx| {
            let Some(mut order) = store::order(tx, order_id)? else {
                return Ok(None);
            };
            order.insert("baristaUserId".into(), s(barista));
            store::put_order(tx, &order)?;
            Ok(Some(text(&order, "USERID").unwrap_or_default().to_string()))
        })?;
        let user = user.ok_or_else(|| ExecutionFailure::NoSuchOrder(order_id.into()))?;
        let claimed = Event::new(
            "OrderManager.MakeOrder",
            json!({"baristaUserId": barista, "orderId": order_id, "userId": user, "Message": "The barista has claimed the order"}),
        );
        self.emit(vec![claimed], now);
        Ok(())
    }

    /// Complete or cancel: no state check (completing twice emits twice), then resume
    /// the workflow with the stored token, which fails once the token is stale.
    fn finish(&self, order_id: &str, state: FinalState, now: i64) -> Result<(), ExecutionFailure> {
        let found = self.store.write(|tx| {
            let Some(mut order) = store::order(tx, order_id)? else {
                return Ok(None);
            };
            order.insert("ORDERSTATE".into(), s(state.wire()));
            store::put_order(tx, &order)?;
            let user = text(&order, "USERID").unwrap_or_default().to_string();
            Ok(Some((
                user,
                text(&order, "TaskToken").unwrap_or_default().to_string(),
            )))
        })?;
        let (user, token) = found.ok_or_else(|| ExecutionFailure::NoSuchOrder(order_id.into()))?;
        let finished = Event::new(
            state.event_type(),
            json!({"orderId": order_id, "userId": user, "ORDERSTATE": state.wire(), "Message": state.message()}),
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
        json!({
            "orderId": order_id, "orderNumber": number, "state": text(&order, "ORDERSTATE"),
            "drinkOrder": drink_order, "userId": user, "robot": robot, "TS": now,
            "Message": "The order is waiting for a barista",
        }),
    )))
}

/// The Sanitize order Lambda: the drink must be on the menu and every modifier one of
/// that drink's options. A missing `modifiers` array is invalid (it crashes the Lambda).
pub fn sanitize(body: &Value, menu: &Item) -> Result<(), &'static str> {
    let drink = body
        .get("drink")
        .and_then(Value::as_str)
        .ok_or("no drink")?;
    let modifiers = body
        .get("modifiers")
        .and_then(Value::as_array)
        .ok_or("no modifiers array")?;
    let entries = menu
        .get("value")
        .and_then(AttributeValue::as_l)
        .unwrap_or_default();
    let entry = entries
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

    fn menu() -> Item {
        item_from_json(&json!({"PK": {"S": "menu"}, "value": {"L": [
            {"M": {"drink": {"S": "Latte"}, "icon": {"S": "i"}, "available": {"BOOL": true}, "modifiers": {"L": []}}},
            {"M": {"drink": {"S": "Americano"}, "icon": {"S": "i"}, "available": {"BOOL": true}, "modifiers": {"L": [
                {"M": {"Name": {"S": "Milk"}, "Options": {"L": [{"S": "Regular"}, {"S": "Oat"}]}}}
            ]}}}
        ]}}))
        .unwrap()
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
