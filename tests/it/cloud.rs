//! Cloud firewall fixtures: one ruleset per group/ACL/network, decisions
//! per Cloudflare range and port, DROP with the 522 note.
use crate::common::decide::{decide, Decided};
use err521::firewall::model::{Action, Dialect, Policy};
use err521::parse::cloud::{self, DROP_NOTE};
use err521::text::lines;

fn read(name: &str) -> cloud::CloudFirewalls {
    let text = std::fs::read_to_string(format!("tests/fixtures/cloud/{name}")).unwrap_or_default();
    cloud::parse(name, &lines(&text))
}

const DROPPED: Option<Decided> = Some(Decided::Policy(Some(Policy::Drop)));

#[test]
fn aws_security_groups() {
    let cf = read("aws-describe-security-groups.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    assert_eq!(cf.rulesets.len(), 2);
    let web = cf.rulesets.first();
    let web = web
        .as_ref()
        .map(|r| (*r).clone())
        .unwrap_or_else(|| panic!("no ruleset"));
    assert_eq!(web.dialect, Dialect::CloudAws);
    assert!(web.notes.iter().any(|n| n == DROP_NOTE));
    assert_eq!(
        web.chains.first().map(|c| c.name.as_str()),
        Some("sg-0a1b2c3d4e5f67890 (web-origin)")
    );
    // The four allowed ranges reach 443, each quoting its CidrIp line.
    assert_eq!(
        decide(&web, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 13))
    );
    assert_eq!(
        decide(&web, "162.159.255.255", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 25))
    );
    // Other Cloudflare ranges are dropped silently (522), and IPv6 too.
    assert_eq!(decide(&web, "104.16.0.1", 443, "eth0"), DROPPED);
    assert_eq!(decide(&web, "2400:cb00::1", 443, "eth0"), DROPPED);
    assert_eq!(decide(&web, "173.245.48.1", 80, "eth0"), DROPPED);
    // The group-to-group rule admits no Internet address.
    assert!(web
        .notes
        .iter()
        .any(|n| n.contains("security group as source")));
    let pl = cf
        .rulesets
        .get(1)
        .cloned()
        .unwrap_or_else(|| panic!("no second"));
    assert_eq!(
        decide(&pl, "2606:4700::9", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 87))
    );
    // A prefix list is undecided, never assumed to be Cloudflare's.
    assert!(matches!(
        decide(&pl, "104.16.0.1", 80, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 92))
    ));
}

#[test]
fn aws_docs_style_json_with_comments_and_trailing_commas() {
    let cf = read("aws-docs-style-commented.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    // Protocol "6", ports 8000-8443: the whole range, both families.
    assert_eq!(
        decide(&rs, "104.16.0.1", 8443, "eth0"),
        Some(Decided::Rule(Action::Accept, 15))
    );
    assert_eq!(
        decide(&rs, "2a06:98c0::1", 8080, "eth0"),
        Some(Decided::Rule(Action::Accept, 17))
    );
    assert_eq!(decide(&rs, "104.16.0.1", 443, "eth0"), DROPPED);
}

#[test]
fn aws_network_acl_in_rule_number_order() {
    let cf = read("aws-describe-network-acls.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    // Rule 90 (deny 162.158.0.0/15) comes before rule 100 although listed later.
    assert_eq!(
        decide(&rs, "162.158.1.1", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 15))
    );
    assert_eq!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 26))
    );
    assert_eq!(
        decide(&rs, "173.245.48.1", 8443, "eth0"),
        Some(Decided::Rule(Action::Drop, 37))
    );
    assert_eq!(
        decide(&rs, "2400:cb00::1", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 45))
    );
    assert!(rs.notes.iter().any(|n| n.contains("stateless")));
}

#[test]
fn gcloud_default_table_lacks_sources() {
    let cf = read("gcloud-table-default.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(rs.dialect, Dialect::CloudGcp);
    // No SRC_RANGES column: the 443 rule cannot be decided.
    assert!(matches!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 3))
    ));
    // The disabled rule is skipped; default-allow-internal has GCP's
    // documented source (10.128.0.0/9), a stated assumption: 80 falls to
    // the implied deny.
    assert_eq!(decide(&rs, "173.245.48.1", 80, "eth0"), DROPPED);
    assert!(rs.notes.iter().any(|n| n.contains("old-http is disabled")));
    assert!(rs
        .assumptions
        .iter()
        .any(|a| a.contains("default-allow-internal") && a.contains("--format=json")));
}

#[test]
fn gcloud_table_with_source_ranges_and_tags() {
    let cf = read("gcloud-table-src-ranges.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    // Target tags make the rule undecided for the origin.
    assert!(matches!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 3))
    ));
    assert_eq!(decide(&rs, "104.16.0.1", 443, "eth0"), DROPPED);
    assert_eq!(
        decide(&rs, "104.16.0.1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 5))
    );
}

#[test]
fn gcloud_json_deny_wins_at_equal_priority() {
    let cf = read("gcloud-format-json.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        rs.chains.first().map(|c| c.name.as_str()),
        Some("network default")
    );
    assert_eq!(
        decide(&rs, "104.16.5.5", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 39))
    );
    assert_eq!(
        decide(&rs, "104.17.5.5", 8443, "eth0"),
        Some(Decided::Rule(Action::Accept, 21))
    );
    assert_eq!(decide(&rs, "141.101.64.1", 443, "eth0"), DROPPED);
    assert!(matches!(
        decide(&rs, "141.101.64.1", 80, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 57))
    ));
}

#[test]
fn azure_nsg_priorities_service_tags_and_defaults() {
    let cf = read("azure-nsg-show.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(rs.dialect, Dialect::CloudAzure);
    assert_eq!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 50))
    );
    assert_eq!(
        decide(&rs, "2400:cb00::1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 50))
    );
    // Priority 200 deny before the 300 allow; DenyAllInBound for the rest.
    assert_eq!(
        decide(&rs, "173.245.48.1", 8080, "eth0"),
        Some(Decided::Rule(Action::Drop, 64))
    );
    assert_eq!(
        decide(&rs, "104.16.0.1", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 32))
    );
    assert!(matches!(
        decide(&rs, "104.16.0.1", 9443, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 75))
    ));
}

#[test]
fn hetzner_and_digitalocean() {
    let cf = read("hcloud-firewall-describe.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(rs.dialect, Dialect::CloudOther);
    assert_eq!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 22))
    );
    assert_eq!(
        decide(&rs, "2400:cb00::1", 100, "eth0"),
        Some(Decided::Rule(Action::Accept, 23))
    );
    assert_eq!(decide(&rs, "104.16.0.1", 443, "eth0"), DROPPED);
    let cf = read("doctl-firewall-get.json");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        decide(&rs, "2606:4700::1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 14))
    );
    assert_eq!(decide(&rs, "173.245.48.1", 443, "eth0"), DROPPED);
}

#[test]
fn broken_json_is_reported_not_dropped() {
    let text = "$ aws ec2 describe-security-groups\n{\n  \"SecurityGroups\": [\n    { \"GroupId\": \"sg-1\" \"IpPermissions\": [] }\n  ]\n}\n";
    let cf = cloud::parse("bad", &lines(text));
    assert!(cf.rulesets.is_empty());
    assert_eq!(cf.not_understood.len(), 1);
    assert_eq!(cf.not_understood.first().map(|n| n.line), Some(4));
}

#[test]
fn azure_rule_list_tables_in_either_column_order() {
    let cf = read("az-nsg-rule-list-table.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    // The prompt, the header, its dashes and ten rules.
    assert_eq!(cf.understood_lines, 13);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(rs.dialect, Dialect::CloudAzure);
    // Three prefixes in one cell, space-separated.
    for ip in ["173.245.48.1", "103.21.247.254", "103.22.200.9"] {
        assert_eq!(
            decide(&rs, ip, 443, "eth0"),
            Some(Decided::Rule(Action::Accept, 5)),
            "{ip}"
        );
    }
    assert_eq!(
        decide(&rs, "173.245.48.1", 80, "eth0"),
        Some(Decided::Rule(Action::Drop, 7))
    );
    // Two ports in one cell.
    assert_eq!(
        decide(&rs, "2606:4700::1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 6))
    );
    assert_eq!(
        decide(&rs, "2400:cb00::1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 6))
    );
    // `Internet` is every address: the deny at 400 wins over the defaults.
    assert_eq!(
        decide(&rs, "104.16.0.1", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 7))
    );
    // The default rules are listed, so none is assumed.
    assert!(!rs
        .notes
        .iter()
        .any(|n| n.starts_with("default rules not shown")));

    let cf = read("az-nsg-rule-list-table-new-columns.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        decide(&rs, "104.16.0.1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 4))
    );
    assert_eq!(
        decide(&rs, "2c0f:f248::1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 5))
    );
    // Not listed: DenyAllInBound is assumed, and said.
    assert_eq!(decide(&rs, "104.16.0.1", 22, "eth0"), DROPPED);
    assert!(rs
        .notes
        .iter()
        .any(|n| n.starts_with("default rules not shown")));
}

#[test]
fn azure_table_rows_that_are_not_rules_are_reported() {
    let text = "Name    ResourceGroup    Priority    Access    Protocol    Direction    SourceAddressPrefixes    DestinationPortRanges\n------  ---------------  ----------  --------  ----------  -----------  -----------------------  -----------------------\nweb     rg               high        Allow     Tcp         Inbound      *                        443\n";
    let cf = cloud::parse("t", &lines(text));
    assert_eq!(cf.not_understood.first().map(|n| n.line), Some(3));
    assert_eq!(cf.understood_lines, 2);
}

#[test]
fn aws_text_output_with_tabs_or_terminal_spaces() {
    let cf = read("aws-describe-security-groups-text.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    assert_eq!(cf.rulesets.len(), 2);
    let web = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        web.chains.first().map(|c| c.name.as_str()),
        Some("sg-0a1b2c3d4e5f67890 (web-origin)")
    );
    assert_eq!(
        decide(&web, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 6))
    );
    assert_eq!(decide(&web, "163.159.0.1", 443, "eth0"), DROPPED);
    assert_eq!(
        decide(&web, "162.159.255.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 8))
    );
    assert_eq!(
        decide(&web, "2400:cb00::1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 9))
    );
    // Egress rules (0.0.0.0/0 at line 13) admit nothing inbound.
    assert_eq!(decide(&web, "104.16.0.1", 443, "eth0"), DROPPED);
    assert!(web
        .notes
        .iter()
        .any(|n| n.starts_with("line 11: rules with a security group as source")));
    let pl = cf
        .rulesets
        .get(1)
        .cloned()
        .unwrap_or_else(|| panic!("no second"));
    assert_eq!(
        decide(&pl, "2606:4700::9", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 18))
    );
    assert!(matches!(
        decide(&pl, "104.16.0.1", 80, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 19))
    ));

    // Spaces instead of tabs, a description with spaces, `None` fillers.
    let cf = read("aws-describe-security-groups-text-spaces.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        rs.chains.first().map(|c| c.name.as_str()),
        Some("sg-0c0ffee1234567890 (origin)")
    );
    assert_eq!(
        decide(&rs, "104.16.0.1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 6))
    );
    assert_eq!(
        decide(&rs, "2400:cb00::1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 7))
    );
    assert_eq!(
        decide(&rs, "103.21.244.9", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 10))
    );
    assert_eq!(decide(&rs, "104.16.0.1", 443, "eth0"), DROPPED);
    // The all-traffic rule from its own group admits no Internet address.
    assert_eq!(decide(&rs, "104.16.0.1", 22, "eth0"), DROPPED);
}

#[test]
fn aws_security_group_rules_as_text() {
    let cf = read("aws-describe-security-group-rules-text.txt");
    assert!(cf.not_understood.is_empty(), "{:?}", cf.not_understood);
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    assert_eq!(
        rs.chains.first().map(|c| c.name.as_str()),
        Some("sg-0a1b2c3d4e5f67890")
    );
    assert_eq!(
        decide(&rs, "173.245.48.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 2))
    );
    assert!(matches!(
        decide(&rs, "173.245.48.1", 80, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), 4))
    ));
    assert_eq!(
        decide(&rs, "2400:cb00::1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 3))
    );
    // The egress rule (all traffic to 0.0.0.0/0) is not an ingress rule.
    assert_eq!(decide(&rs, "104.16.0.1", 443, "eth0"), DROPPED);
}

#[test]
fn aws_table_output_is_refused_with_the_command_that_works() {
    let cf = read("aws-describe-security-groups-table.txt");
    assert!(cf.rulesets.is_empty());
    // Every box line says what to paste instead; the prompt is understood.
    assert_eq!(cf.not_understood.len(), 15);
    assert!(cf
        .not_understood
        .iter()
        .all(|n| n.reason.contains("--output json")));
    assert!(cf
        .notes
        .iter()
        .any(|n| n.starts_with("AWS CLI `--output table` is not read")));
    let text =
        std::fs::read_to_string("tests/fixtures/cloud/aws-describe-security-groups-table.txt")
            .unwrap_or_default();
    let r = err521::analyze(
        &[err521::parse::CaseInput::new("t", text)],
        &err521::options::Options::default(),
    );
    let out = err521::report::text::render(&r);
    assert!(
        out.contains("line(s) not understood:\n  t:2: AWS CLI table output is not read: use `--output json` or `--output text`"),
        "{out}"
    );
}

/// A whole case: the finding for the firewall.
fn firewall_finding(text: &str) -> (err521::diagnose::Status, String, Vec<String>) {
    let options = err521::options::Options {
        ssl_mode: err521::options::SslMode::Full,
        ..Default::default()
    };
    let r = err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text.to_string())],
        &options,
    );
    r.findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::FirewallBlocksCloudflare)
        .map(|f| (f.status, f.explanation.clone(), f.checks.clone()))
        .unwrap_or((err521::diagnose::Status::Unknown, String::new(), Vec::new()))
}

#[test]
fn gcloud_table_of_default_rules_without_https_is_a_likely_block() {
    // The default table hides SRC_RANGES: GCP's documented defaults stand
    // in, stated; no rule admits 443, so the implied deny drops it.
    let text = "$ gcloud compute firewall-rules list
NAME                    NETWORK  DIRECTION  PRIORITY  ALLOW                         DENY  DISABLED
default-allow-http      default  INGRESS    1000      tcp:80                              False
default-allow-icmp      default  INGRESS    65534     icmp                                False
default-allow-internal  default  INGRESS    65534     tcp:0-65535,udp:0-65535,icmp        False
default-allow-rdp       default  INGRESS    65534     tcp:3389                            False
default-allow-ssh       default  INGRESS    65534     tcp:22                              False
";
    let (status, why, _) = firewall_finding(text);
    assert_eq!(status, err521::diagnose::Status::Likely, "{why}");
    assert!(why.contains("--format=json"), "{why}");
    assert!(why.contains("assumption"), "{why}");
    // With https too, everything is let in, but only under the assumption.
    let with_https = text.replace(
        "default-allow-icmp ",
        "default-allow-https     default  INGRESS    1000      tcp:443                             False\ndefault-allow-icmp ",
    );
    // IPv4 is let in; only IPv6 (which the default rules never admit) is
    // left, and never as more than likely.
    let (status, why, _) = firewall_finding(&with_https);
    assert_ne!(status, err521::diagnose::Status::Confirmed, "{why}");
    assert!(
        why.contains("IPv6 ranges") && !why.contains("IPv4 ranges"),
        "{why}"
    );
    assert!(why.contains("--format=json"), "{why}");
}

#[test]
fn oci_security_list_json_with_empty_ingress_blocks_everything() {
    let text = r#"$ oci network security-list get --security-list-id ocid1.securitylist.oc1.phx.aaaa
{
  "data": {
    "compartment-id": "ocid1.compartment.oc1..aaaa",
    "display-name": "Default Security List for vcn-web",
    "egress-security-rules": [
      {
        "destination": "0.0.0.0/0",
        "destination-type": "CIDR_BLOCK",
        "icmp-options": null,
        "is-stateless": false,
        "protocol": "all",
        "tcp-options": null,
        "udp-options": null
      }
    ],
    "id": "ocid1.securitylist.oc1.phx.aaaa",
    "ingress-security-rules": [],
    "lifecycle-state": "AVAILABLE",
    "vcn-id": "ocid1.vcn.oc1.phx.aaaa"
  },
  "etag": "8a3b5c1d"
}
"#;
    // Another security list of the subnet or an NSG may admit Cloudflare:
    // likely, and said so.
    let (status, why, _) = firewall_finding(text);
    assert_eq!(status, err521::diagnose::Status::Likely, "{why}");
    assert!(why.contains("522"), "{why}");
    assert!(why.contains("only security list"), "{why}");
    // Without the command line the JSON is still recognised.
    let bare = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    let (status, _, _) = firewall_finding(&bare);
    assert_eq!(status, err521::diagnose::Status::Likely);
}

#[test]
fn azure_nsg_in_the_arm_shape_is_read() {
    // The portal's "JSON view": rules under properties.securityRules[].properties.
    let text = r#"{
  "name": "web-nsg",
  "id": "/subscriptions/0000/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-nsg",
  "type": "Microsoft.Network/networkSecurityGroups",
  "location": "westeurope",
  "properties": {
    "provisioningState": "Succeeded",
    "securityRules": [
      {
        "name": "SSH",
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "properties": {
          "protocol": "TCP",
          "sourcePortRange": "*",
          "destinationPortRange": "22",
          "sourceAddressPrefix": "*",
          "destinationAddressPrefix": "*",
          "access": "Allow",
          "priority": 300,
          "direction": "Inbound"
        }
      },
      {
        "name": "HTTPS",
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "properties": {
          "protocol": "TCP",
          "sourcePortRange": "*",
          "destinationPortRange": "443",
          "sourceAddressPrefix": "203.0.113.0/24",
          "destinationAddressPrefix": "*",
          "access": "Allow",
          "priority": 320,
          "direction": "Inbound"
        }
      }
    ]
  }
}
"#;
    let (status, why, _) = firewall_finding(text);
    assert_eq!(status, err521::diagnose::Status::Confirmed, "{why}");
    assert!(why.contains("[azure]"), "{why}");
}
