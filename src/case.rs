//! Reading a case: splits each input into blocks, sends each block to its
//! parser, and gathers the results into [`Facts`]. Sits above `parse` (the
//! parsers know nothing of `Facts`) and below `diagnose`.

use crate::facts::{Facts, InputBlock, Sourced, Unread};
use crate::parse::kind::{BlockKind, KindOverride};
use crate::parse::listeners::ListenerFacts;
use crate::parse::{
    addrs, bans, cloud, csf, dns, error_page, firewalld, hints, ipset, iptables, listeners,
    nftables, probes, resources, services, split, ufw, webconfig,
};
pub use crate::text::CaseInput;
use crate::text::{self, NotUnderstood};

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
pub fn read_case_with(inputs: &[CaseInput], overrides: &[KindOverride]) -> Facts {
    let mut facts = Facts::default();
    for input in inputs {
        // Colour codes from a captured terminal would hide every keyword.
        let clean = text::strip_terminal_codes(&input.text);
        facts
            .texts
            .push(crate::facts::InputText::new(&input.name, &clean));
        let lines = text::lines(&clean);
        let collected = crate::collector::read(&input.name, &lines);
        for mut block in split::split(&lines) {
            if collected.is_some() {
                // The collector's own header and notes are no tool's output.
                block
                    .lines
                    .retain(|l| !crate::collector::is_collector_line(l.text));
                if block.command.is_none() && block.lines.iter().all(|l| l.text.trim().is_empty()) {
                    continue;
                }
            }
            let corrected = overrides
                .iter()
                .filter(|o| o.input == input.name)
                .find(|o| {
                    o.block
                        == crate::parse::kind::fingerprint(
                            &lines,
                            block.first_line,
                            block.last_line,
                        )
                })
                .filter(|o| o.kind != block.kind);
            let detected_kind = corrected.map(|o| std::mem::replace(&mut block.kind, o.kind));
            read_block(&input.name, &block, detected_kind, &mut facts);
        }
        if facts.collector.is_none() {
            facts.collector = collected;
        }
    }
    cloud::merge_security_groups(&mut facts.rulesets);
    facts.host_firewall = crate::firewall::manager::detect(
        &facts.rulesets,
        crate::firewall::manager::ToolOutput {
            csf: !facts.csf.is_empty(),
            ufw_commands: !facts.ufw_changes.is_empty(),
        },
    );
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
    // long: one arm per block kind, with the cross-format policies (logs read by three parsers,
    // `nginx -T` test lines, curl pages); issue 15 item 2 turns it into a lookup in a table of
    // formats.
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
            if block.kind == BlockKind::Ufw {
                let changes = ufw::changes(lines);
                if !changes.is_empty() {
                    facts.ufw_changes.push(sourced(input, block, changes));
                }
            }
            let ruleset = match block.kind {
                BlockKind::Ufw => ufw::parse(input, lines),
                BlockKind::Nftables => nftables::parse(input, lines),
                _ => iptables::parse_family(input, lines, iptables_family(block.command)),
            };
            unread.extend(ruleset.not_understood.iter().cloned());
            let understood = ruleset.understood_lines;
            // ufw command output alone (`Rule added`) is no rule set.
            let empty = ruleset
                .chains
                .iter()
                .all(|c| c.rules.is_empty() && c.policy.is_none());
            if !(empty && block.kind == BlockKind::Ufw) {
                facts.rulesets.push(ruleset);
            }
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
            let f = csf::parse_with(input, lines, block.command);
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
            let f = bans::parse_with(input, lines, block.command);
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
            let f = dns::parse_with(input, lines, block.command);
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
            // Published ports are listeners, like `ss` rows.
            if !f.containers.is_empty() {
                let l = container_listeners(&f.containers);
                facts.listeners.push(sourced(input, block, l));
            }
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
            let f = probes::parse_with(input, lines, block.command);
            unread.extend(f.not_understood.iter().cloned());
            let n = f.understood_lines;
            facts.probes.push(sourced(input, block, f));
            n
        }
        BlockKind::Resources => {
            let f = resources::parse_with(input, lines, block.command);
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

/// The host sockets that running containers' published ports open
/// (`docker ps`, `docker compose ps`): `127.0.0.1:443->443/tcp` listens on
/// loopback only, `0.0.0.0:8080->80/tcp` on 8080, and `80/tcp` (exposed,
/// not published) on nothing. The list is partial: the host's own programs
/// are not in it. It lives here, not in a parser: it links two formats.
fn container_listeners(containers: &[services::Container]) -> ListenerFacts {
    use crate::parse::listeners::{ListenAddr, Listener};
    use crate::parse::services::ContainerStatus;
    let listeners = containers
        .iter()
        .filter(|c| c.status == ContainerStatus::Up)
        .flat_map(|c| {
            c.published.iter().filter_map(move |p| {
                let port = p.host_port?;
                let addr = match p.host_addr {
                    None => ListenAddr::AnyBoth,
                    Some(a) if a.is_unspecified() && a.is_ipv4() => ListenAddr::Any4,
                    Some(a) if a.is_unspecified() => ListenAddr::Any6,
                    Some(a) => ListenAddr::Specific(a),
                };
                Some(Listener {
                    proto: p.proto.clone(),
                    loopback: addr.is_loopback(),
                    addr,
                    port,
                    dual_stack: (addr == ListenAddr::AnyBoth).then_some(true),
                    process: Some(c.name.clone()),
                    pid: None,
                    line: c.line,
                })
            })
        })
        .collect();
    ListenerFacts {
        listeners,
        partial: true,
        ..ListenerFacts::default()
    }
}

fn sourced<T>(input: &str, block: &split::Block<'_>, facts: T) -> Sourced<T> {
    Sourced {
        input: input.to_string(),
        command: block.command.map(str::to_string),
        first_line: block.first_line,
        facts,
    }
}
