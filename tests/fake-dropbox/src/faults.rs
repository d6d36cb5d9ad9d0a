//! Faults to inject, per route: what Dropbox and networks do to clients.

use std::sync::Mutex;
use std::time::Duration;

/// A fault the server produces instead of (or before) its normal answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 429 with a JSON `auth.RateLimitError` and a `Retry-After` header.
    RateLimit { retry_after_secs: u64 },
    /// A 5xx status (500, 503, ...) with a plain text body.
    Status(u16),
    /// The connection is cut in the middle of a body. Upload and rpc
    /// routes: once the request's body is in, before the route runs and
    /// before any answer (so a retry is safe, and a client that retries
    /// it gets its answer). Downloads: after half the content.
    ResetMidBody,
    /// The route runs, then the connection drops before its answer: the
    /// client cannot know the call took effect (an upload session's append
    /// then answers `incorrect_offset` to a client that sends it again).
    AnswerLost,
    /// 401 `expired_access_token`; the token presented stops working, so
    /// that only a refresh gets past it.
    ExpiredToken,
    /// The normal answer, `delay` late.
    Slow(Duration),
}

#[derive(Debug)]
struct Rule {
    /// A route ("files/upload") or "*" for every route.
    route: String,
    fault: Fault,
    remaining: usize,
}

/// The faults waiting to fire, and a record of those that did.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    fired: Mutex<Vec<(String, Fault)>>,
}

impl Faults {
    /// The next `times` calls to `route` ("files/upload", or "*" for any
    /// route) meet `fault`. Rules fire in the order they were added.
    pub fn inject(&self, route: &str, fault: Fault, times: usize) {
        lock(&self.rules).push(Rule {
            route: route.to_string(),
            fault,
            remaining: times,
        });
    }

    /// Forget every rule that has not fired yet.
    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// The faults that fired, with their route, in order.
    pub fn fired(&self) -> Vec<(String, Fault)> {
        lock(&self.fired).clone()
    }

    /// The fault for this call to `route`, if one is waiting.
    pub(crate) fn take(&self, route: &str) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        let i = rules
            .iter()
            .position(|r| r.remaining > 0 && (r.route == route || r.route == "*"))?;
        rules[i].remaining -= 1;
        let fault = rules[i].fault.clone();
        if rules[i].remaining == 0 {
            rules.remove(i);
        }
        lock(&self.fired).push((route.to_string(), fault.clone()));
        Some(fault)
    }
}

/// A lock that survives a panicked holder: the fake's state stays usable
/// for the tests that inspect it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_fire_for_their_route_as_many_times_as_asked() {
        let f = Faults::default();
        f.inject("files/upload", Fault::Status(503), 2);
        f.inject("*", Fault::ResetMidBody, 1);
        assert_eq!(f.take("files/download"), Some(Fault::ResetMidBody));
        assert_eq!(f.take("files/download"), None);
        assert_eq!(f.take("files/upload"), Some(Fault::Status(503)));
        assert_eq!(f.take("files/upload"), Some(Fault::Status(503)));
        assert_eq!(f.take("files/upload"), None);
        assert_eq!(f.fired().len(), 3);
    }
}
