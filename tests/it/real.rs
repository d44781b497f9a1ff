//! The real-paste corpus (issue 13, section 7): public tickets, threads and
//! docs, each with what a careful network engineer concludes from the paste
//! alone (written before the engine ran on it). The test prints one line per
//! sample the engine gets wrong and the overall score, and fails when the
//! score drops under `FLOOR_PERCENT`. Format: tests/real/README.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use err521::diagnose::{FindingId, Status};
use err521::options::{Options, SslMode};
use err521::parse::CaseInput;
use err521::report::Report;

/// The score measured when the corpus was last extended, rounded down, so
/// a change that loses real cases fails. It only ever goes up; the target of
/// issue 13 is 90 % (96/105 on 2026-12-07; 139/141 on 2026-12-08).
const FLOOR_PERCENT: u32 = 98;

/// What one `.expect` file states.
#[derive(Debug)]
struct Expect {
    primary: Option<FindingId>,
    statuses: BTreeMap<FindingId, Status>,
    ssl_mode: Option<SslMode>,
}

fn parse_status(s: &str) -> Option<Status> {
    Some(match s {
        "confirmed" => Status::Confirmed,
        "likely" => Status::Likely,
        "unknown" => Status::Unknown,
        "ruled-out" => Status::RuledOut,
        _ => return None,
    })
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "confirmed",
        Status::Likely => "likely",
        Status::Unknown => "unknown",
        Status::RuledOut => "ruled-out",
    }
}

/// Strict on purpose: every line is `key: value`, optionally followed by a
/// `# comment` (except `why`, which is free text). Keys are `primary`
/// (required, once), `why` (required, once), `ssl-mode` and finding ids.
fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut primary: Option<Option<FindingId>> = None;
    let mut why = false;
    let mut ssl_mode = None;
    let mut statuses = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let n = n + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let (key, value) = raw
            .split_once(':')
            .ok_or_else(|| format!("line {n}: expected `key: value`"))?;
        let key = key.trim();
        if key == "why" {
            if why {
                return Err(format!("line {n}: `why` given twice"));
            }
            if value.trim().is_empty() {
                return Err(format!("line {n}: empty `why`"));
            }
            why = true;
            continue;
        }
        let value = value.split('#').next().unwrap_or("").trim();
        match key {
            "primary" => {
                if primary.is_some() {
                    return Err(format!("line {n}: `primary` given twice"));
                }
                primary = Some(if value == "none" {
                    None
                } else {
                    Some(
                        FindingId::parse(value)
                            .ok_or_else(|| format!("line {n}: unknown finding id `{value}`"))?,
                    )
                });
            }
            "ssl-mode" => {
                if ssl_mode.is_some() {
                    return Err(format!("line {n}: `ssl-mode` given twice"));
                }
                ssl_mode = Some(
                    SslMode::parse(value)
                        .ok_or_else(|| format!("line {n}: unknown ssl-mode `{value}`"))?,
                );
            }
            _ => {
                let id = FindingId::parse(key)
                    .ok_or_else(|| format!("line {n}: unknown key or finding id `{key}`"))?;
                let status = parse_status(value)
                    .ok_or_else(|| format!("line {n}: unknown status `{value}`"))?;
                if statuses.insert(id, status).is_some() {
                    return Err(format!("line {n}: `{key}` given twice"));
                }
            }
        }
    }
    let primary = primary.ok_or("no `primary:` line")?;
    if !why {
        return Err("no `why:` line".into());
    }
    Ok(Expect {
        primary,
        statuses,
        ssl_mode,
    })
}

fn id_name(id: Option<FindingId>) -> &'static str {
    id.map(FindingId::as_str).unwrap_or("none")
}

/// The differences between the expectation and the report, empty when the
/// engine got the sample right.
fn score(expect: &Expect, report: &Report) -> Vec<String> {
    let mut misses = Vec::new();
    if report.primary != expect.primary {
        misses.push(format!(
            "primary {} got {}",
            id_name(expect.primary),
            id_name(report.primary)
        ));
    }
    for (&id, &want) in &expect.statuses {
        let got = report.status_of(id);
        if got != want {
            misses.push(format!(
                "{id} {} got {}",
                status_name(want),
                status_name(got)
            ));
        }
    }
    for f in &report.findings {
        if matches!(f.status, Status::Confirmed | Status::RuledOut) && f.evidence.is_empty() {
            misses.push(format!(
                "{} {} without evidence",
                f.id,
                status_name(f.status)
            ));
        }
    }
    misses
}

#[test]
fn real_corpus_score() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real");
    let mut txts = Vec::new();
    crate::common::walk::files_under(
        &root,
        &|p| p.extension().is_some_and(|e| e == "txt"),
        &mut txts,
    );
    let mut malformed = Vec::new();
    let mut failing = Vec::new();
    let mut correct = 0usize;
    for txt in &txts {
        let rel = txt.strip_prefix(&root).unwrap_or(txt).display().to_string();
        let text = match std::fs::read_to_string(txt) {
            Ok(t) => t,
            Err(e) => {
                malformed.push(format!("{rel}: {e}"));
                continue;
            }
        };
        let Some((first, paste)) = text.split_once('\n') else {
            malformed.push(format!("{rel}: no paste after the source line"));
            continue;
        };
        if !first.starts_with("# source: ") || first.len() <= "# source: ".len() {
            malformed.push(format!("{rel}: line 1 is not `# source: ...`"));
            continue;
        }
        let expect_path = txt.with_extension("expect");
        let expect = match std::fs::read_to_string(&expect_path) {
            Ok(e) => match parse_expect(&e) {
                Ok(e) => e,
                Err(e) => {
                    malformed.push(format!("{rel}: .expect {e}"));
                    continue;
                }
            },
            Err(_) => {
                malformed.push(format!("{rel}: missing .expect"));
                continue;
            }
        };
        let options = Options {
            ssl_mode: expect.ssl_mode.unwrap_or_default(),
            ..Options::default()
        };
        let name = txt
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = err521::analyze(&[CaseInput::new(name, paste)], &options);
        let misses = score(&expect, &report);
        if misses.is_empty() {
            correct += 1;
        } else {
            failing.push(format!("{rel}: {}", misses.join("; ")));
        }
    }
    let scored = correct + failing.len();
    // An .expect with no paste beside it is a mistake too.
    let mut expects = Vec::new();
    collect_ext(&root, "expect", &mut expects);
    for e in expects {
        if !e.with_extension("txt").is_file() {
            malformed.push(format!("{}: no .txt beside it", e.display()));
        }
    }
    for f in &failing {
        println!("FAIL {f}");
    }
    let percent = (correct * 100)
        .checked_div(scored)
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(0);
    println!("real corpus: {correct}/{scored} correct ({percent} %)");
    assert!(
        malformed.is_empty(),
        "malformed samples:\n{}",
        malformed.join("\n")
    );
    assert!(
        percent >= FLOOR_PERCENT,
        "real corpus score {percent} % is under the floor {FLOOR_PERCENT} %"
    );
}

fn collect_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for p in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if p.is_dir() {
            collect_ext(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

#[test]
fn expect_parser_is_strict() {
    let ok = "primary: none\nban-blocks-cloudflare: unknown   # nothing pasted\nssl-mode: full\nwhy: a # in prose is fine\n";
    let e = parse_expect(ok).map_err(|e| e.to_string());
    assert!(e.is_ok(), "{e:?}");
    for bad in [
        "why: x\n",
        "primary: none\n",
        "primary: web-server-gone\nwhy: x\n",
        "primary: none\nweb-server-down: probable\nwhy: x\n",
        "primary: none\nprimary: none\nwhy: x\n",
        "primary: none\nssl-mode: fullish\nwhy: x\n",
        "primary none\nwhy: x\n",
    ] {
        assert!(parse_expect(bad).is_err(), "accepted: {bad:?}");
    }
}
