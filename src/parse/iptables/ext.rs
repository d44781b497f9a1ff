//! What iptables' match extensions and targets mean for a new TCP SYN from
//! Cloudflare, written once for both wordings: the save/`-S` options
//! (`-m limit --limit 3/min`) and the `-L` match text (`limit: avg 3/min`).

use super::lex::{parse_ports, tcp_flag_bits};
use crate::firewall::model::{ban_container, Action, Match, Origin, Undecided};
use crate::net::AddrSet;

const SYN: u8 = 0x02;

/// Module options that do not change whether a first SYN matches.
pub(super) const IGNORED: &[&str] = &[
    "--limit-burst",
    "--hashlimit-burst",
    "--hashlimit-mode",
    "--hashlimit-name",
    "--hashlimit-htable-size",
    "--hashlimit-htable-max",
    "--hashlimit-htable-expire",
    "--hashlimit-htable-gcinterval",
    "--hashlimit-srcmask",
    "--hashlimit-dstmask",
    "--hashlimit-rate-match",
    "--hashlimit-rate-interval",
    "--connlimit-mask",
    "--connlimit-saddr",
    "--connlimit-daddr",
    "--seconds",
    "--hitcount",
    "--name",
    "--mask",
    "--rttl",
    "--reap",
    "--rsource",
    "--rdest",
    "--icmp-type",
    "--icmpv6-type",
    "--limit-iface-in",
    "--limit-iface-out",
    "--dir",
    "--strict",
    "--loose",
    "--validmark",
    "--accept-local",
    "--log-prefix",
    "--log-level",
];

pub(super) fn never() -> Match {
    // An empty source set: exact "never matches".
    Match::SourceAddr {
        set: AddrSet::empty(),
        negated: false,
    }
}

pub(super) fn unknown(opt: &str, v: &str, neg: bool) -> Match {
    Match::Unknown {
        text: format!("{}{opt} {v}", if neg { "! " } else { "" }),
        why: Undecided::NotUnderstood,
    }
}

fn rate(text: String, first_connection_matches: bool) -> Match {
    Match::RateLimit {
        text,
        first_connection_matches,
    }
}

pub(super) fn target_action(target: &str, goto: bool, reject_with: Option<String>) -> Action {
    match target {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        // An empty string is filled with the family's default later.
        "REJECT" => Action::Reject(reject_with.unwrap_or_default()),
        "RETURN" => Action::Return,
        "LOG" | "NFLOG" | "ULOG" | "MARK" | "CONNMARK" | "CT" | "NOTRACK" | "TCPMSS"
        | "CHECKSUM" | "SET" | "TRACE" | "AUDIT" | "CLASSIFY" | "TOS" | "DSCP" | "TTL" | "HL"
        | "SECMARK" | "CONNSECMARK" | "SNAT" | "MASQUERADE" | "IDLETIMER" | "LED" | "TEE" => {
            Action::Continue
        }
        "DNAT" | "REDIRECT" | "NETMAP" => Action::Unknown(format!(
            "{target}: the connection is redirected; another chain or port decides its fate"
        )),
        "TARPIT" | "QUEUE" | "NFQUEUE" | "DELUDE" | "CHAOS" => {
            Action::Unknown(format!("target {target}"))
        }
        chain if goto => Action::Goto(chain.to_string()),
        chain => Action::Jump(chain.to_string()),
    }
}

/// Which ports a port match names.
#[derive(Clone, Copy)]
pub(super) enum PortDir {
    Dest,
    Source,
    /// multiport `--ports`: either the source or the destination port.
    Either,
}

/// A port match (`--dport`, `dpt:`, multiport lists); `None` when the list
/// does not read, or for [`PortDir::Either`] when the list holds an
/// ephemeral port Cloudflare could use as its source port (only a list of
/// ports below 1024 decides exactly).
pub(super) fn ports(dir: PortDir, v: &str, negated: bool) -> Option<Match> {
    let ports = parse_ports(v)?;
    match dir {
        PortDir::Dest => Some(Match::DestPort { ports, negated }),
        PortDir::Source => Some(Match::SourcePort { ports, negated }),
        PortDir::Either => {
            let low = ports.0.iter().all(|&(_, hi)| hi < 1024);
            low.then_some(Match::DestPort { ports, negated })
        }
    }
}

/// `--tcp-flags MASK COMP` / `flags:MASK/COMP`: whether a bare SYN matches;
/// `None` when a flag name does not read.
pub(super) fn tcp_flags(mask: &str, comp: &str, negated: bool) -> Option<Match> {
    let (mask, comp) = (tcp_flag_bits(mask)?, tcp_flag_bits(comp)?);
    Some(Match::TcpFlags {
        syn_matches: ((mask & SYN) == comp) != negated,
    })
}

/// `--state`/`--ctstate` and `state`/`ctstate`: the listed connection states.
pub(super) fn conn_state(states: &str, negated: bool) -> Match {
    Match::ConnState {
        states: states
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .collect(),
        negated,
    }
}

/// `--match-set NAME FLAGS` / `match-set NAME FLAGS`: a set matched on the
/// source address; `None` for other directions (destination, ports).
pub(super) fn match_set(name: &str, flags: &str, negated: bool) -> Option<Match> {
    (flags.split(',').next() == Some("src")).then(|| Match::NamedSource {
        name: name.to_string(),
        negated,
    })
}

/// `limit` and `hashlimit`: the first connection is within any rate, so it
/// matches unless the match counts `above` the rate.
pub(super) fn limit(text: String, above: bool, negated: bool) -> Match {
    rate(text, above == negated)
}

/// `connlimit`: the first connection makes the count 1. A limit that does
/// not read is unknown, not a guess.
pub(super) fn connlimit(text: String, above: bool, limit: &str, negated: bool) -> Match {
    match limit.parse::<u64>() {
        Ok(lim) => {
            let first = if above { lim < 1 } else { lim >= 1 };
            rate(text, first != negated)
        }
        Err(_) => Match::Unknown {
            text: format!("{}{text}", if negated { "! " } else { "" }),
            why: Undecided::NotUnderstood,
        },
    }
}

/// `recent`: a first connection is not yet in the list, so only the match
/// that adds it (`--set`, `SET`) holds for it.
pub(super) fn recent(text: String, sets: bool, negated: bool) -> Match {
    rate(text, sets != negated)
}

/// `addrtype`: Cloudflare's SYN comes from a unicast address to a local
/// (unicast) one. `Some(never)` when the match cannot hold.
pub(super) fn addr_type(dest: bool, types: &str, negated: bool) -> Option<Match> {
    let holds = types.split(',').any(|ty| {
        let ty = ty.to_ascii_uppercase();
        ty == "UNICAST" || (dest && ty == "LOCAL")
    });
    (holds == negated).then(never)
}

/// `pkttype`: the SYN is a unicast packet.
pub(super) fn pkt_type(kind: &str, negated: bool) -> Option<Match> {
    (kind.eq_ignore_ascii_case("unicast") == negated).then(never)
}

/// `policy --pol`: the SYN carries no IPsec policy.
pub(super) fn ipsec_policy(pol: &str, negated: bool) -> Option<Match> {
    ((pol == "none") == negated).then(never)
}

/// Why a rule is there: any rule of a ban tool's chain (`f2b-sshd`,
/// `fail2ban-SSH`, CSF's `DENYIN`); ufw's `ufw-user-limit`, which holds
/// the refusals of its `LIMIT` rules; else what the rule itself says.
pub(super) fn origin(chain: &str, matches: &[Match], action: &Action) -> Origin {
    if let Some(tool) = ban_container(chain) {
        return Origin::Ban(tool);
    }
    if matches!(chain, "ufw-user-limit" | "ufw6-user-limit") {
        return Origin::RateLimit;
    }
    Origin::of_rule(matches, action)
}
