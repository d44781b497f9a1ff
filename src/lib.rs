//! err521: explains Cloudflare's "Error 521: Web server is down" from pasted
//! diagnostics, and writes the commands that fix it.
//!
//! Data flows one way: text -> facts ([`parse`], gathered by [`case`]) -> findings
//! ([`diagnose`]) -> fixes -> views ([`report`]). See docs/ARCHITECTURE.md.
#![forbid(unsafe_code)]

// Batch triage spreads tickets over threads, which the page has not.
#[cfg(not(target_arch = "wasm32"))]
pub mod batch;
pub mod case;
pub mod cloudflare;
pub mod diagnose;
pub mod facts;
pub mod firewall;
pub mod fix;
pub mod net;
pub mod options;
pub mod parse;
pub mod redact;
pub mod report;
pub mod share;
pub mod text;

use case::CaseInput;
use options::Options;
use report::Report;

/// The whole pipeline: text -> facts -> findings -> fixes -> report.
pub fn analyze(inputs: &[CaseInput], options: &Options) -> Report {
    let facts = case::read_case_with(inputs, &options.kind_overrides);
    let diagnosis = diagnose::diagnose(&facts, options);
    Report::build(&facts, diagnosis, options)
}
#[cfg(target_arch = "wasm32")]
pub mod ui;
