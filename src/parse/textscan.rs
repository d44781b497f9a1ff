//! Small, allocation-light helpers shared by the parsers: shell prompt
//! detection, address:port splitting in the spellings of ss, netstat and
//! lsof, case-insensitive searching, and telling sentences a person wrote
//! from tool output. Nothing here panics on any input.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::net::AddrRange;
use crate::text::Line;

/// The command typed after a shell prompt, if `text` looks like a prompt
/// line: `$ cmd`, `# cmd`, `user@host:~$ cmd`, `[root@web ~]# cmd`,
/// `PS C:\Users\me> cmd`, `C:\>cmd`. A bare `> ` is not a prompt: curl -v
/// prints request lines that way.
pub fn command_of(text: &str) -> Option<&str> {
    let t = text.trim_start();
    for p in ["$ ", "# ", "% "] {
        if let Some(rest) = t.strip_prefix(p) {
            let rest = rest.trim();
            return (!rest.is_empty()).then_some(rest);
        }
    }
    // user@host:path$ cmd  /  [user@host path]# cmd
    let first = t.split_whitespace().next()?;
    let promptish = first.contains('@') || first.starts_with('[') || first.starts_with("PS");
    if promptish || t.starts_with("PS ") || t.get(1..3) == Some(":\\") {
        for marker in ["$ ", "# ", "> ", "% "] {
            if let Some(idx) = t.find(marker) {
                let head = t.get(..idx)?;
                // The prompt itself holds no spaces except inside [..] or after PS.
                if head.contains('@')
                    || head.starts_with('[')
                    || head.starts_with("PS ")
                    || head.get(1..3) == Some(":\\")
                {
                    let rest = t.get(idx + marker.len()..)?.trim();
                    return (!rest.is_empty()).then_some(rest);
                }
            }
        }
        if let Some(idx) = t.find('>') {
            let head = t.get(..idx)?;
            if head.get(1..3) == Some(":\\") && !head.contains(' ') {
                let rest = t.get(idx + 1..)?.trim();
                return (!rest.is_empty()).then_some(rest);
            }
        }
    }
    None
}

/// A shell prompt with nothing typed after it (`user@host:~$`,
/// `[root@web ~]#`, `PS C:\\Users\\me>`, a lone `$`): the end of a pasted
/// terminal session, not output.
pub fn is_bare_prompt(text: &str) -> bool {
    let t = text.trim();
    let Some(head) = t.strip_suffix(['$', '#', '>', '%']).map(str::trim_end) else {
        return false;
    };
    if head.is_empty() {
        // A lone `#` or `>` is as often a comment or quote marker.
        return t == "$";
    }
    let user_at_host = head.contains('@') && !head.contains(char::is_whitespace);
    let bracketed = head.starts_with('[') && head.ends_with(']') && head.contains('@');
    let windows =
        head.get(1..3) == Some(":\\") || (head.starts_with("PS ") && head.contains(":\\"));
    user_at_host && head.contains(':') || bracketed || windows
}

/// ASCII case-insensitive substring test, without allocating.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// Byte offset of the first ASCII case-insensitive match of `needle`.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() {
        return Some(0);
    }
    if n.len() > h.len() {
        return None;
    }
    h.windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .filter(|&i| hay.is_char_boundary(i))
}

/// The text after the first case-insensitive match of `needle`.
pub fn after_ci<'a>(hay: &'a str, needle: &str) -> Option<&'a str> {
    let i = find_ci(hay, needle)?;
    hay.get(i.checked_add(needle.len())?..)
}

/// Text between `open` and the next `close` after it.
pub fn between<'a>(hay: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let (_, rest) = hay.split_once(open)?;
    let (inner, _) = rest.split_once(close)?;
    Some(inner)
}

/// Parse an address, tolerating a zone (`fe80::1%eth0`, `127.0.0.53%lo`),
/// brackets, and IPv4-mapped IPv6 kept as written.
/// An IPv4 address someone partly masked before pasting (`47.236.*.180`,
/// `203.0.x.x`): four labels, each 1-3 digits or a mask of `*`, `x`, `X`
/// or `#`, with at least one of each. Two masked addresses are the same
/// only when their text is identical.
pub fn masked_ipv4(text: &str) -> bool {
    let labels: Vec<&str> = text.trim().split('.').collect();
    if labels.len() != 4 {
        return false;
    }
    let digits = |l: &&str| (1..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit());
    let mask = |l: &&str| (1..=3).contains(&l.len()) && l.bytes().all(|b| b"*xX#".contains(&b));
    labels.iter().all(|l| digits(l) || mask(l))
        && labels.iter().any(digits)
        && labels.iter().any(mask)
}

pub fn parse_ip(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    let t = t.split_once('%').map_or(t, |(a, _)| a);
    t.parse().ok()
}

/// The local side of a socket as the tools print it. `None` for the
/// address means "any" of the family the tool implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockHost {
    /// `*` (ss, lsof, BSD netstat): every address of both families.
    Star,
    Addr(IpAddr),
}

/// Split `addr:port` in the spellings of ss, Linux netstat, lsof and BSD
/// netstat: `0.0.0.0:80`, `[::]:443`, `:::443`, `*:80`, `*.80`,
/// `127.0.0.53%lo:53`, `[::ffff:127.0.0.1]:80`, `1.2.3.4.443`,
/// `fe80::1%em0.123`. Returns the host and the port (`None` for `*`).
pub fn split_host_port(text: &str) -> Option<(SockHost, Option<u16>)> {
    let t = text.trim();
    let port_of = |p: &str| -> Option<Option<u16>> {
        if p == "*" {
            Some(None)
        } else {
            p.parse::<u16>().ok().map(Some)
        }
    };
    if let Some(rest) = t.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        return Some((SockHost::Addr(parse_ip(host)?), port_of(port)?));
    }
    // Try ':' as the separator first (ss, Linux netstat, lsof), then '.' (BSD).
    for sep in [':', '.'] {
        if let Some((host, port)) = t.rsplit_once(sep) {
            let Some(port) = port_of(port) else { continue };
            if host == "*" {
                return Some((SockHost::Star, port));
            }
            if host.is_empty() {
                continue;
            }
            if let Some(ip) = parse_ip(host) {
                return Some((SockHost::Addr(ip), port));
            }
            // `:::443` splits into `::` + `443`; `::` parses above. `::ffff:1.2.3.4:80` also.
        }
    }
    None
}

/// Unspecified address of a family.
pub fn unspecified(v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

/// The leading run of `text` made of address characters, for outputs glued
/// to the next prompt (`curl ifconfig.me` prints no trailing newline).
pub fn leading_ip(text: &str) -> Option<IpAddr> {
    let t = text.trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':'))
        .unwrap_or(t.len());
    let mut cand = t.get(..end)?;
    // `203.0.113.7root@web` leaves hex letters glued on: trim them back.
    while !cand.is_empty() {
        if let Ok(ip) = cand.parse::<IpAddr>() {
            return Some(ip);
        }
        cand = cand.get(..cand.len().checked_sub(1)?)?;
    }
    None
}

/// Sentences, possibly with a short sign-off line ("Thanks, Dana").
pub fn is_prose_paragraph(p: &[Line<'_>]) -> bool {
    let mut prose = 0;
    for l in p {
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        if is_prose_line(t) {
            prose += 1;
        } else if t.split_whitespace().count() > 3
            || t.chars()
                .any(|c| c.is_ascii_digit() || c == ':' || c == '=')
        {
            return false;
        }
    }
    prose > 0
}

const GREETINGS: &[&str] = &[
    "hi", "hello", "hey", "thanks", "thank", "regards", "cheers", "dear", "best",
];

/// Little words that sentences have and tool output rarely does.
const STOPWORDS: &[&str] = &[
    "the", "a", "an", "is", "are", "was", "were", "i", "my", "we", "our", "you", "your", "it",
    "its", "this", "that", "and", "but", "or", "to", "of", "in", "on", "for", "with", "have",
    "has", "had", "be", "been", "can", "cannot", "can't", "not", "no", "when", "after", "before",
    "since", "still", "please", "here", "there", "what", "why", "how", "do", "does", "did", "so",
    "if", "me", "us",
];

/// A sentence a person wrote: several words, mostly letters, no columns.
pub fn is_prose_line(text: &str) -> bool {
    let t = text.trim();
    if is_markdown_markup(t) {
        return true;
    }
    if is_stamped_log_line(t) {
        return false;
    }
    // "`wget -qO- example.com` results in timeout": a code span inside a
    // sentence counts as one word.
    if !(t.starts_with('`') && t.ends_with('`')) && t.matches('`').count() >= 2 {
        let mut plain = String::with_capacity(t.len());
        for (i, part) in t.split('`').enumerate() {
            plain.push_str(if i % 2 == 1 { "code" } else { part });
        }
        if !plain.contains('`') {
            return is_prose_line(&plain);
        }
    }
    // A prompt with nothing after it closes a pasted session: chatter, not
    // output of any format.
    if is_bare_prompt(t) {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() < 4 {
        // "Hi team,", "The page says:", "Thanks!": short, but a sentence.
        return !words.is_empty()
            && t.ends_with([',', ':', '!'])
            && words.iter().any(|w| {
                let core = w
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_ascii_lowercase();
                STOPWORDS.contains(&core.as_str()) || GREETINGS.contains(&core.as_str())
            })
            && words.iter().all(|w| {
                w.trim_end_matches([',', ':', '!'])
                    .chars()
                    .all(char::is_alphabetic)
            });
    }
    let wordy = words
        .iter()
        .filter(|w| {
            let core = w.trim_matches(|c: char| ",.;:!?()\"'".contains(c));
            !core.is_empty()
                && core
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        })
        .count();
    let stop = words
        .iter()
        .filter(|w| {
            let core = w
                .trim_matches(|c: char| ",.;:!?()\"'".contains(c))
                .to_ascii_lowercase();
            STOPWORDS.contains(&core.as_str())
        })
        .count();
    // Tool output has wide column gaps; prose has single spaces.
    let column_gaps = t.contains("   ") || t.contains('\t');
    let enough_words = wordy * 10 >= words.len() * 7
        || (wordy * 10 >= words.len() * 5 && stop * 10 >= words.len() * 2);
    enough_words && stop * 100 >= words.len() * 15 && !column_gaps
}

/// Markdown a report is written in: headings (`## Error log`), rules
/// (`---`), and `**Field:** value` lines.
fn is_markdown_markup(t: &str) -> bool {
    let rule = t.len() >= 3
        && ['-', '*', '_', '=']
            .iter()
            .any(|c| t.chars().all(|x| x == *c || x == ' '));
    let hashes = t.chars().take_while(|c| *c == '#').count();
    let heading = (1..=6).contains(&hashes)
        && t.get(hashes..).is_some_and(|rest| {
            rest.starts_with(' ')
                && rest.chars().any(char::is_alphabetic)
                // A shell comment or a config line commented out.
                && !rest.contains([';', '{', '}', '='])
                && !rest.to_ascii_lowercase().contains("generated by")
        });
    let field = t.starts_with("**")
        && t.get(2..)
            .and_then(|r| r.split_once("**"))
            .is_some_and(|(name, _)| name.trim_end().ends_with(':') || name.len() < 40);
    rule || heading || field
}

/// A log line: a date and time, then a bracketed level
/// (`2024-03-01 10:00:01.123 [ERROR] No listener is available`,
/// `2024/03/01 10:00:01 [emerg] 12#12: bind() …`).
pub fn is_stamped_log_line(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let (Some(date), Some(time), Some(level)) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    let date_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-' || c == b'/',
            _ => c.is_ascii_digit(),
        });
    let time_ok = time.len() >= 8
        && time.bytes().take(8).enumerate().all(|(i, c)| match i {
            2 | 5 => c == b':',
            _ => c.is_ascii_digit(),
        });
    let level = level.to_ascii_lowercase();
    let level_ok = [
        "[emerg]",
        "[alert]",
        "[crit]",
        "[error]",
        "[warn]",
        "[notice]",
        "[info]",
        "[debug]",
        "[warning]",
    ]
    .contains(&level.as_str());
    date_ok && time_ok && level_ok
}

/// An address token: `1.2.3.4`, `1.2.3.0/24`, `[1.2.3.4]`, `1.2.3.4:5555`,
/// `[2400:cb00::1]:443`, with surrounding punctuation.
pub fn addr_token(tok: &str) -> Option<AddrRange> {
    let t = tok.trim_matches(|c: char| {
        matches!(
            c,
            ',' | ';' | '(' | ')' | '\'' | '"' | '.' | '[' | ']' | '{' | '}'
        )
    });
    if let Some(r) = AddrRange::parse(t) {
        return Some(r);
    }
    // `address 1.2.3.4: possible DoS` (a v6 address never ends in one colon).
    if let Some(r) = t.strip_suffix(':').and_then(AddrRange::parse) {
        return Some(r);
    }
    // `[v6]:port` or `v4:port`.
    if let Some(inner) = tok.trim_start_matches('[').split_once("]:") {
        return AddrRange::parse(inner.0);
    }
    let (a, port) = t.rsplit_once(':')?;
    if a.contains(':') || port.parse::<u16>().is_err() {
        return None;
    }
    AddrRange::parse(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_addresses_are_recognised_and_nothing_else() {
        assert!(masked_ipv4("47.236.*.180"));
        assert!(masked_ipv4("203.0.x.x"));
        assert!(masked_ipv4(" 10.xx.12.### "));
        assert!(!masked_ipv4("203.0.113.5"), "a plain address is not masked");
        assert!(!masked_ipv4("*.*.*.*"), "nothing left to compare");
        assert!(!masked_ipv4("example.*.com.x"));
        assert!(!masked_ipv4("1.2.3"));
    }

    #[test]
    fn prompts() {
        assert_eq!(command_of("$ dig example.com"), Some("dig example.com"));
        assert_eq!(command_of("root@web:~# ss -tlnp"), Some("ss -tlnp"));
        assert_eq!(command_of("[root@web ~]# ip a"), Some("ip a"));
        assert_eq!(
            command_of("PS C:\\Users\\me> nslookup x"),
            Some("nslookup x")
        );
        assert_eq!(command_of("C:\\>nslookup x"), Some("nslookup x"));
        assert_eq!(command_of("tcp LISTEN 0 511 0.0.0.0:80"), None);
        assert_eq!(command_of("nginx: [emerg] bind() failed"), None);
        assert_eq!(command_of("> Accept: */*"), None);
    }

    #[test]
    fn host_ports() {
        let v4 = |s: &str| SockHost::Addr(s.parse().unwrap());
        assert_eq!(
            split_host_port("0.0.0.0:80"),
            Some((v4("0.0.0.0"), Some(80)))
        );
        assert_eq!(split_host_port("[::]:443"), Some((v4("::"), Some(443))));
        assert_eq!(split_host_port(":::443"), Some((v4("::"), Some(443))));
        assert_eq!(split_host_port("*:80"), Some((SockHost::Star, Some(80))));
        assert_eq!(split_host_port("*.80"), Some((SockHost::Star, Some(80))));
        assert_eq!(
            split_host_port("127.0.0.53%lo:53"),
            Some((v4("127.0.0.53"), Some(53)))
        );
        assert_eq!(
            split_host_port("[::ffff:127.0.0.1]:80"),
            Some((v4("::ffff:127.0.0.1"), Some(80)))
        );
        assert_eq!(
            split_host_port("10.0.0.1.443"),
            Some((v4("10.0.0.1"), Some(443)))
        );
        assert_eq!(split_host_port("*:*"), Some((SockHost::Star, None)));
        assert_eq!(
            split_host_port("fe80::1%em0.123"),
            Some((v4("fe80::1"), Some(123)))
        );
        assert_eq!(split_host_port("garbage"), None);
    }

    #[test]
    fn glued_ip() {
        assert_eq!(
            leading_ip("203.0.113.7root@web:~#"),
            "203.0.113.7".parse().ok()
        );
        assert_eq!(leading_ip("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(leading_ip("hello"), None);
    }

    #[test]
    fn ci() {
        assert!(contains_ci("Connection REFUSED", "refused"));
        assert_eq!(after_ci("a Status: x", "status:"), Some(" x"));
        assert!(find_ci("é", "x").is_none());
    }
}

#[cfg(test)]
mod prompt_tests {
    use super::is_bare_prompt;

    #[test]
    fn bare_prompts_and_lookalikes() {
        for p in [
            "student-02-9bcbe9228694@test-vm:~$ ",
            "[root@web01 ~]#",
            "root@web:/etc/nginx#",
            "PS C:\\Users\\admin>",
            "C:\\inetpub>",
            "$",
        ] {
            assert!(is_bare_prompt(p), "{p}");
        }
        for t in [
            "<html>",
            "</div>",
            "user@example.com wrote:",
            "Total: 5$",
            "# comment",
            "ok>",
            "#",
            ">",
            "admin@host:~$ ls",
        ] {
            assert!(!is_bare_prompt(t), "{t}");
        }
    }
}
