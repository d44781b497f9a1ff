//! Lines of pasted text and references back into them.
//!
//! Every fact the engine derives carries an [`Evidence`]: the input it came
//! from, the 1-based line number in that input, and the line as pasted. This
//! is what lets a finding quote "the exact lines that prove it".

use serde::{Deserialize, Serialize};

/// One line of an input, borrowed, with its 1-based number in that input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

/// Split `text` into numbered lines. `\r\n` and a lone `\r` both end a line,
/// so pastes from Windows and old Mac tools number the same as Unix ones.
pub fn lines(text: &str) -> Vec<Line<'_>> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut no = 1;
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        for part in raw.split('\r') {
            out.push(Line { no, text: part });
            no += 1;
        }
    }
    // A trailing newline does not start a new, empty line.
    if text.ends_with('\n') {
        out.pop();
    }
    out
}

/// A quoted input line that supports a conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Name of the input (a file name, or "paste").
    pub input: String,
    /// 1-based line number within that input.
    pub line: usize,
    /// The line as pasted, trimmed of trailing whitespace.
    pub text: String,
}

impl Evidence {
    pub fn new(input: &str, line: Line<'_>) -> Self {
        Evidence {
            input: input.to_string(),
            line: line.no,
            text: line.text.trim_end().to_string(),
        }
    }
}

/// A line a parser recognised as belonging to its format but could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotUnderstood {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl NotUnderstood {
    pub fn new(line: Line<'_>, reason: impl Into<String>) -> Self {
        NotUnderstood {
            line: line.no,
            text: line.text.trim_end().to_string(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_across_line_endings() {
        let got: Vec<(usize, &str)> = lines("a\r\nb\rc\n\nd\n")
            .iter()
            .map(|l| (l.no, l.text))
            .collect();
        assert_eq!(got, vec![(1, "a"), (2, "b"), (3, "c"), (4, ""), (5, "d")]);
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(lines("").is_empty());
        assert_eq!(lines("x").len(), 1);
    }
}
