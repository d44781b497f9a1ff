//! Who is who in a case, decided once from the facts: the web server that
//! should serve the site, the programs in its way, the addresses the DNS
//! points at and the server's own addresses. Rules explain with these
//! roles and fixes name them, so a fix never starts the program that is in
//! the way, nor assumes nginx when the paste shows another server.

use std::net::IpAddr;

use serde::Serialize;

use crate::facts::Facts;
use crate::parse::services::{
    is_web_server_name, ContainerStatus, EventKind, Service, ServiceState,
};

/// The family of a web server: decides the config syntax and the commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    Nginx,
    Apache,
    Caddy,
    Litespeed,
    /// HAProxy, Traefik, lighttpd, ...: named, but no config written for it.
    Other,
}

impl ServerKind {
    pub fn of(name: &str) -> Option<ServerKind> {
        let n = name.to_ascii_lowercase();
        let n = n.trim_end_matches(".service");
        let base = n.split(['@', '-', ':', '/']).next().unwrap_or(n);
        Some(match base {
            "nginx" | "openresty" | "angie" | "tengine" => ServerKind::Nginx,
            "apache2" | "httpd" | "apache" => ServerKind::Apache,
            "caddy" => ServerKind::Caddy,
            "lsws" | "lshttpd" | "openlitespeed" | "litespeed" => ServerKind::Litespeed,
            _ if is_web_server_name(n) => ServerKind::Other,
            _ => return None,
        })
    }
}

/// How the case shows the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerState {
    /// It failed, stopped, or logged that it could not start or bind.
    Failed,
    Running,
    /// Only named (configuration, a log path, a jail): state not shown.
    Unknown,
}

/// The web server that should answer Cloudflare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerRole {
    /// The name commands use: the systemd unit (`nginx`, `apache2`,
    /// `httpd`, `caddy`, `lsws`), or the container's name.
    pub name: String,
    pub kind: ServerKind,
    pub state: ServerState,
    /// It runs in this Docker container: docker commands apply.
    pub container: Option<String>,
}

/// A program that holds a port the web server needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Squatter {
    /// The process name as the listener list printed it.
    pub process: String,
    pub pid: Option<u32>,
    pub ports: Vec<u16>,
    /// The systemd unit that runs it, when its name says (`httpd`).
    pub unit: Option<String>,
    /// The container that publishes the port, when a `docker ps` says.
    pub container: Option<String>,
    /// Another copy of the web server itself (a stray master process).
    pub same_program: bool,
    /// Where the paste shows it: (input, line).
    pub lines: Vec<(String, usize)>,
}

impl Squatter {
    /// `httpd (pid 2210)`.
    pub fn label(&self) -> String {
        match (&self.container, self.pid) {
            (Some(c), _) => format!("container {c}"),
            (None, Some(pid)) => format!("{} (pid {pid})", self.process),
            (None, None) => self.process.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Roles {
    pub server: Option<ServerRole>,
    pub squatters: Vec<Squatter>,
    /// A/AAAA answers and records: (name, address).
    pub dns_targets: Vec<(String, IpAddr)>,
    /// The server's own public addresses (`ip addr` global scope, echo
    /// services).
    pub own_addrs: Vec<IpAddr>,
    /// The paste shows a Red Hat-style host (`httpd`, `/etc/httpd`).
    pub rhel: bool,
    /// Upstreams that point back at Cloudflare: the origin proxies to its
    /// own proxied name.
    pub loops: Vec<ProxyLoop>,
}

/// A `proxy_pass` (or upstream server) whose target is Cloudflare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyLoop {
    /// How the fix names the directive.
    pub directive: String,
    /// The target as written.
    pub target: String,
    pub input: String,
    pub line: usize,
}

impl Roles {
    /// Decide the roles of a case; `ports` are the origin ports Cloudflare
    /// connects to.
    pub fn new(facts: &Facts, ports: &[u16], ranges: &crate::cloudflare::Ranges) -> Roles {
        let rhel = shows_rhel(facts);
        let mut server = find_server(facts, ports, rhel);
        // "httpd (pid 6759) already running": the unit failed, the server
        // runs (started outside it).
        if let Some(s) = server.as_mut() {
            let runs = facts
                .services
                .iter()
                .flat_map(|x| x.facts.events.iter())
                .any(|e| {
                    matches!(e.kind, EventKind::AlreadyRunning { .. })
                        && program_in_text(&e.text)
                            .is_none_or(|p| ServerKind::of(&p) == Some(s.kind))
                });
            if runs {
                s.state = ServerState::Running;
            }
        }
        if let Some(s) = server.as_mut().filter(|s| s.container.is_none()) {
            s.container = server_container(facts, &s.name);
        }
        // With the server unknown, whatever holds a port a bind failed on
        // is still in the way.
        let unknown = ServerRole {
            name: "the web server".to_string(),
            kind: ServerKind::Other,
            state: ServerState::Unknown,
            container: None,
        };
        let squatters = find_squatters(facts, ports, server.as_ref().unwrap_or(&unknown));
        let mut dns_targets: Vec<(String, IpAddr)> = Vec::new();
        for r in facts.dns.iter().flat_map(|d| d.facts.records.iter()) {
            if let Some(a) = r.addr() {
                if !dns_targets.iter().any(|(n, x)| *n == r.name && *x == a) {
                    dns_targets.push((r.name.clone(), a));
                }
            }
        }
        let mut own_addrs: Vec<IpAddr> = Vec::new();
        for a in facts.addrs.iter().flat_map(|a| a.facts.public()) {
            if !own_addrs.contains(&a.addr) {
                own_addrs.push(a.addr);
            }
        }
        let loops = find_loops(facts, &dns_targets, ranges);
        Roles {
            server,
            squatters,
            dns_targets,
            own_addrs,
            rhel,
            loops,
        }
    }

    /// True when the listener at (input, line) belongs to a program in the
    /// web server's way.
    pub fn is_squatter_line(&self, input: &str, line: usize) -> bool {
        self.squatters
            .iter()
            .any(|s| s.lines.iter().any(|(i, l)| i == input && *l == line))
    }

    /// True when the listener at (input, line) belongs to another program
    /// than the web server (a stray copy of the server itself still serves).
    pub fn is_other_program_line(&self, input: &str, line: usize) -> bool {
        self.squatters
            .iter()
            .any(|s| !s.same_program && s.lines.iter().any(|(i, l)| i == input && *l == line))
    }

    /// True when `name` (a unit or process) is a program in the way.
    pub fn is_squatter_name(&self, name: &str) -> bool {
        let unit = unit_of_process(name);
        self.squatters.iter().any(|s| {
            !s.same_program
                && (s.process.eq_ignore_ascii_case(name)
                    || (unit.is_some() && s.unit.as_deref() == unit.as_deref()))
        })
    }

    /// The server's name, or a neutral phrase when the case does not say.
    /// True when the listener at (input, line) is the web server's own.
    pub fn is_server_listener(&self, process: Option<&str>, input: &str, line: usize) -> bool {
        match (&self.server, process) {
            (Some(s), Some(p)) if s.container.is_none() => {
                same_program(p, &s.name) && !self.is_squatter_line(input, line)
            }
            _ => false,
        }
    }

    pub fn server_name(&self) -> &str {
        self.server
            .as_ref()
            .map_or("the web server", |s| s.name.as_str())
    }
}

/// A process name as a listener list prints it, made comparable: ss shows
/// at most 15 characters of the command (`/usr/sbin/apach`), lsof 9.
pub fn program(process: &str) -> String {
    let base = process.rsplit('/').next().unwrap_or(process);
    if is_web_server_name(base) || base.len() < 4 {
        return base.to_string();
    }
    let cut = process.chars().count() >= 15 || process.chars().count() == 9;
    let known = [
        "apache2",
        "nginx",
        "httpd",
        "caddy",
        "lshttpd",
        "litespeed",
        "haproxy",
        "traefik",
        "lighttpd",
        "openlitespeed",
    ];
    match known.iter().find(|k| cut && k.starts_with(base)) {
        Some(k) => k.to_string(),
        None => base.to_string(),
    }
}

/// True when a listener's process is a web server.
pub fn is_web_process(process: &str) -> bool {
    is_web_server_name(&program(process))
}

/// The web server a container image runs: `nginx:1.25`,
/// `docker.io/library/caddy:2` (`jc21/nginx-proxy-manager` is named after
/// its own project and is not matched).
pub fn image_server(image: &str) -> Option<ServerKind> {
    let last = image.rsplit('/').next().unwrap_or(image);
    ServerKind::of(last.split(':').next().unwrap_or(last))
}

/// The systemd unit that runs a process of this name, when the name is a
/// well-known daemon's.
pub fn unit_of_process(process: &str) -> Option<String> {
    let p = program(process).to_ascii_lowercase();
    let unit = match p.as_str() {
        "litespeed" | "lshttpd" | "openlitespeed" => "lsws",
        "varnishd" => "varnish",
        "apache2" | "httpd" | "nginx" | "caddy" | "haproxy" | "lighttpd" | "traefik" | "h2o"
        | "envoy" | "openresty" | "angie" | "varnish" | "squid" | "named" | "sshd" => {
            return Some(p)
        }
        _ => return None,
    };
    Some(unit.to_string())
}

/// Two names of the same program (nginx and its workers, httpd and
/// apache2 are both Apache).
pub fn same_program(a: &str, b: &str) -> bool {
    let (a, b) = (program(a), program(b));
    let (a, b) = (a.as_str(), b.as_str());
    match (ServerKind::of(a), ServerKind::of(b)) {
        (Some(x), Some(y)) if x != ServerKind::Other => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// What fixes call a container the paste shows but does not name.
pub const UNNAMED_CONTAINER: &str = "CONTAINER";

/// The container the web server `server` runs in, when the paste shows
/// one around it: its log lines behind a compose prefix
/// (`ad-reverse-proxy_1  | (98)Address already in use`), its OOM kill in a
/// Docker cgroup, or its configuration under a Docker volume path
/// (`/mnt/docker/flarum/nginx`). The name when the paste gives one, else
/// [`UNNAMED_CONTAINER`].
fn server_container(facts: &Facts, server: &str) -> Option<String> {
    let lines: Vec<&str> = facts
        .texts
        .iter()
        .flat_map(|t| (1..).map_while(move |n| t.line(n)))
        .collect();
    let events = facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .filter(|e| program_in_text(&e.text).is_none_or(|p| same_program(&p, server)));
    for e in events {
        if let Some(prefix) = compose_prefix(&e.text) {
            // Compose v1 names the container project_service_1 and prints
            // it whole in `Attaching to` / `exited with code`.
            let full = lines
                .iter()
                .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ','))
                .find(|w| {
                    w.len() > prefix.len()
                        && (w.ends_with(&format!("_{prefix}"))
                            || w.ends_with(&format!("-{prefix}")))
                        && is_container_name(w)
                });
            return Some(full.unwrap_or(prefix).to_string());
        }
    }
    let oom = facts
        .resources
        .iter()
        .flat_map(|r| r.facts.oom.iter())
        .filter(|o| {
            o.process
                .as_deref()
                .is_some_and(|p| same_program(p, server))
        })
        .find_map(|o| o.container.clone());
    if let Some(id) = oom {
        return Some(if id.is_empty() {
            UNNAMED_CONTAINER.to_string()
        } else {
            id
        });
    }
    // A path with a `docker` directory that ends in the server's own
    // directory: a bind-mounted configuration.
    let volume = lines.iter().flat_map(|l| l.split_whitespace()).any(|w| {
        let segs: Vec<&str> = w.split('/').filter(|s| !s.is_empty()).collect();
        w.starts_with('/')
            && segs.contains(&"docker")
            && segs.iter().any(|s| same_program(s, server))
    });
    volume.then(|| UNNAMED_CONTAINER.to_string())
}

/// The service of a compose log line: `web_1  | ...` (v1), `web-1  | ...`
/// (v2), `proxy  | ...`.
fn compose_prefix(text: &str) -> Option<&str> {
    let (name, rest) = text.split_once(" | ").or_else(|| text.split_once("| "))?;
    let name = name.trim_end();
    (is_container_name(name) && !rest.is_empty() && name.len() < text.len()).then_some(name)
}

fn is_container_name(w: &str) -> bool {
    !w.is_empty()
        && w.len() <= 128
        && w.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The web server whose logs the ban tools watch (`File list:
/// /var/log/nginx/access.log`, centminmod's `/home/nginx/domains/...`):
/// `Some` only when every watched log with a server's directory names the
/// same kind.
pub fn server_of_watched_logs(facts: &Facts) -> Option<ServerKind> {
    let mut found = None;
    for path in facts.bans.iter().flat_map(|b| b.facts.watched_logs.iter()) {
        let kind = path.split('/').find_map(|seg| match seg {
            "nginx" => Some(ServerKind::Nginx),
            "apache2" | "httpd" | "apache" => Some(ServerKind::Apache),
            "lsws" | "litespeed" => Some(ServerKind::Litespeed),
            "caddy" => Some(ServerKind::Caddy),
            _ => None,
        });
        match (found, kind) {
            (_, None) => {}
            (None, k) => found = k,
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    found
}

fn shows_rhel(facts: &Facts) -> bool {
    let unit_httpd = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .any(|s| s.name == "httpd");
    let proc_httpd = facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .any(|l| l.process.as_deref() == Some("httpd"));
    let conf_httpd = facts.webconfig.iter().any(|w| {
        w.command.as_deref().is_some_and(|c| c.contains("httpd"))
            || w.facts
                .listens
                .iter()
                .any(|l| l.file.as_deref().is_some_and(|f| f.contains("/httpd/")))
    });
    let apache2 = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .any(|s| s.name == "apache2");
    // "We run CentOS": weaker than any output, so only when none names
    // Apache's Debian unit.
    let stated = facts
        .hints
        .iter()
        .any(|(_, h)| h.hint == crate::parse::hints::Hint::RedHatFamily);
    (unit_httpd || proc_httpd || conf_httpd || stated) && !apache2
}

/// The web server a log line is about: the syslog tag (`nginx[3391]:`),
/// the program prefix (`nginx: [emerg]`), or a message only one server
/// writes (Apache's `AH00072`, Caddy's `loading new config`, LiteSpeed's
/// `HttpListener::`).
pub fn program_in_text(text: &str) -> Option<String> {
    for tok in text.split_whitespace() {
        let t = tok
            .split('[')
            .next()
            .unwrap_or(tok)
            .trim_end_matches(':')
            .trim_end_matches(".service");
        if !t.is_empty() && is_web_server_name(t) {
            return Some(t.to_ascii_lowercase());
        }
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("ah0")
        || lower.contains("make_sock")
        || lower.contains("apachectl")
        || lower.contains("no listening sockets available")
    {
        return Some("apache".into());
    }
    // nginx's error log: `2014/11/12 12:17:26 [emerg] 26659#0: bind() to ...`.
    if lower.contains("bind() to ")
        || ["[emerg]", "[alert]", "[crit]", "[error]"]
            .iter()
            .any(|l| lower.contains(l))
            && lower.contains('#')
    {
        return Some("nginx".into());
    }
    if lower.contains("entrypoint") {
        return Some("traefik".into());
    }
    if lower.contains("loading new config") || lower.contains("http app module") {
        return Some("caddy".into());
    }
    if lower.contains("httplistener::")
        || lower.contains("no listener is available")
        || lower.contains("fatal error in configuration, exit")
    {
        return Some("lsws".into());
    }
    None
}

/// The program a log line is about, web server or not: a systemd unit
/// (`node-exporter.service: Failed ...`), else a web server it names.
pub fn program_of_line(text: &str) -> Option<String> {
    let unit = text.split_whitespace().find_map(|t| {
        let t = t.trim_end_matches([':', '.', ',']);
        t.strip_suffix(".service")
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    });
    unit.or_else(|| program_in_text(text))
}

/// Events that say the server could not start.
fn is_start_failure(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::BindConflict { .. }
            | EventKind::AddressUnavailable { .. }
            | EventKind::PermissionDenied { port: Some(_), .. }
            | EventKind::ConfigTestFailed
            | EventKind::ConfigError { .. }
            | EventKind::MissingCertificate { .. }
            | EventKind::UpstreamNotFound { .. }
            | EventKind::StartFailed { .. }
            | EventKind::NoListener
    )
}

/// The command name of a unit or program, normalised for commands.
fn unit_name(name: &str, rhel: bool) -> String {
    let n = name.trim_end_matches(".service").to_ascii_lowercase();
    match n.as_str() {
        "apache" if rhel => "httpd".into(),
        "apache" => "apache2".into(),
        "litespeed" | "lshttpd" | "openlitespeed" => "lsws".into(),
        _ => n,
    }
}

/// A web server's process in a `ps` listing.
fn running_web_process(facts: &Facts) -> Option<&str> {
    facts
        .services
        .iter()
        .flat_map(|s| s.facts.processes.iter())
        .map(|p| p.program.as_str())
        .find(|p| is_web_server_name(p))
}

/// A stopped unit meant to run, when no web server runs: one still enabled,
/// or a disabled one when no other web server listens either (a disabled
/// nginx beside a running Apache is not the site's server).
fn stopped_server<'a>(facts: &Facts, services: &[&'a Service]) -> Option<&'a str> {
    if services.iter().any(|x| x.state == ServiceState::Running) {
        return None;
    }
    let stopped = || services.iter().filter(|s| s.state == ServiceState::Stopped);
    if let Some(s) = stopped().find(|s| s.enabled.as_deref() != Some("disabled")) {
        return Some(s.name.as_str());
    }
    let web_listens = facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .any(|l| l.process.as_deref().is_some_and(is_web_process));
    if web_listens {
        return None;
    }
    stopped().next().map(|s| s.name.as_str())
}

fn find_server(facts: &Facts, ports: &[u16], rhel: bool) -> Option<ServerRole> {
    let role = |name: &str, state: ServerState| {
        let name = unit_name(name, rhel);
        ServerRole {
            kind: ServerKind::of(&name).unwrap_or(ServerKind::Other),
            name,
            state,
            container: None,
        }
    };
    let services: Vec<_> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .filter(|s| s.is_web_server())
        .collect();
    // 1. The server that failed: a failed unit, or one whose log says it
    // could not start. That is the one the person is trying to run.
    if let Some(s) = services
        .iter()
        .find(|s| matches!(s.state, ServiceState::Failed | ServiceState::Activating))
    {
        return Some(role(&s.name, ServerState::Failed));
    }
    for e in facts.services.iter().flat_map(|s| s.facts.events.iter()) {
        if !is_start_failure(&e.kind) {
            continue;
        }
        // Docker could not publish a container's port: that container is
        // the one that should serve (`... on endpoint app-web-1 (...): Bind
        // for 0.0.0.0:80 failed: port is already allocated`).
        if e.text.contains("port is already allocated") {
            let name = e
                .text
                .split("endpoint ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("the container")
                .trim_end_matches(':')
                .to_string();
            return Some(ServerRole {
                name: name.clone(),
                kind: ServerKind::Other,
                state: ServerState::Failed,
                container: Some(name),
            });
        }
        let named = match &e.kind {
            EventKind::StartFailed { unit: Some(u) } => u
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches(".service").to_string())
                .filter(|u| is_web_server_name(u)),
            _ => None,
        };
        let who = named
            .or_else(|| e.service.clone().filter(|s| is_web_server_name(s)))
            .or_else(|| program_in_text(&e.text));
        if let Some(w) = who {
            return Some(role(&w, ServerState::Failed));
        }
    }
    if let Some(name) = stopped_server(facts, &services) {
        return Some(role(name, ServerState::Failed));
    }
    // 2. A running unit, or a running process of a web server (`ps`).
    if let Some(s) = services.iter().find(|s| s.state == ServiceState::Running) {
        return Some(role(&s.name, ServerState::Running));
    }
    if let Some(p) = running_web_process(facts) {
        return Some(role(p, ServerState::Running));
    }
    // 3. A container that runs a web server or publishes a needed port.
    for c in facts
        .services
        .iter()
        .flat_map(|s| s.facts.containers.iter())
    {
        let image_kind = c.image.as_deref().and_then(image_server);
        let publishes = c
            .published
            .iter()
            .any(|p| p.host_port.is_some_and(|hp| ports.contains(&hp)));
        if image_kind.is_none() && !publishes && ServerKind::of(&c.name).is_none() {
            continue;
        }
        let state = match c.status {
            ContainerStatus::Up => ServerState::Running,
            ContainerStatus::Exited | ContainerStatus::Restarting | ContainerStatus::Created => {
                ServerState::Failed
            }
            _ => ServerState::Unknown,
        };
        return Some(ServerRole {
            name: c.name.clone(),
            kind: image_kind
                .or_else(|| ServerKind::of(&c.name))
                .unwrap_or(ServerKind::Other),
            state,
            container: Some(c.name.clone()),
        });
    }
    // 4. The pasted configuration.
    if let Some(w) = facts.webconfig.first() {
        return Some(role(w.facts.server.name(), ServerState::Unknown));
    }
    // 5. A web server process listening on a needed port, unless a bind
    // failed there: then it is the program in the way.
    let conflicts = bind_conflict_ports(facts);
    if let Some(p) = facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| ports.contains(&l.port) && !conflicts.contains(&l.port))
        .filter_map(|l| l.process.as_deref())
        .map(program)
        .find(|p| is_web_server_name(p))
    {
        return Some(role(&p, ServerState::Running));
    }
    // 6. Names only: commands run on it, ban jails (`nginx-limit-req`).
    let named = facts
        .blocks
        .iter()
        .filter_map(|b| b.command.as_deref())
        .chain(
            facts
                .bans
                .iter()
                .flat_map(|b| b.facts.jails.iter().map(String::as_str)),
        )
        .find_map(|c| {
            c.split(|ch: char| ch.is_whitespace() || ch == '-' || ch == '/')
                .find(|t| is_web_server_name(t))
                .map(str::to_string)
        });
    named.map(|n| role(&n, ServerState::Unknown))
}

/// The ports a bind() failed on with "Address already in use".
fn bind_conflict_ports(facts: &Facts) -> Vec<u16> {
    facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .filter_map(|e| match e.kind {
            EventKind::BindConflict { port, .. } => port,
            _ => None,
        })
        .collect()
}

/// The processes of the server's own program that hold a port it could
/// not bind: a stray copy, with every port it holds.
fn stray_pids(facts: &Facts, conflict_ports: &[u16], server: &ServerRole) -> Vec<u32> {
    facts
        .listeners
        .iter()
        .flat_map(|src| src.facts.listeners.iter())
        .filter(|l| l.proto == "tcp" && conflict_ports.contains(&l.port))
        .filter(|l| {
            l.process
                .as_deref()
                .is_some_and(|p| same_program(p, &server.name))
        })
        .filter_map(|l| l.pid)
        .collect()
}

fn find_squatters(facts: &Facts, ports: &[u16], server: &ServerRole) -> Vec<Squatter> {
    // The ports the server could not bind, and, when it is down, every
    // port Cloudflare needs.
    let mut conflict_ports = bind_conflict_ports(facts);
    let any_conflict = facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .any(|e| matches!(e.kind, EventKind::BindConflict { .. }));
    // A conflict that names no port (LiteSpeed, nginx's summary line) is
    // about the ports Cloudflare needs.
    if any_conflict && conflict_ports.is_empty() {
        conflict_ports.extend_from_slice(ports);
    }
    let mut watched = conflict_ports.clone();
    if server.state == ServerState::Failed {
        watched.extend_from_slice(ports);
    }
    watched.sort_unstable();
    watched.dedup();
    let mut out: Vec<Squatter> = Vec::new();
    let mut add = |process: &str,
                   pid: Option<u32>,
                   port: u16,
                   container: Option<String>,
                   same: bool,
                   at: (String, usize)| {
        // One program per entry: a container is one whether docker-proxy
        // or `docker ps` showed it.
        let key_match = |s: &Squatter| match (&s.container, &container) {
            (Some(a), Some(b)) => a == b,
            // Workers share the master's socket: one program, one entry.
            (None, None) => s.process == process,
            _ => false,
        };
        match out.iter_mut().find(|s| key_match(s)) {
            Some(s) => {
                if !s.ports.contains(&port) {
                    s.ports.push(port);
                }
                if !s.lines.contains(&at) {
                    s.lines.push(at);
                }
                // `docker ps` names the image; docker-proxy only the proxy.
                if s.process == "docker-proxy" && process != "docker-proxy" {
                    s.process = process.to_string();
                }
            }
            None => out.push(Squatter {
                process: process.to_string(),
                pid,
                ports: vec![port],
                unit: if container.is_some() {
                    None
                } else {
                    unit_of_process(process)
                },
                container,
                same_program: same,
                lines: vec![at],
            }),
        }
    };
    // The server's own container publishing its port is not in the way.
    let containers: Vec<_> = facts
        .services
        .iter()
        .flat_map(|s| {
            s.facts
                .containers
                .iter()
                .map(move |c| (s.input.as_str(), c))
        })
        .filter(|(_, c)| c.status == ContainerStatus::Up)
        .collect();
    let publisher = |port: u16| {
        containers
            .iter()
            .find(|(_, c)| c.published.iter().any(|p| p.host_port == Some(port)))
            .map(|(_, c)| c.name.clone())
    };
    // The processes of the server's own program that hold a port it could
    // not bind: a stray copy, with every port it holds.
    let stray_pids = stray_pids(facts, &conflict_ports, server);
    for src in &facts.listeners {
        for l in src.facts.listeners.iter().filter(|l| l.proto == "tcp") {
            if !watched.contains(&l.port) {
                continue;
            }
            let Some(p) = l.process.as_deref() else {
                continue;
            };
            let at = (src.input.clone(), l.line);
            if p == "docker-proxy" || p == "dockerd" {
                let c = publisher(l.port);
                if server.container.is_some() && c == server.container {
                    continue;
                }
                add(p, l.pid, l.port, c, false, at);
                continue;
            }
            if server.container.is_none() && same_program(p, &server.name) {
                // Another copy of the server holds the port it could not
                // bind: a stray process outside its service manager. Only
                // on another port, it is the server itself, started since.
                let stray = conflict_ports.contains(&l.port)
                    || l.pid.is_some_and(|pid| stray_pids.contains(&pid));
                if server.state == ServerState::Failed && stray {
                    add(p, l.pid, l.port, None, true, at);
                }
                continue;
            }
            add(p, l.pid, l.port, None, false, at);
        }
    }
    // `docker ps` alone: a running container, not the server, publishing
    // a port the server needs.
    for (input, c) in &containers {
        if server.container.is_some() {
            break;
        }
        for p in &c.published {
            let Some(hp) = p.host_port else { continue };
            if conflict_ports.contains(&hp) {
                let name = c.image.clone().unwrap_or_else(|| c.name.clone());
                add(
                    &name,
                    None,
                    hp,
                    Some(c.name.clone()),
                    false,
                    (input.to_string(), c.line),
                );
            }
        }
    }
    out
}

/// The host of an upstream as written: `http://104.16.1.1:443/x` ->
/// `104.16.1.1`, `https://[2606:4700::1]/` -> `2606:4700::1`.
fn upstream_host(value: &str) -> &str {
    let v = value.split("://").nth(1).unwrap_or(value);
    let v = v.split('/').next().unwrap_or(v);
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match v.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => v,
    }
}

fn find_loops(
    facts: &Facts,
    dns: &[(String, IpAddr)],
    ranges: &crate::cloudflare::Ranges,
) -> Vec<ProxyLoop> {
    let cf = ranges.set();
    let site = facts.error_page().and_then(|p| p.host.clone());
    let mut out = Vec::new();
    for w in &facts.webconfig {
        for u in &w.facts.upstreams {
            if u.value.starts_with("unix:") {
                continue;
            }
            let host = upstream_host(&u.value)
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let to_cloudflare = match host.parse::<IpAddr>() {
                Ok(ip) => cf.contains(ip),
                // A name that the pasted DNS answers resolve to Cloudflare,
                // or the site's own name when the error page came through
                // Cloudflare.
                Err(_) => {
                    let answers: Vec<IpAddr> = dns
                        .iter()
                        .filter(|(n, _)| n.trim_end_matches('.') == host)
                        .map(|(_, a)| *a)
                        .collect();
                    (!answers.is_empty() && answers.iter().all(|a| cf.contains(*a)))
                        || site
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case(&host))
                }
            };
            if to_cloudflare {
                out.push(ProxyLoop {
                    directive: format!("`{}`", u.value),
                    target: host,
                    input: w.input.clone(),
                    line: u.line,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::services::classify_event;

    #[test]
    fn bind_errors_keep_their_errno() {
        // Real wordings: nginx, Apache (AH00072), Caddy/Go, LiteSpeed.
        let conflict = [
            "nginx: [emerg] bind() to 0.0.0.0:443 failed (98: Address already in use)",
            "(98)Address already in use: AH00072: make_sock: could not bind to address [::]:443",
            "run: loading initial config: loading new config: http app module: start: tcp: listening on :80: listen tcp :80: bind: address already in use",
            "2020-09-16 18:05:09.738870 [ERROR] HttpListener::start(): Can't listen at address adminListener: Address already in use!",
        ];
        for t in conflict {
            assert!(
                matches!(classify_event(t), Some(EventKind::BindConflict { .. })),
                "{t}"
            );
        }
        assert_eq!(
            classify_event("2014/08/04 17:27:34 [emerg] 790#0: bind() to 203.0.113.7:443 failed (99: Cannot assign requested address)"),
            Some(EventKind::AddressUnavailable {
                addr: Some("203.0.113.7".into()),
                port: Some(443)
            })
        );
        assert!(matches!(
            classify_event("(99)Cannot assign requested address: AH00072: make_sock: could not bind to address 10.0.0.5:80"),
            Some(EventKind::AddressUnavailable { port: Some(80), .. })
        ));
        assert_eq!(
            classify_event("Error: loading initial config: loading new config: http app module: start: listening on :443: listen tcp :443: bind: permission denied"),
            Some(EventKind::PermissionDenied {
                port: Some(443),
                path: None
            })
        );
        assert_eq!(
            classify_event("no listening sockets available, shutting down"),
            Some(EventKind::StartFailed { unit: None })
        );
        assert_eq!(
            classify_event("httpd[10572]: httpd (pid 6759) already running"),
            Some(EventKind::AlreadyRunning { pid: Some(6759) })
        );
    }

    #[test]
    fn log_lines_name_their_program() {
        for (t, want) in [
            ("Nov 24 10:02:17 web2 nginx[3391]: nginx: [emerg] bind() to 0.0.0.0:443 failed", "nginx"),
            ("2014/11/12 12:17:26 [emerg] 26659#0: bind() to 0.0.0.0:80 failed (98: Address already in use)", "nginx"),
            ("(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80", "apache"),
            ("no listening sockets available, shutting down", "apache"),
            ("listening on :80: listen tcp :80: bind: address already in use; loading new config", "caddy"),
            ("[ERROR] HttpListener::start(): Can't listen at address Default: Address already in use!", "lsws"),
        ] {
            assert_eq!(program_in_text(t).as_deref(), Some(want), "{t}");
        }
        assert_eq!(
            program_of_line("Nov 25 06:01:10 web3 systemd[1]: node-exporter.service: Failed with result 'exit-code'.").as_deref(),
            Some("node-exporter")
        );
    }

    #[test]
    fn compose_log_prefixes_name_the_service() {
        for (t, want) in [
            ("ad-reverse-proxy_1  | (98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:443", "ad-reverse-proxy_1"),
            ("web-1  | 2024/03/01 10:00:00 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)", "web-1"),
            ("nginx_proxy | nginx: [emerg] host not found in upstream", "nginx_proxy"),
        ] {
            assert_eq!(compose_prefix(t), Some(want), "{t}");
        }
        for t in [
            "(98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:443",
            "Nov 24 10:02:17 web2 nginx[3391]: nginx: [emerg] bind() | failed",
            "| tcp | 443 | ALLOW |",
        ] {
            assert_eq!(compose_prefix(t), None, "{t}");
        }
    }

    fn server_of(paste: &str) -> Option<ServerRole> {
        let facts =
            crate::case::read_case_with(&[crate::parse::CaseInput::new("t.txt", paste)], &[]);
        crate::diagnose::diagnose(&facts, &Default::default())
            .roles
            .server
    }

    #[test]
    fn a_config_under_a_docker_volume_means_a_container() {
        let conf = "    listen 443 ssl http2;\n    ssl_certificate /etc/nginx/flarum/cert.pem;\n";
        let boxed = server_of(&format!(
            "I placed my key.pem and cert.pem in the /mnt/docker/flarum/nginx folder with this vhost:\n{conf}"
        ))
        .expect("nginx from the config");
        assert_eq!(boxed.container.as_deref(), Some(UNNAMED_CONTAINER));
        let host = server_of(&format!(
            "I placed my key.pem and cert.pem in the /etc/nginx/flarum folder with this vhost:\n{conf}"
        ))
        .expect("nginx from the config");
        assert_eq!(host.container, None);
    }

    #[test]
    fn truncated_process_names_are_recognised() {
        // ss prints 15 characters of the command, lsof 9.
        assert_eq!(program("/usr/sbin/apach"), "apache2");
        assert!(is_web_process("/usr/sbin/apach"));
        assert_eq!(program("nginx"), "nginx");
        assert_eq!(program("node"), "node");
        assert!(!is_web_process("prometheus-node"));
        assert_eq!(unit_of_process("litespeed").as_deref(), Some("lsws"));
        assert_eq!(unit_of_process("java"), None);
    }
}
