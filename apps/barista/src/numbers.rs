//! The numbers staff run the bar by: drinks completed this hour and today, the average
//! and longest wait (reached the bar → ready) today and over the last half hour, waiting
//! now, timed out, cancelled, the drinks that sell; and the day's orders as CSV for the
//! organiser. Pure, time passed in.
//!
//! REST says which orders were completed or cancelled and when each reached the bar
//! (`TS`), but not when it left (W's workflow never updates `TS`, contract §5.1). This
//! console knows that for the orders it saw leave, and keeps it in a [`ServiceLog`] that
//! outlives a reload; a wait is measured only where both ends are known, and the numbers
//! say for how many drinks ("timed").
//!
//! Hours and half hours follow the backend's time scale: the baristas' window is 15
//! minutes of the day, so a demo running ten times faster has ten-times-shorter hours.

use crate::board::{Board, Column, RECENT};
use shared::model::{Order, OrderStatus};
use shared::windows::Windows;
use std::collections::BTreeMap;

/// What the numbers are computed from at one load: the day's orders as REST lists them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaySnapshot {
    pub open: Vec<Order>,
    pub completed: Vec<Order>,
    pub cancelled: Vec<Order>,
}

/// When and how each order this console saw leave the board left (order id → ms and
/// outcome), kept by the browser for the day. REST cannot tell an E order that timed
/// out from one cancelled (its list leaves out the `reason`); this log can.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceLog {
    pub left: BTreeMap<String, (i64, OrderStatus)>,
}

/// The most orders a log keeps (a long day at a busy bar is under 2,000).
const LOG_MAX: usize = 5_000;

/// An outcome's letter in storage.
fn outcome_code(outcome: OrderStatus) -> Option<char> {
    match outcome {
        OrderStatus::Ready => Some('r'),
        OrderStatus::Cancelled => Some('c'),
        OrderStatus::TimedOut => Some('t'),
        _ => None,
    }
}

fn outcome_of(code: &str) -> Option<OrderStatus> {
    [
        OrderStatus::Ready,
        OrderStatus::Cancelled,
        OrderStatus::TimedOut,
    ]
    .into_iter()
    .find(|o| outcome_code(*o).is_some_and(|c| code.len() == 1 && code.starts_with(c)))
}

impl ServiceLog {
    /// Adds every departure the board saw (and knows the time of).
    pub fn record(&mut self, board: &Board) -> bool {
        let mut changed = false;
        for departed in &board.recent {
            if let (Some(at), Some(_)) = (departed.left_at_ms, outcome_code(departed.outcome)) {
                let seen = (at, departed.outcome);
                changed |= self.left.insert(departed.order.id.clone(), seen) != Some(seen);
            }
        }
        changed
    }

    /// Drops what left before `day_start_ms` (yesterday's), and the oldest beyond
    /// [`LOG_MAX`].
    pub fn keep_from(&mut self, day_start_ms: i64) {
        self.left.retain(|_, (at, _)| *at >= day_start_ms);
        while self.left.len() > LOG_MAX {
            let oldest = self
                .left
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => self.left.remove(&id),
                None => break,
            };
        }
    }

    /// `id ms outcome` lines, for the browser's storage.
    pub fn to_text(&self) -> String {
        self.left
            .iter()
            .filter_map(|(id, (at, outcome))| {
                Some(format!("{id} {at} {}\n", outcome_code(*outcome)?))
            })
            .collect()
    }

    /// What [`Self::to_text`] wrote; lines it did not write are skipped.
    pub fn from_text(text: &str) -> Self {
        let left = text
            .lines()
            .filter_map(|line| {
                let mut fields = line.split(' ');
                let (id, at, outcome) = (fields.next()?, fields.next()?, fields.next()?);
                let valid_id = !id.is_empty()
                    && id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                (valid_id && fields.next().is_none()).then_some(())?;
                Some((id.to_string(), (at.parse().ok()?, outcome_of(outcome)?)))
            })
            .collect();
        Self { left }
    }
}

/// One order of the day, and how it ended (none: still waiting).
#[derive(Clone, Debug, PartialEq)]
pub struct DayOrder {
    pub order: Order,
    pub outcome: Option<OrderStatus>,
    /// When it left the board, if known.
    pub left_ms: Option<i64>,
}

impl DayOrder {
    /// Reached the bar → left, when both are known.
    pub fn wait_ms(&self) -> Option<i64> {
        Some(self.left_ms? - self.order.ts_ms?).filter(|w| *w >= 0)
    }

    /// The time it belongs to the day by: when it left, else when it reached the bar.
    fn at_ms(&self) -> Option<i64> {
        self.left_ms.or(self.order.ts_ms)
    }
}

/// The day's orders, oldest first: REST's lists, what the board saw live (which wins:
/// it knows when), and the log's times for what left before a reload. Orders neither
/// reaching the bar nor leaving it today are not the day's.
pub fn day_orders(
    rest: &DaySnapshot,
    board: &Board,
    log: &ServiceLog,
    now_ms: i64,
    day_start_ms: i64,
) -> Vec<DayOrder> {
    let windows = board.windows;
    let mut day: BTreeMap<String, DayOrder> = BTreeMap::new();
    let mut put = |order: &Order, outcome: Option<OrderStatus>, left_ms: Option<i64>| {
        if order.number.is_none() || order.drink.is_none() {
            return;
        }
        day.insert(
            order.id.clone(),
            DayOrder {
                order: order.clone(),
                outcome,
                left_ms,
            },
        );
    };
    for order in &rest.open {
        if windows.is_live(order, now_ms) {
            put(order, None, None);
        } else {
            // W leaves a timed-out order `CREATED`: it left when its window ended.
            put(
                order,
                Some(OrderStatus::TimedOut),
                order.ts_ms.map(|ts| ts + windows.barista_ms),
            );
        }
    }
    for order in &rest.completed {
        put(order, Some(OrderStatus::Ready), None);
    }
    for order in &rest.cancelled {
        // E's timeout Lambda marks a timed-out order cancelled, with its reason.
        let outcome = match order.timed_out {
            Some(_) => OrderStatus::TimedOut,
            None => OrderStatus::Cancelled,
        };
        put(order, Some(outcome), None);
    }
    for card in board.cards.values() {
        match card.column {
            Column::Pickup => put(&card.order, Some(OrderStatus::Ready), card.picked_up_at_ms),
            _ => put(&card.order, None, None),
        }
    }
    for departed in &board.recent {
        put(&departed.order, Some(departed.outcome), departed.left_at_ms);
    }
    let mut orders: Vec<DayOrder> = day
        .into_values()
        .map(|mut o| {
            // What this console saw wins over REST's word, unless the board knows better.
            if let (Some(_), None, Some((at, outcome))) =
                (o.outcome, o.left_ms, log.left.get(&o.order.id))
            {
                o.left_ms = Some(*at);
                o.outcome = Some(*outcome);
            }
            o
        })
        .filter(|o| o.at_ms().is_some_and(|at| at >= day_start_ms))
        .collect();
    orders.sort_by_key(|o| (o.order.ts_ms, o.order.number));
    orders
}

/// The orders of `orders` that left the board, newest first (by when they left, else when
/// they reached the bar), at most [`RECENT`]; for a `query` ("14" or "#14"), the one
/// numbered so, however long ago today.
pub fn departed_matching(orders: &[DayOrder], query: &str) -> Vec<DayOrder> {
    let query = query.trim().trim_start_matches('#');
    let wanted = query.parse::<u32>().ok();
    let mut departed: Vec<DayOrder> = orders
        .iter()
        .filter(|o| o.outcome.is_some())
        .filter(|o| query.is_empty() || (wanted.is_some() && o.order.number == wanted))
        .cloned()
        .collect();
    departed.sort_by_key(|o| std::cmp::Reverse(o.at_ms()));
    if query.is_empty() {
        departed.truncate(RECENT);
    }
    departed
}

/// Waits over some drinks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waits {
    pub average_ms: i64,
    pub longest_ms: i64,
    /// How many drinks they are measured over.
    pub timed: u32,
}

impl Waits {
    fn over(waits: impl Iterator<Item = i64>) -> Option<Self> {
        let (mut total, mut longest, mut timed) = (0i64, 0i64, 0u32);
        for wait in waits {
            total += wait;
            longest = longest.max(wait);
            timed += 1;
        }
        (timed > 0).then(|| Self {
            average_ms: total / i64::from(timed),
            longest_ms: longest,
            timed,
        })
    }
}

/// The numbers at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceNumbers {
    pub completed_this_hour: u32,
    pub completed_today: u32,
    pub waits_today: Option<Waits>,
    pub waits_last_half_hour: Option<Waits>,
    pub waiting_now: u32,
    pub timed_out: u32,
    pub cancelled: u32,
    /// The drinks completed today, most first (ties by name), at most five.
    pub top_drinks: Vec<(String, u32)>,
}

/// An hour of the backend's clock (four baristas' windows).
pub fn hour_ms(windows: &Windows) -> i64 {
    windows.barista_ms * 4
}

impl ServiceNumbers {
    /// The numbers of `orders` (the day's) at `now_ms`.
    pub fn of(orders: &[DayOrder], windows: &Windows, now_ms: i64) -> Self {
        let hour = hour_ms(windows);
        let completed: Vec<&DayOrder> = orders
            .iter()
            .filter(|o| o.outcome == Some(OrderStatus::Ready))
            .collect();
        let within = |o: &&DayOrder, span: i64| o.left_ms.is_some_and(|at| now_ms - at < span);
        let count = |outcome: OrderStatus| {
            orders.iter().filter(|o| o.outcome == Some(outcome)).count() as u32
        };
        let mut drinks: BTreeMap<&str, u32> = BTreeMap::new();
        for order in &completed {
            if let Some(drink) = &order.order.drink {
                *drinks.entry(drink.drink.as_str()).or_default() += 1;
            }
        }
        let mut top_drinks: Vec<(String, u32)> = drinks
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        top_drinks.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top_drinks.truncate(5);
        Self {
            completed_this_hour: completed.iter().filter(|o| within(o, hour)).count() as u32,
            completed_today: completed.len() as u32,
            waits_today: Waits::over(completed.iter().filter_map(|o| o.wait_ms())),
            waits_last_half_hour: Waits::over(
                completed
                    .iter()
                    .filter(|o| within(o, hour / 2))
                    .filter_map(|o| o.wait_ms()),
            ),
            waiting_now: orders.iter().filter(|o| o.outcome.is_none()).count() as u32,
            timed_out: count(OrderStatus::TimedOut),
            cancelled: count(OrderStatus::Cancelled),
            top_drinks,
        }
    }
}

/// `4m 05s`, a wait as staff read it (in English; each language writes its own units).
pub fn wait_text(ms: i64) -> shared::i18n::Phrase {
    crate::text::minutes_seconds(ms)
}

/// The day's orders as CSV (RFC 4180), one row each, with the times written by
/// `time_of_day`. A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is
/// quoted as text: drink and option names come from the backend.
pub fn csv(orders: &[DayOrder], time_of_day: impl Fn(i64) -> String) -> String {
    let mut out =
        String::from("Order,Drink,Options,Robot,Reached the bar,Left,Wait (s),Outcome\r\n");
    for o in orders {
        let drink = o.order.drink.as_ref();
        let fields = [
            o.order.number.map(|n| n.to_string()).unwrap_or_default(),
            drink.map(|d| d.drink.clone()).unwrap_or_default(),
            drink.and_then(|d| d.options_text()).unwrap_or_default(),
            if o.order.robot { "yes" } else { "no" }.to_string(),
            o.order.ts_ms.map(&time_of_day).unwrap_or_default(),
            o.left_ms.map(&time_of_day).unwrap_or_default(),
            o.wait_ms()
                .map(|w| (w / 1000).to_string())
                .unwrap_or_default(),
            o.outcome.map_or("Waiting", |s| s.label()).to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if formula || field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::model::{DrinkOrder, OrderState};

    const MIN: i64 = 60_000;
    /// 09:00 on the day, and midnight before it.
    const NINE: i64 = 1_780_000_000_000;
    const MIDNIGHT: i64 = NINE - 9 * 60 * MIN;

    fn order(id: &str, number: u32, drink: &str, ts: i64) -> Order {
        let mut order = Order::scanned(id, ts);
        order.number = Some(number);
        order.drink = Some(DrinkOrder::plain(drink));
        order.ts_ms = Some(ts);
        order
    }

    fn board() -> Board {
        Board::new(Windows::AWS, "me")
    }

    /// A scripted morning: five orders, counted by hand.
    /// - #1 Latte reached the bar 09:00, seen completed 09:04 (wait 4 min);
    /// - #2 Latte 09:10, seen completed 09:20 (10 min);
    /// - #3 Espresso 09:15, completed before this console loaded (no time);
    /// - #4 Americano 09:20, cancelled;
    /// - #5 Flat White 09:25, never made: timed out at 09:40 (W leaves it CREATED);
    /// - #6 Latte 09:50, waiting;
    /// - #0 yesterday's Latte, completed yesterday: not today's.
    fn morning() -> (DaySnapshot, Board, ServiceLog) {
        let mut completed = vec![
            order("a", 1, "Latte", NINE),
            order("b", 2, "Latte", NINE + 10 * MIN),
            order("c", 3, "Espresso", NINE + 15 * MIN),
            order("old", 99, "Latte", MIDNIGHT - 60 * MIN),
        ];
        for o in &mut completed {
            o.state = OrderState::Completed;
        }
        let mut cancelled = order("d", 4, "Americano", NINE + 20 * MIN);
        cancelled.state = OrderState::Cancelled;
        let rest = DaySnapshot {
            open: vec![
                order("e", 5, "Flat White", NINE + 25 * MIN),
                order("f", 6, "Latte", NINE + 50 * MIN),
            ],
            completed,
            cancelled: vec![cancelled],
        };
        let log = ServiceLog {
            left: [
                ("a".to_string(), (NINE + 4 * MIN, OrderStatus::Ready)),
                ("b".to_string(), (NINE + 20 * MIN, OrderStatus::Ready)),
            ]
            .into_iter()
            .collect(),
        };
        (rest, board(), log)
    }

    #[test]
    fn the_numbers_match_a_hand_count() {
        let (rest, board, log) = morning();
        let now = NINE + 55 * MIN;
        let orders = day_orders(&rest, &board, &log, now, MIDNIGHT);
        assert_eq!(orders.len(), 6, "yesterday's order is not today's");
        let numbers = ServiceNumbers::of(&orders, &Windows::AWS, now);
        assert_eq!(
            numbers,
            ServiceNumbers {
                // #1 (09:04) and #2 (09:20) left within the hour before 09:55.
                completed_this_hour: 2,
                completed_today: 3,
                waits_today: Some(Waits {
                    average_ms: 7 * MIN,
                    longest_ms: 10 * MIN,
                    timed: 2,
                }),
                // Nothing completed since 09:25.
                waits_last_half_hour: None,
                waiting_now: 1,
                timed_out: 1,
                cancelled: 1,
                top_drinks: vec![("Latte".into(), 2), ("Espresso".into(), 1)],
            }
        );
    }

    #[test]
    fn a_reload_keeps_the_waits_the_console_saw() {
        // Live: the board saw #1 leave; the log records it, and a reload (a new board,
        // the log from storage) still times it.
        let (rest, mut board, _) = morning();
        let mut seen = order("a", 1, "Latte", NINE);
        seen.state = OrderState::Completed;
        board.recent.push(crate::board::Departed {
            order: seen,
            outcome: OrderStatus::Ready,
            left_at_ms: Some(NINE + 4 * MIN),
        });
        let mut log = ServiceLog::default();
        assert!(log.record(&board));
        assert!(!log.record(&board), "nothing new the second time");
        let stored = ServiceLog::from_text(&log.to_text());
        assert_eq!(stored, log);
        let now = NINE + 30 * MIN;
        let reloaded = day_orders(
            &rest,
            &crate::board::Board::new(Windows::AWS, "me"),
            &stored,
            now,
            MIDNIGHT,
        );
        let numbers = ServiceNumbers::of(&reloaded, &Windows::AWS, now);
        assert_eq!(numbers.waits_today.map(|w| w.timed), Some(1));
        assert_eq!(numbers.waits_today.map(|w| w.longest_ms), Some(4 * MIN));
        // After a reconnect the board's live knowledge and REST's agree: same numbers.
        let live = day_orders(&rest, &board, &ServiceLog::default(), now, MIDNIGHT);
        assert_eq!(ServiceNumbers::of(&live, &Windows::AWS, now), numbers);
    }

    /// E's REST lists a timed-out order as cancelled; the log saw it time out.
    #[test]
    fn the_log_tells_a_timeout_from_a_cancellation_after_a_reload() {
        let (mut rest, _, mut log) = morning();
        let mut timed_out = order("g", 7, "Latte", NINE + 30 * MIN);
        timed_out.state = OrderState::Cancelled;
        rest.cancelled.push(timed_out);
        log.left
            .insert("g".into(), (NINE + 45 * MIN, OrderStatus::TimedOut));
        let log = ServiceLog::from_text(&log.to_text());
        let now = NINE + 55 * MIN;
        let orders = day_orders(&rest, &board(), &log, now, MIDNIGHT);
        let numbers = ServiceNumbers::of(&orders, &Windows::AWS, now);
        assert_eq!((numbers.timed_out, numbers.cancelled), (2, 1));
    }

    #[test]
    fn the_log_keeps_today_and_refuses_what_it_did_not_write() {
        let mut log =
            ServiceLog::from_text("a 5 r\nb x r\n<script> 7 r\n\nc 10 t\nd 11 q\ne 12 r extra\n");
        assert_eq!(log.left.len(), 2);
        log.keep_from(6);
        assert_eq!(log.left.keys().collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn departed_orders_are_found_by_number_newest_first() {
        let (rest, board, log) = morning();
        let now = NINE + 55 * MIN;
        let orders = day_orders(&rest, &board, &log, now, MIDNIGHT);
        let numbers = |query: &str| -> Vec<Option<u32>> {
            departed_matching(&orders, query)
                .iter()
                .map(|o| o.order.number)
                .collect()
        };
        // #5 timed out at 09:40, #2 left 09:20, #4 (cancelled, time unknown) reached the
        // bar 09:20, #3 09:15, #1 left 09:04; #6 still waits.
        assert_eq!(numbers(""), [Some(5), Some(2), Some(4), Some(3), Some(1)]);
        assert_eq!(numbers("#4"), [Some(4)]);
        assert_eq!(numbers(" 4 "), [Some(4)]);
        assert!(numbers("6").is_empty(), "a waiting order has not left");
        assert!(numbers("44").is_empty() && numbers("Latte").is_empty());
    }

    #[test]
    fn hours_follow_the_time_scale() {
        let fast = Windows::scaled(10);
        assert_eq!(hour_ms(&Windows::AWS), 60 * MIN);
        assert_eq!(hour_ms(&fast), 6 * MIN);
        let mut done = order("a", 1, "Latte", NINE);
        done.state = OrderState::Completed;
        let orders = [DayOrder {
            order: done,
            outcome: Some(OrderStatus::Ready),
            left_ms: Some(NINE + MIN),
        }];
        assert_eq!(
            ServiceNumbers::of(&orders, &fast, NINE + 4 * MIN).completed_this_hour,
            1
        );
        assert_eq!(
            ServiceNumbers::of(&orders, &fast, NINE + 8 * MIN).completed_this_hour,
            0
        );
    }

    #[test]
    fn the_csv_is_one_row_per_order_and_safe_to_open() {
        let (rest, board, log) = morning();
        let now = NINE + 55 * MIN;
        let mut orders = day_orders(&rest, &board, &log, now, MIDNIGHT);
        orders[0].order.drink = Some(DrinkOrder {
            modifiers: vec!["Oat, \"barista\"".into()],
            ..DrinkOrder::plain("=HYPERLINK(\"x\")")
        });
        let text = csv(&orders, |ms| format!("t{}", (ms - MIDNIGHT) / MIN));
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Order,Drink,Options,Robot,Reached the bar,Left,Wait (s),Outcome"
        );
        assert_eq!(
            lines[1],
            "1,\"'=HYPERLINK(\"\"x\"\")\",\"Oat, \"\"barista\"\"\",no,t540,t544,240,Ready"
        );
        assert_eq!(lines[3], "3,Espresso,,no,t555,,,Ready");
        assert_eq!(lines[6], "6,Latte,,no,t590,,,Waiting");
        assert_eq!(lines.len(), 8, "six rows and the final line end");
        let said = wait_text(245_000).say(shared::i18n::Lang::En, &Default::default());
        assert_eq!(said, "4m 05s");
    }
}
