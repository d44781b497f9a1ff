//! Every fact a parser produces has a consumer in the diagnosis: each
//! field of `Facts` and of every parser's `*Facts` struct is read in
//! `src/diagnose/`, or in a parser or `Facts` helper that the diagnosis
//! (or the case reader feeding it) calls. A new fact that nothing reads
//! fails here, listed by name.

use std::path::Path;

/// Counters of the reading itself, shown by the report, not evidence.
const BOOKKEEPING: &[&str] = &["understood_lines", "not_understood"];

fn read_tree(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_tree(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), text));
            }
        }
    }
}

/// The `pub` fields of `pub struct NAME { ... }` in `text`.
fn fields(text: &str, name: &str) -> Vec<String> {
    let Some(start) = text.find(&format!("pub struct {name} ")) else {
        return Vec::new();
    };
    let body = &text[start..];
    let Some(open) = body.find('{') else {
        return Vec::new();
    };
    let Some(close) = body.find("\n}") else {
        return Vec::new();
    };
    body[open + 1..close]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':').map(|(f, _)| f.trim().to_string()))
        .filter(|f| f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

/// Names of the `*Facts` structs declared in `text`.
fn facts_structs(text: &str) -> Vec<String> {
    text.match_indices("pub struct ")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            name.ends_with("Facts").then_some(name)
        })
        .collect()
}

/// Bodies of the public functions in `files` that `callers` call.
fn called_bodies(files: &[(String, String)], callers: &str) -> String {
    let mut out = String::new();
    for (_, text) in files {
        for (i, m) in text.match_indices("pub fn ") {
            let rest = &text[i + m.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() || !callers.contains(&format!("{name}(")) {
                continue;
            }
            let end = rest.find("\n}").map_or(rest.len(), |e| e + 2);
            out.push_str(&rest[..end]);
        }
    }
    out
}

fn is_read(consumers: &str, field: &str) -> bool {
    consumers.match_indices(&format!(".{field}")).any(|(i, m)| {
        consumers[i + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

#[test]
fn every_parsed_fact_has_a_consumer_in_the_diagnosis() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diagnose = Vec::new();
    read_tree(&root.join("src/diagnose"), &mut diagnose);
    let mut parse = Vec::new();
    read_tree(&root.join("src/parse"), &mut parse);
    let facts_rs = std::fs::read_to_string(root.join("src/facts.rs")).unwrap_or_default();
    let case_rs = std::fs::read_to_string(root.join("src/case.rs")).unwrap_or_default();
    assert!(!diagnose.is_empty() && !parse.is_empty() && !facts_rs.is_empty());

    let callers: String = diagnose.iter().map(|(_, t)| t.as_str()).collect::<String>() + &case_rs;
    let mut helpers = parse.clone();
    helpers.push(("src/facts.rs".into(), facts_rs.clone()));
    let consumers = format!("{callers}{}", called_bodies(&helpers, &callers));

    let mut facts: Vec<(String, String)> = fields(&facts_rs, "Facts")
        .into_iter()
        .map(|f| ("Facts".to_string(), f))
        .collect();
    for (_, text) in &parse {
        for s in facts_structs(text) {
            facts.extend(fields(text, &s).into_iter().map(|f| (s.clone(), f)));
        }
    }
    assert!(facts.len() > 60, "too few facts found: {}", facts.len());
    let unread: Vec<String> = facts
        .iter()
        .filter(|(_, f)| !BOOKKEEPING.contains(&f.as_str()))
        .filter(|(_, f)| !is_read(&consumers, f))
        .map(|(s, f)| format!("{s}.{f}"))
        .collect();
    assert!(
        unread.is_empty(),
        "facts no rule reads: {unread:?} (read them in src/diagnose/, or drop them)"
    );
}
