//! Findings in, commands out: for each finding, the steps that fix it with
//! the tools the case showed, and the commands that verify the fix.
//!
//! **Architecture Invariant:** a fix never opens a port to the world; it
//! allows Cloudflare's ranges and keeps what the person allowed before.

use serde::{Deserialize, Serialize};

use crate::diagnose::{Finding, FindingId, Status};
use crate::facts::Facts;
use crate::options::Options;

/// One step of a fix: a line of why, and the commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixStep {
    pub title: String,
    pub commands: Vec<String>,
}

/// The fix and verify commands of one finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub fix: Vec<FixStep>,
    pub verify: Vec<String>,
}

/// Plan the fix of a finding. Findings that are ruled out or unknown get no
/// fix: the person is asked for evidence instead.
pub fn plan(finding: &Finding, _facts: &Facts, _options: &Options) -> Plan {
    if !matches!(finding.status, Status::Confirmed | Status::Likely) {
        return Plan::default();
    }
    match finding.id {
        // Another code: the fix is that code's checklist, in the explanation.
        FindingId::DifferentErrorCode => Plan::default(),
        _ => Plan::default(),
    }
}
