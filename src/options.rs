//! What the person tells the engine besides the pasted text.

use serde::{Deserialize, Serialize};

use crate::cloudflare::{self, Ranges};

/// Cloudflare's SSL/TLS encryption mode for the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    #[default]
    Unknown,
    Off,
    Flexible,
    Full,
    Strict,
}

impl SslMode {
    pub fn parse(s: &str) -> Option<SslMode> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "unknown" | "" => SslMode::Unknown,
            "off" => SslMode::Off,
            "flexible" => SslMode::Flexible,
            "full" => SslMode::Full,
            "strict" | "full-strict" | "full (strict)" | "full_strict" => SslMode::Strict,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            SslMode::Unknown => "unknown",
            SslMode::Off => "Off",
            SslMode::Flexible => "Flexible",
            SslMode::Full => "Full",
            SslMode::Strict => "Full (strict)",
        }
    }

    /// Origin ports this mode makes Cloudflare connect to for standard
    /// visitors: Flexible and Off use 80, Full and Full (strict) use 443
    /// for HTTPS visitors and 80 for HTTP ones. Unknown checks both.
    pub fn origin_ports(self) -> Vec<u16> {
        match self {
            SslMode::Off | SslMode::Flexible => vec![80],
            SslMode::Full | SslMode::Strict | SslMode::Unknown => vec![80, 443],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub ssl_mode: SslMode,
    /// Further origin ports the person says Cloudflare uses.
    pub extra_ports: Vec<u16>,
    pub ranges: Ranges,
    /// The origin's public interface, when known (`eth0`).
    pub public_interface: Option<String>,
    /// The inputs were redacted (a shared link): documentation addresses
    /// (203.0.113.0/24, 2001:db8::/32, ...) stand for real public ones.
    pub redacted: bool,
    /// Block kinds corrected by hand.
    pub kind_overrides: Vec<crate::parse::split::KindOverride>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ssl_mode: SslMode::Unknown,
            extra_ports: Vec::new(),
            ranges: Ranges::bundled(),
            public_interface: None,
            redacted: false,
            kind_overrides: Vec::new(),
        }
    }
}

impl Options {
    /// The origin ports that matter for this case, sorted, without repeats.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports = self.ssl_mode.origin_ports();
        ports.extend(
            self.extra_ports
                .iter()
                .filter(|p| cloudflare::all_ports().contains(p) || **p > 0),
        );
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}
