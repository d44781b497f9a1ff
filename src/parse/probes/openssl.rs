//! openssl s_client (and x509): connection, certificate and verify lines.

use super::{
    cert_detail, reason, Mode, ProbeResult, ProbeTool, St, TlsFacts, OPENSSL_CERT_DETAILS,
};
use crate::parse::textscan::{between, contains_ci};

/// An openssl s_client line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if t.starts_with("CONNECTED(") {
        s.mode = Mode::Openssl;
        s.f.tls.push(TlsFacts {
            line: no,
            ..TlsFacts::default()
        });
        s.probe(ProbeTool::Openssl, ProbeResult::Connected, no);
        return Some(true);
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
        return Some(true);
    }
    // `connect: Connection refused` then `connect:errno=111`: one refusal.
    if s.mode == Mode::Openssl && t.starts_with("connect: ") {
        return Some(true);
    }
    if t.starts_with("connect:errno=")
        || (contains_ci(t, "BIO_connect") || contains_ci(t, "connect() failed"))
    {
        s.mode = Mode::Openssl;
        s.probe(ProbeTool::Openssl, reason(t), no);
        return Some(true);
    }
    None
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
