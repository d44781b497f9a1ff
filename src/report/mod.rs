//! The assembled answer for one case and its views: JSON (stable schema),
//! Markdown (a ticket reply) and plain text (the terminal).
//!
//! **Architecture Invariant:** views only format a [`Report`]; they decide
//! nothing.

pub mod json;
pub mod markdown;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::diagnose::{AskFor, Diagnosis, FindingId, Status};
use crate::facts::{Facts, InputBlock, Unread};
use crate::fix::FixStep;
use crate::options::Options;
use crate::parse::error_page::ErrorPage;
use crate::text::Evidence;

/// Version of the JSON schema; bump on any incompatible change.
pub const SCHEMA: u32 = 1;

/// How many not-understood lines a report lists (the count is always exact).
pub const MAX_UNREAD_LISTED: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub error_page: Option<ErrorPage>,
    pub inputs: Vec<InputBlock>,
    pub primary: Option<FindingId>,
    pub findings: Vec<ReportFinding>,
    pub firewall: Option<crate::diagnose::FirewallCoverage>,
    pub ask_for: Vec<AskFor>,
    pub ssl_mode: crate::options::SslMode,
    pub ports: Vec<u16>,
    pub not_understood_count: usize,
    pub not_understood: Vec<Unread>,
    /// Set when the case is `collect.sh` output: its version, date, host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector: Option<crate::collector::CollectorRun>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub id: FindingId,
    pub status: Status,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub checks: Vec<String>,
    pub fix: Vec<FixStep>,
    pub verify: Vec<String>,
}

impl Report {
    /// The status of `id` (unknown when the report does not list it).
    pub fn status_of(&self, id: FindingId) -> Status {
        self.findings
            .iter()
            .find(|f| f.id == id)
            .map_or(Status::Unknown, |f| f.status)
    }

    /// The distinct reasons lines were not understood, each with its first
    /// input and line, at most `max`, in input order.
    pub fn unread_reasons(&self, max: usize) -> Vec<(&str, usize, &str)> {
        let mut out: Vec<(&str, usize, &str)> = Vec::new();
        for u in &self.not_understood {
            if out.len() == max {
                break;
            }
            if !out.iter().any(|(_, _, r)| *r == u.line.reason) {
                out.push((&u.input, u.line.line, &u.line.reason));
            }
        }
        out
    }

    pub fn build(facts: &Facts, diagnosis: Diagnosis, options: &Options) -> Report {
        let fix_ctx = crate::fix::FixCtx {
            facts,
            options,
            diagnosis: &diagnosis,
            ports: diagnosis.ports.clone(),
            host: diagnosis.host.clone(),
        };
        let findings = diagnosis
            .findings
            .iter()
            .map(|f| {
                let plan = crate::fix::plan(f, &fix_ctx);
                ReportFinding {
                    id: f.id,
                    status: f.status,
                    title: f.title.clone(),
                    explanation: f.explanation.clone(),
                    evidence: f.evidence.clone(),
                    checks: f.checks.clone(),
                    fix: plan.fix,
                    verify: plan.verify,
                }
            })
            .collect();
        Report {
            schema: SCHEMA,
            error_page: facts.error_page().cloned(),
            inputs: facts.blocks.clone(),
            primary: diagnosis.primary,
            findings,
            firewall: diagnosis.firewall.clone(),
            ask_for: diagnosis.ask_for,
            ssl_mode: options.ssl_mode,
            ports: diagnosis.ports.clone(),
            not_understood_count: facts.not_understood_count,
            not_understood: facts
                .not_understood
                .iter()
                .take(MAX_UNREAD_LISTED)
                .cloned()
                .collect(),
            collector: facts.collector.clone(),
        }
    }

    pub fn primary_finding(&self) -> Option<&ReportFinding> {
        let id = self.primary?;
        self.findings.iter().find(|f| f.id == id)
    }

    /// True when nothing in the case was understood at all.
    pub fn understood_nothing(&self) -> bool {
        self.error_page.is_none() && self.inputs.iter().all(|b| b.understood_lines == 0)
    }
}
