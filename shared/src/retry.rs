//! Trying again after a failure that may pass (the network, a throttled or busy
//! service): how long to wait, and when to stop hoping. Pure: jitter comes in.

/// Delays between attempts: 0.5 s, 1 s, 2 s, 4 s, then 8 s at most (the IoT SDK's
/// reconnect cap, contract §4.1), with jitter so a room full of phones does not retry in
/// step. Used for reconnecting, token refreshes and reloads.
#[derive(Clone, Debug, Default)]
pub struct Backoff {
    attempt: u32,
}

pub const MAX_BACKOFF_MS: u32 = 8_000;

impl Backoff {
    /// The delay before the next attempt; `jitter` in 0.0..1.0 shortens it by up to half.
    pub fn next_delay_ms(&mut self, jitter: f64) -> u32 {
        let base = (500u32 << self.attempt.min(5)).min(MAX_BACKOFF_MS);
        self.attempt = self.attempt.saturating_add(1);
        (f64::from(base) * (1.0 - jitter.clamp(0.0, 1.0) / 2.0)) as u32
    }

    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a successful connection, or when the page becomes visible again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_eight_seconds_and_resets() {
        let mut b = Backoff::default();
        let delays: Vec<u32> = (0..7).map(|_| b.next_delay_ms(0.0)).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(b.next_delay_ms(1.0), 4000, "jitter shortens by up to half");
        b.reset();
        assert_eq!(b.next_delay_ms(0.0), 500);
    }
}
