//! The messages between the page and its Web Worker, and the worker's side
//! of them. Both directions are strings: the page posts a [`Request`] as
//! JSON, the worker answers the request id, a newline, and the report in
//! the JSON schema of [`crate::report::json`] (or `!` and an error).
//!
//! The worker bin only calls [`handle`]; it never links Yew.

use serde::{Deserialize, Serialize};

use crate::cloudflare::Ranges;
use crate::options::{Options, SslMode};
use crate::parse::CaseInput;
use crate::share::{KindOverride, SharedInput};

/// One analysis request. `id` grows with every change of the inputs, so the
/// page can drop a result older than the one it shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Request {
    pub id: u32,
    pub inputs: Vec<SharedInput>,
    pub ssl_mode: SslMode,
    pub extra_ports: Vec<u16>,
    /// Redact addresses, hosts and Ray IDs before analysing, so the report
    /// (and the Markdown made from it) can be shared.
    pub redacted: bool,
    /// Cloudflare's ranges as fetched or pasted, when not the bundled ones.
    pub ranges: Option<String>,
    /// Kinds the person corrected by hand (`Options::kind_overrides`).
    pub overrides: Vec<KindOverride>,
}

/// The worker's answer, split: (request id, report JSON or error).
pub fn split_response(answer: &str) -> Option<(u32, Result<&str, &str>)> {
    let (id, body) = answer.split_once('\n')?;
    let id = id.trim().parse().ok()?;
    Some((id, body.strip_prefix('!').map_or(Ok(body), Err)))
}

/// Sent once by the worker when it can take requests.
pub const READY: &str = "ready";

/// Analyse one request (JSON) and answer with the response (JSON).
pub fn handle(request_json: &str) -> String {
    let request: Request = match serde_json::from_str(request_json) {
        Ok(r) => r,
        Err(e) => return format!("0\n!unreadable request: {e}"),
    };
    let report = analyze(&request);
    format!(
        "{}\n{}",
        request.id,
        crate::report::json::render_compact(&report)
    )
}

/// The analysis itself, shared by the worker and the synchronous path the
/// component tests use.
pub fn analyze(request: &Request) -> crate::report::Report {
    let texts: Vec<&str> = request.inputs.iter().map(|i| i.text.as_str()).collect();
    let redacted;
    let texts: Vec<&str> = if request.redacted {
        redacted = crate::redact::redact_all(&texts);
        redacted.iter().map(String::as_str).collect()
    } else {
        texts
    };
    let inputs: Vec<CaseInput> = request
        .inputs
        .iter()
        .zip(texts)
        .map(|(i, t)| CaseInput::new(i.name.clone(), t))
        .collect();
    let mut options = Options {
        ssl_mode: request.ssl_mode,
        extra_ports: request.extra_ports.clone(),
        // Redacted inputs carry documentation addresses for public ones.
        redacted: request.redacted,
        kind_overrides: request.overrides.clone(),
        ..Options::default()
    };
    if let Some(ranges) = request.ranges.as_deref().and_then(Ranges::parse) {
        options.ranges = ranges;
    }
    crate::analyze(&inputs, &options)
}
