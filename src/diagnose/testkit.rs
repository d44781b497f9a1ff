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

/// ShellCheck's `verify` for findings: the paste raises `id` (confirmed or
/// likely).
#[track_caller]
pub fn verify(id: FindingId, text: &str) {
    expect(id, text, &[Status::Confirmed, Status::Likely]);
}

/// `verifyNot`: the paste does not raise `id` (unknown or ruled out).
#[track_caller]
pub fn verify_not(id: FindingId, text: &str) {
    expect(id, text, &[Status::Unknown, Status::RuledOut]);
}

/// The paste rules `id` out.
#[track_caller]
pub fn verify_ruled_out(id: FindingId, text: &str) {
    expect(id, text, &[Status::RuledOut]);
}

#[track_caller]
fn expect(id: FindingId, text: &str, any_of: &[Status]) {
    let s = status(&run(text), id);
    assert!(
        any_of.contains(&s),
        "{id} on {text:?}: got {s:?}, want one of {any_of:?}"
    );
}
