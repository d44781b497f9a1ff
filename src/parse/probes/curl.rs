//! curl: verbose `* `/`< ` lines, `curl: (N)` errors, the progress meter, bare
//! `-I`/`-i` status lines and headers.

use super::{
    cert_detail, old_connect_target, reason, CfRay, HttpHeader, Mode, ProbeResult, ProbeTool, St,
    TlsFacts, CURL_CERT_DETAILS,
};
use crate::parse::textscan::{after_ci, between, contains_ci, parse_ip, split_host_port, SockHost};

/// A curl line; a line inside a response body ends the search (it is the page's text).
pub(super) fn line(s: &mut St, raw: &str, t: &str, no: usize) -> Option<bool> {
    // curl's progress meter: its two header lines, and a last row with the
    // error glued on (`... --:--:--     0curl: (7) Failed to connect ...`).
    if t.starts_with("% Total") || (t.starts_with("Dload") && t.contains("Upload")) {
        return Some(true);
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains("--:--:--") {
        return match t.find("curl: (") {
            Some(at) => line(s, raw, t.get(at..).unwrap_or(""), no),
            None => Some(true),
        };
    }
    // Verbose output.
    // `== Info: ` is the same line in `--trace-ascii` output.
    if let Some(rest) = t
        .strip_prefix("* ")
        .or_else(|| t.strip_prefix("*\t"))
        .or_else(|| t.strip_prefix("== Info:"))
        .or_else(|| (t == "*").then_some(""))
    {
        s.mode = Mode::Curl;
        return Some(curl_info(s, rest.trim(), no));
    }
    if let Some(rest) = t.strip_prefix("< ").or_else(|| (t == "<").then_some("")) {
        s.mode = Mode::Curl;
        let rest = rest.trim();
        if rest.is_empty() {
            s.in_headers = false;
            s.in_body = true;
            return Some(true);
        }
        return Some(response_line(s, rest, no));
    }
    if t.starts_with("> ") || t == ">" || t.starts_with("{ [") || t.starts_with("} [") {
        return Some(true);
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
        return Some(true);
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
            return Some(true);
        }
    }
    if s.in_headers && !raw.starts_with(' ') {
        if let Some((n, v)) = t.split_once(':') {
            if !n.contains(' ') {
                header(s, n, v, no);
                return Some(true);
            }
        }
    }
    // A response body is the page's text: no other tool reads it.
    if s.in_body {
        return Some(false);
    }
    None
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
