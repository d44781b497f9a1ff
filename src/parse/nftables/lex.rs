//! nft's tokens and statements: words, strings, braces, comments (with
//! shell prompts left out), statement boundaries, brace lists, and the
//! address and port literals of sets and rules.

use crate::net::AddrRange;
use crate::parse::textscan::runs_tool;
use crate::text::Line;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tk {
    Word,
    Str,
    LBrace,
    RBrace,
    Semi,
    Comma,
    Newline,
    Comment,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok<'a> {
    pub(super) kind: Tk,
    pub(super) text: &'a str,
    /// Index into the `lines` slice.
    pub(super) line: usize,
}

impl Tok<'_> {
    pub(super) fn is_word(&self, w: &str) -> bool {
        self.kind == Tk::Word && self.text == w
    }
}

pub(super) fn tokenize<'a>(lines: &[Line<'a>], out: &mut Vec<Tok<'a>>) {
    for (idx, line) in lines.iter().enumerate() {
        let text = line.text;
        // Blank by the pipeline's measure (`trim`, which also strips a
        // vertical tab or a no-break space): nothing to read or to reject.
        // The command above the ruleset (`$ sudo nft list ruleset`) is no
        // part of it.
        if runs_tool(text, "nft") || text.trim().is_empty() {
            continue;
        }
        let b = text.as_bytes();
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            let single = match c {
                b'{' => Some(Tk::LBrace),
                b'}' => Some(Tk::RBrace),
                b';' => Some(Tk::Semi),
                b',' => Some(Tk::Comma),
                _ => None,
            };
            if let Some(kind) = single {
                out.push(Tok {
                    kind,
                    text: text.get(i..i + 1).unwrap_or(""),
                    line: idx,
                });
                i += 1;
                continue;
            }
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if c == b'"' {
                let start = i + 1;
                let end = b
                    .get(start..)
                    .and_then(|r| r.iter().position(|&x| x == b'"'))
                    .map_or(b.len(), |p| start + p);
                out.push(Tok {
                    kind: Tk::Str,
                    text: text.get(start..end).unwrap_or(""),
                    line: idx,
                });
                i = end + 1;
                continue;
            }
            if c == b'#' {
                out.push(Tok {
                    kind: Tk::Comment,
                    text: text.get(i + 1..).unwrap_or("").trim(),
                    line: idx,
                });
                break;
            }
            let start = i;
            while let Some(&x) = b.get(i) {
                if x.is_ascii_whitespace() || matches!(x, b'{' | b'}' | b';' | b',' | b'"' | b'#') {
                    break;
                }
                i += 1;
            }
            out.push(Tok {
                kind: Tk::Word,
                text: text.get(start..i).unwrap_or(""),
                line: idx,
            });
        }
        out.push(Tok {
            kind: Tk::Newline,
            text: "",
            line: idx,
        });
    }
}

/// iptables-nft prints a match nft cannot translate as a comment that
/// swallows the rest of the rule: `# xt_addrtype counter packets 0 ... return`.
pub(super) fn is_xt_comment(text: &str) -> bool {
    text.starts_with("xt_") || text.contains("counter packets")
}
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum End {
    Normal,
    Open,
    Close,
    Eof,
}
/// Reads one statement: tokens up to a newline or `;` outside braces, or up
/// to a `{` that opens a block (when `blocks` is set), or a `}` closing the
/// current block.
pub(super) fn next_stmt<'a>(
    toks: &[Tok<'a>],
    pos: &mut usize,
    blocks: bool,
    out: &mut Vec<Tok<'a>>,
) -> End {
    out.clear();
    let mut depth = 0usize;
    while let Some(t) = toks.get(*pos) {
        *pos += 1;
        match t.kind {
            Tk::Newline | Tk::Semi if depth == 0 => {
                if out
                    .iter()
                    .any(|t| t.kind != Tk::Comment || is_xt_comment(t.text))
                {
                    return End::Normal;
                }
                out.clear();
            }
            Tk::Newline => {}
            Tk::LBrace if depth == 0 && blocks => return End::Open,
            Tk::LBrace => {
                depth += 1;
                out.push(*t);
            }
            Tk::RBrace if depth == 0 => return End::Close,
            Tk::RBrace => {
                depth -= 1;
                out.push(*t);
            }
            _ => out.push(*t),
        }
    }
    End::Eof
}
/// Elements of a brace list, split at top-level commas.
pub(super) fn split_elems<'t, 'a>(inner: &'t [Tok<'a>]) -> Vec<&'t [Tok<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in inner.iter().enumerate() {
        match t.kind {
            Tk::LBrace => depth += 1,
            Tk::RBrace => depth = depth.saturating_sub(1),
            Tk::Comma if depth == 0 => {
                if let Some(e) = inner.get(start..i) {
                    if !e.is_empty() {
                        out.push(e);
                    }
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(e) = inner.get(start..) {
        if !e.is_empty() {
            out.push(e);
        }
    }
    out
}

/// `1.2.3.0/24`, `1.2.3.4`, `1.2.3.4-1.2.3.9`, IPv6 alike.
pub(super) fn parse_addr(text: &str) -> Option<AddrRange> {
    if let Some(r) = crate::net::fast_v4(text).or_else(|| AddrRange::parse(text)) {
        return Some(r);
    }
    let (a, b) = text.split_once('-')?;
    let a = AddrRange::parse(a)?;
    let b = AddrRange::parse(b)?;
    (a.family == b.family && a.first <= b.last).then_some(AddrRange {
        family: a.family,
        first: a.first,
        last: b.last,
    })
}

pub(super) fn port_value(text: &str) -> Option<u16> {
    text.parse().ok().or_else(|| crate::net::service_port(text))
}

pub(super) fn parse_port(text: &str) -> Option<(u16, u16)> {
    if let Some(p) = port_value(text) {
        return Some((p, p));
    }
    let (a, b) = text.split_once('-')?;
    let (a, b) = (port_value(a)?, port_value(b)?);
    (a <= b).then_some((a, b))
}
