//! Which program writes this host's firewall rules. ufw, firewalld, CSF and
//! Shorewall generate the kernel rules themselves and rewrite them on every
//! reload, so a fix goes through the manager in charge: a raw `iptables -I`
//! on a ufw host is gone at the next `ufw reload`. Decided once per case,
//! from every dump and tool output pasted, and read by the fixes.

use serde::Serialize;

use super::model::{Dialect, Policy, Ruleset};

/// The program in charge of the host firewall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    Ufw,
    Firewalld,
    Csf,
    Shorewall,
    /// Plain iptables rules (iptables-persistent, a script).
    Iptables,
    /// A native nftables rule set (`/etc/nftables.conf`).
    Nftables,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Ufw => "ufw",
            Manager::Firewalld => "firewalld",
            Manager::Csf => "CSF",
            Manager::Shorewall => "Shorewall",
            Manager::Iptables => "iptables",
            Manager::Nftables => "nftables",
        }
    }
}

/// The host firewall's managers, as far as the paste shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct HostFirewall {
    pub manager: Option<Manager>,
    /// Docker's chains are present: published container ports are
    /// filtered in FORWARD (`DOCKER-USER`), not in INPUT.
    pub docker: bool,
}

/// What else the case showed about the firewall tools, beside the dumps.
#[derive(Debug, Clone, Copy, Default)]
pub struct ToolOutput {
    /// `csf -l`, `csf.allow`/`csf.deny`, `csf -g` were pasted.
    pub csf: bool,
    /// ufw command output (`Rule added`) was pasted.
    pub ufw_commands: bool,
}

/// Decide the manager from the dumps and tool outputs of one case.
pub fn detect(rulesets: &[Ruleset], tools: ToolOutput) -> HostFirewall {
    let docker = rulesets
        .iter()
        .flat_map(|r| r.chains.iter())
        .any(|c| matches!(base_name(&c.name), "DOCKER-USER" | "DOCKER"));
    // A dump that filters nothing (an inactive ufw, an empty iptables-save
    // beside an nft ruleset) is not the tool in charge.
    let filtering: Vec<&Ruleset> = rulesets.iter().filter(|r| filters(r)).collect();
    let considered: Vec<&Ruleset> = if filtering.is_empty() {
        rulesets.iter().collect()
    } else {
        filtering
    };
    let manager = if tools.csf
        || considered.iter().any(|r| r.dialect == Dialect::Csf)
        || chains_of(&considered, is_csf_chain)
    {
        Some(Manager::Csf)
    } else if considered.iter().any(|r| r.dialect == Dialect::Firewalld)
        || chains_of(&considered, is_firewalld_chain)
    {
        Some(Manager::Firewalld)
    } else if tools.ufw_commands
        || considered.iter().any(|r| r.dialect == Dialect::Ufw)
        || chains_of(&considered, |n| {
            n.starts_with("ufw-") || n.starts_with("ufw6-")
        })
    {
        Some(Manager::Ufw)
    } else if chains_of(&considered, is_shorewall_chain) {
        Some(Manager::Shorewall)
    } else if considered.iter().any(|r| {
        matches!(
            r.dialect,
            Dialect::IptablesSave | Dialect::IptablesRules | Dialect::IptablesList
        )
    }) {
        Some(Manager::Iptables)
    } else if considered.iter().any(|r| r.dialect == Dialect::Nftables) {
        Some(Manager::Nftables)
    } else {
        None
    };
    HostFirewall { manager, docker }
}

/// True when some chain has a rule or a policy other than accept.
fn filters(r: &Ruleset) -> bool {
    r.chains
        .iter()
        .any(|c| !c.rules.is_empty() || c.policy.is_some_and(|p| p != Policy::Accept))
}

/// A chain name without its table prefix (`inet filter/input`).
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Whether some chain, or some jump to a chain, has a name `pred` accepts:
/// `iptables -L INPUT` alone shows firewalld's `INPUT_ZONES` or ufw's
/// `ufw-before-input` only as targets of INPUT's rules.
fn chains_of(rulesets: &[&Ruleset], pred: impl Fn(&str) -> bool) -> bool {
    use super::model::Action;
    rulesets.iter().flat_map(|r| r.chains.iter()).any(|c| {
        pred(base_name(&c.name))
            || c.rules.iter().any(|r| match &r.action {
                Action::Jump(t) | Action::Goto(t) => pred(base_name(t)),
                _ => false,
            })
    })
}

/// CSF's own chains (`csf -l`, or an iptables dump of a CSF host).
fn is_csf_chain(n: &str) -> bool {
    matches!(n, "LOCALINPUT" | "ALLOWIN" | "DENYIN" | "LOGDROPIN")
}

/// firewalld's chains in its iptables backend and its nftables table.
fn is_firewalld_chain(n: &str) -> bool {
    n == "INPUT_ZONES"
        || n == "INPUT_direct"
        || n.starts_with("filter_INPUT")
        || n.starts_with("filter_IN_")
}

/// Shorewall names its chains zone-to-zone: `net2fw`, `net-fw`, `loc2fw`.
fn is_shorewall_chain(n: &str) -> bool {
    n.ends_with("2fw") || n == "net-fw" || n == "net2all"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firewall::model::Chain;
    use crate::net::Family;

    fn rs(dialect: Dialect, chains: &[(&str, bool)]) -> Ruleset {
        Ruleset {
            dialect,
            input: "t".into(),
            families: vec![Family::V4],
            chains: chains
                .iter()
                .map(|(name, drop)| Chain {
                    name: name.to_string(),
                    table: "filter".into(),
                    families: vec![Family::V4],
                    policy: drop.then_some(Policy::Drop),
                    policy_line: None,
                    rules: Vec::new(),
                })
                .collect(),
            entry: vec![0],
            interfaces: Vec::new(),
            sets: Vec::new(),
            notes: Vec::new(),
            assumptions: Vec::new(),
            understood_lines: 0,
            not_understood: Vec::new(),
        }
    }

    fn of(rulesets: &[Ruleset]) -> Option<Manager> {
        detect(rulesets, ToolOutput::default()).manager
    }

    #[test]
    fn front_ends_are_named_by_their_chains() {
        let save = Dialect::IptablesSave;
        assert_eq!(
            of(&[rs(save, &[("INPUT", true), ("ufw-user-input", false)])]),
            Some(Manager::Ufw)
        );
        assert_eq!(
            of(&[rs(save, &[("INPUT", true), ("INPUT_ZONES", false)])]),
            Some(Manager::Firewalld)
        );
        assert_eq!(
            of(&[rs(
                Dialect::Nftables,
                &[("inet firewalld/filter_INPUT", true)]
            )]),
            Some(Manager::Firewalld)
        );
        assert_eq!(
            of(&[rs(save, &[("INPUT", true), ("LOCALINPUT", false)])]),
            Some(Manager::Csf)
        );
        assert_eq!(
            of(&[rs(Dialect::IptablesList, &[("net2fw", false)])]),
            Some(Manager::Shorewall)
        );
        assert_eq!(
            of(&[rs(Dialect::Csf, &[("INPUT", true)])]),
            Some(Manager::Csf)
        );
    }

    #[test]
    fn a_jump_target_names_the_front_end() {
        use crate::firewall::model::{Action, Rule};
        let mut list = rs(Dialect::IptablesList, &[("INPUT", false)]);
        let jump = |target: &str| Rule {
            source: crate::firewall::model::SourceLine {
                line: 1,
                text: format!("{target}  all  --  anywhere  anywhere"),
            },
            matches: Vec::new(),
            action: Action::Jump(target.into()),
            origin: Default::default(),
        };
        if let Some(input) = list.chains.first_mut() {
            input.rules.push(jump("INPUT_direct"));
            input.rules.push(jump("INPUT_ZONES"));
        }
        assert_eq!(of(&[list.clone()]), Some(Manager::Firewalld));
        if let Some(input) = list.chains.first_mut() {
            input.rules = vec![jump("f2b-sshd")];
        }
        assert_eq!(of(&[list]), Some(Manager::Iptables));
    }

    #[test]
    fn plain_dumps_name_their_own_tool() {
        assert_eq!(
            of(&[rs(
                Dialect::IptablesSave,
                &[("INPUT", true), ("f2b-sshd", false)]
            )]),
            Some(Manager::Iptables)
        );
        assert_eq!(
            of(&[rs(Dialect::Nftables, &[("inet filter/input", true)])]),
            Some(Manager::Nftables)
        );
        assert_eq!(of(&[]), None);
    }

    #[test]
    fn a_dump_that_filters_nothing_is_not_in_charge() {
        // An inactive ufw beside an nft rule set that drops.
        let ufw = rs(Dialect::Ufw, &[("ufw-user-input", false)]);
        let nft = rs(Dialect::Nftables, &[("inet filter/input", true)]);
        assert_eq!(of(&[ufw, nft]), Some(Manager::Nftables));
    }

    #[test]
    fn tool_output_alone_names_the_manager() {
        let t = ToolOutput {
            csf: false,
            ufw_commands: true,
        };
        assert_eq!(detect(&[], t).manager, Some(Manager::Ufw));
        let t = ToolOutput {
            csf: true,
            ufw_commands: false,
        };
        assert_eq!(detect(&[], t).manager, Some(Manager::Csf));
    }

    #[test]
    fn docker_chains_are_noticed() {
        let save = rs(
            Dialect::IptablesSave,
            &[("INPUT", true), ("DOCKER-USER", false)],
        );
        assert!(detect(&[save], ToolOutput::default()).docker);
        let plain = rs(Dialect::IptablesSave, &[("INPUT", true)]);
        assert!(!detect(&[plain], ToolOutput::default()).docker);
    }
}
