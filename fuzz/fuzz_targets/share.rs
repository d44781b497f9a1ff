#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

// Share links come from URLs anyone can craft: decoding must never panic,
// and decompression must respect its output cap whatever the bytes say.
fuzz_target!(|data: &[u8]| {
    let t = common::text(data);
    if let Ok(payload) = err521::share::decode(&t) {
        // What decodes re-encodes without panicking.
        let _ = err521::share::decode(&err521::share::encode(&payload));
    }
    if let Ok(out) = err521::share::decompress(data, 1 << 16) {
        assert!(out.len() <= 1 << 16);
    }
    let _ = err521::share::decode(&format!("{}{}", "v1.", t.trim()));
});
