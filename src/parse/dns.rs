//! DNS evidence: `dig` (full and `+short`, several queries per run),
//! `nslookup` (Linux and Windows shapes), `host`, BIND zone files, Cloudflare's
//! zone export (with `cf_tags=cf-proxied:` comments) and Cloudflare's API JSON
//! for DNS records.
//!
//! Guarantees: every non-blank line is either understood or reported in
//! `not_understood`; names are lowercased without the trailing dot; the
//! parser is linear in the input and never panics.

use std::net::IpAddr;

use serde::Serialize;

use super::textscan::{command_of, contains_ci, masked_ipv4, parse_ip};
use crate::text::{Line, NotUnderstood};

/// Which tool or file shape a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsSource {
    Dig,
    DigShort,
    Nslookup,
    Host,
    ZoneFile,
    CloudflareExport,
    CloudflareApi,
}

/// One resource record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsRecord {
    /// Owner name, lowercase, no trailing dot. Empty when the output does
    /// not say (`dig +short` pasted without its command line).
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, `MX`, ... uppercase.
    pub rtype: String,
    /// The record data as printed (CNAME targets lose the trailing dot).
    pub value: String,
    pub ttl: Option<u32>,
    /// Cloudflare's orange cloud, when the input says (export, API JSON).
    pub proxied: Option<bool>,
    pub source: DnsSource,
    pub line: usize,
}

impl DnsRecord {
    /// The address of an A/AAAA record.
    pub fn addr(&self) -> Option<IpAddr> {
        match self.rtype.as_str() {
            "A" | "AAAA" => parse_ip(&self.value),
            _ => None,
        }
    }
}

/// A lookup that failed or returned a status other than success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsStatus {
    pub name: Option<String>,
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, `TIMEOUT`.
    pub status: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DnsFacts {
    pub records: Vec<DnsRecord>,
    /// Every query status seen (dig headers, nslookup/host failures).
    pub statuses: Vec<DnsStatus>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

impl DnsFacts {
    /// Records whose name is `name` (case-insensitive, trailing dot ignored).
    pub fn records_for<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a DnsRecord> + 'a {
        let n = norm_name(name);
        self.records.iter().filter(move |r| r.name == n)
    }
}

pub(crate) fn norm_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

const RTYPES: [&str; 16] = [
    "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "SRV", "CAA", "PTR", "HTTPS", "SVCB", "DS",
    "DNSKEY", "RRSIG", "NSEC",
];

fn is_rtype(t: &str) -> bool {
    RTYPES.iter().any(|r| r.eq_ignore_ascii_case(t))
}

fn is_class(t: &str) -> bool {
    matches!(t.to_ascii_uppercase().as_str(), "IN" | "CH" | "HS" | "ANY")
}

/// A resource record line: `name [ttl] [class] type rdata` in either order
/// of ttl and class. `default_name` is used for lines that start with
/// whitespace (zone files repeat the previous owner that way).
fn parse_rr(
    text: &str,
    origin: &str,
    last_name: &str,
) -> Option<(String, String, String, Option<u32>)> {
    let body = text.split_once(';').map_or(text, |(b, _)| b);
    // TXT data may hold ';' inside quotes; keep the raw rest for the value.
    let owner_implicit = text.starts_with(' ') || text.starts_with('\t');
    let mut toks = body.split_whitespace();
    let name = if owner_implicit {
        last_name.to_string()
    } else {
        let n = toks.next()?;
        qualify(n, origin)
    };
    let mut ttl = None;
    let mut rtype = None;
    for _ in 0..3 {
        let t = toks.next()?;
        if is_rtype(t) {
            rtype = Some(t.to_ascii_uppercase());
            break;
        } else if let Some(n) = parse_ttl(t) {
            ttl = Some(n);
        } else if !is_class(t) {
            return None;
        }
    }
    let rtype = rtype?;
    let rest: Vec<&str> = toks.collect();
    if rest.is_empty() {
        return None;
    }
    let mut value = rest.join(" ");
    if rtype == "TXT" {
        // Take the value from the raw text so a ';' inside quotes survives.
        if let Some(q) = text.find('"') {
            value = text.get(q..).unwrap_or("").trim().to_string();
            if let Some(end) = value.rfind('"') {
                value.truncate(end.saturating_add(1));
            }
        }
    }
    if matches!(rtype.as_str(), "CNAME" | "NS" | "PTR") {
        value = qualify(&value, origin);
    }
    Some((name, rtype, value, ttl))
}

/// TTLs are seconds, or BIND's `1h30m` shorthand.
fn parse_ttl(t: &str) -> Option<u32> {
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let mut total: u32 = 0;
    let mut cur: u32 = 0;
    let mut any = false;
    for c in t.chars() {
        if let Some(d) = c.to_digit(10) {
            cur = cur.checked_mul(10)?.checked_add(d)?;
            any = true;
        } else {
            let mul = match c.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => return None,
            };
            total = total.checked_add(cur.checked_mul(mul)?)?;
            cur = 0;
        }
    }
    (any && cur == 0).then_some(total)
}

fn qualify(name: &str, origin: &str) -> String {
    if name == "@" {
        return norm_name(origin);
    }
    if name.ends_with('.') || origin.is_empty() {
        return norm_name(name);
    }
    norm_name(&format!("{name}.{origin}"))
}

/// Confidence (0-100) that `lines` are DNS tool output or zone data.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        let strong = [
            "<<>> DiG",
            "->>HEADER<<-",
            ";; ANSWER SECTION",
            ";; QUESTION SECTION",
            "Non-authoritative answer",
            " has address ",
            " has IPv6 address ",
            " is an alias for ",
            "cf_tags=cf-proxied",
            "canonical name =",
            "$ORIGIN",
            "can't find",
        ];
        if strong.iter().any(|s| t.contains(s)) {
            score += 40;
        } else if t.contains("\"proxied\"") || t.contains("\"content\"") {
            score += 25;
        } else if let Some(c) = command_of(t) {
            let c0 = c.split_whitespace().next().unwrap_or("");
            if matches!(c0, "dig" | "nslookup" | "host") {
                score += 40;
            }
        } else if let Some((_, rtype, value, _)) = parse_rr(t, "", "") {
            // `www.example.com. 300 IN AAAA 2001:db8:10::5`: a dotted owner,
            // the IN class and an address are a record even alone.
            let dotted = t
                .split_whitespace()
                .next()
                .is_some_and(|n| n.ends_with('.'));
            let address = matches!(rtype.as_str(), "A" | "AAAA") && parse_ip(&value).is_some();
            let class_in = t.split_whitespace().any(|w| w == "IN");
            score += if dotted && address && class_in {
                50
            } else {
                20
            };
        } else if t.starts_with("Server:") || t.starts_with("Addresses:") {
            score += 10;
        }
    }
    score.min(100) as u8
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    #[default]
    None,
    Question,
    Answer,
    Other,
}

/// Parse the output of `command`: records a resolver tool (dig, host,
/// nslookup) printed are its answers, even without dig's section headers
/// (a paste that kept only the answer lines).
pub fn parse_with(input: &str, lines: &[Line<'_>], command: Option<&str>) -> DnsFacts {
    let mut f = parse(input, lines);
    let tool = command
        .and_then(|c| c.split_whitespace().find(|w| *w != "sudo"))
        .map(|w| w.rsplit('/').next().unwrap_or(w));
    if matches!(
        tool,
        Some("dig" | "kdig" | "drill" | "host" | "nslookup" | "Resolve-DnsName")
    ) {
        for r in f
            .records
            .iter_mut()
            .filter(|r| r.source == DnsSource::ZoneFile)
        {
            r.source = DnsSource::Dig;
        }
    }
    f
}

/// Parse any mix of the supported DNS shapes.
pub fn parse(_input: &str, lines: &[Line<'_>]) -> DnsFacts {
    let first = lines
        .iter()
        .map(|l| l.text.trim_start())
        .find(|t| !t.is_empty())
        .unwrap_or("");
    if first.starts_with('{') || first.starts_with('[') {
        let mut f = DnsFacts::default();
        let text: Vec<&str> = lines.iter().map(|l| l.text).collect();
        parse_api_json(&text.join("\n"), lines, &mut f);
        return f;
    }
    let mut r = Reader::default();
    for l in lines {
        r.line(l);
    }
    r.f
}

/// One pass over any mix of the DNS shapes: the state that carries from
/// line to line, with one method per shape.
#[derive(Default)]
struct Reader {
    f: DnsFacts,
    /// A zone file's `$ORIGIN`.
    origin: String,
    /// The owner name of the last record, for zone lines that leave it out.
    last_name: String,
    /// The dig section being read.
    section: Section,
    /// Inside dig output (its header or command was seen).
    in_dig: bool,
    /// Inside a Cloudflare zone export (its header was seen).
    cf_export: bool,
    /// Inside a parenthesised multi-line record (SOA in zone files).
    in_parens: bool,
    /// The command was `dig +short`.
    dig_short: bool,
    /// The name a `+short`/nslookup/host command asked for, from a prompt line.
    query_name: Option<String>,
    /// nslookup: the answer's `Name:`; Address lines before the first Name
    /// belong to the server.
    ns_name: Option<String>,
    ns_in_answer: bool,
    /// nslookup: inside a Windows `Addresses:` list.
    ns_addresses: bool,
    /// host: inside the `Using domain server` block.
    host_server_block: bool,
}

impl Reader {
    fn line(&mut self, l: &Line<'_>) {
        let raw = l.text;
        let t = raw.trim();
        if t.is_empty() {
            self.host_server_block = false;
            self.ns_addresses = false;
            return;
        }
        let read = self.command(raw)
            || self.parens(t)
            || self.dig_comment(t, l)
            || self.zone_directive(t)
            || self.host(t, l)
            || self.nslookup(raw, t, l)
            || self.record(raw, l)
            || self.dig_short(t, l)
            || self.soa_continuation(t);
        if !read {
            self.f
                .not_understood
                .push(NotUnderstood::new(*l, "not a DNS record or tool line"));
        }
    }

    /// A dig/nslookup/host command line: what it asks, and how its output reads.
    fn command(&mut self, raw: &str) -> bool {
        if let Some(cmd) = command_of(raw) {
            let mut words = cmd.split_whitespace();
            let tool = words.next().unwrap_or("");
            if matches!(tool, "dig" | "nslookup" | "host" | "sudo") {
                let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
                self.dig_short = tool == "dig" && args.iter().any(|a| a.starts_with("+short"));
                self.query_name = args
                    .iter()
                    .find(|a| {
                        !a.starts_with(['+', '-', '@'])
                            && a.contains('.')
                            && !is_rtype(a)
                            && parse_ip(a).is_none()
                    })
                    .map(|a| norm_name(a));
                self.ns_in_answer = false;
                self.ns_name = None;
                // `dig +noall +answer` prints bare records: they are answers.
                self.in_dig = tool == "dig" || (tool == "sudo" && cmd.contains(" dig "));
                self.cf_export = false;
                self.section = Section::None;
                self.f.understood_lines += 1;
                return true;
            }
        }
        false
    }

    /// Inside a parenthesised multi-line record (SOA in zone files).
    fn parens(&mut self, t: &str) -> bool {
        if self.in_parens {
            let body = t.split_once(';').map_or(t, |(b, _)| b);
            self.in_parens = !body.contains(')');
            self.f.understood_lines += 1;
            return true;
        }
        false
    }

    /// dig's `;` headers and comments (and a Cloudflare export's header).
    fn dig_comment(&mut self, t: &str, l: &Line<'_>) -> bool {
        if let Some(c) = t.strip_prefix(';') {
            self.f.understood_lines += 1;
            let c = c.trim_start_matches(';').trim();
            if c.starts_with("<<>> DiG")
                || c.starts_with("->>HEADER<<-")
                || c.ends_with("SECTION:")
                || c.starts_with("Got answer")
            {
                self.in_dig = true;
                self.cf_export = false;
            }
            if c.starts_with("Exported:") || c.starts_with("Domain:") {
                self.cf_export = true;
                self.in_dig = false;
            }
            if c.starts_with("QUESTION SECTION") {
                self.section = Section::Question;
            } else if c.starts_with("ANSWER SECTION") {
                self.section = Section::Answer;
            } else if c.ends_with("SECTION:") {
                self.section = Section::Other;
            } else if let Some(st) = c.split_once("status:").map(|(_, s)| s) {
                let st = st.split(',').next().unwrap_or("").trim().to_string();
                self.f.statuses.push(DnsStatus {
                    name: None,
                    status: st,
                    line: l.no,
                });
                self.section = Section::None;
            } else if self.section == Section::Question {
                if let Some(q) = c.split_whitespace().next() {
                    let q = norm_name(q);
                    if let Some(s) = self.f.statuses.last_mut() {
                        if s.name.is_none() {
                            s.name = Some(q.clone());
                        }
                    }
                    self.query_name = Some(q);
                }
            } else if contains_ci(c, "timed out") || contains_ci(c, "no servers could be reached") {
                self.f.statuses.push(DnsStatus {
                    name: self.query_name.clone(),
                    status: "TIMEOUT".into(),
                    line: l.no,
                });
            }
            return true;
        }
        false
    }

    /// Zone file directives: `$ORIGIN`, `$TTL`, `$INCLUDE`, `$GENERATE`.
    fn zone_directive(&mut self, t: &str) -> bool {
        if let Some(rest) = t.strip_prefix("$ORIGIN") {
            self.origin = norm_name(rest.split(';').next().unwrap_or(""));
            self.f.understood_lines += 1;
            return true;
        }
        if t.starts_with("$TTL") || t.starts_with("$INCLUDE") || t.starts_with("$GENERATE") {
            self.f.understood_lines += 1;
            return true;
        }
        false
    }

    /// host(1): `has address`, `is an alias for`, `not found`, its server block.
    fn host(&mut self, t: &str, l: &Line<'_>) -> bool {
        if let Some((name, addr)) = t
            .split_once(" has address ")
            .or_else(|| t.split_once(" has IPv6 address "))
        {
            let rtype = if t.contains(" has IPv6 ") {
                "AAAA"
            } else {
                "A"
            };
            push(
                &mut self.f,
                norm_name(name),
                rtype,
                addr.trim(),
                None,
                None,
                DnsSource::Host,
                l.no,
            );
            return true;
        }
        if let Some((name, target)) = t.split_once(" is an alias for ") {
            push(
                &mut self.f,
                norm_name(name),
                "CNAME",
                &norm_name(target),
                None,
                None,
                DnsSource::Host,
                l.no,
            );
            return true;
        }
        if t.contains(" mail is handled by ")
            || t.contains(" has no ")
            || t.starts_with("Using domain server")
        {
            self.host_server_block = t.starts_with("Using domain server");
            self.f.understood_lines += 1;
            return true;
        }
        if let Some(rest) = t.strip_prefix("Host ") {
            if let Some((name, why)) = rest.split_once(" not found:") {
                let st = status_word(why);
                self.f.statuses.push(DnsStatus {
                    name: Some(norm_name(name)),
                    status: st,
                    line: l.no,
                });
                self.f.understood_lines += 1;
                return true;
            }
        }
        if self.host_server_block {
            self.f.understood_lines += 1;
            return true;
        }
        false
    }

    /// nslookup (Linux and Windows shapes): server lines, answers, aliases, failures.
    fn nslookup(&mut self, raw: &str, t: &str, l: &Line<'_>) -> bool {
        if t == "Non-authoritative answer:" || t.starts_with("Authoritative answers can be found") {
            self.ns_in_answer = true;
            self.f.understood_lines += 1;
            return true;
        }
        if t.starts_with("Server:") {
            self.ns_in_answer = false;
            self.ns_name = None;
            self.f.understood_lines += 1;
            return true;
        }
        if t.starts_with("** server can't find")
            || (t.starts_with("***") && t.contains("can't find"))
        {
            let after = t.split_once("can't find").map_or("", |(_, r)| r).trim();
            let (name, why) = after.split_once(':').unwrap_or((after, ""));
            self.f.statuses.push(DnsStatus {
                name: Some(norm_name(name)),
                status: status_word(why),
                line: l.no,
            });
            self.f.understood_lines += 1;
            return true;
        }
        if t.starts_with("***")
            || t.starts_with("DNS request timed out")
            || t.starts_with("timeout was")
        {
            if contains_ci(t, "timed out") || contains_ci(t, "timeout") {
                self.f.statuses.push(DnsStatus {
                    name: self.query_name.clone(),
                    status: "TIMEOUT".into(),
                    line: l.no,
                });
            }
            self.f.understood_lines += 1;
            return true;
        }
        if let Some(n) = t.strip_prefix("Name:") {
            self.ns_name = Some(norm_name(n));
            self.ns_in_answer = true;
            self.f.understood_lines += 1;
            return true;
        }
        if let Some(a) = t
            .strip_prefix("Addresses:")
            .or_else(|| t.strip_prefix("Address:"))
        {
            self.ns_addresses = t.starts_with("Addresses:");
            if self.ns_in_answer && self.ns_name.is_some() {
                let name = self.ns_name.clone().unwrap_or_default();
                ns_addr(&mut self.f, &name, a, l);
            } else {
                self.f.understood_lines += 1;
            }
            return true;
        }
        if let Some(a) = t.strip_prefix("Aliases:") {
            // Windows lists the names that were CNAMEs to the Name: line.
            if let Some(target) = self.ns_name.clone() {
                let alias = norm_name(a);
                push(
                    &mut self.f,
                    alias,
                    "CNAME",
                    &target,
                    None,
                    None,
                    DnsSource::Nslookup,
                    l.no,
                );
            } else {
                self.f.understood_lines += 1;
            }
            self.ns_addresses = false;
            return true;
        }
        if self.ns_addresses
            && parse_ip(t).is_some()
            && (raw.starts_with(' ') || raw.starts_with('\t'))
        {
            let name = self.ns_name.clone().unwrap_or_default();
            ns_addr(&mut self.f, &name, t, l);
            return true;
        }
        if let Some((name, target)) = t.split_once("canonical name =") {
            push(
                &mut self.f,
                norm_name(name),
                "CNAME",
                &norm_name(target),
                None,
                None,
                DnsSource::Nslookup,
                l.no,
            );
            return true;
        }
        false
    }

    /// A resource record line (dig answers, zone files, Cloudflare export).
    fn record(&mut self, raw: &str, l: &Line<'_>) -> bool {
        if let Some((name, rtype, value, ttl)) = parse_rr(raw, &self.origin, &self.last_name) {
            self.last_name = name.clone();
            let proxied = raw.split_once(';').and_then(|(_, c)| cf_proxied(c));
            let body = raw.split_once(';').map_or(raw, |(b, _)| b);
            if body.contains('(') && !body.contains(')') {
                self.in_parens = true;
            }
            let source = if proxied.is_some() || self.cf_export {
                DnsSource::CloudflareExport
            } else if self.in_dig {
                DnsSource::Dig
            } else {
                DnsSource::ZoneFile
            };
            if self.in_dig && self.section != Section::Answer && self.section != Section::None {
                // Authority/additional data: read, but not an answer.
                self.f.understood_lines += 1;
                return true;
            }
            push(
                &mut self.f,
                name,
                &rtype,
                &value,
                ttl,
                proxied,
                source,
                l.no,
            );
            return true;
        }
        false
    }

    /// `dig +short`: bare addresses and CNAME targets.
    fn dig_short(&mut self, t: &str, l: &Line<'_>) -> bool {
        if let Some(ip) = parse_ip(t) {
            let rtype = if ip.is_ipv4() { "A" } else { "AAAA" };
            let name = self.query_name.clone().unwrap_or_default();
            push(
                &mut self.f,
                name,
                rtype,
                t,
                None,
                None,
                DnsSource::DigShort,
                l.no,
            );
            return true;
        }
        // An answer the person masked before pasting (`47.236.*.180`).
        if masked_ipv4(t) {
            let name = self.query_name.clone().unwrap_or_default();
            push(
                &mut self.f,
                name,
                "A",
                t,
                None,
                None,
                DnsSource::DigShort,
                l.no,
            );
            return true;
        }
        if self.dig_short && t.ends_with('.') && !t.contains(' ') {
            let name = self.query_name.clone().unwrap_or_default();
            push(
                &mut self.f,
                name.clone(),
                "CNAME",
                &norm_name(t),
                None,
                None,
                DnsSource::DigShort,
                l.no,
            );
            // Later lines answer for the target.
            self.query_name = Some(norm_name(t));
            return true;
        }
        false
    }

    /// SOA continuation lines of a multi-line zone record.
    fn soa_continuation(&mut self, t: &str) -> bool {
        if t.starts_with('(')
            || t.starts_with(')')
            || t.chars()
                .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == ')' || c == '(')
        {
            // SOA continuation lines of a multi-line zone record.
            self.f.understood_lines += 1;
            return true;
        }
        false
    }
}

fn ns_addr(f: &mut DnsFacts, name: &str, text: &str, l: &Line<'_>) {
    let a = text.trim();
    match parse_ip(a.split('#').next().unwrap_or(a)) {
        Some(ip) => {
            let rtype = if ip.is_ipv4() { "A" } else { "AAAA" };
            push(
                f,
                name.to_string(),
                rtype,
                &ip.to_string(),
                None,
                None,
                DnsSource::Nslookup,
                l.no,
            );
        }
        None => f
            .not_understood
            .push(NotUnderstood::new(*l, "nslookup address not readable")),
    }
}

fn status_word(why: &str) -> String {
    let w = why.trim();
    if w.contains("NXDOMAIN") || contains_ci(w, "Non-existent domain") {
        "NXDOMAIN".into()
    } else if w.contains("SERVFAIL") || contains_ci(w, "server failed") {
        "SERVFAIL".into()
    } else if w.contains("REFUSED") || contains_ci(w, "refused") {
        "REFUSED".into()
    } else if contains_ci(w, "timed out") {
        "TIMEOUT".into()
    } else {
        w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '(')
            .trim_end_matches(')')
            .to_string()
    }
}

fn cf_proxied(comment: &str) -> Option<bool> {
    let (_, rest) = comment.split_once("cf-proxied:")?;
    if rest.starts_with("true") {
        Some(true)
    } else if rest.starts_with("false") {
        Some(false)
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn push(
    f: &mut DnsFacts,
    name: String,
    rtype: &str,
    value: &str,
    ttl: Option<u32>,
    proxied: Option<bool>,
    source: DnsSource,
    line: usize,
) {
    f.understood_lines += 1;
    f.records.push(DnsRecord {
        name,
        rtype: rtype.to_string(),
        value: value.trim().to_string(),
        ttl,
        proxied,
        source,
        line,
    });
}

/// Cloudflare API `GET /zones/:id/dns_records` (or a bare array of records).
/// Line numbers point at each record's `"content"` (or `"name"`) line; when
/// the JSON is cut short, pretty-printed key lines are read one by one.
fn parse_api_json(text: &str, lines: &[Line<'_>], f: &mut DnsFacts) {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        let arr = v
            .get("result")
            .and_then(|r| r.as_array())
            .or_else(|| v.as_array())
            .cloned()
            .unwrap_or_default();
        let mut cursor = 0usize;
        for rec in &arr {
            let s = |k: &str| {
                rec.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let (name, rtype, content) = (s("name"), s("type"), s("content"));
            if rtype.is_empty() {
                continue;
            }
            // Find the line that holds this record's content, moving forward only
            // and within a short window, so a miss costs O(1) and the whole is linear.
            let needle = format!("\"{content}\"");
            let mut line_no = lines.get(cursor).map_or(1, |l| l.no);
            if let Some(off) = lines
                .iter()
                .skip(cursor)
                .take(64)
                .position(|l| l.text.contains("\"content\"") && l.text.contains(&needle))
            {
                let idx = cursor.saturating_add(off);
                line_no = lines.get(idx).map_or(line_no, |l| l.no);
                cursor = idx.saturating_add(1);
            }
            let ttl = rec
                .get("ttl")
                .and_then(|x| x.as_u64())
                .and_then(|x| u32::try_from(x).ok());
            let proxied = rec.get("proxied").and_then(|x| x.as_bool());
            f.records.push(DnsRecord {
                name: norm_name(&name),
                rtype: rtype.to_ascii_uppercase(),
                value: if matches!(rtype.as_str(), "CNAME") {
                    norm_name(&content)
                } else {
                    content
                },
                ttl,
                proxied,
                source: DnsSource::CloudflareApi,
                line: line_no,
            });
        }
        f.understood_lines = lines.iter().filter(|l| !l.text.trim().is_empty()).count();
        return;
    }
    // Truncated or hand-edited JSON: read `"key": value` lines.
    #[derive(Default)]
    struct Cur {
        name: Option<String>,
        rtype: Option<String>,
        content: Option<String>,
        ttl: Option<u32>,
        proxied: Option<bool>,
        line: usize,
    }
    let mut cur = Cur::default();
    let flush = |cur: &mut Cur, f: &mut DnsFacts| {
        if let (Some(rtype), Some(content)) = (cur.rtype.take(), cur.content.take()) {
            f.records.push(DnsRecord {
                name: norm_name(&cur.name.take().unwrap_or_default()),
                rtype: rtype.to_ascii_uppercase(),
                value: content,
                ttl: cur.ttl.take(),
                proxied: cur.proxied.take(),
                source: DnsSource::CloudflareApi,
                line: cur.line,
            });
        }
        *cur = Cur::default();
    };
    for l in lines {
        let t = l.text.trim().trim_end_matches(',');
        if t.is_empty() {
            continue;
        }
        f.understood_lines += 1;
        if t.starts_with('{') {
            flush(&mut cur, f);
            continue;
        }
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let v = v.trim().trim_matches('"');
        match k {
            "name" => cur.name = Some(v.to_string()),
            "type" => cur.rtype = Some(v.to_string()),
            "content" => {
                cur.content = Some(v.to_string());
                cur.line = l.no;
            }
            "ttl" => cur.ttl = v.parse().ok(),
            "proxied" => cur.proxied = v.parse().ok(),
            _ => {}
        }
    }
    flush(&mut cur, f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str) -> DnsFacts {
        parse(s, &lines(s))
    }

    #[test]
    fn a_lone_dotted_address_record_is_dns() {
        let one = |t: &str| sniff(&crate::text::lines(t));
        assert!(one("www.example.com. 300 IN AAAA 2001:db8:10::5") >= 50);
        assert!(one("www.example.com.\t300\tIN\tA\t203.0.113.5") >= 50);
        // Not alone: no class, or no address.
        assert!(one("www 300 A 203.0.113.5") < 50);
        assert!(one("example.com. 300 IN MX 10 mail.example.com.") < 50);
    }

    #[test]
    fn zone_relative_names_and_ttl_order() {
        let f = p("$ORIGIN example.com.\n$TTL 1h\n@ 300 IN A 203.0.113.5\nwww IN 300 CNAME @\n    IN AAAA 2001:db8::5\nmail 1h30m IN A 198.51.100.1\n");
        let r: Vec<(&str, &str, &str, Option<u32>)> = f
            .records
            .iter()
            .map(|r| (r.name.as_str(), r.rtype.as_str(), r.value.as_str(), r.ttl))
            .collect();
        assert_eq!(
            r,
            vec![
                ("example.com", "A", "203.0.113.5", Some(300)),
                ("www.example.com", "CNAME", "example.com", Some(300)),
                ("www.example.com", "AAAA", "2001:db8::5", None),
                ("mail.example.com", "A", "198.51.100.1", Some(5400)),
            ]
        );
        assert!(f.not_understood.is_empty());
    }

    #[test]
    fn dig_short_with_prompt() {
        let f = p("$ dig +short www.example.com\nexample.com.\n203.0.113.9\n");
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.records[0].rtype, "CNAME");
        assert_eq!(f.records[0].name, "www.example.com");
        assert_eq!(f.records[1].name, "example.com");
        assert_eq!(f.records[1].line, 3);
    }

    #[test]
    fn txt_with_semicolon_and_garbage() {
        let f = p("x.example. 1 IN TXT \"v=DMARC1; p=none\"\nthis is not dns\n");
        assert_eq!(f.records[0].value, "\"v=DMARC1; p=none\"");
        assert_eq!(f.not_understood.len(), 1);
        assert_eq!(f.not_understood[0].line, 2);
    }

    #[test]
    fn truncated_api_json() {
        let f = p("{\n  \"result\": [\n    {\n      \"name\": \"example.com\",\n      \"type\": \"A\",\n      \"content\": \"203.0.113.5\",\n      \"proxied\": true,\n");
        assert_eq!(f.records.len(), 1);
        assert_eq!(f.records[0].proxied, Some(true));
        assert_eq!(f.records[0].line, 6);
    }

    #[test]
    fn sniff_scores() {
        let s = "; <<>> DiG 9.18 <<>> example.com\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n";
        assert!(sniff(&lines(s)) >= 60);
        assert!(sniff(&lines("tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:*\n")) < 30);
    }
}
