//! The vocabulary of block kinds: what a block of pasted text is, and a
//! kind a person set by hand. A leaf: every stage names kinds, so this
//! module imports nothing of the crate.

use serde::{Deserialize, Serialize};

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
pub fn fingerprint(all: &[crate::text::Line<'_>], first_line: usize, last_line: usize) -> u64 {
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
