//! Time for the emulator: the clock every part reads the time from. The durations of the
//! backend's timers are the apps' own `shared::windows::Windows`, which a time scale
//! shortens so tests and demos need not wait five minutes.
//!
//! The clock is read at the edges (an HTTP request arriving, the timer loop waking, a
//! workflow step starting) and the time is passed down from there, so a test can run the
//! whole emulator on a [`ManualClock`] and move time instead of sleeping.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Where the emulator gets the time from.
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since the Unix epoch, now.
    fn now_ms(&self) -> i64;

    /// Resolves once [`Clock::now_ms`] has reached `deadline_ms` (at once if it has).
    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let wait_ms = (deadline_ms - self.now_ms()).max(0) as u64;
        Box::pin(tokio::time::sleep(Duration::from_millis(wait_ms)))
    }
}

/// A clock that stands still until a test sets or advances it; whoever sleeps on it
/// wakes when it is moved past their deadline.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: watch::Sender<i64>,
}

impl ManualClock {
    /// A clock showing `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        Self {
            now_ms: watch::Sender::new(start_ms),
        }
    }

    /// A clock showing the wall clock's time, then standing still.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_ms())
    }

    /// Sets the time (it may go backwards, as a wall clock can).
    pub fn set(&self, now_ms: i64) {
        self.now_ms.send_replace(now_ms);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.advance_ms(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// Moves the time forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: i64) {
        self.now_ms.send_modify(|now| *now = now.saturating_add(ms));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        *self.now_ms.borrow()
    }

    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let mut moved = self.now_ms.subscribe();
        Box::pin(async move {
            // The sender lives as long as `self`, so this only ends at the deadline.
            let _ = moved.wait_for(|now| *now >= deadline_ms).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_when_moved_past_their_deadline() {
        let clock = std::sync::Arc::new(ManualClock::new(1_000));
        assert_eq!(clock.now_ms(), 1_000);
        let sleeper = {
            let clock = std::sync::Arc::clone(&clock);
            tokio::spawn(async move { clock.sleep_until(61_000).await })
        };
        clock.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "30 s of the 60 have passed");
        clock.advance_ms(30_000);
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("the sleeper wakes")
            .unwrap();
        assert_eq!(clock.now_ms(), 61_000);
        clock.set(5);
        assert_eq!(clock.now_ms(), 5);
        // A deadline already passed resolves at once.
        tokio::time::timeout(Duration::from_secs(5), clock.sleep_until(0))
            .await
            .unwrap();
    }
}
