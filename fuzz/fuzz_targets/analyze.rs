#![no_main]
use libfuzzer_sys::fuzz_target;

use err521::options::{Options, SslMode};
use err521::parse::CaseInput;

#[path = "common.rs"]
mod common;

// The first bytes choose the options (SSL mode, extra ports, number of
// inputs); the rest is the pasted text, possibly cut into several inputs at
// 0x00 bytes.
fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(4));
    let mode = match head.first().copied().unwrap_or(0) % 5 {
        0 => SslMode::Unknown,
        1 => SslMode::Off,
        2 => SslMode::Flexible,
        3 => SslMode::Full,
        _ => SslMode::Strict,
    };
    let mut extra_ports = Vec::new();
    if let (Some(a), Some(b)) = (head.get(1), head.get(2)) {
        extra_ports.push(u16::from_be_bytes([*a, *b]));
    }
    if let Some(c) = head.get(3) {
        extra_ports.push(u16::from(*c));
    }
    let options = Options {
        ssl_mode: mode,
        extra_ports,
        public_interface: head.get(3).filter(|c| **c & 1 == 1).map(|_| "eth0".to_string()),
        ..Options::default()
    };
    let inputs: Vec<CaseInput> = rest
        .split(|b| *b == 0)
        .take(4)
        .enumerate()
        .map(|(i, part)| CaseInput::new(format!("in{i}"), common::text(part)))
        .collect();
    let report = err521::analyze(&inputs, &options);
    let json = err521::report::json::render_compact(&report);
    assert_eq!(err521::report::json::parse(&json).as_ref(), Some(&report));
    let _ = err521::report::markdown::render(&report);
    let _ = err521::report::text::render(&report);
});
