//! Cuts a pasted ticket into blocks and names the kind of each.
//!
//! A ticket mixes prose, Markdown fences, `> ` quotes, shell prompts
//! (`root@host:~#`, `$ `, `[root@h ~]#`, `PS C:\>`), commands and their
//! outputs. A command line starts a block and is the strongest hint of what
//! follows; fences delimit blocks; otherwise blank-line paragraphs are
//! classified by content and neighbours of the same kind are merged.
//!
//! **Guarantee:** every input line belongs to exactly one block, and blocks
//! keep the input's own line numbers.

use serde::{Deserialize, Serialize};

use crate::parse::sniff;
use crate::text::Line;

/// What a block of pasted text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    ErrorPage,
    Ufw,
    Iptables,
    Nftables,
    Ipset,
    Firewalld,
    Csf,
    Fail2ban,
    CloudFirewall,
    Dns,
    Addresses,
    ServiceStatus,
    ConfigTest,
    Logs,
    Containers,
    Listeners,
    Probe,
    Resources,
    /// Sentences a person wrote.
    Prose,
    /// Looks like tool output, but of no format the engine reads.
    Unknown,
}

impl BlockKind {
    pub fn label(self) -> &'static str {
        match self {
            BlockKind::ErrorPage => "Cloudflare error page",
            BlockKind::Ufw => "ufw",
            BlockKind::Iptables => "iptables",
            BlockKind::Nftables => "nftables",
            BlockKind::Ipset => "ipset",
            BlockKind::Firewalld => "firewalld",
            BlockKind::Csf => "CSF/LFD",
            BlockKind::Fail2ban => "fail2ban",
            BlockKind::CloudFirewall => "cloud firewall",
            BlockKind::Dns => "DNS",
            BlockKind::Addresses => "server addresses",
            BlockKind::ServiceStatus => "service status",
            BlockKind::ConfigTest => "config test",
            BlockKind::Logs => "logs",
            BlockKind::Containers => "containers",
            BlockKind::Listeners => "listeners",
            BlockKind::Probe => "connection probe",
            BlockKind::Resources => "resources",
            BlockKind::Prose => "text",
            BlockKind::Unknown => "not understood",
        }
    }
}

/// A run of lines of one kind. `lines` are the content lines with prompts,
/// quote markers and per-line backticks removed; the command line itself is
/// not among them.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub kind: BlockKind,
    pub command: Option<&'a str>,
    pub first_line: usize,
    pub last_line: usize,
    pub lines: Vec<Line<'a>>,
}

/// Split numbered lines into classified blocks.
pub fn split<'a>(all: &[Line<'a>]) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    for segment in segments(all) {
        classify_segment(segment, &mut blocks);
    }
    blocks
}

/// A run delimited by fences or command lines, before classification.
struct Segment<'a> {
    command: Option<&'a str>,
    first_line: usize,
    last_line: usize,
    lines: Vec<Line<'a>>,
}

fn segments<'a>(all: &[Line<'a>]) -> Vec<Segment<'a>> {
    let mut out: Vec<Segment<'a>> = Vec::new();
    let mut cur: Option<Segment<'a>> = None;
    let mut in_fence = false;
    for line in all {
        let text = strip_decoration(line.text);
        let trimmed = text.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // A fence ends the current block either way; its own line joins
            // the block it closes (or opens) so no line is lost.
            if let Some(mut s) = cur.take() {
                s.last_line = line.no;
                out.push(s);
                if in_fence {
                    in_fence = false;
                    continue;
                }
            }
            in_fence = !in_fence;
            cur = Some(Segment {
                command: None,
                first_line: line.no,
                last_line: line.no,
                lines: Vec::new(),
            });
            continue;
        }
        if let Some(cmd) = command_of(text) {
            if let Some(s) = cur.take() {
                // An empty fenced block waiting for content takes the command.
                if s.lines.is_empty() && s.command.is_none() && in_fence {
                    cur = Some(Segment {
                        command: Some(cmd),
                        last_line: line.no,
                        ..s
                    });
                    continue;
                }
                out.push(s);
            }
            cur = Some(Segment {
                command: Some(cmd),
                first_line: line.no,
                last_line: line.no,
                lines: Vec::new(),
            });
            continue;
        }
        let seg = cur.get_or_insert_with(|| Segment {
            command: None,
            first_line: line.no,
            last_line: line.no,
            lines: Vec::new(),
        });
        seg.last_line = line.no;
        seg.lines.push(Line { no: line.no, text });
    }
    if let Some(s) = cur {
        out.push(s);
    }
    out
}

/// Remove `> ` quote markers and backticks wrapping a whole line.
fn strip_decoration(text: &str) -> &str {
    let mut t = text;
    while let Some(rest) = t.strip_prefix('>') {
        // `>` alone is a quote marker; curl's `> GET /` request lines keep it.
        if rest.starts_with(' ') && looks_like_request_line(rest.trim_start()) {
            break;
        }
        t = rest.strip_prefix(' ').unwrap_or(rest);
    }
    let trimmed = t.trim();
    if trimmed.len() >= 2
        && trimmed.starts_with('`')
        && trimmed.ends_with('`')
        && !trimmed.starts_with("```")
    {
        return trimmed.trim_matches('`');
    }
    t
}

fn looks_like_request_line(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "GET" | "HEAD" | "POST" | "Host:" | "User-Agent:" | "Accept:" | "PUT" | "OPTIONS"
    ) || s.is_empty()
}

/// Commands whose presence after a prompt marks a command line.
const COMMANDS: &[&str] = &[
    "ufw",
    "iptables",
    "ip6tables",
    "iptables-save",
    "ip6tables-save",
    "iptables-legacy-save",
    "iptables-nft-save",
    "nft",
    "ipset",
    "firewall-cmd",
    "csf",
    "fail2ban-client",
    "aws",
    "gcloud",
    "az",
    "hcloud",
    "doctl",
    "oci",
    "dig",
    "nslookup",
    "host",
    "ip",
    "ifconfig",
    "hostname",
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "telnet",
    "ping",
    "ping6",
    "mtr",
    "traceroute",
    "openssl",
    "systemctl",
    "service",
    "journalctl",
    "nginx",
    "apachectl",
    "apache2ctl",
    "httpd",
    "caddy",
    "docker",
    "docker-compose",
    "podman",
    "ss",
    "netstat",
    "lsof",
    "free",
    "top",
    "htop",
    "uptime",
    "ulimit",
    "dmesg",
    "cat",
    "tail",
    "head",
    "grep",
    "less",
    "sudo",
    "lswsctrl",
    "tracert",
    "Test-NetConnection",
    "Resolve-DnsName",
    "kubectl",
    "cloudflared",
    "whoami",
    "uname",
];

/// The command of a prompt line such as `root@web1:~# ufw status`,
/// `$ sudo ss -tlnp`, `[root@web1 ~]# nft list ruleset` or a bare known
/// command line like `sudo iptables -S`.
pub fn command_of(text: &str) -> Option<&str> {
    let t = text.trim();
    let after_prompt = prompt_rest(t);
    let candidate = after_prompt.unwrap_or(t);
    let first = candidate.split_whitespace().next()?;
    let word = if first == "sudo" {
        candidate
            .split_whitespace()
            .find(|w| !w.starts_with('-') && *w != "sudo")?
    } else {
        first
    };
    let word = word.rsplit('/').next().unwrap_or(word);
    if !COMMANDS.contains(&word) {
        return None;
    }
    // A bare line (no prompt) must read like a command, not prose that
    // happens to start with "host" or "free".
    if after_prompt.is_none() && !bare_command_shape(candidate, word) {
        return None;
    }
    Some(candidate)
}

fn prompt_rest(t: &str) -> Option<&str> {
    for marker in ["$ ", "# ", "% ", "> "] {
        if let Some(i) = t.find(marker) {
            let prompt = t.get(..i)?;
            let looks_like_prompt = prompt.is_empty()
                || (prompt.len() <= 60
                    && !prompt.contains(' ')
                    && (prompt.contains('@') || prompt.contains(':') || prompt.ends_with('~')))
                || (prompt.starts_with('[') && prompt.ends_with(']'))
                || prompt.starts_with("PS ");
            if looks_like_prompt {
                return t.get(i + marker.len()..).map(str::trim_start);
            }
        }
    }
    None
}

fn bare_command_shape(line: &str, word: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 12 || line.ends_with('.') || line.ends_with('?') {
        return false;
    }
    // `free -m`, `ufw status verbose`, `ss -tlnp`: an option or a subcommand.
    let rest: Vec<&&str> = words
        .iter()
        .skip_while(|w| **w == "sudo" || w.starts_with('-'))
        .skip(1)
        .collect();
    match word {
        "host" | "free" | "top" | "service" | "cat" | "head" | "tail" | "less" | "grep" | "ip" => {
            rest.iter()
                .any(|w| w.starts_with('-') || w.contains('/') || w.contains('.'))
                || (word == "ip"
                    && rest
                        .first()
                        .is_some_and(|w| ["a", "addr", "-br", "route", "link"].contains(w)))
                || (word == "service" && rest.get(1).is_some_and(|w| **w == "status"))
        }
        _ => true,
    }
}

/// Kind named by a command line.
pub fn kind_of_command(command: &str) -> Option<BlockKind> {
    let words: Vec<&str> = command
        .split_whitespace()
        .filter(|w| *w != "sudo")
        .collect();
    let tool = words.first()?.rsplit('/').next().unwrap_or("");
    let has = |w: &str| words.contains(&w);
    Some(match tool {
        "ufw" => BlockKind::Ufw,
        "iptables"
        | "ip6tables"
        | "iptables-save"
        | "ip6tables-save"
        | "iptables-legacy-save"
        | "iptables-nft-save" => BlockKind::Iptables,
        "nft" => BlockKind::Nftables,
        "ipset" => BlockKind::Ipset,
        "firewall-cmd" => BlockKind::Firewalld,
        "csf" => BlockKind::Csf,
        "fail2ban-client" => BlockKind::Fail2ban,
        "aws" | "gcloud" | "az" | "hcloud" | "doctl" | "oci" => BlockKind::CloudFirewall,
        "dig" | "nslookup" | "host" | "Resolve-DnsName" => BlockKind::Dns,
        "ifconfig" | "hostname" => BlockKind::Addresses,
        "ip" if has("a") || has("addr") || has("address") || has("-br") => BlockKind::Addresses,
        "curl" | "wget"
            if words.iter().any(|w| {
                w.contains("ifconfig.me")
                    || w.contains("icanhazip")
                    || w.contains("ipinfo.io/ip")
                    || w.contains("api.ipify")
            }) =>
        {
            BlockKind::Addresses
        }
        "curl" | "wget" | "nc" | "ncat" | "netcat" | "telnet" | "ping" | "ping6" | "mtr"
        | "traceroute" | "tracert" | "openssl" | "Test-NetConnection" => BlockKind::Probe,
        "systemctl" | "service" => BlockKind::ServiceStatus,
        "nginx" | "apachectl" | "apache2ctl" | "httpd" | "caddy"
            if has("-t") || has("configtest") || has("-T") || has("validate") =>
        {
            BlockKind::ConfigTest
        }
        "journalctl" | "dmesg" => BlockKind::Logs,
        "docker" | "docker-compose" | "podman" => BlockKind::Containers,
        "ss" if has("-s") => BlockKind::Resources,
        "ss" | "netstat" | "lsof" => BlockKind::Listeners,
        "free" | "top" | "htop" | "uptime" | "ulimit" => BlockKind::Resources,
        _ => return None,
    })
}

fn classify_segment<'a>(seg: Segment<'a>, out: &mut Vec<Block<'a>>) {
    if let Some(kind) = seg.command.and_then(kind_of_command) {
        // Output of a known command, minus trailing prose paragraphs.
        let (output, prose) = split_trailing_prose(seg.lines);
        let last = output.last().map(|l| l.no).unwrap_or(seg.first_line);
        out.push(Block {
            kind,
            command: seg.command,
            first_line: seg.first_line,
            last_line: if prose.is_empty() {
                seg.last_line
            } else {
                last
            },
            lines: output,
        });
        push_paragraphs(prose, out);
        return;
    }
    if let Some(cmd) = seg.command {
        // A command we do not know: its output is classified by content,
        // but the block keeps the command for the reader.
        let kind = sniff::best(&seg.lines).unwrap_or(BlockKind::Unknown);
        out.push(Block {
            kind,
            command: Some(cmd),
            first_line: seg.first_line,
            last_line: seg.last_line,
            lines: seg.lines,
        });
        return;
    }
    // A whole-segment format (an HTML page with blank lines inside) stays
    // whole; otherwise paragraphs are judged one by one.
    if let Some(kind) = sniff::best(&seg.lines).filter(|k| *k == BlockKind::ErrorPage) {
        out.push(Block {
            kind,
            command: None,
            first_line: seg.first_line,
            last_line: seg.last_line,
            lines: seg.lines,
        });
        return;
    }
    push_paragraphs(seg.lines, out);
}

/// Splits off paragraphs of prose that follow a command's output.
fn split_trailing_prose<'a>(lines: Vec<Line<'a>>) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let paragraphs = paragraphs(&lines);
    let mut cut = lines.len();
    for p in paragraphs.iter().rev() {
        if p.iter()
            .all(|l| is_prose_line(l.text) || l.text.trim().is_empty())
        {
            if let Some(first) = p.first() {
                cut = lines.iter().position(|l| l.no == first.no).unwrap_or(cut);
            }
        } else {
            break;
        }
    }
    // Keep at least the first paragraph as output.
    if cut == 0 {
        cut = paragraphs.first().map(|p| p.len()).unwrap_or(0);
    }
    let mut output = lines;
    let prose = output.split_off(cut.min(output.len()));
    (output, prose)
}

fn paragraphs<'a>(lines: &[Line<'a>]) -> Vec<Vec<Line<'a>>> {
    let mut out: Vec<Vec<Line<'a>>> = Vec::new();
    let mut cur: Vec<Line<'a>> = Vec::new();
    for l in lines {
        if l.text.trim().is_empty() {
            cur.push(*l);
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(*l);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn push_paragraphs<'a>(lines: Vec<Line<'a>>, out: &mut Vec<Block<'a>>) {
    for p in paragraphs(&lines) {
        let content: Vec<&Line<'a>> = p.iter().filter(|l| !l.text.trim().is_empty()).collect();
        let (Some(first), Some(last)) = (p.first(), p.last()) else {
            continue;
        };
        let kind = if content.is_empty() {
            // Blank lines join the previous block, or start as prose.
            match out.last_mut() {
                Some(prev) => {
                    prev.last_line = last.no;
                    continue;
                }
                None => BlockKind::Prose,
            }
        } else if content.iter().all(|l| is_prose_line(l.text)) {
            BlockKind::Prose
        } else {
            sniff::best(&p).unwrap_or_else(|| {
                if content.iter().filter(|l| is_prose_line(l.text)).count() * 2 >= content.len() {
                    BlockKind::Prose
                } else {
                    BlockKind::Unknown
                }
            })
        };
        let joins = out.last().is_some_and(|prev| {
            prev.kind == kind && (prev.command.is_none() || kind != BlockKind::Prose)
        });
        match out.last_mut() {
            Some(prev) if joins => {
                prev.last_line = last.no;
                prev.lines.extend(p.iter().copied());
            }
            _ => out.push(Block {
                kind,
                command: None,
                first_line: first.no,
                last_line: last.no,
                lines: p,
            }),
        }
    }
}

/// A sentence a person wrote: several words, mostly letters, no columns.
pub fn is_prose_line(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() < 4 {
        return false;
    }
    let wordy = words
        .iter()
        .filter(|w| {
            let core = w.trim_matches(|c: char| ",.;:!?()\"'".contains(c));
            !core.is_empty()
                && core
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        })
        .count();
    // Tool output has wide column gaps; prose has single spaces.
    let column_gaps = t.contains("   ") || t.contains('\t');
    wordy * 10 >= words.len() * 7 && !column_gaps
}
