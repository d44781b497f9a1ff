#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    let lines = common::lines(&t);
    let _ = err521::parse::listeners::parse("fuzz", &lines);
    let _ = err521::parse::listeners::sniff(&lines);
});
