//! Cloudflare error pages: the 52x pages and 530/1xxx, in the modern (2020+)
//! and legacy layouts, pasted as saved HTML, as the visible text copied from
//! a browser, inside `curl -i`/`curl -v` output, as a log line such as
//! `HTTP error 521 with body: <!DOCTYPE html>…`, or escaped inside JSON.
//!
//! **Guarantee:** every field is optional; a page missing a field (a cropped
//! screenshot transcription, a truncated log) still yields the others.

use serde::{Deserialize, Serialize};

use crate::parse::html::{self, Fragment};
use crate::text::{Evidence, Line};

/// One of the three status boxes an error page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusBox {
    Browser,
    Cloudflare,
    Host,
}

impl StatusBox {
    /// The name in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusBox::Browser => "browser",
            StatusBox::Cloudflare => "cloudflare",
            StatusBox::Host => "host",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxStatus {
    pub status_box: StatusBox,
    /// What the box says above its name: "You", the Cloudflare location, the host.
    pub label: Option<String>,
    /// "Working" or "Error" as printed.
    pub status: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorPage {
    pub code: Option<u16>,
    pub title: Option<String>,
    pub ray_id: Option<String>,
    /// The Cloudflare data center code from `cf-ray: …-LHR` or `cf_ob_info`.
    pub colo: Option<String>,
    /// The Cloudflare location printed in the middle box, e.g. "São Paulo".
    pub location: Option<String>,
    pub host: Option<String>,
    pub time: Option<String>,
    pub visitor_ip: Option<String>,
    pub failing_box: Option<StatusBox>,
    pub boxes: Vec<BoxStatus>,
    /// The lines that show the code, Ray ID and failing box.
    pub evidence: Vec<Evidence>,
}

impl ErrorPage {
    /// Fill the fields this page lacks from another piece of the same page.
    pub fn merge(&mut self, other: ErrorPage) {
        fn fill<T>(a: &mut Option<T>, b: Option<T>) {
            if a.is_none() {
                *a = b;
            }
        }
        fill(&mut self.code, other.code);
        fill(&mut self.title, other.title);
        fill(&mut self.ray_id, other.ray_id);
        fill(&mut self.colo, other.colo);
        fill(&mut self.location, other.location);
        fill(&mut self.host, other.host);
        fill(&mut self.time, other.time);
        fill(&mut self.visitor_ip, other.visitor_ip);
        fill(&mut self.failing_box, other.failing_box);
        self.boxes.extend(other.boxes);
        self.evidence.extend(other.evidence);
        self.evidence.sort_by_key(|e| e.line);
        self.evidence.dedup();
    }
}

/// Titles Cloudflare prints for each code, for pages whose title was cut.
pub fn standard_title(code: u16) -> Option<&'static str> {
    Some(match code {
        520 => "Web server is returning an unknown error",
        521 => "Web server is down",
        522 => "Connection timed out",
        523 => "Origin is unreachable",
        524 => "A timeout occurred",
        525 => "SSL handshake failed",
        526 => "Invalid SSL certificate",
        527 => "Railgun Listener to origin error",
        530 => "Origin DNS error or Argo Tunnel error (see the 1xxx code)",
        1000 => "DNS points to prohibited IP",
        1001 => "DNS resolution error",
        1002 => "DNS points to prohibited IP",
        1003 => "Direct IP access not allowed",
        1014 => "CNAME Cross-User Banned",
        1016 => "Origin DNS error",
        1033 => "Argo Tunnel error",
        _ => return None,
    })
}

fn is_cloudflare_code(code: u16) -> bool {
    (520..=530).contains(&code) || (1000..=1999).contains(&code)
}

/// How strongly the lines look like a Cloudflare error page (0-100).
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    let mut lower = String::new();
    for l in lines.iter().take(600) {
        // Every signal below needs one of these words or shapes: most lines
        // of a dump have none and cost one lower-casing into a kept buffer.
        lower.clear();
        lower.push_str(l.text);
        lower.make_ascii_lowercase();
        let may_signal = [
            "cf",
            "cloudflare",
            "error",
            "ray id",
            "server is down",
            "http",
            "security by",
            ": ",
        ]
        .iter()
        .any(|w| lower.contains(w))
            || code_title_form(l.text).is_some()
            || is_standard_title_line(l.text);
        if !may_signal {
            continue;
        }
        let t = php_header(l.text)
            .unwrap_or_else(|| l.text.to_string())
            .to_ascii_lowercase();
        // The page's own class names (`cf-error-details`, `cf-error-footer`,
        // `cf-wrapper`), and Cloudflare's JSON error body.
        if t.contains("cf-error-")
            || t.contains("cf-wrapper")
            || t.contains("cf_ob_info")
            || t.replace('\\', "").contains("\"cloudflare_error\":true")
        {
            score += 60;
        }
        if docs_link_code(l.text).is_some() || json_error_code(l.text).is_some() {
            score += 40;
        }
        // nginx-style pages Cloudflare served: `525 Origin SSL Handshake
        // Error` over `cloudflare-nginx`.
        if code_title_form(l.text).is_some() {
            score += 60;
        }
        if t.trim() == "cloudflare-nginx" || t.contains("<center>cloudflare") {
            score += 30;
        }
        if t.contains("cloudflare ray id") {
            score += 60;
        } else if t.contains("ray id") {
            score += 40;
        }
        // A sentence that quotes a code is prose, a weak hint read elsewhere.
        let sentence = || crate::parse::textscan::is_prose_line(l.text);
        if (t.contains("error code 52")
            || t.contains("error code 53")
            || t.contains(": web server is down"))
            && !sentence()
        {
            score += 60;
        } else if (t.starts_with("error 52")
            || t.starts_with("error 53")
            || t.starts_with("error 10"))
            && !sentence()
        {
            score += 40;
        }
        // The plain-text body of a 1xxx response: `error code: 1001`.
        if t.trim()
            .strip_prefix("error code: ")
            .and_then(|c| c.trim().parse::<u16>().ok())
            .is_some_and(is_cloudflare_code)
        {
            score += 60;
        }
        if t.contains("cf-ray:") || t.contains("server: cloudflare") {
            score += 30;
        }
        // Response headers alone (`HTTP/2 523`), or a status line quoted in
        // a log message (`unexpected reply HTTP/1.1 524 A Timeout Occurred`).
        if status_line_code(l.text).is_some() {
            score += 40;
        }
        // `<title>shop.example.net | 524: A timeout occurred</title>`.
        let known =
            |t: &str| title_form(t).is_some_and(|(code, title)| is_known_title(code, &title));
        if l.text.contains(": ") && (known(l.text.trim()) || known(&html_text(l.text))) {
            score += 60;
        }
        // `Origin is unreachable` under `Error 523`, copied from a browser.
        if is_standard_title_line(l.text) {
            score += 25;
        }
        if t.contains("performance & security by cloudflare")
            || t.contains("performance &amp; security by")
        {
            score += 30;
        }
    }
    score.min(100) as u8
}

/// Read every error page field the lines show.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Option<ErrorPage> {
    // long: one pass over the visible fragments fills every field (title, code, Ray ID,
    // visitor IP, location, status boxes, JSON error body); each needs its neighbours.
    let frags = visible_fragments(lines);
    let mut page = ErrorPage::default();
    let mut evidence_lines: Vec<usize> = Vec::new();
    // A response of another status (502, 403) counts when its headers show
    // Cloudflare sent it.
    let mut other_status: Option<(u16, usize)> = None;
    let mut from_cloudflare = false;

    for (i, f) in frags.iter().enumerate() {
        let t = f.text.as_str();
        let lower = t.to_ascii_lowercase();
        let next = |k: usize| frags.get(i + k).map(|f| f.text.as_str()).unwrap_or("");

        // "llamarpc.com | 521: Web server is down" (the <title>).
        if page.title.is_none() {
            if let Some((code, title)) = title_form(t) {
                page.code.get_or_insert(code);
                page.title = Some(title);
                evidence_lines.push(f.line);
            }
        }
        // "Error code 521" (modern), "Error 521" or "Error" + "521" (legacy).
        if page.code.is_none() {
            if let Some(code) = error_code_form(t, next(1)) {
                page.code = Some(code);
                evidence_lines.push(f.line);
            }
        }
        if page.code.is_none() {
            if let Some(code) = status_line_code(t).or_else(|| code_title_form(t)) {
                page.code = Some(code);
                evidence_lines.push(f.line);
            }
        }
        if other_status.is_none() {
            other_status = any_status_code(t).map(|c| (c, f.line));
        }
        if lower.starts_with("server: cloudflare")
            || lower.starts_with("cf-ray:")
            || lower.starts_with("cf-mitigated:")
        {
            from_cloudflare = true;
        }
        // Cloudflare answers a challenge with 403 and this header.
        if lower.starts_with("cf-mitigated: challenge") && other_status.is_none() {
            other_status = Some((403, f.line));
        }
        if let Some(rest) = find_after(&lower, t, "ray id:") {
            if page.ray_id.is_none() {
                let candidate = first_token(rest)
                    .or_else(|| first_token(next(1)))
                    .filter(|tok| is_ray_id(tok));
                if let Some(ray) = candidate {
                    page.ray_id = Some(ray.to_string());
                    evidence_lines.push(f.line);
                }
            }
            // Legacy: "Ray ID: 1dd72e6585651347 • 2015-04-27 02:43:41 UTC".
            if page.time.is_none() {
                page.time = find_utc_time(rest);
            }
        }
        if let Some(rest) = find_after(&lower, t, "cf-ray:") {
            if let Some((ray, colo)) = first_token(rest).and_then(split_cf_ray) {
                page.ray_id.get_or_insert(ray);
                if let Some(c) = colo {
                    page.colo.get_or_insert(c);
                }
                evidence_lines.push(f.line);
            }
        }
        if let Some(rest) = find_after(&lower, t, "cf_ob_info=") {
            // cf_ob_info=521:1dd72e6585651347:LHR
            let value = rest.split([';', '"', ' ']).next().unwrap_or("");
            let mut parts = value.split(':');
            if let Some(code) = parts.next().and_then(|c| c.parse::<u16>().ok()) {
                if is_cloudflare_code(code) {
                    page.code.get_or_insert(code);
                }
            }
            if let Some(ray) = parts.next().filter(|r| is_ray_id(r)) {
                page.ray_id.get_or_insert(ray.to_string());
            }
            if let Some(colo) = parts.next().filter(|c| is_colo(c)) {
                page.colo.get_or_insert(colo.to_string());
            }
        }
        // Legacy HTML splits it: `<span>Your IP</span>: 192.0.2.1`.
        let your_ip = find_after(&lower, t, "your ip:").or_else(|| {
            (lower == "your ip")
                .then(|| next(1).strip_prefix(':'))
                .flatten()
        });
        if let Some(rest) = your_ip {
            if page.visitor_ip.is_none() {
                page.visitor_ip = first_ip(rest)
                    .or_else(|| (1..=3).find_map(|k| first_ip(next(k))))
                    .map(str::to_string);
            }
        }
        if page.time.is_none() {
            if let Some(time) = find_utc_time(t) {
                page.time = Some(time);
            }
        }
        if let Some(status_box) = box_name(t) {
            // The status follows the name; the label precedes it.
            let status = next(1);
            if status.eq_ignore_ascii_case("working") || status.eq_ignore_ascii_case("error") {
                let label = i
                    .checked_sub(1)
                    .and_then(|p| frags.get(p))
                    .map(|p| p.text.clone())
                    .filter(|l| box_name(l).is_none() && !is_status_word(l));
                page.boxes.push(BoxStatus {
                    status_box,
                    label,
                    status: status.to_string(),
                    line: frags.get(i + 1).map(|f| f.line).unwrap_or(f.line),
                });
            }
        }
    }

    if page.code.is_none() {
        // Cloudflare's JSON error (`"error_code":522`) and the page's link to
        // its own documentation (`…/cloudflare-5xx-errors/error-524/`) sit in
        // attributes and strings, not in visible text.
        if let Some((code, no)) = lines.iter().find_map(|l| {
            json_error_code(l.text)
                .or_else(|| docs_link_code(l.text))
                .map(|c| (c, l.no))
        }) {
            page.code = Some(code);
            evidence_lines.push(no);
        } else if let Some((code, no)) = other_status.filter(|_| from_cloudflare) {
            page.code = Some(code);
            evidence_lines.push(no);
        }
    }
    for b in &page.boxes {
        match b.status_box {
            StatusBox::Cloudflare => {
                if page.location.is_none() {
                    page.location = b.label.clone();
                }
            }
            StatusBox::Host => {
                if page.host.is_none() {
                    page.host = b.label.clone();
                }
            }
            StatusBox::Browser => {}
        }
        if b.status.eq_ignore_ascii_case("error") && page.failing_box.is_none() {
            page.failing_box = Some(b.status_box);
            evidence_lines.push(b.line);
        }
    }
    if page.title.is_none() {
        page.title = page.code.and_then(standard_title).map(str::to_string);
    }

    if page.code.is_none() && page.ray_id.is_none() {
        return None;
    }
    evidence_lines.sort_unstable();
    evidence_lines.dedup();
    page.evidence = evidence_lines
        .into_iter()
        .filter_map(|no| lines.iter().find(|l| l.no == no))
        .map(|l| Evidence::new(input, *l))
        .collect();
    Some(page)
}

/// Visible text of the block. HTML, or HTML escaped in a JSON string, is
/// reduced to its text; copied visible text is used line by line.
fn visible_fragments(lines: &[Line<'_>]) -> Vec<Fragment> {
    let unescaped: Vec<(usize, String)> = lines
        .iter()
        .flat_map(|l| {
            if l.text.contains("\\n") && (l.text.contains("<html") || l.text.contains("cf-")) {
                unescape_json_string(l.text)
                    .split('\n')
                    .map(|s| (l.no, s.to_string()))
                    .collect::<Vec<_>>()
            } else {
                vec![(l.no, l.text.to_string())]
            }
        })
        .collect();
    let virtual_lines: Vec<Line<'_>> = unescaped
        .iter()
        .map(|(no, text)| Line {
            no: *no,
            text: text.as_str(),
        })
        .collect();
    if html::looks_like_html(&virtual_lines) {
        html::fragments(&virtual_lines)
    } else {
        virtual_lines
            .iter()
            .filter(|l| !l.text.trim().is_empty())
            .map(|l| Fragment {
                line: l.no,
                text: php_header(l.text)
                    .unwrap_or_else(|| l.text.split_whitespace().collect::<Vec<_>>().join(" ")),
            })
            .collect()
    }
}

fn unescape_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => {}
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// `host | 521: Web server is down` or `521: Web server is down`.
fn title_form(t: &str) -> Option<(u16, String)> {
    let tail = t.rsplit_once(" | ").map(|(_, tail)| tail).unwrap_or(t);
    let (code, title) = tail.split_once(": ")?;
    let code: u16 = code.trim().parse().ok()?;
    let title = title.trim();
    (is_cloudflare_code(code) && !title.is_empty() && title.len() < 80)
        .then(|| (code, title.to_string()))
}

fn error_code_form(t: &str, next: &str) -> Option<u16> {
    let lower = t.to_ascii_lowercase();
    // `Error code 521` on a page; `error code: 1020`, the whole plain-text
    // body Cloudflare sends for its 1xxx errors.
    let idx = lower
        .find("error code ")
        .map(|i| i + 11)
        .or_else(|| lower.find("error code: ").map(|i| i + 12));
    let idx = idx.or_else(|| {
        lower
            .strip_prefix("error ")
            .map(|_| 6)
            .or_else(|| lower.find(" error ").map(|i| i + 7))
    });
    let candidate = match idx {
        Some(i) => first_token(t.get(i..).unwrap_or("")),
        None if lower == "error" => first_token(next),
        None => None,
    }?;
    // `Error code 526"` quoted in a sentence.
    let code: u16 = candidate
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    is_cloudflare_code(code).then_some(code)
}

/// `HTTP/1.1 521 …`, `< HTTP/2 521`, `HTTP error 521 with body:`, and a
/// status line quoted inside a log message (`unexpected reply HTTP/1.1 524`).
fn status_line_code(t: &str) -> Option<u16> {
    let lower = t.to_ascii_lowercase();
    let rest = if let Some(i) = lower.find("http/") {
        // `HTTP/1.1 524`, `HTTP/2 523`: the version, then the code.
        let after = t.get(i + 5..)?;
        let (version, rest) = after.split_once(' ')?;
        if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        rest
    } else {
        let i = lower.find("http error ")?;
        t.get(i + 11..)?
    };
    let code: u16 = first_token(rest)?.parse().ok()?;
    is_cloudflare_code(code).then_some(code)
}

/// A response header printed as a PHP array entry (`[Server] => cloudflare`)
/// as a header line (`Server: cloudflare`).
fn php_header(t: &str) -> Option<String> {
    let (name, value) = t.trim().strip_prefix('[')?.split_once("] => ")?;
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    ok.then(|| format!("{name}: {}", value.trim()))
}

/// The status of any HTTP status line (`HTTP/2 502`), 4xx or 5xx.
fn any_status_code(t: &str) -> Option<u16> {
    let t = t.trim_start_matches(['<', ' ']);
    let rest = t.strip_prefix("HTTP/")?.split_once(' ')?.1;
    let code: u16 = first_token(rest)?.parse().ok()?;
    (400..=599).contains(&code).then_some(code)
}

/// `525 Origin SSL Handshake Error`: a code and the title Cloudflare gives it.
fn code_title_form(t: &str) -> Option<u16> {
    let (code, title) = t.trim().split_once(' ')?;
    let code: u16 = code.parse().ok()?;
    is_known_title(code, title.trim()).then_some(code)
}

/// `"error_code":522` in Cloudflare's JSON error body, escaped or not.
fn json_error_code(t: &str) -> Option<u16> {
    let plain = t.replace('\\', "");
    let i = plain.find("\"error_code\":")?;
    let digits: String = plain
        .get(i + 13..)?
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let code: u16 = digits.parse().ok()?;
    is_cloudflare_code(code).then_some(code)
}

/// `…/cloudflare-5xx-errors/error-524/`, the link each 5xx page carries.
fn docs_link_code(t: &str) -> Option<u16> {
    let i = t.find("cloudflare-5xx-errors/error-")?;
    let digits: String = t
        .get(i + 28..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let code: u16 = digits.parse().ok()?;
    is_cloudflare_code(code).then_some(code)
}

/// Visible text of one HTML line (`<title>…</title>` alone on a line).
fn html_text(t: &str) -> String {
    let line = [Line { no: 1, text: t }];
    html::fragments(&line)
        .into_iter()
        .map(|f| f.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Titles of the 52x pages as Cloudflare printed them in older layouts.
const OLD_TITLES: &[(u16, &str)] = &[
    (522, "Origin Connection Time-out"),
    (523, "Origin Unreachable"),
    (524, "Origin Time-out"),
    (525, "SSL Handshake Failed"),
    (525, "Origin SSL Handshake Error"),
    (530, "The origin has been unregistered from Argo Tunnel"),
    (526, "Invalid SSL Certificate"),
];

/// The title a page prints for `code`, now or in an older layout.
fn is_known_title(code: u16, title: &str) -> bool {
    standard_title(code).is_some_and(|t| t.eq_ignore_ascii_case(title))
        || OLD_TITLES
            .iter()
            .any(|(c, t)| *c == code && t.eq_ignore_ascii_case(title))
}

/// A line that is only a 52x page's title, as a browser shows it
/// (`Origin is unreachable`, `Web server is down`).
fn is_standard_title_line(t: &str) -> bool {
    let t = t.trim();
    (520..=530)
        .chain([1000, 1001, 1002, 1003, 1014, 1016, 1033])
        .any(|code| is_known_title(code, t))
}

fn find_after<'a>(lower: &str, original: &'a str, needle: &str) -> Option<&'a str> {
    let i = lower.find(needle)?;
    original.get(i + needle.len()..)
}

fn first_token(s: &str) -> Option<&str> {
    s.split(|c: char| c.is_whitespace() || c == '•' || c == '<')
        .find(|w| !w.is_empty())
}

fn is_ray_id(s: &str) -> bool {
    (8..=20).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_colo(s: &str) -> bool {
    s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase())
}

/// `8a1b2c3d4e5f6789-LHR` into the Ray ID and the colo.
fn split_cf_ray(token: &str) -> Option<(String, Option<String>)> {
    let (ray, colo) = match token.split_once('-') {
        Some((r, c)) => (r, Some(c)),
        None => (token, None),
    };
    is_ray_id(ray).then(|| {
        (
            ray.to_string(),
            colo.filter(|c| is_colo(c)).map(str::to_string),
        )
    })
}

fn first_ip(s: &str) -> Option<&str> {
    s.split(|c: char| c.is_whitespace() || c == '•')
        .find(|w| w.parse::<std::net::IpAddr>().is_ok())
}

/// `2026-09-01 22:10:50 UTC` anywhere in the text.
fn find_utc_time(s: &str) -> Option<String> {
    let i = s.find(" UTC")?;
    let start = i.checked_sub(19)?;
    let candidate = s.get(start..i)?;
    let b = candidate.as_bytes();
    let shape_ok = b.iter().enumerate().all(|(k, c)| match k {
        4 | 7 => *c == b'-',
        10 => *c == b' ',
        13 | 16 => *c == b':',
        _ => c.is_ascii_digit(),
    });
    shape_ok.then(|| format!("{candidate} UTC"))
}

fn box_name(t: &str) -> Option<StatusBox> {
    match t.to_ascii_lowercase().as_str() {
        "browser" => Some(StatusBox::Browser),
        "cloudflare" => Some(StatusBox::Cloudflare),
        "host" => Some(StatusBox::Host),
        _ => None,
    }
}

fn is_status_word(t: &str) -> bool {
    t.eq_ignore_ascii_case("working") || t.eq_ignore_ascii_case("error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn status_box_labels_are_their_json_names() {
        for b in [StatusBox::Browser, StatusBox::Cloudflare, StatusBox::Host] {
            let json = serde_json::to_string(&b).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", b.as_str()));
        }
    }

    #[test]
    fn reads_the_title_form() {
        assert_eq!(
            title_form("example.com | 522: Connection timed out"),
            Some((522, "Connection timed out".to_string()))
        );
        assert_eq!(title_form("Notes | 12: nothing"), None);
    }

    #[test]
    fn reads_code_forms() {
        assert_eq!(error_code_form("Error code 521", ""), Some(521));
        assert_eq!(error_code_form("Error", "523"), Some(523));
        assert_eq!(error_code_form("Error 1016", ""), Some(1016));
        assert_eq!(error_code_form("Error 404", ""), None);
        assert_eq!(error_code_form("error code: 1001", ""), Some(1001));
        assert_eq!(error_code_form("error code: 1020", ""), Some(1020));
        assert_eq!(error_code_form("error code: 200", ""), None);
        assert_eq!(status_line_code("< HTTP/2 521 "), Some(521));
        assert_eq!(status_line_code("HTTP/1.1 200 OK"), None);
        assert_eq!(
            status_line_code("Error: HTTP error 521 with body: <!DOCTYPE html>"),
            Some(521)
        );
    }

    #[test]
    fn cf_ray_header_gives_the_colo() {
        assert_eq!(
            split_cf_ray("8a1b2c3d4e5f6789-LHR"),
            Some(("8a1b2c3d4e5f6789".to_string(), Some("LHR".to_string())))
        );
        assert_eq!(split_cf_ray("not-a-ray"), None);
    }

    #[test]
    fn finds_utc_times_only_in_their_shape() {
        assert_eq!(
            find_utc_time("Ray ID: 1dd72e6585651347 • 2015-04-27 02:43:41 UTC"),
            Some("2015-04-27 02:43:41 UTC".to_string())
        );
        assert_eq!(find_utc_time("at 12:00 UTC"), None);
    }

    #[test]
    fn plain_text_without_a_page_is_not_a_page() {
        assert_eq!(parse("p", &lines("hello\nworld UTC")), None);
    }

    #[test]
    fn json_escaped_page_is_read() {
        let src = r#"{"error":"HTTP error 521 with body: <!DOCTYPE html>\n<title>a.example | 521: Web server is down</title>\n<span>Cloudflare Ray ID: <strong>8f0a1b2c3d4e5f60</strong></span>"}"#;
        let page = parse("log", &lines(src));
        assert_eq!(page.as_ref().and_then(|p| p.code), Some(521));
        assert_eq!(
            page.and_then(|p| p.ray_id),
            Some("8f0a1b2c3d4e5f60".to_string())
        );
    }
}
