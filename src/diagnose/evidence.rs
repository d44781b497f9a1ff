//! The evidence rule of FINDINGS.md, enforced for every rule at once: a
//! finding is `confirmed` or `ruled-out` only when it quotes lines that were
//! read (not "not understood") from a block whose kind speaks to that
//! cause. A ban list speaks to bans, `free` to memory, `ss` to listeners; a
//! prose sentence, an nginx error log about bind() or a block nothing was
//! read from speak to none of them.

use super::{Ctx, Finding, FindingId, Status};
use crate::facts::Facts;
use crate::parse::split::BlockKind;
use crate::text::Evidence;

/// Whether lines of a block of `kind` can decide `id` with `status`.
/// Confirming needs lines that show the cause; ruling out needs lines that
/// show its absence, which a log never does (a log that does not mention a
/// ban or an OOM kill says nothing about the bans or memory in force).
pub fn speaks(id: FindingId, status: Status, kind: BlockKind) -> bool {
    use BlockKind as K;
    let firewall = matches!(
        kind,
        K::Ufw | K::Iptables | K::Nftables | K::Ipset | K::Firewalld | K::Csf | K::CloudFirewall
    );
    let confirming = status == Status::Confirmed;
    match id {
        FindingId::FirewallBlocksCloudflare => {
            // A kernel LOG line of the firewall shows a block, never its
            // absence.
            firewall || (confirming && matches!(kind, K::Bans | K::Logs))
        }
        FindingId::BanBlocksCloudflare => {
            matches!(
                kind,
                K::Bans | K::Csf | K::Ipset | K::Iptables | K::Nftables | K::Firewalld
            ) || (confirming && kind == K::Logs)
        }
        FindingId::WebServerDown => {
            matches!(
                kind,
                K::ServiceStatus | K::Containers | K::Listeners | K::Logs | K::ConfigTest
            ) || (!confirming && kind == K::Probe)
        }
        FindingId::PortConflict => matches!(
            kind,
            K::Logs | K::ServiceStatus | K::ConfigTest | K::Listeners | K::Containers
        ),
        FindingId::ConfigError => matches!(
            kind,
            K::ConfigTest | K::ServiceStatus | K::Logs | K::WebConfig | K::Containers
        ),
        FindingId::NotListening | FindingId::LoopbackOnly => matches!(
            kind,
            K::Listeners | K::Containers | K::WebConfig | K::Probe | K::Logs | K::ServiceStatus
        ),
        FindingId::OriginOverloaded => {
            kind == K::Resources || (confirming && matches!(kind, K::Logs | K::ServiceStatus))
        }
        FindingId::DnsWrongOrigin => matches!(kind, K::Dns | K::Addresses | K::Probe),
        FindingId::TlsPortMismatch => matches!(
            kind,
            K::Listeners | K::Containers | K::WebConfig | K::Probe | K::ServiceStatus | K::Logs
        ),
        FindingId::Ipv6OriginBroken => {
            firewall
                || matches!(
                    kind,
                    K::Dns | K::Addresses | K::Listeners | K::Containers | K::Probe | K::Resources
                )
        }
        FindingId::DifferentErrorCode => matches!(kind, K::ErrorPage | K::Probe | K::Logs),
    }
}

/// The kind of the block line `ev` was read from, when the line was read:
/// `None` for a line reported as not understood or in a block nothing was
/// read from.
pub fn read_kind(facts: &Facts, ev: &Evidence) -> Option<BlockKind> {
    let block = facts
        .blocks
        .iter()
        .find(|b| b.input == ev.input && b.first_line <= ev.line && ev.line <= b.last_line)?;
    let unread = facts
        .not_understood
        .iter()
        .any(|u| u.input == ev.input && u.line.line == ev.line);
    (block.understood_lines > 0 && !unread).then_some(block.kind)
}

/// Whether `f` quotes at least one line that can decide it.
pub fn holds(facts: &Facts, f: &Finding) -> bool {
    f.evidence
        .iter()
        .filter_map(|e| read_kind(facts, e))
        .any(|k| speaks(f.id, f.status, k))
}

/// Hold every decided finding to the evidence rule: a `confirmed` one
/// without speaking lines is only `likely` (its lines still point to it), a
/// `ruled-out` one is open again and says what would decide it.
pub fn enforce(ctx: &Ctx<'_>, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if !matches!(f.status, Status::Confirmed | Status::RuledOut) || holds(ctx.facts, f) {
            continue;
        }
        if f.status == Status::Confirmed && !f.evidence.is_empty() {
            f.status = Status::Likely;
            continue;
        }
        *f = Finding::unknown(f.id, ctx);
    }
}
