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

/// `text` without a prefix that a log collector or tracer put before a
/// tool's own output: a CI runner's timestamp (GitHub Actions'
/// `2024-01-01T00:00:00.0000000Z `, `docker logs -t`), a bracketed time
/// (`[10:00:01] `, `[2024-01-01 10:00:01] `), and curl's trace prefixes
/// (`09:12:01.000190 == Info: `). Prefixes that belong to a format (syslog
/// and journal lines, nginx's `2024/01/01 10:00:01 [emerg]`, fail2ban's
/// `2024-01-01 10:00:01,123`, Apache's `[Mon Jan 01 …]`) stay: their
/// parsers read them.
pub fn strip_line_prefix(text: &str) -> &str {
    let mut t = text;
    // The prefixes nest: a CI timestamp before a bracketed time before
    // curl's trace marker.
    for _ in 0..3 {
        let before = t;
        if let Some(rest) = strip_iso_utc_stamp(t) {
            t = rest;
        }
        if let Some(rest) = strip_bracketed_time(t) {
            t = rest;
        }
        if let Some(rest) = strip_trace_marker(t) {
            t = rest;
        }
        if let Some(rest) = strip_bare_clock(t) {
            t = rest;
        }
        if let Some(rest) = strip_ci_duration(t) {
            t = rest;
        }
        if let Some(rest) = strip_progress_meter(t) {
            t = rest;
        }
        if t.len() == before.len() {
            break;
        }
    }
    t
}

/// `2024-01-01T00:00:00.0000000Z ` (a UTC instant with `T` and `Z`, as CI
/// runners and `docker logs -t` write it).
fn strip_iso_utc_stamp(t: &str) -> Option<&str> {
    let (stamp, rest) = t.split_once(' ')?;
    let (date, time) = stamp.split_once('T')?;
    let time = time.strip_suffix('Z')?;
    (is_date(date) && is_clock(time)).then_some(rest)
}

/// `[10:00:01] `, `[2024-01-01 10:00:01] `, `[2024-01-01T10:00:01Z] `: only
/// digits and separators between the brackets, so Apache's
/// `[Mon Jan 01 10:00:01 2024]` stays.
fn strip_bracketed_time(t: &str) -> Option<&str> {
    let inner_end = t.strip_prefix('[')?.find(']')?;
    let inner = t.get(1..inner_end + 1)?;
    let rest = t.get(inner_end + 2..)?;
    let inner = inner.trim_end_matches('Z');
    let clock = match inner.split_once([' ', 'T']) {
        Some((date, clock)) if is_date(date) => clock,
        Some(_) => return None,
        None => inner,
    };
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    (is_clock(clock) && !rest.trim().is_empty()).then_some(rest)
}

/// curl `--trace-ascii --trace-time`: the time before `== Info: `, `=> ` and
/// `<= ` (the marker itself is curl's format, read like `* `).
fn strip_trace_marker(t: &str) -> Option<&str> {
    let (clock, rest) = t.split_once(' ')?;
    (is_clock(clock)
        && ["== Info:", "=> ", "<= "]
            .iter()
            .any(|m| rest.starts_with(m)))
    .then_some(rest)
}

/// Jenkins' timestamper: `22:15:07 curl: (7) Failed connect to …`. Not
/// `uptime`'s own `10:00:01 up 3 days`.
fn strip_bare_clock(t: &str) -> Option<&str> {
    let (clock, rest) = t.split_once(' ')?;
    (clock.len() == 8 && is_clock(clock) && !rest.starts_with("up ") && !rest.trim().is_empty())
        .then_some(rest)
}

/// Travis CI's step time before the prompt: `0.01s$ sudo netstat -ntulp`
/// (the prompt stays for the command reader).
fn strip_ci_duration(t: &str) -> Option<&str> {
    let i = t.find("s$ ")?;
    let secs = t.get(..i)?;
    let ok = !secs.is_empty()
        && secs.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && secs.bytes().next().is_some_and(|c| c.is_ascii_digit());
    ok.then(|| t.get(i + 1..)).flatten()
}

/// curl's progress meter with no line break before the error it ends on:
/// `  0     0    0     0 --:--:-- --:--:--     0curl: (7) Failed to connect`.
fn strip_progress_meter(t: &str) -> Option<&str> {
    let i = t.find("curl: (")?;
    let meter = t.get(..i)?;
    let ok = meter.bytes().any(|c| c.is_ascii_digit())
        && meter
            .bytes()
            .all(|c| c.is_ascii_digit() || b" \t-:.kMG".contains(&c));
    ok.then(|| t.get(i..)).flatten()
}

/// `2024-01-01`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `10:00:01`, `09:12:01.000190`, `00:00:00,123`.
fn is_clock(s: &str) -> bool {
    let (hms, frac) = match s.split_once(['.', ',']) {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (s, None),
    };
    let b = hms.as_bytes();
    b.len() == 8
        && b.iter().enumerate().all(|(i, c)| match i {
            2 | 5 => *c == b':',
            _ => c.is_ascii_digit(),
        })
        && frac
            .is_none_or(|f| !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()))
}

/// The common leading whitespace of the non-blank lines (spaces and tabs as
/// written), in bytes.
pub fn common_indent(lines: &[Line<'_>]) -> usize {
    let mut common: Option<&str> = None;
    for l in lines.iter().filter(|l| !l.text.trim().is_empty()) {
        let end = l.text.len() - l.text.trim_start_matches([' ', '\t']).len();
        let ws = l.text.get(..end).unwrap_or("");
        common = Some(match common {
            None => ws,
            Some(c) => {
                let shared = c
                    .bytes()
                    .zip(ws.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                c.get(..shared).unwrap_or("")
            }
        });
    }
    common.map_or(0, str::len)
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
mod prefix_tests {
    use super::{common_indent, lines, strip_line_prefix};

    #[test]
    fn collector_and_trace_prefixes_go() {
        for (raw, bare) in [
            (
                "2024-01-01T00:00:00.0000000Z curl: (7) Failed to connect",
                "curl: (7) Failed to connect",
            ),
            (
                "[10:00:01] curl: (7) Failed to connect to 198.51.100.20 port 443: Connection refused",
                "curl: (7) Failed to connect to 198.51.100.20 port 443: Connection refused",
            ),
            (
                "09:12:01.000190 == Info: connect to 203.0.113.5 port 443 failed: Connection refused",
                "== Info: connect to 203.0.113.5 port 443 failed: Connection refused",
            ),
            ("[2024-01-01 10:00:01] Status: active", "Status: active"),
            (
                "22:15:07 curl: (7) Failed connect to 10.0.2.107:443; Connection refused",
                "curl: (7) Failed connect to 10.0.2.107:443; Connection refused",
            ),
            (
                "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0curl: (7) Failed to connect to localhost port 80: Connection refused",
                "curl: (7) Failed to connect to localhost port 80: Connection refused",
            ),
            (
                "0.01s$ sudo netstat -ntulp |grep nginx",
                "$ sudo netstat -ntulp |grep nginx",
            ),
            (
                "2024-05-02T08:00:00.1234567Z [10:00:01] == Info: Trying 203.0.113.5:443...",
                "== Info: Trying 203.0.113.5:443...",
            ),
        ] {
            assert_eq!(strip_line_prefix(raw), bare);
        }
    }

    #[test]
    fn prefixes_that_are_the_format_stay() {
        for line in [
            "2024/01/01 10:00:01 [emerg] 1234#1234: bind() to 0.0.0.0:443 failed (98: Address already in use)",
            "Jan  1 10:00:01 web1 nginx[123]: nginx: [emerg] bind() failed",
            "2024-01-01 10:00:01,123 fail2ban.actions [811]: NOTICE [sshd] Ban 203.0.113.9",
            "[Mon Jan 01 10:00:01.123456 2024] [core:error] [pid 1] AH00015",
            "2024-01-01T10:00:01+0000 web1 nginx[1]: started",
            " 10:00:01 up 3 days,  2 users,  load average: 0.00, 0.01, 0.05",
            "10:00:01 up 3 days,  2 users,  load average: 0.00, 0.01, 0.05",
            "[", "[]", "[10:00:01]",
        ] {
            assert_eq!(strip_line_prefix(line), line);
        }
    }

    #[test]
    fn common_indent_counts_shared_whitespace_only() {
        assert_eq!(common_indent(&lines("  a\n\n    b\n  c")), 2);
        assert_eq!(common_indent(&lines("\ta\n  b")), 0);
        assert_eq!(common_indent(&lines("a\n  b")), 0);
        assert_eq!(common_indent(&lines("")), 0);
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
