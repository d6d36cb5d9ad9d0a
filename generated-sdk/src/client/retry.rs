//! When and how long to wait before sending a request again.

use std::time::Duration;

/// How failed requests are retried. On by default:
///
/// - 429 (rate limited): wait what Dropbox asks (`retry_after` in the body,
///   or the `Retry-After` header), up to `rate_limit_retries` times;
/// - 5xx and connection failures: back off exponentially with jitter
///   (`base_delay` x 2^attempt, at most `max_delay`, times a random factor
///   in [0.5, 1]), up to `max_retries` times.
///
/// Upload bodies are sent again from their start (bytes and files; a
/// stream can be sent once, so a failed stream upload is not retried).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    rate_limit_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            rate_limit_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// No retries at all: every failure is returned at once.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            rate_limit_retries: 0,
            ..Self::default()
        }
    }
    /// Retries after a 5xx status or a connection failure.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Retries after a 429 status.
    pub fn with_rate_limit_retries(mut self, n: u32) -> Self {
        self.rate_limit_retries = n;
        self
    }
    /// The back-off's first delay and its cap.
    pub fn with_backoff(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay;
        self
    }
    /// The longest `retry_after` worth waiting for; a longer one is returned
    /// as an error at once.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    pub(crate) fn max_retries(&self) -> u32 {
        self.max_retries
    }

    pub(crate) fn rate_limit_retries(&self) -> u32 {
        self.rate_limit_retries
    }

    pub(crate) fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The wait before retry number `attempt` (0 for the first).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        exp.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let p = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(1000));
        for attempt in 0..10 {
            let full = Duration::from_millis((100u64 << attempt).min(1000));
            let d = p.backoff(attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }
}
