//! Cloudflare's published address ranges, the origin ports it connects to,
//! and the SSL mode that picks between them.

use serde::{Deserialize, Serialize};

use crate::net::{AddrRange, AddrSet, Family};

/// The bundled snapshot, also served as `ranges.json` beside the page.
pub const BUNDLED_JSON: &str = include_str!("../static/ranges.json");

/// Ports Cloudflare proxies plain HTTP to.
pub const HTTP_PORTS: [u16; 7] = [80, 8080, 8880, 2052, 2082, 2086, 2095];
/// Ports Cloudflare proxies HTTPS to.
pub const HTTPS_PORTS: [u16; 6] = [443, 2053, 2083, 2087, 2096, 8443];

/// Every proxied origin port, HTTP first.
pub fn all_ports() -> Vec<u16> {
    HTTP_PORTS
        .iter()
        .chain(HTTPS_PORTS.iter())
        .copied()
        .collect()
}

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

/// A list of Cloudflare ranges and when it was last changed upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranges {
    pub ranges: Vec<AddrRange>,
    /// Ranges that old configurations carry but Cloudflare no longer uses.
    pub retired: Vec<AddrRange>,
    /// `last_changed_upstream` of the snapshot, when known.
    pub date: Option<String>,
}

impl Ranges {
    /// The ranges of one family as CIDR text, in list order (what firewall
    /// commands take).
    pub fn cidrs(&self, family: Family) -> Vec<String> {
        self.ranges
            .iter()
            .filter(|r| r.family == family)
            .map(|r| r.to_string())
            .collect()
    }

    pub fn bundled() -> Ranges {
        // The bundled file is part of the build and tested below.
        Ranges::parse(BUNDLED_JSON).unwrap_or(Ranges {
            ranges: Vec::new(),
            retired: Vec::new(),
            date: None,
        })
    }

    /// Accepts Cloudflare's API JSON (`result.ipv4_cidrs`), the bundled
    /// snapshot shape (`ipv4_cidrs` at the top), or plain text with one CIDR
    /// per line (the ips-v4/ips-v6 files, even glued together without the
    /// newline ips-v4 lacks at its end).
    pub fn parse(text: &str) -> Option<Ranges> {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let root = value.get("result").unwrap_or(&value);
            let list = |key: &str| -> Vec<AddrRange> {
                root.get(key)
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().and_then(AddrRange::parse))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let mut ranges = list("ipv4_cidrs");
            ranges.extend(list("ipv6_cidrs"));
            if ranges.is_empty() {
                return None;
            }
            let date = value
                .get("last_changed_upstream")
                .and_then(|d| d.as_str())
                .map(str::to_string);
            return Some(Ranges {
                ranges,
                retired: list("retired"),
                date,
            });
        }
        let ranges = split_glued_cidrs(text);
        if ranges.is_empty() {
            None
        } else {
            Some(Ranges {
                ranges,
                retired: Vec::new(),
                date: None,
            })
        }
    }

    pub fn set(&self) -> AddrSet {
        AddrSet::from_ranges(self.ranges.iter().copied())
    }
}

/// Reads CIDRs separated by any whitespace, and also the broken token
/// `131.0.72.0/222400:cb00::/32` that `cat ips-v4 ips-v6` produces because
/// ips-v4 has no trailing newline.
pub fn split_glued_cidrs(text: &str) -> Vec<AddrRange> {
    let mut out = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || c == ',') {
        if token.is_empty() {
            continue;
        }
        if let Some(r) = AddrRange::parse(token) {
            out.push(r);
            continue;
        }
        // Try every split point where an IPv4 prefix length ends and an
        // IPv6 address begins.
        if let Some((v4, rest)) = token.split_once('/') {
            let found = (1..=2).find_map(|len| {
                let (bits, v6) = (rest.get(..len)?, rest.get(len..)?);
                let a = AddrRange::parse(&format!("{v4}/{bits}"))?;
                let b = AddrRange::parse(v6)?;
                Some((a, b))
            });
            if let Some((a, b)) = found {
                out.push(a);
                out.push(b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Family;

    #[test]
    fn bundled_snapshot_has_15_v4_and_7_v6_ranges() {
        let r = Ranges::bundled();
        let v4 = r.ranges.iter().filter(|r| r.family == Family::V4).count();
        let v6 = r.ranges.iter().filter(|r| r.family == Family::V6).count();
        assert_eq!((v4, v6), (15, 7));
        assert_eq!(r.date.as_deref(), Some("2021-04-08"));
        assert_eq!(r.retired.len(), 2);
    }

    #[test]
    fn reads_api_json_and_glued_text_lists() {
        let api = r#"{"result":{"ipv4_cidrs":["173.245.48.0/20"],"ipv6_cidrs":["2400:cb00::/32"]},"success":true}"#;
        assert_eq!(Ranges::parse(api).map(|r| r.ranges.len()), Some(2));
        let glued = "104.24.0.0/14\n172.64.0.0/13\n131.0.72.0/222400:cb00::/32\n2606:4700::/32\n";
        let got: Vec<String> = split_glued_cidrs(glued)
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "104.24.0.0/14",
                "172.64.0.0/13",
                "131.0.72.0/22",
                "2400:cb00::/32",
                "2606:4700::/32"
            ]
        );
    }

    #[test]
    fn ports_are_the_thirteen_proxied_ones() {
        assert_eq!(all_ports().len(), 13);
    }
}
