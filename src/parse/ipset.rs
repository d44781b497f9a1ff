//! Reads `ipset list` (Name:/Type:/Header:/Members: blocks) and `ipset save`
//! (`create NAME TYPE ...` / `add NAME MEMBER ...`, also the old `-N`/`-A`
//! syntax) into [`NamedSet`]s, to attach to a ruleset so `--match-set`
//! decides exactly.
//!
//! **Guarantee:** only sets whose membership depends on the address alone
//! (`hash:ip`, `hash:net`, `bitmap:ip`, ...) are returned; a set keyed also
//! by port or interface is reported in `not_understood`, so a match on it
//! stays unknown rather than being guessed. `nomatch` entries are excluded.

use crate::firewall::model::{NamedSet, SourceLine};
use crate::net::{AddrRange, AddrSet};
use crate::text::{Line, NotUnderstood};

/// What an ipset dump held.
#[derive(Debug, Clone, Default)]
pub struct IpsetDump {
    pub sets: Vec<NamedSet>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// The address-only sets of an `ipset list` / `ipset save` paste.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Vec<NamedSet> {
    parse_dump(input, lines).sets
}

struct Building {
    name: String,
    kind: String,
    source: SourceLine,
    members: Vec<AddrRange>,
    nomatch: Vec<AddrRange>,
    bad_member: bool,
}

/// Like [`parse`], also reporting what could not be read.
pub fn parse_dump(_input: &str, lines: &[Line<'_>]) -> IpsetDump {
    let mut out = IpsetDump::default();
    let mut sets: Vec<Building> = Vec::new();
    // Index into `sets` of the `ipset list` block being read.
    let mut current: Option<usize> = None;
    let mut in_members = false;
    for &line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        let mut words = t.split_whitespace();
        let first = words.next().unwrap_or("");
        match first {
            "Name:" => {
                let name = words.next().unwrap_or("").to_string();
                current = Some(sets.len());
                in_members = false;
                sets.push(Building {
                    name,
                    kind: String::new(),
                    source: SourceLine::from(line),
                    members: Vec::new(),
                    nomatch: Vec::new(),
                    bad_member: false,
                });
            }
            "Type:" => {
                if let Some(b) = current.and_then(|i| sets.get_mut(i)) {
                    b.kind = words.next().unwrap_or("").to_string();
                }
            }
            "Revision:" | "Header:" | "Size" | "References:" | "Number" | "Initval:" => {}
            "Members:" => in_members = true,
            "create" | "-N" => {
                let name = words.next().unwrap_or("");
                let kind = words.next().unwrap_or("");
                // Old syntax names types `nethash`, `iphash`.
                let kind = match kind {
                    "nethash" => "hash:net",
                    "iphash" => "hash:ip",
                    k => k,
                };
                current = None;
                in_members = false;
                sets.push(Building {
                    name: name.to_string(),
                    kind: kind.to_string(),
                    source: SourceLine::from(line),
                    members: Vec::new(),
                    nomatch: Vec::new(),
                    bad_member: false,
                });
            }
            "add" | "-A" => {
                let name = words.next().unwrap_or("");
                let rest: Vec<&str> = words.collect();
                match sets.iter_mut().rev().find(|b| b.name == name) {
                    Some(b) => {
                        if !member(b, &rest) {
                            out.not_understood
                                .push(NotUnderstood::new(line, "member is not an address"));
                            b.bad_member = true;
                            continue;
                        }
                    }
                    None => {
                        out.not_understood
                            .push(NotUnderstood::new(line, "member of a set never created"));
                        continue;
                    }
                }
            }
            _ if t.starts_with('#') || t.starts_with('$') || t.contains("ipset ") => {}
            _ if in_members => {
                let ok = current.and_then(|i| sets.get_mut(i)).is_some_and(|b| {
                    let words: Vec<&str> = t.split_whitespace().collect();
                    let ok = member(b, &words);
                    b.bad_member |= !ok;
                    ok
                });
                if !ok {
                    out.not_understood
                        .push(NotUnderstood::new(line, "member is not an address"));
                    continue;
                }
            }
            _ => {
                out.not_understood
                    .push(NotUnderstood::new(line, "not an ipset line"));
                continue;
            }
        }
        out.understood_lines += 1;
    }
    for b in sets {
        let address_only = b.kind.is_empty()
            || matches!(
                b.kind.as_str(),
                "hash:ip" | "hash:net" | "bitmap:ip" | "hash:ipmark"
            );
        if !address_only || b.bad_member {
            // The set's header line was counted as understood when read; it
            // is now reported as not understood, and a line is one or the
            // other, never both.
            out.understood_lines = out.understood_lines.saturating_sub(1);
            out.not_understood.push(NotUnderstood {
                line: b.source.line,
                text: b.source.text.clone(),
                reason: format!(
                    "set {} ({}) is not a plain address set; matches on it stay unknown",
                    b.name, b.kind
                ),
            });
            continue;
        }
        let members = AddrSet::from_ranges(b.members).subtract(&AddrSet::from_ranges(b.nomatch));
        out.sets.push(NamedSet {
            name: b.name,
            members,
            source: b.source,
        });
    }
    out
}

/// Add one member (`1.2.3.0/24`, `1.2.3.4-1.2.3.9`, with `timeout N`,
/// `nomatch`, `comment "..."`, counters after it).
fn member(b: &mut Building, words: &[&str]) -> bool {
    let Some(addr) = words.first() else {
        return false;
    };
    let range = match addr.split_once('-') {
        Some((a, z)) => match (AddrRange::parse(a), AddrRange::parse(z)) {
            (Some(a), Some(z)) if a.family == z.family && a.first <= z.last => Some(AddrRange {
                family: a.family,
                first: a.first,
                last: z.last,
            }),
            _ => None,
        },
        None => AddrRange::parse(addr),
    };
    let Some(r) = range else { return false };
    if words.contains(&"nomatch") {
        b.nomatch.push(r);
    } else {
        b.members.push(r);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn save_format_with_nomatch_and_timeouts() {
        let text = "create cf4 hash:net family inet hashsize 1024 maxelem 65536\n\
                    add cf4 162.158.0.0/15\n\
                    add cf4 162.158.4.0/24 nomatch\n\
                    add cf4 1.2.3.4 timeout 300\n\
                    create svc hash:ip,port family inet\n\
                    add svc 1.2.3.4,tcp:80\n";
        let d = parse_dump("t", &lines(text));
        assert_eq!(d.sets.len(), 1);
        let cf = d.sets.first().map(|s| s.members.ranges().len());
        assert_eq!(cf, Some(3));
        assert!(!d.not_understood.is_empty());
    }
}
