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
    link(&mut facts);
    facts
}

/// The passes that join what separate blocks said, run once after every
/// block is read: security groups of one input merge into one layer, the
/// tool that manages the host's firewall is found from every dump, and
/// `ipset list` pasted anywhere in the case tells what `--match-set` rules
/// match.
fn link(facts: &mut Facts) {
    cloud::merge_security_groups(&mut facts.rulesets);
    facts.host_firewall = crate::firewall::manager::detect(
        &facts.rulesets,
        crate::firewall::manager::ToolOutput {
            csf: !facts.csf.is_empty(),
            ufw_commands: !facts.ufw_changes.is_empty(),
        },
    );
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
}

/// What reading one block gave: how many of its lines were understood, and
/// the lines that were not.
struct Read {
    understood: usize,
    /// The unread lines with their text, at most [`UNREAD_KEPT`] of them.
    unread: Vec<NotUnderstood>,
    unread_lines: usize,
}

impl Read {
    fn parsed(understood: usize, unread: Vec<NotUnderstood>) -> Self {
        Read {
            understood,
            unread_lines: unread.len(),
            unread,
        }
    }

    /// Nothing of `block` was understood, for `why`: the first lines are
    /// kept with their text, the rest only counted (see [`UNREAD_KEPT`]).
    fn nothing(block: &split::Block<'_>, why: &'static str) -> Self {
        Read {
            understood: 0,
            unread: content(block)
                .take(UNREAD_KEPT)
                .map(|l| NotUnderstood::new(*l, why))
                .collect(),
            unread_lines: content(block).count(),
        }
    }
}

/// Reads one block of `input` into `facts`.
type Reader = fn(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read;

/// The reader of each kind of block. Most kinds have one parser; the named
/// readers below are the policies that join formats (a log read three ways,
/// `nginx -T` test lines, a curl page, CSF's facts and ruleset).
fn reader(kind: BlockKind) -> Reader {
    match kind {
        BlockKind::ErrorPage => read_error_page,
        BlockKind::Ufw | BlockKind::Nftables | BlockKind::Iptables | BlockKind::Firewalld => {
            read_ruleset
        }
        BlockKind::Csf => read_csf_facts_and_ruleset,
        BlockKind::Bans => read_bans,
        BlockKind::CloudFirewall => read_cloud,
        BlockKind::Ipset => read_ipset,
        BlockKind::Dns => read_dns,
        BlockKind::Addresses => read_addrs,
        BlockKind::ServiceStatus | BlockKind::ConfigTest | BlockKind::Containers => {
            read_services_and_published_ports
        }
        BlockKind::Logs => read_log_three_ways,
        BlockKind::WebConfig => read_webconfig_and_its_test,
        BlockKind::Listeners => read_listeners,
        BlockKind::Probe => read_probe_and_its_page,
        BlockKind::Resources => read_resources,
        BlockKind::Prose => read_hints,
        BlockKind::Unknown => read_nothing,
    }
}

/// How many unread lines a case keeps with their text (the report lists
/// 200 and counts the rest): a paste of a million lines no format reads
/// must not hold a million copies of them.
const UNREAD_KEPT: usize = 10_000;

fn read_block(
    input: &str,
    block: &split::Block<'_>,
    detected_kind: Option<BlockKind>,
    facts: &mut Facts,
) {
    let Read {
        understood,
        unread,
        unread_lines,
    } = reader(block.kind)(input, block, facts);
    facts.blocks.push(InputBlock {
        input: input.to_string(),
        kind: block.kind,
        command: block.command.map(str::to_string),
        first_line: block.first_line,
        last_line: block.last_line,
        understood_lines: understood,
        not_understood_lines: unread_lines,
        detected_kind,
    });
    facts.not_understood_count += unread_lines;
    let room = UNREAD_KEPT.saturating_sub(facts.not_understood.len());
    facts
        .not_understood
        .extend(unread.into_iter().take(room).map(|line| Unread {
            input: input.to_string(),
            line,
        }));
}

/// The block's lines that are not blank.
fn content<'b, 'a>(block: &'b split::Block<'a>) -> impl Iterator<Item = &'b text::Line<'a>> {
    block.lines.iter().filter(|l| !l.text.trim().is_empty())
}

fn read_error_page(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    match error_page::parse(input, &block.lines) {
        Some(page) => {
            facts.add_error_page(page, input);
            Read::parsed(content(block).count(), Vec::new())
        }
        None => Read::nothing(block, "looks like an error page, but no code or Ray ID"),
    }
}

fn read_ruleset(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let lines = &block.lines;
    if block.kind == BlockKind::Ufw {
        let changes = ufw::changes(lines);
        if !changes.is_empty() {
            facts.ufw_changes.push(sourced(input, block, changes));
        }
    }
    let ruleset = match block.kind {
        BlockKind::Ufw => ufw::parse(input, lines),
        BlockKind::Nftables => nftables::parse(input, lines),
        BlockKind::Firewalld => firewalld::parse(input, lines),
        _ => iptables::parse_family(input, lines, iptables_family(block.command)),
    };
    let read = Read::parsed(ruleset.understood_lines, ruleset.not_understood.clone());
    // ufw command output alone (`Rule added`) is no rule set.
    let empty = ruleset
        .chains
        .iter()
        .all(|c| c.rules.is_empty() && c.policy.is_none());
    if !(empty && block.kind == BlockKind::Ufw) {
        facts.rulesets.push(ruleset);
    }
    read
}

/// CSF gives facts of its own (its lists, lfd's blocks) and, when it shows
/// rules, a ruleset.
fn read_csf_facts_and_ruleset(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = csf::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    let ruleset = csf::ruleset(&f, input);
    if ruleset.chains.iter().any(|c| !c.rules.is_empty()) {
        facts.rulesets.push(ruleset);
    }
    facts.csf.push(sourced(input, block, f));
    read
}

fn read_bans(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = bans::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.bans.push(sourced(input, block, f));
    read
}

fn read_cloud(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let mut f = cloud::parse(input, &block.lines);
    if let Some(command) = block.command {
        cloud::name_from_command(&mut f.rulesets, command);
    }
    facts
        .cloud_notes
        .extend(f.notes.iter().map(|n| (input.to_string(), n.clone())));
    facts.rulesets.extend(f.rulesets);
    Read::parsed(f.understood_lines, f.not_understood)
}

fn read_ipset(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let dump = ipset::parse_dump(input, &block.lines);
    facts.ipsets.extend(dump.sets);
    Read::parsed(dump.understood_lines, dump.not_understood)
}

fn read_dns(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = dns::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.dns.push(sourced(input, block, f));
    read
}

fn read_addrs(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = addrs::parse(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.addrs.push(sourced(input, block, f));
    read
}

/// Service status, config tests and container lists; published ports are
/// listeners, like `ss` rows.
fn read_services_and_published_ports(
    input: &str,
    block: &split::Block<'_>,
    facts: &mut Facts,
) -> Read {
    let f = services::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    if !f.containers.is_empty() {
        let l = container_listeners(&f.containers);
        facts.listeners.push(sourced(input, block, l));
    }
    facts.services.push(sourced(input, block, f));
    read
}

/// Journal and kernel logs speak of services (bind errors, config
/// failures), of resources (OOM kills) and of bans: three parsers read
/// them, and a line is unread only when none understood it.
fn read_log_three_ways(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let lines = &block.lines;
    let s = services::parse(input, lines);
    let r = resources::parse(input, lines);
    let b = bans::parse(input, lines);
    let unread_by = |u: &[NotUnderstood]| -> std::collections::HashSet<usize> {
        u.iter().map(|v| v.line).collect()
    };
    let (by_r, by_b) = (unread_by(&r.not_understood), unread_by(&b.not_understood));
    let unread: Vec<NotUnderstood> = s
        .not_understood
        .iter()
        .filter(|u| by_r.contains(&u.line) && by_b.contains(&u.line))
        .cloned()
        .collect();
    let understood = content(block).count().saturating_sub(unread.len());
    facts.services.push(sourced(input, block, s));
    facts.resources.push(sourced(input, block, r));
    facts.bans.push(sourced(input, block, b));
    Read {
        understood,
        unread_lines: unread.len(),
        unread,
    }
}

/// `nginx -T` prints its config test result first: the service parser
/// reads those lines as a config test.
fn read_webconfig_and_its_test(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = webconfig::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    let test: Vec<text::Line<'_>> = block
        .lines
        .iter()
        .filter(|l| f.test_lines.contains(&l.no))
        .copied()
        .collect();
    if !test.is_empty() {
        let s = services::parse(input, &test);
        facts.services.push(sourced(input, block, s));
    }
    facts.webconfig.push(sourced(input, block, f));
    read
}

fn read_listeners(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = listeners::parse(input, &block.lines);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.listeners.push(sourced(input, block, f));
    read
}

/// curl output can carry a whole error page or its headers.
fn read_probe_and_its_page(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    if let Some(page) = error_page::parse(input, &block.lines) {
        facts.add_error_page(page, input);
    }
    let f = probes::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.probes.push(sourced(input, block, f));
    read
}

fn read_resources(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    let f = resources::parse_with(input, &block.lines, block.command);
    let read = Read::parsed(f.understood_lines, f.not_understood.clone());
    facts.resources.push(sourced(input, block, f));
    read
}

fn read_hints(input: &str, block: &split::Block<'_>, facts: &mut Facts) -> Read {
    facts.hints.extend(
        hints::read(&block.lines)
            .into_iter()
            .map(|h| (input.to_string(), h)),
    );
    Read::parsed(content(block).count(), Vec::new())
}

fn read_nothing(_: &str, block: &split::Block<'_>, _: &mut Facts) -> Read {
    Read::nothing(block, "not a format err521 reads")
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
