//! Hetzner Cloud firewalls: `hcloud firewall describe -o json`.

use serde_json::Value;

use super::{
    allow_sources, arr, port_range, ports_match, proto_match, q, ruleset, s, strs, CloudFirewalls,
    Locator,
};
use crate::firewall::model::Dialect;

pub(super) fn hetzner(
    input: &str,
    fw: &Value,
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let name = s(fw, "name").unwrap_or("firewall");
    let head = loc.find(&["\"name\"", &q(name)]);
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for r in arr(fw, "rules") {
        if s(r, "direction") != Some("in") {
            continue;
        }
        let mut m = Vec::new();
        let proto = s(r, "protocol").unwrap_or("tcp");
        m.extend(proto_match(proto));
        if let Some(p) = s(r, "port") {
            match port_range(p) {
                Some(Some(x)) => m.push(ports_match(vec![x])),
                Some(None) => {}
                None => notes.push(format!("port `{p}` not understood")),
            }
        }
        allow_sources(&m, &strs(r, "source_ips"), loc, &mut rules, &mut notes);
    }
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("hcloud firewall {name}"),
        head,
        rules,
    );
    if arr(fw, "applied_to").is_empty() && fw.get("applied_to").is_some() {
        rs.notes.push(format!(
            "firewall {name} is applied to no server: it filters nothing"
        ));
    }
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}
