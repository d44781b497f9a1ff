//! Helpers for the kernel differential test: the namespace lab, seeded
//! random ruleset generators, and a reference model of what they mean.
pub mod gen;
pub mod netns;
pub mod ufw;

use std::sync::{Mutex, MutexGuard};

/// Every lab is named after the process id, and the kernel tests share one
/// test binary (tests/it), so they take turns as separate binaries did: each
/// holds this guard from its availability check to its end.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LAB: Mutex<()> = Mutex::new(());
    // A failed kernel test poisons the lock; the next one still runs.
    LAB.lock().unwrap_or_else(|e| e.into_inner())
}
