//! Findings in, commands out: for each finding, the steps that fix it with
//! the tools the case showed, and the commands that verify the fix.
//!
//! **Architecture Invariant:** a fix never opens a port to the world; it
//! allows Cloudflare's ranges and keeps what the person allowed before.

pub mod firewall;
mod layers;
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

/// Per port, the Cloudflare ranges a cloud rule set does not already admit
/// in full: its fix adds only those (AWS refuses a whole request when one
/// of its rules exists already).
fn cloud_needs(
    rs: &crate::firewall::model::Ruleset,
    ranges: &crate::cloudflare::Ranges,
    ports: &[u16],
) -> Vec<(u16, Vec<crate::net::AddrRange>)> {
    use crate::firewall::eval::{Context, Outcome};
    let entries = crate::firewall::coverage::coverage(
        std::slice::from_ref(rs),
        ranges,
        ports,
        &Context::default(),
    );
    ports
        .iter()
        .filter_map(|&port| {
            let missing: Vec<_> = ranges
                .ranges
                .iter()
                .filter(|r| {
                    let name = r.to_string();
                    entries.iter().any(|e| {
                        e.port == port && e.cloudflare_range == name && e.outcome != Outcome::Accept
                    })
                })
                .copied()
                .collect();
            (!missing.is_empty()).then_some((port, missing))
        })
        .collect()
}

fn firewall_plan(ctx: &FixCtx<'_>) -> Plan {
    use crate::firewall::coverage::Layer;
    use crate::firewall::eval::Outcome;
    use crate::firewall::manager::Manager;
    use crate::firewall::model::Dialect;
    let manager = ctx.facts.host_firewall.manager;
    let Some(cov) = &ctx.diagnosis.firewall else {
        // No dump to evaluate, but ufw's own output showed refused allow
        // rules: redo the allowlist with ufw.
        if manager == Some(Manager::Ufw) && !ctx.facts.ufw_changes.is_empty() {
            let (fix, verify) = firewall::ufw(&ctx.options.ranges, &ctx.ports);
            let mut plan = Plan { fix, verify };
            plan.fix.push(firewall::range_updater(
                firewall::Tool::Ufw,
                &ctx.ports,
                &[],
            ));
            return plan;
        }
        return Plan::default();
    };
    // Only the layers that block get a fix. When no layer is shown to
    // block but the finding still stands (an `iptables -L` without `-v`
    // hides which interface an ACCEPT is for), the undecided layers are
    // where the allow rules go.
    let layers_with = |pred: fn(Outcome) -> bool| -> Vec<Layer> {
        cov.coverage
            .iter()
            .filter(|e| pred(e.outcome))
            .map(|e| e.layer)
            .collect()
    };
    let mut blocking = layers_with(|o| matches!(o, Outcome::Reject | Outcome::Drop));
    if blocking.is_empty() {
        blocking = layers_with(|o| o == Outcome::Unknown);
    }
    let mut plan = Plan::default();
    for rs in ctx.facts.rulesets.iter().filter(|r| {
        matches!(
            r.dialect,
            Dialect::CloudAws | Dialect::CloudGcp | Dialect::CloudAzure | Dialect::CloudOther
        )
    }) {
        let layer = match rs.dialect {
            Dialect::CloudAws => Layer::Aws,
            Dialect::CloudGcp => Layer::Gcp,
            Dialect::CloudAzure => Layer::Azure,
            _ => Layer::Cloud,
        };
        if !blocking.contains(&layer) {
            continue;
        }
        let needs = cloud_needs(rs, &ctx.options.ranges, &ctx.ports);
        if let Some((fix, verify)) = layers::cloud(rs, &ctx.options.ranges, &needs) {
            plan.fix.extend(fix);
            plan.verify.extend(verify);
        }
    }
    let host_blocks = blocking.iter().any(|l| {
        matches!(
            l,
            Layer::Ufw | Layer::Iptables | Layer::Ip6tables | Layer::Nftables | Layer::Firewalld
        )
    });
    if !host_blocks {
        return plan;
    }
    // Front ends write the kernel rules themselves: fix through the one in
    // charge, or its next reload undoes the fix.
    let tool = match manager {
        None => return plan,
        Some(Manager::Csf) => {
            let (fix, verify) = layers::csf(&ctx.options.ranges, &ctx.ports);
            plan.fix.extend(fix);
            plan.verify.extend(verify);
            return plan;
        }
        Some(Manager::Firewalld) => {
            let (fix, verify) = layers::firewalld(ctx.facts, &ctx.options.ranges, &ctx.ports);
            plan.fix.extend(fix);
            plan.verify.extend(verify);
            return plan;
        }
        Some(Manager::Shorewall) => {
            let (fix, verify) = layers::shorewall(&ctx.options.ranges, &ctx.ports);
            plan.fix.extend(fix);
            plan.verify.extend(verify);
            return plan;
        }
        Some(Manager::Ufw) => firewall::Tool::Ufw,
        Some(Manager::Iptables) => firewall::Tool::Iptables,
        Some(Manager::Nftables) => firewall::Tool::Nftables,
    };
    let distro = origin::distro(ctx.facts);
    let (fix, verify) = firewall::allow_cloudflare(
        tool,
        &ctx.facts.rulesets,
        cov,
        &ctx.options.ranges,
        &ctx.ports,
        distro,
    );
    plan.fix.extend(fix);
    plan.verify.extend(verify);
    let published = published_ports(ctx);
    if ctx.facts.host_firewall.docker && !published.is_empty() {
        let (step, verify) = firewall::docker_user(&ctx.options.ranges, &published);
        plan.fix.push(step);
        plan.verify.push(verify);
    }
    let nft_tables = if tool == firewall::Tool::Nftables {
        firewall::nft_set_tables(&ctx.facts.rulesets, cov)
    } else {
        Vec::new()
    };
    plan.fix
        .push(firewall::range_updater(tool, &ctx.ports, &nft_tables));
    plan
}

/// The case's ports a container publishes on the host (`docker ps`).
fn published_ports(ctx: &FixCtx<'_>) -> Vec<u16> {
    let mut out: Vec<u16> = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.containers.iter())
        .flat_map(|c| c.published.iter())
        .filter_map(|p| p.host_port)
        .filter(|p| ctx.ports.contains(p))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnose::FindingId;
    use crate::options::Options;
    use crate::parse::CaseInput;

    fn firewall_fix(paste: &str) -> Vec<String> {
        let report = crate::analyze(&[CaseInput::new("t.txt", paste)], &Options::default());
        report
            .findings
            .iter()
            .filter(|f| f.id == FindingId::FirewallBlocksCloudflare)
            .flat_map(|f| f.fix.iter().flat_map(|s| s.commands.clone()))
            .collect()
    }

    /// `iptables -L` without `-v`: the unconditional-looking ACCEPT may be
    /// for `lo` only, so no layer is shown to block, yet firewalld's zone
    /// REJECT stands behind it. The fix still goes through firewalld.
    const FIREWALLD_L_NO_V: &str = "Chain INPUT (policy ACCEPT)
target     prot opt source               destination
ACCEPT     all  --  anywhere             anywhere             ctstate RELATED,ESTABLISHED
ACCEPT     all  --  anywhere             anywhere
INPUT_direct  all  --  anywhere             anywhere
INPUT_ZONES  all  --  anywhere             anywhere
DROP       all  --  anywhere             anywhere             ctstate INVALID
REJECT     all  --  anywhere             anywhere             reject-with icmp-host-prohibited

Chain INPUT_ZONES (1 references)
target     prot opt source               destination
IN_public  all  --  anywhere             anywhere            [goto]

Chain INPUT_direct (1 references)
target     prot opt source               destination

Chain IN_public (1 references)
target     prot opt source               destination
IN_public_allow  all  --  anywhere             anywhere
ACCEPT     icmp --  anywhere             anywhere

Chain IN_public_allow (1 references)
target     prot opt source               destination
ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:ssh ctstate NEW,UNTRACKED
";

    const DOCKER_HOST: &str = "$ sudo iptables-save
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -j DOCKER
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 443 -j ACCEPT
-A DOCKER-USER -j RETURN
COMMIT
$ docker ps
CONTAINER ID   IMAGE          COMMAND                  CREATED        STATUS        PORTS                                      NAMES
3f1c0a9e2b7d   nginx:1.25     \"/docker-entrypoint.…\"   2 hours ago    Up 2 hours    0.0.0.0:443->443/tcp, :::443->443/tcp      web
";

    #[test]
    fn a_published_port_is_allowed_in_docker_user() {
        let fix = firewall_fix(DOCKER_HOST);
        let v4 = fix
            .iter()
            .find(|c| c.contains("iptables -I DOCKER-USER -s"))
            .unwrap_or_else(|| panic!("{fix:?}"));
        assert!(
            v4.contains("--ctorigdstport 443")
                && v4.contains("-j RETURN")
                && v4.contains("173.245.48.0/20"),
            "{v4}"
        );
        assert!(
            fix.iter().any(|c| c.starts_with(
                "sudo iptables -I DOCKER-USER -p tcp -m conntrack --ctorigdstport 443"
            ) && c.ends_with("-j DROP")),
            "{fix:?}"
        );
        assert!(
            fix.iter()
                .any(|c| c.contains("ip6tables -I DOCKER-USER -s")),
            "{fix:?}"
        );
        // The same host without a published port: INPUT only.
        let plain = DOCKER_HOST.replace("0.0.0.0:443->443/tcp, :::443->443/tcp", "443/tcp");
        let fix = firewall_fix(&plain);
        assert!(!fix.iter().any(|c| c.contains("DOCKER-USER")), "{fix:?}");
        assert!(
            fix.iter().any(|c| c.contains("iptables -I INPUT")),
            "{fix:?}"
        );
    }

    #[test]
    fn an_undecided_layer_gets_its_managers_fix() {
        let fix = firewall_fix(FIREWALLD_L_NO_V);
        assert!(
            fix.iter()
                .any(|c| c.starts_with("sudo firewall-cmd --permanent")),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.contains("iptables -I")), "{fix:?}");
    }

    #[test]
    fn an_accepting_dump_gets_no_firewall_fix() {
        let open = "Chain INPUT (policy ACCEPT)
target     prot opt source               destination
ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:http
ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:https
";
        assert!(firewall_fix(open).is_empty());
    }
}
