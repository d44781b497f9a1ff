//! One table of the input formats the engine reads (issue 15 item 2), the
//! way ripgrep's flags are one list. Each [`Format`] says which commands
//! print it, which files hold it, and how its text is recognised when no
//! command names it. `split` asks the table what a command line names,
//! `sniff` what a block of text is, and `case.rs` reads each kind with the
//! reader it maps the kind to. Adding a format: its module, its
//! [`BlockKind`], and one entry here.
//!
//! Order matters in two places, and one order serves both: when two
//! formats' signatures score the same, the one listed first wins, and a
//! file name (`cat /var/log/fail2ban.log`) goes to the first format whose
//! specific path hint matches, then to the generic ones (any log, any web
//! server directory).

use crate::parse::kind::BlockKind;
use crate::parse::{
    addrs, bans, cloud, csf, dns, error_page, firewalld, listeners, probes, resources, services,
    webconfig,
};
use crate::text::Line;

/// A command line split into words, `sudo` left out; `tool` is the first
/// word without its directory (`/usr/sbin/nft` is `nft`).
pub struct Command<'a> {
    pub tool: &'a str,
    pub words: Vec<&'a str>,
}

impl<'a> Command<'a> {
    pub fn new(line: &'a str) -> Option<Self> {
        let words: Vec<&str> = line.split_whitespace().filter(|w| *w != "sudo").collect();
        let tool = words.first()?.rsplit('/').next().unwrap_or("");
        Some(Command { tool, words })
    }

    /// One of the words is exactly `w`.
    pub fn has(&self, w: &str) -> bool {
        self.words.contains(&w)
    }

    fn any(&self, f: impl Fn(&str) -> bool) -> bool {
        self.words.iter().any(|w| f(w))
    }
}

/// A command that prints a format, and when only some of its subcommands
/// or options do (`ip addr`, `nginx -T`), which.
pub struct Tool {
    pub name: &'static str,
    pub when: Option<fn(&Command<'_>) -> bool>,
}

const fn tool(name: &'static str) -> Tool {
    Tool { name, when: None }
}

const fn tool_when(name: &'static str, when: fn(&Command<'_>) -> bool) -> Tool {
    Tool {
        name,
        when: Some(when),
    }
}

/// Which files hold a format, for `cat`, `tail`, `grep` and the like.
#[derive(Clone, Copy)]
pub enum Paths {
    None,
    /// Names only this format's files (`/etc/csf/`, `fail2ban`).
    Specific(fn(&str, &Command<'_>) -> bool),
    /// Names a family of files another format may claim first (any `.log`).
    Generic(fn(&str, &Command<'_>) -> bool),
}

/// One input format.
pub struct Format {
    pub kind: BlockKind,
    pub tools: &'static [Tool],
    pub paths: Paths,
    /// How strongly a block's text looks like this format: 0 is not at
    /// all, 40 claims the block, 60 is one unmistakable line; signature
    /// lines add up, so several may pass 100.
    pub sniff: fn(&Sample<'_, '_>) -> u32,
}

impl Format {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }
}

/// Commands that show a file: the file's name says the format.
pub const READERS: &[&str] = &["cat", "tail", "head", "less", "grep", "zcat", "more"];

/// Commands that start a block of output but print no format of their own.
pub const OTHER_COMMANDS: &[&str] = &[
    "sudo",
    "kubectl",
    "cloudflared",
    "whoami",
    "uname",
    "lswsctrl",
];

/// Every format, in the order that breaks ties (see the module docs).
pub static FORMATS: &[Format] = &[
    Format {
        kind: BlockKind::WebConfig,
        tools: &[
            // `nginx -T` prints the test result, then every config file;
            // `apachectl -S` the virtual hosts.
            tool_when("nginx", |c| c.has("-T")),
            tool_when("apachectl", apache_dump),
            tool_when("apache2ctl", apache_dump),
            tool_when("httpd", apache_dump),
            tool_when("apache2", apache_dump),
        ],
        paths: Paths::Generic(|p, c| {
            // `grep -R listen *` inside /etc/nginx: the listen lines.
            (webconfig::is_config_path(p) && !is_log_path(p))
                || (c.tool == "grep"
                    && c.words
                        .iter()
                        .skip(1)
                        .any(|w| w.trim_matches(['"', '\'']).eq_ignore_ascii_case("listen")))
        }),
        sniff: |s| gated(webconfig::sniff(s.lines)),
    },
    Format {
        kind: BlockKind::CloudFirewall,
        tools: &[
            tool("aws"),
            tool("gcloud"),
            tool("az"),
            tool("hcloud"),
            tool("doctl"),
            tool("oci"),
        ],
        paths: Paths::None,
        sniff: |s| s.tally(cloud_signature).max(gated(cloud::sniff(s.lines))),
    },
    Format {
        kind: BlockKind::Bans,
        tools: &[
            // Hosting panels' ban tools: Imunify360, BitNinja, cPHulk (WHM API).
            tool("fail2ban-client"),
            // CrowdSec's decisions and alerts.
            tool("cscli"),
            tool("imunify360-agent"),
            tool("bitninjacli"),
            tool_when("whmapi1", |c| c.any(|w| w.contains("cphulk"))),
        ],
        paths: Paths::Specific(|p, _| {
            [
                "fail2ban",
                "jail.",
                "imunify360",
                "bitninja",
                "cphulk",
                ".rtreport",
            ]
            .iter()
            .any(|w| p.contains(w))
        }),
        sniff: |s| s.tally(bans_signature).max(gated(bans::sniff(s.lines))),
    },
    Format {
        kind: BlockKind::Csf,
        tools: &[tool("csf")],
        paths: Paths::Specific(|p, _| p.contains("/csf/") || p.contains("lfd.log")),
        sniff: |s| s.tally(csf_signature).max(gated(csf::sniff(s.lines))),
    },
    Format {
        kind: BlockKind::Firewalld,
        tools: &[tool("firewall-cmd")],
        paths: Paths::Specific(|p, _| p.contains("/firewalld/")),
        sniff: |s| {
            s.tally(firewalld_signature)
                .max(gated(firewalld::sniff(s.lines)))
        },
    },
    Format {
        kind: BlockKind::Resources,
        tools: &[
            tool_when("ss", |c| c.has("-s")),
            tool("free"),
            tool("top"),
            tool("htop"),
            tool("uptime"),
            tool("ulimit"),
        ],
        paths: Paths::None,
        sniff: |s| {
            s.tally(resources_signature)
                .max(gated(resources::sniff(s.lines)))
        },
    },
    Format {
        kind: BlockKind::Probe,
        tools: &[
            tool("curl"),
            tool("wget"),
            tool("nc"),
            tool("ncat"),
            tool("netcat"),
            tool("telnet"),
            tool("ping"),
            tool("ping6"),
            tool("mtr"),
            tool("traceroute"),
            tool("tracert"),
            tool("openssl"),
            tool("Test-NetConnection"),
            tool("nmap"),
        ],
        paths: Paths::None,
        sniff: |s| s.tally(probe_signature).max(gated(probes::sniff(s.lines))),
    },
    Format {
        kind: BlockKind::Listeners,
        tools: &[tool("ss"), tool("netstat"), tool("lsof")],
        paths: Paths::None,
        sniff: |s| {
            s.tally(listeners_signature)
                .max(gated(listeners::sniff(s.lines)))
        },
    },
    Format {
        kind: BlockKind::ServiceStatus,
        // `ps aux | grep nginx`: whether the server's processes run.
        tools: &[
            tool("systemctl"),
            tool("service"),
            tool("ps"),
            tool("pgrep"),
        ],
        paths: Paths::None,
        sniff: |s| {
            s.tally(service_signature)
                .max(gated(services::sniff(s.lines)))
        },
    },
    Format {
        kind: BlockKind::Addresses,
        tools: &[
            tool("ifconfig"),
            tool("hostname"),
            tool("sysctl"),
            tool_when("ip", |c| {
                ["a", "addr", "address", "-br", "route", "r"]
                    .iter()
                    .any(|w| c.has(w))
            }),
            // What-is-my-IP services answer with the server's address.
            tool_when("curl", my_ip_service),
            tool_when("wget", my_ip_service),
        ],
        paths: Paths::None,
        sniff: |s| {
            s.tally(addresses_signature)
                .max(gated(addrs::sniff(s.lines)))
        },
    },
    Format {
        kind: BlockKind::Dns,
        tools: &[
            tool("dig"),
            tool("nslookup"),
            tool("host"),
            tool("Resolve-DnsName"),
        ],
        paths: Paths::None,
        sniff: |s| s.tally(dns_signature).max(gated(dns::sniff(s.lines))),
    },
    Format {
        kind: BlockKind::Containers,
        tools: &[tool("docker"), tool("docker-compose"), tool("podman")],
        paths: Paths::None,
        sniff: |s| s.tally(containers_signature),
    },
    Format {
        kind: BlockKind::ConfigTest,
        tools: &[
            tool_when("nginx", |c| config_test(c) && !c.has("-T")),
            tool_when("apachectl", |c| config_test(c) && !apache_dump(c)),
            tool_when("apache2ctl", |c| config_test(c) && !apache_dump(c)),
            tool_when("httpd", |c| config_test(c) && !apache_dump(c)),
            // `caddy adapt` prints JSON config, read as nothing.
            tool_when("caddy", |c| config_test(c) && !c.has("adapt")),
        ],
        paths: Paths::None,
        sniff: |s| s.tally(config_test_signature),
    },
    Format {
        kind: BlockKind::Ipset,
        tools: &[tool("ipset")],
        paths: Paths::None,
        sniff: |s| s.tally(ipset_signature),
    },
    Format {
        kind: BlockKind::Nftables,
        tools: &[tool("nft")],
        paths: Paths::Specific(|p, _| p.contains("nftables") || p.ends_with(".nft")),
        sniff: |s| s.tally(nftables_signature),
    },
    Format {
        kind: BlockKind::Iptables,
        tools: &[
            tool("iptables"),
            tool("ip6tables"),
            tool("iptables-save"),
            tool("ip6tables-save"),
            tool("iptables-legacy-save"),
            tool("iptables-nft-save"),
        ],
        paths: Paths::Specific(|p, _| {
            p.contains("iptables") || p.contains("rules.v4") || p.contains("rules.v6")
        }),
        sniff: |s| s.tally(iptables_signature),
    },
    Format {
        kind: BlockKind::Logs,
        tools: &[
            tool("journalctl"),
            tool("dmesg"),
            // A server started by hand prints its start log (bind errors).
            tool_when("caddy", |c| {
                !c.has("adapt")
                    && !config_test(c)
                    && (c.has("run") || c.has("start") || c.has("reload"))
            }),
        ],
        paths: Paths::Generic(|p, _| is_log_path(p)),
        sniff: |s| s.tally(logs_signature),
    },
    Format {
        kind: BlockKind::Ufw,
        tools: &[tool("ufw")],
        paths: Paths::None,
        sniff: |s| s.tally(ufw_signature),
    },
    Format {
        kind: BlockKind::ErrorPage,
        // No command prints a Cloudflare error page of its own: a browser
        // shows it, and curl's output carrying one is a probe.
        tools: &[],
        paths: Paths::None,
        sniff: |s| {
            let page = u32::from(error_page::sniff(s.lines));
            if page >= 60 {
                page + 20
            } else {
                0
            }
        },
    },
];

fn apache_dump(c: &Command<'_>) -> bool {
    c.has("-S") || c.any(|w| w.contains("DUMP_VHOSTS"))
}

fn config_test(c: &Command<'_>) -> bool {
    c.has("-t") || c.has("configtest") || c.has("validate")
}

fn my_ip_service(c: &Command<'_>) -> bool {
    c.any(|w| {
        w.contains("ifconfig.me")
            || w.contains("icanhazip")
            || w.contains("ipinfo.io/ip")
            || w.contains("api.ipify")
    })
}

fn is_log_path(p: &str) -> bool {
    p.contains("/log/") || p.ends_with(".log")
}

/// A parser's own confidence counts from 50 (below, it is a guess the
/// signature lines decide).
fn gated(score: u8) -> u32 {
    if score >= 50 {
        u32::from(score)
    } else {
        0
    }
}

/// The kind a command line names, if any: a tool with its arguments, or a
/// file shown by `cat`, `tail`, `grep` and the like.
pub fn named_by(command: &str) -> Option<BlockKind> {
    let c = Command::new(command)?;
    if READERS.contains(&c.tool) {
        let path = c
            .words
            .iter()
            .skip(1)
            .find(|w| w.contains('/'))
            .copied()
            .unwrap_or("");
        let specific = FORMATS.iter().find(|f| match f.paths {
            Paths::Specific(hint) => hint(path, &c),
            _ => false,
        });
        let generic = || {
            FORMATS.iter().find(|f| match f.paths {
                Paths::Generic(hint) => hint(path, &c),
                _ => false,
            })
        };
        return specific.or_else(generic).map(|f| f.kind);
    }
    // A tool named with the arguments that matter beats the tool alone
    // (`ss -s` is resources, `ss -tlnp` listeners).
    let tools = || {
        FORMATS
            .iter()
            .flat_map(|f| f.tools.iter().map(move |t| (f, t)))
    };
    tools()
        .find(|(_, t)| t.name == c.tool && t.when.is_some_and(|when| when(&c)))
        .or_else(|| tools().find(|(_, t)| t.name == c.tool && t.when.is_none()))
        .map(|(f, _)| f.kind)
}

/// Whether `word` is a command a prompt line may start with.
pub fn is_command(word: &str) -> bool {
    READERS.contains(&word)
        || OTHER_COMMANDS.contains(&word)
        || FORMATS
            .iter()
            .any(|f| f.tools.iter().any(|t| t.name == word))
}

/// Whether a paragraph opening with `line` goes on with a block of `kind`
/// before it: a line only that format prints between its parts (the next
/// chain of an `iptables -L` listing).
pub fn goes_on(kind: BlockKind, line: &str) -> bool {
    match kind {
        BlockKind::Iptables => {
            let t = line.trim();
            t.starts_with("Chain ") && (t.contains(" (policy ") || t.contains(" reference"))
        }
        _ => false,
    }
}

/// How many lines of a block the signatures look at.
const WINDOW: usize = 60;

/// The first lines of a block, trimmed and lower-cased once for every
/// format's signature (one allocation per block, none per line).
pub struct Sample<'s, 'a> {
    pub lines: &'s [Line<'a>],
    lower: String,
}

impl<'s, 'a> Sample<'s, 'a> {
    pub fn new(lines: &'s [Line<'a>]) -> Self {
        let window = lines.get(..WINDOW.min(lines.len())).unwrap_or(&[]);
        let mut lower = String::with_capacity(window.iter().map(|l| l.text.len() + 1).sum());
        for l in window {
            lower.push_str(l.text.trim());
            lower.push('\n');
        }
        lower.make_ascii_lowercase();
        Sample { lines, lower }
    }

    /// Each line in the window as `(trimmed, trimmed and lower-cased)`.
    fn rows(&self) -> impl Iterator<Item = (&'a str, &str)> + '_ {
        self.lines
            .iter()
            .take(WINDOW)
            .map(|l| l.text.trim())
            .zip(self.lower.split('\n'))
    }

    /// The points `signature` gives the window's lines, added up.
    fn tally(&self, signature: fn(&Self, &str, &str) -> u32) -> u32 {
        self.rows()
            .map(|(t, lower)| signature(self, t, lower))
            .sum()
    }
}

/// The format a block most likely is, if any claims it.
pub fn best(lines: &[Line<'_>]) -> Option<BlockKind> {
    let sample = Sample::new(lines);
    let mut best: Option<(BlockKind, u32)> = None;
    for f in FORMATS {
        let score = (f.sniff)(&sample);
        if score >= 40 && best.is_none_or(|(_, top)| score > top) {
            best = Some((f.kind, score));
        }
    }
    best.map(|(k, _)| k)
}

// The signature lines of each format: points for one trimmed line `t`
// (and its lower-case copy).

fn ufw_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if lower.starts_with("status: active") || lower.starts_with("status: inactive") {
        p += 60;
    }
    if lower.starts_with("to ") && lower.contains("action") && lower.contains("from") {
        p += 60;
    }
    // What `ufw allow ...` prints, one line per rule and family.
    if lower.starts_with("rule added")
        || lower.starts_with("skipping adding existing rule")
        || lower.starts_with("error: bad source address")
    {
        p += 30;
    }
    if (lower.contains(" allow ") || lower.contains(" deny ") || lower.contains(" limit "))
        && lower.contains("anywhere")
        && !lower.contains("  all  ")
    {
        p += 25;
    }
    p
}

fn iptables_signature(_: &Sample<'_, '_>, t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if lower.starts_with("chain ") && (lower.contains("(policy") || lower.contains("reference")) {
        p += 60;
    }
    if t.starts_with("-A ") || t.starts_with("-P ") || t.starts_with("-N ") {
        p += 30;
    }
    if t.starts_with("*filter")
        || t.starts_with(":INPUT ")
        || lower.starts_with("# generated by iptables-save")
        || lower.starts_with("# generated by ip6tables-save")
    {
        p += 60;
    }
    p
}

fn nftables_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.starts_with("table inet ")
        || lower.starts_with("table ip ")
        || lower.starts_with("table ip6 ")
        || lower.contains("hook input priority")
    {
        60
    } else {
        0
    }
}

fn ipset_signature(s: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if lower.starts_with("name:") && s.lower.split('\n').any(|x| x.starts_with("type: hash:")) {
        p += 60;
    }
    if lower.starts_with("create ") && lower.contains(" hash:") {
        p += 60;
    }
    p
}

fn firewalld_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.starts_with("target: ")
        || lower.starts_with("icmp-block-inversion:")
        || lower.starts_with("rich rules:")
    {
        40
    } else {
        0
    }
}

fn csf_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.contains("csf.allow")
        || lower.contains("csf.deny")
        || lower.starts_with("lfd")
        || lower.contains(" lfd[")
    {
        40
    } else {
        0
    }
}

fn bans_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if ["ignoreip", "bantime", "findtime", "maxretry"]
        .iter()
        .any(|w| lower.starts_with(w))
    {
        p += 30;
    }
    if lower.contains("currently banned")
        || lower.contains("banned ip list")
        || lower.starts_with("status for the jail")
        || lower.contains("fail2ban")
    {
        p += 50;
    }
    p
}

fn cloud_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.contains("\"ippermissions\"")
        || lower.contains("\"securityrules\"")
        || lower.contains("\"sourceranges\"")
        || (lower.starts_with("name")
            && lower.contains("network")
            && lower.contains("direction")
            && lower.contains("priority"))
    {
        60
    } else {
        0
    }
}

fn dns_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if lower.starts_with(";; answer section")
        || lower.starts_with("; <<>> dig")
        || lower.contains("->>header<<-")
    {
        p += 60;
    }
    if lower.starts_with("non-authoritative answer")
        || lower.contains(" has address ")
        || lower.contains(" has ipv6 address ")
        || lower.contains("cf_tags=cf-proxied")
    {
        p += 50;
    }
    if lower.contains(" in a ")
        || lower.contains(" in aaaa ")
        || lower.contains("\tin\ta\t")
        || lower.contains("\tin\taaaa\t")
    {
        p += 20;
    }
    p
}

fn addresses_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if (lower.contains(": <") && lower.contains("mtu"))
        || lower.starts_with("inet ")
        || lower.contains(" inet6 ") && lower.contains("scope")
    {
        30
    } else {
        0
    }
}

fn service_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.starts_with("● ")
        || lower.starts_with("* ") && lower.contains(".service")
        || lower.starts_with("loaded: ")
        || lower.starts_with("active: ")
    {
        35
    } else {
        0
    }
}

fn config_test_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.contains("syntax is ok")
        || lower.contains("test is successful")
        || lower.contains("test failed")
        || lower.starts_with("syntax ok")
        || lower.contains("syntax error on line")
    {
        50
    } else {
        0
    }
}

fn logs_signature(_: &Sample<'_, '_>, t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if crate::parse::textscan::is_stamped_log_line(t) {
        p += 40;
    }
    // Structured logs (Caddy, Traefik) and Go's bind errors.
    if (t.starts_with("{\"level\":") && lower.contains("\"msg\":"))
        || lower.contains("bind: address already in use")
    {
        p += 40;
    }
    if lower.contains("[emerg]")
        || lower.contains("[error]")
        || lower.contains("[crit]")
        || lower.contains("out of memory: killed process")
        || lower.contains("[ufw block]")
    {
        p += 30;
    }
    p
}

fn containers_signature(_: &Sample<'_, '_>, t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if services::is_headerless_ps_row(t) || services::is_headerless_compose_row(t) {
        p += 50;
    }
    if lower.starts_with("container id")
        || (lower.starts_with("name ") && lower.contains("image") && lower.contains("ports"))
    {
        p += 60;
    }
    p
}

fn listeners_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    let mut p = 0;
    if lower.starts_with("netid")
        || lower.starts_with("state ") && lower.contains("local address")
        || lower.starts_with("active internet connections")
        || lower.starts_with("proto recv-q")
        || (lower.starts_with("command") && lower.contains("pid") && lower.contains("node name"))
    {
        p += 60;
    }
    if lower.starts_with("tcp") && lower.contains("listen") {
        p += 15;
    }
    p
}

fn probe_signature(_: &Sample<'_, '_>, t: &str, lower: &str) -> u32 {
    let mut p = 0;
    // mtr's interactive screen (its `-r` report starts `Start:`/`HOST:`).
    if lower.starts_with("my traceroute")
        || (lower.starts_with("host") && lower.contains("loss%") && lower.contains("snt"))
    {
        p += 60;
    }
    if lower.starts_with("*   trying")
        || lower.starts_with("* trying")
        || lower.starts_with("curl: (")
        || lower.starts_with("< http/")
        || (lower.starts_with("http/")
            && t.split_whitespace()
                .nth(1)
                .is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit())))
        || lower.contains("connection refused")
        || lower.starts_with("connected(")
        || lower.contains("port [tcp/")
        || lower.contains("packets transmitted")
    {
        p += 40;
    }
    p
}

fn resources_signature(_: &Sample<'_, '_>, _t: &str, lower: &str) -> u32 {
    if lower.starts_with("mem:")
        || lower.starts_with("swap:")
        || lower.contains("load average")
        || lower.starts_with("%cpu(s)")
        || lower.starts_with("mib mem")
        || lower.starts_with("kib mem")
    {
        35
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command and a paste without it, for every format: the table
    /// reaches each format both ways.
    const SAMPLES: &[(BlockKind, &str, &str)] = &[
        (
            BlockKind::WebConfig,
            "nginx -T",
            "server {\n    listen 80;\n    server_name example.com;\n    location / {\n        proxy_pass http://127.0.0.1:8080;\n    }\n}",
        ),
        (
            BlockKind::CloudFirewall,
            "aws ec2 describe-security-groups",
            "{\n  \"SecurityGroups\": [\n    {\n      \"IpPermissions\": [\n        {\"FromPort\": 443, \"ToPort\": 443, \"IpProtocol\": \"tcp\"}\n      ]\n    }\n  ]\n}",
        ),
        (
            BlockKind::Bans,
            "fail2ban-client status sshd",
            "Status for the jail: sshd\n|- Filter\n|  |- Currently failed: 0\n`- Actions\n   |- Currently banned: 1\n   `- Banned IP list: 172.70.1.2",
        ),
        (
            BlockKind::Csf,
            "csf -g 1.2.3.4",
            "Table  Chain            num   pkts bytes target     prot opt in     out     source               destination\nfilter DENYIN           62       0     0 DROP       all  --  !lo    *       1.2.3.4              0.0.0.0/0\ncsf.deny: 1.2.3.4 # lfd: (sshd) Failed SSH login",
        ),
        (
            BlockKind::Firewalld,
            "firewall-cmd --list-all",
            "public (active)\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n  services: ssh\n  ports: 80/tcp\n  rich rules:",
        ),
        (
            BlockKind::Resources,
            "free -m",
            "               total        used        free      shared  buff/cache   available\nMem:            1987        1834          61           2          91          30\nSwap:              0           0           0",
        ),
        (
            BlockKind::Probe,
            "curl -v https://203.0.113.7",
            "*   Trying 203.0.113.7:443...\n* connect to 203.0.113.7 port 443 failed: Connection refused\ncurl: (7) Failed to connect to 203.0.113.7 port 443: Connection refused",
        ),
        (
            BlockKind::Listeners,
            "ss -tlnp",
            "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511    0.0.0.0:80         0.0.0.0:*     users:((\"nginx\",pid=812,fd=6))",
        ),
        (
            BlockKind::ServiceStatus,
            "systemctl status nginx",
            "● nginx.service - A high performance web server\n     Loaded: loaded (/lib/systemd/system/nginx.service; enabled)\n     Active: failed (Result: exit-code) since Mon 2024-03-04 10:00:00 UTC",
        ),
        (
            BlockKind::Addresses,
            "ip addr",
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP\n    inet 203.0.113.7/24 brd 203.0.113.255 scope global eth0\n    inet6 2001:db8::7/64 scope global",
        ),
        (
            BlockKind::Dns,
            "dig example.com",
            "; <<>> DiG 9.18.18 <<>> example.com\n;; ANSWER SECTION:\nexample.com.\t300\tIN\tA\t104.21.1.1",
        ),
        (
            BlockKind::Containers,
            "docker ps",
            "CONTAINER ID   IMAGE         COMMAND                  CREATED       STATUS       PORTS                  NAMES\n1a2b3c4d5e6f   nginx:1.25    \"/docker-entrypoint.…\"   2 hours ago   Up 2 hours   0.0.0.0:80->80/tcp     web",
        ),
        (
            BlockKind::ConfigTest,
            "nginx -t",
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful",
        ),
        (
            BlockKind::Ipset,
            "ipset list",
            "Name: cloudflare\nType: hash:net\nRevision: 7\nMembers:\n173.245.48.0/20",
        ),
        (
            BlockKind::Nftables,
            "nft list ruleset",
            "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}",
        ),
        (
            BlockKind::Iptables,
            "iptables-save",
            "# Generated by iptables-save v1.8.7\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT",
        ),
        (
            BlockKind::Logs,
            "journalctl -u nginx",
            "2024/03/04 10:00:00 [emerg] 812#812: bind() to 0.0.0.0:443 failed (98: Address already in use)\n2024/03/04 10:00:01 [emerg] 812#812: still could not bind()",
        ),
        (
            BlockKind::Ufw,
            "ufw status",
            "Status: active\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW       Anywhere",
        ),
        (
            BlockKind::ErrorPage,
            "",
            "<!DOCTYPE html>\n<title>example.com | 521: Web server is down</title>\n<div class=\"cf-error-details\">\n<span>Cloudflare Ray ID: <strong>8a1b2c3d4e5f6789</strong></span>",
        ),
    ];

    #[test]
    fn every_format_is_reached_by_command_and_by_sniffing() {
        for f in FORMATS {
            let (_, command, paste) = SAMPLES
                .iter()
                .find(|(k, _, _)| *k == f.kind)
                .unwrap_or_else(|| panic!("no sample for {:?}", f.kind));
            if f.kind == BlockKind::ErrorPage {
                assert!(f.tools.is_empty(), "no command prints an error page");
            } else {
                assert_eq!(named_by(command), Some(f.kind), "{command}");
                let word = command.split_whitespace().next().unwrap_or("");
                assert!(is_command(word), "{word} starts a command line");
            }
            let lines = crate::text::lines(paste);
            assert_eq!(best(&lines), Some(f.kind), "{paste}");
        }
        // Every kind of output the engine reads has a format.
        for k in BlockKind::ALL {
            let listed = FORMATS.iter().any(|f| f.kind == k);
            assert_eq!(
                listed,
                !matches!(k, BlockKind::Prose | BlockKind::Unknown),
                "{k:?}"
            );
        }
    }

    #[test]
    fn arguments_and_files_decide_between_formats() {
        for (command, kind) in [
            ("ss -s", Some(BlockKind::Resources)),
            ("sudo ss -tlnp", Some(BlockKind::Listeners)),
            ("curl -s ifconfig.me", Some(BlockKind::Addresses)),
            ("curl -sv https://example.com", Some(BlockKind::Probe)),
            ("nginx -T", Some(BlockKind::WebConfig)),
            ("nginx -t", Some(BlockKind::ConfigTest)),
            ("nginx -s reload", None),
            ("apachectl -S", Some(BlockKind::WebConfig)),
            ("apache2 -S", Some(BlockKind::WebConfig)),
            ("apachectl configtest", Some(BlockKind::ConfigTest)),
            ("caddy adapt --config /etc/caddy/Caddyfile", None),
            ("caddy validate", Some(BlockKind::ConfigTest)),
            ("caddy run", Some(BlockKind::Logs)),
            ("ip route", Some(BlockKind::Addresses)),
            ("ip link set eth0 up", None),
            ("whmapi1 cphulk_status", Some(BlockKind::Bans)),
            ("tail -n 50 /var/log/fail2ban.log", Some(BlockKind::Bans)),
            ("tail /var/log/lfd.log", Some(BlockKind::Csf)),
            ("cat /etc/csf/csf.allow", Some(BlockKind::Csf)),
            (
                "cat /etc/firewalld/zones/public.xml",
                Some(BlockKind::Firewalld),
            ),
            ("cat /etc/nftables.conf", Some(BlockKind::Nftables)),
            ("cat /etc/iptables/rules.v4", Some(BlockKind::Iptables)),
            ("zcat /var/log/syslog.2.gz", Some(BlockKind::Logs)),
            ("more /var/log/nginx/error.log", Some(BlockKind::Logs)),
            (
                "cat /etc/nginx/sites-enabled/default",
                Some(BlockKind::WebConfig),
            ),
            ("grep -R listen *", Some(BlockKind::WebConfig)),
            ("cat notes.txt", None),
            ("kubectl get pods", None),
        ] {
            assert_eq!(named_by(command), kind, "{command}");
        }
    }
}
