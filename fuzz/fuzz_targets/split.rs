#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    let lines = common::lines(&t);
    let blocks = err521::parse::split::split(&lines);
    let _ = err521::parse::sniff::best(&lines);
    // Every input line lands in at most one block, in order.
    let mut last = 0usize;
    for b in &blocks {
        for l in &b.lines {
            assert!(l.no > last, "line {} out of order or repeated", l.no);
            last = l.no;
        }
    }
});
