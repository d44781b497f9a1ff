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
    // `$docker-compose ps`: a prompt typed without its space. Shell
    // variables (`$HOME`, `$PATH`) are upper case.
    if let Some(rest) = t.strip_prefix('$') {
        if rest.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Some(rest.trim());
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

/// A line that runs `tool`, typed after a prompt (`$ sudo nft list ruleset`,
/// `root@host:~# ufw status`, `% nft -a list ruleset`) or bare (`sudo ufw
/// status`, `nft list ruleset`): the command above a dump, not part of it.
/// The tool may be named by its path (`/usr/sbin/nft`).
pub fn runs_tool(text: &str, tool: &str) -> bool {
    let t = text.trim();
    let mut words = t.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let names = |line: &str| {
        line.split_whitespace()
            .any(|w| w == tool || w.strip_suffix(tool).is_some_and(|dir| dir.ends_with('/')))
    };
    let prompt_or_tool = matches!(first, "$" | "#" | "%" | "sudo")
        || first == tool
        || first.ends_with(['$', '#', '>', '%']);
    // `[root@web ~]# ufw status`, `PS C:\> ...`: prompts with a space inside.
    (prompt_or_tool && names(t)) || command_of(t).is_some_and(names)
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

/// "hi", "thanks", ...: words a greeting or sign-off line is made of.
fn is_greeting(lower: &[u8]) -> bool {
    matches!(
        lower,
        b"hi"
            | b"hello"
            | b"hey"
            | b"thanks"
            | b"thank"
            | b"regards"
            | b"cheers"
            | b"dear"
            | b"best"
    )
}

/// Little words that sentences have and tool output rarely does.
fn is_stopword(lower: &[u8]) -> bool {
    matches!(
        lower,
        b"the"
            | b"a"
            | b"an"
            | b"is"
            | b"are"
            | b"was"
            | b"were"
            | b"i"
            | b"my"
            | b"we"
            | b"our"
            | b"you"
            | b"your"
            | b"it"
            | b"its"
            | b"this"
            | b"that"
            | b"and"
            | b"but"
            | b"or"
            | b"to"
            | b"of"
            | b"in"
            | b"on"
            | b"for"
            | b"with"
            | b"have"
            | b"has"
            | b"had"
            | b"be"
            | b"been"
            | b"can"
            | b"cannot"
            | b"can't"
            | b"not"
            | b"no"
            | b"when"
            | b"after"
            | b"before"
            | b"since"
            | b"still"
            | b"please"
            | b"here"
            | b"there"
            | b"what"
            | b"why"
            | b"how"
            | b"do"
            | b"does"
            | b"did"
            | b"so"
            | b"if"
            | b"me"
            | b"us"
    )
}

/// `word` lower-cased into `buf` when it is short enough to be one of the
/// little words above (the longest has 7 bytes); `None` otherwise. No
/// allocation: this runs on every line of a paragraph no format claimed.
fn short_lower<'b>(word: &str, buf: &'b mut [u8; 8]) -> Option<&'b [u8]> {
    let b = word.as_bytes();
    let out = buf.get_mut(..b.len())?;
    for (o, c) in out.iter_mut().zip(b) {
        *o = c.to_ascii_lowercase();
    }
    Some(out)
}

/// A sentence a person wrote: several words, mostly letters, no columns.
pub fn is_prose_line(text: &str) -> bool {
    let t = text.trim();
    if is_markdown_markup(t) {
        return true;
    }
    if is_stamped_log_line(t) || is_syslog_line(t) {
        return false;
    }
    // "`wget -qO- example.com` results in timeout": a code span inside a
    // sentence counts as one word.
    if !(t.starts_with('`') && t.ends_with('`'))
        && t.bytes().filter(|&b| b == b'`').nth(1).is_some()
    {
        let mut plain = String::with_capacity(t.len());
        for (i, part) in t.split('`').enumerate() {
            plain.push_str(if i % 2 == 1 { "code" } else { part });
        }
        return is_prose_line(&plain);
    }
    // A prompt with nothing after it closes a pasted session: chatter, not
    // output of any format.
    if is_bare_prompt(t) || is_cjk_sentence(t) {
        return true;
    }
    // Tool output has wide column gaps; prose has single spaces.
    let column_gaps = t.contains('\t') || t.contains("   ");
    let mut buf = [0u8; 8];
    let mut n = 0usize;
    let mut wordy = 0usize;
    let mut stop = 0usize;
    for w in t.split_whitespace() {
        n += 1;
        if column_gaps && n >= 4 {
            return false;
        }
        let core = w.trim_matches(|c: char| ",.;:!?()\"'".contains(c));
        if !core.is_empty()
            && core
                .chars()
                .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        {
            wordy += 1;
        }
        if short_lower(core, &mut buf).is_some_and(is_stopword) {
            stop += 1;
        }
    }
    if n < 4 {
        // "Hi team,", "The page says:", "Thanks!": short, but a sentence.
        return n > 0
            && t.ends_with([',', ':', '!'])
            && t.split_whitespace().any(|w| {
                let core = w.trim_matches(|c: char| !c.is_alphanumeric());
                short_lower(core, &mut buf).is_some_and(|l| is_stopword(l) || is_greeting(l))
            })
            && t.split_whitespace().all(|w| {
                w.trim_end_matches([',', ':', '!'])
                    .chars()
                    .all(char::is_alphabetic)
            });
    }
    let enough_words = wordy * 10 >= n * 7 || (wordy * 10 >= n * 5 && stop * 10 >= n * 2);
    enough_words && stop * 100 >= n * 15 && !column_gaps
}

/// A sentence written in Chinese, Japanese or Korean (`一，执行nginx -t命令后，
/// 结果显示配置正确`): no spaces between words, so the word counts above do
/// not apply. Tools print few such characters (a localized date, a unit
/// name), never most of a line.
pub fn is_cjk_sentence(t: &str) -> bool {
    let cjk = |c: char| {
        matches!(c as u32,
            0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xFF01..=0xFF60)
    };
    let visible = t.chars().filter(|c| !c.is_whitespace()).count();
    let n = t.chars().filter(|c| cjk(*c)).count();
    n >= 4 && n * 4 >= visible && !t.contains("   ") && !t.contains('\t')
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
/// A syslog or journal line: `Aug 16 06:02:33 host systemd[1]: Stopping A
/// high performance web server...`. Its message reads like a sentence, but
/// the month, day and time before it make it a log line.
pub fn is_syslog_line(t: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut w = t.split_whitespace();
    let (Some(month), Some(day), Some(time)) = (w.next(), w.next(), w.next()) else {
        return false;
    };
    let clock = time.len() == 8
        && time.bytes().enumerate().all(|(i, c)| match i {
            2 | 5 => c == b':',
            _ => c.is_ascii_digit(),
        });
    MONTHS.contains(&month)
        && (1..=2).contains(&day.len())
        && day.bytes().all(|c| c.is_ascii_digit())
        && clock
}

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
    .iter()
    .any(|l| l.eq_ignore_ascii_case(level));
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
    fn journal_lines_are_not_prose() {
        let j = "Aug 16 06:02:33 vps570864 systemd[1]: Stopping A high performance web server and a reverse proxy server...";
        assert!(is_syslog_line(j));
        assert!(!is_prose_line(j));
        assert!(!is_syslog_line(
            "May I ask why the server is down since 10:00:00 today?"
        ));
    }

    #[test]
    fn cjk_sentences_are_prose_and_localized_output_is_not() {
        assert!(is_prose_line("一，执行nginx -t命令后，结果显示配置正确"));
        assert!(is_prose_line("执行netstat -lnpt命令，输出"));
        assert!(is_prose_line("これはテストです。サーバーが起動しません"));
        // A localized date or unit name inside tool output.
        assert!(!is_cjk_sentence(
            "6月 24 15:17:04 localhost.localdomain httpd[10572]: httpd (pid 6759) already running"
        ));
        assert!(!is_cjk_sentence(
            "   Active: failed (Result: protocol) since 四 2021-06-24 15:17:04 CST; 52s ago"
        ));
    }

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
    fn lines_that_run_a_tool() {
        for (line, tool) in [
            ("$ sudo nft list ruleset", "nft"),
            ("root@host:~# nft -a list ruleset", "nft"),
            ("# nft list ruleset", "nft"),
            ("% /usr/sbin/nft list ruleset", "nft"),
            ("sudo ufw status verbose", "ufw"),
            ("ufw status numbered", "ufw"),
            ("[root@web ~]# ufw status", "ufw"),
            ("PS C:\\> ufw status", "ufw"),
        ] {
            assert!(runs_tool(line, tool), "{line}");
        }
        for (line, tool) in [
            ("table inet nft {", "nft"),
            ("chain nft-input {", "nft"),
            ("22/tcp ALLOW Anywhere # ufw rule", "ufw"),
            ("$ sudo iptables -S", "nft"),
            ("$ sudo nftables-dump", "nft"),
            ("", "ufw"),
        ] {
            assert!(!runs_tool(line, tool), "{line}");
        }
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
