//! Scoped threads whose results come back through a slot, not `join`.
//!
//! `join` waits for the whole thread to end, and the end of a thread that
//! allocated is the allocator handing that thread's pages back, a tenth to
//! a quarter of a millisecond on the front end's threads. The end of
//! `std::thread::scope` waits only for the closures to return: a result put
//! in a slot is ready then, while the threads finish tearing down on the
//! side.

use std::sync::{Arc, Mutex};
use std::thread::{Builder, Scope};

/// Run `f` on a new thread of `scope` made by `builder`, putting its result
/// in `slot`, to be read after the scope; with no thread to be had, `f`
/// runs here. A panic in `f` makes the scope panic, as `join` would.
pub(crate) fn spawn_into<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    builder: Builder,
    slot: &'scope Mutex<Option<T>>,
    f: impl FnOnce() -> T + Send + 'scope,
) {
    // Shared with the thread, so that `f` is still here if none is had.
    let f = Arc::new(Mutex::new(Some(f)));
    let run = {
        let f = f.clone();
        move || {
            if let Some(f) = lock(&f).take() {
                let out = f();
                *lock(slot) = Some(out);
            }
        }
    };
    if builder.spawn_scoped(scope, run).is_err() {
        if let Some(f) = lock(&f).take() {
            let out = f();
            *lock(slot) = Some(out);
        }
    }
}

/// What `spawn_into` put in `slot` (None if `f` never ran to its end).
pub(crate) fn take<T>(slot: Mutex<Option<T>>) -> Option<T> {
    slot.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Move this thread to another core it may run on, leaving the one it is
/// on to a thread it has just started, for both to run at once.
///
/// Linux (as configured on this project's 2-vCPU VM) queues a new thread
/// on the core of the thread that made it, which runs on: the new thread
/// waited for that one's time slice to end or for the idle core to take
/// it, 1 to 4 ms (about 3.9 ms in most of twenty tries). Moving this
/// thread costs some 40 us, after which the new one starts at once. Its
/// affinity is put back as it was: only where it runs now changes.
/// Anywhere this fails, or with one core, nothing changes.
pub(crate) fn make_room() {
    #[cfg(target_os = "linux")]
    {
        use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity, CpuSet};
        let Ok(allowed) = sched_getaffinity(None) else {
            return;
        };
        let here = sched_getcpu();
        let Some(there) = (0..CpuSet::MAX_CPU).find(|&c| c != here && allowed.is_set(c)) else {
            return;
        };
        let mut only_there = CpuSet::new();
        only_there.set(there);
        if sched_setaffinity(None, &only_there).is_ok() {
            let _ = sched_setaffinity(None, &allowed);
        }
    }
}

/// How many cores this process may run on. `available_parallelism`, but
/// without its look for a cgroup CPU quota first, twenty system calls
/// (/proc/self/cgroup, then the quota's files) that took a quarter of a
/// millisecond before the parse could start, 1.5% of `xtask summary`. A
/// quota only shares out CPU time: a thread more than it allows is time-
/// sliced, as a thread more than there are cores would be.
pub(crate) fn cores() -> usize {
    #[cfg(target_os = "linux")]
    if let Ok(allowed) = rustix::thread::sched_getaffinity(None) {
        if allowed.count() > 0 {
            return allowed.count() as usize;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_their_slots() {
        let (a, b) = (Mutex::new(None), Mutex::new(None));
        let text = String::from("borrowed");
        std::thread::scope(|s| {
            spawn_into(s, Builder::new(), &a, || text.len());
            spawn_into(s, Builder::new().stack_size(1 << 20), &b, || text.clone());
        });
        assert_eq!(take(a), Some(8));
        assert_eq!(take(b).as_deref(), Some("borrowed"));
    }
}
