//! Helpers for the kernel differential test: the namespace lab, seeded
//! random ruleset generators, and a reference model of what they mean.
pub mod gen;
pub mod netns;
pub mod ufw;

use std::sync::{Mutex, MutexGuard};

/// Whether CI demands the lab (`E521_REQUIRE_NETNS=1`): a skip then fails.
pub fn required() -> bool {
    std::env::var("E521_REQUIRE_NETNS").is_ok_and(|v| v == "1")
}

/// The lab's turn for one kernel test, or `None` (after saying why) when
/// this machine cannot run it. Every lab is named after the process id, and
/// the kernel tests share one test binary (tests/it), so they take turns as
/// separate binaries did: each holds the guard from this check to its end.
pub fn lab_turn() -> Option<MutexGuard<'static, ()>> {
    static LAB: Mutex<()> = Mutex::new(());
    // A failed kernel test poisons the lock; the next one still runs.
    let turn = LAB.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::check_available() {
        assert!(
            !required(),
            "E521_REQUIRE_NETNS=1 but the kernel lab cannot run: {why}"
        );
        eprintln!("skipped: needs root and ip netns ({why})");
        return None;
    }
    Some(turn)
}
