//! The plain-text view for a terminal.

use std::fmt::Write;

use super::Report;
use crate::diagnose::Status;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    if let Some(page) = &report.error_page {
        let code = page
            .code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "Error page: {code} {}",
            page.title.as_deref().unwrap_or("")
        );
        for (label, value) in [
            ("Ray ID", &page.ray_id),
            ("Colo", &page.colo),
            ("Location", &page.location),
            ("Host", &page.host),
            ("Time", &page.time),
            ("Visitor IP", &page.visitor_ip),
        ] {
            if let Some(v) = value {
                let _ = writeln!(out, "  {label}: {v}");
            }
        }
        if let Some(b) = page.failing_box {
            let _ = writeln!(out, "  Failing: {}", b.as_str());
        }
        let _ = writeln!(out);
    }
    if let Some(run) = &report.collector {
        let _ = writeln!(out, "Collected by {}{}\n", run.label(), on_host(run));
    }
    if report.understood_nothing() {
        let _ = writeln!(
            out,
            "Nothing in the input was understood: it does not look like an error page, firewall dump, service status or any other output err521 reads."
        );
    }
    match report.primary_finding() {
        Some(f) => {
            let _ = writeln!(out, "Cause: {} [{}]", f.title, f.id);
            let _ = writeln!(out, "{}", f.explanation);
            for e in &f.evidence {
                let _ = writeln!(out, "  {}:{}: {}", e.input, e.line, e.text);
            }
            for step in &f.fix {
                let _ = writeln!(out, "\nFix: {}", step.title);
                for c in &step.commands {
                    let _ = writeln!(out, "  {c}");
                }
            }
            if !f.verify.is_empty() {
                let _ = writeln!(out, "\nVerify:");
                for c in &f.verify {
                    let _ = writeln!(out, "  {c}");
                }
            }
        }
        None => {
            let _ = writeln!(out, "Cause: not determined yet.");
        }
    }
    if let Some(fw) = report.firewall.as_ref().filter(|fw| !fw.notes.is_empty()) {
        let _ = writeln!(out, "\nFirewall caveats:");
        for n in &fw.notes {
            let _ = writeln!(out, "  - {} ({})", n.text, n.input);
        }
        let _ = writeln!(out);
    }
    for f in report
        .findings
        .iter()
        .filter(|f| f.status == Status::RuledOut)
    {
        let _ = writeln!(out, "Ruled out: {} [{}]", f.title, f.id);
    }
    if !report.ask_for.is_empty() {
        let _ = writeln!(out, "\nPaste the output of:");
        for a in &report.ask_for {
            let _ = writeln!(out, "  {}\n    ({})", a.command, a.why);
        }
    }
    if report.not_understood_count > 0 {
        let _ = writeln!(
            out,
            "\n{} line(s) not understood:",
            report.not_understood_count
        );
        for (input, line, reason) in report.unread_reasons(3) {
            let _ = writeln!(out, "  {input}:{line}: {reason}");
        }
    }
    out
}

/// " on host web1", or nothing when the script printed no name.
fn on_host(run: &crate::collector::CollectorRun) -> String {
    run.host
        .as_deref()
        .map(|h| format!(" on host {h}"))
        .unwrap_or_default()
}
