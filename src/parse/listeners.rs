//! Listening sockets and connection states from `ss` (any of -tlnp,
//! -tulpen, -ltn, -tan; with or without the Netid column), Linux `netstat`
//! (-tlnp, -plant, -tulpn), BSD/macOS `netstat -an`, Windows `netstat -ano`
//! and `lsof -i -P -n`.
//!
//! Guarantees: one fact per listening row; connection rows are counted by
//! state; every non-blank line is understood or reported. Whether a `[::]`
//! socket also accepts IPv4 is recorded only when the tool shows it
//! (`dual_stack`). Linear time, no panics.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use super::textscan::{between, command_of, parse_ip, split_host_port, SockHost};
use crate::text::{Line, NotUnderstood};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "addr", rename_all = "kebab-case")]
pub enum ListenAddr {
    /// 0.0.0.0: every IPv4 address.
    Any4,
    /// `[::]` / `:::`: every IPv6 address (and IPv4 too when `dual_stack`).
    Any6,
    /// `*` in ss, lsof (untyped) or BSD `tcp46`: both families.
    AnyBoth,
    Specific(IpAddr),
}

impl ListenAddr {
    /// Only reachable from the host itself (127/8, ::1, ::ffff:127.x).
    pub fn is_loopback(&self) -> bool {
        match self {
            ListenAddr::Specific(IpAddr::V4(a)) => a.is_loopback(),
            ListenAddr::Specific(IpAddr::V6(a)) => {
                a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v| v.is_loopback())
            }
            _ => false,
        }
    }

    /// Whether a connection to `addr` would reach this socket, `dual_stack`
    /// telling whether an IPv6 wildcard also accepts IPv4.
    pub fn accepts(&self, addr: IpAddr, dual_stack: bool) -> bool {
        match (self, addr) {
            (ListenAddr::AnyBoth, _) => true,
            (ListenAddr::Any4, IpAddr::V4(_)) => true,
            (ListenAddr::Any6, IpAddr::V6(_)) => true,
            (ListenAddr::Any6, IpAddr::V4(_)) => dual_stack,
            (ListenAddr::Specific(a), b) => *a == b,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    /// `tcp` or `udp`.
    pub proto: String,
    pub addr: ListenAddr,
    pub loopback: bool,
    pub port: u16,
    /// Some(true): `*` (accepts both); Some(false): ss `[::]` (v6 only);
    /// None: the tool does not say.
    pub dual_stack: Option<bool>,
    pub process: Option<String>,
    pub pid: Option<u32>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListenerFacts {
    pub listeners: Vec<Listener>,
    /// Non-listening TCP rows by state (`ESTABLISHED`, `CLOSE_WAIT`,
    /// `TIME_WAIT`, ...), names normalised to netstat's spelling.
    pub connection_states: BTreeMap<String, usize>,
    /// Same counts per local port, for ports with any connection.
    pub connections_by_port: BTreeMap<u16, BTreeMap<String, usize>>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
    /// The list shows some sockets only: a container table's published
    /// ports, not what the host's own programs listen on.
    pub partial: bool,
}

impl ListenerFacts {
    pub fn on_port(&self, port: u16) -> impl Iterator<Item = &Listener> {
        self.listeners
            .iter()
            .filter(move |l| l.port == port && l.proto == "tcp")
    }
}

/// Socket states in every tool's spelling, normalised to netstat's.
const STATES: [(&str, &str); 16] = [
    ("LISTEN", "LISTEN"),
    ("LISTENING", "LISTEN"),
    ("UNCONN", "UNCONN"),
    ("ESTAB", "ESTABLISHED"),
    ("ESTABLISHED", "ESTABLISHED"),
    ("TIME_WAIT", "TIME_WAIT"),
    ("CLOSE_WAIT", "CLOSE_WAIT"),
    ("SYN_SENT", "SYN_SENT"),
    ("SYN_RECV", "SYN_RECV"),
    ("SYN_RCVD", "SYN_RECV"),
    ("FIN_WAIT_1", "FIN_WAIT_1"),
    ("FIN_WAIT1", "FIN_WAIT_1"),
    ("FIN_WAIT_2", "FIN_WAIT_2"),
    ("FIN_WAIT2", "FIN_WAIT_2"),
    ("LAST_ACK", "LAST_ACK"),
    ("CLOSING", "CLOSING"),
];

fn norm_state(s: &str) -> Option<String> {
    let t = s.trim_matches(|c| c == '(' || c == ')');
    // Cheap reject: states are words of capitals, '-' and '_' (any case on BSD).
    if !t.starts_with(|c: char| c.is_ascii_alphabetic()) || t.len() > 12 {
        return None;
    }
    let u = t.to_ascii_uppercase().replace('-', "_");
    STATES
        .iter()
        .find(|(k, _)| *k == u)
        .map(|(_, v)| v.to_string())
        .or_else(|| matches!(u.as_str(), "CLOSED" | "CLOSE" | "BOUND" | "IDLE").then_some(u))
}

/// Service names ss/lsof print without `-n`/`-P`.
fn host_port(text: &str) -> Option<(SockHost, Option<u16>)> {
    if let Some(hp) = split_host_port(text) {
        return Some(hp);
    }
    let (h, p) = text.rsplit_once(':').or_else(|| text.rsplit_once('.'))?;
    let port = crate::net::service_port(p)?;
    if h == "*" {
        return Some((SockHost::Star, Some(port)));
    }
    Some((SockHost::Addr(parse_ip(h)?), Some(port)))
}

/// Confidence (0-100) that `lines` are ss/netstat/lsof output.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        let first = t.split_whitespace().next().unwrap_or("");
        if t.starts_with("Netid")
            || (t.starts_with("State") && t.contains("Recv-Q"))
            || (t.starts_with("Proto") && t.contains("Local Address"))
            || t.starts_with("Active Internet connections")
            || (t.starts_with("COMMAND") && t.contains("NODE NAME"))
        {
            score += 50;
        } else if let Some(c) = command_of(t) {
            let c = c.trim_start_matches("sudo ");
            if ["ss ", "netstat", "lsof -i", "lsof -n", "lsof -P"]
                .iter()
                .any(|p| c.starts_with(p))
                && !c.starts_with("ss -s")
            {
                score += 40;
            }
        } else if (proto_of(first).is_some() || norm_state(first).is_some())
            && t.split_whitespace().any(|w| host_port(w).is_some())
        {
            score += 20;
        } else if t.contains("(LISTEN)") {
            score += 25;
        }
    }
    score.min(100) as u8
}

/// `tcp`, `tcp6`, `tcp4`, `tcp46`, `udp...`, Windows `TCP`/`UDP`. Returns
/// the protocol and the family hint (4, 6, 46 or 0 for none).
fn proto_of(tok: &str) -> Option<(&'static str, u8)> {
    let l = tok.to_ascii_lowercase();
    let (proto, rest) = if let Some(r) = l.strip_prefix("tcp") {
        ("tcp", r)
    } else if let Some(r) = l.strip_prefix("udp") {
        ("udp", r)
    } else {
        return None;
    };
    let fam = match rest {
        "" => 0,
        "4" => 4,
        "6" => 6,
        "46" => 46,
        _ => return None,
    };
    Some((proto, fam))
}

fn is_other_socket(tok: &str) -> bool {
    matches!(
        tok,
        "unix"
            | "u_str"
            | "u_dgr"
            | "u_seq"
            | "nl"
            | "p_raw"
            | "p_dgr"
            | "raw"
            | "raw6"
            | "icmp6"
            | "icmp"
            | "mptcp"
            | "sctp"
            | "tipc"
            | "v_str"
            | "v_dgr"
            | "xdp"
    )
}

fn is_header(t: &str) -> bool {
    t.starts_with("Netid")
        || (t.starts_with("State") && t.contains("Recv-Q"))
        || t.starts_with("Proto")
        || t.starts_with("Active Internet")
        || t.starts_with("Active UNIX")
        || t.starts_with("Active Connections")
        || (t.starts_with("COMMAND") && t.contains("PID"))
        || t.starts_with("(Not all processes")
        || t.starts_with("will not be shown")
        || t.starts_with("(No info could be read")
        // sudo asking for the password before the tool's output.
        || t.starts_with("[sudo] password for ")
}

pub fn parse(_input: &str, lines: &[Line<'_>]) -> ListenerFacts {
    let mut f = ListenerFacts::default();
    let mut in_unix = false;
    let mut cmd_udp = false;
    for l in lines {
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(c) = command_of(l.text) {
            cmd_udp = c.contains(" -u") && !c.contains('t');
            f.understood_lines += 1;
            in_unix = false;
            continue;
        }
        if is_header(t) {
            in_unix = t.starts_with("Active UNIX");
            if t.starts_with("Active Internet") {
                in_unix = false;
            }
            f.understood_lines += 1;
            continue;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        let first = toks.first().copied().unwrap_or("");
        if in_unix || is_other_socket(first) || first.starts_with("unix") {
            f.understood_lines += 1;
            continue;
        }
        // A row wrapped by a narrow terminal: the process column alone.
        if first.starts_with("users:((") || first.starts_with("uid:") || first.starts_with("ino:") {
            if let Some(last) = f.listeners.last_mut().filter(|x| x.process.is_none()) {
                let (process, pid) = process_of(t, &toks);
                last.process = process;
                last.pid = pid;
            }
            f.understood_lines += 1;
            continue;
        }
        let ok = if toks.iter().any(|w| *w == "IPv4" || *w == "IPv6")
            && toks.iter().any(|w| *w == "TCP" || *w == "UDP")
        {
            lsof_row(&mut f, &toks, l.no)
        } else {
            table_row(&mut f, t, &toks, l.no, cmd_udp)
        };
        if ok {
            f.understood_lines += 1;
        } else {
            f.not_understood
                .push(NotUnderstood::new(*l, "socket row not readable"));
        }
    }
    f
}

fn count(f: &mut ListenerFacts, state: String, port: Option<u16>) {
    if let Some(p) = port {
        let e = f.connections_by_port.entry(p).or_default();
        *e.entry(state.clone()).or_insert(0) += 1;
    }
    *f.connection_states.entry(state).or_insert(0) += 1;
}

fn to_addr(host: SockHost, fam: u8, star_both: bool) -> (ListenAddr, Option<bool>) {
    match host {
        SockHost::Star => match fam {
            4 => (ListenAddr::Any4, Some(false)),
            6 => (ListenAddr::Any6, None),
            _ if star_both => (ListenAddr::AnyBoth, Some(true)),
            _ => (ListenAddr::AnyBoth, Some(true)),
        },
        SockHost::Addr(a) if a.is_unspecified() => match a {
            IpAddr::V4(_) => (ListenAddr::Any4, Some(false)),
            IpAddr::V6(_) => (ListenAddr::Any6, None),
        },
        SockHost::Addr(a) => (ListenAddr::Specific(a), None),
    }
}

/// ss, Linux/BSD/Windows netstat rows.
fn table_row(f: &mut ListenerFacts, t: &str, toks: &[&str], line: usize, cmd_udp: bool) -> bool {
    let first = toks.first().copied().unwrap_or("");
    let proto = proto_of(first);
    let state_tok = toks.iter().find_map(|w| norm_state(w));
    // Local and peer: the first two tokens that read as host:port.
    let mut addrs = toks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| host_port(w).map(|hp| (i, hp)));
    let Some((local_idx, (host, port))) = addrs.next() else {
        return false;
    };
    let peer = addrs.next();
    if proto.is_none() && state_tok.is_none() {
        return false;
    }
    let (proto_name, fam) = match proto {
        Some(p) => p,
        None if state_tok.as_deref() == Some("UNCONN") || cmd_udp => ("udp", 0),
        None => ("tcp", 0),
    };
    let is_ss = proto.is_none()
        || matches!(toks.get(1).copied(), Some(s) if norm_state(s).is_some() && first.len() <= 4 && !first.ends_with('6'));
    let state = state_tok.unwrap_or_default();
    let listening = state == "LISTEN"
        || state == "UNCONN"
        || (proto_name == "udp"
            && peer.is_some_and(|(_, (h, p))| {
                p.is_none_or(|p| p == 0) && matches!(h, SockHost::Star | SockHost::Addr(_))
            })
            && state.is_empty());
    let Some(port) = port else { return false };
    if !listening {
        if proto_name == "tcp" && !state.is_empty() {
            count(f, state, Some(port));
        }
        return true;
    }
    let (addr, mut dual) = to_addr(host, fam, true);
    // ss prints `[::]` only for IPV6_V6ONLY sockets and `*` for dual-stack ones.
    if is_ss && addr == ListenAddr::Any6 && toks.get(local_idx).is_some_and(|w| w.starts_with('['))
    {
        dual = Some(false);
    }
    if fam == 46 {
        dual = Some(true);
    }
    let (process, pid) = process_of(t, toks);
    let loopback = addr.is_loopback();
    f.listeners.push(Listener {
        proto: proto_name.to_string(),
        addr,
        loopback,
        port,
        dual_stack: dual,
        process,
        pid,
        line,
    });
    true
}

/// `users:(("nginx",pid=1234,fd=6),...)` (ss), `1234/nginx: master` (netstat -p),
/// a bare PID (Windows -ano).
fn process_of(t: &str, toks: &[&str]) -> (Option<String>, Option<u32>) {
    if let Some(u) = t.split_once("users:((").map(|(_, r)| r) {
        let name = between(u, "\"", "\"").map(str::to_string);
        let pid = u
            .split_once("pid=")
            .and_then(|(_, r)| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok());
        return (name, pid);
    }
    for w in toks.iter().rev() {
        if let Some((pid, name)) = w.split_once('/') {
            if let Ok(pid) = pid.parse::<u32>() {
                let name = name.trim_end_matches(':');
                return ((!name.is_empty()).then(|| name.to_string()), Some(pid));
            }
        }
    }
    if toks.first().is_some_and(|p| *p == "TCP" || *p == "UDP") {
        if let Some(pid) = toks.last().and_then(|p| p.parse().ok()) {
            return (None, Some(pid));
        }
    }
    (None, None)
}

/// lsof without `-n` prints host names: `localhost:https` is loopback; of
/// another name only the port is known (enough to count a connection).
fn named_host_port(text: &str, fam: u8) -> Option<(Option<SockHost>, u16)> {
    let (h, p) = text.rsplit_once(':')?;
    let port = p.parse().ok().or_else(|| crate::net::service_port(p))?;
    let loopback = match (h, fam) {
        ("localhost" | "localhost.localdomain", 4) => IpAddr::from([127, 0, 0, 1]),
        ("localhost" | "ip6-localhost" | "localhost6", 6) => {
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        }
        _ => return Some((None, port)),
    };
    Some((Some(SockHost::Addr(loopback)), port))
}

/// `nginx 1234 root 6u IPv4 0x1 0t0 TCP *:80 (LISTEN)`.
fn lsof_row(f: &mut ListenerFacts, toks: &[&str], line: usize) -> bool {
    let Some(pi) = toks.iter().position(|w| *w == "TCP" || *w == "UDP") else {
        return false;
    };
    let fam = if toks.contains(&"IPv6") { 6 } else { 4 };
    let Some(name) = toks.get(pi + 1) else {
        return false;
    };
    let state = toks.get(pi + 2).and_then(|s| norm_state(s));
    let proto = if toks.get(pi) == Some(&"TCP") {
        "tcp"
    } else {
        "udp"
    };
    let local = name.split_once("->").map_or(*name, |(a, _)| a);
    let parsed = match host_port(local) {
        Some((host, Some(port))) => Some((Some(host), port)),
        _ => named_host_port(local, fam),
    };
    let Some((host, port)) = parsed else {
        return false;
    };
    let listening = state.as_deref() == Some("LISTEN") || (proto == "udp" && !name.contains("->"));
    if !listening {
        if let Some(s) = state {
            count(f, s, Some(port));
        }
        return true;
    }
    // A listening socket on a host name other than localhost: its address
    // is not shown.
    let Some(host) = host else {
        return false;
    };
    let (addr, dual) = to_addr(host, fam, false);
    let process = toks.first().map(|s| s.to_string());
    let pid = toks.get(1).and_then(|p| p.parse().ok());
    let loopback = addr.is_loopback();
    f.listeners.push(Listener {
        proto: proto.into(),
        addr,
        loopback,
        port,
        dual_stack: dual,
        process,
        pid,
        line,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str) -> ListenerFacts {
        parse(s, &lines(s))
    }

    #[test]
    fn ss_without_netid() {
        let f = p("State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\nLISTEN 0      511          0.0.0.0:80        0.0.0.0:*     users:((\"nginx\",pid=1234,fd=6),(\"nginx\",pid=1233,fd=6))\nLISTEN 0      511             [::]:80           [::]:*\nLISTEN 0      511                *:443             *:*\nLISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let l = &f.listeners;
        assert_eq!(
            (l[0].addr, l[0].port, l[0].process.as_deref(), l[0].pid),
            (ListenAddr::Any4, 80, Some("nginx"), Some(1234))
        );
        assert_eq!(
            (l[1].addr, l[1].dual_stack),
            (ListenAddr::Any6, Some(false))
        );
        assert_eq!((l[2].addr, l[2].port), (ListenAddr::AnyBoth, 443));
        assert!(l[3].loopback);
    }

    #[test]
    fn netstat_linux_and_bsd() {
        let f = p("tcp6       0      0 :::443                  :::*                    LISTEN      123/nginx: master\ntcp4       0      0  *.80                   *.*                    LISTEN\ntcp46      0      0  *.8080                 *.*                    LISTEN\ntcp        0      0 10.0.0.5:443            203.0.113.9:51234       CLOSE_WAIT  123/nginx: worker\n");
        let l = &f.listeners;
        assert_eq!(
            (l[0].addr, l[0].port, l[0].pid, l[0].process.as_deref()),
            (ListenAddr::Any6, 443, Some(123), Some("nginx"))
        );
        assert_eq!(l[1].addr, ListenAddr::Any4);
        assert_eq!(l[2].addr, ListenAddr::AnyBoth);
        assert_eq!(f.connection_states.get("CLOSE_WAIT"), Some(&1));
        assert_eq!(
            f.connections_by_port
                .get(&443)
                .and_then(|m| m.get("CLOSE_WAIT")),
            Some(&1)
        );
    }

    #[test]
    fn lsof_rows_with_host_and_service_names() {
        let f = p("COMMAND   PID       USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\ntor     24139 debian-tor   14u  IPv4  41832      0t0  TCP ip-10-0-0-5.ap-northeast-1.compute.internal:38439->example.net:https (ESTABLISHED)\nnginx   27584       root    6u  IPv4  43582      0t0  TCP localhost:https (LISTEN)\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let l: Vec<_> = f.listeners.iter().map(|l| (l.port, l.loopback)).collect();
        assert_eq!(l, vec![(443, true)]);
        assert_eq!(f.connection_states.get("ESTABLISHED"), Some(&1));
    }

    #[test]
    fn lsof_rows() {
        let f = p("COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nnginx   1234 root    6u  IPv4  12345      0t0  TCP *:80 (LISTEN)\nnode     99 app   20u  IPv4 0xabc      0t0  TCP 127.0.0.1:3000 (LISTEN)\nnginx   1235 www    7u  IPv6  12346      0t0  TCP *:https (LISTEN)\n");
        let l = &f.listeners;
        assert_eq!((l[0].addr, l[0].port), (ListenAddr::Any4, 80));
        assert!(l[1].loopback);
        assert_eq!((l[2].addr, l[2].port), (ListenAddr::Any6, 443));
    }

    #[test]
    fn mapped_loopback_and_garbage() {
        let f = p("tcp LISTEN 0 128 [::ffff:127.0.0.1]:80 *:*\nLISTEN zero zero nothing here\n");
        assert!(f.listeners[0].loopback);
        assert_eq!(f.not_understood.len(), 1);
    }
}
