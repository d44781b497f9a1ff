//! Firewall fixes: allow every Cloudflare range (IPv4 and IPv6) on only the
//! ports the case needs, with the tool the case showed, placed before the
//! rule that blocks, persisted, and never opening a port to the world.

use crate::cloudflare::Ranges;
use crate::diagnose::FirewallCoverage;
use crate::firewall::coverage::Layer;
use crate::firewall::eval::Outcome;
use crate::firewall::model::{Dialect, Ruleset};
use crate::net::Family;

use super::FixStep;

/// The firewall tool to write commands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Ufw,
    Iptables,
    Nftables,
}

/// Distribution family, for how iptables rules are made persistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    Debian,
    Rhel,
    Unknown,
}

fn port_list(ports: &[u16], sep: &str) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Steps that let Cloudflare in with `tool`.
pub fn allow_cloudflare(
    tool: Tool,
    rulesets: &[Ruleset],
    coverage: &FirewallCoverage,
    ranges: &Ranges,
    ports: &[u16],
    distro: Distro,
) -> (Vec<FixStep>, Vec<String>) {
    match tool {
        Tool::Ufw => ufw(ranges, ports),
        Tool::Iptables => iptables(rulesets, coverage, ranges, ports, distro),
        Tool::Nftables => nftables(rulesets, coverage, ranges, ports),
    }
}

pub fn ufw(ranges: &Ranges, ports: &[u16]) -> (Vec<FixStep>, Vec<String>) {
    let p = port_list(ports, ",");
    let mut all = ranges.cidrs(Family::V4);
    all.extend(ranges.cidrs(Family::V6));
    let commands = vec![
        // `prepend` puts each rule above the existing ones for its family,
        // so an earlier deny or reject cannot shadow it.
        format!("for net in {}; do", all.join(" ")),
        format!(
            "  sudo ufw prepend allow proto tcp from \"$net\" to any port {p} comment 'Cloudflare'"
        ),
        "done".to_string(),
    ];
    let step = FixStep {
        title: format!(
            "Allow all {} Cloudflare ranges (IPv4 and IPv6) on tcp {p} above your other rules; nothing else changes and the port stays closed to everyone else",
            all.len()
        ),
        commands,
    };
    let verify = vec![
        "sudo ufw status numbered | grep -c Cloudflare   # expect one line per range and family".to_string(),
        "sudo ufw status verbose   # paste it into err521 again: the firewall finding should be ruled out".to_string(),
    ];
    (vec![step], verify)
}

/// Position in INPUT of the first rule that blocks (1-based), so the allow
/// rules go right above it; 1 when the block comes from a jumped-to chain.
/// Also says where that is, in words: above the blocking rule, above the
/// policy, or (no dump of this family pasted) at the top, blind.
fn insert_position(
    rulesets: &[Ruleset],
    coverage: &FirewallCoverage,
    family: Family,
) -> (usize, &'static str) {
    let layer = if family == Family::V4 {
        Layer::Iptables
    } else {
        Layer::Ip6tables
    };
    let blocking_lines: Vec<usize> = coverage
        .coverage
        .iter()
        .filter(|e| e.layer == layer && matches!(e.outcome, Outcome::Reject | Outcome::Drop))
        .filter_map(|e| e.rule.as_ref().map(|r| r.line))
        .collect();
    let input_chain = rulesets
        .iter()
        .filter(|r| {
            r.families.contains(&family)
                && r.dialect != Dialect::Nftables
                && r.dialect != Dialect::Ufw
        })
        .flat_map(|r| r.chains.iter())
        .find(|c| c.name == "INPUT" && c.table == "filter");
    let Some(chain) = input_chain else {
        return (
            1,
            "at the top: no dump of this family was pasted, so which rule blocks is not known",
        );
    };
    if blocking_lines.is_empty() {
        // The policy blocks: appending would also work, but inserting at
        // the end keeps the rule above any later REJECT someone adds.
        return (
            chain.rules.len() + 1,
            "above the default policy that blocks",
        );
    }
    let pos = chain
        .rules
        .iter()
        .position(|r| blocking_lines.contains(&r.source.line))
        .map(|i| i + 1);
    match pos {
        Some(p) => (p, "above the rule that blocks"),
        None => (1, "at the top, above the jump to the chain that blocks"),
    }
}

/// Whether a pasted dump of `family` shows every Cloudflare range passing:
/// then that family needs no new rules.
fn family_passes(rulesets: &[Ruleset], coverage: &FirewallCoverage, family: Family) -> bool {
    let layer = if family == Family::V4 {
        Layer::Iptables
    } else {
        Layer::Ip6tables
    };
    let dumped = rulesets.iter().any(|r| {
        r.families.contains(&family) && r.dialect != Dialect::Nftables && r.dialect != Dialect::Ufw
    });
    let entries: Vec<_> = coverage
        .coverage
        .iter()
        .filter(|e| e.layer == layer)
        .collect();
    dumped && !entries.is_empty() && entries.iter().all(|e| e.outcome == Outcome::Accept)
}

fn iptables(
    rulesets: &[Ruleset],
    coverage: &FirewallCoverage,
    ranges: &Ranges,
    ports: &[u16],
    distro: Distro,
) -> (Vec<FixStep>, Vec<String>) {
    let p = port_list(ports, ",");
    let mut steps = Vec::new();
    let mut verify = Vec::new();
    for (family, cmd) in [(Family::V4, "iptables"), (Family::V6, "ip6tables")] {
        let nets = ranges.cidrs(family);
        if nets.is_empty() || family_passes(rulesets, coverage, family) {
            continue;
        }
        let (pos, where_) = insert_position(rulesets, coverage, family);
        steps.push(FixStep {
            title: format!(
                "Allow the {} Cloudflare {} ranges on tcp {p}, inserted at INPUT position {pos} ({where_})",
                nets.len(),
                if family == Family::V4 { "IPv4" } else { "IPv6" }
            ),
            commands: vec![
                format!("for net in {}; do", nets.join(" ")),
                format!("  sudo {cmd} -I INPUT {pos} -p tcp -m multiport --dports {p} -s \"$net\" -m comment --comment cloudflare -j ACCEPT"),
                "done".to_string(),
            ],
        });
        verify.push(format!(
            "sudo {cmd} -S INPUT | grep -c cloudflare    # expect {}",
            nets.len()
        ));
    }
    steps.push(match distro {
        Distro::Rhel => FixStep {
            title: "Keep the rules across reboots (iptables-services)".into(),
            commands: vec![
                "sudo dnf install -y iptables-services".into(),
                "sudo service iptables save && sudo service ip6tables save".into(),
            ],
        },
        _ => FixStep {
            title: "Keep the rules across reboots (netfilter-persistent)".into(),
            commands: vec![
                "sudo apt-get install -y iptables-persistent".into(),
                "sudo netfilter-persistent save".into(),
            ],
        },
    });
    verify.push("sudo iptables-save; sudo ip6tables-save   # paste into err521 again: the firewall finding should be ruled out".to_string());
    (steps, verify)
}

/// The nft base chains on the input hook that block some Cloudflare range,
/// as (family, table, chain) names.
fn blocking_nft_chains(
    rulesets: &[Ruleset],
    coverage: &FirewallCoverage,
) -> Vec<(String, String, String)> {
    let blocking_lines: Vec<usize> = coverage
        .coverage
        .iter()
        .filter(|e| {
            e.layer == Layer::Nftables && matches!(e.outcome, Outcome::Reject | Outcome::Drop)
        })
        .filter_map(|e| e.rule.as_ref().map(|r| r.line))
        .collect();
    let policy_blocks = coverage.coverage.iter().any(|e| {
        e.layer == Layer::Nftables
            && matches!(e.outcome, Outcome::Reject | Outcome::Drop)
            && e.rule.is_none()
    });
    let mut out = Vec::new();
    for rs in rulesets.iter().filter(|r| r.dialect == Dialect::Nftables) {
        for &id in &rs.entry {
            let Some(chain) = rs.chains.get(id) else {
                continue;
            };
            let blocks_here = policy_blocks
                && matches!(
                    chain.policy,
                    Some(
                        crate::firewall::model::Policy::Drop
                            | crate::firewall::model::Policy::Reject
                    )
                )
                || chain
                    .rules
                    .iter()
                    .any(|r| blocking_lines.contains(&r.source.line));
            if !blocks_here {
                continue;
            }
            // Tables are "inet filter"; chain names may be qualified "inet filter/input".
            let mut table_words = chain.table.split_whitespace();
            let family = table_words.next().unwrap_or("inet").to_string();
            let table = table_words.next().unwrap_or("filter").to_string();
            let name = chain
                .name
                .rsplit('/')
                .next()
                .unwrap_or(&chain.name)
                .to_string();
            let key = (family, table, name);
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// The blocking input chains the accept rules go into (`inet filter
/// input` when none is known).
fn nft_chains(rulesets: &[Ruleset], coverage: &FirewallCoverage) -> Vec<(String, String, String)> {
    let mut chains = blocking_nft_chains(rulesets, coverage);
    if chains.is_empty() {
        chains.push(("inet".into(), "filter".into(), "input".into()));
    }
    chains
}

/// The (family, table) pairs that hold the `cloudflare_v4`/`_v6` sets:
/// the tables of the blocking chains, each once.
pub fn nft_set_tables(rulesets: &[Ruleset], coverage: &FirewallCoverage) -> Vec<(String, String)> {
    let mut tables: Vec<(String, String)> = Vec::new();
    for (family, table, _) in nft_chains(rulesets, coverage) {
        if !tables.contains(&(family.clone(), table.clone())) {
            tables.push((family, table));
        }
    }
    tables
}

fn nftables(
    rulesets: &[Ruleset],
    coverage: &FirewallCoverage,
    ranges: &Ranges,
    ports: &[u16],
) -> (Vec<FixStep>, Vec<String>) {
    let p = port_list(ports, ", ");
    let v4 = ranges.cidrs(Family::V4).join(", ");
    let v6 = ranges.cidrs(Family::V6).join(", ");
    let chains = nft_chains(rulesets, coverage);
    let tables = nft_set_tables(rulesets, coverage);
    let mut commands = Vec::new();
    for (family, table) in &tables {
        if family != "ip6" {
            commands.push(format!("sudo nft add set {family} {table} cloudflare_v4 '{{ type ipv4_addr; flags interval; }}'"));
            commands.push(format!(
                "sudo nft add element {family} {table} cloudflare_v4 '{{ {v4} }}'"
            ));
        }
        if family != "ip" {
            commands.push(format!("sudo nft add set {family} {table} cloudflare_v6 '{{ type ipv6_addr; flags interval; }}'"));
            commands.push(format!(
                "sudo nft add element {family} {table} cloudflare_v6 '{{ {v6} }}'"
            ));
        }
    }
    for (family, table, chain) in &chains {
        // `insert` without a position puts the rule first in the chain:
        // above whatever blocks. Every blocking base chain needs it, since
        // an accept in one base chain does not skip the next.
        if family != "ip6" {
            commands.push(format!("sudo nft insert rule {family} {table} {chain} ip saddr @cloudflare_v4 tcp dport {{ {p} }} accept comment \\\"cloudflare\\\""));
        }
        if family != "ip" {
            commands.push(format!("sudo nft insert rule {family} {table} {chain} ip6 saddr @cloudflare_v6 tcp dport {{ {p} }} accept comment \\\"cloudflare\\\""));
        }
    }
    let steps = vec![
        FixStep {
            title: "Add Cloudflare's ranges as named sets and accept them on the needed ports, first in each blocking input chain".into(),
            commands,
        },
        FixStep {
            title: "Keep it across reboots: save the live ruleset to /etc/nftables.conf (a backup is kept)".into(),
            commands: vec![
                "sudo cp /etc/nftables.conf /etc/nftables.conf.bak-err521".into(),
                "{ echo '#!/usr/sbin/nft -f'; echo 'flush ruleset'; sudo nft list ruleset; } | sudo tee /etc/nftables.conf >/dev/null".into(),
                "sudo nft -c -f /etc/nftables.conf && sudo systemctl enable nftables".into(),
            ],
        },
    ];
    let list_sets = tables
        .iter()
        .flat_map(|(family, table)| {
            let mut v = Vec::new();
            if family != "ip6" {
                v.push(format!("sudo nft list set {family} {table} cloudflare_v4"));
            }
            if family != "ip" {
                v.push(format!("sudo nft list set {family} {table} cloudflare_v6"));
            }
            v
        })
        .collect::<Vec<_>>()
        .join("; ");
    let verify = vec![
        list_sets,
        "sudo nft list ruleset   # paste into err521 again: the firewall finding should be ruled out".into(),
    ];
    (steps, verify)
}

/// A script and a systemd timer that keep the allowlist equal to
/// Cloudflare's published ranges: new ranges are added before stale ones
/// are removed, so Cloudflare is never locked out. `nft_tables`: the
/// (family, table) pairs whose sets the nftables fix created.
/// Docker publishes `ports`: their packets are DNATed and filtered in
/// FORWARD, where INPUT and ufw rules never see them, so Cloudflare's
/// ranges go in DOCKER-USER (the chain Docker leaves to the admin), above
/// a DROP that keeps the port closed to everyone else. conntrack's
/// original destination port is the published one; `--dport` there would
/// be the container's port after DNAT.
pub fn docker_user(ranges: &Ranges, ports: &[u16]) -> (FixStep, String) {
    let mut commands = Vec::new();
    for (tool, family) in [("iptables", Family::V4), ("ip6tables", Family::V6)] {
        let nets = ranges.cidrs(family);
        if nets.is_empty() {
            continue;
        }
        for p in ports {
            let m = format!("-p tcp -m conntrack --ctorigdstport {p} --ctdir ORIGINAL");
            // -I puts each rule on top: the DROP first, the allows above it.
            commands.push(format!("sudo {tool} -I DOCKER-USER {m} -j DROP"));
            commands.push(format!(
                "for net in {}; do sudo {tool} -I DOCKER-USER -s \"$net\" {m} -j RETURN; done",
                nets.join(" ")
            ));
        }
    }
    let step = FixStep {
        title: format!(
            "Docker publishes {}: its packets pass FORWARD, not INPUT, so allow Cloudflare in DOCKER-USER (IPv4 and IPv6; ip6tables only when Docker's IPv6 is on) and drop the rest there",
            crate::diagnose::ports_text(ports)
        ),
        commands,
    };
    let verify = "sudo iptables -S DOCKER-USER; sudo ip6tables -S DOCKER-USER   # RETURN for each Cloudflare range above the DROP".to_string();
    (step, verify)
}

pub fn range_updater(tool: Tool, ports: &[u16], nft_tables: &[(String, String)]) -> FixStep {
    let p_comma = port_list(ports, ",");
    let p_nft = port_list(ports, ", ");
    let fetch = r#"fetch() {
  # ips-v4 has no trailing newline: add one, keep only valid CIDRs.
  { curl -fsS --max-time 20 "https://www.cloudflare.com/ips-$1"; echo; } | grep -E '^[0-9a-fA-F:.]+/[0-9]+$'
}
v4=$(fetch v4) && v6=$(fetch v6) || { echo "download failed; nothing changed" >&2; exit 1; }
[ "$(echo "$v4" | wc -l)" -ge 10 ] && [ "$(echo "$v6" | wc -l)" -ge 5 ] || { echo "list too short; nothing changed" >&2; exit 1; }"#;
    let body = match tool {
        Tool::Ufw => format!(
            r#"{fetch}
for net in $v4 $v6; do ufw prepend allow proto tcp from "$net" to any port {p_comma} comment 'Cloudflare' >/dev/null; done
# Remove Cloudflare rules for ranges no longer published (after adding).
ufw status | grep Cloudflare | grep -oE '([0-9]{{1,3}}\.){{3}}[0-9]{{1,3}}/[0-9]+|[0-9a-fA-F]*:[0-9a-fA-F:]*/[0-9]+' | sort -u | while read -r net; do
  echo "$v4 $v6" | tr ' ' '\n' | grep -qxF "$net" || ufw delete allow proto tcp from "$net" to any port {p_comma}
done"#
        ),
        Tool::Iptables => format!(
            r#"{fetch}
sync() {{ # $1 = iptables or ip6tables, $2 = wanted list
  for net in $2; do
    $1 -C INPUT -p tcp -m multiport --dports {p_comma} -s "$net" -m comment --comment cloudflare -j ACCEPT 2>/dev/null \
      || $1 -I INPUT 1 -p tcp -m multiport --dports {p_comma} -s "$net" -m comment --comment cloudflare -j ACCEPT
  done
  $1 -S INPUT | grep -- '--comment cloudflare' | sed -E 's/.* -s ([^ ]+) .*/\1/' | while read -r net; do
    echo "$2" | grep -qxF "$net" || $1 -D INPUT -p tcp -m multiport --dports {p_comma} -s "$net" -m comment --comment cloudflare -j ACCEPT
  done
}}
sync iptables "$v4"
sync ip6tables "$v6"
# Save with whichever tool the persistence step installed. Written as `if`:
# a bare `command -v x && x save` as the last line fails the whole run
# (exit 127) on a host without netfilter-persistent.
if command -v netfilter-persistent >/dev/null; then
  netfilter-persistent save
elif [ -x /usr/libexec/iptables/iptables.init ]; then
  /usr/libexec/iptables/iptables.init save && /usr/libexec/iptables/ip6tables.init save
fi"#
        ),
        Tool::Nftables => {
            // The sets live in the tables the fix put them in (`ip`/`ip6`
            // tables hold only their family's set), not always inet filter.
            let default = [("inet".to_string(), "filter".to_string())];
            let tables = if nft_tables.is_empty() {
                &default[..]
            } else {
                nft_tables
            };
            let mut lines = String::new();
            for (family, table) in tables {
                for (set, var, skip) in [
                    ("cloudflare_v4", "v4", "ip6"),
                    ("cloudflare_v6", "v6", "ip"),
                ] {
                    if family != skip {
                        lines.push_str(&format!(
                            "flush set {family} {table} {set}\nadd element {family} {table} {set} {{ $(echo ${var} | tr ' ' ',') }}\n"
                        ));
                    }
                }
            }
            format!(
                r#"{fetch}
# One transaction: the sets are replaced atomically, never empty.
nft -f - <<EOF
{lines}EOF
# (ports in the accept rules: {p_nft})"#
            )
        }
    };
    let script = format!("#!/bin/sh\n# /usr/local/sbin/cloudflare-ranges: keep the firewall's Cloudflare allowlist current.\nset -eu\n{body}\n");
    FixStep {
        title: "Keep the allowlist current: a script and a daily systemd timer that add new Cloudflare ranges before removing stale ones".into(),
        commands: vec![
            format!("sudo tee /usr/local/sbin/cloudflare-ranges >/dev/null <<'SCRIPT'\n{script}SCRIPT"),
            "sudo chmod 755 /usr/local/sbin/cloudflare-ranges".into(),
            "printf '[Unit]\\nDescription=Update Cloudflare ranges in the firewall\\n[Service]\\nType=oneshot\\nExecStart=/usr/local/sbin/cloudflare-ranges\\n' | sudo tee /etc/systemd/system/cloudflare-ranges.service >/dev/null".into(),
            "printf '[Unit]\\nDescription=Daily Cloudflare range update\\n[Timer]\\nOnCalendar=daily\\nRandomizedDelaySec=1h\\nPersistent=true\\n[Install]\\nWantedBy=timers.target\\n' | sudo tee /etc/systemd/system/cloudflare-ranges.timer >/dev/null".into(),
            "sudo systemctl daemon-reload && sudo systemctl enable --now cloudflare-ranges.timer".into(),
        ],
    }
}
