//! `different-error-code`: the pasted page or response is not a 521.

use crate::diagnose::{codes, Ctx, Finding, FindingId, Status};
use crate::parse::hints::Hint;

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
    Some(
        Finding::new(
            FindingId::DifferentErrorCode,
            Status::Confirmed,
            explanation,
        )
        .titled(format!("This is error {code} ({title}), not 521"))
        .with_evidence(page.map(|p| p.evidence.clone()).unwrap_or_default()),
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
