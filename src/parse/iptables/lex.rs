//! iptables' words: shell tokens, prompts, addresses, ports, protocols,
//! policies and TCP flag names, shared by the save/`-S` and `-L` readers.

use std::borrow::Cow;

use crate::firewall::model::{Policy, PortSet};
use crate::net::{fast_v4, AddrRange, AddrSet};

pub(super) fn bang(s: &str) -> (&str, bool) {
    match s.strip_prefix('!') {
        Some(r) => (r, true),
        None => (s, false),
    }
}
pub(super) fn is_iptables_prog(w: &str) -> bool {
    let base = w.rsplit('/').next().unwrap_or(w);
    matches!(
        base,
        "iptables"
            | "ip6tables"
            | "iptables-save"
            | "ip6tables-save"
            | "iptables-legacy"
            | "ip6tables-legacy"
            | "iptables-nft"
            | "ip6tables-nft"
            | "iptables-legacy-save"
            | "ip6tables-legacy-save"
            | "iptables-nft-save"
            | "ip6tables-nft-save"
    )
}

/// The command part of a shell command line, or `None` when the line is not
/// one. Recognises `$ cmd`, `# cmd`, `user@host:~# cmd`, `[root@h ~]# cmd`
/// and bare `iptables ...` / `sudo iptables ...`.
pub(super) fn command_line(t: &str) -> Option<&str> {
    let cand = if t.starts_with('[') {
        prompt_end_scan(t)?
    } else {
        prompt_end_first_word(t)?
    };
    let mut words = cand.split_whitespace();
    let mut first = words.next()?;
    while first == "sudo" || first.starts_with('-') && cand.starts_with("sudo") {
        first = words.next()?;
    }
    let base = first.rsplit('/').next().unwrap_or(first);
    let known = is_iptables_prog(base)
        || matches!(
            base,
            "ipset" | "nft" | "ufw" | "cat" | "csf" | "firewall-cmd"
        );
    known.then_some(cand)
}

/// The text after a shell prompt (`user@host:~# `, `$ `, `[root@h ~]# `), or
/// the whole line when it has none.
pub(super) fn prompt_end_scan(t: &str) -> Option<&str> {
    for sep in ["$ ", "# ", "> "] {
        if let Some(pos) = t.find(sep) {
            let before = t.get(..pos)?;
            let prompt_like = before.is_empty()
                || (!before.contains(' ') && (before.contains('@') || before.contains(':')))
                || (before.starts_with('[') && before.ends_with(']'));
            if prompt_like {
                return Some(t.get(pos + sep.len()..)?.trim_start());
            }
        }
    }
    Some(t)
}

/// [`prompt_end_scan`] for a line that does not start with `[`, without
/// searching the whole line: a prompt before `$ `/`# `/`> ` then has no
/// space, so the separator can only end the first space-delimited word.
pub(super) fn prompt_end_first_word(t: &str) -> Option<&str> {
    let Some(sp) = t.bytes().position(|b| b == b' ') else {
        return Some(t);
    };
    let Some(mark) = sp.checked_sub(1) else {
        return Some(t);
    };
    let before = t.get(..mark)?;
    let ends_prompt = matches!(t.as_bytes().get(mark), Some(b'$' | b'#' | b'>'));
    if ends_prompt && (before.is_empty() || before.contains(['@', ':'])) {
        return Some(t.get(sp + 1..)?.trim_start());
    }
    Some(t)
}

pub(super) fn parse_policy(p: &str) -> Option<Policy> {
    match p {
        "ACCEPT" => Some(Policy::Accept),
        "DROP" => Some(Policy::Drop),
        _ => None,
    }
}

pub(super) fn proto_name(p: &str) -> &str {
    match p {
        "6" | "TCP" => "tcp",
        "17" | "UDP" => "udp",
        "1" | "ICMP" => "icmp",
        "58" | "icmpv6" | "ipv6-icmp" | "icmp6" => "ipv6-icmp",
        "132" => "sctp",
        "136" => "udplite",
        "47" => "gre",
        "50" => "esp",
        "51" => "ah",
        "0" => "all",
        _ => p,
    }
}
pub(super) fn parse_addrs(v: &str) -> Option<AddrSet> {
    if !v.contains(',') {
        let r = match fast_v4(v) {
            Some(r) => r,
            None => AddrRange::parse(v)?,
        };
        return Some(AddrSet::from_ranges([r]));
    }
    let mut out = Vec::new();
    for part in v.split(',') {
        out.push(match fast_v4(part) {
            Some(r) => r,
            None => AddrRange::parse(part)?,
        });
    }
    Some(AddrSet::from_ranges(out))
}

pub(super) fn parse_iprange(v: &str) -> Option<AddrSet> {
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    let a = AddrRange::parse(a)?;
    let b = AddrRange::parse(b)?;
    if a.family != b.family || a.first > b.last {
        return None;
    }
    Some(AddrSet::from_ranges([AddrRange {
        family: a.family,
        first: a.first,
        last: b.last,
    }]))
}

/// Port lists: `443`, `1000:2000`, `:1024`, `80,443,8000:8100`, service names.
pub(super) fn parse_ports(v: &str) -> Option<PortSet> {
    if let Ok(p) = v.parse::<u16>() {
        // The common single port: nothing to sort or merge.
        return Some(PortSet(vec![(p, p)]));
    }
    let mut out: Vec<(u16, u16)> = Vec::new();
    for part in v.split(',') {
        let part = part.trim();
        let (lo, hi) = match part.split_once([':', '-']) {
            Some((a, b)) => (
                if a.is_empty() { 0 } else { port(a)? },
                if b.is_empty() { u16::MAX } else { port(b)? },
            ),
            None => {
                let p = port(part)?;
                (p, p)
            }
        };
        out.push((lo.min(hi), lo.max(hi)));
    }
    Some(PortSet::from_ranges(out))
}

pub(super) fn port(s: &str) -> Option<u16> {
    if let Ok(p) = s.parse::<u16>() {
        return Some(p);
    }
    // The names `iptables -L` prints without `-n` (from /etc/services).
    crate::net::service_port(s)
}

/// TCP flag masks as iptables writes them: `SYN,RST,ACK,FIN`, `ALL`,
/// `NONE`, or hex `0x17` in `iptables -L -n`.
pub(super) fn tcp_flag_bits(s: &str) -> Option<u8> {
    if let Some(h) = s.strip_prefix("0x") {
        return u8::from_str_radix(h, 16).ok();
    }
    let mut bits = 0u8;
    for f in s.split(',') {
        bits |= match f {
            "FIN" => 0x01,
            "SYN" => 0x02,
            "RST" => 0x04,
            "PSH" => 0x08,
            "ACK" => 0x10,
            "URG" => 0x20,
            "ECE" => 0x40,
            "CWR" => 0x80,
            "ALL" => 0xff,
            "NONE" => 0,
            _ => return None,
        };
    }
    Some(bits)
}

/// `char::is_whitespace` for an ASCII byte (it includes vertical tab).
pub(super) fn is_ascii_space(b: u8) -> bool {
    BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(0) & SPACE != 0
}

pub(super) const SPACE: u8 = 1;
pub(super) const QUOTE: u8 = 2;

/// Per byte: [`SPACE`] for what `char::is_whitespace` accepts in ASCII,
/// [`QUOTE`] for the shell quoting characters.
pub(super) const BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[0x0b] = SPACE;
    t[0x0c] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'"' as usize] = QUOTE;
    t[b'\'' as usize] = QUOTE;
    t[b'\\' as usize] = QUOTE;
    t
};

/// Split a shell-quoted line into words. Words without quotes or escapes
/// borrow from the input.
pub(super) fn tokenize(s: &str) -> Result<Vec<Cow<'_, str>>, &'static str> {
    // A rule line has a dozen or two words.
    let mut out = Vec::with_capacity(24);
    // ASCII lines (nearly all) are scanned byte by byte; others by char,
    // with the same (Unicode) notion of whitespace.
    let ascii = s.is_ascii();
    let mut rest = s;
    loop {
        rest = if ascii {
            let skip = rest
                .bytes()
                .position(|b| !is_ascii_space(b))
                .unwrap_or(rest.len());
            rest.get(skip..).unwrap_or("")
        } else {
            rest.trim_start()
        };
        if rest.is_empty() {
            return Ok(out);
        }
        let (end, plain) = if ascii {
            let mut special = 0u8;
            let end = rest
                .bytes()
                .position(|b| {
                    let class = BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(0);
                    special |= class;
                    class & SPACE != 0
                })
                .unwrap_or(rest.len());
            (end, special & QUOTE == 0)
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = rest.get(..end).unwrap_or(rest);
            (end, !word.contains(['"', '\'', '\\']))
        };
        if plain {
            out.push(Cow::Borrowed(rest.get(..end).unwrap_or(rest)));
            rest = rest.get(end..).unwrap_or("");
            continue;
        }
        let mut buf = String::new();
        let mut chars = rest.char_indices();
        let mut consumed = rest.len();
        let mut quote: Option<char> = None;
        while let Some((idx, c)) = chars.next() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => {
                    consumed = idx;
                    break;
                }
                (None, '"' | '\'') => quote = Some(c),
                (None, '\\') | (Some('"'), '\\') => match chars.next() {
                    Some((_, n)) => {
                        if quote.is_some() && !matches!(n, '"' | '\\' | '$' | '`') {
                            buf.push('\\');
                        }
                        buf.push(n);
                    }
                    None => return Err("line ends with a backslash"),
                },
                (Some(q), c) if c == q => quote = None,
                (_, c) => buf.push(c),
            }
        }
        if quote.is_some() {
            return Err("unterminated quote");
        }
        out.push(Cow::Owned(buf));
        rest = rest.get(consumed..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_quotes_and_escapes() {
        let t = tokenize(r#"-A INPUT -m comment --comment "allow cf \"x\"" -j ACCEPT 'a b'"#);
        let t: Vec<String> = t
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            t,
            vec![
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "allow cf \"x\"",
                "-j",
                "ACCEPT",
                "a b"
            ]
        );
        assert!(tokenize("\"open").is_err());
    }

    #[test]
    fn fast_v4_agrees_with_the_general_parser() {
        for t in [
            "1.2.3.4",
            "1.2.3.4/32",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "255.255.255.255",
            "192.168.1.77/24",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4/33",
            "1.2.3.4/024",
            "1.2.3.4/+8",
            "1.2.3.4/",
            "1.2.3.4/255.255.255.0",
            " 1.2.3.4",
            "1.2.3.4 ",
            "::1",
            "1.2.3.4x",
            "1..3.4",
            "",
        ] {
            let fast = fast_v4(t);
            if fast.is_some() {
                assert_eq!(fast, AddrRange::parse(t), "{t}");
            }
            assert_eq!(
                parse_addrs(t).map(|s| s.ranges().to_vec()),
                AddrRange::parse(t).map(|r| vec![r]),
                "{t}"
            );
        }
    }

    #[test]
    fn prompt_shortcut_agrees_with_the_scan() {
        for t in [
            "$ sudo iptables -S",
            "# iptables -S",
            "root@web:~# iptables-save",
            "web:~> iptables -L",
            "-A INPUT -m comment --comment \"a$ b\" -j ACCEPT",
            "-A$ INPUT",
            "a:b$ iptables -S",
            "x\ty@h# iptables -S",
            "#",
            "$",
            "iptables -S",
            "noprompt# iptables -S",
        ] {
            assert_eq!(prompt_end_first_word(t), prompt_end_scan(t), "{t}");
        }
    }

    #[test]
    fn tokenizer_whitespace_is_unicode_whitespace() {
        let words = |s: &str| -> Vec<String> {
            tokenize(s)
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(
            words("-A\x0bINPUT\t-j  ACCEPT"),
            vec!["-A", "INPUT", "-j", "ACCEPT"]
        );
        assert_eq!(words("-A\u{a0}INPUT é"), vec!["-A", "INPUT", "é"]);
        assert_eq!(words("  a'b c'd  "), vec!["ab cd"]);
    }

    #[test]
    fn ports_and_flags() {
        assert_eq!(
            parse_ports("443,80,1000:2000,https").map(|p| p.0),
            Some(vec![(80, 80), (443, 443), (1000, 2000)])
        );
        assert_eq!(parse_ports(":1024").map(|p| p.0), Some(vec![(0, 1024)]));
        assert_eq!(parse_ports("nosuch"), None);
        assert_eq!(tcp_flag_bits("FIN,SYN,RST,ACK"), Some(0x17));
        assert_eq!(tcp_flag_bits("0x02"), Some(2));
    }

    #[test]
    fn prompts_are_commands_not_comments() {
        assert!(command_line("# iptables -S").is_some());
        assert!(command_line("root@web:~# iptables-save").is_some());
        assert!(command_line("[root@web ~]# ip6tables -nvL").is_some());
        assert!(command_line("$ sudo iptables -L -n -v").is_some());
        assert!(command_line("# Generated by iptables-save v1.8.7").is_none());
        assert!(command_line("-A INPUT -j ACCEPT").is_none());
    }
}
