//! Allowlist fixes for the firewall layers other than the kernel dumps:
//! firewalld (an ipset and rich rules, permanent plus reload), CSF
//! (`csf.allow` advanced rules plus `csf -r`) and cloud firewalls (AWS
//! security groups, GCP VPC rules, Azure NSGs, Hetzner, DigitalOcean).
//! Each allows only Cloudflare's ranges on only the needed ports.

use super::FixStep;
use crate::cloudflare::Ranges;
use crate::facts::Facts;
use crate::firewall::model::{Action, Dialect, Ruleset};
use crate::net::{AddrRange, Family};

/// The zone firewalld sends Cloudflare's traffic to: the zone the input
/// dispatch falls through to (the default zone), else `public`.
fn firewalld_zone(rs: &Ruleset) -> String {
    rs.entry
        .iter()
        .filter_map(|&i| rs.chains.get(i))
        .flat_map(|c| c.rules.iter())
        .rev()
        .filter_map(|r| match &r.action {
            Action::Goto(t) | Action::Jump(t) => t.strip_prefix("IN_").map(str::to_string),
            _ => None,
        })
        .next()
        .unwrap_or_else(|| "public".to_string())
}

/// The dump that shows firewalld's zones: its own listing, else the
/// iptables or nft rules it wrote.
fn firewalld_dump(facts: &Facts) -> Option<&Ruleset> {
    facts.rulesets.iter().find(|r| {
        r.dialect == Dialect::Firewalld
            || r.chains.iter().any(|c| {
                c.name == "INPUT_ZONES"
                    || c.name.ends_with("/INPUT_ZONES")
                    || c.name.starts_with("filter_INPUT")
            })
    })
}

pub fn firewalld(facts: &Facts, ranges: &Ranges, ports: &[u16]) -> (Vec<FixStep>, Vec<String>) {
    let zone = firewalld_dump(facts).map_or_else(|| "public".to_string(), firewalld_zone);
    let mut commands = vec![
        "sudo firewall-cmd --permanent --new-ipset=cloudflare4 --type=hash:net --option=family=inet".to_string(),
        "sudo firewall-cmd --permanent --new-ipset=cloudflare6 --type=hash:net --option=family=inet6".to_string(),
        format!("for net in {}; do sudo firewall-cmd --permanent --ipset=cloudflare4 --add-entry=\"$net\"; done", ranges.cidrs(Family::V4).join(" ")),
        format!("for net in {}; do sudo firewall-cmd --permanent --ipset=cloudflare6 --add-entry=\"$net\"; done", ranges.cidrs(Family::V6).join(" ")),
    ];
    for (family, set) in [("ipv4", "cloudflare4"), ("ipv6", "cloudflare6")] {
        for p in ports {
            commands.push(format!(
                "sudo firewall-cmd --permanent --zone={zone} --add-rich-rule='rule family=\"{family}\" source ipset=\"{set}\" port port=\"{p}\" protocol=\"tcp\" accept'"
            ));
        }
    }
    commands.push("sudo firewall-cmd --reload".to_string());
    (
        vec![FixStep {
            title: format!("Allow Cloudflare's ranges (as two ipsets) on tcp {} in the {zone} zone, permanently; other sources stay as they are", port_text(ports)),
            commands,
        }],
        vec![
            format!("sudo firewall-cmd --zone={zone} --list-rich-rules"),
            "sudo firewall-cmd --info-ipset=cloudflare4 | head".to_string(),
            format!("sudo firewall-cmd --list-all --zone={zone}   # paste into err521 again: the firewall finding should be ruled out"),
        ],
    )
}

pub fn csf(ranges: &Ranges, ports: &[u16]) -> (Vec<FixStep>, Vec<String>) {
    let mut all = ranges.cidrs(Family::V4);
    all.extend(ranges.cidrs(Family::V6));
    let commands = vec![
        // Advanced allow rules open only the web ports to Cloudflare (a
        // plain csf.allow entry would open every port to it).
        format!("for net in {}; do", all.join(" ")),
        format!(
            "  for port in {}; do echo \"tcp|in|d=$port|s=$net # Cloudflare\"; done",
            ports
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "done | sudo tee -a /etc/csf/csf.allow >/dev/null".to_string(),
        "sudo csf -r".to_string(),
    ];
    (
        vec![FixStep {
            title: format!("Allow Cloudflare's ranges on tcp {} in csf.allow (advanced rules), then restart CSF", port_text(ports)),
            commands,
        }],
        vec!["sudo csf -g 173.245.48.1   # should list the csf.allow rule".to_string()],
    )
}

/// Shorewall: ACCEPT rules from the `net` zone in `/etc/shorewall/rules`
/// (and `rules6` for IPv6 with shorewall6), checked, then reloaded.
pub fn shorewall(ranges: &Ranges, ports: &[u16]) -> (Vec<FixStep>, Vec<String>) {
    let p = port_text(ports);
    let v4 = ranges.cidrs(Family::V4).join(",");
    // shorewall6 encloses an IPv6 address list in brackets.
    let v6 = format!("[{}]", ranges.cidrs(Family::V6).join(","));
    (
        vec![FixStep {
            title: format!("Accept Cloudflare's ranges from the net zone on tcp {p} in Shorewall's rules (shorewall6 for IPv6), check them, then reload; other sources stay as they are"),
            commands: vec![
                format!("echo 'ACCEPT net:{v4} $FW tcp {p}' | sudo tee -a /etc/shorewall/rules >/dev/null"),
                "sudo shorewall check && sudo shorewall reload".to_string(),
                format!("echo 'ACCEPT net:{v6} $FW tcp {p}' | sudo tee -a /etc/shorewall6/rules >/dev/null   # only with shorewall6"),
                "sudo shorewall6 check && sudo shorewall6 reload".to_string(),
            ],
        }],
        vec!["sudo shorewall show net2fw   # paste into err521 again: the firewall finding should be ruled out".to_string()],
    )
}

fn port_text(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The cloud firewall fix for one blocking security group, rule set or NSG.
/// `needs` holds, per port, the Cloudflare ranges it does not admit yet: AWS
/// gets exactly those (it refuses a request holding a rule that exists);
/// rule sets that take one named rule get all of Cloudflare's ranges on the
/// ports that need any, so the rule stays complete on its own.
pub fn cloud(
    rs: &Ruleset,
    ranges: &Ranges,
    needs: &[(u16, Vec<AddrRange>)],
) -> Option<(Vec<FixStep>, Vec<String>)> {
    if needs.is_empty() {
        return None;
    }
    // Chain names read `sg-0a1b… (web-origin)`: the id comes first.
    let name = rs
        .chains
        .first()
        .and_then(|c| c.name.split_whitespace().next())
        .unwrap_or("NAME")
        .to_string();
    let ports: Vec<u16> = needs.iter().map(|(p, _)| *p).collect();
    let ports = ports.as_slice();
    let v4 = ranges.cidrs(Family::V4);
    let v6 = ranges.cidrs(Family::V6);
    let of_family = |list: &[AddrRange], family: Family| -> Vec<String> {
        list.iter()
            .filter(|r| r.family == family)
            .map(|r| r.to_string())
            .collect()
    };
    let (title, commands, verify): (String, Vec<String>, Vec<String>) = match rs.dialect {
        Dialect::CloudAws if crate::parse::cloud::is_network_acl(&name) => (
            format!("Network ACL {name}: allow Cloudflare's ranges on tcp {} with rule numbers below the rule that denies (network ACLs are stateless: the ephemeral return ports must be allowed outbound too)", port_text(ports)),
            needs
                .iter()
                .flat_map(|(p, list)| list.iter().map(move |net| (*p, net)))
                .enumerate()
                .map(|(k, (p, net))| {
                    let flag = if net.family == Family::V6 { "--ipv6-cidr-block" } else { "--cidr-block" };
                    format!("aws ec2 create-network-acl-entry --network-acl-id {name} --ingress --rule-number {} --protocol tcp --port-range From={p},To={p} {flag} {net} --rule-action allow", 10 + k)
                })
                .collect(),
            vec![format!("aws ec2 describe-network-acls --network-acl-ids {name} --output json")],
        ),
        Dialect::CloudAws => {
            let rules: usize = needs.iter().map(|(_, list)| list.len()).sum();
            let groups = rs.chains.first().map_or(1, |c| c.name.matches(" + ").count() + 1);
            let which = if groups > 1 {
                "; the instance admits what any of its groups allows, so this one group is enough"
            } else {
                ""
            };
            (
                format!("Security group {name}: allow the Cloudflare ranges it lacks on tcp {} ({rules} rules; the default quota is 60 inbound rules per family per group{which})", port_text(ports)),
                needs
                    .iter()
                    .map(|(p, list)| {
                        let mut perms = format!("IpProtocol=tcp,FromPort={p},ToPort={p}");
                        let v4s: Vec<String> = of_family(list, Family::V4).iter().map(|c| format!("{{CidrIp={c},Description=Cloudflare}}")).collect();
                        let v6s: Vec<String> = of_family(list, Family::V6).iter().map(|c| format!("{{CidrIpv6={c},Description=Cloudflare}}")).collect();
                        if !v4s.is_empty() {
                            perms.push_str(&format!(",IpRanges=[{}]", v4s.join(",")));
                        }
                        if !v6s.is_empty() {
                            perms.push_str(&format!(",Ipv6Ranges=[{}]", v6s.join(",")));
                        }
                        format!("aws ec2 authorize-security-group-ingress --group-id {name} --ip-permissions '{perms}'")
                    })
                    .collect(),
                vec![format!("aws ec2 describe-security-groups --group-ids {name} --output json   # paste into err521 again")],
            )
        }
        Dialect::CloudGcp => (
            format!("VPC firewall: allow Cloudflare's ranges on tcp {} at a priority that wins over the rule that denies (IPv4 and IPv6 need separate rules)", port_text(ports)),
            vec![
                format!("gcloud compute firewall-rules create allow-cloudflare-v4 --network=NETWORK --direction=INGRESS --priority=900 --action=ALLOW --rules={} --source-ranges={}", ports.iter().map(|p| format!("tcp:{p}")).collect::<Vec<_>>().join(","), v4.join(",")),
                format!("gcloud compute firewall-rules create allow-cloudflare-v6 --network=NETWORK --direction=INGRESS --priority=900 --action=ALLOW --rules={} --source-ranges={}", ports.iter().map(|p| format!("tcp:{p}")).collect::<Vec<_>>().join(","), v6.join(",")),
            ],
            vec!["gcloud compute firewall-rules list --format=json   # paste into err521 again".to_string()],
        ),
        Dialect::CloudAzure => {
            // `web-nsg (resource group web-rg)`, when the paste told it.
            let full = rs.chains.first().map(|c| c.name.as_str()).unwrap_or("");
            let rg = full
                .split_once("(resource group ")
                .and_then(|(_, r)| r.strip_suffix(')'))
                .unwrap_or("RG")
                .to_string();
            (
            format!("NSG {name}: allow Cloudflare's ranges on tcp {} with priorities below (before) the rule that denies", port_text(ports)),
            vec![
                format!("az network nsg rule create --resource-group {rg} --nsg-name {name} --name allow-cloudflare-v4 --priority 100 --direction Inbound --access Allow --protocol Tcp --destination-port-ranges {} --source-address-prefixes {}", ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" "), v4.join(" ")),
                format!("az network nsg rule create --resource-group {rg} --nsg-name {name} --name allow-cloudflare-v6 --priority 101 --direction Inbound --access Allow --protocol Tcp --destination-port-ranges {} --source-address-prefixes {}", ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" "), v6.join(" ")),
            ],
            vec![format!("az network nsg show --resource-group {rg} --name {name}   # paste into err521 again")],
            )
        }
        Dialect::CloudOther => {
            let full = rs.chains.first().map(|c| c.name.as_str()).unwrap_or("");
            let all: Vec<String> = v4.iter().chain(v6.iter()).cloned().collect();
            if let Some(fw) = full.strip_prefix("hcloud firewall ") {
                (
                    format!("Hetzner Cloud firewall {fw}: allow Cloudflare's ranges on tcp {}", port_text(ports)),
                    ports.iter().map(|p| format!("hcloud firewall add-rule {fw} --direction in --protocol tcp --port {p} --source-ips {}", all.join(","))).collect(),
                    vec![format!("hcloud firewall describe {fw} -o json   # paste into err521 again")],
                )
            } else if let Some(fw) = full.strip_prefix("DigitalOcean firewall ") {
                (
                    format!("DigitalOcean cloud firewall {fw}: allow Cloudflare's ranges on tcp {}", port_text(ports)),
                    ports.iter().map(|p| format!("doctl compute firewall add-rules FIREWALL_ID   # of {fw}\n  --inbound-rules \"protocol:tcp,ports:{p},{}\"", all.iter().map(|c| format!("address:{c}")).collect::<Vec<_>>().join(","))).collect(),
                    vec!["doctl compute firewall get FIREWALL_ID --output json   # paste into err521 again".to_string()],
                )
            } else if full.starts_with("OCI ") {
                // `update` replaces the whole list: append to what is there.
                let entries: Vec<String> = all
                    .iter()
                    .flat_map(|c| ports.iter().map(move |p| format!("{{\"protocol\":\"6\",\"source\":\"{c}\",\"source-type\":\"CIDR_BLOCK\",\"is-stateless\":false,\"description\":\"Cloudflare\",\"tcp-options\":{{\"destination-port-range\":{{\"min\":{p},\"max\":{p}}}}}}}")))
                    .collect();
                (
                    format!("Oracle Cloud {}: append ingress rules for Cloudflare's ranges on tcp {} (the update replaces the list, so the current rules are kept by merging)", full.trim_start_matches("OCI "), port_text(ports)),
                    vec![
                        "oci network security-list get --security-list-id OCID --query 'data.\"ingress-security-rules\"' > ingress.json".to_string(),
                        format!("jq '. + [{}]' ingress.json > ingress-new.json", entries.join(",")),
                        "oci network security-list update --security-list-id OCID --ingress-security-rules file://ingress-new.json --force".to_string(),
                    ],
                    vec!["oci network security-list get --security-list-id OCID   # paste into err521 again".to_string()],
                )
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some((vec![FixStep { title, commands }], verify))
}
