//! Connection probes run from outside or on the origin: `curl -v/-I/-i/-sv`,
//! `nc -zv` (OpenBSD, traditional, ncat, macOS), `telnet`, `ping`/`ping6`
//! (Linux, BSD, Windows), `mtr --report` and `openssl s_client`.
//!
//! Guarantees: each connection outcome the tool prints becomes one
//! [`Probe`]; response headers and certificate details are kept with their
//! lines; lines outside any recognised tool are reported. Linear, no panics.

use std::net::IpAddr;

use serde::Serialize;

use super::textscan::{
    after_ci, between, command_of, contains_ci, parse_ip, split_host_port, SockHost,
};
use crate::text::{Line, NotUnderstood};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeTool {
    Curl,
    Nc,
    Telnet,
    Ping,
    Mtr,
    Openssl,
    Wget,
    /// PowerShell `Test-NetConnection -Port`.
    TestNetConnection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProbeResult {
    Connected,
    Refused,
    TimedOut,
    Reset,
    TlsError {
        text: String,
    },
    HttpStatus {
        code: u16,
    },
    /// No route, network unreachable, host unreachable, all pings lost.
    Unreachable,
    DnsFailure,
    /// curl (52): the server closed without answering.
    EmptyReply,
    /// curl (7) "Couldn't connect to server" without a reason.
    ConnectFailed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    pub tool: ProbeTool,
    /// Host name as typed or printed, when known.
    pub host: Option<String>,
    pub addr: Option<IpAddr>,
    pub port: Option<u16>,
    pub result: ProbeResult,
    /// ping/mtr: packet loss in percent.
    pub loss_percent: Option<f64>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpHeader {
    /// Lowercase header name.
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// A `cf-ray` header: proof the response came through Cloudflare, and from
/// which data centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CfRay {
    pub ray: String,
    /// IATA-style colo code (`LHR`), when present.
    pub colo: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TlsFacts {
    /// `TLSv1.3`, when printed.
    pub protocol: Option<String>,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub sans: Vec<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    /// openssl's `Verify return code` (0 = ok), or 0 for curl's "verify ok".
    pub verify_code: Option<u32>,
    pub verify_text: Option<String>,
    /// Line of the first TLS detail seen.
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProbeFacts {
    pub probes: Vec<Probe>,
    pub headers: Vec<HttpHeader>,
    pub cf_rays: Vec<CfRay>,
    /// One entry per TLS session shown (curl -v or s_client).
    pub tls: Vec<TlsFacts>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// Confidence (0-100) that `lines` are output of a probe tool.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        let strong = [
            "* Trying",
            "*   Trying",
            "* Connected to",
            "curl: (",
            "< HTTP/",
            "Connection to ",
            "nc: connect",
            "Ncat:",
            "CONNECTED(",
            "Verify return code",
            "packets transmitted",
            "PING ",
            "Pinging ",
            "HOST: ",
            "Escape character is",
            "telnet:",
            "* connect to",
            "* Failed to connect",
            "* Failed connect to",
            "== Info:",
            "My traceroute",
            "TcpTestSucceeded",
            "Connecting to ",
            "HTTP request sent",
        ];
        let status_line =
            t.starts_with("HTTP/") && t.split_whitespace().nth(1).is_some_and(|c| c.len() == 3);
        if strong.iter().any(|s| t.starts_with(s)) || status_line {
            score += 40;
        } else if let Some(c) = command_of(t) {
            let c = c.trim_start_matches("sudo ");
            if [
                "curl",
                "nc ",
                "ncat",
                "netcat",
                "telnet",
                "ping",
                "mtr",
                "openssl s_client",
                "wget",
                "Test-NetConnection",
                "tnc ",
            ]
            .iter()
            .any(|p| c.starts_with(p))
            {
                score += 40;
            }
        } else if t.starts_with("< ") || t.starts_with("> ") || t.starts_with("* ") {
            score += 10;
        }
    }
    score.min(100) as u8
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    None,
    Curl,
    Nc,
    Telnet,
    Ping,
    Mtr,
    Openssl,
    Wget,
}

struct Target {
    host: Option<String>,
    addr: Option<IpAddr>,
    port: Option<u16>,
}

struct St {
    f: ProbeFacts,
    mode: Mode,
    target: Target,
    /// Inside a response header block (after a status line).
    in_headers: bool,
    /// Inside a response body (after headers): lines are content.
    in_body: bool,
    mtr_last: Option<(String, f64, usize)>,
}

impl St {
    fn probe(&mut self, tool: ProbeTool, result: ProbeResult, line: usize) {
        self.f.probes.push(Probe {
            tool,
            host: self.target.host.clone(),
            addr: self.target.addr,
            port: self.target.port,
            result,
            loss_percent: None,
            line,
        });
    }
    /// The TLS session being described, started on first use.
    fn tls(&mut self, line: usize) -> Option<&mut TlsFacts> {
        if self.f.tls.is_empty() {
            self.f.tls.push(TlsFacts {
                line,
                ..TlsFacts::default()
            });
        }
        self.f.tls.last_mut()
    }
    fn flush_mtr(&mut self) {
        if let Some((host, loss, line)) = self.mtr_last.take() {
            let result = if loss >= 100.0 {
                ProbeResult::Unreachable
            } else {
                ProbeResult::Connected
            };
            self.f.probes.push(Probe {
                tool: ProbeTool::Mtr,
                addr: parse_ip(&host),
                host: Some(host),
                port: None,
                result,
                loss_percent: Some(loss),
                line,
            });
        }
    }
}

/// The reason text of a connect failure.
/// curl before 7.50: `Failed connect to 203.0.113.5:443; Connection refused`.
fn old_connect_target(s: &mut St, after: &str) {
    let target = after.split([';', ' ']).next().unwrap_or("");
    let (host, port) = match target.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|c| c.is_ascii_digit()) => (h, p.parse().ok()),
        _ => (target, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    s.target.host = Some(host.to_string());
    s.target.addr = parse_ip(host);
    s.target.port = port.or(s.target.port);
}

fn reason(text: &str) -> ProbeResult {
    let has = |s: &str| contains_ci(text, s);
    if has("refused") || has("errno=111") {
        ProbeResult::Refused
    } else if has("timed out")
        || has("timeout")
        || has("errno=110")
        || has("operation now in progress")
    {
        ProbeResult::TimedOut
    } else if has("reset by peer") || has("errno=104") {
        ProbeResult::Reset
    } else if has("no route to host")
        || has("network is unreachable")
        || has("host is unreachable")
        || has("unreachable")
    {
        ProbeResult::Unreachable
    } else if has("could not resolve")
        || has("name or service not known")
        || has("unknown host")
        || has("temporary failure in name resolution")
        || has("nodename nor servname")
    {
        ProbeResult::DnsFailure
    } else if has("empty reply") {
        ProbeResult::EmptyReply
    } else if has("ssl")
        || has("tls")
        || has("certificate")
        || has("wrong version number")
        || has("alert")
        || has("handshake")
    {
        ProbeResult::TlsError {
            text: text.trim().to_string(),
        }
    } else {
        ProbeResult::ConnectFailed
    }
}

/// The URL host and port of a curl command (`https://example.com:8443/x`).
fn url_target(cmd: &str) -> Option<Target> {
    let mut out = None;
    for w in cmd.split_whitespace().skip(1) {
        let w = w.trim_matches(|c| c == '"' || c == '\'');
        if w.starts_with('-') {
            continue;
        }
        let (scheme, rest) = match w.split_once("://") {
            Some((s, r)) => (s, r),
            None => ("http", w),
        };
        let hostport = rest.split(['/', '?', '#']).next().unwrap_or("");
        if hostport.is_empty()
            || !(hostport.contains('.') || hostport.contains(':') || hostport == "localhost")
        {
            continue;
        }
        let default = if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        };
        let (host, port) = match split_host_port(hostport) {
            Some((SockHost::Addr(a), p)) => (a.to_string(), p.unwrap_or(default)),
            _ => match hostport.rsplit_once(':') {
                Some((h, p)) if p.parse::<u16>().is_ok() => {
                    (h.to_string(), p.parse().unwrap_or(default))
                }
                _ => (
                    hostport.trim_matches(|c| c == '[' || c == ']').to_string(),
                    default,
                ),
            },
        };
        out = Some(Target {
            addr: parse_ip(&host),
            host: Some(host),
            port: Some(port),
        });
    }
    out
}

/// `nc -zv host 443`, `telnet host 80`, `openssl s_client -connect host:443`,
/// `ping host`: host and port arguments.
fn args_target(cmd: &str) -> Target {
    let words: Vec<&str> = cmd.split_whitespace().filter(|w| *w != "sudo").collect();
    let mut host = None;
    let mut port = None;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        if *w == "-connect" {
            if let Some(hp) = words.get(i + 1) {
                match hp.rsplit_once(':') {
                    Some((h, p)) => {
                        host = Some(h.trim_matches(|c| c == '[' || c == ']').to_string());
                        port = p.parse().ok();
                    }
                    None => host = Some(hp.to_string()),
                }
            }
            i += 2;
            continue;
        }
        if *w == "-servername" || *w == "-w" || *w == "-c" || *w == "-W" || *w == "-i" || *w == "-s"
        {
            i += 2;
            continue;
        }
        if !w.starts_with('-') {
            if host.is_none() {
                host = Some(w.to_string());
            } else if port.is_none() {
                port = w.parse().ok();
            }
        }
        i += 1;
    }
    Target {
        addr: host.as_deref().and_then(parse_ip),
        host,
        port,
    }
}

pub fn parse(input: &str, lines: &[Line<'_>]) -> ProbeFacts {
    parse_with(input, lines, None)
}

/// Parse the output of `command` (the command line above the block, whose
/// target the output's lines may not repeat: `openssl s_client -connect
/// host:443` then `connect:errno=111`).
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> ProbeFacts {
    let mut s = St {
        f: ProbeFacts::default(),
        mode: Mode::None,
        target: Target {
            host: None,
            addr: None,
            port: None,
        },
        in_headers: false,
        in_body: false,
        mtr_last: None,
    };
    if let Some(cmd) = command {
        start_command(&mut s, cmd);
    }
    for l in lines {
        let raw = l.text;
        let t = raw.trim();
        if t.is_empty() {
            if s.in_headers {
                s.in_headers = false;
                s.in_body = true;
            }
            if s.mode == Mode::Mtr {
                s.flush_mtr();
            }
            continue;
        }
        if let Some(cmd) = command_of(raw) {
            start_command(&mut s, cmd);
            s.f.understood_lines += 1;
            continue;
        }
        if line(&mut s, raw, t, l.no) {
            s.f.understood_lines += 1;
        } else if s.in_body || s.mode == Mode::Openssl {
            // Response bodies and certificate dumps are content, not evidence.
            s.f.understood_lines += 1;
        } else {
            s.f.not_understood
                .push(NotUnderstood::new(*l, "not a probe tool line"));
        }
    }
    s.flush_mtr();
    s.f
}

/// A probe command line: its tool and target, for the lines after it.
fn start_command(s: &mut St, cmd: &str) {
    s.flush_mtr();
    let c = cmd.trim_start_matches("sudo ").trim();
    let tool = c.split_whitespace().next().unwrap_or("");
    s.in_headers = false;
    s.in_body = false;
    s.mode = match tool {
        "curl" => Mode::Curl,
        "wget" => Mode::Wget,
        "nc" | "ncat" | "netcat" => Mode::Nc,
        "telnet" => Mode::Telnet,
        "ping" | "ping6" => Mode::Ping,
        "mtr" => Mode::Mtr,
        "openssl" => Mode::Openssl,
        _ => Mode::None,
    };
    s.target = match s.mode {
        Mode::Curl | Mode::Wget => url_target(c).unwrap_or(Target {
            host: None,
            addr: None,
            port: None,
        }),
        _ => args_target(c),
    };
}

/// Handle one line; false when nothing matched.
fn line(s: &mut St, raw: &str, t: &str, no: usize) -> bool {
    // long: one arm per probe tool (curl, nc, openssl, telnet, ping, ...); issue 15 item 5 turns
    // it into a table of per-tool readers.
    // curl's progress meter: its two header lines, and a last row with the
    // error glued on (`... --:--:--     0curl: (7) Failed to connect ...`).
    if t.starts_with("% Total") || (t.starts_with("Dload") && t.contains("Upload")) {
        return true;
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains("--:--:--") {
        return match t.find("curl: (") {
            Some(at) => line(s, raw, t.get(at..).unwrap_or(""), no),
            None => true,
        };
    }
    // ---- curl verbose ----
    // `== Info: ` is the same line in `--trace-ascii` output.
    if let Some(rest) = t
        .strip_prefix("* ")
        .or_else(|| t.strip_prefix("*\t"))
        .or_else(|| t.strip_prefix("== Info:"))
        .or_else(|| (t == "*").then_some(""))
    {
        s.mode = Mode::Curl;
        return curl_info(s, rest.trim(), no);
    }
    if let Some(rest) = t.strip_prefix("< ").or_else(|| (t == "<").then_some("")) {
        s.mode = Mode::Curl;
        let rest = rest.trim();
        if rest.is_empty() {
            s.in_headers = false;
            s.in_body = true;
            return true;
        }
        return response_line(s, rest, no);
    }
    if t.starts_with("> ") || t == ">" || t.starts_with("{ [") || t.starts_with("} [") {
        return true;
    }
    if let Some(rest) = t.strip_prefix("curl: (") {
        let (code, msg) = rest.split_once(')').unwrap_or(("", rest));
        let msg = msg.trim();
        if let Some(after) = after_ci(msg, "Failed to connect to ") {
            let host = after.split_whitespace().next().unwrap_or("");
            s.target.host = Some(host.to_string());
            s.target.addr = parse_ip(host);
            if let Some(p) = after_ci(after, " port ")
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            {
                s.target.port = p.parse().ok();
            }
        } else if let Some(after) = after_ci(msg, "Failed connect to ") {
            old_connect_target(s, after);
        }
        let tail = msg.rsplit_once(": ").map_or(msg, |(_, r)| r);
        let result = match code {
            "6" => ProbeResult::DnsFailure,
            "28" => ProbeResult::TimedOut,
            "52" => ProbeResult::EmptyReply,
            "56" if contains_ci(msg, "reset") => ProbeResult::Reset,
            "35" | "58" | "59" | "60" | "77" | "80" | "83" | "90" | "91" => ProbeResult::TlsError {
                text: msg.to_string(),
            },
            _ => reason(tail),
        };
        s.probe(ProbeTool::Curl, result, no);
        // curl explains certificate failures in a paragraph of prose.
        if matches!(code, "60" | "77" | "51") {
            s.in_body = true;
        }
        return true;
    }
    // curl -I / -i without verbose: the status line and headers are bare.
    if t.starts_with("HTTP/") && !s.in_body {
        if let Some(code) = t
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
        {
            s.mode = Mode::Curl;
            s.in_headers = true;
            s.in_body = false;
            s.probe(ProbeTool::Curl, ProbeResult::HttpStatus { code }, no);
            return true;
        }
    }
    if s.in_headers && !raw.starts_with(' ') {
        if let Some((n, v)) = t.split_once(':') {
            if !n.contains(' ') {
                header(s, n, v, no);
                return true;
            }
        }
    }
    if s.in_body {
        return false;
    }
    // ---- wget ----
    if let Some(rest) = t.strip_prefix("Connecting to ") {
        // "Connecting to example.org (example.org)|203.0.113.10|:443... failed: Connection refused."
        if let Some(a) = between(rest, "|", "|").and_then(parse_ip) {
            s.target.addr = Some(a);
        }
        if let Some(p) = rest.split_once("|:").and_then(|(_, r)| r.split('.').next()) {
            s.target.port = p.parse().ok().or(s.target.port);
        }
        let result = match rest.split_once("... ") {
            Some((_, "connected.")) => ProbeResult::Connected,
            Some((_, outcome)) => reason(outcome),
            None => return true,
        };
        s.probe(ProbeTool::Wget, result, no);
        return true;
    }
    if let Some(rest) = t.strip_prefix("HTTP request sent, awaiting response... ") {
        let code = rest
            .split_whitespace()
            .next()
            .and_then(|c| c.parse::<u16>().ok());
        let result = code.map_or_else(|| reason(rest), |code| ProbeResult::HttpStatus { code });
        s.probe(ProbeTool::Wget, result, no);
        return true;
    }
    if t.starts_with("Resolving ")
        || t.starts_with("--20")
        || t.starts_with("Retrying.")
        || t.starts_with("Length:")
        || t.starts_with("Saving to:")
        || t.starts_with("Reusing existing connection")
    {
        return true;
    }
    if let Some(rest) = t.strip_prefix("failed: ") {
        s.probe(ProbeTool::Wget, reason(rest), no);
        return true;
    }
    // ---- PowerShell Test-NetConnection ----
    if let Some((key, value)) = t
        .split_once(" : ")
        .or_else(|| t.strip_suffix(" :").map(|k| (k, "")))
    {
        let key = key.trim();
        let value = value.trim();
        match key {
            "ComputerName" => {
                s.target = Target {
                    host: Some(value.to_string()),
                    addr: parse_ip(value),
                    port: None,
                };
                return true;
            }
            "RemoteAddress" => {
                s.target.addr = parse_ip(value).or(s.target.addr);
                return true;
            }
            "RemotePort" => {
                s.target.port = value.parse().ok();
                return true;
            }
            "TcpTestSucceeded" => {
                let result = if value.eq_ignore_ascii_case("true") {
                    ProbeResult::Connected
                } else {
                    ProbeResult::ConnectFailed
                };
                s.probe(ProbeTool::TestNetConnection, result, no);
                return true;
            }
            "InterfaceAlias"
            | "SourceAddress"
            | "PingSucceeded"
            | "PingReplyDetails (RTT)"
            | "NameResolutionResults" => return true,
            _ => {}
        }
    }
    if t.starts_with("WARNING: TCP connect to")
        || t.starts_with("WARNING: Ping to")
        || t.starts_with("WARNING: Name resolution of")
    {
        // The result line (TcpTestSucceeded) follows; this one only explains it.
        return true;
    }
    // ---- nc ----
    if let Some(rest) = t.strip_prefix("Connection to ") {
        if t.contains("succeeded") {
            // "Connection to 1.2.3.4 443 port [tcp/https] succeeded!" /
            // macOS "Connection to host port 443 [tcp/https] succeeded!"
            let words: Vec<&str> = rest.split_whitespace().collect();
            let host = words.first().map(|h| h.to_string());
            let port = words.iter().find_map(|w| w.parse::<u16>().ok());
            s.target = Target {
                addr: host.as_deref().and_then(parse_ip),
                host,
                port,
            };
            s.probe(ProbeTool::Nc, ProbeResult::Connected, no);
            return true;
        }
        if t.contains("closed by foreign host") {
            return true;
        }
    }
    if t.starts_with("nc: connect") || t.starts_with("nc: getaddrinfo") || t.starts_with("nc: ") {
        // "nc: connect to 1.2.3.4 port 443 (tcp) failed: Connection refused"
        if let Some(after) = after_ci(t, " to ") {
            let words: Vec<&str> = after.split_whitespace().collect();
            if let Some(h) = words.first() {
                s.target.host = Some(h.to_string());
                s.target.addr = parse_ip(h);
            }
            s.target.port = words.get(2).and_then(|p| p.parse().ok());
        }
        s.probe(ProbeTool::Nc, reason(t), no);
        return true;
    }
    if let Some(rest) = t.strip_prefix("Ncat: ") {
        if rest.starts_with("Version") {
            return true;
        }
        if let Some(hp) = rest.strip_prefix("Connected to ") {
            if let Some((SockHost::Addr(a), p)) = split_host_port(hp.trim_end_matches('.')) {
                s.target.addr = Some(a);
                s.target.port = p.or(s.target.port);
            }
            s.probe(ProbeTool::Nc, ProbeResult::Connected, no);
        } else if contains_ci(rest, "bytes sent") {
            return true;
        } else {
            s.probe(ProbeTool::Nc, reason(rest), no);
        }
        return true;
    }
    if t.starts_with('(') || t.contains("] ") && t.contains(" [") {
        // traditional: "(UNKNOWN) [1.2.3.4] 80 (http) : Connection refused",
        // "example.com [1.2.3.4] 443 (https) open"
        if let Some(ip) = between(t, "[", "]").and_then(parse_ip) {
            s.target.addr = Some(ip);
            s.target.port = t
                .split_once("] ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|p| p.parse().ok());
            let head = t.split_whitespace().next().unwrap_or("");
            if !head.starts_with('(') {
                s.target.host = Some(head.to_string());
            }
            let result = if t.trim_end().ends_with(" open") {
                ProbeResult::Connected
            } else {
                reason(t)
            };
            s.probe(ProbeTool::Nc, result, no);
            return true;
        }
    }
    // ---- telnet ----
    if let Some(rest) = t.strip_prefix("Trying ") {
        s.mode = Mode::Telnet;
        let a = rest.trim_end_matches('.');
        s.target.addr = parse_ip(a).or(s.target.addr);
        return true;
    }
    if let Some(rest) = t.strip_prefix("Connected to ") {
        if s.mode == Mode::Telnet || s.mode == Mode::None {
            let h = rest.trim_end_matches('.');
            if s.target.host.is_none() {
                s.target.host = Some(h.to_string());
            }
            s.probe(ProbeTool::Telnet, ProbeResult::Connected, no);
            return true;
        }
    }
    if t.starts_with("Escape character is") || t.starts_with("Connection closed") {
        return true;
    }
    if let Some(rest) = t.strip_prefix("telnet: ") {
        if let Some(a) = after_ci(rest, "connect to address ").and_then(|r| r.split(':').next()) {
            s.target.addr = parse_ip(a).or(s.target.addr);
        }
        s.probe(ProbeTool::Telnet, reason(rest), no);
        return true;
    }
    // ---- openssl s_client ----
    if t.starts_with("CONNECTED(") {
        s.mode = Mode::Openssl;
        s.f.tls.push(TlsFacts {
            line: no,
            ..TlsFacts::default()
        });
        s.probe(ProbeTool::Openssl, ProbeResult::Connected, no);
        return true;
    }
    if (s.mode == Mode::Openssl
        || t.starts_with("Verify return code")
        || t.starts_with("subject=")
        || t.starts_with("issuer=")
        || t.starts_with("notAfter=")
        || t.starts_with("notBefore=")
        || t.contains("DNS:"))
        && openssl_line(s, t, no)
    {
        return true;
    }
    // `connect: Connection refused` then `connect:errno=111`: one refusal.
    if s.mode == Mode::Openssl && t.starts_with("connect: ") {
        return true;
    }
    if t.starts_with("connect:errno=")
        || (contains_ci(t, "BIO_connect") || contains_ci(t, "connect() failed"))
    {
        s.mode = Mode::Openssl;
        s.probe(ProbeTool::Openssl, reason(t), no);
        return true;
    }
    // ---- ping ----
    if let Some(rest) = t
        .strip_prefix("PING ")
        .or_else(|| t.strip_prefix("Pinging "))
    {
        s.mode = Mode::Ping;
        let host = rest.split_whitespace().next().unwrap_or("").to_string();
        let addr = between(rest, "(", ")")
            .or_else(|| between(rest, "[", "]"))
            .and_then(parse_ip)
            .or_else(|| parse_ip(&host));
        s.target = Target {
            host: Some(host),
            addr,
            port: None,
        };
        return true;
    }
    if contains_ci(t, "bytes from")
        || t.starts_with("Reply from") && !contains_ci(t, "unreachable")
        || t.starts_with("Request timeout")
        || t.starts_with("Request timed out")
        || t.starts_with("rtt ")
        || t.starts_with("round-trip")
        || t.starts_with("---") && t.contains("statistics")
        || t.starts_with("Ping statistics")
        || t.starts_with("Approximate round trip")
        || t.starts_with("Minimum =")
    {
        return true;
    }
    if contains_ci(t, "unreachable")
        && (s.mode == Mode::Ping
            || t.starts_with("From ")
            || t.starts_with("ping")
            || t.starts_with("Reply from"))
    {
        s.probe(ProbeTool::Ping, ProbeResult::Unreachable, no);
        return true;
    }
    if let Some(rest) = t
        .strip_prefix("ping: ")
        .or_else(|| t.strip_prefix("ping6: "))
    {
        s.probe(ProbeTool::Ping, reason(rest), no);
        return true;
    }
    if t.contains("packets transmitted") || t.starts_with("Packets: Sent") {
        let loss = t
            .split([',', '('])
            .find(|p| p.contains('%'))
            .and_then(|p| p.split('%').next())
            .and_then(|p| p.split_whitespace().last())
            .and_then(|p| p.parse::<f64>().ok());
        let result = if loss.is_some_and(|x| x >= 100.0) {
            ProbeResult::Unreachable
        } else {
            ProbeResult::Connected
        };
        s.probe(ProbeTool::Ping, result, no);
        if let Some(p) = s.f.probes.last_mut() {
            p.loss_percent = loss;
        }
        return true;
    }
    // ---- mtr ----
    if t.starts_with("Start:")
        || t.starts_with("HOST:")
        || t.starts_with("My traceroute")
        || (t.starts_with("Keys:") && t.contains("Display mode"))
    {
        s.mode = Mode::Mtr;
        return true;
    }
    if s.mode == Mode::Mtr {
        // The interactive screen's title, column and hop-without-answer lines.
        if t.contains(" -> ")
            || t.starts_with("Packets")
            || (t.starts_with("Host") && t.contains("Loss%"))
            || t.ends_with(". ???")
            || t.split_once(". ").is_some_and(|(_, r)| r.trim() == "???")
        {
            return true;
        }
        if let Some((_, rest)) = t.split_once(".|--").or_else(|| t.split_once(". ")) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let host = words.first().map(|h| h.to_string()).unwrap_or_default();
            let loss = words
                .get(1)
                .and_then(|w| w.trim_end_matches('%').parse::<f64>().ok());
            if let Some(loss) = loss {
                s.mtr_last = Some((host, loss, no));
                return true;
            }
        }
        if t.starts_with("|  `|--") || t.starts_with("|`|--") || t.starts_with("`|--") {
            return true;
        }
    }
    false
}

fn curl_info(s: &mut St, r: &str, no: usize) -> bool {
    if let Some(rest) = r.strip_prefix("Trying ") {
        let a = rest.trim_end_matches('.');
        match split_host_port(a) {
            Some((SockHost::Addr(ip), p)) => {
                s.target.addr = Some(ip);
                s.target.port = p.or(s.target.port);
            }
            _ => s.target.addr = parse_ip(a).or(s.target.addr),
        }
        return true;
    }
    if let Some(rest) = r.strip_prefix("Connected to ") {
        // "Connected to example.com (1.2.3.4) port 443 (#0)"
        let host = rest.split_whitespace().next().unwrap_or("");
        s.target.host = Some(host.to_string());
        if let Some(ip) = between(rest, "(", ")").and_then(parse_ip) {
            s.target.addr = Some(ip);
        }
        if let Some(p) = after_ci(rest, " port ").and_then(|r| r.split_whitespace().next()) {
            s.target.port = p.parse().ok().or(s.target.port);
        }
        s.probe(ProbeTool::Curl, ProbeResult::Connected, no);
        return true;
    }
    if r.starts_with("connect to ")
        || r.starts_with("Failed to connect to ")
        || r.starts_with("connect()")
        || r.starts_with("Immediate connect fail")
    {
        // "connect to 1.2.3.4 port 443 from 10.0.0.2 port 5555 failed: Connection refused"
        let after = r.split_once("connect to ").map_or("", |(_, x)| x);
        let words: Vec<&str> = after.split_whitespace().collect();
        if let Some(h) = words.first() {
            if let Some(ip) = parse_ip(h) {
                s.target.addr = Some(ip);
            } else if !h.is_empty() {
                s.target.host = Some(h.to_string());
            }
        }
        if words.get(1) == Some(&"port") {
            s.target.port = words
                .get(2)
                .and_then(|p| p.trim_end_matches(':').parse().ok())
                .or(s.target.port);
        }
        let tail = r.rsplit_once(": ").map_or(r, |(_, x)| x);
        s.probe(ProbeTool::Curl, reason(tail), no);
        return true;
    }
    if let Some(after) = r.strip_prefix("Failed connect to ") {
        old_connect_target(s, after);
        s.probe(ProbeTool::Curl, reason(after), no);
        return true;
    }
    if r.starts_with("Could not resolve host") {
        s.probe(ProbeTool::Curl, ProbeResult::DnsFailure, no);
        return true;
    }
    if r.starts_with("Recv failure") || r.starts_with("Send failure") {
        s.probe(ProbeTool::Curl, reason(r), no);
        return true;
    }
    if r.starts_with("Empty reply from server") {
        s.probe(ProbeTool::Curl, ProbeResult::EmptyReply, no);
        return true;
    }
    if let Some(rest) = r.strip_prefix("SSL connection using ") {
        let proto = rest.split([' ', '/']).next().map(str::to_string);
        s.f.tls.push(TlsFacts {
            protocol: proto,
            line: no,
            ..TlsFacts::default()
        });
        return true;
    }
    if cert_detail(s, r, no, &CURL_CERT_DETAILS) {
    } else if r.starts_with("SSL certificate verify ok") {
        if let Some(t) = s.tls(no) {
            t.verify_code = Some(0);
            t.verify_text = Some("ok".into());
        }
    } else if let Some(v) = r.strip_prefix("subjectAltName:") {
        if let Some(h) = between(v, "\"", "\"") {
            if let Some(t) = s.tls(no) {
                t.sans.push(h.to_string());
            }
        }
    } else if contains_ci(r, "ssl certificate problem")
        || contains_ci(r, "wrong version number")
        || contains_ci(r, "alert") && contains_ci(r, "ssl")
        || r.starts_with("OpenSSL SSL_connect")
        || contains_ci(r, "SSL_ERROR")
    {
        let result = if contains_ci(r, "reset by peer") {
            ProbeResult::Reset
        } else {
            ProbeResult::TlsError {
                text: r.to_string(),
            }
        };
        s.probe(ProbeTool::Curl, result, no);
    }
    // Any other `* ` line is curl's own chatter.
    true
}

fn response_line(s: &mut St, r: &str, no: usize) -> bool {
    if r.starts_with("HTTP/") {
        if let Some(code) = r
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
        {
            s.in_headers = true;
            s.in_body = false;
            s.probe(ProbeTool::Curl, ProbeResult::HttpStatus { code }, no);
            return true;
        }
    }
    if let Some((n, v)) = r.split_once(':') {
        header(s, n, v, no);
    }
    true
}

fn header(s: &mut St, name: &str, value: &str, no: usize) {
    let name = name.trim().to_ascii_lowercase();
    let value = value.trim().to_string();
    if name == "cf-ray" {
        let (ray, colo) = match value.rsplit_once('-') {
            Some((r, c)) if c.len() == 3 && c.chars().all(|x| x.is_ascii_alphabetic()) => {
                (r.to_string(), Some(c.to_ascii_uppercase()))
            }
            _ => (value.clone(), None),
        };
        s.f.cf_rays.push(CfRay {
            ray,
            colo,
            line: no,
        });
    }
    s.f.headers.push(HttpHeader {
        name,
        value,
        line: no,
    });
}

#[derive(Clone, Copy)]
enum CertDetail {
    Subject,
    Issuer,
    NotBefore,
    NotAfter,
}

/// curl -v's `*  subject: …` lines (prefix after the `* `).
const CURL_CERT_DETAILS: [(&str, CertDetail); 4] = [
    ("subject:", CertDetail::Subject),
    ("issuer:", CertDetail::Issuer),
    ("start date:", CertDetail::NotBefore),
    ("expire date:", CertDetail::NotAfter),
];

/// openssl s_client / x509's `subject=…` lines.
const OPENSSL_CERT_DETAILS: [(&str, CertDetail); 4] = [
    ("subject=", CertDetail::Subject),
    ("issuer=", CertDetail::Issuer),
    ("notBefore=", CertDetail::NotBefore),
    ("notAfter=", CertDetail::NotAfter),
];

/// Records the certificate detail a line names; false when it names none.
fn cert_detail(s: &mut St, line: &str, no: usize, details: &[(&str, CertDetail)]) -> bool {
    let Some((value, detail)) = details.iter().find_map(|(prefix, d)| {
        line.strip_prefix(prefix)
            .map(|v| (v.trim().to_string(), *d))
    }) else {
        return false;
    };
    if let Some(t) = s.tls(no) {
        let field = match detail {
            CertDetail::Subject => &mut t.subject,
            CertDetail::Issuer => &mut t.issuer,
            CertDetail::NotBefore => &mut t.not_before,
            CertDetail::NotAfter => &mut t.not_after,
        };
        *field = Some(value);
    }
    true
}

fn openssl_line(s: &mut St, t: &str, no: usize) -> bool {
    if cert_detail(s, t, no, &OPENSSL_CERT_DETAILS) {
    } else if t.contains("NotBefore:") && t.contains("NotAfter:") {
        // OpenSSL 3 -showcerts: "v:NotBefore: May  1 00:00:00 2024 GMT; NotAfter: ..."
        let nb = t
            .split_once("NotBefore:")
            .map(|(_, r)| r.split(';').next().unwrap_or(r).trim().to_string());
        let na = t.split_once("NotAfter:").map(|(_, r)| r.trim().to_string());
        if let Some(tls) = s.tls(no).filter(|t| t.not_before.is_none()) {
            tls.not_before = nb;
            tls.not_after = na;
        }
    } else if let Some(v) = t.strip_prefix("Verify return code:") {
        let v = v.trim();
        if let Some(tls) = s.tls(no) {
            tls.verify_code = v.split_whitespace().next().and_then(|c| c.parse().ok());
            tls.verify_text = between(v, "(", ")").map(str::to_string);
        }
    } else if t.contains("DNS:") {
        if let Some(tls) = s.tls(no) {
            for part in t.split(',') {
                if let Some(n) = part.trim().strip_prefix("DNS:") {
                    tls.sans.push(n.trim().to_string());
                }
            }
        }
    } else if let Some(rest) = t.strip_prefix("New, ") {
        // "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
        let proto = rest.split(',').next().map(|p| p.trim().to_string());
        if let Some(t) = s.tls(no) {
            t.protocol = proto.filter(|p| p.starts_with("TLS") || p.starts_with("SSL"));
        }
    } else if let Some(v) = t.strip_prefix("Protocol") {
        if let Some((_, p)) = v.split_once(':') {
            if let Some(t) = s.tls(no) {
                t.protocol = Some(p.trim().to_string());
            }
        }
    } else if t.contains(":error:") || contains_ci(t, "no peer certificate") || t.contains("alert ")
    {
        let result = if contains_ci(t, "refused") {
            ProbeResult::Refused
        } else if contains_ci(t, "reset by peer") {
            ProbeResult::Reset
        } else {
            ProbeResult::TlsError {
                text: t.to_string(),
            }
        };
        s.probe(ProbeTool::Openssl, result, no);
    } else if t.starts_with("connect:errno=") {
        s.probe(ProbeTool::Openssl, reason(t), no);
    } else {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str) -> ProbeFacts {
        parse(s, &lines(s))
    }

    fn results(f: &ProbeFacts) -> Vec<ProbeResult> {
        f.probes.iter().map(|p| p.result.clone()).collect()
    }

    #[test]
    fn curl_errors() {
        let f = p("curl: (7) Failed to connect to 203.0.113.5 port 80: Connection refused\n");
        assert_eq!(results(&f), vec![ProbeResult::Refused]);
        assert_eq!(
            (f.probes[0].addr, f.probes[0].port),
            ("203.0.113.5".parse().ok(), Some(80))
        );
        let f = p("curl: (7) Failed to connect to example.com port 443 after 2 ms: Couldn't connect to server\n");
        assert_eq!(results(&f), vec![ProbeResult::ConnectFailed]);
        assert_eq!(f.probes[0].host.as_deref(), Some("example.com"));
        let f = p("curl: (28) Connection timed out after 10001 milliseconds\ncurl: (56) Recv failure: Connection reset by peer\ncurl: (52) Empty reply from server\ncurl: (35) error:0A00010B:SSL routines::wrong version number\n");
        assert_eq!(
            results(&f)[..3],
            [
                ProbeResult::TimedOut,
                ProbeResult::Reset,
                ProbeResult::EmptyReply
            ]
        );
        assert!(matches!(results(&f)[3], ProbeResult::TlsError { .. }));
    }

    #[test]
    fn cf_ray_colo() {
        let f = p(
            "HTTP/2 521\nserver: cloudflare\ncf-ray: 8a1b2c3d4e5f6789-LHR\n\n<html>body</html>\n",
        );
        assert_eq!(results(&f), vec![ProbeResult::HttpStatus { code: 521 }]);
        assert_eq!(f.cf_rays[0].colo.as_deref(), Some("LHR"));
        assert_eq!(f.headers.len(), 2);
        assert!(f.not_understood.is_empty());
    }

    #[test]
    fn nc_shapes() {
        let f = p("Connection to 1.2.3.4 443 port [tcp/https] succeeded!\nnc: connect to 1.2.3.4 port 80 (tcp) failed: Connection refused\n(UNKNOWN) [1.2.3.4] 8080 (http-alt) : Connection refused\nNcat: TIMEOUT.\n");
        assert_eq!(
            results(&f),
            vec![
                ProbeResult::Connected,
                ProbeResult::Refused,
                ProbeResult::Refused,
                ProbeResult::TimedOut
            ]
        );
        assert_eq!(f.probes[1].port, Some(80));
        assert_eq!(f.probes[2].port, Some(8080));
    }

    #[test]
    fn ping_loss() {
        let f = p("PING 203.0.113.5 (203.0.113.5) 56(84) bytes of data.\nFrom 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n\n--- 203.0.113.5 ping statistics ---\n3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2030ms\n");
        assert_eq!(
            results(&f),
            vec![ProbeResult::Unreachable, ProbeResult::Unreachable]
        );
        assert_eq!(f.probes[1].loss_percent, Some(100.0));
    }
}
