//! Small, allocation-light helpers shared by the evidence parsers: shell
//! prompt detection, address:port splitting in the spellings of ss, netstat
//! and lsof, and case-insensitive searching. Nothing here panics on any input.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// Whether `text` is exactly one IP address (optionally with a zone).
pub fn is_ip(text: &str) -> bool {
    parse_ip(text).is_some()
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

/// A number with thousands separators or a unit suffix removed, as u64.
pub fn parse_u64(text: &str) -> Option<u64> {
    text.trim().replace(',', "").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
