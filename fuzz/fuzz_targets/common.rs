//! Shared by every fuzz target: bytes -> text -> numbered lines.
#![allow(dead_code)]

use err521::text::{self, Line};

/// Fuzzers produce bytes; pasted text is always UTF-8 by the time it reaches
/// the engine (the CLI and the page decode lossily), so do the same here.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub fn lines(t: &str) -> Vec<Line<'_>> {
    text::lines(t)
}
