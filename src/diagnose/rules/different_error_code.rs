//! `different-error-code`: the pasted page or response is not a 521.

use super::Rule;
use crate::diagnose::{codes, Ctx, Finding, FindingId, Status};
use crate::parse::hints::Hint;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge,
    rank,
    asks: |_| Vec::new(),
};

/// Codes decided after the TCP connection succeeded: the neighbour's own
/// explanation is the answer, ahead of every 521 cause.
fn rank(ctx: &Ctx<'_>) -> u8 {
    match ctx.code {
        Some(520 | 524 | 525 | 526 | 530 | 1000..=1999) => 0,
        _ => 12,
    }
}

pub fn judge(ctx: &Ctx<'_>) -> Option<Finding> {
    let Some(code) = ctx.code else {
        return from_prose(ctx);
    };
    if code == 521 {
        return None;
    }
    let page = ctx.facts.error_page();
    let title = page
        .and_then(|p| p.title.clone())
        .unwrap_or_else(|| format!("Error {code}"));
    let explanation = match codes::info(code) {
        Some(info) => format!(
            "The error shown for {} is {code} ({title}), not 521: {}. How it differs: {}. Still worth checking: {}.",
            ctx.site(),
            info.meaning,
            info.differs,
            info.still_applies
        ),
        None => format!("The error shown is {code} ({title}), not a Cloudflare 521."),
    };
    let mut explanation = explanation;
    let mut tls_ev = Vec::new();
    if let Some((text, ev)) = backend_failures(ctx, code) {
        explanation.push_str(&text);
        tls_ev.extend(ev);
    }
    // 525/526 are about the origin's TLS: what a probe saw of its
    // certificate, and the certificate the configuration names.
    if matches!(code, 525 | 526) {
        for s in &ctx.facts.probes {
            for t in &s.facts.tls {
                let mut seen: Vec<String> = Vec::new();
                if let Some(v) = &t.protocol {
                    seen.push(format!("protocol {v}"));
                }
                if let Some(v) = &t.subject {
                    seen.push(format!("subject {v}"));
                }
                if let Some(v) = &t.issuer {
                    seen.push(format!("issuer {v}"));
                }
                if !t.sans.is_empty() {
                    seen.push(format!("names {}", t.sans.join(", ")));
                }
                match (&t.not_before, &t.not_after) {
                    (Some(a), Some(b)) => seen.push(format!("valid {a} to {b}")),
                    (None, Some(b)) => seen.push(format!("valid until {b}")),
                    _ => {}
                }
                if let Some(c) = t.verify_code {
                    let text = t.verify_text.as_deref().unwrap_or("");
                    seen.push(
                        format!("verify return code {c} {text}")
                            .trim_end()
                            .to_string(),
                    );
                }
                if !seen.is_empty() {
                    explanation.push_str(&format!(
                        " The origin's certificate as probed: {}.",
                        seen.join("; ")
                    ));
                    tls_ev.push(crate::diagnose::rules::quote(ctx, &s.input, t.line));
                }
            }
        }
        for w in &ctx.facts.webconfig {
            for c in &w.facts.certificates {
                tls_ev.push(crate::diagnose::rules::quote(ctx, &w.input, c.line));
                explanation.push_str(&format!(
                    " The configuration serves the certificate {}.",
                    c.value
                ));
            }
        }
    }
    Some(
        Finding::new(
            FindingId::DifferentErrorCode,
            Status::Confirmed,
            explanation,
        )
        .titled(format!("This is error {code} ({title}), not 521"))
        .with_evidence(page.map(|p| p.evidence.clone()).unwrap_or_default())
        .with_evidence(tls_ev),
    )
}

/// With no page or response pasted: a code the person states in prose, other
/// than 521 and with no 521 stated beside it, is `likely` (a weak hint, the
/// sentence quoted).
fn from_prose(ctx: &Ctx<'_>) -> Option<Finding> {
    let stated: Vec<(&str, u16, usize)> = ctx
        .facts
        .hints
        .iter()
        .filter_map(|(input, h)| match h.hint {
            Hint::ErrorCode(c) => Some((input.as_str(), c, h.line)),
            _ => None,
        })
        .collect();
    if stated.iter().any(|(_, c, _)| *c == 521) {
        return None;
    }
    let (input, code, line) = *stated.first()?;
    let named = |code: u16| match crate::parse::error_page::standard_title(code) {
        Some(t) => format!("error {code} ({t})"),
        None => format!("error {code}"),
    };
    let mut explanation = format!(
        "The ticket says the site shows {}, not 521; no page or response was pasted to confirm it.",
        named(code)
    );
    if let Some(info) = codes::info(code) {
        explanation.push_str(&format!(
            " {code} means {}. How it differs: {}. Still worth checking: {}.",
            info.meaning, info.differs, info.still_applies
        ));
    }
    explanation.push_str(" Paste the error page or `curl -sv https://HOST/ -o /dev/null` output to confirm the code.");
    let upstream = backend_failures(ctx, code);
    if let Some((text, _)) = &upstream {
        explanation.push_str(text);
    }
    Some(
        Finding::new(FindingId::DifferentErrorCode, Status::Likely, explanation)
            .titled(format!("This is likely {}, not 521", named(code)))
            .with_evidence([ctx.facts.quote(input, line)])
            .with_evidence(upstream.map(|(_, ev)| ev).unwrap_or_default()),
    )
}

/// A 502/504 next to the web server's log of a backend that failed
/// (`connect() failed ... while connecting to upstream`): that backend is
/// what to fix. The sentence and the log lines.
fn backend_failures(ctx: &Ctx<'_>, code: u16) -> Option<(String, Vec<crate::text::Evidence>)> {
    use crate::parse::services::EventKind;
    if !matches!(code, 502 | 504) {
        return None;
    }
    let mut upstreams: Vec<String> = Vec::new();
    let mut ev = Vec::new();
    for (input, e) in crate::diagnose::rules::events(ctx) {
        if let EventKind::UpstreamFailed { upstream } = &e.kind {
            if let Some(u) = upstream.as_ref().filter(|u| !upstreams.contains(u)) {
                upstreams.push(u.clone());
            }
            ev.push(crate::diagnose::rules::quote(ctx, input, e.line));
        }
    }
    if ev.is_empty() {
        return None;
    }
    let which = if upstreams.is_empty() {
        "its backend".to_string()
    } else {
        format!("its backend ({})", upstreams.join(", "))
    };
    Some((
        format!(" The web server's log shows {which} failing while it passed requests on: the front server is up, the backend behind it is down or unreachable. Start or repair that backend, and check it answers from the proxy's host (or container)."),
        ev,
    ))
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_not};
    use crate::diagnose::FindingId;

    #[test]
    fn a_525_page_title() {
        verify(
            FindingId::DifferentErrorCode,
            "www.example.com | 525: SSL handshake failed\n",
        );
    }

    #[test]
    fn a_521_page_title() {
        verify_not(
            FindingId::DifferentErrorCode,
            "www.example.com | 521: Web server is down\n",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::testkit::run;
    use crate::diagnose::FindingId;

    /// A 502 beside nginx's log of a refusing upstream names the backend;
    /// a 502 alone does not invent one.
    #[test]
    fn a_bad_gateway_beside_upstream_errors_names_the_backend() {
        let log = "I get a 502 Bad Gateway error from Cloudflare.\n\n2020/08/08 13:17:26 [error] 19#19: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.7, server: a.example, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:8080/\", host: \"a.example\"\n";
        let text = |t: &str| {
            run(t)
                .findings
                .into_iter()
                .find(|f| f.id == FindingId::DifferentErrorCode)
                .map(|f| f.explanation)
                .unwrap_or_default()
        };
        assert!(
            text(log).contains("its backend (http://172.18.0.3:8080/)"),
            "{}",
            text(log)
        );
        assert!(!text("I get a 502 Bad Gateway error from Cloudflare.\n").contains("backend"));
    }
}
