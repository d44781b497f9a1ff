//! Connection probes run from outside or on the origin: `curl -v/-I/-i/-sv`,
//! `nc -zv` (OpenBSD, traditional, ncat, macOS), `telnet`, `ping`/`ping6`
//! (Linux, BSD, Windows), `mtr --report` and `openssl s_client`.
//!
//! Guarantees: each connection outcome the tool prints becomes one
//! [`Probe`]; response headers and certificate details are kept with their
//! lines; lines outside any recognised tool are reported. Linear, no panics.

use std::net::IpAddr;

use serde::Serialize;

use super::textscan::{command_of, contains_ci, parse_ip, split_host_port, SockHost};
use crate::text::{Line, NotUnderstood};

mod curl;
mod mtr;
mod nc;
mod nmap;
mod openssl;
mod ping;
mod telnet;
mod test_net_connection;
mod wget;

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
    /// An nmap port scan row.
    Nmap,
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
            "Nmap scan report for",
            "Starting Nmap",
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
                "nmap",
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

/// A tool's line reader: `Some(understood)` when the line is decided,
/// `None` to let the next reader try.
type Reader = fn(&mut St, &str, &str, usize) -> Option<bool>;

/// The per-tool readers, in the order they are tried: wordings shared by
/// tools (`Connected to`, `Trying`) go to the first that claims them.
const READERS: &[Reader] = &[
    curl::line,
    wget::line,
    test_net_connection::line,
    nc::line,
    telnet::line,
    openssl::line,
    ping::line,
    mtr::line,
    nmap::line,
];

/// Handle one line; false when nothing matched.
fn line(s: &mut St, raw: &str, t: &str, no: usize) -> bool {
    READERS
        .iter()
        .find_map(|read| read(s, raw, t, no))
        .unwrap_or(false)
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
