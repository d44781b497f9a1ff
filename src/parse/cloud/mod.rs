//! Cloud firewalls into one [`Ruleset`] each: AWS security groups
//! (`aws ec2 describe-security-groups`, `describe-security-group-rules`, as
//! JSON or `--output text`) and
//! network ACLs (`describe-network-acls`), GCP VPC firewall rules
//! (`gcloud compute firewall-rules list` as a table or `--format=json`),
//! Azure network security groups (`az network nsg show`, `nsg list`,
//! `nsg rule list`, also `-o table`), Hetzner Cloud (`hcloud firewall describe -o json`) and
//! DigitalOcean (`doctl compute firewall get -o json`) firewalls.
//!
//! **Guarantees:** never panics. JSON is read with serde_json after a
//! tolerant pre-pass that blanks `//` and `/* */` comments and trailing
//! commas (keeping every byte's line) and cuts prompts and prose around the
//! documents; every rule quotes the line of its address (or name) in the
//! paste. Cloud firewalls keep no REJECT: what they do not allow is dropped
//! silently, so Cloudflare would show 522 rather than 521 (each ruleset says
//! so in a note). Only inbound rules are read. A rule whose scope the paste
//! cannot settle (target tags, prefix lists, service tags) is kept with an
//! undecided condition, never guessed. Lines that are neither JSON, a
//! gcloud table, a prompt nor a known footer are reported.

use serde_json::Value;

use crate::firewall::model::{
    Action, Chain, Dialect, Match, Policy, PortSet, Rule, Ruleset, SourceLine,
};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::{Line, NotUnderstood};

mod aws;
mod aws_text;
mod azure;
mod digitalocean;
mod gcp;
mod hetzner;
mod oracle;

use aws::{aws_nacl, aws_sg, aws_sg_rules};
pub use aws::{is_network_acl, merge_security_groups};
use aws_text::aws_text;
pub use azure::name_from_command;
use azure::{az_tables, azure_nsg};
use digitalocean::digitalocean;
use gcp::{gcloud_tables, gcp_json};
use hetzner::hetzner;
use oracle::{oracle_rules, oracle_security_list};

/// The note every cloud ruleset carries.
pub const DROP_NOTE: &str = "cloud firewalls drop what they do not allow, silently: if this layer blocks Cloudflare, the page reads 522 (timeout), not 521";

/// What a paste of cloud firewall listings contained.
#[derive(Debug, Clone, Default)]
pub struct CloudFirewalls {
    pub rulesets: Vec<Ruleset>,
    pub notes: Vec<String>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// Keys of the providers' JSON listings.
const CLOUD_KEYS: &[&str] = &[
    "\"SecurityGroups\"",
    "\"IpPermissions\"",
    "\"NetworkAcls\"",
    "\"SecurityGroupRules\"",
    "\"securityRules\"",
    "\"defaultSecurityRules\"",
    "\"sourceAddressPrefix\"",
    "\"sourceRanges\"",
    "\"ingress-security-rules\"",
    "\"egress-security-rules\"",
    "\"IPProtocol\"",
    "\"source_ips\"",
    "\"inbound_rules\"",
];

/// Confidence (0-100) that `lines` are a cloud firewall listing.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(80) {
        let t = l.text;
        // Every key is quoted: most lines of other output skip the list.
        for key in if t.contains('"') { CLOUD_KEYS } else { &[] } {
            if t.contains(key) {
                score += 50;
            }
        }
        let first = t.split_whitespace().next();
        if first.is_none_or(|f| {
            !matches!(
                f,
                "NAME" | "Name" | "SECURITYGROUPS" | "IPPERMISSIONS" | "SECURITYGROUPRULES"
            )
        }) {
            continue;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if w.starts_with(&["NAME", "NETWORK", "DIRECTION", "PRIORITY"]) {
            score += 80;
        }
        // `aws ec2 describe-security-groups --output text`
        if ["SECURITYGROUPS", "IPPERMISSIONS", "SECURITYGROUPRULES"]
            .iter()
            .any(|r| w.first() == Some(r))
        {
            score += 40;
        }
        // `az network nsg rule list -o table`
        if w.first() == Some(&"Name")
            && ["Priority", "Access", "Direction"]
                .iter()
                .all(|h| w.contains(h))
        {
            score += 80;
        }
    }
    score.min(100) as u8
}

/// Parse a paste holding one or more cloud firewall listings.
pub fn parse(input: &str, lines: &[Line<'_>]) -> CloudFirewalls {
    let mut out = CloudFirewalls::default();
    let mut claimed = vec![false; lines.len()];
    // JSON documents: a line whose first non-blank byte is `{` or `[`.
    let clean = clean_json(lines);
    let mut k = 0usize;
    while let Some(l) = clean.get(k) {
        let t = l.trim_start();
        if !starts_json(t) {
            k += 1;
            continue;
        }
        let Some(end) = doc_end(&clean, k) else {
            // Never closed: report the rest.
            for j in k..lines.len() {
                if let (Some(line), Some(c)) = (lines.get(j), claimed.get_mut(j)) {
                    *c = true;
                    if !line.text.trim().is_empty() {
                        out.not_understood.push(NotUnderstood::new(
                            *line,
                            "JSON document never closes (truncated paste?)",
                        ));
                    }
                }
            }
            break;
        };
        let text = clean.get(k..=end).unwrap_or(&[]).join("\n");
        let doc_lines = lines.get(k..=end).unwrap_or(&[]);
        for c in claimed.iter_mut().skip(k).take(end + 1 - k) {
            *c = true;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => {
                let before = out.rulesets.len();
                let mut loc = Locator {
                    lines: doc_lines,
                    cursor: 0,
                };
                read_value(input, &v, &mut loc, &mut out);
                if out.rulesets.len() == before {
                    for l in doc_lines.iter().filter(|l| !l.text.trim().is_empty()) {
                        out.not_understood.push(NotUnderstood::new(
                            *l,
                            "JSON of no cloud firewall format err521 reads",
                        ));
                    }
                } else {
                    out.understood_lines += doc_lines
                        .iter()
                        .filter(|l| !l.text.trim().is_empty())
                        .count();
                }
            }
            Err(e) => {
                let bad = doc_lines
                    .get(e.line().saturating_sub(1))
                    .or(doc_lines.first())
                    .copied();
                if let Some(b) = bad {
                    out.not_understood
                        .push(NotUnderstood::new(b, format!("JSON not readable: {e}")));
                }
                out.understood_lines += doc_lines
                    .iter()
                    .filter(|l| !l.text.trim().is_empty() && Some(l.no) != bad.map(|b| b.no))
                    .count();
                out.notes.push(format!(
                    "a JSON document (lines {}-{}) could not be read, so its rules are not evaluated",
                    doc_lines.first().map_or(0, |l| l.no),
                    doc_lines.last().map_or(0, |l| l.no)
                ));
            }
        }
        k = end + 1;
    }
    let aws_table = lines.iter().any(|l| is_aws_table_title(l.text));
    if aws_table {
        out.notes.push(
            "AWS CLI `--output table` is not read (its boxes do not keep one rule per line): paste the same command with `--output json` or `--output text`".to_string(),
        );
    }
    gcloud_tables(input, lines, &mut claimed, &mut out);
    az_tables(input, lines, &mut claimed, &mut out);
    aws_text(input, lines, &mut claimed, &mut out);
    for (l, c) in lines.iter().zip(claimed.iter()) {
        if *c {
            continue;
        }
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        // A box line of an AWS table would pass for a Markdown rule.
        if aws_table && t.starts_with(['|', '+', '-']) {
            out.not_understood.push(NotUnderstood::new(
                *l,
                "AWS CLI table output is not read: use `--output json` or `--output text`",
            ));
        } else if is_prompt_or_footer(t) || crate::parse::textscan::is_prose_line(t) {
            out.understood_lines += 1;
        } else {
            out.not_understood.push(NotUnderstood::new(
                *l,
                "not part of a cloud firewall listing",
            ));
        }
    }
    out.not_understood.sort_by_key(|n| n.line);
    out
}

/// The rows of a table whose header ends before `start`: every line up to
/// the first blank or already claimed one is claimed and read with `read`;
/// rows it cannot read are reported with `unread`. Returns the rows read
/// and the index of the line after the table.
fn table_rows<T>(
    lines: &[Line<'_>],
    claimed: &mut [bool],
    start: usize,
    out: &mut CloudFirewalls,
    unread: &str,
    mut read: impl FnMut(&Line<'_>) -> Option<T>,
) -> (Vec<T>, usize) {
    let mut rows = Vec::new();
    let mut j = start;
    while let Some(row) = lines.get(j) {
        if row.text.trim().is_empty() || claimed.get(j) == Some(&true) {
            break;
        }
        if let Some(c) = claimed.get_mut(j) {
            *c = true;
        }
        match read(row) {
            Some(r) => {
                out.understood_lines += 1;
                rows.push(r);
            }
            None => out.not_understood.push(NotUnderstood::new(*row, unread)),
        }
        j += 1;
    }
    (rows, j)
}

/// The title box of an AWS CLI table: `|   DescribeSecurityGroups   |`.
fn is_aws_table_title(t: &str) -> bool {
    t.trim()
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .map(str::trim)
        .is_some_and(|title| title.starts_with("Describe") && !title.contains(' '))
}

/// `{`, `[`, `[{`, `{"a"...`: not `[root@host ~]$` nor `[ec2-user@...`.
fn starts_json(t: &str) -> bool {
    let mut c = t.chars();
    matches!(c.next(), Some('{' | '['))
        && c.next()
            .is_none_or(|x| x.is_whitespace() || matches!(x, '{' | '[' | '"' | ']' | '}'))
}

fn is_prompt_or_footer(t: &str) -> bool {
    let tools = ["aws ", "gcloud ", "az ", "hcloud ", "doctl ", "curl "];
    let first = t.split_whitespace().next().unwrap_or("");
    // `user@host:~ (project)$ gcloud ...`, `[root@h ~]#`.
    let prompt_word = t
        .split_whitespace()
        .any(|w| w.len() > 1 && w.ends_with(['$', '#', '>']) && !w.starts_with('"'));
    let prompt = prompt_word
        || matches!(first, "$" | "#" | "PS" | ">" | "sudo")
        || first.ends_with('$')
        || first.ends_with('#')
        || first.ends_with('>')
        || tools.iter().any(|p| t.starts_with(p));
    prompt
        || t.starts_with("To show all fields")
        || t.starts_with("Listed 0 items")
        || t.starts_with("WARNING:")
        || t == "```"
}

// ----------------------------------------------------------- pre-pass

/// Lines with comments and trailing commas blanked (same line count; all
/// removed bytes become spaces so serde_json's line numbers still match).
fn clean_json(lines: &[Line<'_>]) -> Vec<String> {
    let joined: String = lines
        .iter()
        .map(|l| l.text)
        .collect::<Vec<&str>>()
        .join("\n");
    let mut b: Vec<u8> = joined.into_bytes();
    let mut i = 0usize;
    let mut in_str = false;
    let mut esc = false;
    // Position of the last comma outside strings not yet followed by a value.
    let mut comma: Option<usize> = None;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(b' ');
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' || c == b'\n' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied();
        match c {
            b'"' => {
                in_str = true;
                comma = None;
            }
            b'/' if next == Some(b'/') => {
                while let Some(x) = b.get_mut(i) {
                    if *x == b'\n' {
                        break;
                    }
                    *x = b' ';
                    i += 1;
                }
                continue;
            }
            b'/' if next == Some(b'*') => {
                while let Some(x) = b.get(i).copied() {
                    if x == b'*' && b.get(i + 1) == Some(&b'/') {
                        for y in b.iter_mut().skip(i).take(2) {
                            *y = b' ';
                        }
                        i += 2;
                        break;
                    }
                    if x != b'\n' {
                        if let Some(y) = b.get_mut(i) {
                            *y = b' ';
                        }
                    }
                    i += 1;
                }
                continue;
            }
            b',' => comma = Some(i),
            b'}' | b']' => {
                if let Some(p) = comma.take() {
                    if let Some(y) = b.get_mut(p) {
                        *y = b' ';
                    }
                }
            }
            x if x.is_ascii_whitespace() => {}
            _ => comma = None,
        }
        i += 1;
    }
    String::from_utf8_lossy(&b)
        .split('\n')
        .map(str::to_string)
        .collect()
}

/// Index of the line where the JSON value starting on line `start` closes.
fn doc_end(clean: &[String], start: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut in_str = false;
    let mut esc = false;
    for (k, l) in clean.iter().enumerate().skip(start) {
        for c in l.chars() {
            if in_str {
                if esc {
                    esc = false;
                } else if c == '\\' {
                    esc = true;
                } else if c == '"' {
                    in_str = false;
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '{' | '[' => depth += 1,
                '}' | ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        in_str = false;
    }
    None
}

/// Finds the pasted line of a JSON element by the text it must contain,
/// searching forward from the last element found.
struct Locator<'a, 'b> {
    lines: &'a [Line<'b>],
    cursor: usize,
}

impl Locator<'_, '_> {
    fn find(&mut self, needles: &[&str]) -> SourceLine {
        let hit = |l: &Line<'_>| needles.iter().all(|n| l.text.contains(n));
        let found = self
            .lines
            .iter()
            .enumerate()
            .skip(self.cursor)
            .find(|(_, l)| hit(l))
            .or_else(|| self.lines.iter().enumerate().find(|(_, l)| hit(l)));
        let (k, l) = match found {
            Some((k, l)) => (k, *l),
            None => match self.lines.get(self.cursor).or(self.lines.first()) {
                Some(l) => (self.cursor, *l),
                None => {
                    return SourceLine {
                        line: 0,
                        text: String::new(),
                    }
                }
            },
        };
        self.cursor = k.saturating_add(1);
        SourceLine {
            line: l.no,
            text: l.text.trim().to_string(),
        }
    }
}

// ------------------------------------------------------------- helpers

/// One accept rule per source address, each on the line that names it
/// (searched quoted, so `10.0.0.0/8` never lands on `110.0.0.0/8`).
fn allow_sources(
    m: &[Match],
    ips: &[&str],
    loc: &mut Locator<'_, '_>,
    rules: &mut Vec<Rule>,
    notes: &mut Vec<String>,
) {
    for ip in ips {
        let line = loc.find(&[&q(ip)]);
        match AddrRange::parse(ip) {
            Some(a) => {
                let mut mm = m.to_vec();
                mm.push(addr_match(a));
                rules.push(rule(line, mm, Action::Accept));
            }
            None => notes.push(format!("line {}: `{ip}` not understood", line.line)),
        }
    }
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn n(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(x) => x.as_i64(),
        Value::String(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strs<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    match v.get(key) {
        Some(Value::String(t)) if !t.is_empty() => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Quoted JSON text `"key": value` for locating, tolerant of spacing.
fn q(text: &str) -> String {
    format!("\"{text}\"")
}

fn proto_match(p: &str) -> Option<Match> {
    let name = match p.to_ascii_lowercase().as_str() {
        "-1" | "all" | "*" | "any" | "asterisk" => return None,
        "6" | "tcp" => "tcp".to_string(),
        "17" | "udp" => "udp".to_string(),
        "1" | "icmp" => "icmp".to_string(),
        "58" | "icmpv6" | "ipv6-icmp" => "ipv6-icmp".to_string(),
        other => other.to_string(),
    };
    Some(Match::Protocol {
        names: vec![name],
        negated: false,
    })
}

/// `443`, `80-85`, `8000_9000`; `None` for "all ports".
fn port_range(t: &str) -> Option<Option<(u16, u16)>> {
    let t = t.trim();
    if matches!(t, "" | "*" | "all" | "any" | "0" | "0-65535" | "1-65535") {
        return Some(None);
    }
    let (a, b) = t.split_once(['-', '_', ':']).unwrap_or((t, t));
    let (lo, hi) = (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?);
    (lo <= hi).then_some(Some((lo, hi)))
}

fn ports_match(ranges: Vec<(u16, u16)>) -> Match {
    let mut r = ranges;
    r.sort_unstable();
    Match::DestPort {
        ports: PortSet(r),
        negated: false,
    }
}

fn addr_match(r: AddrRange) -> Match {
    Match::SourceAddr {
        set: AddrSet::from_ranges([r]),
        negated: false,
    }
}

fn ruleset(
    input: &str,
    dialect: Dialect,
    name: &str,
    policy_line: SourceLine,
    rules: Vec<Rule>,
) -> Ruleset {
    Ruleset {
        dialect,
        input: input.to_string(),
        families: vec![Family::V4, Family::V6],
        chains: vec![Chain {
            name: name.to_string(),
            table: "cloud".to_string(),
            families: vec![Family::V4, Family::V6],
            policy: Some(Policy::Drop),
            policy_line: Some(policy_line),
            rules,
        }],
        entry: vec![0],
        interfaces: Vec::new(),
        sets: Vec::new(),
        notes: vec![DROP_NOTE.to_string()],
        assumptions: Vec::new(),
        understood_lines: 0,
        not_understood: Vec::new(),
    }
}

fn rule(source: SourceLine, matches: Vec<Match>, action: Action) -> Rule {
    Rule {
        source,
        matches,
        action,
    }
}

// ------------------------------------------------------------- dispatch

fn read_value(input: &str, v: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    if let Some(sgs) = v.get("SecurityGroups").and_then(Value::as_array) {
        for sg in sgs {
            aws_sg(input, sg, loc, out);
        }
        return;
    }
    if let Some(rules) = v.get("SecurityGroupRules").and_then(Value::as_array) {
        aws_sg_rules(input, rules, loc, out);
        return;
    }
    if let Some(acls) = v.get("NetworkAcls").and_then(Value::as_array) {
        for acl in acls {
            aws_nacl(input, acl, loc, out);
        }
        return;
    }
    if v.get("ingress-security-rules").is_some() {
        oracle_security_list(input, v, loc, out);
        return;
    }
    // An NSG in the ARM / portal JSON view: its rules sit under
    // `properties` (and each rule's fields under its own `properties`).
    if let Some(props) = v
        .get("properties")
        .filter(|p| p.get("securityRules").is_some() || p.get("defaultSecurityRules").is_some())
    {
        let name = s(v, "name").unwrap_or(azure::UNNAMED);
        loc.find(&[&q(name)]);
        azure_nsg(
            input,
            name,
            arr(props, "securityRules"),
            arr(props, "defaultSecurityRules"),
            loc,
            out,
        );
        return;
    }
    // Wrappers of single objects: `{"firewall": {...}}`, `{"firewalls": [...]}`,
    // the OCI CLI's `{"data": ...}`, an ARM template's `resources`.
    for key in ["firewall", "firewalls", "value", "data", "resources"] {
        if let Some(inner) = v.get(key) {
            read_value(input, inner, loc, out);
            return;
        }
    }
    if let Some(items) = v.as_array() {
        let first = items.first();
        if first.is_some_and(|f| f.get("IpPermissions").is_some()) {
            for sg in items {
                aws_sg(input, sg, loc, out);
            }
        } else if first.is_some_and(|f| {
            f.get("sourceRanges").is_some()
                || f.get("allowed").is_some()
                || f.get("denied").is_some()
        }) {
            gcp_json(input, items, loc, out);
        } else if first
            .is_some_and(|f| f.get("source-type").is_some() && f.get("direction").is_some())
        {
            // `oci network nsg rules list`: one network security group's rules.
            let head = loc.find(&["\"data\""]);
            let rules = oracle_rules(
                items
                    .iter()
                    .filter(|r| s(r, "direction") == Some("INGRESS")),
                loc,
            );
            out.rulesets.push(ruleset(
                input,
                Dialect::CloudOther,
                "OCI network security group",
                head,
                rules,
            ));
        } else if first.is_some_and(|f| {
            let f = f.get("properties").unwrap_or(f);
            f.get("access").is_some() && f.get("direction").is_some()
        }) {
            azure_nsg(input, azure::UNNAMED, items, &[], loc, out);
        } else {
            for item in items {
                read_value(input, item, loc, out);
            }
        }
        return;
    }
    if v.get("securityRules").is_some() || v.get("defaultSecurityRules").is_some() {
        let name = s(v, "name").unwrap_or(azure::UNNAMED);
        loc.find(&[&q(name)]);
        azure_nsg(
            input,
            name,
            arr(v, "securityRules"),
            arr(v, "defaultSecurityRules"),
            loc,
            out,
        );
        return;
    }
    if v.get("inbound_rules").is_some() {
        digitalocean(input, v, loc, out);
        return;
    }
    if v.get("rules").and_then(Value::as_array).is_some_and(|r| {
        r.iter()
            .any(|x| x.get("direction").is_some() || x.get("source_ips").is_some())
    }) || (v.get("rules").is_some() && v.get("applied_to").is_some())
    {
        hetzner(input, v, loc, out);
    }
}

#[cfg(test)]
mod tests {
    use super::gcp::gcp_allow_list;
    use super::*;
    use crate::text::lines;

    #[test]
    fn prepass_keeps_lines() {
        let text = "$ aws ec2 x\n{\n  // comment\n  \"a\": [1, 2,], /* c */\n  \"b\": \"http://x\",\n}\nfooter";
        let ls = lines(text);
        let c = clean_json(&ls);
        assert_eq!(c.len(), 7);
        assert_eq!(doc_end(&c, 1), Some(5));
        let body = c.get(1..=5).map(|x| x.join("\n")).unwrap_or_default();
        let v: Result<Value, _> = serde_json::from_str(&body);
        assert!(v.is_ok(), "{body}");
        assert_eq!(
            v.ok()
                .and_then(|v| s(&v, "b").map(str::to_string))
                .as_deref(),
            Some("http://x")
        );
    }

    #[test]
    fn port_ranges() {
        assert_eq!(port_range("80-85"), Some(Some((80, 85))));
        assert_eq!(port_range("2000_3000"), Some(Some((2000, 3000))));
        assert_eq!(port_range("any"), Some(None));
        assert_eq!(port_range("90-80"), None);
        assert_eq!(
            gcp_allow_list("tcp:0-65535,udp:0-65535,icmp").map(|v| v.len()),
            Some(3)
        );
        assert_eq!(
            gcp_allow_list("tcp:80,443").and_then(|v| v.first().map(|x| x.1.len())),
            Some(2)
        );
    }
}
