#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    let lines = common::lines(&t);
    let _ = err521::parse::webconfig::parse("fuzz", &lines);
    let _ = err521::parse::webconfig::parse_with("fuzz", &lines, Some("nginx -T"));
    let _ = err521::parse::webconfig::parse_with("fuzz", &lines, Some("apachectl -S"));
    let _ = err521::parse::webconfig::parse_with("fuzz", &lines, Some("cat /etc/caddy/Caddyfile"));
    let _ = err521::parse::webconfig::parse_with("fuzz", &lines, Some("grep -rn listen /etc/nginx"));
    let _ = err521::parse::webconfig::sniff(&lines);
});
