//! The robot switch (as the original console's "Robot" and "Robot speed"): staff let the
//! console itself make and complete the robot customers' orders (the OrderRobot's
//! traffic, flagged `robot`), to demo the bar or keep it busy while they serve people.
//! It never touches a person's order. Pure: the page ticks it and sends what it says.

use crate::board::{Board, Card, Column};
use shared::api::OrderAction;
use shared::windows::Windows;
use std::collections::BTreeSet;

/// How often the robot acts: every 30 s at the bar's pace (the original's), faster
/// with the emulator's time scale.
pub fn period_ms(windows: &Windows) -> i64 {
    (windows.barista_ms / 30).max(100)
}

/// One tick of the robot at `speed` (0–100): the robot orders it made last time are
/// completed, and up to `speed` % of the robot orders waiting in Preview (at least one
/// while `speed` is above 0) are made, the oldest first. `made` is what it made and has
/// not completed yet.
pub fn tick(board: &Board, speed: u8, made: &BTreeSet<String>) -> Vec<(String, OrderAction)> {
    let free = |c: &&Card| c.order.robot && c.pending.is_none();
    let mut actions: Vec<(String, OrderAction)> = board
        .column(Column::Production)
        .iter()
        .filter(free)
        .filter(|c| made.contains(&c.order.id))
        .map(|c| (c.order.id.clone(), OrderAction::Complete))
        .collect();
    let mut waiting: Vec<Card> = board
        .column(Column::Preview)
        .into_iter()
        .filter(|c| free(&c) && !c.claimed_by_other)
        .collect();
    waiting.sort_by_key(|c| (c.since_ms(), c.order.number));
    let count = (waiting.len() * usize::from(speed.min(100))).div_ceil(100);
    actions.extend(
        waiting
            .into_iter()
            .take(count)
            .map(|c| (c.order.id, OrderAction::Make)),
    );
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::live::LiveModel;
    use shared::model::{Order, OrderState};
    use shared::realtime::RealtimeEvent;

    const NOW: i64 = 10_000_000_000;

    fn board(orders: &[(&str, u32, bool, Option<&str>, i64)]) -> Board {
        let mut board = Board::new(Windows::AWS, "me");
        for &(id, n, robot, barista, age) in orders {
            let order = Order {
                robot,
                barista_user_id: barista.map(Into::into),
                ..Order::numbered(id, n, "Latte", OrderState::Created, NOW - age)
            };
            board.apply(&RealtimeEvent::WaitingCompletion { order }, NOW);
        }
        board
    }

    #[test]
    fn the_robot_makes_and_completes_robot_orders_only() {
        let board = board(&[
            ("person", 1, false, None, 9_000),
            ("r-new", 3, true, None, 1_000),
            ("r-old", 2, true, None, 5_000),
            ("r-theirs", 4, true, Some("other"), 5_000),
            ("r-made", 5, true, Some("me"), 5_000),
            ("mine", 6, false, Some("me"), 5_000),
        ]);
        let made: BTreeSet<String> = ["r-made".to_string(), "mine".to_string()].into();
        let actions = tick(&board, 50, &made);
        assert_eq!(
            actions,
            [
                ("r-made".to_string(), OrderAction::Complete),
                ("r-old".to_string(), OrderAction::Make),
            ],
            "half of the two free robot orders, the oldest; a person's order never, even one in its set"
        );
        assert_eq!(tick(&board, 100, &BTreeSet::new()).len(), 2);
        assert_eq!(tick(&board, 1, &BTreeSet::new()).len(), 1, "at least one");
        assert!(tick(&board, 0, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn a_tick_every_thirty_seconds_at_the_bars_pace() {
        assert_eq!(period_ms(&Windows::AWS), 30_000);
        assert_eq!(period_ms(&Windows::scaled(10)), 3_000);
    }
}
