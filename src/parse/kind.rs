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

/// A kind a person set by hand for the block of `input` starting at
/// `first_line` (the page's chips let them correct a wrong guess).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindOverride {
    pub input: String,
    pub first_line: usize,
    pub kind: BlockKind,
}
