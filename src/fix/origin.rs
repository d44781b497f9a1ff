//! Fixes on the origin itself: services, listeners, DNS, IPv6, overload and
//! restoring visitor addresses behind Cloudflare.

use super::firewall::Distro;
use super::{FixCtx, FixStep, Plan};
use crate::diagnose::FindingId;
use crate::facts::Facts;
use crate::parse::services::{is_web_server_name, EventKind, ServiceState};

fn step(title: impl Into<String>, commands: &[&str]) -> FixStep {
    FixStep {
        title: title.into(),
        commands: commands.iter().map(|c| c.to_string()).collect(),
    }
}

/// Debian-like or RHEL-like, from the names and paths the case shows.
pub fn distro(facts: &Facts) -> Distro {
    let names: Vec<&str> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter().map(|x| x.name.as_str()))
        .collect();
    if names.contains(&"apache2")
        || facts
            .rulesets
            .iter()
            .any(|r| r.dialect == crate::firewall::model::Dialect::Ufw)
    {
        return Distro::Debian;
    }
    if names.contains(&"httpd") {
        return Distro::Rhel;
    }
    Distro::Unknown
}

/// The web server that holds a public listener on a port Cloudflare uses:
/// the one whose configuration a listen or real-IP fix edits, when a
/// second, stopped server is also installed.
fn serving_web_server(ctx: &FixCtx<'_>) -> Option<String> {
    ctx.facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| !l.loopback && ctx.ports.contains(&l.port))
        .filter_map(|l| l.process.clone())
        .find(|p| is_web_server_name(p))
}

/// The web server of the case: the one that failed, else any seen.
fn web_server(facts: &Facts) -> String {
    seen_web_server(facts).unwrap_or_else(|| "nginx".to_string())
}

/// The web server the case shows (a failed one first), if any.
fn seen_web_server(facts: &Facts) -> Option<String> {
    let services: Vec<_> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .filter(|s| s.is_web_server())
        .collect();
    services
        .iter()
        .find(|s| {
            matches!(
                s.state,
                ServiceState::Failed | ServiceState::Stopped | ServiceState::Activating
            )
        })
        .or_else(|| services.first())
        .map(|s| s.name.clone())
        .or_else(|| {
            facts
                .listeners
                .iter()
                .flat_map(|l| l.facts.listeners.iter())
                .filter_map(|l| l.process.clone())
                .find(|p| is_web_server_name(p))
        })
        .or_else(|| {
            use crate::parse::webconfig::Server;
            let w = facts.webconfig.first()?;
            let rhel = w
                .facts
                .listens
                .iter()
                .any(|l| l.file.as_deref().is_some_and(|f| f.contains("/httpd/")))
                || w.command.as_deref().is_some_and(|c| c.contains("httpd"));
            Some(
                match w.facts.server {
                    Server::Nginx => "nginx",
                    Server::Apache if rhel => "httpd",
                    Server::Apache => "apache2",
                    Server::Caddy => "caddy",
                    Server::Litespeed => "lsws",
                }
                .to_string(),
            )
        })
}

/// Whether the host uses systemd (`systemctl status` output) or sysvinit.
fn uses_systemd(facts: &Facts) -> bool {
    !facts.services.iter().any(|s| {
        s.command
            .as_deref()
            .is_some_and(|c| c.trim_start_matches("sudo ").starts_with("service "))
    })
}

fn config_test(server: &str) -> &'static str {
    match server {
        "apache2" | "httpd" | "apache" => "sudo apachectl configtest",
        "caddy" => "sudo caddy validate --config /etc/caddy/Caddyfile",
        "lsws" | "lshttpd" | "openlitespeed" | "litespeed" => {
            "sudo /usr/local/lsws/bin/lswsctrl status"
        }
        "haproxy" => "sudo haproxy -c -f /etc/haproxy/haproxy.cfg",
        _ => "sudo nginx -t",
    }
}

/// `systemctl ACTION UNIT`, or `service UNIT ACTION` on a host without
/// systemd.
fn service_cmd(facts: &Facts, action: &str, unit: &str) -> String {
    if uses_systemd(facts) {
        format!("sudo systemctl {action} {unit}")
    } else {
        format!("sudo service {unit} {action}")
    }
}

fn start(facts: &Facts, server: &str) -> String {
    if uses_systemd(facts) {
        format!("sudo systemctl enable --now {server} && sudo systemctl status {server} --no-pager")
    } else {
        format!("sudo service {server} start && sudo service {server} status")
    }
}

fn verify_http(ctx: &FixCtx<'_>) -> Vec<String> {
    let mut v = vec!["sudo ss -tlnp | grep -E ':(80|443)\\b'".to_string()];
    if let Some(h) = &ctx.host {
        v.push(format!("curl -sS -o /dev/null -w '%{{http_code}} via %{{remote_ip}}\\n' https://{h}/   # through Cloudflare: no 521"));
    }
    v
}

pub fn web_server_down(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx.facts);
    let journal = if uses_systemd(ctx.facts) {
        format!("sudo journalctl -u {server} -n 50 --no-pager")
    } else {
        format!("sudo tail -n 50 /var/log/{server}/error.log")
    };
    Plan {
        fix: vec![
            step(format!("Read why {server} stopped"), &[&journal]),
            step(
                "Test the configuration before starting (a failing test keeps it down)",
                &[config_test(&server)],
            ),
            step(
                format!("Start {server} and make it start at boot"),
                &[&start(ctx.facts, &server)],
            ),
        ],
        verify: verify_http(ctx),
    }
}

pub fn config_error(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx.facts);
    let mut fix = Vec::new();
    for e in ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
    {
        match &e.kind {
            EventKind::MissingCertificate { path } => {
                let p = path.clone().unwrap_or_else(|| "/etc/ssl/certs/origin.pem".into());
                fix.push(FixStep {
                    title: format!("Put the certificate back at {p} (or point the config at the right file); a Cloudflare Origin CA certificate works for Full (strict)"),
                    commands: vec![format!("sudo ls -l {p}"), "sudo grep -rn ssl_certificate /etc/nginx/ 2>/dev/null | head".into()],
                });
            }
            EventKind::UpstreamNotFound { host } => fix.push(FixStep {
                title: format!("The upstream \"{host}\" must resolve when the server starts: fix the name, use an IP address, or start the service that provides it first"),
                commands: vec![format!("getent hosts {}", host.split(':').next().unwrap_or(host)), "sudo grep -rn upstream /etc/nginx/ 2>/dev/null | head".into()],
            }),
            EventKind::PermissionDenied { port: Some(p), .. } => fix.push(FixStep {
                title: format!("Port {p} is privileged: start the server as root (its master process), or grant the capability"),
                commands: vec![format!("sudo setcap 'cap_net_bind_service=+ep' \"$(command -v {server})\"")],
            }),
            _ => {}
        }
    }
    fix.push(step(
        "Run the configuration test until it passes; it names the file and line to fix",
        &[config_test(&server)],
    ));
    fix.push(step(
        format!("Then start {server}"),
        &[&start(ctx.facts, &server)],
    ));
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

pub fn port_conflict(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx.facts);
    let ports: Vec<u16> = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .filter_map(|e| match e.kind {
            EventKind::BindConflict { port, .. } => port,
            _ => None,
        })
        .collect();
    let sockets: Vec<&str> = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .filter_map(|e| match &e.kind {
            EventKind::BindConflict { addr: Some(a), .. } => a.strip_prefix("unix:"),
            _ => None,
        })
        .collect();
    let mut fix = Vec::new();
    for path in &sockets {
        fix.push(FixStep {
            title: format!("See whether a running process holds {path}; if none does, the file is stale (left by a crash) and can go"),
            commands: vec![
                format!("sudo ss -xlp | grep -F '{path}'"),
                format!("sudo fuser -v '{path}' || sudo rm -f '{path}'"),
            ],
        });
    }
    let mut tcp_ports = if ports.is_empty() && sockets.is_empty() {
        ctx.ports.clone()
    } else {
        ports
    };
    // One bind error is logged per address and per retry.
    tcp_ports.sort_unstable();
    tcp_ports.dedup();
    // The program in the way, when a listener list names it.
    let mut holders: Vec<String> = ctx
        .facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| tcp_ports.contains(&l.port))
        .filter_map(|l| l.process.clone())
        .filter(|p| *p != server)
        .collect();
    holders.sort_unstable();
    holders.dedup();
    for p in &tcp_ports {
        fix.push(FixStep {
            title: format!("Find the process that holds port {p}"),
            commands: vec![format!("sudo ss -ltnp 'sport = :{p}'")],
        });
    }
    match holders.as_slice() {
        [holder] if is_web_server_name(holder) => {
            let stop = if uses_systemd(ctx.facts) {
                format!("sudo systemctl disable --now {holder}")
            } else {
                service_cmd(ctx.facts, "stop", holder)
            };
            fix.push(FixStep {
                title: format!("Stop (and disable) {holder}, which holds the port, if it should not serve the site; or move it to another port"),
                commands: vec![stop],
            });
        }
        _ => fix.push(step(
            "Stop (and disable) that process if it should not serve the site, or move it to another port; a second copy of the web server is the usual culprit",
            &["sudo systemctl disable --now OTHER-SERVICE   # the name the previous command showed"],
        )),
    }
    fix.push(step(
        format!("Start {server}"),
        &[&start(ctx.facts, &server)],
    ));
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

pub fn listen_on_needed_ports(ctx: &FixCtx<'_>, id: FindingId) -> Plan {
    if id == FindingId::TlsPortMismatch {
        if let Some(plan) = plain_https_config_fix(ctx) {
            return plan;
        }
    }
    let server = serving_web_server(ctx).unwrap_or_else(|| web_server(ctx.facts));
    let https = ctx.ports.contains(&443);
    let mut fix = Vec::new();
    if https {
        fix.push(step(
            "Serve HTTPS on 443: create a Cloudflare Origin CA certificate (SSL/TLS > Origin Server) and install it",
            &["sudo mkdir -p /etc/ssl/cloudflare && sudo nano /etc/ssl/cloudflare/origin.pem /etc/ssl/cloudflare/origin.key"],
        ));
        let conf = match server.as_str() {
            "apache2" | "httpd" => "<VirtualHost *:443>\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/cloudflare/origin.pem\n    SSLCertificateKeyFile /etc/ssl/cloudflare/origin.key\n    # ... your existing ServerName / DocumentRoot ...\n</VirtualHost>",
            _ => "server {\n    listen 443 ssl;\n    listen [::]:443 ssl;\n    ssl_certificate     /etc/ssl/cloudflare/origin.pem;\n    ssl_certificate_key /etc/ssl/cloudflare/origin.key;\n    # ... your existing server_name / root / locations ...\n}",
        };
        fix.push(FixStep {
            title: format!("Add a 443 listener to the site's {server} configuration"),
            commands: vec![conf.to_string()],
        });
    } else {
        fix.push(step(format!("Add a port 80 listener to the site's {server} configuration (`listen 80;` / `Listen 80`)"), &[]));
    }
    fix.push(step(
        "Test and reload",
        &[
            config_test(&server),
            &service_cmd(ctx.facts, "reload", &server),
        ],
    ));
    if id == FindingId::TlsPortMismatch {
        fix.push(step(
            "Or make Cloudflare's SSL mode match what the origin serves (SSL/TLS > Overview); prefer Full (strict) with an Origin CA certificate over Flexible",
            &[],
        ));
    }
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

/// nginx listens of pasted configuration that serve a Cloudflare HTTPS port
/// the case needs without TLS (`listen 443;`): add `ssl` at their file and
/// line. The certificate step is skipped when the paste shows one.
fn plain_https_config_fix(ctx: &FixCtx<'_>) -> Option<Plan> {
    use crate::parse::webconfig::Server;
    let configs = || ctx.facts.webconfig.iter().map(|s| &s.facts);
    let plain: Vec<_> = configs()
        .flat_map(|c| c.listens.iter())
        .filter(|l| {
            l.server == Server::Nginx
                && l.binds
                && l.tls == Some(false)
                && crate::cloudflare::HTTPS_PORTS.contains(&l.port)
                && ctx.ports.contains(&l.port)
        })
        .collect();
    if plain.is_empty() {
        return None;
    }
    let has_certificate =
        configs().any(|c| c.certificates.iter().any(|n| n.server == Server::Nginx));
    let mut fix = Vec::new();
    if !has_certificate {
        fix.push(step(
            "Get a certificate first: a Cloudflare Origin CA certificate (SSL/TLS > Origin Server), saved on the origin",
            &["sudo mkdir -p /etc/ssl/cloudflare && sudo nano /etc/ssl/cloudflare/origin.pem /etc/ssl/cloudflare/origin.key"],
        ));
    }
    for l in &plain {
        // `listen 443;` -> `listen 443 ssl;`: ssl goes before the first `;`.
        let (title, commands) = match (&l.file, l.file_line) {
            (Some(file), Some(n)) => (
                format!("Turn TLS on for port {} at {file} line {n} (`listen … ssl;`)", l.port),
                vec![format!("sudo sed -i '{n}s/\\(listen[^;]*\\);/\\1 ssl;/' {file}")],
            ),
            _ => (
                format!("Turn TLS on for port {}: in the server block of pasted line {}, write `ssl` into the listen directive (`listen {} ssl;`)", l.port, l.line, l.port),
                Vec::new(),
            ),
        };
        fix.push(FixStep { title, commands });
    }
    if !has_certificate {
        fix.push(FixStep {
            title: "In the same server block, name the certificate".into(),
            commands: vec!["    ssl_certificate     /etc/ssl/cloudflare/origin.pem;\n    ssl_certificate_key /etc/ssl/cloudflare/origin.key;".into()],
        });
    }
    fix.push(step(
        "Test and reload",
        &[&format!(
            "sudo nginx -t && {}",
            service_cmd(ctx.facts, "reload", "nginx")
        )],
    ));
    fix.push(step(
        "Or make Cloudflare's SSL mode match what the origin serves (SSL/TLS > Overview); prefer Full (strict) with an Origin CA certificate over Flexible",
        &[],
    ));
    Some(Plan {
        fix,
        verify: verify_http(ctx),
    })
}

/// `127\.0\.0\.1` / `\[::1\]`: an address as a sed pattern.
fn sed_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '.' | '[' | ']' | '*' | '/' | '\\' | '^' | '$' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The loopback listens of pasted configuration on the needed ports, as
/// edits at their file and line when the paste named them.
fn loopback_config_fix(ctx: &FixCtx<'_>) -> Option<Plan> {
    use crate::parse::webconfig::Server;
    let loopback: Vec<_> = ctx
        .facts
        .webconfig
        .iter()
        .flat_map(|s| s.facts.listens.iter())
        .filter(|l| l.binds && l.loopback() && ctx.ports.contains(&l.port))
        .collect();
    let first = loopback.first()?;
    let server = first.server;
    let mut fix = Vec::new();
    for l in &loopback {
        let Some(addr) = l.addr else { continue };
        let written = match addr {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            std::net::IpAddr::V4(a) => a.to_string(),
        };
        // Keep the port, drop the address: `listen 80;` / `Listen 80`, and
        // `[::]:80` for an IPv6 loopback.
        let any = if addr.is_ipv6() { "[::]:" } else { "" };
        let from = format!("{}:{}", sed_escape(&written), l.port);
        let to = format!("{}{}", sed_escape(any), l.port);
        let (what, cmds) = match (&l.file, l.file_line) {
            (Some(file), Some(n)) => (
                format!("{file} line {n}"),
                vec![format!("sudo sed -i '{n}s/{from}/{to}/' {file}")],
            ),
            (Some(file), None) => (
                file.clone(),
                vec![format!("sudo grep -n '{from}' {file}   # then edit that line")],
            ),
            _ => (
                format!("the file with pasted line {}", l.line),
                vec![format!("sudo grep -rn '{from}' /etc/nginx /etc/apache2 /etc/httpd /etc/caddy 2>/dev/null")],
            ),
        };
        let example = match server {
            Server::Apache => format!("Listen {}{}", any, l.port),
            Server::Caddy => "remove the `bind` line".to_string(),
            _ => format!("listen {}{};", any, l.port),
        };
        fix.push(FixStep {
            title: format!("In {what}: listen on every address instead of {written} ({example})"),
            commands: cmds,
        });
    }
    let has_v6_any = ctx
        .facts
        .webconfig
        .iter()
        .flat_map(|s| s.facts.listens.iter())
        .any(|l| l.addr.is_some_and(|a| a.is_ipv6() && !a.is_loopback()));
    if server == Server::Nginx && !has_v6_any {
        fix.push(step(
            "For IPv6 visitors (an AAAA record), add `listen [::]:PORT;` next to each `listen PORT;`",
            &[],
        ));
    }
    let (test, reload) = match server {
        Server::Apache => {
            let unit = if distro(ctx.facts) == Distro::Rhel {
                "httpd"
            } else {
                "apache2"
            };
            (
                "sudo apachectl configtest".to_string(),
                service_cmd(ctx.facts, "restart", unit),
            )
        }
        Server::Caddy => (
            "sudo caddy validate --config /etc/caddy/Caddyfile".to_string(),
            service_cmd(ctx.facts, "reload", "caddy"),
        ),
        Server::Litespeed => (
            "sudo /usr/local/lsws/bin/lswsctrl status".to_string(),
            "sudo /usr/local/lsws/bin/lswsctrl restart".to_string(),
        ),
        // A reload cannot bind *:80 while the old 127.0.0.1:80 socket is
        // open: a changed listen address needs a restart.
        Server::Nginx => (
            "sudo nginx -t".to_string(),
            service_cmd(ctx.facts, "restart", "nginx"),
        ),
    };
    fix.push(FixStep {
        title: "Test the configuration, then apply it".into(),
        commands: vec![format!("{test} && {reload}")],
    });
    Some(Plan {
        fix,
        verify: verify_http(ctx),
    })
}

pub fn loopback_only(ctx: &FixCtx<'_>) -> Plan {
    if let Some(plan) = loopback_config_fix(ctx) {
        return plan;
    }
    let server = web_server(ctx.facts);
    Plan {
        fix: vec![
            step(
                format!("Make {server} listen on all addresses: change `listen 127.0.0.1:80;` to `listen 80;` (Apache: `Listen 127.0.0.1:80` to `Listen 80`)"),
                &["sudo grep -rnE 'listen\\s+(127\\.0\\.0\\.1|\\[::1\\])|^Listen 127' /etc/nginx /etc/apache2 /etc/httpd 2>/dev/null"],
            ),
            step("Test and restart (a changed listen address needs a restart)", &[config_test(&server), &service_cmd(ctx.facts, "restart", &server)]),
        ],
        verify: verify_http(ctx),
    }
}

pub fn overloaded(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx.facts);
    Plan {
        fix: vec![
            step(format!("Relieve it now: restart {server} (and PHP-FPM or the app behind it) and see what uses memory"), &[&service_cmd(ctx.facts, "restart", &server), "ps aux --sort=-%mem | head -n 15"]),
            step("Add swap so short peaks do not trigger the OOM killer", &["sudo fallocate -l 2G /swapfile && sudo chmod 600 /swapfile && sudo mkswap /swapfile && sudo swapon /swapfile"]),
            step(
                "Raise the limit that ran out: worker_connections in nginx.conf, and the open-file limit of the service",
                &[
                    "sudo sed -n '/events/,/}/p' /etc/nginx/nginx.conf",
                    &format!("sudo systemctl edit {server}   # add: [Service] LimitNOFILE=65535"),
                ],
            ),
        ],
        verify: vec!["free -m; uptime; sudo dmesg -T | grep -ci 'out of memory'".to_string()],
    }
}

pub fn dns(ctx: &FixCtx<'_>) -> Plan {
    let host = ctx.host.clone().unwrap_or_else(|| "your host name".into());
    Plan {
        fix: vec![
            step("Find the server's real public addresses (run on the origin)", &["curl -4 -s https://ifconfig.me; echo", "curl -6 -s https://ifconfig.me; echo"]),
            step(
                format!("In the Cloudflare dashboard (DNS > Records), set the proxied A/AAAA records of {host} to those addresses and keep them proxied; delete records pointing at private or old addresses"),
                &[],
            ),
        ],
        verify: vec![format!("dig +short {host} @1.1.1.1   # Cloudflare addresses: proxied"), format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' https://{host}/")],
    }
}

pub fn ipv6(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx.facts);
    Plan {
        fix: vec![
            step(format!("Make {server} listen on IPv6 too (`listen [::]:443 ssl;` and `listen [::]:80;`)"), &[config_test(&server), &service_cmd(ctx.facts, "reload", &server)]),
            icmpv6_step(ctx.facts),
            step("Or, if the origin has no working IPv6, delete the AAAA record in the Cloudflare dashboard", &[]),
        ],
        verify: vec!["curl -6 -sS -o /dev/null -w '%{http_code}\\n' -k https://[ORIGIN-IPV6]/".to_string()],
    }
}

/// Unban the Cloudflare addresses, whitelist Cloudflare in the ban tools
/// seen, and restore the visitor's address so bans hit visitors: behind
/// Cloudflare every request comes from a Cloudflare address.
pub fn real_ip(ctx: &FixCtx<'_>) -> Plan {
    let ranges: Vec<String> = ctx
        .options
        .ranges
        .ranges
        .iter()
        .map(|r| r.to_string())
        .collect();
    let mut fix = unban_and_whitelist(ctx, &ranges);
    // Config files written by the commands themselves: a config line is
    // not a shell command.
    let seen = serving_web_server(ctx).or_else(|| seen_web_server(ctx.facts));
    let seen = seen.as_deref();
    let is_apache = matches!(seen, Some("apache2" | "httpd" | "apache"));
    if !is_apache {
        let conf: Vec<String> = ranges
            .iter()
            .map(|r| format!("set_real_ip_from {r};"))
            .chain(["real_ip_header CF-Connecting-IP;".to_string()])
            .collect();
        fix.push(FixStep {
            title: "nginx: restore the visitor address so bans and limits see visitors (/etc/nginx/conf.d/cloudflare-realip.conf)".into(),
            commands: vec![
                format!(
                    "sudo tee /etc/nginx/conf.d/cloudflare-realip.conf >/dev/null <<'CONF'\n{}\nCONF",
                    conf.join("\n")
                ),
                format!("sudo nginx -t && {}", service_cmd(ctx.facts, "reload", "nginx")),
            ],
        });
    }
    if is_apache || seen != Some("nginx") {
        let trusted = format!(
            "RemoteIPHeader CF-Connecting-IP\nRemoteIPTrustedProxy {}",
            ranges.join(" ")
        );
        // Red Hat's httpd loads mod_remoteip by default and reads conf.d.
        let commands = if seen == Some("httpd") {
            vec![
                format!("sudo tee /etc/httpd/conf.d/cloudflare-remoteip.conf >/dev/null <<'CONF'\n{trusted}\nCONF"),
                format!("sudo apachectl configtest && {}", service_cmd(ctx.facts, "reload", "httpd")),
            ]
        } else {
            vec![
                "sudo a2enmod remoteip".into(),
                format!("sudo tee /etc/apache2/conf-available/cloudflare-remoteip.conf >/dev/null <<'CONF'\n{trusted}\nCONF"),
                format!("sudo a2enconf cloudflare-remoteip && sudo apachectl configtest && {}", service_cmd(ctx.facts, "restart", "apache2")),
            ]
        };
        fix.push(FixStep {
            title: "Apache: restore the visitor address with mod_remoteip (and log it: use %a, not %h, in LogFormat)".into(),
            commands,
        });
    }
    let log = if is_apache {
        if seen == Some("httpd") {
            "/var/log/httpd/access_log"
        } else {
            "/var/log/apache2/access.log"
        }
    } else {
        "/var/log/nginx/access.log"
    };
    Plan {
        fix,
        verify: vec![format!(
            "sudo tail -n 5 {log}   # visitor addresses, not Cloudflare's"
        )],
    }
}

/// Commands that lift the bans on Cloudflare addresses and whitelist
/// Cloudflare in the ban tools the case showed.
fn unban_and_whitelist(ctx: &FixCtx<'_>, ranges: &[String]) -> Vec<FixStep> {
    use crate::parse::bans::{cloudflare_hits, HitKind};
    let bare = |r: &crate::net::AddrRange| {
        let s = r.to_string();
        s.trim_end_matches("/32")
            .trim_end_matches("/128")
            .to_string()
    };
    let mut unban: Vec<String> = Vec::new();
    let mut push = |cmd: String| {
        if !unban.contains(&cmd) {
            unban.push(cmd);
        }
    };
    for b in &ctx.facts.bans {
        for h in cloudflare_hits(&b.facts, &ctx.options.ranges) {
            if h.kind != HitKind::Ban || h.active == Some(false) {
                continue;
            }
            for r in h.overlap.ranges() {
                let addr = bare(r);
                match h.tool.as_str() {
                    "fail2ban" if !h.list.is_empty() => push(format!(
                        "sudo fail2ban-client set {} unbanip {addr}",
                        h.list
                    )),
                    "fail2ban" => push(format!("sudo fail2ban-client unban {addr}")),
                    "ipset" if !h.list.is_empty() => {
                        push(format!("sudo ipset del {} {addr}", h.list))
                    }
                    _ => {}
                }
            }
        }
    }
    let cf = ctx.options.ranges.set();
    for c in &ctx.facts.csf {
        for d in c.facts.denies.iter().filter_map(|d| d.addrs.as_ref()) {
            for r in d.intersect(&cf).ranges() {
                push(format!("sudo csf -dr {}", bare(r)));
            }
        }
        for t in c.facts.temp.iter().filter(|t| !t.allow) {
            for r in t.addrs.intersect(&cf).ranges() {
                push(format!("sudo csf -tr {}", bare(r)));
            }
        }
    }
    let mut fix = Vec::new();
    if !unban.is_empty() {
        fix.push(FixStep {
            title: "Lift the bans on Cloudflare addresses".into(),
            commands: unban,
        });
    }
    if !ctx.facts.csf.is_empty() {
        fix.push(FixStep {
            title: "Keep LFD from blocking Cloudflare again: add its ranges to /etc/csf/csf.ignore, then restart csf and lfd".into(),
            commands: vec![
                format!("printf '%s # Cloudflare\\n' {} | sudo tee -a /etc/csf/csf.ignore >/dev/null", ranges.join(" ")),
                "sudo csf -ra".into(),
            ],
        });
    }
    if ctx.facts.bans.iter().any(|b| {
        !b.facts.bans.is_empty() || !b.facts.jails.is_empty() || !b.facts.ignore.is_empty()
    }) {
        fix.push(FixStep {
            title: "Keep fail2ban from banning Cloudflare again: set ignoreip in the [DEFAULT] section of /etc/fail2ban/jail.local, then reload".into(),
            commands: vec![format!("ignoreip = 127.0.0.1/8 ::1 {}", ranges.join(" ")), "sudo fail2ban-client reload".into()],
        });
    }
    fix
}

/// Let neighbour discovery (and packet-too-big, for path MTU) through the
/// IPv6 firewall, with the tool the case showed; only those ICMPv6 types.
fn icmpv6_step(facts: &Facts) -> FixStep {
    let nft = facts.rulesets.iter().any(|r| {
        r.dialect == crate::firewall::model::Dialect::Nftables
            && r.families.contains(&crate::net::Family::V6)
    });
    let commands = if nft {
        vec!["sudo nft insert rule inet filter input icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, packet-too-big } accept".to_string()]
    } else {
        [
            "neighbour-solicitation",
            "neighbour-advertisement",
            "router-solicitation",
            "router-advertisement",
            "packet-too-big",
        ]
        .iter()
        .map(|t| format!("sudo ip6tables -I INPUT 1 -p ipv6-icmp --icmpv6-type {t} -j ACCEPT"))
        .collect()
    };
    FixStep {
        title: "Let ICMPv6 neighbour discovery through the IPv6 firewall (without it the host is unreachable over IPv6)".into(),
        commands,
    }
}
