//! Oracle Cloud: VCN security lists (`oci network security-list get`) and
//! network security group rules.

use serde_json::Value;

use super::{
    addr_match, arr, ports_match, proto_match, q, rule, ruleset, s, CloudFirewalls, Locator,
};
use crate::firewall::model::Undecided;
use crate::firewall::model::{Action, Dialect, Match, Rule};
use crate::net::AddrRange;

/// `oci network security-list get`: the VCN security list's ingress rules
/// (stateful or not, they admit; everything else is dropped).
pub(super) fn oracle_security_list(
    input: &str,
    sl: &Value,
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let name = s(sl, "display-name").unwrap_or("security list");
    let head = loc.find(&["\"display-name\"", &q(name)]);
    let rules = oracle_rules(arr(sl, "ingress-security-rules").iter(), loc);
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("OCI security list {name}"),
        head,
        rules,
    );
    rs.notes.push("Oracle Cloud images also ship iptables rules that reject all but SSH: check `sudo iptables-save` on the instance".to_string());
    // A subnet has up to five security lists and the instance's VNIC may
    // have network security groups: any of them can admit what this one
    // does not.
    rs.assumptions.push(format!(
        "{name} is the only security list of the origin's subnet and no network security group admits Cloudflare (paste `oci network subnet get` and the VNIC's NSG rules to confirm)"
    ));
    out.rulesets.push(rs);
}

/// OCI ingress rules: protocol number or `all`, `source` CIDR with
/// `source-type` (service CIDRs are Oracle services, never Cloudflare), and
/// `tcp-options.destination-port-range {min, max}` (absent: every port).
pub(super) fn oracle_rules<'v>(
    items: impl Iterator<Item = &'v Value>,
    loc: &mut Locator<'_, '_>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for r in items {
        let src = s(r, "source").unwrap_or("");
        let line = loc.find(&[&q(src)]);
        if s(r, "source-type").is_some_and(|t| t != "CIDR_BLOCK") {
            continue;
        }
        let Some(addr) = AddrRange::parse(src) else {
            rules.push(rule(
                line,
                vec![Match::Unknown {
                    text: format!("source `{src}`"),
                    why: Undecided::SourceElsewhere,
                }],
                Action::Accept,
            ));
            continue;
        };
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("all")));
        let range = r
            .get("tcp-options")
            .and_then(|t| t.get("destination-port-range"))
            .filter(|v| !v.is_null());
        if let Some(pr) = range {
            let lo = pr
                .get("min")
                .and_then(Value::as_u64)
                .and_then(|x| u16::try_from(x).ok());
            let hi = pr
                .get("max")
                .and_then(Value::as_u64)
                .and_then(|x| u16::try_from(x).ok());
            match (lo, hi) {
                (Some(a), Some(b)) if a <= b => m.push(ports_match(vec![(a, b)])),
                _ => m.push(Match::Unknown {
                    text: "port range not understood".to_string(),
                    why: Undecided::Other,
                }),
            }
        }
        m.push(addr_match(addr));
        rules.push(rule(line, m, Action::Accept));
    }
    rules
}
