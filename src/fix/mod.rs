//! Findings in, commands out: for each finding, the steps that fix it with
//! the tools the case showed, and the commands that verify the fix.
//!
//! **Architecture Invariant:** a fix never opens a port to the world; it
//! allows Cloudflare's ranges and keeps what the person allowed before.

pub mod firewall;
mod origin;

use serde::{Deserialize, Serialize};

use crate::diagnose::{Diagnosis, Finding, FindingId, Status};
use crate::facts::Facts;
use crate::options::Options;

/// One step of a fix: a line of why, and the commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixStep {
    pub title: String,
    pub commands: Vec<String>,
}

/// The fix and verify commands of one finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub fix: Vec<FixStep>,
    pub verify: Vec<String>,
}

/// What the fixes need to know beyond the finding itself.
pub struct FixCtx<'a> {
    pub facts: &'a Facts,
    pub options: &'a Options,
    pub diagnosis: &'a Diagnosis,
    /// Origin ports that matter (from the SSL mode and extra ports).
    pub ports: Vec<u16>,
    pub host: Option<String>,
}

/// Plan the fix of a finding. Findings that are ruled out or unknown get no
/// fix: the person is asked for evidence instead.
pub fn plan(finding: &Finding, ctx: &FixCtx<'_>) -> Plan {
    if !matches!(finding.status, Status::Confirmed | Status::Likely) {
        return Plan::default();
    }
    match finding.id {
        FindingId::FirewallBlocksCloudflare => firewall_plan(ctx),
        FindingId::WebServerDown => origin::web_server_down(ctx),
        FindingId::ConfigError => origin::config_error(ctx),
        FindingId::PortConflict => origin::port_conflict(ctx),
        FindingId::NotListening | FindingId::TlsPortMismatch => {
            origin::listen_on_needed_ports(ctx, finding.id)
        }
        FindingId::LoopbackOnly => origin::loopback_only(ctx),
        FindingId::OriginOverloaded => origin::overloaded(ctx),
        FindingId::DnsWrongOrigin => origin::dns(ctx),
        FindingId::Ipv6OriginBroken => origin::ipv6(ctx),
        FindingId::BanBlocksCloudflare => origin::real_ip(ctx),
        // Another code: the fix is that code's checklist, in the explanation.
        FindingId::DifferentErrorCode => Plan::default(),
    }
}

fn firewall_plan(ctx: &FixCtx<'_>) -> Plan {
    let Some(cov) = &ctx.diagnosis.firewall else {
        return Plan::default();
    };
    let Some(tool) = firewall::tool_of(&ctx.facts.rulesets) else {
        return Plan::default();
    };
    let distro = origin::distro(ctx.facts);
    let (mut fix, verify) = firewall::allow_cloudflare(
        tool,
        &ctx.facts.rulesets,
        cov,
        &ctx.options.ranges,
        &ctx.ports,
        distro,
    );
    let nft_tables = if tool == firewall::Tool::Nftables {
        firewall::nft_set_tables(&ctx.facts.rulesets, cov)
    } else {
        Vec::new()
    };
    fix.push(firewall::range_updater(tool, &ctx.ports, &nft_tables));
    Plan { fix, verify }
}
