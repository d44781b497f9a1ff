//! Whole cases in, the answer a support engineer would give out: the
//! primary cause, each finding's status, and the lines that prove it.
//! Includes the traps: the loud but irrelevant error, the healthy service
//! next to a blocking firewall, a DROP that means 522, a partial allowlist
//! missing 131.0.72.0/22 and all IPv6.

use err521::diagnose::{FindingId, Status};
use err521::firewall::eval::Outcome;
use err521::options::{Options, SslMode};
use err521::parse::CaseInput;
use err521::report::Report;

fn run(name: &str, options: &Options) -> Report {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "missing {path}");
    err521::analyze(&[CaseInput::new(name, text)], options)
}

fn default_run(name: &str) -> Report {
    run(name, &Options::default())
}

fn finding(r: &Report, id: FindingId) -> &err521::report::ReportFinding {
    r.findings
        .iter()
        .find(|f| f.id == id)
        .expect("finding present")
}

fn cites_line(r: &Report, id: FindingId, line: usize) -> bool {
    finding(r, id).evidence.iter().any(|e| e.line == line)
}

#[test]
fn partial_ufw_allowlist_behind_a_healthy_nginx() {
    let r = default_run("tickets/ufw-partial-allowlist.txt");
    assert_eq!(r.primary, Some(FindingId::FirewallBlocksCloudflare));
    assert_eq!(
        r.status_of(FindingId::FirewallBlocksCloudflare),
        Status::Confirmed
    );
    assert_eq!(r.status_of(FindingId::WebServerDown), Status::RuledOut);
    let f = finding(&r, FindingId::FirewallBlocksCloudflare);
    // The range the glued list lost, and all of IPv6, on the HTTPS port.
    assert!(f.explanation.contains("131.0.72.0/22"), "{}", f.explanation);
    assert!(
        f.explanation.contains("all 7 IPv6 ranges"),
        "{}",
        f.explanation
    );
    assert!(f.explanation.contains("521"));
    // The default policy line decides and is quoted.
    assert!(cites_line(&r, FindingId::FirewallBlocksCloudflare, 34));
    // The fix uses ufw, covers IPv6, and opens nothing to the world.
    let cmds: Vec<&str> = f
        .fix
        .iter()
        .flat_map(|s| s.commands.iter())
        .map(String::as_str)
        .collect();
    assert!(cmds
        .iter()
        .any(|c| c.contains("ufw prepend allow proto tcp from \"$net\"")));
    assert!(cmds
        .iter()
        .any(|c| c.contains("131.0.72.0/22") && c.contains("2c0f:f248::/32")));
    assert!(!cmds
        .iter()
        .any(|c| c.contains("from any") || c.contains("ufw allow 443")));
    // The coverage is exposed range by range.
    let cov = r.firewall.as_ref().map(|f| f.coverage.len()).unwrap_or(0);
    assert!(cov >= 22 * 2, "{cov}");
}

#[test]
fn failed_start_with_missing_certificate_is_a_config_error() {
    let r = default_run("tickets/mixed-fences-failed-nginx.md");
    assert_eq!(r.primary, Some(FindingId::ConfigError));
    assert_eq!(r.status_of(FindingId::WebServerDown), Status::Confirmed);
    assert!(finding(&r, FindingId::ConfigError)
        .explanation
        .contains("/etc/ssl/certs/shop.pem"));
    assert!(cites_line(&r, FindingId::ConfigError, 13));
}

#[test]
fn bind_conflict_on_a_needed_port_names_the_holder() {
    let r = default_run("scenarios/port-conflict-apache-holds-80.txt");
    assert_eq!(r.primary, Some(FindingId::PortConflict));
    let f = finding(&r, FindingId::PortConflict);
    assert!(
        f.explanation.contains("apache2 (pid 902) holds port 80"),
        "{}",
        f.explanation
    );
    // The program in the way is apache2 (the paste names it): stop it by
    // name, then start nginx, the server that failed; each step once.
    let c = fix_commands(&r, FindingId::PortConflict);
    assert_eq!(
        c,
        vec![
            "sudo systemctl disable --now apache2".to_string(),
            "sudo systemctl enable --now nginx && sudo systemctl status nginx --no-pager"
                .to_string()
        ]
    );
    assert!(f
        .verify
        .iter()
        .any(|v| v.contains("ss -ltnp 'sport = :80'")));
}

#[test]
fn loud_bind_error_elsewhere_is_not_the_cause_and_drop_means_522() {
    let r = default_run("scenarios/loud-bind-error-but-iptables-drops.txt");
    assert_eq!(r.primary, Some(FindingId::FirewallBlocksCloudflare));
    assert_eq!(r.status_of(FindingId::PortConflict), Status::RuledOut);
    assert_eq!(r.status_of(FindingId::WebServerDown), Status::RuledOut);
    let f = finding(&r, FindingId::FirewallBlocksCloudflare);
    // A retired 104.16.0.0/12 still covers today's 104.16/13 and 104.24/14;
    // 162.158.0.0/15 and 131.0.72.0/22 are missing.
    assert!(f.explanation.contains("162.158.0.0/15") && f.explanation.contains("131.0.72.0/22"));
    assert!(!f.explanation.contains("104.24.0.0/14"));
    assert!(f.explanation.contains("522"), "{}", f.explanation);
    assert!(
        f.explanation.contains("IPv6"),
        "an iptables dump says nothing about IPv6"
    );
    // iptables fix: both families, persisted.
    let cmds: Vec<&str> = f
        .fix
        .iter()
        .flat_map(|s| s.commands.iter())
        .map(String::as_str)
        .collect();
    assert!(cmds.iter().any(|c| c.contains("sudo iptables -I INPUT")));
    assert!(cmds.iter().any(|c| c.contains("sudo ip6tables -I INPUT")));
    assert!(cmds.iter().any(|c| c.contains("netfilter-persistent save")));
}

#[test]
fn full_mode_without_https_listener() {
    let stated = default_run("scenarios/full-mode-no-443.txt");
    // The mode stated in prose is a hint, not proof.
    assert_eq!(stated.status_of(FindingId::NotListening), Status::Likely);
    assert_eq!(stated.status_of(FindingId::TlsPortMismatch), Status::Likely);
    let given = run(
        "scenarios/full-mode-no-443.txt",
        &Options {
            ssl_mode: SslMode::Full,
            ..Options::default()
        },
    );
    assert_eq!(given.primary, Some(FindingId::NotListening));
    assert_eq!(
        given.status_of(FindingId::TlsPortMismatch),
        Status::Confirmed
    );
    assert_eq!(given.status_of(FindingId::WebServerDown), Status::RuledOut);
    let flexible = run(
        "scenarios/full-mode-no-443.txt",
        &Options {
            ssl_mode: SslMode::Flexible,
            ..Options::default()
        },
    );
    assert_eq!(
        flexible.status_of(FindingId::NotListening),
        Status::RuledOut
    );
}

#[test]
fn loopback_only_listeners() {
    let r = default_run("scenarios/loopback-only-node-proxy.txt");
    assert_eq!(r.primary, Some(FindingId::LoopbackOnly));
    assert!(cites_line(&r, FindingId::LoopbackOnly, 3));
}

#[test]
fn oom_kills_are_overload() {
    let r = default_run("scenarios/oom-killed-nginx.txt");
    assert_eq!(r.primary, Some(FindingId::OriginOverloaded));
    assert!(finding(&r, FindingId::OriginOverloaded)
        .explanation
        .contains("nginx"));
}

#[test]
fn proxied_record_to_a_private_address() {
    let r = default_run("scenarios/dns-private-address-export.txt");
    assert_eq!(r.primary, Some(FindingId::DnsWrongOrigin));
    assert!(finding(&r, FindingId::DnsWrongOrigin)
        .explanation
        .contains("10.20.0.15"));
    assert_eq!(r.status_of(FindingId::Ipv6OriginBroken), Status::RuledOut);
}

#[test]
fn aaaa_published_without_ipv6_listener() {
    let r = default_run("scenarios/aaaa-without-ipv6-listener.txt");
    assert_eq!(r.primary, Some(FindingId::Ipv6OriginBroken));
    assert_ne!(r.status_of(FindingId::DnsWrongOrigin), Status::Confirmed);
}

#[test]
fn nft_policy_drop_blocks_everything_and_reads_522() {
    let r = default_run("scenarios/nft-drop-policy-no-cloudflare.txt");
    assert_eq!(r.primary, Some(FindingId::FirewallBlocksCloudflare));
    let f = finding(&r, FindingId::FirewallBlocksCloudflare);
    assert!(f.explanation.contains("522"));
    let cmds: Vec<&str> = f
        .fix
        .iter()
        .flat_map(|s| s.commands.iter())
        .map(String::as_str)
        .collect();
    assert!(cmds
        .iter()
        .any(|c| c.contains("nft insert rule inet filter input ip saddr @cloudflare_v4")));
    assert!(cmds.iter().any(|c| c.contains("ip6 saddr @cloudflare_v6")));
}

#[test]
fn neighbour_codes_are_explained_not_diagnosed_as_521() {
    let r = default_run("error-page/modern-522-blog.html");
    assert_eq!(r.primary, Some(FindingId::DifferentErrorCode));
    let f = finding(&r, FindingId::DifferentErrorCode);
    assert!(f.explanation.contains("DROP"), "{}", f.explanation);
    let r = default_run("error-page/modern-525-api.html");
    assert!(finding(&r, FindingId::DifferentErrorCode)
        .explanation
        .contains("TLS"));
}

#[test]
fn a_521_page_alone_asks_for_evidence_in_order() {
    let r = default_run("error-page/modern-521-shop.html");
    assert_eq!(r.primary, None);
    let kinds: Vec<&str> = r.ask_for.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"service-status"));
    let fw = kinds.iter().position(|k| *k == "firewall");
    let listen = kinds.iter().position(|k| *k == "listeners");
    assert!(fw < listen, "{kinds:?}");
    // The host from the page is used in the DNS command.
    assert!(r
        .ask_for
        .iter()
        .any(|a| a.command.contains("shop.example.net")));
}

#[test]
fn redacted_shares_keep_their_diagnosis() {
    let path = format!(
        "{}/tests/fixtures/scenarios/aaaa-without-ipv6-listener.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = err521::redact::redact(
        &std::fs::read_to_string(path).unwrap_or_default(),
        &err521::cloudflare::Ranges::bundled(),
    );
    assert!(!text.contains("45.77.148.10"));
    let opened = |redacted| {
        err521::analyze(
            &[CaseInput::new("shared", text.clone())],
            &Options {
                redacted,
                ..Options::default()
            },
        )
    };
    // Read as a redacted share, placeholders are public addresses again.
    let r = opened(true);
    assert_eq!(r.primary, Some(FindingId::Ipv6OriginBroken));
    assert_ne!(r.status_of(FindingId::DnsWrongOrigin), Status::Confirmed);
    // Read as plain text, a documentation address in DNS is wrong.
    assert_eq!(
        opened(false).status_of(FindingId::DnsWrongOrigin),
        Status::Confirmed
    );
}

#[test]
fn ipv6_policy_drop_without_icmpv6_breaks_neighbour_discovery() {
    let r = default_run("scenarios/ip6tables-drop-no-icmpv6.txt");
    assert_eq!(r.primary, Some(FindingId::Ipv6OriginBroken));
    let f = finding(&r, FindingId::Ipv6OriginBroken);
    assert!(
        f.explanation.contains("neighbour discovery"),
        "{}",
        f.explanation
    );
    assert!(cites_line(&r, FindingId::Ipv6OriginBroken, 11));
    let cmds: Vec<&str> = f
        .fix
        .iter()
        .flat_map(|s| s.commands.iter())
        .map(String::as_str)
        .collect();
    assert!(cmds
        .iter()
        .any(|c| c.contains("--icmpv6-type neighbour-solicitation")));
    // The Cloudflare allowlist itself is complete for IPv6.
    assert_ne!(
        r.status_of(FindingId::FirewallBlocksCloudflare),
        Status::Confirmed
    );
}

fn fix_commands(r: &Report, id: FindingId) -> Vec<String> {
    finding(r, id)
        .fix
        .iter()
        .flat_map(|s| s.commands.iter().cloned())
        .collect()
}

#[test]
fn each_firewall_layer_gets_its_own_fix() {
    let fw = FindingId::FirewallBlocksCloudflare;
    let r = default_run("firewalld/list-all-zones-cloudflare-v4-only.txt");
    let c = fix_commands(&r, fw);
    assert!(
        c.iter().any(|c| c.contains(
            "--add-rich-rule='rule family=\"ipv6\" source ipset=\"cloudflare6\" port port=\"443\""
        )),
        "{c:?}"
    );
    assert!(c.iter().any(|c| c == "sudo firewall-cmd --reload"));
    let r = default_run("cloud/aws-describe-security-groups.txt");
    let c = fix_commands(&r, fw);
    assert!(c.iter().any(|c| c.starts_with("aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f67890 --ip-permissions")), "{c:?}");
    assert!(finding(&r, fw).explanation.contains("522"));
    let r = default_run("cloud/azure-nsg-show.json");
    assert!(fix_commands(&r, fw)
        .iter()
        .any(|c| c.contains("az network nsg rule create") && c.contains("2400:cb00::/32")));
    let r = default_run("cloud/oci-security-list-get.json");
    let f = finding(&r, fw);
    // 173.245.48.0/20 is allowed on 443 by line 39; the others are dropped.
    assert!(
        f.explanation.contains("14 of 15 IPv4 ranges"),
        "{}",
        f.explanation
    );
    assert!(fix_commands(&r, fw)
        .iter()
        .any(|c| c.starts_with("oci network security-list update")));
    let r = default_run("cloud/gcloud-format-json.json");
    assert!(fix_commands(&r, fw)
        .iter()
        .any(|c| c.contains("gcloud compute firewall-rules create allow-cloudflare-v6")));
    // No fix anywhere opens a port to the whole Internet.
    for case in [
        "firewalld/list-all-zones-cloudflare-v4-only.txt",
        "cloud/aws-describe-security-groups.txt",
        "cloud/azure-nsg-show.json",
        "cloud/gcloud-format-json.json",
        "tickets/ufw-partial-allowlist.txt",
    ] {
        for c in fix_commands(&default_run(case), fw) {
            assert!(
                !c.contains("0.0.0.0/0") && !c.contains("::/0") && !c.contains("from any"),
                "{case}: {c}"
            );
        }
    }
}

fn fixture(name: &str) -> CaseInput {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    CaseInput::new(name, std::fs::read_to_string(&path).unwrap_or_default())
}

fn all_fix_commands(r: &Report, id: FindingId) -> String {
    fix_commands(r, id).join("\n")
}

#[test]
fn several_security_groups_admit_what_any_of_them_allows() {
    let fw = FindingId::FirewallBlocksCloudflare;
    let r = default_run("cloud/aws-describe-security-groups.txt");
    let cov = r.firewall.as_ref().map_or(&[][..], |f| &f.coverage[..]);
    let entry = |range: &str, port: u16| {
        cov.iter()
            .find(|e| e.layer.name() == "aws" && e.cloudflare_range == range && e.port == port)
            .map(|e| (e.outcome, e.rule.as_ref().map(|r| r.line)))
    };
    // web-origin admits 173.245.48.0/20 on 443, http-pl admits
    // 2606:4700::/32 on 80: one layer, so both get through.
    assert_eq!(
        entry("173.245.48.0/20", 443),
        Some((Outcome::Accept, Some(13)))
    );
    assert_eq!(
        entry("2606:4700::/32", 80),
        Some((Outcome::Accept, Some(87)))
    );
    assert_eq!(entry("104.16.0.0/13", 443), Some((Outcome::Drop, None)));
    // The fix adds to one group only what neither admits (AWS refuses a
    // request holding a rule that exists).
    let c = fix_commands(&r, fw);
    assert_eq!(c.len(), 2, "{c:?}");
    let on = |port: &str| {
        c.iter()
            .find(|c| c.contains(&format!("FromPort={port},")))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        on("443").contains("CidrIp=104.16.0.0/13,")
            && !on("443").contains("CidrIp=173.245.48.0/20,")
    );
    assert!(on("80").contains("CidrIpv6=2400:cb00::/32,") && !on("80").contains("2606:4700::/32"));
    assert!(c
        .iter()
        .all(|c| c.contains("--group-id sg-0a1b2c3d4e5f67890 ")));
    let notes = r.firewall.as_ref().map_or(Vec::new(), |f| f.notes.clone());
    assert!(
        notes
            .iter()
            .any(|n| n.text.starts_with("2 security groups pasted")),
        "{notes:?}"
    );
    // Every cloud layer drops silently; the explanation says so once.
    assert!(!notes
        .iter()
        .any(|n| n.text == err521::parse::cloud::DROP_NOTE));
}

#[test]
fn firewall_caveats_reach_every_view() {
    let r = default_run("csf/csf-allow-deny.txt");
    let notes = r.firewall.as_ref().map_or(Vec::new(), |f| f.notes.clone());
    let tcp_in = notes
        .iter()
        .find(|n| n.text.starts_with("TCP_IN not shown"))
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(tcp_in.contains("grep -E"), "{notes:?}");
    assert!(notes.iter().all(|n| n.input == "csf/csf-allow-deny.txt"));
    assert!(err521::report::text::render(&r)
        .contains(&format!("  - {tcp_in} (csf/csf-allow-deny.txt)")));
    let md = err521::report::markdown::render(&r);
    assert!(md.contains("**Firewall caveats**") && md.contains(&tcp_in));
    let json = err521::report::json::render(&r);
    assert!(json.contains("\"notes\"") && json.contains("TCP_IN not shown"));
}

#[test]
fn real_ip_fix_writes_the_config_of_the_server_seen() {
    let ban = FindingId::BanBlocksCloudflare;
    let httpd = CaseInput::new(
        "status",
        "● httpd.service - The Apache HTTP Server\n     Loaded: loaded (/usr/lib/systemd/system/httpd.service; enabled; preset: disabled)\n     Active: active (running) since Tue 2026-11-24 08:00:01 UTC; 2h ago\n",
    );
    let r = err521::analyze(
        &[fixture("bans/fail2ban-status.txt"), httpd],
        &Options::default(),
    );
    assert_eq!(r.primary, Some(ban));
    let c = all_fix_commands(&r, ban);
    assert!(c.contains("sudo tee /etc/httpd/conf.d/cloudflare-remoteip.conf >/dev/null <<'CONF'\nRemoteIPHeader CF-Connecting-IP\nRemoteIPTrustedProxy 173.245.48.0/20 "), "{c}");
    assert!(!c.contains("a2enmod") && !c.contains("/etc/nginx"), "{c}");
    let r = err521::analyze(
        &[
            fixture("bans/fail2ban-status.txt"),
            fixture("services/systemctl_nginx_running.txt"),
        ],
        &Options::default(),
    );
    let c = all_fix_commands(&r, ban);
    assert!(c.contains("sudo tee /etc/nginx/conf.d/cloudflare-realip.conf >/dev/null <<'CONF'\nset_real_ip_from 173.245.48.0/20;\n"), "{c}");
    assert!(c.contains("real_ip_header CF-Connecting-IP;\nCONF"), "{c}");
    assert!(!c.contains("RemoteIP"), "{c}");
    // A jail named after nginx (`nginx-limit-req`) names the server.
    let r = default_run("bans/fail2ban-status.txt");
    let c = all_fix_commands(&r, ban);
    assert!(
        c.contains("/etc/nginx/conf.d/cloudflare-realip.conf"),
        "{c}"
    );
    assert!(!c.contains("a2enconf"), "{c}");
    // No server seen at all: both, each as commands that write the file.
    let r = err521::analyze(
        &[CaseInput::new(
            "jail",
            "root@web01:~# fail2ban-client status recidive\nStatus for the jail: recidive\n|- Filter\n|  |- Currently failed:\t0\n|  |- Total failed:\t12\n|  `- File list:\t/var/log/fail2ban.log\n`- Actions\n   |- Currently banned:\t1\n   |- Total banned:\t3\n   `- Banned IP list:\t162.158.88.14\n",
        )],
        &Options::default(),
    );
    let c = all_fix_commands(&r, ban);
    assert!(
        c.contains("/etc/nginx/conf.d/cloudflare-realip.conf")
            && c.contains("sudo a2enconf cloudflare-remoteip"),
        "{c}"
    );
    assert!(!fix_commands(&r, ban)
        .iter()
        .any(|c| c.starts_with("set_real_ip_from") || c.starts_with("RemoteIP")));
}

#[test]
fn an_az_table_gets_a_fix_for_the_nsg_its_command_named() {
    let fw = FindingId::FirewallBlocksCloudflare;
    let r = default_run("cloud/az-nsg-rule-list-table.txt");
    assert_eq!(r.primary, Some(fw));
    // The deny at priority 400 (line 7) drops the rest of Cloudflare: 522.
    assert!(cites_line(&r, fw, 7));
    assert!(finding(&r, fw).explanation.contains("522"));
    let c = fix_commands(&r, fw);
    assert!(
        c.iter().any(|c| c.starts_with("az network nsg rule create --resource-group web-rg --nsg-name web-vm-nsg --name allow-cloudflare-v4 --priority 100")),
        "{c:?}"
    );
    // The listing without its command leaves the name to fill in.
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/cloud/az-nsg-rule-list-table.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default();
    let table: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let r = err521::analyze(&[CaseInput::new("t", table)], &Options::default());
    // Without the command the name is to fill in; the table's
    // ResourceGroup column still names the group.
    assert!(fix_commands(&r, fw)
        .iter()
        .any(|c| c.contains("--resource-group web-rg --nsg-name NSG_NAME ")));
    // JSON rule ids carry the group too.
    let json = r#"$ az network nsg show -g prod-rg -n edge-nsg
{
  "name": "edge-nsg",
  "securityRules": [
    {
      "access": "Deny",
      "direction": "Inbound",
      "id": "/subscriptions/0000/resourceGroups/prod-rg/providers/Microsoft.Network/networkSecurityGroups/edge-nsg/securityRules/deny-web",
      "name": "deny-web",
      "priority": 200,
      "protocol": "Tcp",
      "destinationPortRange": "443",
      "sourceAddressPrefix": "*"
    }
  ]
}
"#;
    let r = err521::analyze(&[CaseInput::new("nsg", json)], &Options::default());
    let c = fix_commands(&r, fw);
    assert!(
        c.iter().any(|c| c.starts_with(
            "az network nsg rule create --resource-group prod-rg --nsg-name edge-nsg "
        )),
        "{c:?}"
    );
}

#[test]
fn a_refused_syn_in_the_firewall_log_is_a_block_and_rst_fin_is_noise() {
    let fw = FindingId::FirewallBlocksCloudflare;
    // Line 3 is a SYN from Cloudflare refused; lines 1-2 are RST and FIN.
    let r = default_run("bans/kernel-ufw-block.log");
    assert_eq!(r.primary, Some(fw));
    assert_eq!(r.status_of(fw), Status::Likely);
    let f = finding(&r, fw);
    assert!(
        f.explanation
            .contains("2400:cb00:2049:1::a29f:1804 to port 443 [SYN], line 3"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("noise, not a block"),
        "{}",
        f.explanation
    );
    // Without the rule set there is no rule to change yet: it is asked for.
    assert!(fix_commands(&r, fw).is_empty());
    assert!(
        f.checks.iter().any(|c| c.contains("ufw status verbose")),
        "{:?}",
        f.checks
    );
    // A firewall log is not a ban list: it neither rules bans out nor
    // brings a real-IP or unban fix.
    assert_eq!(r.status_of(FindingId::BanBlocksCloudflare), Status::Unknown);
    assert!(
        fix_commands(&r, fw).is_empty() || !all_fix_commands(&r, fw).contains("set_real_ip_from")
    );

    // `dmesg -T` stamps; only teardown noise from Cloudflare, and a SYN from
    // a scanner that is not Cloudflare.
    let r = default_run("bans/dmesg-T-ufw-block.txt");
    assert_eq!(r.inputs.first().map(|b| b.understood_lines), Some(3));
    assert_eq!(r.primary, None);
    let f = finding(&r, fw);
    assert_eq!(f.status, Status::Unknown);
    assert!(
        f.explanation
            .contains("172.68.10.44 to port 443 [RST], line 2"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation
            .contains("108.162.221.9 to port 443 [ACK FIN], line 3"),
        "{}",
        f.explanation
    );
    assert!(!f.explanation.contains("45.148.10.7"), "{}", f.explanation);
}

#[test]
fn terminal_colour_codes_do_not_hide_a_failed_server() {
    let r = default_run("services/systemctl_nginx_ansi_colours.txt");
    assert_eq!(r.not_understood_count, 0, "{:?}", r.not_understood);
    assert_eq!(r.primary, Some(FindingId::PortConflict));
    let down = finding(&r, FindingId::WebServerDown);
    assert_eq!(down.status, Status::Confirmed);
    // Evidence quotes the line as a person reads it, escapes gone.
    let first = down
        .evidence
        .iter()
        .find(|e| e.line == 1)
        .map(|e| e.text.clone());
    assert_eq!(
        first.as_deref(),
        Some("● nginx.service - A high performance web server and a reverse proxy server")
    );
    assert!(finding(&r, FindingId::PortConflict)
        .explanation
        .contains("port 443"));
}

#[test]
fn a_unix_socket_in_use_is_not_a_tcp_port() {
    let id = FindingId::PortConflict;
    let r = default_run("services/journal_unix_socket_in_use.txt");
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    assert!(
        f.explanation
            .contains("its socket file /run/nginx/h2c.sock"),
        "{}",
        f.explanation
    );
    assert!(!f.explanation.contains("port"), "{}", f.explanation);
    let c = fix_commands(&r, id);
    assert!(
        c.contains(
            &"sudo fuser -v '/run/nginx/h2c.sock' || sudo rm -f '/run/nginx/h2c.sock'".to_string()
        ),
        "{c:?}"
    );
    assert!(!c.iter().any(|c| c.contains("sport = :")), "{c:?}");
}

#[test]
fn a_listing_without_interfaces_is_likely_and_asks_for_them() {
    let fw = FindingId::FirewallBlocksCloudflare;
    // Rule 2 accepts everything on an interface `-L` without `-v` hides:
    // in the usual layout it is `-i lo`, so the other Cloudflare ranges are
    // likely dropped by the policy, never confirmed until `-v` shows it.
    let r = run(
        "iptables/L-line-numbers-no-v.txt",
        &Options {
            ssl_mode: SslMode::Full,
            ..Options::default()
        },
    );
    let f = finding(&r, fw);
    assert_eq!(f.status, Status::Likely, "{}", f.explanation);
    assert!(f.explanation.contains("without `-v`"), "{}", f.explanation);
    assert_eq!(
        f.checks.first().map(String::as_str),
        Some("sudo iptables -L INPUT -n -v --line-numbers")
    );
    // The legacy-tables warning is a caveat, not an unread line.
    assert_eq!(r.not_understood_count, 0);
    let notes = r.firewall.as_ref().map_or(Vec::new(), |f| f.notes.clone());
    assert!(
        notes
            .iter()
            .any(|n| n.text.contains("iptables-legacy-save")),
        "{notes:?}"
    );
}

/// Every fix command and step title of a finding, for "never says X" checks.
fn fix_text(r: &Report, id: FindingId) -> String {
    finding(r, id)
        .fix
        .iter()
        .flat_map(|s| std::iter::once(s.title.clone()).chain(s.commands.iter().cloned()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn apache_blocked_by_nginx_stops_nginx_and_starts_apache() {
    // The roles reversed: Apache's AH00072 bind errors, nginx in the way.
    let id = FindingId::PortConflict;
    let r = default_run("scenarios/roles-apache.txt");
    assert_eq!(r.primary, Some(id));
    assert_eq!(
        fix_commands(&r, id),
        vec![
            "sudo systemctl disable --now nginx".to_string(),
            "sudo systemctl enable --now apache2 && sudo systemctl status apache2 --no-pager"
                .to_string()
        ]
    );
    let f = finding(&r, id);
    assert!(
        f.explanation.contains("reach nginx instead of apache2"),
        "{}",
        f.explanation
    );
    // The squatter's listener is quoted, and it does not make the failed
    // server "running".
    assert!(cites_line(&r, id, 12));
    assert_ne!(r.status_of(FindingId::WebServerDown), Status::RuledOut);
}

#[test]
fn a_stray_copy_of_the_server_is_stopped_not_disabled() {
    let id = FindingId::PortConflict;
    let r = default_run("scenarios/roles-stray.txt");
    assert_eq!(r.primary, Some(id));
    let c = fix_text(&r, id);
    assert!(c.contains("sudo kill $(pgrep -o -x nginx)"), "{c}");
    assert!(!c.contains("disable --now nginx"), "{c}");
    assert!(c.contains("sudo systemctl enable --now nginx"), "{c}");
    assert!(finding(&r, id)
        .explanation
        .contains("another nginx process (pid 1187)"));
    // The stray copy serves 80 and 443: the server is not simply down.
    assert_eq!(r.status_of(FindingId::WebServerDown), Status::Likely);
    assert!(c.contains("ports 80 and 443"), "{c}");
}

#[test]
fn a_container_in_the_way_is_named_once() {
    let id = FindingId::PortConflict;
    let r = default_run("scenarios/roles-dockerproxy.txt");
    assert_eq!(r.primary, Some(id));
    let c = fix_commands(&r, id);
    assert_eq!(
        c.iter().filter(|c| c.contains("docker stop npm")).count(),
        1,
        "{c:?}"
    );
    // The failed `nginx -t` is the bind conflict, not a config error.
    assert_ne!(r.status_of(FindingId::ConfigError), Status::Confirmed);
    // The container holding the port is not the web server running.
    assert_ne!(r.status_of(FindingId::WebServerDown), Status::RuledOut);
}

#[test]
fn errno_99_is_an_address_not_on_the_host_not_a_port_conflict() {
    let r = default_run("scenarios/roles-errno99.txt");
    assert_eq!(r.primary, Some(FindingId::ConfigError));
    assert_ne!(r.status_of(FindingId::PortConflict), Status::Confirmed);
    let f = finding(&r, FindingId::ConfigError);
    assert!(
        f.explanation.contains("203.0.113.10:443"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation.contains("not on this host"),
        "{}",
        f.explanation
    );
    // The fix names the host's real address from `ip -br addr`.
    let c = fix_text(&r, FindingId::ConfigError);
    assert!(c.contains("198.51.100.57"), "{c}");
    assert!(
        !c.contains("OTHER-SERVICE") && !c.contains("sport ="),
        "{c}"
    );
}

#[test]
fn errno_99_on_an_address_the_host_has_is_a_boot_race() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/scenarios/roles-errno99.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default()
    .replace("198.51.100.57/24", "203.0.113.10/24");
    let r = err521::analyze(&[CaseInput::new("case", text)], &Options::default());
    let c = fix_text(&r, FindingId::ConfigError);
    assert!(c.contains("After=network-online.target"), "{c}");
}

#[test]
fn caddy_without_root_cannot_bind_443_and_the_fix_is_caddys() {
    let r = default_run("scenarios/roles-caddy13.txt");
    assert_eq!(r.primary, Some(FindingId::ConfigError));
    let c = fix_text(&r, FindingId::ConfigError);
    assert!(c.contains("sudo systemctl restart caddy"), "{c}");
    assert!(!c.contains("nginx"), "{c}");
}

#[test]
fn nothing_listening_on_a_caddy_host_starts_caddy_first() {
    let r = default_run("scenarios/roles-caddy.txt");
    assert_eq!(r.primary, Some(FindingId::WebServerDown));
    let id = FindingId::NotListening;
    assert!(matches!(
        r.status_of(id),
        Status::Confirmed | Status::Likely
    ));
    let f = finding(&r, id);
    assert!(
        f.fix[0].commands[0].starts_with("sudo systemctl enable --now caddy"),
        "{:?}",
        f.fix
    );
    let c = fix_text(&r, id);
    assert!(c.contains("Caddyfile"), "{c}");
    assert!(!c.contains("nginx") && !c.contains("server {"), "{c}");
    assert!(!fix_text(&r, FindingId::WebServerDown).contains("nginx"));
}

#[test]
fn an_upstream_at_a_cloudflare_address_is_named_as_a_loop() {
    let r = default_run("scenarios/roles-loop.txt");
    let id = FindingId::ConfigError;
    assert_eq!(r.status_of(id), Status::Likely);
    let f = finding(&r, id);
    assert!(f.title.contains("loop"), "{}", f.title);
    assert!(
        f.explanation.contains("https://104.21.32.5"),
        "{}",
        f.explanation
    );
    assert!(cites_line(&r, id, 9));
    // A proxy_pass to a private address is no loop.
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/scenarios/roles-loop.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default()
    .replace("https://104.21.32.5", "http://10.0.0.5:8080");
    let r = err521::analyze(&[CaseInput::new("case", text)], &Options::default());
    assert_ne!(r.status_of(id), Status::Likely);
}

#[test]
fn the_port_conflict_example_names_both_programs_once() {
    let path = format!(
        "{}/static/examples/port-conflict.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let r = err521::analyze(
        &[CaseInput::new("port-conflict.txt", text)],
        &Options::default(),
    );
    let id = FindingId::PortConflict;
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    let titles: Vec<&str> = f.fix.iter().map(|s| s.title.as_str()).collect();
    let mut unique = titles.clone();
    unique.dedup();
    assert_eq!(titles, unique);
    let c = fix_text(&r, id);
    assert!(c.contains("sudo systemctl disable --now httpd"), "{c}");
    assert!(c.contains("Start nginx"), "{c}");
    assert!(
        !c.contains("Start httpd") && !c.contains("OTHER-SERVICE"),
        "{c}"
    );
    // Cloudflare reaches httpd on 443: not a refusal there.
    assert!(f.explanation.contains("not a refusal"), "{}", f.explanation);
    assert_ne!(r.status_of(FindingId::WebServerDown), Status::RuledOut);
    // A list filtered to 443 says nothing about port 80.
    assert_eq!(r.status_of(FindingId::NotListening), Status::Unknown);
}

#[test]
fn out_of_memory_gets_memory_steps_only_and_says_each_kill_once() {
    let id = FindingId::OriginOverloaded;
    let r = default_run("scenarios/oom-killed-nginx.txt");
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    assert_eq!(
        f.explanation.matches("killed").count(),
        1,
        "{}",
        f.explanation
    );
    let c = fix_text(&r, id);
    // Limits on connections and files do not help with memory.
    assert!(
        !c.contains("worker_connections") && !c.contains("LimitNOFILE"),
        "{c}"
    );
    assert!(c.contains("sudo systemctl restart nginx php8.2-fpm"), "{c}");
    assert!(c.contains("pm.max_children") && c.contains("swap"), "{c}");
    // The shipped example runs out of all three: one step per resource.
    let text = std::fs::read_to_string(format!(
        "{}/static/examples/origin-overloaded.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default();
    let r = err521::analyze(&[CaseInput::new("example", text)], &Options::default());
    let f = finding(&r, id);
    for (word, resource) in [
        ("Memory:", "Memory ran out"),
        ("File descriptors:", "File descriptors ran out"),
        ("Connection slots:", "Connection slots ran out"),
    ] {
        assert_eq!(f.explanation.matches(word).count(), 1, "{}", f.explanation);
        assert_eq!(
            f.fix
                .iter()
                .filter(|s| s.title.starts_with(resource))
                .count(),
            1,
            "{:?}",
            f.fix
        );
    }
}

fn example(name: &str) -> Report {
    let text = std::fs::read_to_string(format!(
        "{}/static/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default();
    assert!(!text.is_empty(), "missing example {name}");
    err521::analyze(&[CaseInput::new(name, text)], &Options::default())
}

#[test]
fn dns_fix_names_the_address_the_server_has() {
    let id = FindingId::DnsWrongOrigin;
    let r = example("dns-wrong-origin.txt");
    assert_eq!(r.primary, Some(id));
    let c = fix_text(&r, id);
    // `ip -4 addr show eth0` shows 198.51.100.57: no need to look it up.
    assert!(c.contains("198.51.100.57"), "{c}");
    assert!(c.contains("example-garden.com (10.0.0.12)"), "{c}");
    assert!(!c.contains("ifconfig.me"), "{c}");
}

#[test]
fn tls_example_edits_the_file_grep_named_and_keeps_full_strict() {
    let id = FindingId::TlsPortMismatch;
    let r = example("tls-port-mismatch.txt");
    assert_eq!(r.primary, Some(id));
    let c = fix_text(&r, id);
    assert!(
        c.contains(
            "sudo sed -i '4s/\\(listen[^;]*\\);/\\1 ssl;/' /etc/nginx/sites-enabled/default"
        ),
        "{c}"
    );
    // The mode is Full (strict): no advice to lower it.
    assert!(!c.contains("Or make Cloudflare's SSL mode"), "{c}");
}

#[test]
fn ipv6_fix_tests_the_published_aaaa() {
    let id = FindingId::Ipv6OriginBroken;
    let r = example("ipv6-origin-broken.txt");
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    assert!(
        f.verify
            .iter()
            .any(|v| v.contains("https://[2001:db8:4f8:c17::1]/")),
        "{:?}",
        f.verify
    );
}

#[test]
fn the_server_failing_on_another_port_is_still_the_cause() {
    // nginx exits when any listen fails: a conflict on 8080 takes 80 and
    // 443 down too. A java process holds it: named, its unit looked up.
    let id = FindingId::PortConflict;
    let r = default_run("scenarios/roles-8080.txt");
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    assert!(
        f.explanation.contains("java (pid 911) holds port 8080"),
        "{}",
        f.explanation
    );
    assert!(!f.explanation.contains("reach java"), "{}", f.explanation);
    let c = fix_text(&r, id);
    assert!(c.contains("sudo systemctl status 911 --no-pager"), "{c}");
    assert!(c.contains("Start nginx"), "{c}");
}

#[test]
fn an_exited_web_container_is_started_with_docker_not_systemctl() {
    let r = default_run("scenarios/roles-docker-exited.txt");
    assert_eq!(r.primary, Some(FindingId::WebServerDown));
    let c = fix_text(&r, FindingId::WebServerDown);
    assert!(c.contains("docker start web"), "{c}");
    assert!(!c.contains("systemctl") && !c.contains("nginx -t"), "{c}");
    // A whole `ss -tlnp` next to `docker ps` is a complete list.
    let f = finding(&r, FindingId::NotListening);
    assert!(!f.explanation.contains("filtered"), "{}", f.explanation);
    assert!(fix_text(&r, FindingId::NotListening).contains("-p 443:443"));
}

#[test]
fn litespeed_without_a_listener_is_a_config_error_with_a_litespeed_fix() {
    let id = FindingId::ConfigError;
    let r = default_run("scenarios/roles-ols-no-listener.txt");
    assert_eq!(r.primary, Some(id));
    assert!(cites_line(&r, id, 1));
    let c = fix_text(&r, id);
    assert!(
        c.contains("Virtual Host Mappings") && c.contains("lsws"),
        "{c}"
    );
    assert!(!c.contains("nginx"), "{c}");
}

#[test]
fn a_container_that_cannot_publish_its_port_names_the_host_program_in_the_way() {
    let id = FindingId::PortConflict;
    let r = default_run("scenarios/roles-docker-port-allocated.txt");
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    // The failed container is the server; host nginx holds 80.
    assert!(
        f.explanation
            .starts_with("app-web-1 could not bind port 80"),
        "{}",
        f.explanation
    );
    let c = fix_commands(&r, id);
    assert_eq!(
        c,
        vec![
            "sudo systemctl disable --now nginx".to_string(),
            "docker start app-web-1".to_string()
        ]
    );
}

#[test]
fn loopback_fix_uses_the_servers_own_syntax_and_port() {
    let id = FindingId::LoopbackOnly;
    let r = example("loopback-only.txt");
    assert_eq!(r.primary, Some(id));
    let c = fix_text(&r, id);
    assert!(c.contains("`listen 127.0.0.1:80;` to `listen 80;`"), "{c}");
    assert!(
        !c.contains("/etc/apache2") && !c.contains("/etc/httpd"),
        "{c}"
    );
    // Apache bound to loopback: its Listen directive, its directories.
    let text = "root@web:~# ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511        127.0.0.1:80        0.0.0.0:*     users:((\"apache2\",pid=912,fd=4))\n";
    let r = err521::analyze(&[CaseInput::new("case", text)], &Options::default());
    let c = fix_text(&r, id);
    assert!(
        c.contains("`Listen 127.0.0.1:80` to `Listen 80`") && !c.contains("/etc/nginx"),
        "{c}"
    );
}

#[test]
fn litespeed_names_the_busy_port_on_the_line_after_its_bind_error() {
    // Real log (openlitespeed#163): the admin listener's port 7080 is busy
    // and the whole server exits.
    let path = format!(
        "{}/tests/real/service/ols-163-admin-7080-in-use-restart.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let r = err521::analyze(&[CaseInput::new("ols", text)], &Options::default());
    let id = FindingId::PortConflict;
    assert_eq!(r.primary, Some(id));
    let f = finding(&r, id);
    assert!(
        f.explanation.contains("lsws could not bind port 7080"),
        "{}",
        f.explanation
    );
    assert!(fix_commands(&r, id).contains(&"sudo ss -ltnp 'sport = :7080'".to_string()));
}

fn inline(text: &str) -> Report {
    err521::analyze(&[CaseInput::new("paste", text)], &Options::default())
}

/// A masked unit cannot start: the fix unmasks it before starting it; a
/// unit file systemd cannot load is repaired first. A plain stopped unit
/// gets neither step.
#[test]
fn masked_or_unloadable_units_are_fixed_before_the_start() {
    let id = FindingId::WebServerDown;
    let masked = inline("$ sudo systemctl status nginx\n\u{25cf} nginx.service\n   Loaded: masked (/dev/null; bad)\n   Active: inactive (dead) since Fri 2019-08-16 06:02:33 CEST; 2h 9min ago\n");
    let c = fix_text(&masked, id);
    let unmask = c.find("sudo systemctl unmask nginx").expect(&c);
    assert!(unmask < c.find("enable --now nginx").expect(&c), "{c}");

    let broken = inline("$ systemctl start nginx\nFailed to start nginx.service: Unit nginx.service failed to load: Bad message. See system logs and 'systemctl status nginx.service' for details.\n$ systemctl status nginx\n\u{25cf} nginx.service - The NGINX HTTP and reverse proxy server\n   Loaded: error (Reason: Bad message)\n   Active: inactive (dead)\n");
    let c = fix_text(&broken, id);
    assert!(c.contains("systemd-analyze verify nginx.service"), "{c}");
    assert!(c.contains("daemon-reload"), "{c}");

    let plain = inline("$ systemctl status nginx\n\u{25cf} nginx.service - nginx\n   Loaded: loaded (/lib/systemd/system/nginx.service; enabled; vendor preset: enabled)\n   Active: inactive (dead)\n");
    let c = fix_text(&plain, id);
    assert!(!c.contains("unmask") && !c.contains("daemon-reload"), "{c}");
}

/// A stopped (even disabled) server with another program on its port: the
/// fix names that program before starting the server, which could not
/// bind the port otherwise.
#[test]
fn a_program_on_the_port_of_a_stopped_server_is_moved_first() {
    let id = FindingId::WebServerDown;
    let r = inline("$ sudo lsof -i :80\nCOMMAND  PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nnc      3446 root    3u  IPv4  21737      0t0  TCP *:http (LISTEN)\n\n$ systemctl status nginx.service\n\u{25cf} nginx.service - The nginx HTTP and reverse proxy server\n   Loaded: loaded (/usr/lib/systemd/system/nginx.service; disabled; vendor preset: disabled)\n   Active: inactive (dead)\n");
    assert_eq!(r.primary, Some(id));
    let c = fix_text(&r, id);
    let nc = c.find("nc (pid 3446) holds port 80").expect(&c);
    assert!(nc < c.find("enable --now nginx").expect(&c), "{c}");
}
