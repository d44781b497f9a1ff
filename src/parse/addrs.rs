//! The server's own addresses: `ip addr` / `ip a`, `ip -br a`,
//! `hostname -I`, `ifconfig` (Linux net-tools old and new, BSD/macOS), and
//! the single address printed by `curl ifconfig.me`-style echo services
//! (only when a command hint or a prompt line says that is what ran);
//! and whether IPv6 is disabled on the host (`sysctl` `disable_ipv6`).
//!
//! Guarantees: each address is reported once per line it appears on, with
//! its interface when the output names one; the scope is the tool's own when
//! printed, else derived from the address. Linear, no panics.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use super::textscan::{after_ci, command_of, leading_ip, masked_ipv4, parse_ip};
use crate::text::{Line, NotUnderstood};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Global,
    Link,
    Host,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddrSource {
    IpAddr,
    IpBrief,
    HostnameI,
    Ifconfig,
    /// What an outside echo service saw: the public (possibly NAT) address.
    PublicEcho,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnAddr {
    pub interface: Option<String>,
    pub addr: IpAddr,
    pub prefix_len: Option<u8>,
    pub scope: Scope,
    pub source: AddrSource,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AddrFacts {
    pub addrs: Vec<OwnAddr>,
    /// Interfaces of default routes (`ip route`: `default via … dev eth0`):
    /// the one Internet traffic, and so Cloudflare's, arrives on.
    pub default_routes: Vec<String>,
    /// `net.ipv6.conf.<all|default|iface>.disable_ipv6 = 1` (sysctl): the
    /// scope, whether IPv6 is disabled there, and the line.
    pub ipv6_sysctl: Vec<Ipv6Sysctl>,
    /// What an echo service answered, partly masked by the person
    /// (`47.236.*.180`): the text and its line, comparable only as text.
    pub masked_echo: Vec<(String, usize)>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ipv6Sysctl {
    /// `all`, `default` or an interface name.
    pub scope: String,
    pub disabled: bool,
    pub line: usize,
}

/// `net.ipv6.conf.all.disable_ipv6 = 1` (also without spaces, as
/// `sysctl -n` does not print the name).
fn ipv6_sysctl(t: &str) -> Option<(String, bool)> {
    let (key, value) = t.split_once('=')?;
    let scope = key
        .trim()
        .strip_prefix("net.ipv6.conf.")?
        .strip_suffix(".disable_ipv6")?;
    let disabled = match value.trim() {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    Some((scope.to_string(), disabled))
}

impl AddrFacts {
    /// Addresses that could be the origin seen from the Internet
    /// (global scope, or what an echo service reported).
    pub fn public(&self) -> impl Iterator<Item = &OwnAddr> {
        self.addrs.iter().filter(|a| a.scope == Scope::Global)
    }
}

const ECHO_HOSTS: [&str; 10] = [
    "ifconfig.me",
    "icanhazip",
    "ipify",
    "ifconfig.co",
    "ipinfo.io",
    "checkip",
    "ident.me",
    "ipecho.net",
    "myip",
    "wtfismyip",
];

fn is_echo_command(cmd: &str) -> bool {
    let c = cmd.to_ascii_lowercase();
    (c.contains("curl") || c.contains("wget") || c.contains("dig"))
        && ECHO_HOSTS.iter().any(|h| c.contains(h))
}

fn derived_scope(a: IpAddr) -> Scope {
    match a {
        IpAddr::V4(v) if v.is_loopback() => Scope::Host,
        IpAddr::V4(v) if v.is_link_local() => Scope::Link,
        IpAddr::V6(v) if v.is_loopback() => Scope::Host,
        IpAddr::V6(v) if v.segments().first().is_some_and(|s| s & 0xffc0 == 0xfe80) => Scope::Link,
        _ => Scope::Global,
    }
}

fn scope_word(w: &str) -> Option<Scope> {
    let w = w.to_ascii_lowercase();
    let w = w.trim_start_matches("0x");
    if w.contains("host") || w.contains("loopback") {
        Some(Scope::Host)
    } else if w.contains("link") {
        Some(Scope::Link)
    } else if w.contains("global") || w.contains("site") {
        Some(Scope::Global)
    } else {
        None
    }
}

/// Confidence (0-100) that `lines` are interface address output.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        if ipv6_sysctl(t).is_some() {
            score += 60;
        }
        if t.starts_with("inet ")
            || t.starts_with("inet6 ")
            || t.starts_with("link/ether")
            || t.contains("Link encap:")
            || t.contains("flags=") && t.contains("mtu")
            || t.contains("<BROADCAST")
            || t.contains("<LOOPBACK")
        {
            score += 30;
        } else if let Some(c) = command_of(t) {
            let c = c.trim_start_matches("sudo ");
            if c.starts_with("ip a")
                || c.starts_with("ip -")
                || c.starts_with("ifconfig")
                || c.starts_with("hostname -I")
                || is_echo_command(c)
            {
                score += 40;
            }
        }
    }
    score.min(100) as u8
}

/// Parse address listings. `command` is the command that produced the block
/// when the caller knows it (needed to trust a bare address as `curl ifconfig.me`).
pub fn parse(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> AddrFacts {
    // long: one pass over five listing shapes (ip addr, ifconfig old/new, ip -br, hostname -I,
    // curl ifconfig.me) sharing the current interface state.
    let mut f = AddrFacts::default();
    let mut iface: Option<String> = None;
    let mut echo = command.is_some_and(is_echo_command);
    let mut hostname_i = command.is_some_and(|c| c.contains("hostname") && c.contains("-I"));
    let mut multipath_default = false;
    for l in lines {
        let raw = l.text;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(cmd) = command_of(raw) {
            echo = is_echo_command(cmd);
            hostname_i = cmd.contains("hostname") && (cmd.contains("-I") || cmd.contains("-i"));
            f.understood_lines += 1;
            continue;
        }
        if let Some((scope, disabled)) = ipv6_sysctl(t) {
            f.ipv6_sysctl.push(Ipv6Sysctl {
                scope,
                disabled,
                line: l.no,
            });
            f.understood_lines += 1;
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        let before = f.addrs.len();
        let words: Vec<&str> = t.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        // `2: eth0: <BROADCAST,...> mtu 1500 ...` (ip addr)
        if !indented
            && first.ends_with(':')
            && first
                .trim_end_matches(':')
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            iface = words.get(1).map(|w| {
                w.trim_end_matches(':')
                    .split('@')
                    .next()
                    .unwrap_or("")
                    .to_string()
            });
            f.understood_lines += 1;
            continue;
        }
        // `eth0: flags=4163<UP,...>  mtu 1500` (ifconfig new/BSD) or `eth0      Link encap:` (old)
        if !indented && (t.contains("flags=") || t.contains("Link encap")) {
            iface = Some(first.trim_end_matches(':').to_string());
            f.understood_lines += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("inet6 ").or_else(|| t.strip_prefix("inet ")) {
            let rest = rest
                .trim_start()
                .strip_prefix("addr:")
                .unwrap_or(rest)
                .trim();
            let tok = rest.split_whitespace().next().unwrap_or("");
            let (a, plen) = match tok.split_once('/') {
                Some((a, p)) => (a, p.parse::<u8>().ok()),
                None => (tok, None),
            };
            let Some(addr) = parse_ip(a) else {
                f.not_understood
                    .push(NotUnderstood::new(*l, "interface address not readable"));
                continue;
            };
            let prefix_len = plen
                .or_else(|| {
                    after_ci(rest, "prefixlen ")
                        .and_then(|r| r.split_whitespace().next())
                        .and_then(|p| p.parse().ok())
                })
                .or_else(|| netmask_len(rest));
            let scope = after_ci(rest, "scope ")
                .or_else(|| after_ci(rest, "scope:"))
                .or_else(|| after_ci(rest, "scopeid "))
                .and_then(|r| r.split_whitespace().next())
                .and_then(scope_word)
                .unwrap_or_else(|| derived_scope(addr));
            f.addrs.push(OwnAddr {
                interface: iface.clone(),
                addr,
                prefix_len,
                scope,
                source: AddrSource::IpAddr,
                line: l.no,
            });
            if t.contains("netmask")
                || t.contains("Mask:")
                || t.contains("prefixlen")
                || t.contains("addr:")
            {
                if let Some(a) = f.addrs.last_mut() {
                    a.source = AddrSource::Ifconfig;
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if indented
            && [
                "link/",
                "valid_lft",
                "ether ",
                "RX ",
                "TX ",
                "UP ",
                "collisions",
                "loop ",
                "media:",
                "status:",
                "nd6 ",
                "options=",
                "inet6 addr",
                "Interrupt",
                "groups:",
                "unspec ",
                "altname ",
                "hwaddr ",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        {
            f.understood_lines += 1;
            continue;
        }
        // `ip route` / `ip -6 route`: only a default route's device says
        // where the Internet (and so Cloudflare) arrives; the other routes
        // are read and pass.
        if let Some(route) = route_line(&words) {
            let dev = match route {
                Route::Default(dev) => {
                    // `default proto static metric 50` spreads over the
                    // indented `nexthop via … dev eth1` lines below it.
                    multipath_default = dev.is_none();
                    dev
                }
                Route::Nexthop(dev) if multipath_default => dev,
                Route::Nexthop(_) | Route::Other => {
                    multipath_default = false;
                    None
                }
            };
            if let Some(dev) = dev {
                if !f.default_routes.iter().any(|d| d == dev) {
                    f.default_routes.push(dev.to_string());
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if let Some(missing) = ipv6_sysctl_error(t) {
            // No `disable_ipv6` key at all: the kernel runs without IPv6
            // (`ipv6.disable=1`), which disables it everywhere.
            if let Some(scope) = missing {
                f.ipv6_sysctl.push(Ipv6Sysctl {
                    scope,
                    disabled: true,
                    line: l.no,
                });
            }
            f.understood_lines += 1;
            continue;
        }
        // `ip -br a`: `eth0  UP  203.0.113.10/24 2001:db8::10/64 fe80::1/64`
        if words.len() >= 2
            && matches!(
                words.get(1).copied(),
                Some(
                    "UP" | "DOWN"
                        | "UNKNOWN"
                        | "LOWERLAYERDOWN"
                        | "DORMANT"
                        | "NOTPRESENT"
                        | "TESTING"
                )
            )
        {
            let name = first.split('@').next().unwrap_or(first).to_string();
            for w in words.iter().skip(2) {
                let (a, p) = w.split_once('/').unwrap_or((w, ""));
                if let Some(addr) = parse_ip(a) {
                    f.addrs.push(OwnAddr {
                        interface: Some(name.clone()),
                        addr,
                        prefix_len: p.parse().ok(),
                        scope: derived_scope(addr),
                        source: AddrSource::IpBrief,
                        line: l.no,
                    });
                }
            }
            f.understood_lines += 1;
            continue;
        }
        // `hostname -I`: only addresses, space separated.
        if words.iter().all(|w| parse_ip(w).is_some()) && (words.len() > 1 || hostname_i) && !echo {
            for w in &words {
                if let Some(addr) = parse_ip(w) {
                    f.addrs.push(OwnAddr {
                        interface: None,
                        addr,
                        prefix_len: None,
                        scope: derived_scope(addr),
                        source: AddrSource::HostnameI,
                        line: l.no,
                    });
                }
            }
            f.understood_lines += 1;
            continue;
        }
        // The echo service could not be reached (`curl: (6) Could not
        // resolve host`): no address, and nothing wrong with the reading.
        if echo && t.starts_with("curl: (") {
            f.understood_lines += 1;
            echo = false;
            continue;
        }
        // `curl ifconfig.me`: one address, possibly glued to the next prompt.
        if echo && masked_ipv4(t) {
            f.masked_echo.push((t.to_string(), l.no));
            f.understood_lines += 1;
            echo = false;
            continue;
        }
        if echo {
            if let Some(addr) = leading_ip(t) {
                f.addrs.push(OwnAddr {
                    interface: None,
                    addr,
                    prefix_len: None,
                    scope: Scope::Global,
                    source: AddrSource::PublicEcho,
                    line: l.no,
                });
                f.understood_lines += 1;
                echo = false;
                continue;
            }
        }
        if f.addrs.len() == before {
            f.not_understood
                .push(NotUnderstood::new(*l, "not an interface address line"));
        }
    }
    f
}

/// What one `ip route` line says about where the Internet arrives.
enum Route<'a> {
    /// `default via … dev eth0`, `default dev wg0`; no device for a
    /// multipath default, whose devices follow on `nexthop` lines.
    Default(Option<&'a str>),
    /// `nexthop via 198.51.100.1 dev eth1 weight 1` (indented).
    Nexthop(Option<&'a str>),
    Other,
}

/// Route types `ip route` prints before the destination.
const ROUTE_TYPES: [&str; 10] = [
    "unicast",
    "local",
    "broadcast",
    "multicast",
    "anycast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "nat",
];

/// Words `ip route` prints after a destination.
const ROUTE_KEYS: [&str; 14] = [
    "via", "dev", "proto", "scope", "src", "metric", "table", "error", "pref", "expires", "mtu",
    "nexthop", "onlink", "linkdown",
];

/// An `ip route` line: `[TYPE] DEST [KEY VALUE]…`, or a multipath
/// route's `nexthop` line.
fn route_line<'a>(words: &[&'a str]) -> Option<Route<'a>> {
    let dev = || {
        words
            .iter()
            .position(|w| *w == "dev")
            .and_then(|i| words.get(i + 1))
            .copied()
    };
    if words.first() == Some(&"nexthop") {
        return Some(Route::Nexthop(dev()));
    }
    let (typed, rest) = match words.split_first() {
        Some((t, rest)) if ROUTE_TYPES.contains(t) => (*t != "unicast", rest),
        _ => (false, words),
    };
    let dest = *rest.first()?;
    let is_dest = dest == "default"
        || parse_ip(dest.split_once('/').map_or(dest, |(a, _)| a)).is_some()
            && dest
                .split_once('/')
                .is_none_or(|(_, p)| p.parse::<u8>().is_ok_and(|p| p <= 128));
    // A destination alone is a route only after a type (`blackhole
    // 10.66.0.0/16`); a bare address is `hostname -I` or an echo service.
    let keyed = match rest.get(1) {
        Some(k) => ROUTE_KEYS.contains(k),
        None => typed,
    };
    if !is_dest || !keyed {
        return None;
    }
    Some(if dest == "default" && !typed {
        Route::Default(dev())
    } else {
        Route::Other
    })
}

/// A `sysctl` complaint about an IPv6 key: `Some(Some(scope))` when the
/// key does not exist (`cannot stat /proc/sys/net/ipv6/conf/all/disable_ipv6:
/// No such file or directory`, old procps' `error: "net.ipv6.conf.all.
/// disable_ipv6" is an unknown key`), `Some(None)` for other errors about
/// it (`Permission denied`).
fn ipv6_sysctl_error(t: &str) -> Option<Option<String>> {
    let rest = t
        .strip_prefix("sysctl: ")
        .or_else(|| t.strip_prefix("error: "))?;
    let key = rest
        .split(['/', '.', '"', '\'', ' ', ':'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>();
    let ipv6 = key.windows(2).any(|w| w == ["net", "ipv6"]);
    if !ipv6 {
        return None;
    }
    let missing =
        rest.ends_with("No such file or directory") || rest.ends_with("is an unknown key");
    let scope = key
        .windows(3)
        .find(|w| w[0] == "conf" && w[2] == "disable_ipv6")
        .map(|w| w[1].to_string());
    Some(scope.filter(|_| missing))
}

/// `netmask 255.255.255.0`, `Mask:255.255.255.0`, BSD `netmask 0xffffff00`.
fn netmask_len(rest: &str) -> Option<u8> {
    let m = after_ci(rest, "netmask ").or_else(|| after_ci(rest, "mask:"))?;
    let m = m.split_whitespace().next()?;
    let v = if let Some(hex) = m.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        u32::from(m.parse::<Ipv4Addr>().ok()?)
    };
    let n = v.leading_ones();
    (v.checked_shl(n).unwrap_or(0) == 0)
        .then(|| u8::try_from(n).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str, c: Option<&str>) -> AddrFacts {
        parse(s, &lines(s), c)
    }

    #[test]
    fn ip_addr_shape() {
        let f = p("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0\n       valid_lft forever preferred_lft forever\n    inet6 fe80::5054:ff:fe12:3456/64 scope link \n", None);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.addrs.len(), 2);
        assert_eq!(
            (
                f.addrs[0].interface.as_deref(),
                f.addrs[0].prefix_len,
                f.addrs[0].scope
            ),
            (Some("eth0"), Some(24), Scope::Global)
        );
        assert_eq!(f.addrs[1].scope, Scope::Link);
    }

    #[test]
    fn bsd_ifconfig_hex_mask() {
        let f = p("em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n\tinet 198.51.100.7 netmask 0xffffff00 broadcast 198.51.100.255\n\tinet6 fe80::1%em0 prefixlen 64 scopeid 0x1\n", None);
        assert_eq!(f.addrs[0].prefix_len, Some(24));
        assert_eq!(f.addrs[1].scope, Scope::Link);
        assert_eq!(f.addrs[1].interface.as_deref(), Some("em0"));
    }

    #[test]
    fn echo_needs_hint() {
        assert!(p("203.0.113.10\n", None).addrs.is_empty());
        let f = p("203.0.113.10\n", Some("curl -4 icanhazip.com"));
        assert_eq!(f.addrs[0].source, AddrSource::PublicEcho);
        let f = p("$ curl ifconfig.me\n203.0.113.10root@web:~#\n", None);
        assert_eq!(f.addrs[0].addr, "203.0.113.10".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_masked_echo_answer_is_kept_as_text() {
        let f = p("$ curl -s -4 ifconfig.me\n47.236.*.180\n", None);
        assert!(f.addrs.is_empty());
        assert_eq!(f.masked_echo, vec![("47.236.*.180".to_string(), 2)]);
        // Without the echo command a masked address is nobody's.
        assert!(p("47.236.*.180\n", None).masked_echo.is_empty());
    }

    #[test]
    fn hostname_i() {
        let f = p("203.0.113.10 10.0.0.5 2001:db8::10 \n", None);
        assert_eq!(f.addrs.len(), 3);
        assert_eq!(f.addrs[2].source, AddrSource::HostnameI);
    }

    #[test]
    fn every_ip_route_shape_reads_and_only_default_routes_count() {
        let text = "$ ip route\ndefault via 203.0.113.1 dev eth0 proto dhcp src 203.0.113.10 metric 100 \n10.9.0.0/24 dev wg0 proto kernel scope link src 10.9.0.1 \n169.254.169.254 via 203.0.113.1 dev eth0 proto dhcp src 203.0.113.10 metric 100 \n172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown \nblackhole 10.66.0.0/16 \nunreachable 10.67.0.0/16 \nprohibit 10.68.0.0/16 \ndefault proto static metric 50 \n\tnexthop via 198.51.100.1 dev eth1 weight 1 \n\tnexthop via 198.51.100.2 dev eth2 weight 1 \n$ ip -6 route\n::1 dev lo proto kernel metric 256 pref medium\n2001:db8::/64 dev eth0 proto ra metric 100 expires 86391sec pref medium\nunreachable ::/96 dev lo metric 1024 error -113 pref medium\ndefault via fe80::1 dev eth0 proto ra metric 1024 expires 1790sec hoplimit 64 pref medium\ndefault dev wg0 metric 1024 pref medium\n";
        let f = p(text, None);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.default_routes, ["eth0", "eth1", "eth2", "wg0"]);
        // Routes name gateways and sources, never the server's addresses.
        assert!(f.addrs.is_empty(), "{:?}", f.addrs);
        // A bare address is still no route (hostname -I, echo services).
        assert_eq!(p("203.0.113.10 10.0.0.5\n", None).addrs.len(), 2);
        assert!(p("unreachable\n", None).not_understood.len() == 1);
    }

    #[test]
    fn a_kernel_without_ipv6_has_no_disable_ipv6_key() {
        // procps-ng, then old procps; both mean the IPv6 stack is not loaded.
        let f = p("$ sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6\nsysctl: cannot stat /proc/sys/net/ipv6/conf/all/disable_ipv6: No such file or directory\nsysctl: cannot stat /proc/sys/net/ipv6/conf/default/disable_ipv6: No such file or directory\n", None);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let got: Vec<_> = f
            .ipv6_sysctl
            .iter()
            .map(|x| (x.scope.as_str(), x.disabled, x.line))
            .collect();
        assert_eq!(got, [("all", true, 2), ("default", true, 3)]);
        let f = p(
            "error: \"net.ipv6.conf.all.disable_ipv6\" is an unknown key\n",
            None,
        );
        assert_eq!(
            f.ipv6_sysctl
                .first()
                .map(|x| (x.scope.as_str(), x.disabled)),
            Some(("all", true))
        );
        // Denied is no answer either way; another key's error is not ours.
        let f = p(
            "sysctl: cannot stat /proc/sys/net/ipv6/conf/all/disable_ipv6: Permission denied\n",
            None,
        );
        assert!(f.ipv6_sysctl.is_empty() && f.not_understood.is_empty());
        let f = p(
            "sysctl: cannot stat /proc/sys/net/ipv4/ip_forward: No such file or directory\n",
            None,
        );
        assert_eq!(f.not_understood.len(), 1);
    }
}
