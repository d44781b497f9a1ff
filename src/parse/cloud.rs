//! Cloud firewalls into one [`Ruleset`] each: AWS security groups
//! (`aws ec2 describe-security-groups`, `describe-security-group-rules`) and
//! network ACLs (`describe-network-acls`), GCP VPC firewall rules
//! (`gcloud compute firewall-rules list` as a table or `--format=json`),
//! Azure network security groups (`az network nsg show`, `nsg list`,
//! `nsg rule list`), Hetzner Cloud (`hcloud firewall describe -o json`) and
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

/// Confidence (0-100) that `lines` are a cloud firewall listing.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(80) {
        let t = l.text;
        for key in [
            "\"SecurityGroups\"",
            "\"IpPermissions\"",
            "\"NetworkAcls\"",
            "\"SecurityGroupRules\"",
            "\"securityRules\"",
            "\"defaultSecurityRules\"",
            "\"sourceAddressPrefix\"",
            "\"sourceRanges\"",
            "\"IPProtocol\"",
            "\"source_ips\"",
            "\"inbound_rules\"",
        ] {
            if t.contains(key) {
                score += 50;
            }
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if w.starts_with(&["NAME", "NETWORK", "DIRECTION", "PRIORITY"]) {
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
    gcloud_tables(input, lines, &mut claimed, &mut out);
    for (l, c) in lines.iter().zip(claimed.iter()) {
        if *c {
            continue;
        }
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        if is_prompt_or_footer(t) || crate::parse::split::is_prose_line(t) {
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
    // Wrappers of single objects: `{"firewall": {...}}`, `{"firewalls": [...]}`,
    // the OCI CLI's `{"data": ...}`.
    for key in ["firewall", "firewalls", "value", "data"] {
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
        } else if first.is_some_and(|f| f.get("access").is_some() && f.get("direction").is_some()) {
            azure_nsg(input, "nsg", items, &[], loc, out);
        } else {
            for item in items {
                read_value(input, item, loc, out);
            }
        }
        return;
    }
    if v.get("securityRules").is_some() || v.get("defaultSecurityRules").is_some() {
        let name = s(v, "name").unwrap_or("nsg");
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

// ----------------------------------------------------------------- AWS

fn aws_perm_rules(
    perm: &Value,
    loc: &mut Locator<'_, '_>,
    fallback: &SourceLine,
) -> (Vec<Rule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    let proto = s(perm, "IpProtocol")
        .map(str::to_string)
        .or_else(|| n(perm, "IpProtocol").map(|x| x.to_string()))
        .unwrap_or_else(|| "-1".to_string());
    let mut base: Vec<Match> = Vec::new();
    let pm = proto_match(&proto);
    let is_l4 = matches!(&pm, Some(Match::Protocol { names, .. }) if names.iter().any(|x| x == "tcp" || x == "udp"));
    if let Some(m) = pm {
        base.push(m);
    }
    if is_l4 {
        if let (Some(from), Some(to)) = (n(perm, "FromPort"), n(perm, "ToPort")) {
            if from >= 0 {
                let lo = u16::try_from(from).unwrap_or(0);
                let hi = u16::try_from(to).unwrap_or(u16::MAX);
                base.push(ports_match(vec![(lo, hi.max(lo))]));
            }
        }
    }
    let cidrs: Vec<&str> = arr(perm, "IpRanges")
        .iter()
        .filter_map(|r| s(r, "CidrIp"))
        .chain(
            arr(perm, "Ipv6Ranges")
                .iter()
                .filter_map(|r| s(r, "CidrIpv6")),
        )
        .collect();
    allow_sources(&base, &cidrs, loc, &mut rules, &mut notes);
    for p in arr(perm, "PrefixListIds") {
        let id = s(p, "PrefixListId").unwrap_or("?");
        let line = loc.find(&[id]);
        let mut m = base.clone();
        m.push(Match::Unknown {
            text: format!("prefix list {id}: its CIDRs are not in the paste (paste `aws ec2 get-managed-prefix-list-entries --prefix-list-id {id}`)"),
        });
        rules.push(rule(line, m, Action::Accept));
    }
    let pairs = arr(perm, "UserIdGroupPairs");
    if !pairs.is_empty() {
        // Another security group as source: instances, never Internet.
        notes.push(format!(
            "line {}: rules with a security group as source admit only instances in that group, not Cloudflare",
            fallback.line
        ));
    }
    (rules, notes)
}

fn aws_sg(input: &str, sg: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let id = s(sg, "GroupId").unwrap_or("security group");
    let name = s(sg, "GroupName").unwrap_or("");
    // The CLI prints GroupName before IpPermissions and GroupId after.
    let head = if name.is_empty() {
        loc.find(&[&q(id)])
    } else {
        loc.find(&["GroupName", &q(name)])
    };
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for perm in arr(sg, "IpPermissions") {
        let (r, n) = aws_perm_rules(perm, loc, &head);
        rules.extend(r);
        notes.extend(n);
    }
    // Skip past the egress rules so later lookups do not land in them.
    if !arr(sg, "IpPermissionsEgress").is_empty() {
        loc.find(&["IpPermissionsEgress"]);
    }
    let label = if name.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({name})")
    };
    let mut rs = ruleset(input, Dialect::CloudAws, &label, head, rules);
    rs.notes.push("an instance with several security groups admits what any of them allows; a network ACL on the subnet must allow it too".to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

/// Security groups attached to one instance admit what any of them allows
/// (they hold no deny rules), so the groups pasted in one input are read as
/// one layer: their accept rules side by side in one chain, policy drop.
/// Reading them as separate layers would demand that every group allow
/// Cloudflare. Network ACLs stay layers of their own.
pub fn merge_security_groups(rulesets: &mut Vec<Ruleset>) {
    let is_group = |r: &Ruleset| {
        r.dialect == Dialect::CloudAws && r.chains.first().is_some_and(|c| !is_network_acl(&c.name))
    };
    let mut k = 0;
    while k < rulesets.len() {
        let Some(input) = rulesets
            .get(k)
            .filter(|r| is_group(r))
            .map(|r| r.input.clone())
        else {
            k += 1;
            continue;
        };
        let mut others = Vec::new();
        let mut j = k + 1;
        while j < rulesets.len() {
            if rulesets
                .get(j)
                .is_some_and(|r| is_group(r) && r.input == input)
            {
                others.push(rulesets.remove(j));
            } else {
                j += 1;
            }
        }
        if let (Some(first), false) = (rulesets.get_mut(k), others.is_empty()) {
            let count = others.len() + 1;
            for other in others {
                if let (Some(into), Some(from)) =
                    (first.chains.first_mut(), other.chains.into_iter().next())
                {
                    into.name = format!("{} + {}", into.name, from.name);
                    into.rules.extend(from.rules);
                }
                for n in other.notes {
                    if !first.notes.contains(&n) {
                        first.notes.push(n);
                    }
                }
                first.understood_lines += other.understood_lines;
                first.not_understood.extend(other.not_understood);
            }
            first.notes.push(format!(
                "{count} security groups pasted: read as attached to the same instance, which admits what any of them allows; if some are not attached to the origin, paste only its groups (`aws ec2 describe-instances --instance-ids i-… --query 'Reservations[].Instances[].SecurityGroups'`)"
            ));
        }
        k += 1;
    }
}

/// Network ACL chains are named by their `acl-…` id.
pub fn is_network_acl(name: &str) -> bool {
    name.starts_with("acl-") || name == "network ACL"
}

fn aws_sg_rules(input: &str, items: &[Value], loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let mut groups: Vec<(String, SourceLine, Vec<Rule>, Vec<String>)> = Vec::new();
    for r in items {
        let egress = r.get("IsEgress").and_then(Value::as_bool).unwrap_or(false);
        let gid = s(r, "GroupId").unwrap_or("security group").to_string();
        let rid = s(r, "SecurityGroupRuleId").unwrap_or("");
        let line = loc.find(&[rid]);
        if egress {
            continue;
        }
        // Same shape as IpPermissions, one address per rule.
        let mut perm = serde_json::Map::new();
        for k in ["IpProtocol", "FromPort", "ToPort"] {
            if let Some(x) = r.get(k) {
                perm.insert(k.to_string(), x.clone());
            }
        }
        if let Some(c) = s(r, "CidrIpv4") {
            perm.insert("IpRanges".into(), serde_json::json!([{ "CidrIp": c }]));
        }
        if let Some(c) = s(r, "CidrIpv6") {
            perm.insert("Ipv6Ranges".into(), serde_json::json!([{ "CidrIpv6": c }]));
        }
        if let Some(p) = s(r, "PrefixListId") {
            perm.insert(
                "PrefixListIds".into(),
                serde_json::json!([{ "PrefixListId": p }]),
            );
        }
        if r.get("ReferencedGroupInfo").is_some() {
            perm.insert("UserIdGroupPairs".into(), serde_json::json!([{}]));
        }
        let (rules, notes) = aws_perm_rules(&Value::Object(perm), loc, &line);
        match groups.iter_mut().find(|g| g.0 == gid) {
            Some(g) => {
                g.2.extend(rules);
                g.3.extend(notes);
            }
            None => groups.push((gid, line, rules, notes)),
        }
    }
    for (gid, line, rules, notes) in groups {
        let mut rs = ruleset(input, Dialect::CloudAws, &gid, line, rules);
        rs.notes.extend(notes);
        out.rulesets.push(rs);
    }
}

fn aws_nacl(input: &str, acl: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let id = s(acl, "NetworkAclId").unwrap_or("network ACL");
    let head = loc.find(&[&q(id)]);
    let mut entries: Vec<(i64, Rule)> = Vec::new();
    let mut notes = Vec::new();
    for e in arr(acl, "Entries") {
        let num = n(e, "RuleNumber").unwrap_or(i64::MAX);
        let cidr = s(e, "CidrBlock")
            .or_else(|| s(e, "Ipv6CidrBlock"))
            .unwrap_or("");
        // AWS prints keys sorted: the CIDR comes first in each entry.
        let line = loc.find(&[&q(cidr)]);
        if e.get("Egress").and_then(Value::as_bool).unwrap_or(false) {
            continue;
        }
        let Some(a) = AddrRange::parse(cidr) else {
            notes.push(format!("line {}: entry without a readable CIDR", line.line));
            continue;
        };
        let mut m = Vec::new();
        let proto = s(e, "Protocol")
            .map(str::to_string)
            .or_else(|| n(e, "Protocol").map(|x| x.to_string()))
            .unwrap_or_else(|| "-1".into());
        let pm = proto_match(&proto);
        let l4 = matches!(&pm, Some(Match::Protocol { names, .. }) if names.iter().any(|x| x == "tcp" || x == "udp"));
        m.extend(pm);
        if l4 {
            if let Some(pr) = e.get("PortRange") {
                if let (Some(f), Some(t)) = (n(pr, "From"), n(pr, "To")) {
                    let lo = u16::try_from(f).unwrap_or(0);
                    let hi = u16::try_from(t).unwrap_or(u16::MAX);
                    m.push(ports_match(vec![(lo, hi.max(lo))]));
                }
            }
        }
        m.push(addr_match(a));
        let action = match s(e, "RuleAction").map(str::to_ascii_lowercase).as_deref() {
            Some("allow") => Action::Accept,
            Some("deny") => Action::Drop,
            other => Action::Unknown(format!("rule action {other:?}")),
        };
        entries.push((num, rule(line, m, action)));
    }
    entries.sort_by_key(|(k, _)| *k);
    let mut rs = ruleset(
        input,
        Dialect::CloudAws,
        id,
        head,
        entries.into_iter().map(|(_, r)| r).collect(),
    );
    rs.notes.push("network ACLs are evaluated in rule-number order, first match wins, and are stateless: the outbound rules must also allow replies to ephemeral ports".to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

// ----------------------------------------------------------------- GCP

/// A protocol and its port ranges (empty = all ports).
type ProtoPorts = (String, Vec<(u16, u16)>);

/// One GCP rule as read from JSON or a table row.
struct GcpRule {
    name: String,
    network: String,
    ingress: bool,
    priority: i64,
    deny: bool,
    /// (protocol, port ranges; empty = all ports).
    protos: Vec<ProtoPorts>,
    /// `None`: source ranges not shown (table without SRC_RANGES).
    sources: Option<Vec<AddrRange>>,
    /// Only tag/service-account sources: never Internet.
    tag_sources_only: bool,
    targets: Vec<String>,
    disabled: bool,
    line: SourceLine,
}

fn gcp_rules(r: &GcpRule) -> Vec<Rule> {
    let mut base = Vec::new();
    match &r.sources {
        Some(src) => base.push(Match::SourceAddr {
            set: AddrSet::from_ranges(src.iter().copied()),
            negated: false,
        }),
        None => base.push(Match::Unknown {
            text: "source ranges are not in this table (paste `gcloud compute firewall-rules list --format=json`)".into(),
        }),
    }
    if !r.targets.is_empty() {
        base.push(Match::Unknown {
            text: format!(
                "applies only to instances tagged {} (is the origin one of them?)",
                r.targets.join(", ")
            ),
        });
    }
    let action = if r.deny { Action::Drop } else { Action::Accept };
    let mut out = Vec::new();
    for (proto, ports) in &r.protos {
        let mut m = base.clone();
        m.extend(proto_match(proto));
        if !ports.is_empty() {
            m.push(ports_match(ports.clone()));
        }
        out.push(rule(r.line.clone(), m, action.clone()));
    }
    out
}

fn gcp_build(input: &str, mut rules: Vec<GcpRule>, out: &mut CloudFirewalls) {
    // Lower priority number first; at equal priority deny wins.
    rules.sort_by_key(|r| (r.priority, !r.deny));
    let mut networks: Vec<String> = rules.iter().map(|r| r.network.clone()).collect();
    networks.dedup();
    networks.sort();
    networks.dedup();
    for net in networks {
        let mut notes = Vec::new();
        let mut model = Vec::new();
        let mut head = None;
        for r in rules.iter().filter(|r| r.network == net) {
            head.get_or_insert_with(|| r.line.clone());
            if !r.ingress {
                continue;
            }
            if r.disabled {
                notes.push(format!("line {}: rule {} is disabled", r.line.line, r.name));
                continue;
            }
            if r.tag_sources_only {
                notes.push(format!(
                    "line {}: rule {} admits only instances by tag or service account, not Cloudflare",
                    r.line.line, r.name
                ));
                continue;
            }
            model.extend(gcp_rules(r));
        }
        let head = head.unwrap_or(SourceLine {
            line: 0,
            text: String::new(),
        });
        let mut rs = ruleset(
            input,
            Dialect::CloudGcp,
            &format!("network {net}"),
            head,
            model,
        );
        rs.chains.iter_mut().for_each(|c| c.policy_line = None);
        rs.notes.push(
            "GCP ends every VPC network with an implied deny of all ingress (priority 65535)"
                .to_string(),
        );
        rs.notes.extend(notes);
        out.rulesets.push(rs);
    }
}

/// `tcp:80`, `tcp:0-65535,udp:0-65535,icmp`, `all`, `tcp:80,443`.
fn gcp_allow_list(t: &str) -> Option<Vec<ProtoPorts>> {
    let mut out: Vec<ProtoPorts> = Vec::new();
    for tok in t.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let (proto, port) = match tok.split_once(':') {
            Some((p, port)) => (Some(p), Some(port)),
            None if tok.chars().all(|c| c.is_ascii_digit() || c == '-') => (None, Some(tok)),
            None => (Some(tok), None),
        };
        let range = match port {
            Some(p) => port_range(p)?,
            None => None,
        };
        match proto {
            Some(p) => out.push((p.to_ascii_lowercase(), range.into_iter().collect())),
            None => out.last_mut()?.1.extend(range),
        }
    }
    Some(out)
}

fn gcp_json(input: &str, items: &[Value], loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let mut rules = Vec::new();
    for it in items {
        let name = s(it, "name").unwrap_or("rule").to_string();
        let line = loc.find(&["\"name\"", &q(&name)]);
        let network = s(it, "network")
            .and_then(|n| n.rsplit('/').next())
            .unwrap_or("default")
            .to_string();
        let ranges = strs(it, "sourceRanges");
        let has_tag_sources =
            !strs(it, "sourceTags").is_empty() || !strs(it, "sourceServiceAccounts").is_empty();
        let sources: Vec<AddrRange> = ranges.iter().filter_map(|r| AddrRange::parse(r)).collect();
        let sources = if ranges.is_empty() && !has_tag_sources {
            // No source at all: GCP applies 0.0.0.0/0.
            vec![AddrRange::all(Family::V4)]
        } else {
            sources
        };
        let (list, deny) = if it.get("denied").is_some() {
            (arr(it, "denied"), true)
        } else {
            (arr(it, "allowed"), false)
        };
        let mut protos = Vec::new();
        for a in list {
            let p = s(a, "IPProtocol").unwrap_or("all").to_string();
            let ports: Vec<(u16, u16)> = strs(a, "ports")
                .iter()
                .filter_map(|x| port_range(x).flatten())
                .collect();
            protos.push((p, ports));
        }
        let mut targets: Vec<String> = strs(it, "targetTags")
            .iter()
            .map(|t| t.to_string())
            .collect();
        targets.extend(
            strs(it, "targetServiceAccounts")
                .iter()
                .map(|t| format!("service account {t}")),
        );
        rules.push(GcpRule {
            name,
            network,
            ingress: s(it, "direction").is_none_or(|d| d.eq_ignore_ascii_case("INGRESS")),
            priority: n(it, "priority").unwrap_or(1000),
            deny,
            protos,
            sources: Some(sources.clone()),
            tag_sources_only: sources.is_empty() && has_tag_sources,
            targets,
            disabled: it.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            line,
        });
    }
    gcp_build(input, rules, out);
}

/// `gcloud compute firewall-rules list` tables (default or custom columns).
fn gcloud_tables(input: &str, lines: &[Line<'_>], claimed: &mut [bool], out: &mut CloudFirewalls) {
    let mut k = 0usize;
    while let Some(l) = lines.get(k) {
        let words: Vec<&str> = l.text.split_whitespace().collect();
        let is_header = claimed.get(k) == Some(&false)
            && words.first() == Some(&"NAME")
            && words.contains(&"PRIORITY")
            && words.iter().any(|w| *w == "ALLOW" || *w == "DENY");
        if !is_header {
            k += 1;
            continue;
        }
        // Column starts (byte offsets of each header word).
        let mut cols: Vec<(String, usize)> = Vec::new();
        let mut pos = 0usize;
        for w in &words {
            let at = l
                .text
                .get(pos..)
                .and_then(|r| r.find(w))
                .map_or(pos, |i| i + pos);
            cols.push((w.to_string(), at));
            pos = at + w.len();
        }
        if let Some(c) = claimed.get_mut(k) {
            *c = true;
        }
        out.understood_lines += 1;
        let mut rules = Vec::new();
        let mut j = k + 1;
        while let Some(row) = lines.get(j) {
            if row.text.trim().is_empty() || claimed.get(j) == Some(&true) {
                break;
            }
            if let Some(c) = claimed.get_mut(j) {
                *c = true;
            }
            match gcp_row(row, &cols) {
                Some(r) => {
                    out.understood_lines += 1;
                    rules.push(r);
                }
                None => out
                    .not_understood
                    .push(NotUnderstood::new(*row, "gcloud table row not understood")),
            }
            j += 1;
        }
        gcp_build(input, rules, out);
        k = j;
    }
}

fn gcp_row(row: &Line<'_>, cols: &[(String, usize)]) -> Option<GcpRule> {
    let cell = |name: &str| -> Option<String> {
        let i = cols.iter().position(|(n, _)| n == name)?;
        let start = cols.get(i)?.1;
        let end = cols.get(i + 1).map(|c| c.1);
        let text = row.text;
        let v = match end {
            Some(e) => text.get(start.min(text.len())..e.min(text.len()))?,
            None => text.get(start.min(text.len())..)?,
        };
        Some(v.trim().to_string())
    };
    let name = cell("NAME").filter(|n| !n.is_empty())?;
    let priority = cell("PRIORITY")?.parse::<i64>().ok()?;
    let allow = cell("ALLOW").unwrap_or_default();
    let deny = cell("DENY").unwrap_or_default();
    let (list, is_deny) = if !deny.is_empty() {
        (deny, true)
    } else {
        (allow, false)
    };
    let protos = gcp_allow_list(&list)?;
    let src_col = ["SRC_RANGES", "SOURCE_RANGES", "SRC_RANGE"]
        .iter()
        .find_map(|c| cell(c));
    let sources = match src_col {
        Some(t) if t.is_empty() => Some(vec![AddrRange::all(Family::V4)]),
        Some(t) => Some(
            t.split(',')
                .map(|x| AddrRange::parse(x.trim()))
                .collect::<Option<Vec<AddrRange>>>()?,
        ),
        None => None,
    };
    let targets: Vec<String> = cell("TARGET_TAGS")
        .map(|t| {
            t.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(GcpRule {
        name,
        network: cell("NETWORK")
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
        ingress: cell("DIRECTION")
            .is_none_or(|d| d.is_empty() || d.eq_ignore_ascii_case("INGRESS")),
        priority,
        deny: is_deny,
        protos,
        sources,
        tag_sources_only: false,
        targets,
        disabled: cell("DISABLED").is_some_and(|d| d.eq_ignore_ascii_case("true")),
        line: SourceLine {
            line: row.no,
            text: row.text.trim().to_string(),
        },
    })
}

// --------------------------------------------------------------- Azure

fn azure_nsg(
    input: &str,
    name: &str,
    rules: &[Value],
    defaults: &[Value],
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let mut all: Vec<(i64, Rule)> = Vec::new();
    let mut notes = Vec::new();
    let mut head = None;
    for r in rules.iter().chain(defaults.iter()) {
        let rname = s(r, "name").unwrap_or("rule");
        let line = loc.find(&["\"name\"", &q(rname)]);
        head.get_or_insert_with(|| line.clone());
        if !s(r, "direction").is_some_and(|d| d.eq_ignore_ascii_case("Inbound")) {
            continue;
        }
        let priority = n(r, "priority").unwrap_or(i64::MAX);
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("*")));
        let mut ports: Vec<(u16, u16)> = Vec::new();
        let mut all_ports = false;
        for p in strs(r, "destinationPortRange")
            .into_iter()
            .chain(strs(r, "destinationPortRanges"))
        {
            match port_range(p) {
                Some(Some(x)) => ports.push(x),
                Some(None) => all_ports = true,
                None => notes.push(format!("line {}: port `{p}` not understood", line.line)),
            }
        }
        if !all_ports && !ports.is_empty() {
            m.push(ports_match(ports));
        }
        let prefixes: Vec<&str> = strs(r, "sourceAddressPrefix")
            .into_iter()
            .chain(strs(r, "sourceAddressPrefixes"))
            .collect();
        let mut set = Vec::new();
        let mut unknown = Vec::new();
        let mut internal_only = !prefixes.is_empty();
        for p in &prefixes {
            match *p {
                "*" | "Internet" | "Any" | "any" => {
                    set.push(AddrRange::all(Family::V4));
                    set.push(AddrRange::all(Family::V6));
                    internal_only = false;
                }
                "VirtualNetwork" | "AzureLoadBalancer" | "GatewayManager" => {}
                other => match AddrRange::parse(other) {
                    Some(a) => {
                        set.push(a);
                        internal_only = false;
                    }
                    None => {
                        unknown.push(other.to_string());
                        internal_only = false;
                    }
                },
            }
        }
        if prefixes.is_empty() && r.get("sourceApplicationSecurityGroups").is_some() {
            internal_only = true;
        }
        if internal_only {
            // VirtualNetwork, the load balancer probe: never Cloudflare.
            continue;
        }
        let action = match s(r, "access").map(str::to_ascii_lowercase).as_deref() {
            Some("allow") => Action::Accept,
            Some("deny") => Action::Drop,
            other => Action::Unknown(format!("access {other:?}")),
        };
        if !set.is_empty() {
            let mut mm = m.clone();
            mm.push(Match::SourceAddr {
                set: AddrSet::from_ranges(set),
                negated: false,
            });
            all.push((priority, rule(line.clone(), mm, action.clone())));
        }
        for u in unknown {
            let mut mm = m.clone();
            mm.push(Match::Unknown {
                text: format!(
                    "Azure service tag `{u}`: whether it covers Cloudflare is not known here"
                ),
            });
            all.push((priority, rule(line.clone(), mm, action.clone())));
        }
    }
    all.sort_by_key(|(p, _)| *p);
    let head = head.unwrap_or(SourceLine {
        line: 0,
        text: String::new(),
    });
    let mut rs = ruleset(
        input,
        Dialect::CloudAzure,
        name,
        head,
        all.into_iter().map(|(_, r)| r).collect(),
    );
    rs.chains.iter_mut().for_each(|c| c.policy_line = None);
    if defaults.is_empty() {
        rs.notes.push(
            "default rules not shown: every NSG ends with DenyAllInBound (65500), assumed"
                .to_string(),
        );
    }
    rs.notes.push(
        "an NSG on the subnet and one on the network interface must both allow the traffic"
            .to_string(),
    );
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

// ------------------------------------------------------ Hetzner, DO

fn hetzner(input: &str, fw: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let name = s(fw, "name").unwrap_or("firewall");
    let head = loc.find(&["\"name\"", &q(name)]);
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for r in arr(fw, "rules") {
        if s(r, "direction") != Some("in") {
            continue;
        }
        let mut m = Vec::new();
        let proto = s(r, "protocol").unwrap_or("tcp");
        m.extend(proto_match(proto));
        if let Some(p) = s(r, "port") {
            match port_range(p) {
                Some(Some(x)) => m.push(ports_match(vec![x])),
                Some(None) => {}
                None => notes.push(format!("port `{p}` not understood")),
            }
        }
        allow_sources(&m, &strs(r, "source_ips"), loc, &mut rules, &mut notes);
    }
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("hcloud firewall {name}"),
        head,
        rules,
    );
    if arr(fw, "applied_to").is_empty() && fw.get("applied_to").is_some() {
        rs.notes.push(format!(
            "firewall {name} is applied to no server: it filters nothing"
        ));
    }
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

// -------------------------------------------------------------- Oracle

/// `oci network security-list get`: the VCN security list's ingress rules
/// (stateful or not, they admit; everything else is dropped).
fn oracle_security_list(
    input: &str,
    sl: &Value,
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let name = s(sl, "display-name").unwrap_or("security list");
    let head = loc.find(&["\"display-name\"", &q(name)]);
    let rules = oracle_rules(arr(sl, "ingress-security-rules").iter(), loc);
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("OCI security list {name}"),
        head,
        rules,
    );
    rs.notes.push("Oracle Cloud images also ship iptables rules that reject all but SSH: check `sudo iptables-save` on the instance".to_string());
    out.rulesets.push(rs);
}

/// OCI ingress rules: protocol number or `all`, `source` CIDR with
/// `source-type` (service CIDRs are Oracle services, never Cloudflare), and
/// `tcp-options.destination-port-range {min, max}` (absent: every port).
fn oracle_rules<'v>(
    items: impl Iterator<Item = &'v Value>,
    loc: &mut Locator<'_, '_>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for r in items {
        let src = s(r, "source").unwrap_or("");
        let line = loc.find(&[&q(src)]);
        if s(r, "source-type").is_some_and(|t| t != "CIDR_BLOCK") {
            continue;
        }
        let Some(addr) = AddrRange::parse(src) else {
            rules.push(rule(
                line,
                vec![Match::Unknown {
                    text: format!("source `{src}`"),
                }],
                Action::Accept,
            ));
            continue;
        };
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("all")));
        let range = r
            .get("tcp-options")
            .and_then(|t| t.get("destination-port-range"))
            .filter(|v| !v.is_null());
        if let Some(pr) = range {
            let lo = pr
                .get("min")
                .and_then(Value::as_u64)
                .and_then(|x| u16::try_from(x).ok());
            let hi = pr
                .get("max")
                .and_then(Value::as_u64)
                .and_then(|x| u16::try_from(x).ok());
            match (lo, hi) {
                (Some(a), Some(b)) if a <= b => m.push(ports_match(vec![(a, b)])),
                _ => m.push(Match::Unknown {
                    text: "port range not understood".to_string(),
                }),
            }
        }
        m.push(addr_match(addr));
        rules.push(rule(line, m, Action::Accept));
    }
    rules
}

fn digitalocean(input: &str, fw: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let name = s(fw, "name").unwrap_or("firewall");
    let head = loc.find(&["\"name\"", &q(name)]);
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for r in arr(fw, "inbound_rules") {
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("tcp")));
        if let Some(p) = s(r, "ports") {
            match port_range(p) {
                Some(Some(x)) => m.push(ports_match(vec![x])),
                Some(None) => {}
                None => notes.push(format!("ports `{p}` not understood")),
            }
        }
        let src = r.get("sources").unwrap_or(&Value::Null);
        allow_sources(&m, &strs(src, "addresses"), loc, &mut rules, &mut notes);
    }
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("DigitalOcean firewall {name}"),
        head,
        rules,
    );
    rs.notes
        .push("sources by droplet, tag or load balancer admit those, never Cloudflare".to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

#[cfg(test)]
mod tests {
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
