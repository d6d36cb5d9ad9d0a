//! Scoped threads whose results come back through a slot, not `join`.
//!
//! `join` waits for the whole thread to end, and the end of a thread that
//! allocated is the allocator handing that thread's pages back, a tenth to
//! a quarter of a millisecond on the front end's threads. The end of
//! `std::thread::scope` waits only for the closures to return: a result put
//! in a slot is ready then, while the threads finish tearing down on the
//! side.

use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::{Builder, Scope};
use std::time::{Duration, Instant};

/// Run `f` on a new thread of `scope` made by `builder`, putting its result
/// in `slot`, to be read after the scope; with no thread to be had, `f`
/// runs here. A panic in `f` makes the scope panic, as `join` would.
pub(crate) fn spawn_into<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    builder: Builder,
    slot: &'scope Mutex<Option<T>>,
    f: impl FnOnce() -> T + Send + 'scope,
) {
    if let Err(f) = try_spawn_into(scope, builder, slot, f) {
        *lock(slot) = Some(f());
    }
}

/// `spawn_into`, but with no thread to be had, `f` is handed back rather
/// than run here: for an `f` that waits for what the caller does next.
pub(crate) fn try_spawn_into<'scope, T: Send + 'scope, F: FnOnce() -> T + Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    builder: Builder,
    slot: &'scope Mutex<Option<T>>,
    f: F,
) -> Result<(), F> {
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
    match builder.spawn_scoped(scope, run) {
        Ok(_) => Ok(()),
        Err(_) => lock(&f).take().map_or(Ok(()), Err),
    }
}

/// What `spawn_into` put in `slot` (None if `f` never ran to its end).
pub(crate) fn take<T>(slot: Mutex<Option<T>>) -> Option<T> {
    slot.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The stack of a thread that runs the IR passes or checks the examples:
/// both recurse (along `extends` chains, example references and nested
/// lists: up to some 20,000 frames on a spec that is valid, if odd), and
/// must not depend on the caller's stack. Address space only, until used.
pub(crate) const DEEP_STACK: usize = 64 << 20;

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
        // Put back at once; should that fail, once more: a thread left on
        // one core would stay there (it may be the caller's own).
        if sched_setaffinity(None, &only_there).is_ok()
            && sched_setaffinity(None, &allowed).is_err()
        {
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

/// A value one thread hands to another that is waiting for it, once.
///
/// The waiter spins for a while before it sleeps: on this project's
/// 2-vCPU VM a thread woken while the thread that wakes it runs on was
/// often queued behind that one for the rest of its time slice (see
/// `make_room`), as long as the work it was woken for. Spinning keeps it
/// on its own core for work that is due shortly; it is bounded, and past
/// the bound the waiter sleeps as usual.
pub(crate) struct Handoff<T> {
    /// None: there will be no value (the giver gave up).
    value: OnceLock<Option<T>>,
    sleepers: Mutex<()>,
    woken: Condvar,
}

impl<T> Handoff<T> {
    pub(crate) fn new() -> Self {
        Handoff {
            value: OnceLock::new(),
            sleepers: Mutex::new(()),
            woken: Condvar::new(),
        }
    }

    /// Hand `v` over (None: nothing will come); only the first call counts.
    /// The value handed over, for the giver to use too.
    pub(crate) fn give(&self, v: Option<T>) -> Option<&T> {
        let _ = self.value.set(v);
        // Taken after the value is set: a waiter that found no value while
        // holding it is in `wait` by now, and is woken.
        {
            let _g = lock(&self.sleepers);
            self.woken.notify_all();
        }
        self.value.get().and_then(Option::as_ref)
    }

    /// The value handed over (None if none will come), spinning for up to
    /// `spin` before sleeping.
    pub(crate) fn wait(&self, spin: Duration) -> Option<&T> {
        let start = Instant::now();
        while self.value.get().is_none() && start.elapsed() < spin {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
        let mut g = lock(&self.sleepers);
        while self.value.get().is_none() {
            g = self.woken.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        drop(g);
        self.value.get().and_then(Option::as_ref)
    }

    /// The value handed over, if any.
    pub(crate) fn into_inner(self) -> Option<T> {
        self.value.into_inner().flatten()
    }
}

/// Gives None to its handoff when dropped, so that a giver that returns
/// early, or panics, never leaves the waiter asleep (a scope would then
/// wait for that thread for ever).
pub(crate) struct GiveUpOnDrop<'h, T>(pub(crate) &'h Handoff<T>);

impl<T> Drop for GiveUpOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.give(None);
    }
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

    #[test]
    fn a_handoff_wakes_its_waiter_spinning_or_asleep() {
        for spin in [Duration::ZERO, Duration::from_secs(5)] {
            let h = Handoff::new();
            let got = Mutex::new(None);
            std::thread::scope(|s| {
                spawn_into(s, Builder::new(), &got, || h.wait(spin).copied());
                std::thread::sleep(Duration::from_millis(5));
                h.give(Some(7));
                h.give(Some(8));
            });
            assert_eq!(take(got), Some(Some(7)));
        }
        let h: Handoff<u8> = Handoff::new();
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(h.wait(Duration::ZERO), None));
            let _give_up = GiveUpOnDrop(&h);
        });
    }
}
