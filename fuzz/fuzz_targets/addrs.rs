#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    let lines = common::lines(&t);
    let _ = err521::parse::addrs::parse("fuzz", &lines, None);
    let _ = err521::parse::addrs::parse("fuzz", &lines, Some("ip -6 addr"));
    let _ = err521::parse::addrs::sniff(&lines);
});
