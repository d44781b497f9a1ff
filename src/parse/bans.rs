//! Bans and throttles: fail2ban (`fail2ban-client status [JAIL]`,
//! `fail2ban-client banned`, `ignoreip` of jail.local, fail2ban.log
//! `Ban`/`Unban`), ban-like ipsets (`ipset list`/`ipset save` of sets named
//! f2b-*, blacklist, crowdsec*...), kernel LOG lines (`[UFW BLOCK]` and any
//! iptables LOG prefix), web-server throttling (nginx `limiting requests` /
//! `limiting connections`, Apache mod_evasive and ModSecurity, LiteSpeed
//! `[ACL]`/banned) and cPHulk blocks.
//!
//! **Guarantees:** never panics; every non-blank line is read or reported.
//! A kernel log line whose TCP flags carry no SYN but RST or FIN is kept
//! with `teardown_noise: true`: it is the late end of a connection, not a
//! block of a new one. [`cloudflare_hits`] reports every ban, throttle and
//! (non-noise) log block whose addresses overlap Cloudflare's ranges.

use serde::Serialize;

use crate::cloudflare::Ranges;
use crate::net::{AddrRange, AddrSet};
use crate::parse::textscan::addr_token;
use crate::text::{Line, NotUnderstood};

/// An address or subnet banned by a tool.
#[derive(Debug, Clone, Serialize)]
pub struct Ban {
    /// `fail2ban`, `ipset`, `cphulk`, `mod_evasive`, `litespeed`...
    pub tool: String,
    /// Jail or list name.
    pub list: String,
    pub addrs: AddrSet,
    /// `Some(false)` when a later `Unban` line lifted it, `Some(true)` when
    /// a status listing shows it now, `None` when only a log says it happened.
    pub active: Option<bool>,
    /// A person's list under their own sentence, not a tool's output: a
    /// weak hint.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stated: bool,
    pub line: usize,
    pub text: String,
}

/// Addresses a ban tool is told never to ban.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoreList {
    pub tool: String,
    /// Jail section (`DEFAULT` for the global one).
    pub jail: String,
    pub addrs: AddrSet,
    pub line: usize,
    pub text: String,
}

/// A kernel firewall log line.
#[derive(Debug, Clone, Serialize)]
pub struct LogBlock {
    /// The log prefix: `UFW BLOCK`, `IPTables-Dropped:`...
    pub prefix: String,
    /// The prefix says the packet was blocked (BLOCK, DROP, REJECT, DENY).
    pub blocked: bool,
    pub src: Option<AddrSet>,
    pub dst: Option<String>,
    pub proto: Option<String>,
    pub dpt: Option<u16>,
    pub flags: Vec<String>,
    /// No SYN but RST or FIN: the end of an old connection, not a block.
    pub teardown_noise: bool,
    pub line: usize,
    pub text: String,
}

impl LogBlock {
    /// Whether the log prefix names a ban tool or list (`f2b-sshd`,
    /// `BLACKLIST DROP`, `crowdsec`) rather than the firewall's policy.
    pub fn is_ban(&self) -> bool {
        self.prefix
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .any(|w| {
                !w.is_empty()
                    && is_ban_set(w)
                    && !matches!(w.to_ascii_lowercase().as_str(), "block" | "drop" | "deny")
            })
    }
}

/// Kernel log lines of the firewall (not of a ban tool) about Cloudflare
/// addresses: `(blocked, noise)`, where `blocked` are new connections (SYN)
/// the firewall refused and `noise` are late RST/FIN packets of connections
/// already over, which prove no block.
pub fn cloudflare_log_blocks<'f>(
    facts: &'f BanFacts,
    ranges: &Ranges,
) -> (Vec<&'f LogBlock>, Vec<&'f LogBlock>) {
    let cf = ranges.set();
    let of_cloudflare = |l: &&LogBlock| {
        l.blocked && !l.is_ban() && l.src.as_ref().is_some_and(|s| !s.intersect(&cf).is_empty())
    };
    facts
        .log_blocks
        .iter()
        .filter(of_cloudflare)
        .partition(|l| !l.teardown_noise)
}

/// A web server or panel limiting or refusing a client.
#[derive(Debug, Clone, Serialize)]
pub struct Throttle {
    /// `nginx limit_req`, `nginx limit_conn`, `mod_evasive`, `modsecurity`,
    /// `litespeed`.
    pub tool: String,
    /// nginx zone name, when given.
    pub zone: Option<String>,
    pub client: AddrSet,
    pub line: usize,
    pub text: String,
}

/// A whole ban list as the tool printed it (a jail's `Banned IP list:`, a
/// ban ipset's members, `fail2ban-client banned`): what it does not hold is
/// not banned by that list, so it can rule bans out.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub tool: String,
    pub list: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BanFacts {
    pub bans: Vec<Ban>,
    pub listings: Vec<Listing>,
    pub ignore: Vec<IgnoreList>,
    pub log_blocks: Vec<LogBlock>,
    pub throttles: Vec<Throttle>,
    /// fail2ban jails named by `fail2ban-client status`.
    pub jails: Vec<String>,
    /// The log files fail2ban jails watch (`File list:` of
    /// `fail2ban-client status JAIL`): they tell which server writes them.
    pub watched_logs: Vec<String>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// What overlaps Cloudflare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HitKind {
    Ban,
    Throttle,
    LogBlock,
}

/// A ban, throttle or log block touching Cloudflare's ranges.
#[derive(Debug, Clone, Serialize)]
pub struct CloudflareHit {
    pub kind: HitKind,
    pub tool: String,
    pub list: String,
    /// The Cloudflare addresses concerned.
    pub overlap: AddrSet,
    pub active: Option<bool>,
    pub stated: bool,
    pub line: usize,
    pub text: String,
}

/// Every ban, throttle and non-noise log block overlapping a Cloudflare range.
pub fn cloudflare_hits(facts: &BanFacts, ranges: &Ranges) -> Vec<CloudflareHit> {
    let cf = ranges.set();
    let mut out = Vec::new();
    for b in &facts.bans {
        let o = b.addrs.intersect(&cf);
        if !o.is_empty() {
            out.push(CloudflareHit {
                kind: HitKind::Ban,
                tool: b.tool.clone(),
                list: b.list.clone(),
                overlap: o,
                active: b.active,
                stated: b.stated,
                line: b.line,
                text: b.text.clone(),
            });
        }
    }
    for t in &facts.throttles {
        let o = t.client.intersect(&cf);
        if !o.is_empty() {
            out.push(CloudflareHit {
                kind: HitKind::Throttle,
                tool: t.tool.clone(),
                list: t.zone.clone().unwrap_or_default(),
                overlap: o,
                active: None,
                stated: false,
                line: t.line,
                text: t.text.clone(),
            });
        }
    }
    // Kernel log blocks count as bans only under a ban tool's prefix; the
    // others are the firewall's own (see `cloudflare_log_blocks`).
    for l in facts
        .log_blocks
        .iter()
        .filter(|l| l.blocked && !l.teardown_noise && l.is_ban())
    {
        if let Some(o) = l
            .src
            .as_ref()
            .map(|s| s.intersect(&cf))
            .filter(|o| !o.is_empty())
        {
            out.push(CloudflareHit {
                kind: HitKind::LogBlock,
                tool: "kernel".into(),
                list: l.prefix.clone(),
                overlap: o,
                active: None,
                stated: false,
                line: l.line,
                text: l.text.clone(),
            });
        }
    }
    out
}

/// Confidence (0-100) that `lines` are ban-tool output or such logs.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(80) {
        let t = l.text;
        // A rule that jumps to a fail2ban chain (`fail2ban-SSH  tcp  --
        // anywhere ...`, `-A INPUT -j f2b-sshd`) is the firewall's dump.
        let rule_row = t.contains(" -- ") || t.contains(" -j ") || t.starts_with("-A ");
        if (t.contains("fail2ban") && !rule_row)
            || t.contains("Banned IP list:")
            || t.contains("Jail list:")
        {
            score += 50;
        }
        // One kernel LOG line is already unmistakable (`dmesg -T` and
        // journal prefixes vary; the fields do not).
        if t.contains("[UFW BLOCK]") {
            score += 60;
        } else if t.contains(" SRC=") && t.contains(" DST=") && t.contains(" PROTO=") {
            score += 50;
        }
        if t.contains("limiting requests") || t.contains("limiting connections") {
            score += 40;
        }
        if t.contains("ignoreip") || t.contains("] Ban ") || t.contains("cphulk") {
            score += 30;
        }
        if t.starts_with("Why Blocked:") {
            score += 50;
        }
        // CrowdSec's tables: `cscli decisions list`, `cscli alerts list`.
        if t.contains("cscli ") || (crowdsec_value(t).is_some() && t.contains(" ban")) {
            score += 50;
        }
        // Hosting panels' ban tools and LiteSpeed's throttling.
        if t.contains("imunify360-agent")
            || t.contains("bitninjacli")
            || t.contains("BLOCKED_IP:")
            || (t.contains(" IP ") && t.contains(" is BLOCKED"))
            || (t.contains("bot detected") && t.contains("reason:"))
        {
            score += 50;
        }
    }
    score.min(100) as u8
}

/// Words of a sentence that introduces a ban list.
const BAN_WORDS: &[&str] = &[
    "banned",
    "ban",
    "bans",
    "jail",
    "blacklist",
    "blacklisted",
    "blocklist",
    "blocked",
    "denied",
    "deny",
    "greylist",
    "graylist",
    "graylisted",
    "greylisted",
];

/// A person's line that introduces a list of banned addresses: it ends
/// with a colon and names a ban ("These are banned in my recidive jail:",
/// "Imunify360 blacklist:").
pub fn introduces_ban_list(text: &str) -> bool {
    let t = text.trim();
    t.ends_with(':')
        && t.split_whitespace().count() >= 2
        && t.split(|c: char| !c.is_alphanumeric())
            .any(|w| BAN_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Lines that are nothing but addresses or subnets (one or more a line).
pub fn is_address_list<'a>(mut lines: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    let all = lines.all(|l| {
        let t = l.trim();
        any |= !t.is_empty();
        t.is_empty()
            || t.split([' ', ',', '\t'])
                .filter(|w| !w.is_empty())
                .all(|w| addr_token(w).is_some())
    });
    any && all
}

/// Lines that open with an address list ("may be more..." can follow).
pub fn starts_address_list<'a>(mut lines: impl Iterator<Item = &'a str>) -> bool {
    lines
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| is_address_list(std::iter::once(l)))
}

/// The tool a sentence names, for a ban list it introduces.
fn tool_named(intro: &str) -> &'static str {
    let l = intro.to_ascii_lowercase();
    if l.contains("imunify") {
        "imunify360"
    } else if l.contains("bitninja") {
        "bitninja"
    } else if l.contains("csf") || l.contains("lfd") {
        "csf"
    } else if l.contains("cphulk") {
        "cphulk"
    } else if l.contains("ipset") {
        "ipset"
    } else if l.contains("jail") || l.contains("fail2ban") {
        "fail2ban"
    } else {
        "ban list"
    }
}

/// The list's name in an introducing sentence: the word before "jail",
/// "list", "set" ("my recidive jail" → recidive), else the tool.
fn list_named(intro: &str) -> String {
    let words: Vec<String> = intro
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words
        .windows(2)
        .find(|w| {
            matches!(
                w.get(1).map(|x| x.to_ascii_lowercase()).as_deref(),
                Some("jail" | "set" | "ipset" | "list")
            ) && w.first().is_some_and(|x| {
                !matches!(
                    x.to_ascii_lowercase().as_str(),
                    "my" | "the" | "our" | "this" | "a"
                )
            })
        })
        .and_then(|w| w.first().cloned())
        .unwrap_or_default()
}

/// Set names that hold banned addresses.
pub fn is_ban_set(name: &str) -> bool {
    crate::firewall::model::ban_list(name).is_some()
}

fn addrs_in(text: &str) -> Vec<AddrRange> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(addr_token)
        .collect()
}

fn kv<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.split_whitespace().find_map(|w| w.strip_prefix(key))
}

struct Ctx {
    /// Jail of the last `Status for the jail:` line.
    jail: Option<String>,
    /// Jail section of jail.local.
    section: String,
    /// ipset being listed, when it is a ban set: (name, is_ban).
    set: Option<(String, bool)>,
    in_members: bool,
    /// Banned list continues on the next lines (terminal wrap).
    banned_wrap: bool,
    /// A sentence introduced the addresses that follow as banned: (tool,
    /// list).
    introduced: Option<(&'static str, String)>,
    /// A hosting panel's list command above: (tool, list).
    panel: Option<(&'static str, String)>,
    /// CIDRAM's `IP Address:` and `Signatures Reference:` of the entry
    /// being read.
    cidram: Option<AddrRange>,
    /// A CrowdSec listing is being read: whether its rows are decisions
    /// in force (`cscli decisions list`) rather than an alerts history.
    crowdsec: Option<bool>,
}

/// Parse any mix of the inputs in the module doc.
pub fn parse(input: &str, lines: &[Line<'_>]) -> BanFacts {
    parse_with(input, lines, None)
}

/// Parse the output of `command` (the command line above the block, which
/// names a hosting panel's list: `imunify360-agent blacklist ip list`).
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> BanFacts {
    let mut f = BanFacts::default();
    let mut c = Ctx {
        jail: None,
        section: "DEFAULT".into(),
        set: None,
        in_members: false,
        banned_wrap: false,
        introduced: None,
        panel: command.and_then(panel_list),
        cidram: None,
        crowdsec: command.and_then(|cmd| cscli_list(&mut f, cmd, lines.first().copied())),
    };
    // The list's command stands above the block: what it lists is whole.
    if let (Some((tool, list)), Some(first)) = (&c.panel, lines.first()) {
        let (tool, list) = (*tool, list.clone());
        listing(&mut f, tool, &list, *first);
    }
    let mut i = 0usize;
    while let Some(line) = lines.get(i).copied() {
        i += 1;
        let t = line.text.trim();
        if t.is_empty() {
            c.in_members = false;
            c.banned_wrap = false;
            continue;
        }
        let ok = read_line(&mut f, &mut c, line, t, lines, &mut i);
        if ok {
            f.understood_lines += 1;
        } else {
            f.not_understood.push(NotUnderstood::new(
                line,
                "not a ban, log block or throttle line",
            ));
        }
    }
    resolve_unbans(&mut f);
    f
}

fn listing(f: &mut BanFacts, tool: &str, list: &str, line: Line<'_>) {
    f.listings.push(Listing {
        tool: tool.into(),
        list: list.into(),
        line: line.no,
    });
}

fn ban(
    f: &mut BanFacts,
    tool: &str,
    list: &str,
    addrs: Vec<AddrRange>,
    active: Option<bool>,
    line: Line<'_>,
) {
    if addrs.is_empty() {
        return;
    }
    f.bans.push(Ban {
        tool: tool.into(),
        list: list.into(),
        addrs: AddrSet::from_ranges(addrs),
        active,
        stated: false,
        line: line.no,
        text: line.text.trim().to_string(),
    });
}

fn read_line(
    f: &mut BanFacts,
    c: &mut Ctx,
    line: Line<'_>,
    t: &str,
    lines: &[Line<'_>],
    i: &mut usize,
) -> bool {
    // long: one line dispatcher over the ban formats (fail2ban status/banned/log, jail.local,
    // ipset, kernel LOG) sharing the wrapped-list context.
    // Continuation of a wrapped `Banned IP list:`.
    if c.banned_wrap {
        let addrs = addrs_in(t);
        if !addrs.is_empty() && t.split_whitespace().all(|w| addr_token(w).is_some()) {
            let jail = c.jail.clone().unwrap_or_default();
            ban(f, "fail2ban", &jail, addrs, Some(true), line);
            return true;
        }
        c.banned_wrap = false;
    }
    // A person's sentence introducing the addresses below as banned: they
    // copied part of a list (maybe not all of it), so it shows a ban but
    // never rules one out.
    if introduces_ban_list(t) && addr_token(t.trim_end_matches(':')).is_none() {
        c.introduced = Some((tool_named(t), list_named(t)));
        return true;
    }
    if let Some((tool, list)) = c.introduced.clone() {
        if is_address_list(std::iter::once(t)) {
            let before = f.bans.len();
            ban(f, tool, &list, addrs_in(t), Some(true), line);
            for b in f.bans.iter_mut().skip(before) {
                b.stated = true;
            }
            return true;
        }
        c.introduced = None;
    }
    if let Some(p) = panel_list(t) {
        listing(f, p.0, &p.1, line);
        c.panel = Some(p);
        return true;
    }
    if let Some(decisions) = cscli_list(f, t, Some(line)) {
        c.crowdsec = Some(decisions);
        return true;
    }
    if let Some(decisions) = c.crowdsec.or_else(|| crowdsec_value(t).map(|_| true)) {
        if let Some(read) = crowdsec_row(f, decisions, t, line) {
            return read;
        }
    }
    // Prompts and commands.
    let first = t.split_whitespace().next().unwrap_or("");
    if matches!(first, "$" | "#")
        || first.ends_with('$')
        || (first.ends_with('#') && first.len() > 1)
    {
        return true;
    }
    if t.starts_with("fail2ban-client") || t.starts_with("sudo ") || t.starts_with("ipset ") {
        return true;
    }
    if let Some((tool, list)) = c.panel.clone() {
        if let Some(read) = panel_row(f, tool, &list, t, line) {
            return read;
        }
    }
    // fail2ban-client status.
    if t == "Status" || t.starts_with("|- Number of jail") {
        return true;
    }
    if let Some((_, list)) = t.split_once("Jail list:") {
        f.jails.extend(
            list.split(',')
                .map(|j| j.trim().to_string())
                .filter(|j| !j.is_empty()),
        );
        return true;
    }
    if let Some(j) = t.strip_prefix("Status for the jail:") {
        c.jail = Some(j.trim().to_string());
        return true;
    }
    if let Some((_, list)) = t.split_once("Banned IP list:") {
        let jail = c.jail.clone().unwrap_or_default();
        listing(f, "fail2ban", &jail, line);
        ban(f, "fail2ban", &jail, addrs_in(list), Some(true), line);
        c.banned_wrap = true;
        return true;
    }
    let tree = t.trim_start_matches(['|', '`', '-', ' ']);
    if let Some(files) = tree.strip_prefix("File list:") {
        for path in files.split_whitespace().filter(|p| p.starts_with('/')) {
            if !f.watched_logs.iter().any(|w| w == path) {
                f.watched_logs.push(path.to_string());
            }
        }
        return true;
    }
    if [
        "Filter",
        "Actions",
        "Currently failed:",
        "Total failed:",
        "File list:",
        "Currently banned:",
        "Total banned:",
        "Journal matches:",
    ]
    .iter()
    .any(|p| tree.starts_with(p))
    {
        return true;
    }
    // fail2ban-client banned: [{'sshd': ['1.2.3.4']}, {'nginx': []}]
    if t.starts_with("[{") || t.starts_with("{'") {
        return banned_json(f, t, line);
    }
    // jail.local
    if t.starts_with('[') && t.ends_with(']') && !t.contains(' ') {
        c.section = t.trim_matches(['[', ']']).to_string();
        return true;
    }
    if let Some(rest) = t.strip_prefix("ignoreip") {
        let mut addrs = addrs_in(rest.trim_start().trim_start_matches(['=', ':']));
        // Continuation lines: indented address lists.
        while let Some(next) = lines.get(*i) {
            let nt = next.text;
            if (nt.starts_with(' ') || nt.starts_with('\t'))
                && !nt.trim().is_empty()
                && nt.split_whitespace().all(|w| addr_token(w).is_some())
            {
                addrs.extend(addrs_in(nt));
                *i += 1;
                f.understood_lines += 1;
            } else {
                break;
            }
        }
        f.ignore.push(IgnoreList {
            tool: "fail2ban".into(),
            jail: c.section.clone(),
            addrs: AddrSet::from_ranges(addrs),
            line: line.no,
            text: t.to_string(),
        });
        return true;
    }
    if t.contains('=') && !t.contains(" SRC=") && looks_like_ini(t) {
        return true;
    }
    // fail2ban.log
    if t.contains("fail2ban.") {
        return fail2ban_log(f, t, line);
    }
    // ipset list / save
    if let Some(name) = t.strip_prefix("Name:") {
        let name = name.trim().to_string();
        let is_ban = is_ban_set(&name);
        c.set = Some((name, is_ban));
        c.in_members = false;
        return true;
    }
    if [
        "Type:",
        "Revision:",
        "Header:",
        "Size in memory:",
        "References:",
        "Number of entries:",
    ]
    .iter()
    .any(|p| t.starts_with(p))
    {
        return true;
    }
    if t == "Members:" {
        c.in_members = true;
        if let Some((set, true)) = &c.set {
            let set = set.clone();
            listing(f, "ipset", &set, line);
        }
        return true;
    }
    if let Some(rest) = t.strip_prefix("create ") {
        if let Some(set) = rest.split_whitespace().next().filter(|s| is_ban_set(s)) {
            listing(f, "ipset", set, line);
        }
        return true;
    }
    if let Some(rest) = t.strip_prefix("add ") {
        let mut w = rest.split_whitespace();
        let (Some(set), Some(addr)) = (w.next(), w.next()) else {
            return false;
        };
        if is_ban_set(set) {
            if let Some(a) = addr_token(addr) {
                ban(f, "ipset", set, vec![a], Some(true), line);
            }
        }
        return true;
    }
    if c.in_members {
        if let Some(a) = t.split_whitespace().next().and_then(addr_token) {
            if let Some((set, true)) = &c.set {
                let set = set.clone();
                ban(f, "ipset", &set, vec![a], Some(true), line);
            }
            return true;
        }
    }
    // CIDRAM's block log: `IP Address: 162.158.67.83`, `Signatures
    // Reference: 162.158.64.0/20`, then `Why Blocked: ...`. A signature
    // blocks its whole range for as long as it is loaded.
    if let Some(v) = t.strip_prefix("IP Address:") {
        c.cidram = addr_token(v.trim());
        return true;
    }
    if let Some(v) = t.strip_prefix("Signatures Reference:") {
        if let Some(r) = v.split(',').next().and_then(|r| addr_token(r.trim())) {
            c.cidram = Some(r);
        }
        return true;
    }
    if t.starts_with("Why Blocked:") {
        if let Some(a) = c.cidram.take() {
            let why = t.trim_start_matches("Why Blocked:").trim();
            ban(f, "CIDRAM", why, vec![a], Some(true), line);
        }
        return true;
    }
    if [
        "ID:",
        "Script Version:",
        "Date/Time:",
        "Signatures Count:",
        "User Agent:",
        "Reconstructed URI:",
        "reCAPTCHA State:",
    ]
    .iter()
    .any(|p| t.starts_with(p))
    {
        return true;
    }
    // Kernel LOG lines.
    if t.contains(" SRC=") && t.contains(" DST=") {
        return kernel_log(f, t, line);
    }
    throttle_line(f, t, line)
}

/// A hosting panel's command that lists banned addresses:
/// `imunify360-agent blacklist ip list`, `imunify360-agent graylist ip list
/// --json`, `bitninjacli --blacklist --list`, `whmapi1 read_cphulk_records
/// list_name=black`.
fn panel_list(t: &str) -> Option<(&'static str, String)> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let at = words.iter().position(|w| {
        let tool = w.rsplit('/').next().unwrap_or("");
        matches!(tool, "imunify360-agent" | "bitninjacli" | "whmapi1")
    })?;
    let tool_word = words.get(at)?.rsplit('/').next().unwrap_or("");
    let args = words.get(at + 1..).unwrap_or(&[]);
    let lists = |w: &&str| w.trim_start_matches('-') == "list" || w.contains("read_cphulk");
    if !args.iter().any(lists) {
        return None;
    }
    let named = |k: &str| args.iter().any(|w| w.to_ascii_lowercase().contains(k));
    let list = if named("gray") || named("grey") || named("challenge") {
        "graylist"
    } else if named("black") || named("block") {
        "blacklist"
    } else {
        return None;
    };
    let tool = match tool_word {
        "imunify360-agent" => "imunify360",
        "bitninjacli" => "bitninja",
        _ if named("cphulk") => "cphulk",
        _ => return None,
    };
    Some((tool, list.to_string()))
}

/// One line of a panel list's output: a table row whose first column is
/// the address (a header row of capitalised column names), `"ip":
/// "1.2.3.4"` of `--json`, `ip: 1.2.3.4` of the WHM API's YAML. `None`
/// when the line is none of these.
fn panel_row(f: &mut BanFacts, tool: &str, list: &str, t: &str, line: Line<'_>) -> Option<bool> {
    let first = t.split_whitespace().next().unwrap_or("");
    if let Some(a) = addr_token(first) {
        ban(f, tool, list, vec![a], Some(true), line);
        return Some(true);
    }
    let key = t.trim_start_matches(['{', '-', ' ']).trim_start();
    for k in ["\"ip\":", "ip:", "\"ip\" :"] {
        if let Some(rest) = key.strip_prefix(k) {
            let v = rest.trim().trim_matches([',', '"', '\'', ' ']);
            if let Some(a) = addr_token(v) {
                ban(f, tool, list, vec![a], Some(true), line);
            }
            return Some(true);
        }
    }
    // Column headers (`IP  TTL  COUNTRY  COMMENT`), JSON punctuation and
    // other fields of an item.
    let header = first == "IP"
        && t.split_whitespace()
            .all(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
    let json = t.starts_with(['{', '}', '[', ']', '"']);
    // The WHM API's YAML: `---`, `-`, `data:`, `reason: OK`.
    let yaml = t == "---"
        || t == "-"
        || t.split_once(':').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
    (header || json || yaml).then_some(true)
}

/// A `cscli decisions list` or `cscli alerts list` command line:
/// `Some(true)` for decisions in force, `Some(false)` for alerts (a
/// history). An unfiltered decisions list is whole, so it can rule bans
/// out; `--ip`, `--origin`, `--scenario` and the like show a part.
fn cscli_list(f: &mut BanFacts, t: &str, line: Option<Line<'_>>) -> Option<bool> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.rsplit('/').next() == Some("cscli"))?;
    let args = words.get(at + 1..).unwrap_or(&[]);
    let decisions = match args.first().copied() {
        Some("decisions" | "decision") => true,
        Some("alerts" | "alert") => false,
        _ => return None,
    };
    if args.get(1).copied() != Some("list") {
        return None;
    }
    let filtered = args.iter().skip(2).any(|w| w.starts_with('-'));
    if decisions && !filtered {
        if let Some(line) = line {
            listing(f, "crowdsec", "decisions", line);
        }
    }
    Some(decisions)
}

/// The `Ip:1.2.3.4` or `Range:1.2.3.0/24` value of a CrowdSec table row.
fn crowdsec_value(t: &str) -> Option<AddrRange> {
    t.split(['│', '|']).map(str::trim).find_map(|cell| {
        let v = cell
            .strip_prefix("Ip:")
            .or_else(|| cell.strip_prefix("Range:"))?;
        addr_token(v)
    })
}

/// One line of a CrowdSec table: a row with a banned value, a header, a
/// border or a footer. `None` when the line is none of these.
fn crowdsec_row(f: &mut BanFacts, decisions: bool, t: &str, line: Line<'_>) -> Option<bool> {
    if let Some(a) = crowdsec_value(t) {
        let cells: Vec<&str> = t.split(['│', '|']).map(str::trim).collect();
        // Decisions carry their type (`ban`, `captcha`); alerts count them
        // (`ban:1`). A captcha is a challenge, not a refusal.
        let bans = cells.iter().any(|c| *c == "ban" || c.starts_with("ban:"));
        if bans {
            let active = decisions.then_some(true);
            ban(
                f,
                "crowdsec",
                if decisions { "decisions" } else { "alerts" },
                vec![a],
                active,
                line,
            );
        }
        return Some(true);
    }
    let border = t.chars().all(|c| "+-|─│╭╮╰╯├┤┼┬┴═ ".contains(c));
    let lower = t.to_ascii_lowercase();
    let header =
        (lower.contains("scope:value") || lower.contains("value")) && lower.contains("reason");
    let footer = lower.contains("no active decisions")
        || lower.contains("duplicated entries skipped")
        || lower.starts_with("no active alerts");
    (border || header || footer).then_some(true)
}

fn looks_like_ini(t: &str) -> bool {
    let key = t.split('=').next().unwrap_or("").trim();
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

fn banned_json(f: &mut BanFacts, t: &str, line: Line<'_>) -> bool {
    // Pairs of `'jail': [ ... ]`.
    let mut rest = t;
    let mut any = false;
    while let Some(q) = rest.find('\'') {
        let after = rest.get(q + 1..).unwrap_or("");
        let Some(end) = after.find('\'') else { break };
        let name = after.get(..end).unwrap_or("");
        let tail = after.get(end + 1..).unwrap_or("");
        let Some(list_start) = tail.trim_start().strip_prefix(':').map(str::trim_start) else {
            rest = tail;
            continue;
        };
        let Some(body) = list_start.strip_prefix('[') else {
            rest = tail;
            continue;
        };
        let close = body.find(']').unwrap_or(body.len());
        let inner = body.get(..close).unwrap_or("");
        ban(f, "fail2ban", name, addrs_in(inner), Some(true), line);
        listing(f, "fail2ban", name, line);
        any = true;
        rest = body.get(close..).unwrap_or("");
    }
    if !any && t.trim() == "[]" {
        // `fail2ban-client banned` with nothing banned in any jail.
        listing(f, "fail2ban", "", line);
        return true;
    }
    any
}

fn fail2ban_log(f: &mut BanFacts, t: &str, line: Line<'_>) -> bool {
    let jail = t.split_once("] ").and_then(|_| {
        // The jail is the last `[name]` before the verb.
        let open = t.rfind(" [")?;
        let after = t.get(open + 2..)?;
        let close = after.find(']')?;
        Some(after.get(..close)?.to_string())
    });
    let words: Vec<&str> = t.split_whitespace().collect();
    for (k, w) in words.iter().enumerate() {
        let addr = words.get(k + 1).and_then(|a| addr_token(a));
        match (*w, addr) {
            ("Ban", Some(a)) => {
                // `Restore Ban` after a restart is a ban too.
                ban(
                    f,
                    "fail2ban",
                    jail.as_deref().unwrap_or(""),
                    vec![a],
                    None,
                    line,
                );
                return true;
            }
            ("Unban", Some(a)) => {
                f.bans.push(Ban {
                    tool: "fail2ban-unban".into(),
                    list: jail.clone().unwrap_or_default(),
                    addrs: AddrSet::from_ranges([a]),
                    active: Some(false),
                    stated: false,
                    line: line.no,
                    text: t.to_string(),
                });
                return true;
            }
            _ => {}
        }
    }
    // Found / already banned / Jail started...: understood, no ban.
    true
}

/// A later `Unban` marks earlier bans of the same address and jail lifted.
fn resolve_unbans(f: &mut BanFacts) {
    let unbans: Vec<(String, AddrSet, usize)> = f
        .bans
        .iter()
        .filter(|b| b.tool == "fail2ban-unban")
        .map(|b| (b.list.clone(), b.addrs.clone(), b.line))
        .collect();
    for b in f
        .bans
        .iter_mut()
        .filter(|b| b.tool == "fail2ban" && b.active.is_none())
    {
        if unbans
            .iter()
            .any(|(j, a, l)| *j == b.list && *a == b.addrs && *l > b.line)
        {
            b.active = Some(false);
        }
    }
    f.bans.retain(|b| b.tool != "fail2ban-unban");
}

fn kernel_log(f: &mut BanFacts, t: &str, line: Line<'_>) -> bool {
    let Some(in_pos) = t.find("IN=") else {
        return false;
    };
    let mut head = t.get(..in_pos).unwrap_or("").trim();
    if let Some((_, after)) = head.split_once("kernel:") {
        head = after.trim();
    }
    // Leading `[12345.678]` or `[Tue Nov 24 10:11:12 2026]` stamps.
    while let Some(rest) = head.strip_prefix('[') {
        let Some((inner, after)) = rest.split_once(']') else {
            break;
        };
        let stamp = inner.trim().parse::<f64>().is_ok()
            || inner
                .split_whitespace()
                .next()
                .is_some_and(|w| ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&w));
        if !stamp {
            break;
        }
        head = after.trim();
    }
    let prefix = head.trim_matches(['[', ']']).trim().to_string();
    let up = prefix.to_ascii_uppercase();
    let blocked = ["BLOCK", "DROP", "REJECT", "DENY"]
        .iter()
        .any(|w| up.contains(w));
    let body = t.get(in_pos..).unwrap_or("");
    let flag_words = ["SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR"];
    let flags: Vec<String> = body
        .split_whitespace()
        .filter(|w| flag_words.contains(w))
        .map(str::to_string)
        .collect();
    let proto = kv(body, "PROTO=").map(str::to_string);
    let has = |x: &str| flags.iter().any(|g| g == x);
    let teardown = proto.as_deref() == Some("TCP") && !has("SYN") && (has("RST") || has("FIN"));
    let mut block = LogBlock {
        prefix,
        blocked,
        src: kv(body, "SRC=")
            .and_then(AddrRange::parse)
            .map(|r| AddrSet::from_ranges([r])),
        dst: kv(body, "DST=").map(str::to_string),
        proto,
        dpt: kv(body, "DPT=").and_then(|p| p.parse().ok()),
        flags,
        teardown_noise: teardown,
        line: line.no,
        text: t.to_string(),
    };
    // A ban list's own log prefix (`f2b-nginx:`) means its packets end there.
    block.blocked |= block.is_ban();
    f.log_blocks.push(block);
    true
}

fn throttle_line(f: &mut BanFacts, t: &str, line: Line<'_>) -> bool {
    let lower = t.to_ascii_lowercase();
    let mut push = |tool: &str, zone: Option<String>, addrs: Vec<AddrRange>| {
        if addrs.is_empty() {
            return false;
        }
        f.throttles.push(Throttle {
            tool: tool.into(),
            zone,
            client: AddrSet::from_ranges(addrs),
            line: line.no,
            text: t.to_string(),
        });
        true
    };
    if lower.contains("limiting requests") || lower.contains("limiting connections") {
        let zone = t
            .split_once("zone \"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(z, _)| z.to_string());
        let client = t
            .split_once("client: ")
            .and_then(|(_, r)| r.split(',').next())
            .and_then(addr_token);
        let tool = if lower.contains("limiting requests") {
            "nginx limit_req"
        } else {
            "nginx limit_conn"
        };
        return push(tool, zone, client.into_iter().collect());
    }
    let client_tag = || {
        t.split_once("[client ")
            .and_then(|(_, r)| r.split(']').next())
            .and_then(addr_token)
    };
    if lower.contains("modsecurity") {
        return push("modsecurity", None, client_tag().into_iter().collect());
    }
    if lower.contains("mod_evasive") || lower.contains("evasive") {
        let addrs: Vec<AddrRange> = client_tag()
            .into_iter()
            .chain(addrs_in(t))
            .take(1)
            .collect();
        return push("mod_evasive", None, addrs);
    }
    if lower.contains("cphulk") {
        if lower.contains("block") || lower.contains("black") || lower.contains("brute") {
            let a = addrs_in(t);
            if !a.is_empty() {
                ban(f, "cphulk", "cphulk", a, None, line);
                return true;
            }
        }
        return lower.contains("cphulk");
    }
    // Imunify360's console.log: `IP 103.86.52.175 is BLOCKED with 300 sec`.
    if t.contains(" is BLOCKED") {
        if let Some(a) = t
            .split_once(" IP ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .and_then(addr_token)
        {
            ban(f, "imunify360", "", vec![a], None, line);
            return true;
        }
    }
    // LiteSpeed's real-time report of addresses its per-client throttling
    // blocks now: `BLOCKED_IP: 1.2.3.4;C, 5.6.7.8;C`.
    if let Some((_, rest)) = t.split_once("BLOCKED_IP:") {
        let a: Vec<AddrRange> = rest
            .split(',')
            .filter_map(|w| w.trim().split(';').next().and_then(addr_token))
            .collect();
        listing(f, "litespeed", "BLOCKED_IP", line);
        ban(f, "litespeed", "BLOCKED_IP", a, Some(true), line);
        return true;
    }
    // LiteSpeed connection throttling: `[1.2.3.4] bot detected for vhost
    // [N/A], reason: OverConnHardLimit, block`.
    if lower.contains("bot detected") || lower.contains("overconn") {
        let a: Vec<AddrRange> = t
            .split('[')
            .filter_map(|p| p.split(']').next())
            .filter_map(addr_token)
            .take(1)
            .collect();
        // A masked address (`[95.xx.xx.235]`) is still a throttling line.
        push("litespeed", None, a);
        return true;
    }
    if t.contains("[ACL]")
        || (lower.contains("banned")
            && (t.contains("[NOTICE]") || t.contains("[INFO]") || t.contains("[WARN]")))
        || lower.contains("throttl")
    {
        // LiteSpeed puts the client as `[1.2.3.4:5555]` or `[1.2.3.4]`.
        let a: Vec<AddrRange> = t
            .split('[')
            .filter_map(|p| p.split(']').next())
            .filter_map(addr_token)
            .take(1)
            .collect();
        return push("litespeed", None, a);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn crowdsec_decisions_are_bans_in_force_and_a_whole_list() {
        let text = "+----+----------+---------------+--------+--------+\n| ID | SOURCE   | SCOPE:VALUE   | REASON | ACTION |\n+----+----------+---------------+--------+--------+\n| 7  | crowdsec | Ip:172.70.1.9 | http   | ban    |\n| 8  | cscli    | Ip:198.51.100.7 | manual | captcha |\n";
        let f = parse_with("t", &lines(text), Some("sudo cscli decisions list"));
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        // A captcha challenges; only the ban refuses.
        assert_eq!(f.bans.len(), 1);
        assert_eq!(f.bans[0].tool, "crowdsec");
        assert_eq!(f.bans[0].active, Some(true));
        assert_eq!(f.listings.len(), 1);
        // A filtered listing shows a part: no listing to rule out with.
        let f = parse_with(
            "t",
            &lines(text),
            Some("cscli decisions list --origin lists"),
        );
        assert!(f.listings.is_empty());
        assert_eq!(f.bans.len(), 1);
    }

    #[test]
    fn fail2ban_file_lists_are_kept() {
        let text = "Status for the jail: wordpress-pingback\n|- Filter\n|  |- Currently failed:\t0\n|  |- Total failed:\t14\n|  `- File list:\t/home/nginx/domains/a.com/log/access.log /home/nginx/domains/b.com/log/access.log\n`- Actions\n   |- Currently banned:\t0\n   |- Total banned:\t0\n   `- Banned IP list:\n";
        let f = parse_with(
            "t",
            &lines(text),
            Some("fail2ban-client status wordpress-pingback"),
        );
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(
            f.watched_logs,
            [
                "/home/nginx/domains/a.com/log/access.log",
                "/home/nginx/domains/b.com/log/access.log"
            ]
        );
        // A journal backend watches no files.
        let journal = "|  `- Journal matches:  _SYSTEMD_UNIT=sshd.service + _COMM=sshd\n";
        assert!(parse_with("t", &lines(journal), None)
            .watched_logs
            .is_empty());
    }

    #[test]
    fn crowdsec_alerts_are_history() {
        let text = "/ # cscli alerts list\n│ 37373 │ Ip:162.158.1.2 │ crowdsecurity/http-probing │ SG │ 14061 X │ ban:1 │ 2025-11-16T22:17:38Z │\n";
        let f = parse_with("t", &lines(text), None);
        assert_eq!(f.bans.len(), 1);
        assert_eq!(f.bans[0].active, None);
        assert!(f.listings.is_empty());
        // Not a CrowdSec row: a plain table cell with an address.
        let f = parse_with("t", &lines("| 198.51.100.7 | ban |\n"), None);
        assert!(f.bans.is_empty());
    }

    #[test]
    fn tokens() {
        assert!(addr_token("[162.158.1.2:5555]").is_some());
        assert!(addr_token("162.158.1.2,").is_some());
        assert!(addr_token("[2400:cb00::1]:443").is_some());
        assert!(addr_token("2400:cb00::1").is_some());
        assert!(addr_token("sshd").is_none());
    }

    #[test]
    fn teardown_and_syn() {
        let text = "Nov 24 10:11:12 web kernel: [12345.678] [UFW BLOCK] IN=eth0 OUT= MAC=aa SRC=172.70.1.2 DST=203.0.113.5 LEN=40 TOS=0x00 PREC=0x00 TTL=57 ID=0 DF PROTO=TCP SPT=12345 DPT=443 WINDOW=0 RES=0x00 RST URGP=0\n[12345.9] [UFW BLOCK] IN=eth0 OUT= SRC=172.70.1.3 DST=203.0.113.5 PROTO=TCP SPT=1 DPT=443 WINDOW=1 RES=0x00 SYN URGP=0\n";
        let f = parse("t", &lines(text));
        assert_eq!(f.log_blocks.len(), 2);
        assert!(f
            .log_blocks
            .first()
            .is_some_and(|b| b.teardown_noise && b.blocked && b.prefix == "UFW BLOCK"));
        assert!(f
            .log_blocks
            .get(1)
            .is_some_and(|b| !b.teardown_noise && b.dpt == Some(443)));
        // The firewall's own log: not a ban, but a block (line 2) and noise.
        assert!(cloudflare_hits(&f, &Ranges::bundled()).is_empty());
        let (blocked, noise) = cloudflare_log_blocks(&f, &Ranges::bundled());
        assert_eq!(blocked.iter().map(|b| b.line).collect::<Vec<_>>(), [2]);
        assert_eq!(noise.iter().map(|b| b.line).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn log_prefixes_of_ban_lists_are_bans() {
        let text = "[Tue Nov 24 09:58:02 2026] BLACKLIST DROP: IN=eth0 OUT= SRC=172.70.1.3 DST=203.0.113.5 PROTO=TCP SPT=1 DPT=443 SYN\n[Tue Nov 24 09:58:03 2026] f2b-nginx: IN=eth0 OUT= SRC=172.70.1.4 DST=203.0.113.5 PROTO=TCP SPT=1 DPT=443 SYN\n[Tue Nov 24 09:58:04 2026] IPTables-Dropped: IN=eth0 OUT= SRC=172.70.1.5 DST=203.0.113.5 PROTO=TCP SPT=1 DPT=443 SYN\n";
        let ls = lines(text);
        assert!(sniff(&ls) >= 50);
        let f = parse("t", &ls);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let bans: Vec<bool> = f.log_blocks.iter().map(LogBlock::is_ban).collect();
        assert_eq!(bans, [true, true, false]);
        let hits: Vec<usize> = cloudflare_hits(&f, &Ranges::bundled())
            .iter()
            .map(|h| h.line)
            .collect();
        assert_eq!(hits, [1, 2]);
        let (blocked, _) = cloudflare_log_blocks(&f, &Ranges::bundled());
        assert_eq!(blocked.iter().map(|b| b.line).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn unban_lifts() {
        let text = "2026-11-24 10:00:00,000 fail2ban.actions [99]: NOTICE  [sshd] Ban 162.158.1.2\n2026-11-24 10:10:00,000 fail2ban.actions [99]: NOTICE  [sshd] Unban 162.158.1.2\n2026-11-24 10:11:00,000 fail2ban.actions [99]: NOTICE  [nginx-limit-req] Ban 162.158.1.3\n";
        let f = parse("t", &lines(text));
        assert_eq!(f.bans.len(), 2);
        assert_eq!(f.bans.first().and_then(|b| b.active), Some(false));
        assert_eq!(
            f.bans.get(1).map(|b| b.list.as_str()),
            Some("nginx-limit-req")
        );
        assert!(f.not_understood.is_empty());
    }
}
