//! Cuts a pasted ticket into blocks and names the kind of each.
//!
//! A ticket mixes prose, Markdown fences, `> ` quotes, shell prompts
//! (`root@host:~#`, `$ `, `[root@h ~]#`, `PS C:\>`), commands and their
//! outputs. A command line starts a block and is the strongest hint of what
//! follows; fences delimit blocks; otherwise blank-line paragraphs are
//! classified by content and neighbours of the same kind are merged.
//!
//! **Guarantee:** every input line belongs to exactly one block, and blocks
//! keep the input's own line numbers.

pub use crate::parse::kind::{BlockKind, KindOverride};
use crate::parse::textscan::{is_prose_line, is_prose_paragraph};
use crate::parse::{formats, sniff};
use crate::text::{self, Line};

/// A run of lines of one kind. `lines` are the content lines with prompts,
/// quote markers and per-line backticks removed; the command line itself is
/// not among them.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub kind: BlockKind,
    pub command: Option<&'a str>,
    pub first_line: usize,
    pub last_line: usize,
    pub lines: Vec<Line<'a>>,
}

/// Split numbered lines into classified blocks.
pub fn split<'a>(all: &[Line<'a>]) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    for segment in segments(all) {
        classify_segment(segment, &mut blocks);
    }
    blocks
}

/// A run delimited by fences or command lines, before classification.
struct Segment<'a> {
    command: Option<&'a str>,
    first_line: usize,
    last_line: usize,
    lines: Vec<Line<'a>>,
}

fn segments<'a>(all: &[Line<'a>]) -> Vec<Segment<'a>> {
    let mut out: Vec<Segment<'a>> = Vec::new();
    let mut cur: Option<Segment<'a>> = None;
    let mut in_fence = false;
    for line in all {
        // A collector's prefix goes first (`2024-…Z > nginx -t`), then quote
        // marks, then a prefix inside the quote.
        let text = text::strip_line_prefix(strip_decoration(text::strip_line_prefix(line.text)));
        let trimmed = text.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // A fence ends the current block either way; its own line joins
            // the block it closes (or opens) so no line is lost.
            if !in_fence {
                if let Some(s) = cur
                    .as_mut()
                    .filter(|s| s.command.is_some() && s.lines.is_empty())
                {
                    // `free -m` then a fence: the fence holds its output.
                    s.last_line = line.no;
                    in_fence = true;
                    continue;
                }
            }
            if let Some(mut s) = cur.take() {
                if in_fence {
                    s.last_line = line.no;
                    out.push(s);
                    in_fence = false;
                    continue;
                }
                out.push(s);
            }
            in_fence = true;
            cur = Some(Segment {
                command: None,
                first_line: line.no,
                last_line: line.no,
                lines: Vec::new(),
            });
            continue;
        }
        if let Some(cmd) = command_of(text) {
            if let Some(s) = cur.take() {
                // An empty fenced block waiting for content takes the command.
                if s.lines.is_empty() && s.command.is_none() && in_fence {
                    cur = Some(Segment {
                        command: Some(cmd),
                        last_line: line.no,
                        ..s
                    });
                    continue;
                }
                out.push(s);
            }
            cur = Some(Segment {
                command: Some(cmd),
                first_line: line.no,
                last_line: line.no,
                lines: Vec::new(),
            });
            continue;
        }
        let seg = cur.get_or_insert_with(|| Segment {
            command: None,
            first_line: line.no,
            last_line: line.no,
            lines: Vec::new(),
        });
        seg.last_line = line.no;
        seg.lines.push(Line { no: line.no, text });
    }
    if let Some(s) = cur {
        out.push(s);
    }
    for s in &mut out {
        dedent(&mut s.lines);
    }
    out
}

/// Remove the indentation every non-blank line shares (a dump indented as a
/// Markdown code block or by a mail client reads as the tool printed it).
fn dedent(lines: &mut [Line<'_>]) {
    let n = text::common_indent(lines);
    if n == 0 {
        return;
    }
    for l in lines.iter_mut() {
        l.text = l.text.get(n..).unwrap_or("");
    }
}

/// Remove `> ` quote markers and backticks wrapping a whole line.
fn strip_decoration(text: &str) -> &str {
    let mut t = text;
    while let Some(rest) = t.strip_prefix('>') {
        // `>` alone is a quote marker; curl's `> GET /` request lines keep it.
        if rest.starts_with(' ') && looks_like_request_line(rest.trim_start()) {
            break;
        }
        t = rest.strip_prefix(' ').unwrap_or(rest);
    }
    let mut trimmed = t.trim();
    // `- `[ERROR] No listener is available`` : a Markdown list item that
    // only quotes a line.
    if let Some(item) = ["- ", "* ", "+ "]
        .iter()
        .find_map(|b| trimmed.strip_prefix(b))
        .filter(|item| item.trim_start().starts_with('`'))
    {
        trimmed = item.trim();
    }
    if trimmed.len() >= 2
        && trimmed.starts_with('`')
        && trimmed.ends_with('`')
        && !trimmed.starts_with("```")
    {
        return trimmed.trim_matches('`');
    }
    // `**nginx   /docker-entrypoint.sh ngin ...   Exit 1**`: one output row
    // set in bold to point at it.
    if let Some(inner) = trimmed
        .strip_prefix("**")
        .and_then(|r| r.strip_suffix("**"))
        .filter(|i| !i.is_empty() && !i.contains("**"))
    {
        return inner.trim();
    }
    t
}

fn looks_like_request_line(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "GET" | "HEAD" | "POST" | "Host:" | "User-Agent:" | "Accept:" | "PUT" | "OPTIONS"
    ) || s.is_empty()
}

/// The command of a prompt line such as `root@web1:~# ufw status`,
/// `$ sudo ss -tlnp`, `[root@web1 ~]# nft list ruleset` or a bare known
/// command line like `sudo iptables -S`.
pub fn command_of(text: &str) -> Option<&str> {
    let t = text.trim();
    let after_prompt = crate::parse::textscan::command_of(t);
    let candidate = after_prompt.unwrap_or(t);
    let first = candidate.split_whitespace().next()?;
    let word = if first == "sudo" {
        candidate
            .split_whitespace()
            .find(|w| !w.starts_with('-') && *w != "sudo")?
    } else {
        first
    };
    let word = word.rsplit('/').next().unwrap_or(word);
    if !formats::is_command(word) {
        return None;
    }
    // A bare line (no prompt) must read like a command typed at column 0,
    // not output or prose that happens to start with "host" or "free".
    // Table rows (`httpd  1022  root ...`) have column gaps; commands do not.
    let indented = text.starts_with([' ', '\t']) || candidate.contains("  ");
    if after_prompt.is_none() && (indented || !bare_command_shape(candidate, word)) {
        return None;
    }
    Some(candidate)
}

fn bare_command_shape(line: &str, word: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 12 || line.ends_with('.') || line.ends_with('?') {
        return false;
    }
    // The words after the tool name (and after `sudo`).
    let args: Vec<&str> = words
        .iter()
        .skip_while(|w| **w == "sudo" || (w.starts_with('-') && **w != word))
        .skip(1)
        .copied()
        .collect();
    let subcommand = args.iter().find(|w| !w.starts_with('-')).copied();
    let options_only = args
        .iter()
        .all(|w| w.starts_with('-') || w.parse::<u32>().is_ok());
    match word {
        "free" | "top" | "htop" | "uptime" | "ulimit" | "dmesg" => options_only,
        "ip" => subcommand.is_some_and(|s| {
            ["a", "addr", "address", "route", "r", "link", "l", "-br"].contains(&s)
        }),
        "host" | "dig" | "nslookup" | "ping" | "ping6" => {
            subcommand.is_some_and(|s| s.contains('.') || s.contains(':') || s.starts_with('@'))
        }
        // `curl -v -H Host:web1 localhost:2080`: option values are not
        // subcommands; a URL or host among the arguments makes it a command.
        "curl" | "wget" => args.iter().any(|w| {
            !w.starts_with('-')
                && (w.contains("://") || w.starts_with("localhost") || w.contains('.'))
        }),
        "service" => args
            .get(1)
            .is_some_and(|w| ["status", "start", "restart", "reload", "stop"].contains(w)),
        "cat" | "head" | "tail" | "less" | "grep" | "zcat" | "more" => {
            args.iter().any(|w| w.contains('/'))
        }
        "hostname" => args.iter().any(|w| *w == "-I" || *w == "-i"),
        // A program's own log line that starts with its name: the kernel's
        // `nginx invoked oom-killer: gfp_mask=...` and `nginx cpuset=/
        // mems_allowed=0`. Typed commands put no `label:` word among their
        // arguments, and no `key=value` first (sysctl aside).
        _ if args.iter().any(|w| w.ends_with(':') && !w.starts_with('-'))
            || subcommand.is_some_and(|s| s.contains('=') && word != "sysctl") =>
        {
            false
        }
        _ => subcommand.is_none_or(|s| {
            // `ufw status`, `nginx -t`, `ss -tlnp`: a subcommand word is
            // lowercase, no sentence words.
            s.chars().any(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:/=@".contains(c))
                && !["is", "was", "has", "shows", "says", "not", "works", "keeps"].contains(&s)
        }),
    }
}

fn classify_segment<'a>(seg: Segment<'a>, out: &mut Vec<Block<'a>>) {
    let start = out.len();
    let (first_line, last_line) = (seg.first_line, seg.last_line);
    // A fence or command line at the edges is not among the content lines;
    // it belongs to the segment's first (or last) block.
    let opens_with_marker = seg.lines.first().is_none_or(|l| l.no != first_line);
    let closes_with_marker = seg.lines.last().is_none_or(|l| l.no != last_line);
    classify_lines(seg, out);
    if opens_with_marker {
        if let Some(b) = out.get_mut(start) {
            b.first_line = b.first_line.min(first_line);
        }
    }
    if closes_with_marker && out.len() > start {
        if let Some(b) = out.last_mut() {
            b.last_line = b.last_line.max(last_line);
        }
    }
}

fn classify_lines<'a>(seg: Segment<'a>, out: &mut Vec<Block<'a>>) {
    if let Some(kind) = seg.command.and_then(formats::named_by) {
        // Output of a known command, up to a paragraph that is plainly
        // another tool's output (pasted without its command line).
        let (lines, rest) = split_other_output(seg.lines, kind);
        if let Some(first) = rest.first().map(|l| l.no) {
            let last_line = seg.last_line;
            let own_last = lines.last().map(|l| l.no).unwrap_or(seg.first_line);
            classify_lines(
                Segment {
                    command: seg.command,
                    first_line: seg.first_line,
                    last_line: own_last,
                    lines,
                },
                out,
            );
            classify_lines(
                Segment {
                    command: None,
                    first_line: first,
                    last_line,
                    lines: rest,
                },
                out,
            );
            return;
        }
        // Minus trailing prose paragraphs.
        let (output, prose) = split_trailing_prose(lines);
        let last = output.last().map(|l| l.no).unwrap_or(seg.first_line);
        out.push(Block {
            kind,
            command: seg.command,
            first_line: seg.first_line,
            last_line: if prose.is_empty() {
                seg.last_line
            } else {
                last
            },
            lines: output,
        });
        push_paragraphs(prose, out);
        return;
    }
    if let Some(cmd) = seg.command {
        // A command we do not know: its output is classified by content,
        // but the block keeps the command for the reader.
        let kind = formats::best(&seg.lines).unwrap_or(BlockKind::Unknown);
        out.push(Block {
            kind,
            command: Some(cmd),
            first_line: seg.first_line,
            last_line: seg.last_line,
            lines: seg.lines,
        });
        return;
    }
    // A saved HTML page has blank lines inside: it stays whole up to its
    // `</html>` or the first line of another tool's output. Otherwise
    // paragraphs are judged one by one.
    let (page, rest) = split_html_page(seg.lines);
    let html_page = crate::parse::html::looks_like_html(&page);
    if let Some(kind) = formats::best(&page).filter(|k| *k == BlockKind::ErrorPage && html_page) {
        let own_last = page.last().map_or(seg.first_line, |l| l.no);
        out.push(Block {
            kind,
            command: None,
            first_line: seg.first_line,
            last_line: if rest.is_empty() {
                seg.last_line
            } else {
                own_last
            },
            lines: page,
        });
        if let Some(first) = rest.first().map(|l| l.no) {
            classify_lines(
                Segment {
                    command: None,
                    first_line: first,
                    last_line: seg.last_line,
                    lines: rest,
                },
                out,
            );
        }
        return;
    }
    let mut lines = page;
    lines.extend(rest);
    push_paragraphs(lines, out);
}

fn ends_html(text: &str) -> bool {
    text.to_ascii_lowercase().contains("</html>")
}

/// The lines up to the end of an HTML document that opens the segment, and
/// the lines after it: `</html>` ends it, and so does a line that starts
/// another tool's output.
fn split_html_page<'a>(lines: Vec<Line<'a>>) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let starts_other =
        |l: &Line<'_>| sniff::starts_document(l.text).is_some_and(|k| k != BlockKind::ErrorPage);
    let cut = lines.iter().enumerate().find_map(|(i, l)| {
        if i > 0 && starts_other(l) {
            Some(i)
        } else {
            ends_html(l.text).then_some(i + 1)
        }
    });
    let mut page = lines;
    // Blank lines after `</html>` stay with the page.
    let rest = match cut {
        Some(i) => {
            let i = i.min(page.len());
            let skip = page.get(i..).map_or(0, |r| {
                r.iter().take_while(|l| l.text.trim().is_empty()).count()
            });
            page.split_off(i + skip)
        }
        None => Vec::new(),
    };
    (page, rest)
}

/// Splits a command's lines where a later paragraph is confidently another
/// kind of output (an HTML page or a dump pasted after this command's
/// output without a command line of its own).
fn split_other_output<'a>(lines: Vec<Line<'a>>, kind: BlockKind) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let paras = paragraphs(&lines);
    let mut cut = None;
    // An nft ruleset's chains are paragraphs inside its table's braces
    // (`log prefix "[UFW BLOCK] "` in one reads like a ban list): nothing
    // else starts before the table closes.
    let mut depth: i64 = 0;
    for (i, p) in paras.iter().enumerate() {
        if kind == BlockKind::Nftables && i > 0 && depth > 0 {
            depth += brace_depth(p);
            continue;
        }
        depth += brace_depth(p);
        if i == 0 {
            continue;
        }
        if p.iter()
            .find(|l| !l.text.trim().is_empty())
            .is_some_and(|l| formats::goes_on(kind, l.text))
        {
            continue;
        }
        let other = formats::best(p)
            .filter(|k| *k != kind && !matches!(k, BlockKind::Prose | BlockKind::Unknown));
        let strong = other.is_some_and(|k| {
            k == BlockKind::ErrorPage
                || formats::best(&p.iter().copied().take(3).collect::<Vec<_>>()) == Some(k)
        });
        if strong {
            cut = p.first().map(|l| l.no);
            break;
        }
    }
    match cut.and_then(|no| lines.iter().position(|l| l.no == no)) {
        Some(i) => {
            let mut own = lines;
            let rest = own.split_off(i);
            (own, rest)
        }
        None => (lines, Vec::new()),
    }
}

/// Splits off paragraphs of prose that follow a command's output.
fn split_trailing_prose<'a>(lines: Vec<Line<'a>>) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let paragraphs = paragraphs(&lines);
    let mut cut = lines.len();
    for p in paragraphs.iter().rev() {
        if is_prose_paragraph(p) {
            if let Some(first) = p.first() {
                cut = lines.iter().position(|l| l.no == first.no).unwrap_or(cut);
            }
        } else {
            break;
        }
    }
    // Keep at least the first paragraph as output.
    if cut == 0 {
        cut = paragraphs.first().map(|p| p.len()).unwrap_or(0);
    }
    let mut output = lines;
    let prose = output.split_off(cut.min(output.len()));
    (output, prose)
}

/// Runs of lines ended by a blank line. Documents pasted back to back are
/// paragraphs of their own too: `</html>` ends one, and a line a tool
/// prints first (`# Generated by iptables-save`) starts one.
fn paragraphs<'a>(lines: &[Line<'a>]) -> Vec<Vec<Line<'a>>> {
    let mut out: Vec<Vec<Line<'a>>> = Vec::new();
    let mut cur: Vec<Line<'a>> = Vec::new();
    let cjk = |l: &Line<'_>| crate::parse::textscan::is_cjk_sentence(l.text.trim());
    for (i, l) in lines.iter().enumerate() {
        // A sentence in Chinese, Japanese or Korean between outputs pasted
        // with no blank line: it closes the output above and opens a new
        // paragraph for the output below.
        let switches = cur.last().is_some_and(|prev| cjk(prev) != cjk(l));
        if !cur.is_empty() && (sniff::starts_document(l.text).is_some() || switches) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(*l);
        // "… with the following custom-vhost.conf:" then the file: the
        // sentence introduces output, it is not part of it.
        let introduces = lines.get(i + 1).is_some_and(|next| {
            let t = l.text.trim();
            t.ends_with(':')
                && is_prose_line(t)
                && !next.text.trim().is_empty()
                && !is_prose_line(next.text)
        });
        if l.text.trim().is_empty() || ends_html(l.text) || introduces {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Classify the paragraphs of one segment and append them to `all`. Blocks
/// never reach into another segment: a fence or a command line is a hard
/// boundary.
fn push_paragraphs<'a>(lines: Vec<Line<'a>>, all: &mut Vec<Block<'a>>) {
    let mut out: Vec<Block<'a>> = Vec::new();
    let mut braces = OpenBraces::default();
    for mut p in paragraphs(&lines) {
        let goes_on = continues_previous(out.last(), &p, &mut braces);
        if !goes_on {
            dedent(&mut p);
        }
        let content: Vec<&Line<'a>> = p.iter().filter(|l| !l.text.trim().is_empty()).collect();
        let (Some(first), Some(last)) = (p.first(), p.last()) else {
            continue;
        };
        if content.is_empty() || goes_on {
            // Blank lines, and the rest of an unfinished structure (an nft
            // ruleset between braces), belong to the block before.
            if let Some(prev) = out.last_mut() {
                prev.last_line = last.no;
                prev.lines.extend(p.iter().copied());
                continue;
            }
            // Blank lines between two segments stay with the block before.
            if let Some(prev) = all.last_mut().filter(|_| content.is_empty()) {
                prev.last_line = last.no;
                continue;
            }
        }
        // Addresses under a sentence that says they are banned ("These
        // are banned in my recidive jail:") are a ban list; the sentence
        // names it, so it opens the block.
        if crate::parse::bans::starts_address_list(content.iter().map(|l| l.text)) {
            if let Some(intro) = take_ban_intro(&mut out) {
                let mut lines = vec![intro];
                lines.extend(p.iter().copied());
                out.push(Block {
                    kind: BlockKind::Bans,
                    command: None,
                    first_line: intro.no,
                    last_line: last.no,
                    lines,
                });
                continue;
            }
        }
        // Sentences, then one that introduces a ban list, then addresses:
        // the sentences are prose, the rest a ban list.
        if let Some(i) = ban_intro_at(&p) {
            let last_no = last.no;
            let mut before = p;
            let list = before.split_off(i);
            if let (Some(f), Some(l)) = (before.first(), before.last()) {
                let (first_line, last_line) = (f.no, l.no);
                out.push(Block {
                    kind: BlockKind::Prose,
                    command: None,
                    first_line,
                    last_line,
                    lines: before,
                });
            }
            if let Some(f) = list.first() {
                out.push(Block {
                    kind: BlockKind::Bans,
                    command: None,
                    first_line: f.no,
                    last_line: last_no,
                    lines: list,
                });
            }
            continue;
        }
        // The next part of the dump before it (an `iptables -L` listing has
        // a paragraph per chain) is that dump: no format is asked again.
        let sniffed = match out.last() {
            Some(prev)
                if content
                    .first()
                    .is_some_and(|l| formats::goes_on(prev.kind, l.text)) =>
            {
                Some(prev.kind)
            }
            _ => formats::best(&p),
        };
        // Counted only for a paragraph no signature claimed: a dump's lines
        // are never tested as sentences.
        let mostly_prose =
            || content.iter().filter(|l| is_prose_line(l.text)).count() * 2 >= content.len();
        let kind = match sniffed {
            // A paragraph of plain sentences that mention a tool ("I added
            // the ranges to fail2ban ignoreip") is prose, not its output.
            Some(kind)
                if !tells_in_sentences(kind) && content.iter().all(|l| is_sentence(l.text)) =>
            {
                BlockKind::Prose
            }
            Some(kind) => kind,
            None if mostly_prose() => BlockKind::Prose,
            // Output with no signature of its own continues the output
            // before it (an iptables -L listing has one paragraph per chain).
            None => match out.last() {
                Some(prev) if !matches!(prev.kind, BlockKind::Prose | BlockKind::Unknown) => {
                    prev.kind
                }
                _ => BlockKind::Unknown,
            },
        };
        let joins = out.last().is_some_and(|prev| {
            prev.kind == kind && (prev.command.is_none() || kind != BlockKind::Prose)
        });
        match out.last_mut() {
            Some(prev) if joins => {
                prev.last_line = last.no;
                prev.lines.extend(p.iter().copied());
            }
            _ => out.push(Block {
                kind,
                command: None,
                first_line: first.no,
                last_line: last.no,
                lines: p,
            }),
        }
    }
    // A short unrecognised lead-in (`Server: 127.0.0.53` above an nslookup
    // answer, a zone file's comment header) belongs to the output after it.
    let mut merged: Vec<Block<'a>> = Vec::with_capacity(out.len());
    for block in out.into_iter().rev() {
        let structured = |k: BlockKind| !matches!(k, BlockKind::Prose | BlockKind::Unknown);
        match merged.last_mut() {
            Some(next)
                if block.kind == BlockKind::Unknown
                    && structured(next.kind)
                    && next.command.is_none() =>
            {
                next.first_line = block.first_line;
                let mut lines = block.lines;
                lines.append(&mut next.lines);
                next.lines = lines;
            }
            _ => merged.push(block),
        }
    }
    merged.reverse();
    all.extend(merged);
}

/// Where a paragraph of sentences introduces a ban list that fills the
/// rest of it ("These are banned in my recidive jail:" and addresses).
fn ban_intro_at(p: &[Line<'_>]) -> Option<usize> {
    p.iter().enumerate().position(|(i, l)| {
        let rest = p.get(i + 1..).unwrap_or(&[]);
        crate::parse::bans::introduces_ban_list(l.text)
            && crate::parse::bans::starts_address_list(rest.iter().map(|x| x.text))
            && p.get(..i)
                .unwrap_or(&[])
                .iter()
                .all(|x| x.text.trim().is_empty() || is_prose_line(x.text))
    })
}

/// The last line of a prose block before, when it introduces a ban list:
/// taken out of the prose (the block goes when nothing else is left).
fn take_ban_intro<'a>(out: &mut Vec<Block<'a>>) -> Option<Line<'a>> {
    let prev = out.last_mut().filter(|b| b.kind == BlockKind::Prose)?;
    let at = prev.lines.iter().rposition(|l| !l.text.trim().is_empty())?;
    let intro = *prev.lines.get(at)?;
    if !crate::parse::bans::introduces_ban_list(intro.text) {
        return None;
    }
    prev.lines.truncate(at);
    match prev.lines.iter().rposition(|l| !l.text.trim().is_empty()) {
        Some(keep) => {
            prev.lines.truncate(keep + 1);
            prev.last_line = prev.lines.last().map_or(prev.first_line, |l| l.no);
        }
        None => {
            out.pop();
        }
    }
    Some(intro)
}

/// True when `prev` is a brace-structured dump (nft, web server config)
/// still open, or web server config that `next` goes on with.
fn continues_previous(
    prev: Option<&Block<'_>>,
    next: &[Line<'_>],
    braces: &mut OpenBraces,
) -> bool {
    let Some(prev) = prev else { return false };
    if prev.kind == BlockKind::WebConfig {
        return crate::parse::webconfig::continues(&prev.lines, next);
    }
    prev.kind == BlockKind::Nftables && braces.depth(prev) > 0
}

/// The brace depth of the last nft block, counted once per line as the
/// block grows: recounting the whole block for each of its paragraphs made
/// a ruleset with blank lines between many chains quadratic.
#[derive(Default)]
struct OpenBraces {
    first_line: usize,
    counted: usize,
    depth: i64,
}

impl OpenBraces {
    fn depth(&mut self, block: &Block<'_>) -> i64 {
        if self.first_line != block.first_line || self.counted > block.lines.len() {
            *self = OpenBraces {
                first_line: block.first_line,
                ..OpenBraces::default()
            };
        }
        self.depth += brace_depth(block.lines.get(self.counted..).unwrap_or(&[]));
        self.counted = block.lines.len();
        self.depth
    }
}

/// Braces opened minus closed in `lines`, comments aside.
fn brace_depth(lines: &[Line<'_>]) -> i64 {
    lines
        .iter()
        .map(|l| {
            let t = l.text.split('#').next().unwrap_or("");
            t.matches('{').count() as i64 - t.matches('}').count() as i64
        })
        .sum()
}

/// Kinds whose output is itself sentences (log messages, service status,
/// an error page's text, a probe's verbose lines, config comments).
fn tells_in_sentences(kind: BlockKind) -> bool {
    matches!(
        kind,
        BlockKind::ErrorPage
            | BlockKind::ServiceStatus
            | BlockKind::ConfigTest
            | BlockKind::Logs
            | BlockKind::Probe
            | BlockKind::WebConfig
            | BlockKind::Containers
    )
}

/// A plain sentence: prose with no log stamp, key=value, `[tag]` or
/// `field:` in it (a trailing colon introduces what follows).
fn is_sentence(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    let starts_with_word = words.first().is_some_and(|w| {
        w.trim_end_matches([',', '!'])
            .chars()
            .all(char::is_alphabetic)
    });
    let last = words.len().saturating_sub(1);
    is_prose_line(t)
        && starts_with_word
        && words.iter().enumerate().all(|(i, w)| {
            !w.contains(['[', '=', '|', '{', '<']) && (i == last || !w.ends_with(':'))
        })
}
