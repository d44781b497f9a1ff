//! Test helpers: diagnose a pasted text, read one finding's status.

use crate::diagnose::{diagnose, Diagnosis, FindingId, Status};
use crate::options::Options;
use crate::text::CaseInput;

/// The diagnosis of one pasted input with default options.
pub fn run(text: &str) -> Diagnosis {
    let facts = crate::case::read_case(&[CaseInput::new("paste", text)]);
    diagnose(&facts, &Options::default())
}

/// The status of `id` (unknown when the diagnosis does not list it).
pub fn status(d: &Diagnosis, id: FindingId) -> Status {
    d.findings
        .iter()
        .find(|f| f.id == id)
        .map_or(Status::Unknown, |f| f.status)
}

/// The lines `id` quotes.
pub fn cited(d: &Diagnosis, id: FindingId) -> Vec<usize> {
    d.findings
        .iter()
        .find(|f| f.id == id)
        .map(|f| f.evidence.iter().map(|e| e.line).collect())
        .unwrap_or_default()
}
