//! Web server configuration: fixtures of `nginx -T`, `apachectl -S`,
//! `httpd -S`, an Apache vhost, a Caddyfile and a server block inside a
//! ticket; the parser's facts, the splitter's blocks, and what the
//! diagnosis and fixes make of configuration when no listener list was
//! pasted (likely at most, listeners always win).

use std::net::IpAddr;

use err521::case::read_case;
use err521::diagnose::{FindingId, Status};
use err521::options::{Options, SslMode};
use err521::parse::split::BlockKind;
use err521::parse::webconfig::{Server, Shape, WebConfigFacts};
use err521::parse::CaseInput;
use err521::report::Report;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/webconfig/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "missing {path}");
    text
}

fn read(name: &str) -> err521::facts::Facts {
    read_case(&[CaseInput::new(name, fixture(name))])
}

fn config(facts: &err521::facts::Facts) -> Option<&WebConfigFacts> {
    assert_eq!(facts.webconfig.len(), 1, "{:?}", facts.blocks);
    facts.webconfig.first().map(|w| &w.facts)
}

fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

fn analyze(name: &str, mode: SslMode) -> Report {
    let options = Options {
        ssl_mode: mode,
        ..Options::default()
    };
    err521::analyze(&[CaseInput::new(name, fixture(name))], &options)
}

fn finding(r: &Report, id: FindingId) -> Option<&err521::report::ReportFinding> {
    r.findings.iter().find(|f| f.id == id)
}

#[test]
fn nginx_dump_is_one_complete_block_with_files_and_lines() {
    let facts = read("nginx-T-debian.txt");
    let kinds: Vec<BlockKind> = facts.blocks.iter().map(|b| b.kind).collect();
    // The prompt left at the end of the session is chatter of its own.
    assert_eq!(kinds, vec![BlockKind::WebConfig, BlockKind::Prose]);
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let Some(c) = config(&facts) else { return };
    assert_eq!(
        (c.server, c.shape, c.complete),
        (Server::Nginx, Shape::NginxDump, true)
    );
    let got: Vec<_> = c
        .listens
        .iter()
        .map(|l| {
            (
                l.addr,
                l.port,
                l.tls,
                l.file.as_deref(),
                l.file_line,
                l.line,
            )
        })
        .collect();
    let site = Some("/etc/nginx/sites-enabled/example.com");
    assert_eq!(
        got,
        vec![
            (ip("127.0.0.1"), 80, Some(false), site, Some(3), 81),
            (ip("127.0.0.1"), 443, Some(true), site, Some(16), 94),
        ]
    );
    assert_eq!(
        c.certificates.first().map(|n| n.value.as_str()),
        Some("/etc/letsencrypt/live/example.com/fullchain.pem")
    );
    // The test lines printed first are read as a passing config test.
    assert_eq!(c.test_lines, vec![2, 3]);
    let ok = facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .any(|e| e.kind == err521::parse::services::EventKind::ConfigTestOk);
    assert!(ok);
}

#[test]
fn nginx_dump_loopback_is_likely_and_fixed_at_its_file_line() {
    let r = analyze("nginx-T-debian.txt", SslMode::Full);
    assert_eq!(r.status_of(FindingId::LoopbackOnly), Status::Likely);
    assert_eq!(r.primary, Some(FindingId::LoopbackOnly));
    let Some(f) = finding(&r, FindingId::LoopbackOnly) else {
        panic!("no loopback finding")
    };
    assert!(f
        .evidence
        .iter()
        .any(|e| e.line == 94 && e.text.contains("127.0.0.1:443")));
    assert!(f.checks.iter().any(|c| c == "sudo ss -tlnp"));
    let cmds: Vec<&str> = f
        .fix
        .iter()
        .flat_map(|s| s.commands.iter())
        .map(String::as_str)
        .collect();
    assert!(
        cmds.contains(
            &"sudo sed -i '16s/127\\.0\\.0\\.1:443/443/' /etc/nginx/sites-enabled/example.com"
        ),
        "{cmds:?}"
    );
    // A reload cannot bind *:443 while 127.0.0.1:443 is open (seen in
    // tests/it/collector.rs): a changed listen address needs a restart.
    assert!(cmds
        .iter()
        .any(|c| c.contains("sudo nginx -t && sudo systemctl restart nginx")));
    assert!(!cmds
        .iter()
        .any(|c| c.contains("ufw allow") || c.contains("0.0.0.0/0")));
    // A whole config that listens on 443 does not make not-listening likely.
    assert_eq!(r.status_of(FindingId::NotListening), Status::Unknown);
}

#[test]
fn live_listeners_win_over_configuration() {
    let ss = "$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511          0.0.0.0:443       0.0.0.0:*     users:((\"nginx\",pid=811,fd=7))\nLISTEN 0      511          0.0.0.0:80        0.0.0.0:*     users:((\"nginx\",pid=811,fd=6))\n";
    let inputs = [
        CaseInput::new("conf", fixture("nginx-T-debian.txt")),
        CaseInput::new("ss", ss),
    ];
    let options = Options {
        ssl_mode: SslMode::Full,
        ..Options::default()
    };
    let r = err521::analyze(&inputs, &options);
    assert_eq!(r.status_of(FindingId::LoopbackOnly), Status::RuledOut);
}

#[test]
fn bare_server_block_in_a_ticket() {
    let facts = read("ticket-bare-server-block.txt");
    let kinds: Vec<BlockKind> = facts.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        vec![BlockKind::Prose, BlockKind::WebConfig, BlockKind::Prose]
    );
    let Some(c) = config(&facts) else { return };
    assert!(!c.complete);
    let got: Vec<_> = c
        .listens
        .iter()
        .map(|l| (l.addr, l.port, l.tls, l.line))
        .collect();
    assert_eq!(
        got,
        vec![
            (ip("127.0.0.1"), 80, Some(false), 7),
            (None, 443, Some(true), 11),
            (ip("::"), 443, Some(true), 12),
        ]
    );
    // Full (strict) stated in prose: HTTP visitors still reach port 80,
    // bound to loopback only; 443 is served on every address.
    let r = analyze("ticket-bare-server-block.txt", SslMode::Unknown);
    assert_eq!(r.status_of(FindingId::LoopbackOnly), Status::Likely);
    let f = finding(&r, FindingId::LoopbackOnly);
    assert!(f.is_some_and(
        |f| f.evidence.iter().any(|e| e.line == 7) && !f.evidence.iter().any(|e| e.line == 11)
    ));
    assert_eq!(r.status_of(FindingId::NotListening), Status::Unknown);
    assert_eq!(r.status_of(FindingId::TlsPortMismatch), Status::Unknown);
}

#[test]
fn apachectl_s_on_debian_lists_vhosts_not_listens() {
    let facts = read("apachectl-S-debian.txt");
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let Some(c) = config(&facts) else { return };
    assert_eq!(
        (c.server, c.shape, c.complete),
        (Server::Apache, Shape::ApacheVhosts, false)
    );
    let got: Vec<_> = c
        .listens
        .iter()
        .map(|l| (l.addr, l.port, l.binds, l.line))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, 443, false, 4),
            (ip("127.0.0.1"), 8080, false, 9),
            (None, 80, false, 10)
        ]
    );
    assert_eq!(
        c.listens.get(1).and_then(|l| l.file.as_deref()),
        Some("/etc/apache2/sites-enabled/admin.conf")
    );
    // Virtual hosts open no socket: nothing likely from them alone.
    let r = analyze("apachectl-S-debian.txt", SslMode::Full);
    assert_eq!(r.status_of(FindingId::LoopbackOnly), Status::Unknown);
    assert_eq!(r.status_of(FindingId::NotListening), Status::Unknown);
}

#[test]
fn httpd_s_on_rhel_keeps_ipv6_vhosts_and_is_not_complete() {
    let facts = read("httpd-S-rhel.txt");
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let Some(c) = config(&facts) else { return };
    let got: Vec<_> = c
        .listens
        .iter()
        .map(|l| (l.addr, l.port, l.file_line))
        .collect();
    assert_eq!(
        got,
        vec![
            (ip("::1"), 8443, Some(40)),
            (ip("127.0.0.1"), 8443, Some(40))
        ]
    );
    // RHEL's `Listen 80` has no virtual host: -S cannot prove 80 absent.
    let r = analyze("httpd-S-rhel.txt", SslMode::Flexible);
    assert_eq!(r.status_of(FindingId::NotListening), Status::Unknown);
}

#[test]
fn apache_vhost_file_with_sslengine() {
    let facts = read("apache-vhost-ssl.txt");
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let Some(c) = config(&facts) else { return };
    let got: Vec<_> = c.listens.iter().map(|l| (l.port, l.tls, l.line)).collect();
    assert_eq!(got, vec![(443, Some(true), 3), (8443, Some(false), 29)]);
    assert_eq!(
        c.certificates.first().map(|n| n.value.as_str()),
        Some("/etc/ssl/cloudflare/example.com.pem")
    );
    assert_eq!(
        c.upstreams.first().map(|n| n.value.as_str()),
        Some("http://127.0.0.1:3000/")
    );
    assert!(c
        .notes
        .iter()
        .any(|n| n.contains("options-ssl-apache.conf")));
    // 8443 is an HTTPS port Cloudflare proxies: plain there is a mismatch
    // when the person says Cloudflare uses it.
    let options = Options {
        ssl_mode: SslMode::Full,
        extra_ports: vec![8443],
        ..Options::default()
    };
    let r = err521::analyze(
        &[CaseInput::new("v", fixture("apache-vhost-ssl.txt"))],
        &options,
    );
    assert_eq!(r.status_of(FindingId::TlsPortMismatch), Status::Likely);
    let f = finding(&r, FindingId::TlsPortMismatch);
    assert!(f.is_some_and(|f| f.evidence.iter().any(|e| e.line == 29)));
}

#[test]
fn caddyfile_sites_and_bind() {
    let facts = read("Caddyfile.txt");
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let Some(c) = config(&facts) else { return };
    assert_eq!((c.server, c.complete), (Server::Caddy, true));
    let got: Vec<_> = c
        .listens
        .iter()
        .map(|l| (l.addr, l.port, l.tls, l.line))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, 80, Some(false), 9),
            (None, 443, Some(true), 9),
            (None, 80, Some(false), 14),
            (ip("127.0.0.1"), 8081, Some(false), 19),
            (ip("::1"), 8081, Some(false), 19),
        ]
    );
    assert_eq!(
        c.upstreams.first().map(|n| n.value.as_str()),
        Some("127.0.0.1:8080")
    );
}

#[test]
fn complete_config_without_443_is_likely_not_listening() {
    let text = "# nginx -T\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n# configuration file /etc/nginx/nginx.conf:\nhttp {\n    server {\n        listen 80 default_server;\n        listen [::]:80 default_server;\n        root /var/www/html;\n    }\n}\n";
    let options = Options {
        ssl_mode: SslMode::Strict,
        ..Options::default()
    };
    let r = err521::analyze(&[CaseInput::new("t", text)], &options);
    assert_eq!(r.status_of(FindingId::NotListening), Status::Likely);
    let f = finding(&r, FindingId::NotListening);
    assert!(f.is_some_and(
        |f| f.explanation.contains("port 443") && f.evidence.iter().any(|e| e.line == 7)
    ));
}

#[test]
fn plain_443_and_tls_80_and_proxy_protocol() {
    let text = "Here is my config:\n\n```\nserver {\n    listen 443 proxy_protocol;\n    server_name example.com;\n}\nserver {\n    listen 80 ssl;\n}\n```\n";
    let r = err521::analyze(&[CaseInput::new("t", text)], &Options::default());
    assert_eq!(r.status_of(FindingId::TlsPortMismatch), Status::Likely);
    let Some(f) = finding(&r, FindingId::TlsPortMismatch) else {
        panic!("no finding")
    };
    assert!(f.evidence.iter().any(|e| e.line == 5));
    assert!(f.evidence.iter().any(|e| e.line == 9));
    let n = finding(&r, FindingId::NotListening);
    assert!(
        n.is_some_and(|n| n.explanation.contains("PROXY protocol")),
        "{n:?}"
    );
}

#[test]
fn nginx_t_keeps_its_config_test_kind() {
    let text = "$ sudo nginx -t\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n";
    let facts = read_case(&[CaseInput::new("t", text)]);
    let kinds: Vec<BlockKind> = facts.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, vec![BlockKind::ConfigTest]);
    assert!(facts.webconfig.is_empty());
}

#[test]
fn grep_of_listen_lines_is_read_with_files() {
    let text = "root@web:~# grep -rn listen /etc/nginx/sites-enabled/\n/etc/nginx/sites-enabled/default:22:\tlisten 127.0.0.1:80 default_server;\n/etc/nginx/sites-enabled/shop:3:    listen [::1]:80;\n";
    let facts = read_case(&[CaseInput::new("t", text)]);
    let kinds: Vec<BlockKind> = facts.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, vec![BlockKind::WebConfig], "{:?}", facts.blocks);
    let Some(c) = config(&facts) else { return };
    assert_eq!(c.shape, Shape::Grep);
    let r = err521::analyze(
        &[CaseInput::new("t", text)],
        &Options {
            ssl_mode: SslMode::Flexible,
            ..Options::default()
        },
    );
    assert_eq!(r.status_of(FindingId::LoopbackOnly), Status::Likely);
    let cmds: Vec<String> = finding(&r, FindingId::LoopbackOnly)
        .map(|f| f.fix.iter().flat_map(|s| s.commands.clone()).collect())
        .unwrap_or_default();
    assert!(
        cmds.iter().any(
            |c| c == "sudo sed -i '3s/\\[::1\\]:80/\\[::\\]:80/' /etc/nginx/sites-enabled/shop"
        ),
        "{cmds:?}"
    );
}

fn fix_text(r: &Report, id: FindingId) -> String {
    finding(r, id)
        .map(|f| {
            f.fix
                .iter()
                .map(|s| format!("{}\n{}", s.title, s.commands.join("\n")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn plain_http_on_443_gets_ssl_added_at_its_file_and_line() {
    let id = FindingId::TlsPortMismatch;
    let r = analyze("nginx-T-plain-443.txt", SslMode::Full);
    assert_eq!(r.primary, Some(id));
    assert_eq!(r.status_of(id), Status::Likely);
    let fix = fix_text(&r, id);
    // Pasted line 13 is line 3 of the site file the dump names.
    assert!(
        fix.contains("sudo sed -i '3s/\\(listen[^;]*\\);/\\1 ssl;/' /etc/nginx/sites-enabled/shop"),
        "{fix}"
    );
    assert!(
        fix.contains("sudo nginx -t && sudo systemctl reload nginx"),
        "{fix}"
    );
    // The site names its certificate already: no certificate step.
    assert!(
        !fix.contains("Origin CA certificate (SSL/TLS > Origin Server)"),
        "{fix}"
    );

    // Without a certificate in the paste, getting one comes first.
    let text: String = fixture("nginx-T-plain-443.txt")
        .lines()
        .filter(|l| !l.contains("ssl_certificate"))
        .map(|l| format!("{l}\n"))
        .collect();
    let r = err521::analyze(
        &[CaseInput::new("nocert", text)],
        &Options {
            ssl_mode: SslMode::Strict,
            ..Options::default()
        },
    );
    let fix = fix_text(&r, id);
    assert!(fix.starts_with("Get a certificate first"), "{fix}");
    assert!(
        fix.contains("ssl_certificate_key /etc/ssl/cloudflare/origin.key;"),
        "{fix}"
    );
}

#[test]
fn grep_inside_the_config_directory_keeps_relative_files() {
    let text = "root@web:/etc/nginx# grep -R listen *\nconf.d/default.conf:    listen       80;\nconf.d/default.conf:    # proxy the PHP scripts to Apache listening on 127.0.0.1:80\nconf.d/default.conf:        listen       443 ssl;\nsites-enabled/app:    listen 127.0.0.1:8080;\n";
    let facts = read_case(&[CaseInput::new("grep", text)]);
    assert!(
        facts.not_understood.is_empty(),
        "{:?}",
        facts.not_understood
    );
    let c = config(&facts);
    let listens: Vec<(Option<&str>, u16, Option<bool>, bool)> = c
        .map(|c| {
            c.listens
                .iter()
                .map(|l| (l.file.as_deref(), l.port, l.tls, l.loopback()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        listens,
        [
            (Some("conf.d/default.conf"), 80, Some(false), false),
            (Some("conf.d/default.conf"), 443, Some(true), false),
            (Some("sites-enabled/app"), 8080, Some(false), true),
        ]
    );
}
