#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    let lines = common::lines(&t);
    let f = err521::parse::bans::parse("fuzz", &lines);
    let _ = err521::parse::bans::cloudflare_hits(&f, &err521::cloudflare::Ranges::bundled());
    let _ = err521::parse::bans::sniff(&lines);
});
