//! Visible text of pasted HTML, with the input line each piece came from.
//!
//! Not a full HTML parser: enough to read Cloudflare's error pages and other
//! pasted pages the way a browser would show them. Script, style and comment
//! contents are skipped; every run of text between tags becomes one
//! [`Fragment`], entity-decoded and whitespace-collapsed.

use crate::text::Line;

/// A piece of visible text and the 1-based input line where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    pub line: usize,
    pub text: String,
}

/// True when the lines look like markup rather than copied visible text.
pub fn looks_like_html(lines: &[Line<'_>]) -> bool {
    lines.iter().take(400).any(|l| {
        let t = l.text.to_ascii_lowercase();
        t.contains("<html") || t.contains("<!doctype") || t.contains("<div") || t.contains("<title")
    })
}

/// Visible text fragments of HTML lines.
pub fn fragments(lines: &[Line<'_>]) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut text_line = 0;
    let mut state = State::Text;
    for line in lines {
        let mut rest = line.text;
        // Lines are joined by a space, as HTML treats newlines.
        if matches!(state, State::Text) && !text.is_empty() {
            text.push(' ');
        }
        while !rest.is_empty() {
            match state {
                State::Text => match rest.find('<') {
                    Some(i) => {
                        let (before, after) = rest.split_at(i);
                        push_text(&mut text, &mut text_line, line.no, before);
                        flush(&mut out, &mut text, text_line);
                        state = State::Tag(String::new());
                        rest = after.get(1..).unwrap_or("");
                    }
                    None => {
                        push_text(&mut text, &mut text_line, line.no, rest);
                        rest = "";
                    }
                },
                State::Tag(ref mut name) => {
                    if name.is_empty() && rest.starts_with("!--") {
                        state = State::Comment;
                        rest = rest.get(3..).unwrap_or("");
                        continue;
                    }
                    match rest.find('>') {
                        Some(i) => {
                            name.push_str(rest.get(..i).unwrap_or(""));
                            let tag = tag_name(name);
                            rest = rest.get(i + 1..).unwrap_or("");
                            let closing = name.trim_start().starts_with('/');
                            state = match tag.as_str() {
                                "script" | "style" if !closing => State::Raw(tag),
                                _ => State::Text,
                            };
                        }
                        None => {
                            name.push_str(rest);
                            name.push(' ');
                            rest = "";
                        }
                    }
                }
                State::Comment => match rest.find("-->") {
                    Some(i) => {
                        rest = rest.get(i + 3..).unwrap_or("");
                        state = State::Text;
                    }
                    None => rest = "",
                },
                State::Raw(ref tag) => {
                    let close = format!("</{tag}");
                    match rest.to_ascii_lowercase().find(&close) {
                        Some(i) => {
                            rest = rest.get(i + 1..).unwrap_or("");
                            state = State::Tag(String::new());
                        }
                        None => rest = "",
                    }
                }
            }
        }
    }
    flush(&mut out, &mut text, text_line);
    out
}

enum State {
    Text,
    /// Inside `<...>`; holds the tag text read so far.
    Tag(String),
    Comment,
    /// Inside `<script>` or `<style>`: text is not visible.
    Raw(String),
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn push_text(text: &mut String, text_line: &mut usize, line_no: usize, piece: &str) {
    if text.trim().is_empty() && !piece.trim().is_empty() {
        *text_line = line_no;
    }
    text.push_str(piece);
}

fn flush(out: &mut Vec<Fragment>, text: &mut String, line: usize) {
    let collapsed = collapse(&decode_entities(text));
    if !collapsed.is_empty() {
        out.push(Fragment {
            line,
            text: collapsed,
        });
    }
    text.clear();
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decode the entities error pages and common pages use, plus numeric ones.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(after.get(..e).unwrap_or("")));
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = after.get(e + 1..).unwrap_or("");
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "bull" => Some('•'),
        "middot" => Some('·'),
        "ndash" => Some('–'),
        "mdash" => Some('—'),
        "hellip" => Some('…'),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let num = name.strip_prefix('#')?;
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse().ok()?,
    };
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn texts(src: &str) -> Vec<(usize, String)> {
        fragments(&lines(src))
            .into_iter()
            .map(|f| (f.line, f.text))
            .collect()
    }

    #[test]
    fn skips_scripts_styles_and_comments() {
        let got = texts(
            "<p>A &amp; B</p>\n<script>if (a<b) {x()}</script>\n<!-- hidden\n still -->\n<style>p{}</style><b>C</b>",
        );
        assert_eq!(got, vec![(1, "A & B".into()), (5, "C".into())]);
    }

    #[test]
    fn tags_spanning_lines_and_text_spanning_lines() {
        let got = texts("<span\n class=\"x\">Ray\n ID</span>&#58;&#x20;ok");
        assert_eq!(got, vec![(2, "Ray ID".into()), (3, ": ok".into())]);
    }

    #[test]
    fn unknown_entities_and_bare_ampersands_stay() {
        assert_eq!(decode_entities("a & b &zz; &#xZZ;"), "a & b &zz; &#xZZ;");
    }
}
