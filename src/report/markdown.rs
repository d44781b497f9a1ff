//! The Markdown view: the reply a support engineer pastes into the ticket.
//! Pasted text only ever appears inside code fences, so it cannot turn into
//! markup in a helpdesk that renders Markdown.

use std::fmt::Write;

use super::Report;
use crate::diagnose::Status;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Cloudflare error diagnosis\n");
    if let Some(page) = &report.error_page {
        let mut facts = Vec::new();
        if let Some(code) = page.code {
            facts.push(format!("**Error {code}**"));
        }
        if let Some(t) = &page.title {
            facts.push(inline(t));
        }
        if let Some(r) = &page.ray_id {
            facts.push(format!("Ray ID {}", inline(r)));
        }
        if let Some(h) = &page.host {
            facts.push(format!("host {}", inline(h)));
        }
        if let Some(l) = page.location.as_ref().or(page.colo.as_ref()) {
            facts.push(format!("via {}", inline(l)));
        }
        if let Some(t) = &page.time {
            facts.push(inline(t));
        }
        let _ = writeln!(out, "{}\n", facts.join(" · "));
    }
    if let Some(run) = &report.collector {
        let host = run
            .host
            .as_deref()
            .map(|h| format!(" on host {}", inline(h)))
            .unwrap_or_default();
        let _ = writeln!(out, "Collected by {}{host}\n", inline(&run.label()));
    }
    match report.primary_finding() {
        Some(f) => {
            let _ = writeln!(out, "**Cause ({}):** {}\n", status_word(f.status), f.title);
            let _ = writeln!(out, "{}\n", f.explanation);
            if !f.evidence.is_empty() {
                let _ = writeln!(out, "**Evidence**\n");
                let body: Vec<String> = f
                    .evidence
                    .iter()
                    .map(|e| format!("{}:{}: {}", e.input, e.line, e.text))
                    .collect();
                fenced(&mut out, "text", &body.join("\n"));
            }
            for step in &f.fix {
                let _ = writeln!(out, "**Fix:** {}\n", step.title);
                fenced(&mut out, "sh", &step.commands.join("\n"));
            }
            if !f.verify.is_empty() {
                let _ = writeln!(out, "**Verify**\n");
                fenced(&mut out, "sh", &f.verify.join("\n"));
            }
        }
        None => {
            let _ = writeln!(out, "**Cause:** not yet determined from what was sent.\n");
        }
    }
    if let Some(fw) = report.firewall.as_ref().filter(|fw| !fw.notes.is_empty()) {
        let _ = writeln!(out, "**Firewall caveats**\n");
        for n in &fw.notes {
            let _ = writeln!(out, "- {} ({})", n.text, inline(&n.input));
        }
        let _ = writeln!(out);
    }
    let ruled_out: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::RuledOut)
        .collect();
    if !ruled_out.is_empty() {
        let _ = writeln!(out, "**Ruled out**\n");
        for f in ruled_out {
            let _ = writeln!(out, "- `{}`: {}", f.id, f.explanation);
        }
        let _ = writeln!(out);
    }
    if !report.ask_for.is_empty() {
        let _ = writeln!(out, "**Please send the output of**\n");
        for a in &report.ask_for {
            let _ = writeln!(out, "- {}", a.why);
            fenced(&mut out, "sh", &a.command);
        }
    }
    if report.not_understood_count > 0 {
        let _ = writeln!(
            out,
            "_{} pasted line(s) were not understood and were not used:_\n",
            report.not_understood_count
        );
        for (input, line, reason) in report.unread_reasons(3) {
            let _ = writeln!(out, "- {}:{line}: {reason}", inline(input));
        }
    }
    out
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "confirmed",
        Status::Likely => "likely",
        Status::Unknown => "unknown",
        Status::RuledOut => "ruled out",
    }
}

/// Pasted text as inline code, with a fence longer than any backtick run.
fn inline(s: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(s) + 1);
    format!("{ticks}{s}{ticks}")
}

fn fenced(out: &mut String, lang: &str, body: &str) {
    let ticks = "`".repeat((longest_backtick_run(body) + 1).max(3));
    let _ = writeln!(out, "{ticks}{lang}\n{body}\n{ticks}\n");
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_pasted_backticks() {
        let mut out = String::new();
        fenced(&mut out, "text", "evil ``` fence");
        assert!(out.starts_with("````text\n"));
        assert_eq!(inline("a`b"), "``a`b``");
    }
}
