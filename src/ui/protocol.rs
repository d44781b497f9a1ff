//! The messages between the page and its Web Worker, and the worker's side
//! of them. Both directions are strings: the page posts a [`Request`] as
//! JSON; the worker answers with a header line `<id> <kind>` and a body:
//! the report in the JSON schema of [`crate::report::json`] (`report`), a
//! share-link code (`share`) or an error message (`error`). A request the
//! worker cannot read at all is answered with the id `-`, so the page shows
//! the error instead of dropping it as stale.
//!
//! The worker bin only calls [`handle`]; it never links Yew.

use serde::{Deserialize, Serialize};

use crate::cloudflare::Ranges;
use crate::options::{Options, SslMode};
use crate::parse::CaseInput;
use crate::share::{KindOverride, SharePayload, SharedInput};

/// What the worker is asked to do with the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Job {
    /// Diagnose them.
    #[default]
    Analyze,
    /// Build a share-link code (redacted when `redacted` is set): redaction
    /// and compression are engine work, kept off the page's thread.
    Share,
}

/// One request. `id` grows with every change of the inputs, so the page
/// can drop an answer older than the inputs it shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Request {
    pub id: u32,
    #[serde(default)]
    pub job: Job,
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

/// The body of a worker answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    Report(&'a str),
    Share(&'a str),
    Error(&'a str),
}

/// A worker answer: the request id (`None` when the request could not be
/// read, so its id is unknown) and the body.
pub fn split_response(answer: &str) -> Option<(Option<u32>, Body<'_>)> {
    let (head, body) = answer.split_once('\n')?;
    let (id, kind) = head.split_once(' ')?;
    let id = match id {
        "-" => None,
        n => Some(n.parse().ok()?),
    };
    let body = match kind {
        "report" => Body::Report(body),
        "share" => Body::Share(body),
        "error" => Body::Error(body),
        _ => return None,
    };
    Some((id, body))
}

/// Sent once by the worker when it can take requests.
pub const READY: &str = "ready";

/// Only the id of a request, for answering one that is otherwise unreadable.
#[derive(Deserialize)]
struct IdOnly {
    id: u32,
}

/// Answer one request (JSON).
pub fn handle(request_json: &str) -> String {
    let request: Request = match serde_json::from_str(request_json) {
        Ok(r) => r,
        Err(e) => {
            let id = serde_json::from_str::<IdOnly>(request_json)
                .map_or_else(|_| "-".to_string(), |r| r.id.to_string());
            return format!(
                "{id} error\nThe analysis engine could not read the page's request ({e}); reload the page."
            );
        }
    };
    match request.job {
        Job::Analyze => format!(
            "{} report\n{}",
            request.id,
            crate::report::json::render_compact(&analyze(&request))
        ),
        Job::Share => format!(
            "{} share\n{}",
            request.id,
            crate::share::encode(&share_payload(&request))
        ),
    }
}

/// What a share link carries: the inputs (redacted when asked), the SSL
/// mode, the ports and the corrections.
pub fn share_payload(request: &Request) -> SharePayload {
    let mut inputs = request.inputs.clone();
    let mut overrides = request.overrides.clone();
    if request.redacted {
        let texts: Vec<&str> = request.inputs.iter().map(|i| i.text.as_str()).collect();
        let masked = crate::redact::redact_all(&texts, &ranges(request));
        // Corrections name their blocks by text: name them by the text the
        // link carries.
        overrides = renamed_for_redaction(
            request,
            &masked.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        for (input, text) in inputs.iter_mut().zip(masked) {
            input.text = text;
        }
    }
    SharePayload {
        inputs,
        ssl_mode: request.ssl_mode,
        extra_ports: request.extra_ports.clone(),
        overrides,
        redacted: request.redacted,
    }
}

/// The analysis itself, shared by the worker and the synchronous path the
/// component tests use.
pub fn analyze(request: &Request) -> crate::report::Report {
    let texts: Vec<&str> = request.inputs.iter().map(|i| i.text.as_str()).collect();
    let redacted;
    let texts: Vec<&str> = if request.redacted {
        redacted = crate::redact::redact_all(&texts, &ranges(request));
        redacted.iter().map(String::as_str).collect()
    } else {
        texts
    };
    let inputs: Vec<CaseInput> = request
        .inputs
        .iter()
        .zip(texts.iter().copied())
        .map(|(i, t)| CaseInput::new(i.name.clone(), t))
        .collect();
    let kind_overrides = if request.redacted {
        renamed_for_redaction(request, &texts)
    } else {
        request.overrides.clone()
    };
    let options = Options {
        ssl_mode: request.ssl_mode,
        extra_ports: request.extra_ports.clone(),
        // Redacted inputs carry documentation addresses for public ones.
        redacted: request.redacted,
        kind_overrides,
        ranges: ranges(request),
        ..Options::default()
    };
    crate::analyze(&inputs, &options)
}

/// Cloudflare's ranges for this request: those given, else the bundled ones.
fn ranges(request: &Request) -> Ranges {
    request
        .ranges
        .as_deref()
        .and_then(Ranges::parse)
        .unwrap_or_else(Ranges::bundled)
}

/// The page names a corrected block by the fingerprint of the text it
/// shows; redaction changes that text. Find each corrected block in the
/// original text and name it by its redacted lines instead (redaction keeps
/// every line where it was).
fn renamed_for_redaction(request: &Request, redacted: &[&str]) -> Vec<KindOverride> {
    use crate::parse::kind::fingerprint;
    use crate::parse::split::split;
    use crate::text::{lines, strip_terminal_codes};
    let mut out = Vec::new();
    for (input, masked) in request.inputs.iter().zip(redacted) {
        let wanted: Vec<&KindOverride> = request
            .overrides
            .iter()
            .filter(|o| o.input == input.name)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let original = strip_terminal_codes(&input.text);
        let original = lines(&original);
        let masked = strip_terminal_codes(masked);
        let masked = lines(&masked);
        for block in split(&original) {
            let print = fingerprint(&original, block.first_line, block.last_line);
            for o in wanted.iter().filter(|o| o.block == print) {
                out.push(KindOverride {
                    block: fingerprint(&masked, block.first_line, block.last_line),
                    ..(*o).clone()
                });
            }
        }
    }
    out
}
