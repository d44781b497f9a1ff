//! Parsers: text in, typed facts with line numbers out. One module per input
//! family; [`split`] cuts a whole ticket into blocks and says which family
//! each block belongs to.
//!
//! **Architecture Invariant:** parsing never fails and never panics: a parser
//! returns the facts it understood and the lines it did not, with reasons.

pub mod addrs;
pub mod bans;
pub mod cloud;
pub mod csf;
pub mod dns;
pub mod error_page;
pub mod firewalld;
pub mod hints;
pub mod html;
pub mod ipset;
pub mod iptables;
pub mod listeners;
pub mod nftables;
pub mod probes;
pub mod resources;
pub mod services;
pub mod sniff;
pub mod split;
pub mod textscan;
pub mod ufw;
pub mod webconfig;

use crate::facts::{Facts, InputBlock, Sourced, Unread};
use crate::text::{self, NotUnderstood};
use split::BlockKind;

/// One pasted or uploaded text of a case: a ticket, a firewall dump, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInput {
    pub name: String,
    pub text: String,
}

impl CaseInput {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        CaseInput {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// The family an iptables command names (`ip6tables-save` is IPv6).
fn iptables_family(command: Option<&str>) -> Option<crate::net::Family> {
    let cmd = command?;
    if cmd.contains("ip6tables") {
        Some(crate::net::Family::V6)
    } else if cmd.contains("iptables") {
        Some(crate::net::Family::V4)
    } else {
        None
    }
}

/// Read every input of a case into facts.
pub fn read_case(inputs: &[CaseInput]) -> Facts {
    read_case_with(inputs, &[])
}

/// Read every input, with block kinds a person corrected by hand.
pub fn read_case_with(inputs: &[CaseInput], overrides: &[split::KindOverride]) -> Facts {
    let mut facts = Facts::default();
    for input in inputs {
        // Colour codes from a captured terminal would hide every keyword.
        let clean = text::strip_terminal_codes(&input.text);
        facts
            .texts
            .push(crate::facts::InputText::new(&input.name, &clean));
        let lines = text::lines(&clean);
        for mut block in split::split(&lines) {
            let corrected = overrides
                .iter()
                .filter(|o| o.input == input.name)
                .find(|o| o.block == split::fingerprint(&lines, block.first_line, block.last_line))
                .filter(|o| o.kind != block.kind);
            let detected_kind = corrected.map(|o| std::mem::replace(&mut block.kind, o.kind));
            read_block(&input.name, &block, detected_kind, &mut facts);
        }
    }
    cloud::merge_security_groups(&mut facts.rulesets);
    // `ipset list` pasted anywhere in the case tells what `--match-set`
    // rules match.
    if !facts.ipsets.is_empty() {
        let sets = facts.ipsets.clone();
        for r in facts
            .rulesets
            .iter_mut()
            .filter(|r| r.dialect != crate::firewall::model::Dialect::Nftables)
        {
            iptables::attach_sets(r, sets.iter().cloned());
        }
    }
    facts
}

fn read_block(
    input: &str,
    block: &split::Block<'_>,
    detected_kind: Option<BlockKind>,
    facts: &mut Facts,
) {
    let content: Vec<&text::Line<'_>> = block
        .lines
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let mut unread: Vec<NotUnderstood> = Vec::new();
    let lines = &block.lines;
    let understood = match block.kind {
        BlockKind::ErrorPage => match error_page::parse(input, lines) {
            Some(page) => {
                facts.add_error_page(page, input);
                content.len()
            }
            None => {
                unread.extend(content.iter().map(|l| {
                    NotUnderstood::new(**l, "looks like an error page, but no code or Ray ID")
                }));
                0
            }
        },
        BlockKind::Ufw | BlockKind::Nftables | BlockKind::Iptables => {
            let ruleset = match block.kind {
                BlockKind::Ufw => ufw::parse(input, lines),
                BlockKind::Nftables => nftables::parse(input, lines),
                _ => iptables::parse_family(input, lines, iptables_family(block.command)),
            };
            unread.extend(ruleset.not_understood.iter().cloned());
            let understood = ruleset.understood_lines;
            facts.rulesets.push(ruleset);
            understood
        }
        BlockKind::Firewalld => {
            let ruleset = firewalld::parse(input, lines);
            unread.extend(ruleset.not_understood.iter().cloned());
            let n = ruleset.understood_lines;
            facts.rulesets.push(ruleset);
            n
        }
        BlockKind::Csf => {
            let f = csf::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            let ruleset = csf::ruleset(&f, input);
            if ruleset.chains.iter().any(|c| !c.rules.is_empty()) {
                facts.rulesets.push(ruleset);
            }
            facts.csf.push(sourced(input, block, f));
            n
        }
        BlockKind::Bans => {
            let f = bans::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.bans.push(sourced(input, block, f));
            n
        }
        BlockKind::CloudFirewall => {
            let mut f = cloud::parse(input, lines);
            if let Some(command) = block.command {
                cloud::name_from_command(&mut f.rulesets, command);
            }
            unread.extend(f.not_understood.iter().cloned());
            facts
                .cloud_notes
                .extend(f.notes.iter().map(|n| (input.to_string(), n.clone())));
            let n = f.understood_lines;
            facts.rulesets.extend(f.rulesets);
            n
        }
        BlockKind::Ipset => {
            let dump = ipset::parse_dump(input, lines);
            unread.extend(dump.not_understood.iter().cloned());
            facts.ipsets.extend(dump.sets);
            dump.understood_lines
        }
        BlockKind::Dns => {
            let f = dns::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.dns.push(sourced(input, block, f));
            n
        }
        BlockKind::Addresses => {
            let f = addrs::parse(input, lines, block.command);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.addrs.push(sourced(input, block, f));
            n
        }
        BlockKind::ServiceStatus | BlockKind::ConfigTest | BlockKind::Containers => {
            let f = services::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.services.push(sourced(input, block, f));
            n
        }
        BlockKind::Logs => {
            // Journal and kernel logs speak of services (bind errors, config
            // failures) and of resources (OOM kills): both parsers read them,
            // and a line is unread only when neither understood it.
            let s = services::parse(input, lines);
            let r = resources::parse(input, lines);
            let b = bans::parse(input, lines);
            unread.extend(
                s.not_understood
                    .iter()
                    .filter(|u| r.not_understood.iter().any(|v| v.line == u.line))
                    .filter(|u| b.not_understood.iter().any(|v| v.line == u.line))
                    .cloned(),
            );
            let n = content.len().saturating_sub(unread.len());
            facts.services.push(sourced(input, block, s));
            facts.resources.push(sourced(input, block, r));
            facts.bans.push(sourced(input, block, b));
            n
        }
        BlockKind::WebConfig => {
            let f = webconfig::parse_with(input, lines, block.command);
            unread.extend(f.not_understood.iter().cloned());
            // `nginx -T` prints its config test result first: the service
            // parser reads those lines as a config test.
            let test: Vec<text::Line<'_>> = lines
                .iter()
                .filter(|l| f.test_lines.contains(&l.no))
                .copied()
                .collect();
            if !test.is_empty() {
                let s = services::parse(input, &test);
                facts.services.push(sourced(input, block, s));
            }
            let n = f.understood_lines;
            facts.webconfig.push(sourced(input, block, f));
            n
        }
        BlockKind::Listeners => {
            let f = listeners::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.listeners.push(sourced(input, block, f));
            n
        }
        BlockKind::Probe => {
            // curl output can carry a whole error page or its headers.
            if let Some(page) = error_page::parse(input, lines) {
                facts.add_error_page(page, input);
            }
            let f = probes::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.probes.push(sourced(input, block, f));
            n
        }
        BlockKind::Resources => {
            let f = resources::parse(input, lines);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.resources.push(sourced(input, block, f));
            n
        }
        BlockKind::Prose => {
            facts.hints.extend(
                hints::read(lines)
                    .into_iter()
                    .map(|h| (input.to_string(), h)),
            );
            content.len()
        }
        BlockKind::Unknown => {
            unread.extend(
                content
                    .iter()
                    .map(|l| NotUnderstood::new(**l, "not a format err521 reads")),
            );
            0
        }
    };
    facts.blocks.push(InputBlock {
        input: input.to_string(),
        kind: block.kind,
        command: block.command.map(str::to_string),
        first_line: block.first_line,
        last_line: block.last_line,
        understood_lines: understood,
        not_understood_lines: unread.len(),
        detected_kind,
    });
    facts
        .not_understood
        .extend(unread.into_iter().map(|line| Unread {
            input: input.to_string(),
            line,
        }));
}

fn sourced<T>(input: &str, block: &split::Block<'_>, facts: T) -> Sourced<T> {
    Sourced {
        input: input.to_string(),
        command: block.command.map(str::to_string),
        first_line: block.first_line,
        facts,
    }
}
