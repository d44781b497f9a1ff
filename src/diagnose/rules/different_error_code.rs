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
    let title = crate::parse::error_page::standard_title(code)
        .map(str::to_string)
        .unwrap_or_else(|| format!("Error {code}"));
    let mut explanation = format!(
        "The ticket says the site shows error {code} ({title}), not 521; no page or response was pasted to confirm it."
    );
    if let Some(info) = codes::info(code) {
        explanation.push_str(&format!(
            " {code} means {}. How it differs: {}. Still worth checking: {}.",
            info.meaning, info.differs, info.still_applies
        ));
    }
    explanation.push_str(" Paste the error page or `curl -sv https://HOST/ -o /dev/null` output to confirm the code.");
    Some(
        Finding::new(FindingId::DifferentErrorCode, Status::Likely, explanation)
            .titled(format!("This is likely error {code} ({title}), not 521"))
            .with_evidence([ctx.facts.quote(input, line)]),
    )
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
