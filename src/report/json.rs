//! The versioned JSON view (schema in docs/JSON.md). The page's Web Worker
//! also hands reports to the page in this form, so it must round-trip.

use super::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Compact form for passing a report between threads.
pub fn render_compact(report: &Report) -> String {
    serde_json::to_string(report).unwrap_or_default()
}

/// Read a report back; `None` for anything that is not a schema-1 report.
pub fn parse(json: &str) -> Option<Report> {
    serde_json::from_str::<Report>(json)
        .ok()
        .filter(|r| r.schema == super::SCHEMA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{Options, SslMode};
    use crate::parse::CaseInput;

    #[test]
    fn reports_round_trip_through_json() {
        let page = include_str!("../../tests/fixtures/error-page/modern-522-blog.html");
        let options = Options {
            ssl_mode: SslMode::Full,
            ..Options::default()
        };
        let report = crate::analyze(&[CaseInput::new("p", page)], &options);
        assert_eq!(parse(&render_compact(&report)), Some(report.clone()));
        assert_eq!(parse(&render(&report)), Some(report));
        assert_eq!(parse("{\"schema\":99}"), None);
        assert_eq!(parse("not json"), None);
    }
}
