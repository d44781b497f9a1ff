//! DigitalOcean cloud firewalls: `doctl compute firewall get -o json`.

use serde_json::Value;

use super::{
    allow_sources, arr, port_range, ports_match, proto_match, q, ruleset, s, strs, CloudFirewalls,
    Locator,
};
use crate::firewall::model::Dialect;

pub(super) fn digitalocean(
    input: &str,
    fw: &Value,
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let name = s(fw, "name").unwrap_or("firewall");
    let head = loc.find(&["\"name\"", &q(name)]);
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for r in arr(fw, "inbound_rules") {
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("tcp")));
        if let Some(p) = s(r, "ports") {
            match port_range(p) {
                Some(Some(x)) => m.push(ports_match(vec![x])),
                Some(None) => {}
                None => notes.push(format!("ports `{p}` not understood")),
            }
        }
        let src = r.get("sources").unwrap_or(&Value::Null);
        allow_sources(&m, &strs(src, "addresses"), loc, &mut rules, &mut notes);
    }
    let mut rs = ruleset(
        input,
        Dialect::CloudOther,
        &format!("DigitalOcean firewall {name}"),
        head,
        rules,
    );
    rs.notes
        .push("sources by droplet, tag or load balancer admit those, never Cloudflare".to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}
