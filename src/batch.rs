//! Batch triage: one ticket per JSON line in, one report per JSON line out
//! (`err521 diagnose --jsonl`; the format is in docs/JSON.md).
//!
//! [`triage_line`] is pure and handles one line; [`run`] reads a stream in
//! bounded chunks, spreads each chunk over threads and writes the answers
//! in input order, so memory stays bounded by one chunk whatever the size of
//! the archive.

use std::io::{self, BufRead, Write};

use serde::Deserialize;
use serde_json::Value;

use crate::options::{Options, SslMode};
use crate::parse::CaseInput;

/// One ticket as a helpdesk export gives it. Unknown keys are refused: a
/// misspelt `ssl-mode` silently ignored would change the diagnosis.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ticket {
    #[serde(default)]
    id: Value,
    inputs: Vec<TicketInput>,
    #[serde(default)]
    ssl_mode: Option<String>,
    #[serde(default)]
    ports: Vec<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketInput {
    #[serde(default)]
    name: Option<String>,
    text: String,
}

/// What every ticket shares (the CLI's options); a ticket's own `ssl_mode`
/// replaces the mode and its `ports` add to the extra ports.
#[derive(Clone, Default)]
pub struct Settings {
    pub options: Options,
    /// Mask public IPs, host names and Ray IDs in each report.
    pub redact: bool,
}

/// The answer line (without its newline) for one input line: `Ok` holds a
/// report line, `Err` an error line. `line_no` is the 1-based line number,
/// named in every error so a ticket without a readable `id` is found too.
pub fn triage_line(line: &str, line_no: u64, settings: &Settings) -> Result<String, String> {
    match serde_json::from_str::<Ticket>(line) {
        Ok(ticket) => triage(ticket, line_no, settings),
        Err(e) => Err({
            // Echo the id even when the rest of the object is wrong, so the
            // helpdesk can match the error to its ticket.
            let id = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(Value::Null);
            error_line(&id, line_no, &e.to_string())
        }),
    }
}

fn triage(ticket: Ticket, line_no: u64, settings: &Settings) -> Result<String, String> {
    let mut options = settings.options.clone();
    if let Some(mode) = &ticket.ssl_mode {
        match SslMode::parse(mode) {
            Some(m) => options.ssl_mode = m,
            None => {
                return Err(error_line(
                    &ticket.id,
                    line_no,
                    &format!("unknown ssl_mode `{mode}` (unknown, off, flexible, full, strict)"),
                ))
            }
        }
    }
    if ticket.ports.contains(&0) {
        return Err(error_line(
            &ticket.id,
            line_no,
            "ports: 0 is not a port (1-65535)",
        ));
    }
    options.extra_ports.extend(ticket.ports);
    let inputs: Vec<CaseInput> = ticket
        .inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            let name = input.name.unwrap_or_else(|| format!("input{}", i + 1));
            CaseInput::new(name, input.text)
        })
        .collect();
    let report = crate::analyze(&inputs, &options);
    let mut json = crate::report::json::render_compact(&report);
    if settings.redact {
        json = crate::redact::redact(&json, &options.ranges);
    }
    Ok(format!("{{\"id\":{},\"report\":{json}}}", ticket.id))
}

/// `{"id":…,"line":…,"error":…}`, keys in that order (a `json!` map would
/// sort them and put the id last).
fn error_line(id: &Value, line_no: u64, message: &str) -> String {
    let message = Value::String(message.to_string());
    format!("{{\"id\":{id},\"line\":{line_no},\"error\":{message}}}")
}

/// Lines read before a chunk is handed to the threads, and the bytes after
/// which a chunk is closed early (a few huge tickets must not pile up).
const CHUNK_LINES: usize = 512;
const CHUNK_BYTES: usize = 64 << 20;

/// What a batch run did, for the caller's exit status and messages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub tickets: u64,
    pub errors: u64,
}

/// Triage every line of `input` on `threads` threads and write the answers
/// to `output` in input order. Blank lines are skipped. Only I/O errors
/// stop the run; a bad ticket becomes an error object.
pub fn run(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    threads: usize,
    settings: &Settings,
) -> io::Result<Summary> {
    let threads = threads.max(1);
    let mut summary = Summary::default();
    let mut line_no = 0u64;
    let mut chunk: Vec<(u64, String)> = Vec::with_capacity(CHUNK_LINES);
    let mut buf = Vec::new();
    loop {
        chunk.clear();
        let mut bytes = 0usize;
        let mut eof = false;
        while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            // Invalid UTF-8 becomes U+FFFD: the JSON still parses, and the
            // odd bytes are diagnosed as not understood, not a crash.
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim();
            if !line.is_empty() {
                bytes += line.len();
                chunk.push((line_no, line.to_string()));
            }
        }
        let answers = triage_chunk(&chunk, threads, settings);
        for answer in &answers {
            summary.tickets += 1;
            let line = answer.as_ref().unwrap_or_else(|e| {
                summary.errors += 1;
                e
            });
            output.write_all(line.as_bytes())?;
            output.write_all(b"\n")?;
        }
        output.flush()?;
        if eof {
            return Ok(summary);
        }
    }
}

/// The answers of one chunk, in its order. Threads take the next unclaimed
/// line, so one slow ticket does not hold back a fixed share of the chunk.
fn triage_chunk(
    chunk: &[(u64, String)],
    threads: usize,
    settings: &Settings,
) -> Vec<Result<String, String>> {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let one = |(n, line): &(u64, String)| triage_line(line, *n, settings);
    if threads == 1 || chunk.len() < 2 {
        return chunk.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<String, String>>> = vec![None; chunk.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(chunk.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = chunk.get(i) else {
                            return done;
                        };
                        done.push((i, one(item)));
                    }
                })
            })
            .collect();
        for worker in workers {
            // A worker that panicked (a bug in the engine, in a build that
            // unwinds) loses its tickets; they get an error line below.
            for (i, answer) in worker.join().unwrap_or_default() {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(answer);
                }
            }
        }
    });
    slots
        .into_iter()
        .zip(chunk)
        .map(|(answer, (n, _))| {
            answer.unwrap_or_else(|| {
                Err(error_line(
                    &Value::Null,
                    *n,
                    "the engine failed on this ticket",
                ))
            })
        })
        .collect()
}
