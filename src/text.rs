//! The inputs of a case ([`CaseInput`]), their numbered lines, and
//! references back into them.
//!
//! Every fact the engine derives carries an [`Evidence`]: the input it came
//! from, the 1-based line number in that input, and the line as pasted. This
//! is what lets a finding quote "the exact lines that prove it". A line a
//! parser could not read becomes a [`NotUnderstood`]. Terminal colour codes
//! are removed before reading ([`strip_terminal_codes`]) without moving a
//! line.

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

/// `text` without terminal escape sequences: colours and cursor moves
/// (`ESC [ … letter`), hyperlinks and titles (`ESC ] … BEL` or `ESC ] … ESC \\`)
/// and other two-byte escapes. systemctl, journalctl and `ls --color` print
/// them when their output is captured from a terminal. Line breaks are kept,
/// so line numbers do not move. Borrows when there is nothing to remove.
pub fn strip_terminal_codes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('[') => {
                chars.next();
                // Parameters and intermediates, then one final byte @..~;
                // a line break ends a broken sequence and is kept.
                while let Some(&n) = chars.peek() {
                    if n == '\n' || n == '\r' {
                        break;
                    }
                    chars.next();
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                while let Some(&n) = chars.peek() {
                    if n == '\n' || n == '\r' {
                        break;
                    }
                    chars.next();
                    if n == '\u{7}' {
                        break;
                    }
                    if n == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            Some(n) if n != '\n' && n != '\r' => {
                chars.next();
            }
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
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

/// One pasted or uploaded text of a case: a ticket, a firewall dump, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInput {
    pub name: String,
    pub text: String,
}

impl CaseInput {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        CaseInput {
            name: name.into(),
            text: text.into(),
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

#[cfg(test)]
mod terminal_code_tests {
    use super::strip_terminal_codes;

    #[test]
    fn colours_links_and_broken_sequences_go_lines_stay() {
        let systemctl = "\u{1b}[0;1;31m\u{25cf}\u{1b}[0m nginx.service\n     Loaded: loaded (\u{1b}]8;;file://h/lib/systemd/system/nginx.service\u{7}/lib/systemd/system/nginx.service\u{1b}]8;;\u{7}; enabled)\n     Active: \u{1b}[0;1;31mfailed\u{1b}[0m (Result: exit-code)\n";
        assert_eq!(
            strip_terminal_codes(systemctl),
            "\u{25cf} nginx.service\n     Loaded: loaded (/lib/systemd/system/nginx.service; enabled)\n     Active: failed (Result: exit-code)\n"
        );
        // String-terminator form of OSC, a lone ESC at the end, a sequence
        // cut by a line break: nothing of them stays, every line does.
        assert_eq!(strip_terminal_codes("a\u{1b}]0;title\u{1b}\\b\u{1b}"), "ab");
        assert_eq!(strip_terminal_codes("x\u{1b}[31\ny\n"), "x\ny\n");
        assert!(matches!(
            strip_terminal_codes("plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
    }
}
