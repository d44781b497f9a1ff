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
    /// Ban lists and block logs: fail2ban, ipset blacklists, kernel LOG lines.
    Bans,
    CloudFirewall,
    Dns,
    Addresses,
    ServiceStatus,
    ConfigTest,
    /// Web server configuration: nginx, Apache, Caddy, LiteSpeed files,
    /// `nginx -T`, `apachectl -S`.
    WebConfig,
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
    /// Every kind, in the order people think of them (the page's correction
    /// menu lists them so).
    pub const ALL: [BlockKind; 21] = [
        BlockKind::ErrorPage,
        BlockKind::Probe,
        BlockKind::Ufw,
        BlockKind::Iptables,
        BlockKind::Nftables,
        BlockKind::Ipset,
        BlockKind::Firewalld,
        BlockKind::Csf,
        BlockKind::Bans,
        BlockKind::CloudFirewall,
        BlockKind::Dns,
        BlockKind::Addresses,
        BlockKind::ServiceStatus,
        BlockKind::ConfigTest,
        BlockKind::WebConfig,
        BlockKind::Listeners,
        BlockKind::Logs,
        BlockKind::Containers,
        BlockKind::Resources,
        BlockKind::Prose,
        BlockKind::Unknown,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BlockKind::ErrorPage => "Cloudflare error page",
            BlockKind::Ufw => "ufw",
            BlockKind::Iptables => "iptables",
            BlockKind::Nftables => "nftables",
            BlockKind::Ipset => "ipset",
            BlockKind::Firewalld => "firewalld",
            BlockKind::Csf => "CSF/LFD",
            BlockKind::Bans => "ban lists",
            BlockKind::CloudFirewall => "cloud firewall",
            BlockKind::Dns => "DNS",
            BlockKind::Addresses => "server addresses",
            BlockKind::ServiceStatus => "service status",
            BlockKind::ConfigTest => "config test",
            BlockKind::WebConfig => "web server config",
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

/// A kind a person set by hand for one block of `input` (the page's chips
/// let them correct a wrong guess). It belongs to the block's text, not to a
/// position: it applies to the block of `input` whose [`fingerprint`] is
/// `block`, wherever that block now stands, and to nothing once no block
/// has that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindOverride {
    pub input: String,
    /// Where the block started when it was corrected (for display).
    pub first_line: usize,
    /// [`fingerprint`] of the block's lines.
    #[serde(default)]
    pub block: u64,
    pub kind: BlockKind,
}

/// A stable digest of lines `first_line..=last_line` (1-based) of `all`
/// (FNV-1a over each line and its end): the same on every platform, so the
/// page and the engine name a block alike.
pub fn fingerprint(all: &[Line<'_>], first_line: usize, last_line: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let range = all
        .get(first_line.saturating_sub(1)..last_line.min(all.len()))
        .unwrap_or(&[]);
    for line in range {
        for b in line.text.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
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
            if !in_fence {
                if let Some(s) = cur
                    .as_mut()
                    .filter(|s| s.command.is_some() && s.lines.is_empty())
                {
                    // `free -m` then a fence: the fence holds its output.
                    s.last_line = line.no;
                    in_fence = true;
                    continue;
                }
            }
            if let Some(mut s) = cur.take() {
                if in_fence {
                    s.last_line = line.no;
                    out.push(s);
                    in_fence = false;
                    continue;
                }
                out.push(s);
            }
            in_fence = true;
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
    let after_prompt = crate::parse::textscan::command_of(t);
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
    // A bare line (no prompt) must read like a command typed at column 0,
    // not output or prose that happens to start with "host" or "free".
    // Table rows (`httpd  1022  root ...`) have column gaps; commands do not.
    let indented = text.starts_with([' ', '\t']) || candidate.contains("  ");
    if after_prompt.is_none() && (indented || !bare_command_shape(candidate, word)) {
        return None;
    }
    Some(candidate)
}

fn bare_command_shape(line: &str, word: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 12 || line.ends_with('.') || line.ends_with('?') {
        return false;
    }
    // The words after the tool name (and after `sudo`).
    let args: Vec<&str> = words
        .iter()
        .skip_while(|w| **w == "sudo" || (w.starts_with('-') && **w != word))
        .skip(1)
        .copied()
        .collect();
    let subcommand = args.iter().find(|w| !w.starts_with('-')).copied();
    let options_only = args
        .iter()
        .all(|w| w.starts_with('-') || w.parse::<u32>().is_ok());
    match word {
        "free" | "top" | "htop" | "uptime" | "ulimit" | "dmesg" => options_only,
        "ip" => subcommand.is_some_and(|s| {
            ["a", "addr", "address", "route", "r", "link", "l", "-br"].contains(&s)
        }),
        "host" | "dig" | "nslookup" | "ping" | "ping6" => {
            subcommand.is_some_and(|s| s.contains('.') || s.contains(':') || s.starts_with('@'))
        }
        "service" => args.get(1).is_some_and(|w| *w == "status"),
        "cat" | "head" | "tail" | "less" | "grep" => args.iter().any(|w| w.contains('/')),
        "hostname" => args.iter().any(|w| *w == "-I" || *w == "-i"),
        _ => subcommand.is_none_or(|s| {
            // `ufw status`, `nginx -t`, `ss -tlnp`: a subcommand word is
            // lowercase, no sentence words.
            s.chars().any(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:/=@".contains(c))
                && !["is", "was", "has", "shows", "says", "not", "works", "keeps"].contains(&s)
        }),
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
        "fail2ban-client" => BlockKind::Bans,
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
        // `nginx -T` prints the test result, then every config file;
        // `apachectl -S` the virtual hosts.
        "nginx" if has("-T") => BlockKind::WebConfig,
        "apachectl" | "apache2ctl" | "httpd" | "apache2"
            if has("-S") || words.iter().any(|w| w.contains("DUMP_VHOSTS")) =>
        {
            BlockKind::WebConfig
        }
        "caddy" if has("adapt") => return None,
        "nginx" | "apachectl" | "apache2ctl" | "httpd" | "caddy"
            if has("-t") || has("configtest") || has("validate") =>
        {
            BlockKind::ConfigTest
        }
        "journalctl" | "dmesg" => BlockKind::Logs,
        // `cat /etc/csf/csf.allow`, `tail /var/log/fail2ban.log`: the file
        // names the format.
        "cat" | "tail" | "head" | "less" | "grep" | "zcat" | "more" => {
            let path = words
                .iter()
                .skip(1)
                .find(|w| w.contains('/'))
                .copied()
                .unwrap_or("");
            if path.contains("/csf/") || path.contains("lfd.log") {
                BlockKind::Csf
            } else if path.contains("fail2ban") || path.contains("jail.") {
                BlockKind::Bans
            } else if path.contains("/firewalld/") {
                BlockKind::Firewalld
            } else if path.contains("nftables") || path.ends_with(".nft") {
                BlockKind::Nftables
            } else if path.contains("iptables")
                || path.contains("rules.v4")
                || path.contains("rules.v6")
            {
                BlockKind::Iptables
            } else if path.contains("/log/") || path.ends_with(".log") {
                BlockKind::Logs
            } else if crate::parse::webconfig::is_config_path(path)
                || (words.first() == Some(&"grep")
                    && words
                        .iter()
                        .skip(1)
                        .any(|w| w.trim_matches(['"', '\'']).eq_ignore_ascii_case("listen")))
            {
                // `grep -R listen *` inside /etc/nginx: the listen lines.
                BlockKind::WebConfig
            } else {
                return None;
            }
        }
        "docker" | "docker-compose" | "podman" => BlockKind::Containers,
        "ss" if has("-s") => BlockKind::Resources,
        "ss" | "netstat" | "lsof" => BlockKind::Listeners,
        "free" | "top" | "htop" | "uptime" | "ulimit" => BlockKind::Resources,
        _ => return None,
    })
}

fn classify_segment<'a>(seg: Segment<'a>, out: &mut Vec<Block<'a>>) {
    let start = out.len();
    let (first_line, last_line) = (seg.first_line, seg.last_line);
    // A fence or command line at the edges is not among the content lines;
    // it belongs to the segment's first (or last) block.
    let opens_with_marker = seg.lines.first().is_none_or(|l| l.no != first_line);
    let closes_with_marker = seg.lines.last().is_none_or(|l| l.no != last_line);
    classify_lines(seg, out);
    if opens_with_marker {
        if let Some(b) = out.get_mut(start) {
            b.first_line = b.first_line.min(first_line);
        }
    }
    if closes_with_marker && out.len() > start {
        if let Some(b) = out.last_mut() {
            b.last_line = b.last_line.max(last_line);
        }
    }
}

fn classify_lines<'a>(seg: Segment<'a>, out: &mut Vec<Block<'a>>) {
    if let Some(kind) = seg.command.and_then(kind_of_command) {
        // Output of a known command, up to a paragraph that is plainly
        // another tool's output (pasted without its command line).
        let (lines, rest) = split_other_output(seg.lines, kind);
        if let Some(first) = rest.first().map(|l| l.no) {
            let last_line = seg.last_line;
            let own_last = lines.last().map(|l| l.no).unwrap_or(seg.first_line);
            classify_lines(
                Segment {
                    command: seg.command,
                    first_line: seg.first_line,
                    last_line: own_last,
                    lines,
                },
                out,
            );
            classify_lines(
                Segment {
                    command: None,
                    first_line: first,
                    last_line,
                    lines: rest,
                },
                out,
            );
            return;
        }
        // Minus trailing prose paragraphs.
        let (output, prose) = split_trailing_prose(lines);
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
    // A saved HTML page has blank lines inside: it stays whole. Otherwise
    // paragraphs are judged one by one.
    let html_page = crate::parse::html::looks_like_html(&seg.lines);
    if let Some(kind) = sniff::best(&seg.lines).filter(|k| *k == BlockKind::ErrorPage && html_page)
    {
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

/// Splits a command's lines where a later paragraph is confidently another
/// kind of output (an HTML page or a dump pasted after this command's
/// output without a command line of its own).
fn split_other_output<'a>(lines: Vec<Line<'a>>, kind: BlockKind) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let paras = paragraphs(&lines);
    let mut cut = None;
    for p in paras.iter().skip(1) {
        let other = sniff::best(p)
            .filter(|k| *k != kind && !matches!(k, BlockKind::Prose | BlockKind::Unknown));
        let strong = other.is_some_and(|k| {
            k == BlockKind::ErrorPage
                || sniff::best(&p.iter().copied().take(3).collect::<Vec<_>>()) == Some(k)
        });
        if strong {
            cut = p.first().map(|l| l.no);
            break;
        }
    }
    match cut.and_then(|no| lines.iter().position(|l| l.no == no)) {
        Some(i) => {
            let mut own = lines;
            let rest = own.split_off(i);
            (own, rest)
        }
        None => (lines, Vec::new()),
    }
}

/// Splits off paragraphs of prose that follow a command's output.
fn split_trailing_prose<'a>(lines: Vec<Line<'a>>) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let paragraphs = paragraphs(&lines);
    let mut cut = lines.len();
    for p in paragraphs.iter().rev() {
        if is_prose_paragraph(p) {
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

/// Classify the paragraphs of one segment and append them to `all`. Blocks
/// never reach into another segment: a fence or a command line is a hard
/// boundary.
fn push_paragraphs<'a>(lines: Vec<Line<'a>>, all: &mut Vec<Block<'a>>) {
    let mut out: Vec<Block<'a>> = Vec::new();
    for p in paragraphs(&lines) {
        let content: Vec<&Line<'a>> = p.iter().filter(|l| !l.text.trim().is_empty()).collect();
        let (Some(first), Some(last)) = (p.first(), p.last()) else {
            continue;
        };
        if content.is_empty() || continues_previous(out.last(), &p) {
            // Blank lines, and the rest of an unfinished structure (an nft
            // ruleset between braces), belong to the block before.
            if let Some(prev) = out.last_mut() {
                prev.last_line = last.no;
                prev.lines.extend(p.iter().copied());
                continue;
            }
            // Blank lines between two segments stay with the block before.
            if let Some(prev) = all.last_mut().filter(|_| content.is_empty()) {
                prev.last_line = last.no;
                continue;
            }
        }
        let sniffed = sniff::best(&p);
        let prose_lines = content.iter().filter(|l| is_prose_line(l.text)).count();
        let kind = match sniffed {
            Some(kind) => kind,
            None if prose_lines * 2 >= content.len() => BlockKind::Prose,
            // Output with no signature of its own continues the output
            // before it (an iptables -L listing has one paragraph per chain).
            None => match out.last() {
                Some(prev) if !matches!(prev.kind, BlockKind::Prose | BlockKind::Unknown) => {
                    prev.kind
                }
                _ => BlockKind::Unknown,
            },
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
    // A short unrecognised lead-in (`Server: 127.0.0.53` above an nslookup
    // answer, a zone file's comment header) belongs to the output after it.
    let mut merged: Vec<Block<'a>> = Vec::with_capacity(out.len());
    for block in out.into_iter().rev() {
        let structured = |k: BlockKind| !matches!(k, BlockKind::Prose | BlockKind::Unknown);
        match merged.last_mut() {
            Some(next)
                if block.kind == BlockKind::Unknown
                    && structured(next.kind)
                    && next.command.is_none() =>
            {
                next.first_line = block.first_line;
                let mut lines = block.lines;
                lines.append(&mut next.lines);
                next.lines = lines;
            }
            _ => merged.push(block),
        }
    }
    merged.reverse();
    all.extend(merged);
}

/// True when `prev` is a brace-structured dump (nft, web server config)
/// still open, or web server config that `next` goes on with.
fn continues_previous(prev: Option<&Block<'_>>, next: &[Line<'_>]) -> bool {
    let Some(prev) = prev else { return false };
    if prev.kind == BlockKind::WebConfig {
        return crate::parse::webconfig::continues(&prev.lines, next);
    }
    if prev.kind != BlockKind::Nftables {
        return false;
    }
    let depth: i64 = prev
        .lines
        .iter()
        .map(|l| {
            let t = l.text.split('#').next().unwrap_or("");
            t.matches('{').count() as i64 - t.matches('}').count() as i64
        })
        .sum();
    depth > 0
}

/// Sentences, possibly with a short sign-off line ("Thanks, Dana").
fn is_prose_paragraph(p: &[Line<'_>]) -> bool {
    let mut prose = 0;
    for l in p {
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        if is_prose_line(t) {
            prose += 1;
        } else if t.split_whitespace().count() > 3
            || t.chars()
                .any(|c| c.is_ascii_digit() || c == ':' || c == '=')
        {
            return false;
        }
    }
    prose > 0
}

const GREETINGS: &[&str] = &[
    "hi", "hello", "hey", "thanks", "thank", "regards", "cheers", "dear", "best",
];

/// Little words that sentences have and tool output rarely does.
const STOPWORDS: &[&str] = &[
    "the", "a", "an", "is", "are", "was", "were", "i", "my", "we", "our", "you", "your", "it",
    "its", "this", "that", "and", "but", "or", "to", "of", "in", "on", "for", "with", "have",
    "has", "had", "be", "been", "can", "cannot", "can't", "not", "no", "when", "after", "before",
    "since", "still", "please", "here", "there", "what", "why", "how", "do", "does", "did", "so",
    "if", "me", "us",
];

/// A sentence a person wrote: several words, mostly letters, no columns.
pub fn is_prose_line(text: &str) -> bool {
    let t = text.trim();
    // A prompt with nothing after it closes a pasted session: chatter, not
    // output of any format.
    if crate::parse::textscan::is_bare_prompt(t) {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() < 4 {
        // "Hi team,", "The page says:", "Thanks!": short, but a sentence.
        return !words.is_empty()
            && t.ends_with([',', ':', '!'])
            && words.iter().any(|w| {
                let core = w
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_ascii_lowercase();
                STOPWORDS.contains(&core.as_str()) || GREETINGS.contains(&core.as_str())
            })
            && words.iter().all(|w| {
                w.trim_end_matches([',', ':', '!'])
                    .chars()
                    .all(char::is_alphabetic)
            });
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
    let stop = words
        .iter()
        .filter(|w| {
            let core = w
                .trim_matches(|c: char| ",.;:!?()\"'".contains(c))
                .to_ascii_lowercase();
            STOPWORDS.contains(&core.as_str())
        })
        .count();
    // Tool output has wide column gaps; prose has single spaces.
    let column_gaps = t.contains("   ") || t.contains('\t');
    let enough_words = wordy * 10 >= words.len() * 7
        || (wordy * 10 >= words.len() * 5 && stop * 10 >= words.len() * 2);
    enough_words && stop * 100 >= words.len() * 15 && !column_gaps
}
