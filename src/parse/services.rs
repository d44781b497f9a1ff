//! Web server state and failure evidence: `systemctl status` (with the
//! journal lines below it, ellipsized or not), `service X status` (sysvinit
//! and the systemd redirect), `nginx -t`, `apachectl configtest`,
//! `caddy validate`, raw journal and error-log lines, `docker ps` and
//! `docker compose ps` (v1 and v2 layouts).
//!
//! Guarantees: every non-blank line is counted as understood or reported in
//! `not_understood`; events are recognised from fragments that survive
//! systemd's ellipsizing (`truncated` is then set); linear time, no panics.

use std::net::IpAddr;

use serde::Serialize;

use super::textscan::{after_ci, between, command_of, contains_ci, split_host_port, SockHost};
use crate::text::{Line, NotUnderstood};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceState {
    Running,
    Stopped,
    Failed,
    Activating,
    /// `Unit nginx.service could not be found` / `Loaded: not-found`.
    NotFound,
    Unknown,
}

/// One unit or sysvinit service and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Unit name without `.service` (`nginx`, `apache2`, `lshttpd`, ...).
    pub name: String,
    pub state: ServiceState,
    /// The sub-state in parentheses: `running`, `dead`, `exited`, `auto-restart`.
    pub sub: Option<String>,
    /// `Result: exit-code` / `timeout` / `oom-kill` / `signal`.
    pub result: Option<String>,
    pub since: Option<String>,
    pub main_pid: Option<u32>,
    /// `enabled` / `disabled` / `masked` from the Loaded: line.
    pub enabled: Option<String>,
    /// `Loaded: error (Reason: Bad message)`: systemd could not load the
    /// unit file; the reason as printed.
    pub load_error: Option<String>,
    pub line: usize,
    /// The `Active:` (or sysvinit status) line that gives the state.
    pub state_line: Option<usize>,
}

impl Service {
    /// A service named on line `line`, with nothing else known yet.
    pub fn new(name: String, state: ServiceState, line: usize) -> Self {
        Service {
            name,
            state,
            sub: None,
            result: None,
            since: None,
            main_pid: None,
            enabled: None,
            load_error: None,
            line,
            state_line: None,
        }
    }

    /// Whether this unit is a web server Cloudflare would connect to.
    pub fn is_web_server(&self) -> bool {
        is_web_server_name(&self.name)
    }
}

/// Names of web servers and reverse proxies that can be the origin.
pub fn is_web_server_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.trim_end_matches(".service");
    [
        "nginx",
        "apache2",
        "httpd",
        "apache",
        "lsws",
        "lshttpd",
        "openlitespeed",
        "litespeed",
        "caddy",
        "haproxy",
        "traefik",
        "envoy",
        "h2o",
        "lighttpd",
        "openresty",
        "angie",
        "tengine",
    ]
    .iter()
    .any(|w| n == *w || n.starts_with(&format!("{w}@")) || n.starts_with(&format!("{w}-")))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    /// `Address already in use` when binding; `addr`/`port` when printed.
    BindConflict {
        addr: Option<String>,
        port: Option<u16>,
    },
    /// `(99: Cannot assign requested address)` when binding: the address is
    /// not on this host (an IP change, or the network was not up yet).
    AddressUnavailable {
        addr: Option<String>,
        port: Option<u16>,
    },
    /// `(13: Permission denied)`; `port` when it was a bind, `path` for a file.
    PermissionDenied {
        port: Option<u16>,
        path: Option<String>,
    },
    /// A configuration test or start reported an error at `file:file_line`.
    ConfigError {
        file: Option<String>,
        file_line: Option<u32>,
    },
    ConfigTestFailed,
    ConfigTestOk,
    MissingCertificate {
        path: Option<String>,
    },
    UpstreamNotFound {
        host: String,
    },
    StartTimeout,
    OomKill {
        process: Option<String>,
    },
    /// LiteSpeed: "No listener is available".
    NoListener,
    /// `httpd (pid 6759) already running`: a start failed because a copy
    /// of the server runs already (outside its unit).
    AlreadyRunning {
        pid: Option<u32>,
    },
    TooManyOpenFiles,
    WorkerConnectionsExhausted,
    /// `Failed to start ...` / `Failed with result 'exit-code'`.
    StartFailed {
        unit: Option<String>,
    },
    /// A `Process:` or `Main process exited` line with a failing status.
    ProcessExited {
        status: String,
    },
    UnitNotFound {
        unit: String,
    },
    /// nginx logged a client request whose backend failed (`connect()
    /// failed (111: Connection refused) while connecting to upstream`, `no
    /// live upstreams`): the front server was up and serving; the backend
    /// behind it gives a 502/504, not a 521.
    UpstreamFailed {
        upstream: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceEvent {
    pub kind: EventKind,
    /// The unit the block is about, when known.
    pub service: Option<String>,
    /// The line was cut by systemd (`…`/`...`): the match is on a fragment.
    pub truncated: bool,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerStatus {
    Up,
    Exited,
    Restarting,
    Created,
    Paused,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    /// `None` when Docker printed no address (all addresses).
    pub host_addr: Option<IpAddr>,
    /// `None` when only exposed inside (`443/tcp`), not published.
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub proto: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    pub status: ContainerStatus,
    pub status_text: String,
    pub published: Vec<PublishedPort>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceFacts {
    pub services: Vec<Service>,
    pub events: Vec<ServiceEvent>,
    pub containers: Vec<Container>,
    /// Rows of `ps -ef` / `ps aux` (and `| grep`): running processes.
    pub processes: Vec<ProcessRow>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// One running process from `ps -ef` or `ps aux`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessRow {
    /// The program (`nginx`, `apache2`, `httpd`), from its command.
    pub program: String,
    pub pid: u32,
    pub line: usize,
}

/// A `ps -ef` row (`root 14931 1 0 15:28 ? 00:00:00 nginx: master process
/// /usr/sbin/nginx`) or a `ps aux` row (`www-data 812 0.0 0.3 ... S 10:00
/// 0:00 /usr/sbin/apache2 -k start`): the user, the pid, then columns up to
/// the cumulative CPU time, then the command. `None` for the `grep` that
/// found the rows, and for anything else.
pub fn ps_row(t: &str, line: usize) -> Option<ProcessRow> {
    let toks: Vec<&str> = t.split_whitespace().collect();
    let pid: u32 = toks.get(1)?.parse().ok()?;
    // PPID and C (ps -ef), or %CPU and %MEM (ps aux): numbers.
    let numeric = |i: usize| {
        toks.get(i)
            .is_some_and(|w| w.parse::<f64>().is_ok_and(f64::is_finite))
    };
    if !numeric(2) || !numeric(3) {
        return None;
    }
    let user_ok = toks.first().is_some_and(|u| {
        u.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_-.+".contains(&c))
    });
    let timeish = |w: &str| {
        w.contains(':')
            && w.bytes()
                .all(|c| c.is_ascii_digit() || c == b':' || c == b'-' || c == b'.')
    };
    // The command follows the last time column (STIME/START, then TIME).
    let time_at = (2..toks.len().min(11))
        .rev()
        .find(|&i| toks.get(i).is_some_and(|w| timeish(w)))?;
    let cmd = toks.get(time_at + 1)?;
    let program = cmd.trim_end_matches(':').rsplit('/').next().unwrap_or(cmd);
    let program = program.trim_start_matches('[').trim_end_matches(']');
    if !user_ok || program.is_empty() || program == "grep" {
        return None;
    }
    Some(ProcessRow {
        program: program.to_string(),
        pid,
        line,
    })
}

/// The units `systemctl is-active a b` asks about, in order; empty for
/// any other command.
fn is_active_units(cmd: &str) -> Vec<String> {
    let words: Vec<&str> = cmd.split_whitespace().filter(|w| *w != "sudo").collect();
    if words.first() != Some(&"systemctl") || words.get(1) != Some(&"is-active") {
        return Vec::new();
    }
    words
        .iter()
        .skip(2)
        .filter(|w| !w.starts_with('-'))
        .map(|w| w.trim_end_matches(".service").to_string())
        .collect()
}

/// systemctl refusing a unit: `Unit nginx.service is masked.` (true) or
/// `Unit nginx.service failed to load: Bad message.` (false, the reason).
fn unit_refusal(t: &str) -> Option<(String, bool, Option<String>)> {
    let rest = after_ci(t, "unit ")?;
    let (unit, tail) = rest.split_once(".service")?;
    if unit.is_empty() || unit.contains(char::is_whitespace) {
        return None;
    }
    let tail = tail.trim_start();
    if tail.starts_with("is masked") {
        return Some((unit.to_string(), true, None));
    }
    let reason = tail.strip_prefix("failed to load:")?;
    let reason = reason.split(". See").next().unwrap_or(reason);
    Some((
        unit.to_string(),
        false,
        Some(reason.trim().trim_end_matches('.').to_string()),
    ))
}

/// `UID PID PPID C STIME TTY TIME CMD` (ps -ef) or `USER PID %CPU ...
/// COMMAND` (ps aux).
fn is_ps_header(t: &str) -> bool {
    let w: Vec<&str> = t.split_whitespace().collect();
    matches!(w.first(), Some(&"UID") | Some(&"USER"))
        && w.get(1) == Some(&"PID")
        && matches!(w.last(), Some(&"CMD") | Some(&"COMMAND"))
}

/// Confidence (0-100) that `lines` are service status, config test or log output.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        if unit_header(t).is_some() {
            score += 50;
        } else if t.starts_with("Loaded:") || t.starts_with("Active:") || t.starts_with("Main PID:")
        {
            score += 30;
        } else if is_headerless_ps_row(t) || is_headerless_compose_row(t) || is_ps_header(t) {
            score += 40;
        } else if ps_row(t, 0).is_some_and(|p| is_web_server_name(&p.program)) {
            // `ps -ef | grep nginx`: the server's own processes.
            score += 25;
        } else if t.starts_with("CONTAINER ID")
            || (t.starts_with("NAME") && t.contains("STATUS") && t.contains("IMAGE"))
        {
            score += 60;
        } else if (t.contains('(')
            || contains_ci(t, "address")
            || contains_ci(t, "allocated")
            || t.contains("upstream"))
            && matches!(
                classify_event(t),
                Some(EventKind::BindConflict { port: Some(_), .. })
                    | Some(EventKind::AddressUnavailable { .. })
                    | Some(EventKind::UpstreamFailed { .. })
            )
        {
            // A server's bind error names its address, and only nginx
            // writes `while connecting to upstream`: one line is enough.
            score += 50;
        } else if t.contains("syntax is ok")
            || t.contains("Syntax OK")
            || t.contains("[emerg]")
            || t.contains("AH00")
        {
            // Only web servers print these: one line is enough.
            score += 50;
        } else if let Some(c) = command_of(t) {
            let c = c.trim_start_matches("sudo ");
            if [
                "systemctl",
                "service ",
                "journalctl",
                "nginx -t",
                "apachectl",
                "apache2ctl",
                "httpd -t",
                "caddy",
                "docker",
            ]
            .iter()
            .any(|p| c.starts_with(p))
            {
                score += 40;
            }
        } else if classify_event(t).is_some() {
            score += 25;
        }
    }
    score.min(100) as u8
}

/// `● nginx.service - A high performance web server` and the bulletless and
/// `*` forms. Returns the unit name without `.service`.
fn unit_header(t: &str) -> Option<String> {
    let t = t
        .trim_start_matches(['●', '*', '○', '×', '↻', '✗'])
        .trim_start();
    let first = t.split_whitespace().next()?;
    let unit = first.strip_suffix(".service").or_else(|| {
        // Other unit types (socket, timer) print the same way.
        [".socket", ".timer", ".target", ".mount"]
            .iter()
            .find_map(|s| first.strip_suffix(s).map(|_| first))
    })?;
    let rest = t.get(first.len()..)?.trim_start();
    if !(rest.is_empty() || rest.starts_with("- ") || rest == "-") {
        return None;
    }
    if unit.is_empty() || unit.contains('/') {
        return None;
    }
    Some(unit.to_string())
}

fn is_truncated(t: &str) -> bool {
    t.ends_with('…') || t.ends_with("...")
}

/// A port number at the end of `addr:port` text such as `0.0.0.0:80`,
/// `[::]:443`, `:80` (Go's `listen tcp :80`).
fn addr_port(text: &str) -> (Option<String>, Option<u16>) {
    let t = text
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '[' && !text.contains("]:") || c == ',');
    if let Some((host, port)) = split_host_port(t) {
        let h = match host {
            SockHost::Star => "*".to_string(),
            SockHost::Addr(a) => a.to_string(),
        };
        return (Some(h), port);
    }
    if let Some(p) = t.strip_prefix(':') {
        return (None, p.parse().ok());
    }
    (None, None)
}

/// The first token of `s` up to a delimiter that ends an address.
fn addr_token(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| c.is_whitespace() || c == ',' || c == ')' || c == '"' || c == ';')
        .unwrap_or(s.len());
    s.get(..end).unwrap_or(s)
}

fn quoted(s: &str) -> Option<String> {
    between(s, "\"", "\"")
        .or_else(|| between(s, "'", "'"))
        // A message escaped inside JSON quotes its path as `\"/etc/x\"`.
        .map(|q| q.trim_end_matches('\\').to_string())
}

/// The address a bind error names: `bind() to 0.0.0.0:80`, Apache's
/// `bind to address [::]:443`, Docker's `Bind for`, Go's `listen tcp :443`,
/// LiteSpeed's `failed to start listener on address *:443`.
fn bind_spot(t: &str) -> Option<&str> {
    after_ci(t, "bind() to ")
        .or_else(|| after_ci(t, "bind to address "))
        .or_else(|| after_ci(t, "Bind for "))
        .or_else(|| after_ci(t, "listen tcp4 "))
        .or_else(|| after_ci(t, "listen tcp6 "))
        .or_else(|| after_ci(t, "listen tcp "))
        .or_else(|| after_ci(t, "listener on address "))
        .map(addr_token)
        .map(|s| s.trim_end_matches([':', '!']))
}

/// Recognise one failure or health event in a log or status line.
pub fn classify_event(t: &str) -> Option<EventKind> {
    // long: a flat list of failure phrases of many servers (nginx, Apache, HAProxy, Caddy,
    // systemd); each arm is one phrase.
    let lower = t.to_ascii_lowercase();
    let has = |s: &str| lower.contains(s);
    // A bind line cut before its address and errno (a terminal or a paste
    // cut it) says neither which port nor why: no event.
    if lower.trim_end().ends_with("bind() to") {
        return None;
    }
    if has("cannot assign requested address") || has("(99:") || has("(99)") {
        let spot = bind_spot(t);
        let (addr, port) = spot.map(addr_port).unwrap_or((None, None));
        return Some(EventKind::AddressUnavailable { addr, port });
    }
    if has("address already in use")
        || has("port is already allocated")
        || has("(98:")
        || has("(98)")
        || (has("bind() to ") && has("failed") && !has("(13:"))
    {
        let (addr, port) = match bind_spot(t) {
            // A unix socket file, not a TCP port.
            Some(s) if s.starts_with("unix:") => (Some(s.to_string()), None),
            Some(s) => addr_port(s),
            None => match between(t, "[", "]") {
                // HAProxy: "cannot bind socket (Address already in use) [0.0.0.0:80]"
                Some(inner) => addr_port(inner),
                None => (None, None),
            },
        };
        return Some(EventKind::BindConflict { addr, port });
    }
    // The server gives up after its bind errors: Apache, LiteSpeed.
    if has("no listening sockets available") || has("fatal error in configuration, exit") {
        return Some(EventKind::StartFailed { unit: None });
    }
    if has("could not bind()") {
        // nginx's summary after the per-address bind failures above it.
        return Some(EventKind::BindConflict {
            addr: None,
            port: None,
        });
    }
    // Exhaustion is the cause even when nginx adds the upstream it was
    // connecting to.
    if has("too many open files") || has("(24:") {
        return Some(EventKind::TooManyOpenFiles);
    }
    if has("worker_connections are not enough") {
        return Some(EventKind::WorkerConnectionsExhausted);
    }
    if has("while connecting to upstream")
        || has("while reading response header from upstream")
        || has("no live upstreams")
        || has("upstream prematurely closed")
        || has("upstream timed out")
    {
        let upstream = after_ci(t, "upstream: \"")
            .and_then(|r| r.split('"').next())
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        return Some(EventKind::UpstreamFailed { upstream });
    }
    if has("permission denied") || has("(13:") || has("(13)") {
        if has("bind") || has("can't listen at address") {
            let spot = after_ci(t, "bind() to ")
                .or_else(|| after_ci(t, "bind to address "))
                .or_else(|| after_ci(t, "listen tcp "));
            let port = spot
                .map(addr_token)
                .map(|s| addr_port(s.trim_end_matches(':')).1)
                .unwrap_or(None);
            return Some(EventKind::PermissionDenied { port, path: None });
        }
        return Some(EventKind::PermissionDenied {
            port: None,
            path: quoted(t),
        });
    }
    if has("cannot load certificate")
        || (has("bio_new_file") && (has("no such file") || has("failed")))
        || (has("sslcertificate") && has("does not exist"))
        || (has("certificate") && has("no such file"))
    {
        return Some(EventKind::MissingCertificate { path: quoted(t) });
    }
    if let Some(rest) = after_ci(t, "host not found in upstream ") {
        let host = quoted(rest).unwrap_or_else(|| addr_token(rest).to_string());
        return Some(EventKind::UpstreamNotFound { host });
    }
    if has("start operation timed out")
        || has("result 'timeout'")
        || has("start-pre operation timed out")
    {
        return Some(EventKind::StartTimeout);
    }
    if has("out of memory") || has("oom-kill") || has("oom killer") || has("killed process") {
        let process = after_ci(t, "killed process ")
            .and_then(|r| between(r, "(", ")"))
            .map(str::to_string);
        return Some(EventKind::OomKill { process });
    }
    if has(" already running") && !has("not running") {
        let pid = after_ci(t, "(pid ")
            .and_then(|r| r.split(')').next())
            .and_then(|n| n.trim().parse().ok());
        return Some(EventKind::AlreadyRunning { pid });
    }
    if has("no listener is available") {
        return Some(EventKind::NoListener);
    }
    if has("syntax is ok")
        || has("test is successful")
        || lower.trim() == "syntax ok"
        || lower.trim_end().ends_with(": syntax ok")
        || has("valid configuration")
    {
        return Some(EventKind::ConfigTestOk);
    }
    if has("test failed") || has("action 'configtest' failed") {
        return Some(EventKind::ConfigTestFailed);
    }
    // apachectl's own verdict on `start`/`restart`: `Action 'start' failed.`
    if lower.starts_with("action '") && has("' failed") {
        return Some(EventKind::StartFailed { unit: None });
    }
    if has("ah00526") || has("syntax error on line") {
        let file_line = after_ci(t, "on line ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok());
        let file = after_ci(t, " of ").map(|r| addr_token(r).trim_end_matches(':').to_string());
        return Some(EventKind::ConfigError { file, file_line });
    }
    if has("[emerg]")
        || has("error: adapting config")
        || has("error: loading")
        || (has("caddyfile:") && has("error"))
    {
        // nginx: "... in /etc/nginx/sites-enabled/default:12"
        if let Some(found) = path_with_line(t) {
            return Some(EventKind::ConfigError {
                file: Some(found.0),
                file_line: found.1,
            });
        }
        let (file, file_line) = match after_ci(t, " in /") {
            Some(r) => {
                let tok = addr_token(r);
                match tok.rsplit_once(':') {
                    Some((f, n)) => (Some(format!("/{f}")), n.parse().ok()),
                    None => (Some(format!("/{tok}")), None),
                }
            }
            None => (None, None),
        };
        return Some(EventKind::ConfigError { file, file_line });
    }
    // `Job for nginx.service failed because the control process exited ...`
    if let Some(r) = t.strip_prefix("Job for ") {
        if has(" failed") {
            let unit = r.split_whitespace().next().map(|u| u.to_string());
            return Some(EventKind::StartFailed { unit });
        }
    }
    if let Some(r) = after_ci(t, "failed to start ") {
        return Some(EventKind::StartFailed {
            unit: Some(r.trim().trim_end_matches('.').to_string()),
        });
    }
    if has("failed with result 'exit-code'")
        || has("failed with result 'signal'")
        || has("control process exited")
    {
        return Some(EventKind::StartFailed { unit: None });
    }
    if has("main process exited") {
        if let Some(st) = after_ci(t, "status=") {
            let st = addr_token(st).to_string();
            if !st.starts_with("0/") {
                return Some(EventKind::ProcessExited { status: st });
            }
        }
    }
    if let Some(r) = after_ci(t, "unit ") {
        if has("could not be found") || has(" not found") {
            let unit = addr_token(r).trim_end_matches(".service").to_string();
            return Some(EventKind::UnitNotFound { unit });
        }
    }
    None
}

/// The first `/path/file:N` token (caddy prints `/etc/caddy/Caddyfile:7:`).
fn path_with_line(t: &str) -> Option<(String, Option<u32>)> {
    let tok = t
        .split_whitespace()
        .find(|w| w.starts_with('/') && w.trim_end_matches(':').contains(':'))?;
    let tok = tok.trim_end_matches(':');
    let (path, n) = tok.rsplit_once(':')?;
    Some((path.to_string(), Some(n.parse().ok()?)))
}

/// Lines that belong to the formats here but carry no fact.
fn is_known_noise(t: &str) -> bool {
    let keys = [
        "Docs:",
        "Tasks:",
        "Memory:",
        "CPU:",
        "CGroup:",
        "Status:",
        "TriggeredBy:",
        "Invocation:",
        "IP:",
        "Mem peak:",
        "Drop-In:",
        "Warning:",
        "Notice:",
        "Hint:",
        "Condition:",
        "Triggers:",
        "Listen:",
        "Accepted:",
        "Connected:",
        "IO:",
        "Swap:",
        "Duration:",
        "See \"systemctl status",
        // systemctl's own refusal of enable/disable on a broken unit file.
        "Failed to execute operation:",
        "[sudo] password for ",
        // journalctl -x catalog entries pasted without their `░░`/`--`.
        "Subject: ",
        "Defined-By: ",
        "Support: ",
        "Documentation: ",
        "A start job for unit ",
        "A stop job for unit ",
        "The job identifier is ",
        "An ExecStart",
        "The unit ",
    ];
    if keys.iter().any(|k| t.starts_with(k)) {
        return true;
    }
    // dmesg's own complaint (`dmesg: read kernel buffer failed: Operation
    // not permitted`, kernel.dmesg_restrict or a container): no kernel log
    // to read, and no fact.
    if t.starts_with("dmesg: ") {
        return true;
    }
    // `░░` lines are journalctl -x catalog text.
    if t.starts_with(['├', '└', '│', '|', '`', '░'])
        || t.starts_with("-- ")
        || t.starts_with("man:")
        || t.starts_with("https://")
        || t.starts_with("http://")
        || t.starts_with("file:")
        // `tail -f a b` names each file it prints: `==> /var/log/x <==`.
        || t.starts_with("==> ") && t.ends_with(" <==")
        // Debian/Ubuntu init scripts: ` * Starting web server apache2`,
        // and apachectl's pointer to its log.
        || (t.starts_with("* ") && t.contains("web server"))
        || t.starts_with("The Apache error log may have more information")
    {
        return true;
    }
    // A cgroup process line: "1234 nginx: worker process".
    if t.split_whitespace()
        .next()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        && t.contains(' ')
    {
        return true;
    }
    is_log_line(t)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// journal (`May 01 12:00:00 host unit[1]: ...`), ISO timestamps, nginx
/// error logs (`2024/05/01 12:00:00 [emerg] ...`), Apache (`[Wed May ...]`),
/// and tool-prefixed lines (`nginx: ...`, `AH00558: ...`).
fn is_log_line(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    if MONTHS.contains(&first) {
        return true;
    }
    let b = t.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    if digit(0) && digit(1) && digit(2) && digit(3) && matches!(b.get(4), Some(b'-') | Some(b'/')) {
        return true;
    }
    if t.starts_with('[') && (t.contains(']') || t.ends_with('…')) {
        return true;
    }
    [
        "nginx:",
        "AH0",
        "httpd:",
        "apache2:",
        "caddy",
        "haproxy",
        "traefik",
        "{\"level\"",
        "time=",
        "level=",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// Parse systemctl/service/config-test/log/docker output.
pub fn parse(input: &str, lines: &[Line<'_>]) -> ServiceFacts {
    parse_with(input, lines, None)
}

/// Parse a block whose command line the splitter took off: the command
/// says what a bare answer means (`systemctl is-active nginx`: `active`).
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> ServiceFacts {
    // long: systemctl, service, docker and config-test shapes share the current-service context of
    // one pass.
    let mut f = ServiceFacts::default();
    let mut current: Option<usize> = None; // index into f.services
    let mut docker: Option<DockerLayout> = None;
    // `systemctl is-active nginx` prints one word per unit it was asked.
    let mut is_active: Vec<String> = command.map(is_active_units).unwrap_or_default();
    for l in lines {
        let raw = l.text;
        let t = raw.trim();
        if t.is_empty() {
            docker = None;
            continue;
        }
        let unit_name = current
            .and_then(|i| f.services.get(i))
            .map(|s| s.name.clone());
        if let Some(c) = command_of(raw) {
            is_active = is_active_units(c);
            f.understood_lines += 1;
            docker = None;
            continue;
        }
        if !is_active.is_empty() {
            let state = match t {
                "active" => Some(ServiceState::Running),
                "inactive" => Some(ServiceState::Stopped),
                "failed" => Some(ServiceState::Failed),
                "activating" => Some(ServiceState::Activating),
                _ => None,
            };
            if let Some(state) = state {
                let name = is_active.remove(0);
                f.services.push(Service {
                    state_line: Some(l.no),
                    ..Service::new(name, state, l.no)
                });
                f.understood_lines += 1;
                continue;
            }
            is_active.clear();
        }
        if let Some(layout) = docker_header(t) {
            docker = Some(layout);
            f.understood_lines += 1;
            continue;
        }
        // `docker ps` and `docker-compose ps` rows pasted without their header.
        if docker.is_none() && is_headerless_ps_row(t) {
            docker = Some(DockerLayout::Ps);
        }
        if docker.is_none() && is_headerless_compose_row(t) {
            docker = Some(DockerLayout::Compose);
        }
        if let Some(layout) = docker {
            if t.chars().all(|c| c == '-') {
                f.understood_lines += 1;
                continue;
            }
            match parse_container(t, layout, l.no) {
                Some(c) => {
                    f.containers.push(c);
                    f.understood_lines += 1;
                }
                None => f
                    .not_understood
                    .push(NotUnderstood::new(*l, "docker ps row not readable")),
            }
            continue;
        }
        if let Some(name) = unit_header(t) {
            f.services
                .push(Service::new(name, ServiceState::Unknown, l.no));
            current = f.services.len().checked_sub(1);
            f.understood_lines += 1;
            continue;
        }
        let svc = current.and_then(|i| f.services.get_mut(i));
        if let Some(rest) = t.strip_prefix("Loaded:") {
            if let Some(s) = svc {
                let r = rest.trim();
                if r.starts_with("not-found") {
                    s.state = ServiceState::NotFound;
                }
                if r.starts_with("masked") {
                    s.enabled = Some("masked".into());
                } else if r.starts_with("error") {
                    let reason = after_ci(r, "reason:").unwrap_or(r);
                    s.load_error = Some(reason.trim().trim_end_matches(')').to_string());
                } else if let Some(inner) = between(r, "(", ")") {
                    s.enabled = inner.split(';').nth(1).map(|e| e.trim().to_string());
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Active:") {
            match svc {
                Some(s) => {
                    apply_active(s, rest.trim());
                    s.state_line = Some(l.no);
                }
                None => {
                    // Active: without a header (pasted from the middle).
                    let mut s = Service {
                        state_line: Some(l.no),
                        ..Service::new(String::new(), ServiceState::Unknown, l.no)
                    };
                    apply_active(&mut s, rest.trim());
                    f.services.push(s);
                    current = f.services.len().checked_sub(1);
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Main PID:") {
            if let Some(s) = svc {
                s.main_pid = rest.split_whitespace().next().and_then(|p| p.parse().ok());
            }
            if let Some(st) = after_ci(rest, "status=") {
                let st = addr_token(st).trim_end_matches(')').to_string();
                if !st.starts_with("0/") {
                    push_event(
                        &mut f,
                        EventKind::ProcessExited { status: st },
                        unit_name,
                        l,
                    );
                    continue;
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Process:") {
            if let Some(st) = after_ci(rest, "status=") {
                let st = addr_token(st).trim_end_matches(')').to_string();
                // nginx's ExecStartPre is `nginx -t`: exit 0 is a passed test.
                if st.starts_with("0/") && (rest.contains(" -t ") || rest.contains("configtest")) {
                    push_event(&mut f, EventKind::ConfigTestOk, unit_name.clone(), l);
                    continue;
                }
                if !st.starts_with("0/") {
                    push_event(
                        &mut f,
                        EventKind::ProcessExited { status: st },
                        unit_name.clone(),
                        l,
                    );
                    // The ExecStartPre of nginx is `nginx -t`: a failure there is a config error.
                    if rest.contains("-t ") || rest.contains("configtest") {
                        push_event(&mut f, EventKind::ConfigTestFailed, unit_name, l);
                        f.understood_lines = f.understood_lines.saturating_sub(1);
                    }
                    continue;
                }
            }
            f.understood_lines += 1;
            continue;
        }
        // sysvinit `service X status`.
        if let Some(s) = sysv_status(t, l.no) {
            f.services.push(s);
            current = f.services.len().checked_sub(1);
            f.understood_lines += 1;
            continue;
        }
        if t.starts_with("Redirecting to ") {
            f.understood_lines += 1;
            continue;
        }
        // LiteSpeed names the port on the line after its bind error:
        // `[config:...] failed to start listener on address *:7080!`.
        if let Some(spot) = after_ci(t, "failed to start listener on address ") {
            let (addr, port) = addr_port(addr_token(spot).trim_end_matches('!'));
            let filled = match f.events.last_mut().map(|e| &mut e.kind) {
                Some(EventKind::BindConflict {
                    addr: a @ None,
                    port: p @ None,
                }) => {
                    *a = addr;
                    *p = port;
                    true
                }
                Some(EventKind::PermissionDenied { port: p @ None, .. }) => {
                    *p = port;
                    true
                }
                _ => false,
            };
            if filled {
                f.understood_lines += 1;
                continue;
            }
        }
        // `Failed to start nginx.service: Unit nginx.service is masked.`,
        // `... Unit nginx.service failed to load: Bad message.`: what keeps
        // the unit from starting, kept on the unit.
        if let Some((unit, masked, reason)) = unit_refusal(t) {
            let pos = f.services.iter().position(|s| s.name == unit);
            let s = match pos {
                Some(i) => f.services.get_mut(i),
                None => {
                    f.services
                        .push(Service::new(unit, ServiceState::Unknown, l.no));
                    f.services.last_mut()
                }
            };
            if let Some(s) = s {
                if masked {
                    s.enabled = Some("masked".into());
                } else {
                    s.load_error = reason;
                }
            }
            f.understood_lines += 1;
            continue;
        }
        if is_ps_header(t) {
            f.understood_lines += 1;
            continue;
        }
        if let Some(p) = ps_row(t, l.no) {
            f.processes.push(p);
            f.understood_lines += 1;
            continue;
        }
        // The `grep nginx` row that `ps -ef | grep nginx` also prints.
        if t.contains("grep") && ps_row(&t.replace("grep", "x"), l.no).is_some() {
            f.understood_lines += 1;
            continue;
        }
        if let Some(kind) = classify_event(t) {
            let mut about = unit_name;
            if let EventKind::UnitNotFound { unit } = &kind {
                about = Some(unit.clone());
                f.services.push(Service {
                    state_line: Some(l.no),
                    ..Service::new(unit.clone(), ServiceState::NotFound, l.no)
                });
            }
            push_event(&mut f, kind, about, l);
            continue;
        }
        if is_known_noise(t) {
            f.understood_lines += 1;
            continue;
        }
        f.not_understood.push(NotUnderstood::new(
            *l,
            "not a service status, config test or log line",
        ));
    }
    f
}

fn push_event(f: &mut ServiceFacts, kind: EventKind, service: Option<String>, l: &Line<'_>) {
    f.understood_lines += 1;
    f.events.push(ServiceEvent {
        kind,
        service,
        truncated: is_truncated(l.text.trim_end()),
        line: l.no,
        text: l.text.trim().to_string(),
    });
}

/// `active (running) since Thu 2020-09-10 12:40:49 PDT; 1h ago`,
/// `failed (Result: exit-code) since ...`, `activating (auto-restart) (Result: timeout) since ...`.
fn apply_active(s: &mut Service, r: &str) {
    let word = r.split_whitespace().next().unwrap_or("");
    let sub = between(r, "(", ")").map(str::to_string);
    s.state = match (word, sub.as_deref()) {
        ("active", Some("running")) | ("reloading", _) => ServiceState::Running,
        ("active", Some("exited")) => ServiceState::Unknown,
        ("active", _) => ServiceState::Running,
        ("inactive", _) | ("deactivating", _) => ServiceState::Stopped,
        ("failed", _) => ServiceState::Failed,
        ("activating", _) => ServiceState::Activating,
        _ => s.state,
    };
    if let Some(res) = after_ci(r, "Result: ") {
        s.result = Some(addr_token(res).trim_end_matches(')').to_string());
        if word != "failed" {
            s.sub = sub;
        }
    } else {
        s.sub = sub;
    }
    s.since = r
        .split_once(" since ")
        .map(|(_, x)| x.split(';').next().unwrap_or(x).trim().to_string());
}

/// ` * nginx is running`, `nginx (pid 123) is running...`, `httpd is stopped`,
/// ` * apache2 is not running`.
fn sysv_status(t: &str, line: usize) -> Option<Service> {
    let t = t.trim_start_matches(['*', ' ']);
    let (head, state) = if let Some(h) = t.split_once(" is not running").map(|x| x.0) {
        (h, ServiceState::Stopped)
    } else if let Some(h) = t.split_once(" is stopped").map(|x| x.0) {
        (h, ServiceState::Stopped)
    } else if let Some(h) = t.split_once(" dead but ").map(|x| x.0) {
        (h, ServiceState::Failed)
    } else if let Some(h) = t.split_once(" is running").map(|x| x.0) {
        (h, ServiceState::Running)
    } else {
        return None;
    };
    let name = head.split_whitespace().next()?.to_string();
    let main_pid = between(head, "(pid", ")").and_then(|p| p.trim().parse().ok());
    if name.contains(':') || name.contains('/') {
        return None;
    }
    Some(Service {
        main_pid,
        state_line: Some(line),
        ..Service::new(name, state, line)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DockerLayout {
    /// `docker ps`: NAMES is the last column.
    Ps,
    /// `docker compose ps` (v2) and `docker-compose ps` (v1): NAME first.
    Compose,
}

fn docker_header(t: &str) -> Option<DockerLayout> {
    if t.starts_with("CONTAINER ID") {
        return Some(DockerLayout::Ps);
    }
    let w: Vec<&str> = t.split_whitespace().collect();
    let first = w.first()?;
    if (*first == "NAME" || *first == "Name")
        && w.iter().any(|x| {
            x.eq_ignore_ascii_case("ports")
                || x.eq_ignore_ascii_case("state")
                || x.eq_ignore_ascii_case("status")
        })
    {
        return Some(DockerLayout::Compose);
    }
    None
}

/// A `docker ps` row: a 12-digit hex container ID first, a status
/// (`Up 6 minutes`, `Exited (0) 2 hours ago`) after it.
pub fn is_headerless_ps_row(t: &str) -> bool {
    let mut toks = t.split_whitespace();
    let id_ok = toks
        .next()
        .is_some_and(|id| id.len() == 12 && id.bytes().all(|c| c.is_ascii_hexdigit()));
    id_ok && toks.any(|w| matches!(w, "Up" | "Exited" | "Restarting" | "Created" | "Paused"))
}

/// A `docker-compose ps` (v1) row: a compose container name
/// (`project_web_1`, `project-web-1`) first, then a state word, then port
/// columns (`Up      443/tcp, 0.0.0.0:32774->80/tcp`).
pub fn is_headerless_compose_row(t: &str) -> bool {
    let toks: Vec<&str> = t.split_whitespace().collect();
    let name_ok = toks.first().is_some_and(|n| {
        n.rsplit_once(['_', '-']).is_some_and(|(stem, num)| {
            !stem.is_empty() && !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit())
        }) && n
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
    });
    let state = toks
        .iter()
        .skip(1)
        .position(|w| matches!(*w, "Up" | "Exit" | "Restarting" | "Paused"));
    let ports_after = state.is_some_and(|i| toks.iter().skip(i + 2).any(|w| is_port_token(w)));
    name_ok && ports_after
}

fn parse_container(t: &str, layout: DockerLayout, line: usize) -> Option<Container> {
    let toks: Vec<&str> = t.split_whitespace().collect();
    let (name, image) = match layout {
        DockerLayout::Ps => (toks.last()?.to_string(), toks.get(1).map(|s| s.to_string())),
        DockerLayout::Compose => {
            let img = toks
                .get(1)
                .filter(|s| !s.starts_with('"') && !s.starts_with('/') && s.contains([':', '/']))
                .map(|s| s.to_string());
            (toks.first()?.to_string(), img)
        }
    };
    // Status: the first status word after the image/command.
    let mut status = ContainerStatus::Other;
    let mut status_text = String::new();
    let mut in_quotes = false;
    for (i, w) in toks.iter().enumerate().skip(1) {
        // Words of the quoted COMMAND column are not status words.
        let quotes = w.matches('"').count();
        if in_quotes || quotes > 0 {
            if quotes % 2 == 1 {
                in_quotes = !in_quotes;
            }
            continue;
        }
        let st = match w.to_ascii_lowercase().as_str() {
            "up" | "running" => ContainerStatus::Up,
            "exited" | "exit" => ContainerStatus::Exited,
            "restarting" => ContainerStatus::Restarting,
            "created" => ContainerStatus::Created,
            "paused" => ContainerStatus::Paused,
            _ => continue,
        };
        // "Created" also appears as a column word in "2 hours ago"? no; but
        // in docker ps CREATED is "... ago": skip a match that is followed by "ago".
        status = st;
        let rest: Vec<&str> = toks
            .iter()
            .skip(i)
            .take_while(|x| !is_port_token(x))
            .copied()
            .collect();
        let mut text = rest.join(" ");
        if layout == DockerLayout::Ps {
            if let Some(stripped) = text.strip_suffix(name.as_str()) {
                text = stripped.trim_end().to_string();
            }
        }
        status_text = text;
        break;
    }
    let mut published = Vec::new();
    for tok in toks.iter().filter(|x| is_port_token(x)) {
        for part in tok.split(',').filter(|p| !p.is_empty()) {
            published.extend(parse_port_mapping(part));
        }
    }
    Some(Container {
        name,
        image,
        status,
        status_text,
        published,
        line,
    })
}

fn is_port_token(t: &str) -> bool {
    t.contains("/tcp") || t.contains("/udp") || t.contains("->")
}

/// `0.0.0.0:80->80/tcp`, `:::80->80/tcp`, `[::]:443->443/tcp`, `443/tcp`,
/// `0.0.0.0:8000-8001->8000-8001/tcp` (ranges expanded, capped).
fn parse_port_mapping(p: &str) -> Vec<PublishedPort> {
    let p = p.trim().trim_end_matches(',');
    let (left, right) = match p.split_once("->") {
        Some((l, r)) => (Some(l), r),
        None => (None, p),
    };
    let (cport, proto) = right.split_once('/').unwrap_or((right, "tcp"));
    let range = |s: &str| -> Option<(u16, u16)> {
        match s.split_once('-') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => {
                let n = s.parse().ok()?;
                Some((n, n))
            }
        }
    };
    let Some((c0, c1)) = range(cport) else {
        return Vec::new();
    };
    let (host_addr, hrange) = match left {
        None => (None, None),
        Some(l) => {
            let (h, port) = if let Some(rest) = l.strip_prefix('[') {
                match rest.split_once("]:") {
                    Some((h, port)) => (h, port),
                    None => return Vec::new(),
                }
            } else {
                l.rsplit_once(':').unwrap_or(("", l))
            };
            let addr = if h.is_empty() {
                None
            } else {
                h.parse::<IpAddr>().ok()
            };
            (addr, range(port))
        }
    };
    let mut out = Vec::new();
    let count = c1.saturating_sub(c0).min(1024);
    for off in 0..=count {
        let Some(c) = c0.checked_add(off) else { break };
        let host_port = hrange.and_then(|(h0, _)| h0.checked_add(off));
        out.push(PublishedPort {
            host_addr,
            host_port,
            container_port: c,
            proto: proto.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str) -> ServiceFacts {
        parse(s, &lines(s))
    }

    #[test]
    fn systemctl_is_active_answers_per_unit() {
        let f = p("root@app:~# systemctl is-active nginx php8.2-fpm\nactive\nfailed\n");
        let got: Vec<(&str, ServiceState)> = f
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.state))
            .collect();
        assert_eq!(
            got,
            vec![
                ("nginx", ServiceState::Running),
                ("php8.2-fpm", ServiceState::Failed)
            ]
        );
        assert!(f.not_understood.is_empty());
        // The same word after another command is not a unit state.
        assert!(p("$ systemctl status nginx\nactive\n").services.is_empty());
    }

    #[test]
    fn journal_catalog_text_and_masked_units_are_read() {
        let f = p("Jan 18 02:50:14 video systemd[1]: Starting nginx.service - A high performance web server...\n Subject: A start job for unit nginx.service has begun execution\n Defined-By: systemd\n A start job for unit nginx.service has begun execution.\n The job identifier is 146.\nJan 18 02:51:45 video systemd[1]: nginx.service: start operation timed out. Terminating.\nFailed to start nginx.service: Unit nginx.service is masked.\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert!(f.events.iter().any(|e| e.kind == EventKind::StartTimeout));
        assert_eq!(
            f.services
                .iter()
                .find(|s| s.name == "nginx")
                .and_then(|s| s.enabled.as_deref()),
            Some("masked")
        );
        let f = p("\u{25cf} nginx.service - nginx\n   Loaded: error (Reason: Bad message)\n   Active: inactive (dead)\n");
        assert_eq!(f.services[0].load_error.as_deref(), Some("Bad message"));
    }

    #[test]
    fn a_bind_line_cut_before_its_address_is_no_event() {
        assert_eq!(
            classify_event("nginx[4748]: 2025/04/18 21:43:06 [emerg] 4748#4748: bind() to"),
            None
        );
    }

    #[test]
    fn events_from_fragments() {
        let k = |s: &str| classify_event(s);
        assert_eq!(
            k("nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)"),
            Some(EventKind::BindConflict {
                addr: Some("0.0.0.0".into()),
                port: Some(80)
            })
        );
        assert_eq!(
            k("nginx: [emerg] bind() to [::]:443 failed (98: Addr…"),
            Some(EventKind::BindConflict {
                addr: Some("::".into()),
                port: Some(443)
            })
        );
        assert_eq!(
            k("(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80"),
            Some(EventKind::BindConflict {
                addr: Some("::".into()),
                port: Some(80)
            })
        );
        assert_eq!(
            k("Error: listen tcp :443: bind: address already in use"),
            Some(EventKind::BindConflict {
                addr: None,
                port: Some(443)
            })
        );
        assert_eq!(
            k("nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)"),
            Some(EventKind::PermissionDenied {
                port: Some(80),
                path: None
            })
        );
        assert_eq!(
            k("nginx: [emerg] host not found in upstream \"app:3000\" in /etc/nginx/conf.d/default.conf:5"),
            Some(EventKind::UpstreamNotFound { host: "app:3000".into() })
        );
        assert_eq!(
            k("2020/08/08 13:17:26 [error] 19#19: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.7, server: a.example, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:80/\", host: \"a.example\""),
            Some(EventKind::UpstreamFailed { upstream: Some("http://172.18.0.3:80/".into()) })
        );
        assert_eq!(
            k("2021/07/19 23:02:51 [error] 222#222: *7441 no live upstreams while connecting to upstream, client: 192.0.2.1"),
            Some(EventKind::UpstreamFailed { upstream: None })
        );
        assert_eq!(
            unit_refusal("Failed to start nginx.service: Unit nginx.service is masked."),
            Some(("nginx".into(), true, None))
        );
        assert_eq!(
            unit_refusal("Failed to start nginx.service: Unit nginx.service failed to load: Bad message. See system logs and 'systemctl status nginx.service' for details."),
            Some(("nginx".into(), false, Some("Bad message".into())))
        );
        assert_eq!(unit_refusal("Unit nginx.service has failed."), None);
        let row = |t: &str| ps_row(t, 1).map(|p| (p.program, p.pid));
        assert_eq!(
            row("root     14931     1  0 15:28 ?        00:00:00 nginx: master process /usr/sbin/nginx"),
            Some(("nginx".into(), 14931))
        );
        assert_eq!(
            row("www-data   812  0.0  0.3 226400  6540 ?        S    10:00   0:00 /usr/sbin/apache2 -k start"),
            Some(("apache2".into(), 812))
        );
        assert_eq!(
            row("root     14976 14594  0 15:41 pts/1    00:00:00 grep --color=auto nginx"),
            None
        );
        // Not process rows: a journal line, a netstat row, an lsof row.
        assert_eq!(
            row("Jan 18 02:50:14 video systemd[1]: Starting nginx.service"),
            None
        );
        assert_eq!(row("tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      2570/sshd"), None);
        assert_eq!(row("nginx   27584       root    6u  IPv4  43582      0t0  TCP localhost:https (LISTEN)"), None);
        assert_eq!(
            k("Action 'start' failed."),
            Some(EventKind::StartFailed { unit: None })
        );
        assert_eq!(
            k("Action 'configtest' failed."),
            Some(EventKind::ConfigTestFailed)
        );
        // Running out of connections on the way to the upstream is nginx's
        // own shortage, not a failing backend.
        assert_eq!(
            k("2026/11/24 09:12:01 [alert] 812#812: *4096 1024 worker_connections are not enough while connecting to upstream"),
            Some(EventKind::WorkerConnectionsExhausted)
        );
        // A bind refused by SELinux is not an upstream failure.
        assert!(matches!(
            k("nginx: [emerg] bind() to 0.0.0.0:8080 failed (13: Permission denied)"),
            Some(EventKind::PermissionDenied {
                port: Some(8080),
                ..
            })
        ));
        assert_eq!(
            k(
                r#"nginx: [emerg] cannot load certificate \"/etc/nginx/certs/c.crt\": BIO_new_file() failed"#
            ),
            Some(EventKind::MissingCertificate {
                path: Some("/etc/nginx/certs/c.crt".into())
            })
        );
        assert_eq!(
            k("Out of memory: Killed process 1234 (php-fpm7.4) total-vm:1kB"),
            Some(EventKind::OomKill {
                process: Some("php-fpm7.4".into())
            })
        );
        assert_eq!(
            k("nginx: [emerg] unknown directive \"sever_name\" in /etc/nginx/sites-enabled/default:12"),
            Some(EventKind::ConfigError { file: Some("/etc/nginx/sites-enabled/default".into()), file_line: Some(12) })
        );
        assert_eq!(
            k("AH00526: Syntax error on line 33 of /etc/apache2/sites-enabled/000-default.conf:"),
            Some(EventKind::ConfigError {
                file: Some("/etc/apache2/sites-enabled/000-default.conf".into()),
                file_line: Some(33)
            })
        );
        assert_eq!(k("Syntax OK"), Some(EventKind::ConfigTestOk));
        assert_eq!(
            k("2024/05/01 10:00:00 [alert] 12#12: 768 worker_connections are not enough"),
            Some(EventKind::WorkerConnectionsExhausted)
        );
        assert_eq!(
            k("accept4() failed (24: Too many open files)"),
            Some(EventKind::TooManyOpenFiles)
        );
        assert_eq!(k("hello world"), None);
    }

    #[test]
    fn active_states() {
        let f = p("× nginx.service - nginx\n     Active: failed (Result: exit-code) since Mon 2024-05-06 10:00:00 UTC; 5s ago\n");
        let s = &f.services[0];
        assert_eq!(
            (s.name.as_str(), s.state, s.result.as_deref()),
            ("nginx", ServiceState::Failed, Some("exit-code"))
        );
        assert_eq!(s.since.as_deref(), Some("Mon 2024-05-06 10:00:00 UTC"));
        let f = p("* apache2.service - The Apache HTTP Server\n   Active: activating (auto-restart) (Result: timeout) since x; 1s ago\n");
        let s = &f.services[0];
        assert_eq!(
            (s.state, s.sub.as_deref(), s.result.as_deref()),
            (
                ServiceState::Activating,
                Some("auto-restart"),
                Some("timeout")
            )
        );
    }

    #[test]
    fn sysv_and_unknown() {
        let f = p(" * nginx is not running\nhttpd (pid  1234) is running...\nzzz qqq\n");
        assert_eq!(f.services[0].state, ServiceState::Stopped);
        assert_eq!(
            (f.services[1].name.as_str(), f.services[1].main_pid),
            ("httpd", Some(1234))
        );
        assert_eq!(f.not_understood.len(), 1);
    }

    #[test]
    fn port_mappings() {
        let m = parse_port_mapping(":::80->80/tcp");
        assert_eq!(m[0].host_addr, "::".parse().ok());
        assert_eq!(m[0].host_port, Some(80));
        let m = parse_port_mapping("443/tcp");
        assert_eq!((m[0].host_port, m[0].container_port), (None, 443));
        let m = parse_port_mapping("127.0.0.1:8000-8001->8000-8001/tcp");
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].host_port, Some(8001));
    }
}
