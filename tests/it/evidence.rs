//! Fixture-based tests of the evidence parsers: each fixture is a real
//! tool's output shape; the assertions are the facts a diagnosis needs.

use std::net::IpAddr;

use err521::net::{classify, AddrClass};
use err521::parse::{addrs, dns, listeners, probes, resources, services};
use err521::text::lines;

/// Cloudflare's bundled ranges, as the classifier takes them.
fn bundled() -> err521::net::AddrSet {
    err521::cloudflare::Ranges::bundled().set()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

macro_rules! fixture {
    ($p:literal) => {
        include_str!(concat!("../fixtures/", $p))
    };
}

// ---------------------------------------------------------------- dns

fn dns_of(s: &str) -> dns::DnsFacts {
    dns::parse(s, &lines(s))
}

#[test]
fn dig_nxdomain_has_status_and_no_answers() {
    let f = dns_of(fixture!("dns/dig_nxdomain.txt"));
    assert!(f.records.is_empty(), "authority SOA is not an answer");
    assert_eq!(f.statuses.len(), 1);
    assert_eq!(f.statuses[0].status, "NXDOMAIN");
    assert_eq!(f.statuses[0].name.as_deref(), Some("shop.example.org"));
    assert!(f.not_understood.is_empty());
}

#[test]
fn dig_two_queries_resolve_to_cloudflare() {
    let f = dns_of(fixture!("dns/dig_proxied_and_aaaa.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let a: Vec<_> = f
        .records_for("example.org.")
        .filter(|r| r.rtype == "A")
        .collect();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].line, 16);
    let aaaa: Vec<_> = f.records.iter().filter(|r| r.rtype == "AAAA").collect();
    assert_eq!(aaaa.len(), 2);
    for r in a.iter().chain(aaaa.iter()) {
        assert_eq!(
            classify(r.addr().unwrap(), &bundled()),
            AddrClass::Cloudflare
        );
    }
    let cname = &f.records[0];
    assert_eq!(
        (
            cname.name.as_str(),
            cname.rtype.as_str(),
            cname.value.as_str()
        ),
        ("www.example.org", "CNAME", "example.org")
    );
    assert_eq!(
        f.statuses
            .iter()
            .map(|s| s.status.as_str())
            .collect::<Vec<_>>(),
        ["NOERROR", "NOERROR"]
    );
}

#[test]
fn dig_short_uses_prompt_names() {
    let f = dns_of(fixture!("dns/dig_short.txt"));
    assert!(f.not_understood.is_empty());
    let got: Vec<(&str, &str, &str)> = f
        .records
        .iter()
        .map(|r| (r.name.as_str(), r.rtype.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("example.org", "A", "203.0.113.25"),
            ("www.example.org", "CNAME", "example.org"),
            ("example.org", "A", "203.0.113.25"),
            ("example.org", "AAAA", "2001:db8:10::25"),
        ]
    );
}

#[test]
fn nslookup_linux_ignores_server_address() {
    let f = dns_of(fixture!("dns/nslookup_linux.txt"));
    assert!(f.not_understood.is_empty());
    assert!(f.records.iter().all(|r| r.value != "127.0.0.53"));
    let addrs: Vec<_> = f.records.iter().filter_map(|r| r.addr()).collect();
    assert_eq!(addrs, [ip("192.168.1.20"), ip("fd12:3456:789a::20")]);
    assert_eq!(classify(addrs[0], &bundled()), AddrClass::Private);
    assert_eq!(classify(addrs[1], &bundled()), AddrClass::Private);
}

#[test]
fn nslookup_windows_multiline_addresses_and_failure() {
    let f = dns_of(fixture!("dns/nslookup_windows.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let addrs: Vec<_> = f.records.iter().filter_map(|r| r.addr()).collect();
    assert_eq!(addrs.len(), 4);
    assert!(!addrs.contains(&ip("8.8.8.8")));
    assert!(f
        .records
        .iter()
        .all(|r| r.name == "example.org" || r.rtype == "CNAME"));
    let alias = f.records.iter().find(|r| r.rtype == "CNAME").unwrap();
    assert_eq!(
        (alias.name.as_str(), alias.value.as_str()),
        ("www.example.org", "example.org")
    );
    assert_eq!(f.statuses[0].status, "NXDOMAIN");
    assert_eq!(f.statuses[0].line, 18);
}

#[test]
fn host_output() {
    let f = dns_of(fixture!("dns/host.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(f.records.len(), 3);
    assert_eq!(f.records[2].rtype, "AAAA");
    assert_eq!(f.statuses[0].status, "NXDOMAIN");
    assert_eq!(f.statuses[0].name.as_deref(), Some("old.example.org"));
}

#[test]
fn bind_zone_with_origin_and_multiline_soa() {
    let f = dns_of(fixture!("dns/zone_bind.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let apex_a = f
        .records_for("example.org")
        .find(|r| r.rtype == "A")
        .unwrap();
    assert_eq!(
        (apex_a.value.as_str(), apex_a.ttl, apex_a.line),
        ("10.0.0.15", Some(300), 10)
    );
    let api: Vec<_> = f
        .records_for("api.example.org")
        .map(|r| r.rtype.as_str())
        .collect();
    assert_eq!(api, ["A", "AAAA"]);
}

#[test]
fn cloudflare_export_proxied_flags() {
    let f = dns_of(fixture!("dns/cloudflare_export.txt"));
    assert!(f.not_understood.is_empty());
    let p = |name: &str, t: &str| {
        f.records_for(name)
            .find(|r| r.rtype == t)
            .map(|r| r.proxied)
    };
    assert_eq!(p("example.org", "A"), Some(Some(true)));
    assert_eq!(p("old.example.org", "A"), Some(Some(true)));
    assert_eq!(p("mail.example.org", "A"), Some(Some(false)));
    assert_eq!(p("example.org", "AAAA"), Some(Some(true)));
    assert_eq!(p("example.org", "TXT"), Some(None));
    assert!(f
        .records
        .iter()
        .all(|r| r.source == dns::DnsSource::CloudflareExport));
}

#[test]
fn cloudflare_api_json_lines_point_at_content() {
    let f = dns_of(fixture!("dns/cloudflare_api.json"));
    assert_eq!(f.records.len(), 2);
    assert_eq!((f.records[0].proxied, f.records[0].line), (Some(true), 9));
    assert_eq!(
        (
            f.records[1].proxied,
            f.records[1].line,
            f.records[1].rtype.as_str()
        ),
        (Some(false), 28, "CNAME")
    );
}

#[test]
fn dns_sniff_recognises_its_fixtures() {
    for s in [
        fixture!("dns/dig_nxdomain.txt"),
        fixture!("dns/nslookup_windows.txt"),
        fixture!("dns/host.txt"),
        fixture!("dns/cloudflare_export.txt"),
        fixture!("dns/dig_short.txt"),
    ] {
        assert!(dns::sniff(&lines(s)) >= 50, "{s}");
    }
    assert!(dns::sniff(&lines(fixture!("listeners/ss_tlnp_loopback.txt"))) < 30);
}

// ---------------------------------------------------------------- services

fn svc_of(s: &str) -> services::ServiceFacts {
    services::parse(s, &lines(s))
}

fn kinds(f: &services::ServiceFacts) -> Vec<services::EventKind> {
    f.events.iter().map(|e| e.kind.clone()).collect()
}

#[test]
fn systemctl_nginx_failed_with_bind_conflicts() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/systemctl_nginx_failed_bind.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let s = &f.services[0];
    assert_eq!(
        (s.name.as_str(), s.state, s.result.as_deref()),
        ("nginx", services::ServiceState::Failed, Some("exit-code"))
    );
    assert!(s.is_web_server());
    let binds: Vec<_> = f
        .events
        .iter()
        .filter(|e| matches!(e.kind, BindConflict { port: Some(_), .. }))
        .collect();
    assert_eq!(binds.len(), 3);
    assert_eq!(
        binds[2].kind,
        BindConflict {
            addr: Some("0.0.0.0".into()),
            port: Some(443)
        }
    );
    assert!(binds[2].truncated, "ellipsized line is flagged");
    assert_eq!(binds[1].line, 11);
    assert!(kinds(&f).contains(&ProcessExited {
        status: "1/FAILURE".into()
    }));
}

#[test]
fn systemctl_apache_old_bullet() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/systemctl_apache_old_bullet.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.services[0].name, "apache2");
    assert_eq!(f.services[0].state, services::ServiceState::Failed);
    let k = kinds(&f);
    assert!(k.contains(&BindConflict {
        addr: Some("::".into()),
        port: Some(80)
    }));
    assert!(k.contains(&BindConflict {
        addr: Some("0.0.0.0".into()),
        port: Some(80)
    }));
}

#[test]
fn lsws_activating_after_timeout_ellipsized() {
    let f = svc_of(fixture!(
        "services/systemctl_lsws_activating_ellipsized.txt"
    ));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let s = &f.services[0];
    assert_eq!(
        (
            s.name.as_str(),
            s.state,
            s.sub.as_deref(),
            s.result.as_deref()
        ),
        (
            "lshttpd",
            services::ServiceState::Activating,
            Some("auto-restart"),
            Some("timeout")
        )
    );
    assert!(s.is_web_server());
    let t = f
        .events
        .iter()
        .find(|e| e.kind == services::EventKind::StartTimeout)
        .unwrap();
    assert!(t.truncated);
    assert_eq!(t.line, 10);
}

#[test]
fn systemctl_running_healthy() {
    let f = svc_of(fixture!("services/systemctl_nginx_running.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.services[0].state, services::ServiceState::Running);
    assert_eq!(f.services[0].main_pid, Some(813));
    // The ExecStartPre `nginx -t` that exited 0/SUCCESS is a passed test.
    assert!(
        f.events
            .iter()
            .all(|e| e.kind == services::EventKind::ConfigTestOk),
        "{:?}",
        f.events
    );
}

#[test]
fn nginx_t_outcomes() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/nginx_t_failed.txt"));
    assert!(f.not_understood.is_empty());
    let k = kinds(&f);
    assert_eq!(
        k[0],
        MissingCertificate {
            path: Some("/etc/letsencrypt/live/example.org/fullchain.pem".into())
        }
    );
    assert_eq!(k[1], ConfigTestFailed);
    assert_eq!(
        k[2],
        UpstreamNotFound {
            host: "app:3000".into()
        }
    );
    assert_eq!(
        k[4],
        ConfigError {
            file: Some("/etc/nginx/sites-enabled/default".into()),
            file_line: Some(41)
        }
    );
    assert_eq!(k.iter().filter(|x| **x == ConfigTestOk).count(), 2);
}

#[test]
fn apachectl_configtest_and_caddy_validate() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/apachectl_configtest.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(
        kinds(&f),
        [
            ConfigError {
                file: Some("/etc/httpd/conf.d/ssl.conf".into()),
                file_line: Some(17)
            },
            MissingCertificate {
                path: Some("/etc/pki/tls/certs/example.crt".into())
            },
            ConfigTestOk
        ]
    );
    let f = svc_of(fixture!("services/caddy_validate.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(
        kinds(&f),
        [
            ConfigError {
                file: Some("/etc/caddy/Caddyfile".into()),
                file_line: Some(7)
            },
            ConfigTestOk
        ]
    );
}

#[test]
fn sysv_redirect_and_missing_unit() {
    use services::ServiceState::*;
    let f = svc_of(fixture!("services/service_sysv.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let got: Vec<(&str, services::ServiceState)> = f
        .services
        .iter()
        .map(|s| (s.name.as_str(), s.state))
        .collect();
    assert_eq!(
        got,
        [
            ("nginx", Stopped),
            ("apache2", Running),
            ("httpd", Stopped),
            ("caddy", NotFound)
        ]
    );
}

#[test]
fn docker_ps_ports() {
    let f = svc_of(fixture!("services/docker_ps.txt"));
    assert!(f.not_understood.is_empty());
    let c = &f.containers;
    assert_eq!(c.len(), 3);
    assert_eq!(
        (c[0].name.as_str(), c[0].status),
        ("proxy", services::ContainerStatus::Up)
    );
    let host_ports: Vec<Option<u16>> = c[0].published.iter().map(|p| p.host_port).collect();
    assert_eq!(host_ports, [Some(80), Some(80), Some(443), Some(443)]);
    assert_eq!(c[0].published[1].host_addr, Some(ip("::")));
    assert_eq!(
        (c[1].name.as_str(), c[1].status),
        ("app", services::ContainerStatus::Exited)
    );
    assert_eq!(c[2].published[0].host_addr, Some(ip("127.0.0.1")));
    assert_eq!(
        (
            c[2].published[1].host_port,
            c[2].published[1].container_port
        ),
        (None, 443)
    );
}

#[test]
fn docker_compose_layouts() {
    let f = svc_of(fixture!("services/docker_compose_v2.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(f.containers[1].name, "site-web-1");
    assert_eq!(
        f.containers[1].status,
        services::ContainerStatus::Restarting
    );
    let f = svc_of(fixture!("services/docker_compose_v1.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.containers.len(), 3);
    assert_eq!(f.containers[1].status, services::ContainerStatus::Exited);
    assert_eq!(f.containers[2].published.len(), 4);
}

#[test]
fn journal_failure_lines() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/journal_errors.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let k = kinds(&f);
    assert_eq!(
        k[0],
        OomKill {
            process: Some("php-fpm8.1".into())
        }
    );
    assert!(k.contains(&TooManyOpenFiles));
    assert!(k.contains(&WorkerConnectionsExhausted));
    assert!(k.contains(&PermissionDenied {
        port: Some(80),
        path: None
    }));
    assert!(k.contains(&NoListener));
    assert!(k.contains(&BindConflict {
        addr: None,
        port: Some(443)
    }));
}

// ---------------------------------------------------------------- listeners

fn ls_of(s: &str) -> listeners::ListenerFacts {
    listeners::parse(s, &lines(s))
}

#[test]
fn ss_loopback_only_web_server() {
    let f = ls_of(fixture!("listeners/ss_tlnp_loopback.txt"));
    assert!(f.not_understood.is_empty());
    let on80: Vec<_> = f.on_port(80).collect();
    assert_eq!(on80.len(), 2);
    assert!(on80
        .iter()
        .all(|l| l.loopback && l.process.as_deref() == Some("nginx")));
    assert_eq!(on80[1].addr, listeners::ListenAddr::Specific(ip("::1")));
    let dns = f.listeners.iter().find(|l| l.port == 53).unwrap();
    assert_eq!(dns.addr, listeners::ListenAddr::Specific(ip("127.0.0.53")));
}

#[test]
fn ss_netid_star_and_v6only() {
    use listeners::ListenAddr::*;
    let f = ls_of(fixture!("listeners/ss_tulpen_netid.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(f.listeners.iter().filter(|l| l.proto == "udp").count(), 2);
    let https = f.on_port(443).next().unwrap();
    assert_eq!(
        (https.addr, https.dual_stack, https.pid),
        (AnyBoth, Some(true), Some(1022))
    );
    let v6: Vec<_> = f.on_port(80).map(|l| (l.addr, l.dual_stack)).collect();
    assert_eq!(v6, [(Any4, Some(false)), (Any6, Some(false))]);
}

#[test]
fn netstat_linux_with_close_wait() {
    let f = ls_of(fixture!("listeners/netstat_plant.txt"));
    assert!(f.not_understood.is_empty());
    let l443 = f.on_port(443).next().unwrap();
    assert_eq!(
        (l443.addr, l443.dual_stack, l443.process.as_deref()),
        (listeners::ListenAddr::Any6, None, Some("nginx"))
    );
    assert!(f.on_port(3306).next().unwrap().loopback);
    assert_eq!(f.connection_states.get("CLOSE_WAIT"), Some(&2));
    assert_eq!(
        f.connections_by_port
            .get(&80)
            .and_then(|m| m.get("ESTABLISHED")),
        Some(&1)
    );
    assert!(f.listeners.iter().any(|l| l.proto == "udp" && l.port == 53));
}

#[test]
fn bsd_netstat_families() {
    use listeners::ListenAddr::*;
    let f = ls_of(fixture!("listeners/netstat_bsd.txt"));
    assert!(f.not_understood.is_empty());
    let got: Vec<(listeners::ListenAddr, u16)> =
        f.listeners.iter().map(|l| (l.addr, l.port)).collect();
    assert_eq!(
        got,
        [
            (Specific(ip("127.0.0.1")), 8080),
            (AnyBoth, 443),
            (Any4, 80),
            (Any6, 80),
            (Specific(ip("::1")), 5432)
        ]
    );
    assert_eq!(f.connection_states.get("ESTABLISHED"), Some(&1));
}

#[test]
fn lsof_and_windows_netstat() {
    use listeners::ListenAddr::*;
    let f = ls_of(fixture!("listeners/lsof.txt"));
    assert!(f.not_understood.is_empty());
    let httpd = f.on_port(80).next().unwrap();
    assert_eq!(
        (httpd.addr, httpd.process.as_deref(), httpd.pid),
        (Any6, Some("httpd"), Some(1022))
    );
    assert!(f.on_port(8080).next().unwrap().loopback);
    assert!(f.on_port(2019).next().unwrap().loopback);
    let f = ls_of(fixture!("listeners/netstat_windows.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.on_port(80).count(), 2);
    assert!(f.on_port(8080).next().unwrap().loopback);
}

// ---------------------------------------------------------------- probes

fn pr_of(s: &str) -> probes::ProbeFacts {
    probes::parse(s, &lines(s))
}

fn results(f: &probes::ProbeFacts) -> Vec<probes::ProbeResult> {
    f.probes.iter().map(|p| p.result.clone()).collect()
}

#[test]
fn curl_through_cloudflare_shows_521() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/curl_v_521.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(results(&f), [Connected, HttpStatus { code: 521 }]);
    assert_eq!(f.probes[1].host.as_deref(), Some("example.org"));
    assert_eq!(f.probes[0].addr, Some(ip("104.21.48.7")));
    assert_eq!(f.cf_rays[0].colo.as_deref(), Some("FRA"));
    assert!(f
        .headers
        .iter()
        .any(|h| h.name == "server" && h.value == "cloudflare"));
    assert_eq!(f.tls[0].protocol.as_deref(), Some("TLSv1.3"));
    assert_eq!(f.tls[0].verify_code, Some(0));
    assert_eq!(f.tls[0].subject.as_deref(), Some("CN=example.org"));
    assert_eq!(
        f.tls[0].issuer.as_deref(),
        Some("C=US; O=Google Trust Services LLC; CN=GTS CA 1P5")
    );
    assert_eq!(
        f.tls[0].not_before.as_deref(),
        Some("Apr 20 00:00:00 2024 GMT")
    );
    assert_eq!(
        f.tls[0].not_after.as_deref(),
        Some("Jul 19 23:59:59 2024 GMT")
    );
    assert_eq!(f.tls[0].sans, ["example.org"]);
}

#[test]
fn curl_direct_to_origin_refused() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/curl_origin_refused.txt"));
    assert!(f.not_understood.is_empty());
    let first = &f.probes[0];
    assert_eq!(
        (first.result.clone(), first.addr, first.port),
        (Refused, Some(ip("203.0.113.10")), Some(443))
    );
}

#[test]
fn curl_error_codes_and_plain_head() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/curl_old_and_misc.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let r = results(&f);
    assert_eq!(r[0], Refused);
    assert_eq!(
        (f.probes[0].addr, f.probes[0].port),
        (Some(ip("203.0.113.10")), Some(80))
    );
    assert_eq!(r[1], TimedOut);
    assert_eq!(f.probes[1].port, Some(8080));
    assert!(matches!(&r[2], TlsError { text } if text.contains("wrong version number")));
    assert_eq!(r[3], Reset);
    assert!(matches!(&r[4], TlsError { .. }));
    assert_eq!(r[5], HttpStatus { code: 200 });
    assert!(f
        .headers
        .iter()
        .any(|h| h.name == "server" && h.value == "nginx/1.24.0"));
}

#[test]
fn nc_all_variants() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/nc_variants.txt"));
    assert!(f.not_understood.is_empty());
    let got: Vec<(probes::ProbeResult, Option<u16>)> = f
        .probes
        .iter()
        .map(|p| (p.result.clone(), p.port))
        .collect();
    assert_eq!(
        got,
        [
            (Connected, Some(443)),
            (Refused, Some(80)),
            (TimedOut, Some(8443)),
            (Refused, Some(2083)),
            (Connected, Some(80)),
            (Refused, Some(8080)),
            (Connected, Some(443)),
        ]
    );
    assert!(f.probes.iter().all(|p| p.addr == Some(ip("203.0.113.10"))));
}

#[test]
fn telnet_ping_mtr() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/telnet.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(results(&f), [Refused, Connected]);
    assert_eq!(f.probes[0].port, Some(80));
    let f = pr_of(fixture!("probes/ping_mtr.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(results(&f), [Connected, Unreachable, Connected]);
    assert_eq!(f.probes[0].loss_percent, Some(0.0));
    assert_eq!(f.probes[2].tool, probes::ProbeTool::Mtr);
    assert_eq!(f.probes[2].loss_percent, Some(30.0));
    assert_eq!(f.probes[2].addr, Some(ip("203.0.113.10")));
}

#[test]
fn openssl_s_client_sessions() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/openssl_s_client.txt"));
    assert!(f.not_understood.is_empty());
    let t = &f.tls[0];
    assert_eq!(t.subject.as_deref(), Some("CN = example.org"));
    assert_eq!(t.verify_code, Some(0));
    assert_eq!(t.not_after.as_deref(), Some("Jul 19 23:59:59 2024 GMT"));
    assert_eq!(t.protocol.as_deref(), Some("TLSv1.3"));
    let on8443: Vec<_> = f
        .probes
        .iter()
        .filter(|p| p.port == Some(8443))
        .map(|p| p.result.clone())
        .collect();
    assert!(matches!(&on8443[1], TlsError { text } if text.contains("wrong version number")));
    let last = f.probes.last().unwrap();
    assert_eq!((last.result.clone(), last.port), (Refused, Some(2053)));
}

// ---------------------------------------------------------------- addrs

fn ad_of(s: &str) -> addrs::AddrFacts {
    addrs::parse(s, &lines(s), None)
}

#[test]
fn ip_addr_and_brief() {
    let f = ad_of(fixture!("addrs/ip_addr.txt"));
    assert!(f.not_understood.is_empty());
    let public: Vec<(IpAddr, Option<&str>)> = f
        .public()
        .map(|a| (a.addr, a.interface.as_deref()))
        .collect();
    assert_eq!(
        public,
        [
            (ip("203.0.113.10"), Some("eth0")),
            (ip("2001:db8:1::10"), Some("eth0")),
            (ip("172.17.0.1"), Some("docker0"))
        ]
    );
    let f = ad_of(fixture!("addrs/ip_br.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(f.addrs.len(), 6);
    assert_eq!(f.addrs[2].interface.as_deref(), Some("eth0"));
    assert_eq!(f.addrs[4].scope, addrs::Scope::Link);
}

#[test]
fn ifconfig_shapes() {
    for (fx, first, plen) in [
        (fixture!("addrs/ifconfig_linux.txt"), "10.0.0.4", 24),
        (
            fixture!("addrs/ifconfig_old_nettools.txt"),
            "192.0.2.44",
            24,
        ),
        (fixture!("addrs/ifconfig_bsd.txt"), "198.51.100.61", 24),
    ] {
        let f = ad_of(fx);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(
            (f.addrs[0].addr, f.addrs[0].prefix_len),
            (ip(first), Some(plen))
        );
        assert_eq!(f.addrs[1].scope, addrs::Scope::Link);
    }
    let f = ad_of(fixture!("addrs/ifconfig_linux.txt"));
    assert_eq!(f.addrs[3].scope, addrs::Scope::Host);
}

#[test]
fn hostname_and_public_echo() {
    let f = ad_of(fixture!("addrs/hostname_and_echo.txt"));
    assert!(f.not_understood.is_empty());
    let echo: Vec<IpAddr> = f
        .addrs
        .iter()
        .filter(|a| a.source == addrs::AddrSource::PublicEcho)
        .map(|a| a.addr)
        .collect();
    assert_eq!(echo, [ip("203.0.113.10"), ip("2001:db8:1::10")]);
    assert_eq!(
        f.addrs
            .iter()
            .filter(|a| a.source == addrs::AddrSource::HostnameI)
            .count(),
        2
    );
}

// ---------------------------------------------------------------- resources

fn rs_of(s: &str) -> resources::ResourceFacts {
    resources::parse(s, &lines(s))
}

#[test]
fn free_shapes() {
    let f = rs_of(fixture!("resources/free_m.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(
        (f.memory[0].total_mb, f.memory[0].available_mb),
        (961, Some(28))
    );
    assert!(f
        .pressure()
        .iter()
        .any(|p| matches!(p, resources::Pressure::LowMemory { line: 3, .. })));
    let f = rs_of(fixture!("resources/free_h.txt"));
    assert_eq!(
        (f.memory[0].swap_total_mb, f.memory[0].swap_used_mb),
        (Some(1024), Some(1024))
    );
    assert!(f
        .pressure()
        .iter()
        .any(|p| matches!(p, resources::Pressure::SwapExhausted { .. })));
    let f = rs_of(fixture!("resources/free_old.txt"));
    assert!(f.not_understood.is_empty());
    assert_eq!(f.memory[0].available_mb, Some(2499));
    assert!(f.pressure().is_empty());
}

#[test]
fn top_uptime_ss_ulimit() {
    use resources::Pressure;
    let f = rs_of(fixture!("resources/top_uptime_ss.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.load.len(), 2);
    assert_eq!(f.cpus, Some(2));
    assert_eq!(f.sockets[0].estab, Some(1022));
    assert_eq!(f.nofile[0].soft, Some(1024));
    let p = f.pressure();
    assert!(p.iter().any(|x| matches!(x, Pressure::CpuSaturated { .. })));
    assert!(p
        .iter()
        .any(|x| matches!(x, Pressure::HighLoad { cpus: 2, .. })));
    assert!(p.iter().any(|x| matches!(
        x,
        Pressure::LowMemory {
            available_mb: 48,
            ..
        }
    )));
}

#[test]
fn dmesg_oom_counts_each_victim_once() {
    let f = rs_of(fixture!("resources/dmesg_oom.txt"));
    assert!(f.not_understood.is_empty());
    let kills: Vec<_> = f
        .pressure()
        .into_iter()
        .filter(|p| matches!(p, resources::Pressure::OomKill { .. }))
        .collect();
    assert_eq!(kills.len(), 1);
    assert!(
        matches!(&kills[0], resources::Pressure::OomKill { process: Some(p), .. } if p == "mysqld")
    );
}

// ---------------------------------------------------------------- cross-family

#[test]
fn sniffers_prefer_their_own_family() {
    let cases: [(&str, usize); 6] = [
        (fixture!("dns/dig_proxied_and_aaaa.txt"), 0),
        (fixture!("services/systemctl_nginx_failed_bind.txt"), 1),
        (fixture!("listeners/netstat_plant.txt"), 2),
        (fixture!("probes/curl_v_521.txt"), 3),
        (fixture!("addrs/ip_addr.txt"), 4),
        (fixture!("resources/top_uptime_ss.txt"), 5),
    ];
    for (text, want) in cases {
        let l = lines(text);
        let scores = [
            dns::sniff(&l),
            services::sniff(&l),
            listeners::sniff(&l),
            probes::sniff(&l),
            addrs::sniff(&l),
            resources::sniff(&l),
        ];
        let best = scores
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| **s)
            .map(|(i, _)| i);
        assert_eq!(best, Some(want), "scores {scores:?} for {}", l[0].text);
    }
}

#[test]
fn large_inputs_parse_in_linear_time() {
    // 100k lines each: a quadratic parser would not finish.
    let big = |unit: &str| unit.repeat(100_000 / unit.lines().count().max(1));
    let s = big("example.org.\t300\tIN\tA\t203.0.113.10\n");
    assert_eq!(dns_of(&s).records.len(), 100_000);
    let s = big("May 07 09:40:09 web01 nginx[1]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n");
    assert_eq!(svc_of(&s).events.len(), 100_000);
    let s = big("tcp        0      0 203.0.113.10:80         172.70.34.12:41822      CLOSE_WAIT  1501/nginx: worker\n");
    assert_eq!(
        ls_of(&s).connection_states.get("CLOSE_WAIT"),
        Some(&100_000)
    );
    let s = big("curl: (7) Failed to connect to 203.0.113.5 port 80: Connection refused\n");
    assert_eq!(pr_of(&s).probes.len(), 100_000);
    let s = big("    inet 203.0.113.10/24 brd 203.0.113.255 scope global eth0\n");
    assert_eq!(ad_of(&s).addrs.len(), 100_000);
    let s = big("[1.0] Out of memory: Killed process 1 (x)\n");
    assert_eq!(rs_of(&s).oom.len(), 100_000);
    let s = big("zzzz not anything\n");
    assert_eq!(dns_of(&s).not_understood.len(), 100_000);
}

#[test]
fn wget_and_test_netconnection() {
    use probes::ProbeResult::*;
    let f = pr_of(fixture!("probes/wget_and_tnc.txt"));
    let got: Vec<(probes::ProbeTool, probes::ProbeResult, Option<u16>)> = f
        .probes
        .iter()
        .map(|p| (p.tool, p.result.clone(), p.port))
        .collect();
    assert_eq!(
        got,
        [
            (probes::ProbeTool::Wget, Refused, Some(80)),
            (probes::ProbeTool::Wget, Connected, Some(443)),
            (probes::ProbeTool::Wget, HttpStatus { code: 521 }, Some(443)),
            (
                probes::ProbeTool::TestNetConnection,
                ConnectFailed,
                Some(443)
            ),
        ]
    );
    assert_eq!(f.probes[3].addr, Some(ip("203.0.113.10")));
    // The wget ERROR summary line repeats the status: reported, not dropped.
    assert!(
        f.not_understood.iter().all(|n| n.line == 9),
        "{:?}",
        f.not_understood
    );
}

#[test]
fn ss_rows_wrapped_by_terminal() {
    use listeners::ListenAddr::*;
    let f = ls_of(fixture!("listeners/ss_wrapped.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let got: Vec<(listeners::ListenAddr, u16, Option<&str>)> = f
        .listeners
        .iter()
        .map(|l| (l.addr, l.port, l.process.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Specific(ip("127.0.0.1")), 8080, Some("node")),
            (AnyBoth, 22, Some("sshd")),
            (Any6, 443, Some("nginx"))
        ]
    );
}

#[test]
fn journalctl_xe_catalog_lines() {
    use services::EventKind::*;
    let f = svc_of(fixture!("services/journalctl_xe.txt"));
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let k = kinds(&f);
    assert_eq!(
        k[0],
        MissingCertificate {
            path: Some("/etc/ssl/private/example.org.key".into())
        }
    );
    assert_eq!(k[1], ConfigTestFailed);
    assert_eq!(f.events[0].line, 8);
}

// ------------------------------------------------ dns answers, diagnosed

fn diagnose_dns(text: &str) -> err521::report::Report {
    err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text)],
        &err521::options::Options::default(),
    )
}

fn dns_finding(r: &err521::report::Report) -> &err521::report::ReportFinding {
    r.findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::DnsWrongOrigin)
        .expect("dns-wrong-origin is always judged")
}

#[test]
fn a_proxied_answer_is_not_asked_for_again_and_is_no_wrong_record() {
    use err521::diagnose::Status;
    // Answer lines only, under their dig command: still resolver answers.
    let r = diagnose_dns("$ dig shop.example.net A\nshop.example.net.  300 IN A 104.21.50.7\nshop.example.net.  300 IN A 172.67.140.2\n");
    let f = dns_finding(&r);
    assert_eq!(f.status, Status::Unknown, "{f:?}");
    assert!(f.explanation.contains("proxied"), "{}", f.explanation);
    let asks: Vec<&str> = f.checks.iter().map(String::as_str).collect();
    assert!(asks.iter().all(|c| !c.starts_with("dig ")), "{asks:?}");
    assert!(asks.iter().any(|c| c.contains("DNS > Records")), "{asks:?}");
}

#[test]
fn a_public_answer_that_is_not_cloudflare_is_the_origin_record() {
    use err521::diagnose::Status;
    // Public addresses (documentation ones count as reserved).
    let same = "root@web:~# dig +short A shop.example.net\n45.76.12.9\nroot@web:~# curl -s -4 ifconfig.me\n45.76.12.9\n";
    let f = dns_finding(&diagnose_dns(same)).clone();
    assert_eq!(f.status, Status::RuledOut, "{f:?}");
    assert!(f.evidence.iter().any(|e| e.line == 2) && f.evidence.iter().any(|e| e.line == 4));
    let differs = same.replacen("45.76.12.9\nroot", "45.76.200.40\nroot", 1);
    // What ifconfig.me saw is this server: the answer points elsewhere.
    let f = dns_finding(&diagnose_dns(&differs)).clone();
    assert_eq!(f.status, Status::Confirmed, "{f:?}");
    assert!(f.explanation.contains("45.76.200.40"));
}

#[test]
fn a_fake_ip_answer_is_named_as_a_local_proxys() {
    let r = diagnose_dns("C:\\> nslookup shop.example.net\nServer:  UnKnown\nAddress:  198.18.0.2\n\nName:    shop.example.net\nAddress:  198.18.0.47\n");
    let f = dns_finding(&r);
    assert!(f.explanation.contains("198.18.0.0/15"), "{f:?}");
    assert!(f.explanation.contains("proxy"), "{}", f.explanation);
    assert!(
        f.checks.iter().any(|c| c.contains("@1.1.1.1")),
        "{:?}",
        f.checks
    );
}

#[test]
fn addresses_a_probe_resolved_are_dns_answers() {
    let r = diagnose_dns("$ curl -v https://shop.example.net/\n*   Trying 104.21.50.7:443...\n* Connected to shop.example.net (104.21.50.7) port 443 (#0)\n");
    let f = dns_finding(&r);
    assert!(f.explanation.contains("proxied"), "{f:?}");
}

// ------------------------------------------------ probes, diagnosed

#[test]
fn a_refused_connection_to_the_origin_points_to_no_listener() {
    use err521::diagnose::{FindingId as F, Status};
    for text in [
        "$ curl -v http://45.76.12.9/\n*   Trying 45.76.12.9:80...\n* connect to 45.76.12.9 port 80 failed: Connection refused\ncurl: (7) Failed to connect to 45.76.12.9 port 80: Connection refused\n",
        "$ nc -vz 45.76.12.9 443\nnc: connect to 45.76.12.9 port 443 (tcp) failed: Connection refused\n",
        "$ openssl s_client -connect shop.example.net:443\nconnect: Connection refused\nconnect:errno=111\n",
    ] {
        let r = diagnose_dns(text);
        assert_eq!(r.status_of(F::NotListening), Status::Likely, "{text}");
        assert_eq!(r.primary, Some(F::NotListening), "{text}");
    }
}

#[test]
fn ipv6_probe_failures_point_to_a_broken_ipv6_origin() {
    use err521::diagnose::{FindingId as F, Status};
    // Refused over IPv6 is not a missing IPv4 listener.
    let refused = "$ curl -v https://shop.example.net/\n*   Trying [2a01:4f8:c17:1::5]:443...\n* connect to 2a01:4f8:c17:1::5 port 443 failed: Connection refused\ncurl: (7) Failed to connect to shop.example.net port 443: Connection refused\n";
    let r = diagnose_dns(refused);
    assert_eq!(r.status_of(F::Ipv6OriginBroken), Status::Likely);
    assert_eq!(r.primary, Some(F::Ipv6OriginBroken));
    // A timeout is a silent drop: 522.
    let timeout = "$ curl -6 -v https://shop.example.net/\n*   Trying [2a01:4f8:c17:1::5]:443...\n* connect to 2a01:4f8:c17:1::5 port 443 failed: Connection timed out\ncurl: (28) Failed to connect to shop.example.net port 443 after 130665 ms: Connection timed out\n";
    let r = diagnose_dns(timeout);
    let f = r.findings.iter().find(|f| f.id == F::Ipv6OriginBroken);
    assert!(
        f.is_some_and(|f| f.status == Status::Likely && f.explanation.contains("522")),
        "{f:?}"
    );
    // The client's own missing IPv6 route says nothing about the origin.
    let no_route = "$ curl -6 https://shop.example.net/\ncurl: (7) Failed to connect to 2a01:4f8:c17:1::5 port 443: Network is unreachable\n";
    assert_eq!(
        diagnose_dns(no_route).status_of(F::Ipv6OriginBroken),
        Status::Unknown
    );
}

#[test]
fn an_answer_from_the_origin_rules_out_a_stopped_server() {
    use err521::diagnose::{FindingId as F, Status};
    let text = "$ curl -4 -v https://shop.example.net/\n*   Trying 45.76.12.9:443...\n* Connected to shop.example.net (45.76.12.9) port 443 (#0)\n< HTTP/1.1 200 OK\n< Server: nginx\n";
    assert_eq!(
        diagnose_dns(text).status_of(F::WebServerDown),
        Status::RuledOut
    );
    // The same through a Cloudflare address is Cloudflare's edge answering.
    let edge = text.replace("45.76.12.9", "104.21.50.7");
    assert_eq!(
        diagnose_dns(&edge).status_of(F::WebServerDown),
        Status::Unknown
    );
}
