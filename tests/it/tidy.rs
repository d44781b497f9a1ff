//! Tidy checks on the source tree itself, in the spirit of rust-analyzer's
//! `xtask tidy`: plain tests that read files and fail with `path:line` and
//! what to do, so the layering in docs/ARCHITECTURE.md cannot drift.
//!
//! The module graph is derived from the code: every `crate::a::b` path (in
//! `use` lines and in expressions) and every `super::` path of a file is an
//! edge from that file's module to the deepest module the path names.
//! `#[cfg(test)]` modules are left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Functions longer than this need a `// long: <why>` comment on the first
/// line of their body.
const MAX_FN_LINES: usize = 150;
const LONG_MARKER: &str = "// long:";

/// Modules under `parse/` that are not parsers of a format: shared helpers
/// any parser may use.
const PARSE_SHARED: &[&str] = &["textscan", "kind", "html"];
/// Modules under `parse/` that route blocks to parsers, so they may name
/// every parser; no parser may name them.
const PARSE_DISPATCH: &[&str] = &["split", "sniff", "formats"];

/// Stages after parsing: `parse/` never imports them.
const AFTER_PARSE: &[&str] = &["case", "facts", "diagnose", "fix", "report", "ui"];
/// Stages after diagnosis: `diagnose/` never imports them.
const AFTER_DIAGNOSE: &[&str] = &["fix", "report", "ui"];

type ModPath = Vec<String>;

/// One reference from a file to a module.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    file: String,
    line: usize,
}

struct Source {
    /// Path relative to the package root, `/`-separated.
    rel: String,
    module: ModPath,
    /// The text with comments and literals blanked and `#[cfg(test)]`
    /// modules removed; line breaks kept, so line numbers hold.
    code: String,
    /// The original text.
    text: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The library's sources (binaries are other crates: they name `err521::`).
fn sources() -> Vec<Source> {
    let src = root().join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files
        .into_iter()
        .filter(|p| !p.starts_with(src.join("bin")))
        .map(|p| {
            let rel_src = p.strip_prefix(&src).expect("under src");
            let mut module: ModPath = rel_src
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                module.pop();
            }
            let text = std::fs::read_to_string(&p).expect("readable source");
            let code = remove_test_modules(&blank_comments_and_literals(&text));
            Source {
                rel: format!("src/{}", rel_src.to_string_lossy().replace('\\', "/")),
                module,
                code,
                text,
            }
        })
        .collect()
}

/// Replace comments, string and char literals by spaces (keeping line
/// breaks), so braces and paths inside them are not seen as code.
fn blank_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r'))
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && {
                let s = if at(i) == 'b' { i + 2 } else { i + 1 };
                let mut k = s;
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // Raw string: r#"..."#.
            let mut k = if at(i) == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            out.push('"');
            for ch in &c[i + 1..=k] {
                out.push(blank(*ch));
            }
            i = k + 1;
            'raw: while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                    out.push('"');
                    for _ in 0..hashes {
                        out.push(' ');
                    }
                    i += 1 + hashes;
                    break 'raw;
                }
                out.push(blank(c[i]));
                i += 1;
            }
        } else if at(i) == '"' {
            i = blank_quoted(&c, i, '"', &mut out);
        } else if at(i) == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal; `'a` without a closing quote is a lifetime.
            i = blank_quoted(&c, i, '\'', &mut out);
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Blank a quoted literal starting at `c[i] == quote`, honouring escapes;
/// returns the index after its closing quote.
fn blank_quoted(c: &[char], mut i: usize, quote: char, out: &mut String) -> usize {
    out.push(quote);
    i += 1;
    while i < c.len() && c[i] != quote {
        if c[i] == '\\' {
            out.push(' ');
            i += 1;
        }
        if let Some(ch) = c.get(i) {
            out.push(if *ch == '\n' { '\n' } else { ' ' });
            i += 1;
        }
    }
    out.push(quote);
    i + 1
}

/// The index just past the `}` matching the `{` at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, b) in code.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Blank every `#[cfg(test)] mod name { ... }` (keeping line breaks).
fn remove_test_modules(code: &str) -> String {
    let mut bytes = code.as_bytes().to_vec();
    let mut from = 0;
    while let Some(at) = find_from(&bytes, b"#[cfg(test)]", from) {
        let after = at + b"#[cfg(test)]".len();
        let rest = String::from_utf8_lossy(&bytes[after..]).into_owned();
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ");
        let open = trimmed.find(['{', ';']).map(|k| after + skipped + k);
        match open {
            Some(open) if is_mod && bytes[open] == b'{' => {
                let end = matching_brace(&bytes, open);
                for b in &mut bytes[at..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                from = end;
            }
            _ => from = after,
        }
    }
    String::from_utf8(bytes).expect("only ASCII bytes were replaced by ASCII spaces")
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|k| k + from)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn line_of(code: &str, at: usize) -> usize {
    code.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Paths of a use-tree or expression starting at `at` (just after
/// `crate::` or `super::`): `a::b::C`, `a::{b, c::d, self}`.
fn paths_at(code: &[u8], mut at: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let skip_ws = |mut k: usize| {
        while code.get(k).is_some_and(|b| b.is_ascii_whitespace()) {
            k += 1;
        }
        k
    };
    let mut path = prefix;
    loop {
        at = skip_ws(at);
        if code.get(at) == Some(&b'{') {
            at += 1;
            loop {
                at = skip_ws(at);
                match code.get(at) {
                    Some(b'}') | None => return at + 1,
                    Some(b',') => at += 1,
                    _ => at = paths_at(code, at, path.clone(), out),
                }
            }
        }
        let start = at;
        while code.get(at).is_some_and(|b| is_ident(*b)) {
            at += 1;
        }
        if at == start {
            out.push(path);
            return at;
        }
        let word = String::from_utf8_lossy(&code[start..at]).into_owned();
        if word == "self" {
            out.push(path);
            return at;
        }
        if word == "super" {
            path.pop();
        } else {
            path.push(word);
        }
        let k = skip_ws(at);
        if code.get(k..k + 2) == Some(b"::") {
            at = k + 2;
        } else {
            out.push(path);
            return at;
        }
    }
}

/// The deepest known module a path names (`parse::split::Block` ->
/// `parse::split`).
fn resolve(path: &[String], modules: &BTreeSet<ModPath>) -> ModPath {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

fn edges(sources: &[Source]) -> Vec<Edge> {
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut out = Vec::new();
    for s in sources {
        let code = s.code.as_bytes();
        // `super` in a file module names its parent; in `mod.rs`, the
        // parent of the directory module.
        let is_dir_module = s.rel.ends_with("/mod.rs") || s.rel == "src/lib.rs";
        let own: ModPath = s.module.clone();
        for (kw, base) in [
            ("crate::", Vec::new()),
            ("super::", {
                let mut p = own.clone();
                if !is_dir_module || !p.is_empty() {
                    p.pop();
                }
                p
            }),
        ] {
            let mut from = 0;
            while let Some(at) = find_from(code, kw.as_bytes(), from) {
                from = at + kw.len();
                if at > 0 && (is_ident(code[at - 1]) || code[at - 1] == b':') {
                    continue;
                }
                let mut paths = Vec::new();
                paths_at(code, at + kw.len(), base.clone(), &mut paths);
                let mut targets: Vec<ModPath> =
                    paths.iter().map(|p| resolve(p, &modules)).collect();
                targets.sort();
                targets.dedup();
                for to in targets {
                    if to != own {
                        out.push(Edge {
                            from: own.clone(),
                            to,
                            file: s.rel.clone(),
                            line: line_of(&s.code, at),
                        });
                    }
                }
            }
        }
    }
    out
}

fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_string()
    } else {
        m.join("::")
    }
}

/// Cycles among the children of every module: `parse::split` and
/// `parse::sniff` may not import each other, nor may `facts` and `parse`.
/// A directory module's own file (`mod.rs`) is its face, not a sibling.
fn cycles(edges: &[Edge]) -> Vec<String> {
    let mut parents: BTreeSet<ModPath> = BTreeSet::new();
    for e in edges {
        for m in [&e.from, &e.to] {
            for n in 0..m.len() {
                parents.insert(m[..n].to_vec());
            }
        }
    }
    let mut found = Vec::new();
    for parent in parents {
        let d = parent.len();
        let mut graph: BTreeMap<String, BTreeMap<String, &Edge>> = BTreeMap::new();
        for e in edges {
            if e.from.len() <= d || e.to.len() <= d {
                continue;
            }
            if e.from[..d] != parent[..] || e.to[..d] != parent[..] || e.from[d] == e.to[d] {
                continue;
            }
            graph
                .entry(e.from[d].clone())
                .or_default()
                .entry(e.to[d].clone())
                .or_insert(e);
        }
        for cycle in find_cycles(&graph) {
            let mut msg = format!(
                "import cycle among the children of `{}`: {}",
                show(&parent),
                cycle.join(" -> ")
            );
            for w in cycle.windows(2) {
                let e = graph[&w[0]][&w[1]];
                let _ = write!(
                    msg,
                    "\n    {}:{}: {} -> {}",
                    e.file,
                    e.line,
                    show(&e.from),
                    show(&e.to)
                );
            }
            found.push(msg);
        }
    }
    found
}

/// One cycle per strongly connected component with more than one node,
/// written as a closed walk (`a -> b -> a`).
fn find_cycles(graph: &BTreeMap<String, BTreeMap<String, &Edge>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = graph
        .iter()
        .flat_map(|(a, bs)| std::iter::once(a).chain(bs.keys()))
        .collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in graph.get(&n).into_iter().flat_map(|m| m.keys()) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for n in nodes {
        if reported.contains(n) || !reach(n).contains(n) {
            continue;
        }
        // Shortest path back to `n` (breadth first).
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([n.clone()]);
        'bfs: while let Some(cur) = queue.pop_front() {
            for next in graph.get(&cur).into_iter().flat_map(|m| m.keys()) {
                if next == n {
                    prev.insert(format!("{n}\0end"), cur.clone());
                    break 'bfs;
                }
                if !prev.contains_key(next) {
                    prev.insert(next.clone(), cur.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        // Walk back from the last node before `n` to `n`, then reverse.
        let mut back = Vec::new();
        let mut cur = prev[&format!("{n}\0end")].clone();
        while &cur != n {
            back.push(cur.clone());
            cur = prev[&cur].clone();
        }
        let mut fixed = vec![n.clone()];
        fixed.extend(back.into_iter().rev());
        fixed.push(n.clone());
        reported.extend(fixed.iter().cloned());
        out.push(fixed);
    }
    out
}

fn fail(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!(
            "\n{what}:\n\n{}\n\n({} problem{})\n",
            problems.join("\n"),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
    }
}

#[test]
fn module_graph_has_no_cycles() {
    let sources = sources();
    let edges = edges(&sources);
    assert!(
        edges.len() > 100,
        "the module graph looks empty ({} edges): is the path reader broken?",
        edges.len()
    );
    fail(
        "the module graph of src/ has cycles; move the shared item to a leaf module both can import",
        &cycles(&edges),
    );
}

#[test]
fn layers_point_down_the_flow() {
    let edges = edges(&sources());
    let mut problems = Vec::new();
    for e in &edges {
        let from0 = e.from.first().map(String::as_str);
        let to0 = e.to.first().map(String::as_str).unwrap_or("");
        let at = format!(
            "{}:{}: {} -> {}",
            e.file,
            e.line,
            show(&e.from),
            show(&e.to)
        );
        if from0 == Some("parse") && AFTER_PARSE.contains(&to0) {
            problems.push(format!(
                "{at}\n    parsers never reach the later stages ({AFTER_PARSE:?})"
            ));
        }
        if from0 == Some("diagnose") && AFTER_DIAGNOSE.contains(&to0) {
            problems.push(format!(
                "{at}\n    the diagnosis never reaches fixes or views ({AFTER_DIAGNOSE:?})"
            ));
        }
        // One parser importing another: shared helpers go to textscan,
        // kind, html (or net and text outside parse/).
        if from0 == Some("parse") && to0 == "parse" && e.from.len() >= 2 && e.to.len() >= 2 {
            let (a, b) = (e.from[1].as_str(), e.to[1].as_str());
            let from_parser = !PARSE_SHARED.contains(&a) && !PARSE_DISPATCH.contains(&a);
            if from_parser && a != b && !PARSE_SHARED.contains(&b) {
                problems.push(format!(
                    "{at}\n    one parser imports another: move the shared item to one of {PARSE_SHARED:?}, net or text"
                ));
            }
        }
    }
    fail(
        "imports that break the layering of docs/ARCHITECTURE.md",
        &problems,
    );
}

/// Every `fn` item outside `#[cfg(test)]` modules, as (name, first line,
/// last line).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find_from(b, b"fn", from) {
        from = at + 2;
        if at > 0 && is_ident(b[at - 1]) {
            continue;
        }
        if !b.get(at + 2).is_some_and(|c| c.is_ascii_whitespace()) {
            continue;
        }
        let mut k = at + 2;
        while b.get(k).is_some_and(|c| c.is_ascii_whitespace()) {
            k += 1;
        }
        let start = k;
        while b.get(k).is_some_and(|c| is_ident(*c)) {
            k += 1;
        }
        if k == start {
            continue;
        }
        let name = String::from_utf8_lossy(&b[start..k]).into_owned();
        let Some(open) = b[k..]
            .iter()
            .position(|c| *c == b'{' || *c == b';')
            .map(|p| p + k)
        else {
            continue;
        };
        if b[open] == b';' {
            continue;
        }
        let end = matching_brace(b, open);
        out.push((
            name,
            line_of(code, at),
            line_of(code, end.saturating_sub(1)),
        ));
    }
    out
}

#[test]
fn long_functions_say_why() {
    let mut problems = Vec::new();
    let mut seen = 0;
    for s in sources() {
        let lines: Vec<&str> = s.text.lines().collect();
        for (name, first, last) in functions(&s.code) {
            seen += 1;
            let len = last + 1 - first;
            if len <= MAX_FN_LINES {
                continue;
            }
            // The body's first line is the line after the one holding the
            // opening brace.
            let open_line = (first..=last)
                .find(|n| s.code.lines().nth(n - 1).is_some_and(|l| l.contains('{')))
                .unwrap_or(first);
            let body_first = lines.get(open_line).map(|l| l.trim()).unwrap_or("");
            let why = body_first.strip_prefix(LONG_MARKER).map(str::trim);
            if why.is_none_or(|w| w.len() < 10) {
                problems.push(format!(
                    "{}:{first}: fn {name} is {len} lines (over {MAX_FN_LINES}): split it, or start its body with `{LONG_MARKER} <why it is long>`",
                    s.rel
                ));
            }
        }
    }
    assert!(
        seen > 500,
        "only {seen} functions found: is the reader broken?"
    );
    fail("long functions without a reason", &problems);
}

/// Files the repository tracks (`git ls-files`), or every file under the
/// root when git is not there (a source tarball).
fn tracked_files() -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output();
    if let Ok(out) = out {
        if out.status.success() {
            return out
                .stdout
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
        }
    }
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if matches!(name.to_str(), Some("target" | ".git" | "node_modules")) {
                continue;
            }
            if p.is_dir() {
                walk(&p, base, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&root(), &root(), &mut out);
    out
}

/// Editor and tool leftovers: `.name.tmp`, `name~`, `.name.swp`, `#name#`.
fn is_editor_leftover(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.starts_with('.')
        && (name.ends_with(".tmp") || name.ends_with(".swp") || name.ends_with(".swo")))
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

#[test]
fn no_editor_leftovers_are_committed() {
    let files = tracked_files();
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "file list is empty"
    );
    let problems: Vec<String> = files
        .into_iter()
        .filter(|f| is_editor_leftover(f))
        .map(|f| format!("{f}: an editor leftover; `git rm` it"))
        .collect();
    fail("editor leftovers in the repository", &problems);
}

// The checks themselves, on small inputs, so a broken reader cannot pass
// silently.

#[test]
fn reader_sees_use_trees_and_expression_paths() {
    let code = blank_comments_and_literals(
        "use crate::parse::{self, split::Block, kind::{BlockKind}};\n\
         // use crate::fix::x;\n\
         let s = \"crate::report::x\";\n\
         let f = crate::net::fast_v4(t);\n\
         fn g<'a>(c: char) -> bool { c == '{' }\n",
    );
    let b = code.as_bytes();
    let mut paths = Vec::new();
    let mut from = 0;
    while let Some(at) = find_from(b, b"crate::", from) {
        from = at + 7;
        paths_at(b, at + 7, Vec::new(), &mut paths);
    }
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        [
            "parse",
            "parse::split::Block",
            "parse::kind::BlockKind",
            "net::fast_v4"
        ]
    );
    assert_eq!(functions(&code), [("g".to_string(), 5, 5)]);
}

#[test]
fn cycles_and_leftovers_are_caught() {
    let e = |from: &str, to: &str| Edge {
        from: from.split("::").map(String::from).collect(),
        to: to.split("::").map(String::from).collect(),
        file: "src/x.rs".into(),
        line: 1,
    };
    let found = cycles(&[
        e("parse::split", "parse::sniff"),
        e("parse::sniff", "parse::cloud"),
        e("parse::cloud::gcp", "parse::split"),
        e("facts", "parse::bans"),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("cloud -> split -> sniff -> cloud"),
        "{}",
        found[0]
    );
    assert!(cycles(&[e("facts", "parse::bans"), e("case", "facts")]).is_empty());
    assert_eq!(
        cycles(&[e("facts", "parse::bans"), e("parse::hints", "facts")]).len(),
        1
    );
    for bad in [
        "src/.share.rs.7b7a.tmp",
        "a/b.rs~",
        "src/.x.rs.swp",
        "#notes#",
    ] {
        assert!(is_editor_leftover(bad), "{bad}");
    }
    for good in ["src/share.rs", ".gitignore", "tests/golden/a.tmp.json", "#"] {
        assert!(!is_editor_leftover(good), "{good}");
    }
}
