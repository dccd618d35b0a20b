//! Durable state in SQLite: what DynamoDB, Cognito and Step Functions keep in AWS.
//!
//! Orders and config items are stored as DynamoDB items (typed JSON), with the keys of
//! the W table's indexes (`GSI-status`, `GSI-userId`) in their own columns. Workflow
//! executions keep absolute deadlines, so a restarted emulator fires every timer at the
//! time it was due. E's rows live in the same tables under E's keys (`config-ABC`,
//! `orderID-ABC`, `ABC-CREATED`), its validator buckets in `event_buckets`.

use crate::variant::Variant;
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Value};
use shared::dynamo::{item_from_json, item_to_json, AttributeValue, Item};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS config (pk TEXT PRIMARY KEY, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counter (pk TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, tokens INTEGER NOT NULL,
    start_ts INTEGER NOT NULL, end_ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, state TEXT, user_id TEXT, item TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state, id);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, id);
CREATE TABLE IF NOT EXISTS executions (
    order_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, step TEXT NOT NULL,
    task_token TEXT, deadline_ms INTEGER, started_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status, deadline_ms);
CREATE INDEX IF NOT EXISTS executions_by_token ON executions (task_token);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, sub TEXT UNIQUE NOT NULL, email TEXT, phone TEXT,
    salt TEXT, verifier TEXT, confirmed INTEGER NOT NULL, code TEXT,
    groups TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, username TEXT NOT NULL, expires_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS identities (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
    kid TEXT PRIMARY KEY, private_key_pem TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, session_token TEXT NOT NULL,
    identity_id TEXT NOT NULL, expiration_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT, at_ms INTEGER NOT NULL,
    detail_type TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_order ON events (order_id, seq);
CREATE TABLE IF NOT EXISTS event_buckets (
    pk TEXT PRIMARY KEY, event_id TEXT NOT NULL, id INTEGER NOT NULL, code TEXT NOT NULL,
    tokens INTEGER NOT NULL, start_ts INTEGER NOT NULL, end_ts INTEGER NOT NULL);
";

/// Columns added since the first schema, for databases made before them: (table,
/// column, definition).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("executions", "event_id", "TEXT"),
    // A revoked refresh token is kept, so that its refusal can say so.
    ("refresh_tokens", "revoked_ms", "INTEGER"),
    // The `sub` of an authenticated identity's user (NULL: unauthenticated).
    ("identities", "sub", "TEXT"),
    // Whom credentials were issued to: the user's `sub` and role (`staff`, `customer`,
    // or NULL for an unauthenticated identity), as IoT's policy sees them.
    ("credentials", "sub", "TEXT"),
    ("credentials", "role", "TEXT"),
];

/// The W menu (contract §5.2): six drinks, all available, no modifiers.
fn seed_menu() -> Value {
    let drinks = [
        ("Espresso", "barista-icons_espresso-alternative"),
        ("Cappuccino", "barista-icons_cappuccino-alternative"),
        ("Latte", "barista-icons_cafe-latte"),
        ("Flat White", "barista-icons_flat-white-alternative@2x"),
        ("Americano", "barista-icons_americano"),
        ("Coffee of the day", "barista-icons_americano"),
    ];
    let list: Vec<Value> = drinks
        .iter()
        .map(|(drink, icon)| {
            json!({"M": {
                "drink": {"S": drink}, "icon": {"S": icon},
                "available": {"BOOL": true}, "modifiers": {"L": []}
            }})
        })
        .collect();
    json!({"PK": {"S": "menu"}, "value": {"L": list}})
}

fn seed_config() -> Value {
    json!({
        "PK": {"S": "config"}, "storeOpen": {"BOOL": true},
        "maxOrdersPerUser": {"N": "1"}, "maxOrdersInQueue": {"N": "10"}
    })
}

/// E's seed for one event (contract §5.2, `SC:01-appCore/initDB/initMenuState.JSON`):
/// one item holding the config and the menu, the store closed until a barista opens it.
/// As E seeds it, icons, "Singe Espresso" and an end date before the start included
/// (the apps ship an image for every icon either seed names: `public/drinks/`).
pub fn seed_event_config(event_id: &str) -> Value {
    let milk = json!({"L": [{"M": {
        "Name": {"S": "Milk"}, "Options": {"L": [{"S": "Regular"}, {"S": "Oat"}]}
    }}]});
    let drinks = [
        (
            "Americano",
            "barista-icons_americano-alternative",
            true,
            true,
        ),
        (
            "Flat White",
            "barista-icons_flat-white-alternative@2x",
            true,
            true,
        ),
        ("Cappuccino", "barista-icons_cappuccino", false, true),
        (
            "Singe Espresso",
            "barista-icons_espresso-alternative",
            true,
            false,
        ),
        (
            "Double Espresso",
            "barista-icons_espresso-alternative",
            true,
            false,
        ),
    ];
    let menu: Vec<Value> = drinks
        .iter()
        .map(|(drink, icon, available, with_milk)| {
            let modifiers = if *with_milk {
                milk.clone()
            } else {
                json!({"L": []})
            };
            json!({"M": {
                "available": {"BOOL": available}, "drink": {"S": drink},
                "icon": {"S": icon}, "modifiers": modifiers
            }})
        })
        .collect();
    json!({
        "PK": {"S": format!("config-{event_id}")},
        "drinksPerBarcode": {"N": "10"},
        "end": {"S": "2022-06-22"},
        "language": {"S": "pt"},
        "maxOrdersInQueue": {"N": "10"},
        "maxOrdersPerUser": {"N": "1"},
        "menu": {"L": menu},
        "region": {"S": "us-west-2"},
        "requester": {"S": "ericdj"},
        "start": {"S": "2022-10-26"},
        "storeOpen": {"BOOL": false},
    })
}

/// The database, one connection behind a lock: every operation is short.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating and seeding W's data if new) the database at `path`, or an
    /// in-memory one.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let store = Self::open_unseeded(path)?;
        store.seed_w()?;
        Ok(store)
    }

    /// Opens the database for `variant`, seeding what that backend's stack seeds (W's
    /// menu, config and counter; E's config item and counter per event) where missing.
    pub fn open_for(path: Option<&Path>, variant: &Variant) -> Result<Self> {
        let store = Self::open_unseeded(path)?;
        match variant {
            Variant::W => store.seed_w()?,
            Variant::E { events } => {
                for event in events {
                    store.seed_event(event)?;
                }
            }
        }
        Ok(store)
    }

    /// Opens (creating the tables of) the database, seeding nothing.
    pub fn open_unseeded(path: Option<&Path>) -> Result<Self> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path)
                    .with_context(|| format!("opening {}", path.display()))?;
                // WAL: readers never wait for the writer, and a crash loses nothing committed.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(SCHEMA)?;
        for (table, column, definition) in ADDED_COLUMNS {
            let exists: bool = conn.query_row(
                &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
                [column],
                |r| r.get(0),
            )?;
            if !exists {
                conn.execute_batch(&format!(
                    "ALTER TABLE {table} ADD COLUMN {column} {definition}"
                ))?;
            }
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// W's seed: the menu, the config (store open) and the counter at 0.
    fn seed_w(&self) -> Result<()> {
        self.seed_items(&[seed_menu(), seed_config()], "orderID")
    }

    /// E's seed for one event: its config item (with the menu) and `orderID-<event>` at 0.
    fn seed_event(&self, event_id: &str) -> Result<()> {
        self.seed_items(
            &[seed_event_config(event_id)],
            &format!("orderID-{event_id}"),
        )
    }

    fn seed_items(&self, items: &[Value], counter: &str) -> Result<()> {
        self.write(|tx| {
            for item in items {
                let pk = item["PK"]["S"].as_str().unwrap_or_default().to_string();
                tx.execute(
                    "INSERT OR IGNORE INTO config (pk, item) VALUES (?1, ?2)",
                    params![pk, item.to_string()],
                )?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO counter (pk, value) VALUES (?1, 0)",
                [counter],
            )?;
            Ok(())
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (every
        // change is a transaction), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one transaction, committed if it returns Ok.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs read-only `f`.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.lock())
    }

    /// Whether this database lives in memory only (`--in-memory`), to be lost on exit.
    pub fn is_in_memory(&self) -> bool {
        self.lock().path().is_none_or(str::is_empty)
    }
}

fn parse_item(json: &str) -> Result<Item> {
    Ok(item_from_json(&serde_json::from_str(json)?)?)
}

// ---- config -------------------------------------------------------------------------

pub fn config_items(conn: &Connection) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare("SELECT item FROM config ORDER BY pk DESC")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|json| parse_item(&json?)).collect()
}

pub fn config_item(conn: &Connection, pk: &str) -> Result<Option<Item>> {
    conn.query_row("SELECT item FROM config WHERE pk = ?1", [pk], |r| {
        r.get::<_, String>(0)
    })
    .optional()?
    .map(|json| parse_item(&json))
    .transpose()
}

pub fn put_config_item(conn: &Connection, item: &Item) -> Result<()> {
    let pk = item
        .get("PK")
        .and_then(AttributeValue::as_s)
        .context("config item without PK")?;
    conn.execute(
        "INSERT INTO config (pk, item) VALUES (?1, ?2) ON CONFLICT (pk) DO UPDATE SET item = excluded.item",
        params![pk, item_to_json(item).to_string()],
    )?;
    Ok(())
}

/// Adds one to the order counter and returns the new value.
pub fn next_order_number(conn: &Connection) -> Result<i64> {
    next_counter(conn, "orderID")?.context("the orderID counter is missing")
}

/// `set IDvalue = IDvalue + 1` on counter `pk` (`orderID`, E's `orderID-<event>`): the
/// new value, or None when there is no such counter (DynamoDB refuses the update).
pub fn next_counter(conn: &Connection, pk: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "UPDATE counter SET value = value + 1 WHERE pk = ?1 RETURNING value",
            [pk],
            |r| r.get(0),
        )
        .optional()?)
}

// ---- validator buckets --------------------------------------------------------------

/// One validator interval and its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub id: i64,
    /// E's buckets belong to an event (key `<event>-<id>` in `serverlesspresso-validator`);
    /// W's to none (key `<id>`).
    pub event_id: Option<String>,
    pub code: String,
    pub tokens: i64,
    pub start_ts: i64,
    pub end_ts: i64,
}

impl Bucket {
    /// The validator table's `PK`: the interval (W), or `<event>-<interval>` (E).
    pub fn pk(&self) -> String {
        match &self.event_id {
            None => self.id.to_string(),
            Some(event) => format!("{event}-{}", self.id),
        }
    }
}

/// The bucket of interval `id` (for `event` in E).
pub fn bucket(conn: &Connection, event: Option<&str>, id: i64) -> Result<Option<Bucket>> {
    let row = |r: &rusqlite::Row| {
        Ok(Bucket {
            id: r.get(0)?,
            event_id: event.map(str::to_string),
            code: r.get(1)?,
            tokens: r.get(2)?,
            start_ts: r.get(3)?,
            end_ts: r.get(4)?,
        })
    };
    Ok(match event {
        None => conn
            .query_row(
                "SELECT id, code, tokens, start_ts, end_ts FROM buckets WHERE id = ?1",
                [id],
                row,
            )
            .optional()?,
        Some(event) => conn
            .query_row(
                "SELECT id, code, tokens, start_ts, end_ts FROM event_buckets WHERE pk = ?1",
                [format!("{event}-{id}")],
                row,
            )
            .optional()?,
    })
}

pub fn put_bucket(conn: &Connection, b: &Bucket) -> Result<()> {
    match &b.event_id {
        None => conn.execute(
            "INSERT OR REPLACE INTO buckets (id, code, tokens, start_ts, end_ts) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![b.id, b.code, b.tokens, b.start_ts, b.end_ts],
        )?,
        Some(event) => conn.execute(
            "INSERT OR REPLACE INTO event_buckets (pk, event_id, id, code, tokens, start_ts, end_ts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![b.pk(), event, b.id, b.code, b.tokens, b.start_ts, b.end_ts],
        )?,
    };
    Ok(())
}

// ---- orders -------------------------------------------------------------------------

pub fn order(conn: &Connection, id: &str) -> Result<Option<Item>> {
    conn.query_row("SELECT item FROM orders WHERE id = ?1", [id], |r| {
        r.get::<_, String>(0)
    })
    .optional()?
    .map(|json| parse_item(&json))
    .transpose()
}

/// Writes an order item, keeping the index columns in step with its attributes.
pub fn put_order(conn: &Connection, item: &Item) -> Result<()> {
    let text = |name: &str| {
        item.get(name)
            .and_then(AttributeValue::as_s)
            .map(str::to_string)
    };
    let id = text("SK").context("order item without SK")?;
    conn.execute(
        "INSERT INTO orders (id, state, user_id, item) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, user_id = excluded.user_id, item = excluded.item",
        params![id, text("ORDERSTATE"), text("USERID"), item_to_json(item).to_string()],
    )?;
    Ok(())
}

/// `GSI-status`: orders in `state` (case-sensitive), ascending by id.
pub fn orders_by_state(conn: &Connection, state: &str, limit: i64) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare("SELECT item FROM orders WHERE state = ?1 ORDER BY id LIMIT ?2")?;
    let rows = stmt.query_map(params![state, limit], |r| r.get::<_, String>(0))?;
    rows.map(|json| parse_item(&json?)).collect()
}

/// `GSI-userId`: a user's orders, ascending by id.
pub fn orders_by_user(conn: &Connection, user_id: &str) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare("SELECT item FROM orders WHERE user_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
    rows.map(|json| parse_item(&json?)).collect()
}

// ---- workflow executions ------------------------------------------------------------

/// Where an OrderProcessor execution waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Step 5: the customer has `choose_ms` to submit a drink.
    Customer,
    /// Step 7: the baristas have `barista_ms` to complete or cancel.
    Barista,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Customer => "customer",
            Step::Barista => "barista",
        }
    }

    /// The `cause` of the `OrderTimeOut` event when this step's wait runs out.
    pub fn timeout_cause(self) -> &'static str {
        match self {
            Step::Customer => "Customer timedout",
            Step::Barista => "Barista timedout",
        }
    }
}

/// An execution's status, in Step Functions' words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    TimedOut,
    /// A step failed (E: no counter for the event).
    Failed,
}

impl ExecutionStatus {
    fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Failed => "FAILED",
        }
    }
}

/// A running OrderProcessor execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    pub order_id: String,
    pub user_id: String,
    /// E: the event of the bucket that started it (`$.detail.bucket.eventId`).
    pub event_id: Option<String>,
    pub step: Step,
    pub task_token: String,
    pub deadline_ms: i64,
}

fn execution_from_row(r: &rusqlite::Row) -> rusqlite::Result<Execution> {
    Ok(Execution {
        order_id: r.get(0)?,
        user_id: r.get(1)?,
        step: if r.get::<_, String>(2)? == "customer" {
            Step::Customer
        } else {
            Step::Barista
        },
        task_token: r.get(3)?,
        deadline_ms: r.get(4)?,
        event_id: r.get(5)?,
    })
}

const EXECUTION_COLUMNS: &str = "order_id, user_id, step, task_token, deadline_ms, event_id";

pub fn put_running_execution(conn: &Connection, e: &Execution, started_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO executions (order_id, user_id, status, step, task_token, deadline_ms, started_ms, event_id)
         VALUES (?1, ?2, ?7, ?3, ?4, ?5, ?6, ?8)
         ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, step = excluded.step,
             task_token = excluded.task_token, deadline_ms = excluded.deadline_ms",
        params![
            e.order_id,
            e.user_id,
            e.step.as_str(),
            e.task_token,
            e.deadline_ms,
            started_ms,
            ExecutionStatus::Running.as_str(),
            e.event_id,
        ],
    )?;
    Ok(())
}

pub fn finish_execution(conn: &Connection, order_id: &str, status: ExecutionStatus) -> Result<()> {
    conn.execute(
        "UPDATE executions SET status = ?2, task_token = NULL, deadline_ms = NULL WHERE order_id = ?1",
        params![order_id, status.as_str()],
    )?;
    Ok(())
}

pub fn running_executions(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM executions WHERE status = 'RUNNING'",
        [],
        |r| r.get(0),
    )?)
}

pub fn execution_by_token(conn: &Connection, token: &str) -> Result<Option<Execution>> {
    Ok(conn
        .query_row(
            &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE task_token = ?1 AND status = 'RUNNING'"),
            [token],
            execution_from_row,
        )
        .optional()?)
}

/// Running executions whose deadline has passed.
pub fn due_executions(conn: &Connection, now_ms: i64) -> Result<Vec<Execution>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EXECUTION_COLUMNS} FROM executions
         WHERE status = 'RUNNING' AND deadline_ms <= ?1 ORDER BY deadline_ms"
    ))?;
    let rows = stmt.query_map([now_ms], execution_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn next_deadline(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MIN(deadline_ms) FROM executions WHERE status = 'RUNNING'",
        [],
        |r| r.get(0),
    )?)
}

// ---- event log ----------------------------------------------------------------------

pub fn log_event(
    conn: &Connection,
    order_id: Option<&str>,
    at_ms: i64,
    detail_type: &str,
    detail: &Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (order_id, at_ms, detail_type, detail) VALUES (?1, ?2, ?3, ?4)",
        params![order_id, at_ms, detail_type, detail.to_string()],
    )?;
    Ok(())
}

/// Every event of one order, oldest first: `[{at, type, detail}]`.
pub fn order_events(conn: &Connection, order_id: &str) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT at_ms, detail_type, detail FROM events WHERE order_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|row| {
        let (at, ty, detail) = row?;
        Ok(json!({"at": at, "type": ty, "detail": serde_json::from_str::<Value>(&detail)?}))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_the_w_menu_and_config_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.db");
        let store = Store::open(Some(&path)).unwrap();
        let items = store.read(config_items).unwrap();
        assert_eq!(items.len(), 2);
        let menu = store.read(|c| config_item(c, "menu")).unwrap().unwrap();
        assert_eq!(menu["value"].as_l().unwrap().len(), 6);
        store
            .write(|tx| {
                let mut config = config_item(tx, "config")?.unwrap();
                config.insert("storeOpen".into(), AttributeValue::Bool(false));
                put_config_item(tx, &config)
            })
            .unwrap();
        drop(store);
        // Reopening keeps changes and does not seed again.
        let store = Store::open(Some(&path)).unwrap();
        let config = store.read(|c| config_item(c, "config")).unwrap().unwrap();
        assert_eq!(config["storeOpen"], AttributeValue::Bool(false));
        assert_eq!(store.write(|tx| next_order_number(tx)).unwrap(), 1);
        assert_eq!(store.write(|tx| next_order_number(tx)).unwrap(), 2);
    }

    /// The `(drink, icon)` pairs of a seeded menu (`"L"` of `{"M": {drink, icon, …}}`).
    fn drinks_and_icons(menu: &Value) -> Vec<(String, String)> {
        menu["L"]
            .as_array()
            .expect("a menu list")
            .iter()
            .map(|d| {
                let text = |name: &str| d["M"][name]["S"].as_str().unwrap().to_string();
                (text("drink"), text("icon"))
            })
            .collect()
    }

    #[test]
    fn e_seeds_the_icons_of_init_menu_state() {
        // `01-appCore/initDB/initMenuState.JSON` of aws-samples/serverless-coffee.
        let real = [
            ("Americano", "barista-icons_americano-alternative"),
            ("Flat White", "barista-icons_flat-white-alternative@2x"),
            ("Cappuccino", "barista-icons_cappuccino"),
            ("Singe Espresso", "barista-icons_espresso-alternative"),
            ("Double Espresso", "barista-icons_espresso-alternative"),
        ]
        .map(|(drink, icon)| (drink.to_string(), icon.to_string()));
        assert_eq!(drinks_and_icons(&seed_event_config("ABC")["menu"]), real);
    }

    #[test]
    fn the_apps_have_an_image_for_every_icon_either_seed_names() {
        let drinks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/drinks");
        let seeded = drinks_and_icons(&seed_menu()["value"])
            .into_iter()
            .chain(drinks_and_icons(&seed_event_config("ABC")["menu"]));
        for (drink, icon) in seeded {
            // The path the apps ask for (`shared::model::drink_image`).
            let image = shared::model::drink_image(&icon);
            assert_eq!(image, format!("drinks/{icon}.svg"), "{drink}");
            let file = drinks.join(format!("{icon}.svg"));
            assert!(file.is_file(), "{drink}: no image {}", file.display());
        }
    }

    #[test]
    fn e_seeds_one_config_item_and_counter_per_event_and_keeps_w_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.db");
        let e = Variant::e(["ABC", "XYZ"]).unwrap();
        let store = Store::open_for(Some(&path), &e).unwrap();
        let pks: Vec<String> = store
            .read(config_items)
            .unwrap()
            .iter()
            .map(|i| i["PK"].as_s().unwrap().to_string())
            .collect();
        assert_eq!(pks, ["config-XYZ", "config-ABC"], "no W menu or config");
        let abc = store
            .read(|c| config_item(c, "config-ABC"))
            .unwrap()
            .unwrap();
        assert_eq!(abc["storeOpen"], AttributeValue::Bool(false));
        assert_eq!(abc["drinksPerBarcode"], AttributeValue::n(10));
        let menu = abc["menu"].as_l().unwrap();
        let names: Vec<&str> = menu
            .iter()
            .map(|d| d.as_m().unwrap()["drink"].as_s().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Americano",
                "Flat White",
                "Cappuccino",
                "Singe Espresso",
                "Double Espresso"
            ]
        );
        assert_eq!(
            store.write(|tx| next_counter(tx, "orderID-XYZ")).unwrap(),
            Some(1)
        );
        assert_eq!(
            store.write(|tx| next_counter(tx, "orderID-ABC")).unwrap(),
            Some(1),
            "one counter per event"
        );
        assert_eq!(
            store.write(|tx| next_counter(tx, "orderID-NOPE")).unwrap(),
            None
        );
        // Buckets of the same interval, one per event, and W's apart.
        let new_bucket = |event: Option<&str>, code: &str| Bucket {
            id: 7,
            event_id: event.map(str::to_string),
            code: code.into(),
            tokens: 10,
            start_ts: 0,
            end_ts: 1,
        };
        store
            .write(|tx| {
                put_bucket(tx, &new_bucket(Some("ABC"), "abc"))?;
                put_bucket(tx, &new_bucket(Some("XYZ"), "xyz"))?;
                put_bucket(tx, &new_bucket(None, "w"))
            })
            .unwrap();
        let read = |event: Option<&str>| store.read(|c| bucket_of(c, event)).unwrap();
        fn bucket_of(c: &Connection, event: Option<&str>) -> Result<Option<String>> {
            Ok(bucket(c, event, 7)?.map(|b| format!("{} {}", b.pk(), b.code)))
        }
        assert_eq!(read(Some("ABC")).as_deref(), Some("ABC-7 abc"));
        assert_eq!(read(Some("XYZ")).as_deref(), Some("XYZ-7 xyz"));
        assert_eq!(read(None).as_deref(), Some("7 w"));
        drop(store);
        // Reopened as W, the same file gains W's seed beside E's rows.
        let store = Store::open_for(Some(&path), &Variant::W).unwrap();
        assert_eq!(store.read(config_items).unwrap().len(), 4);
    }

    #[test]
    fn a_database_from_before_e_gains_the_executions_event_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE executions (
                    order_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, step TEXT NOT NULL,
                    task_token TEXT, deadline_ms INTEGER, started_ms INTEGER NOT NULL);
                 INSERT INTO executions VALUES ('o1', 'u1', 'RUNNING', 'customer', 't1', 5, 1);",
            )
            .unwrap();
        let store = Store::open(Some(&path)).unwrap();
        let due = store.read(|c| due_executions(c, 10)).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].event_id, None);
    }

    #[test]
    fn orders_are_indexed_by_state_and_user() {
        let store = Store::open(None).unwrap();
        let order = |id: &str, state: &str, user: &str| -> Item {
            [
                ("PK", AttributeValue::s("orders")),
                ("SK", AttributeValue::s(id)),
                ("ORDERSTATE", AttributeValue::s(state)),
                ("USERID", AttributeValue::s(user)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
        };
        store
            .write(|tx| {
                put_order(tx, &order("b", "CREATED", "u1"))?;
                put_order(tx, &order("a", "CREATED", "u2"))?;
                put_order(tx, &order("c", "Completed", "u1"))?;
                put_order(tx, &order("b", "Cancelled", "u1"))
            })
            .unwrap();
        let created = store.read(|c| orders_by_state(c, "CREATED", 100)).unwrap();
        assert_eq!(created.len(), 1);
        assert!(
            store
                .read(|c| orders_by_state(c, "COMPLETED", 100))
                .unwrap()
                .is_empty(),
            "case-sensitive"
        );
        let mine = store.read(|c| orders_by_user(c, "u1")).unwrap();
        let ids: Vec<_> = mine.iter().map(|i| i["SK"].as_s().unwrap()).collect();
        assert_eq!(ids, ["b", "c"]);
    }
}
