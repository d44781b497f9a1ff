//! `different-error-code`: the pasted page or response is not a 521.

use crate::diagnose::{codes, Ctx, Finding, FindingId, Status};

pub fn judge(ctx: &Ctx<'_>) -> Option<Finding> {
    let code = ctx.code.filter(|c| *c != 521)?;
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
