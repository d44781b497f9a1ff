//! Address families and exact sets of addresses as sorted, disjoint,
//! inclusive ranges. IPv4 addresses are stored in the low 32 bits of a `u128`
//! and never mix with IPv6: a set carries ranges of both families side by
//! side, keyed by [`Family`].
//!
//! **Guarantee:** every operation is exact over whole ranges; no sampling.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    #[serde(rename = "ipv4")]
    V4,
    #[serde(rename = "ipv6")]
    V6,
}

impl Family {
    pub fn max(self) -> u128 {
        match self {
            Family::V4 => u32::MAX as u128,
            Family::V6 => u128::MAX,
        }
    }
    pub fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddrRange {
    pub family: Family,
    pub first: u128,
    pub last: u128,
}

pub fn addr_to_u128(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

pub fn u128_to_addr(family: Family, v: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(v as u32)),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

impl AddrRange {
    pub fn all(family: Family) -> Self {
        AddrRange {
            family,
            first: 0,
            last: family.max(),
        }
    }

    pub fn single(addr: IpAddr) -> Self {
        let v = addr_to_u128(addr);
        AddrRange {
            family: Family::of(addr),
            first: v,
            last: v,
        }
    }

    /// Parse `1.2.3.4`, `1.2.3.0/24`, `2606:4700::/32`, and also a netmask
    /// form `1.2.3.0/255.255.255.0`. Host bits set below the prefix are
    /// cleared, as iptables and nft do.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let family = Family::of(addr);
        let bits = match prefix {
            None => family.bits(),
            Some(p) => match p.parse::<u32>() {
                Ok(n) if n <= family.bits() => n,
                Ok(_) => return None,
                Err(_) => {
                    // Netmask form; only contiguous masks describe a range.
                    let mask: Ipv4Addr = p.parse().ok()?;
                    if family != Family::V4 {
                        return None;
                    }
                    let m = u32::from(mask);
                    let n = m.leading_ones();
                    if m.checked_shl(n).unwrap_or(0) != 0 {
                        return None;
                    }
                    n
                }
            },
        };
        Some(Self::prefix(family, addr_to_u128(addr), bits))
    }

    /// The range of a prefix `value/bits` of `family`.
    pub fn prefix(family: Family, value: u128, bits: u32) -> Self {
        let host_bits = family.bits() - bits.min(family.bits());
        let host_mask: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let first = value & !host_mask & family.max();
        AddrRange {
            family,
            first,
            last: first | (host_mask & family.max()),
        }
    }

    pub fn contains(&self, family: Family, v: u128) -> bool {
        self.family == family && self.first <= v && v <= self.last
    }

    /// Shortest CIDR list that covers exactly this range.
    pub fn to_cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut start = self.first;
        let bits = self.family.bits();
        loop {
            // Largest aligned block starting at `start` that stays in range.
            let mut size_bits = if start == 0 {
                bits
            } else {
                start.trailing_zeros().min(bits)
            };
            while size_bits > 0 {
                let span = if size_bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size_bits) - 1
                };
                match start.checked_add(span) {
                    Some(end) if end <= self.last => break,
                    _ => size_bits -= 1,
                }
            }
            let span = if size_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << size_bits) - 1
            };
            out.push(format!(
                "{}/{}",
                u128_to_addr(self.family, start),
                bits - size_bits
            ));
            match start.checked_add(span).and_then(|e| e.checked_add(1)) {
                Some(next) if next <= self.last => start = next,
                _ => break,
            }
        }
        out
    }
}

impl std::fmt::Display for AddrRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cidrs = self.to_cidrs();
        if cidrs.len() == 1 {
            if let Some(c) = cidrs.first() {
                return f.write_str(c);
            }
        }
        write!(
            f,
            "{}-{}",
            u128_to_addr(self.family, self.first),
            u128_to_addr(self.family, self.last)
        )
    }
}

impl Serialize for AddrRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A set of addresses: sorted, disjoint, non-adjacent ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct AddrSet {
    ranges: Vec<AddrRange>,
}

impl AddrSet {
    pub fn empty() -> Self {
        AddrSet::default()
    }

    pub fn all(family: Family) -> Self {
        AddrSet {
            ranges: vec![AddrRange::all(family)],
        }
    }

    pub fn from_ranges(ranges: impl IntoIterator<Item = AddrRange>) -> Self {
        let mut ranges: Vec<AddrRange> = ranges.into_iter().collect();
        ranges.sort();
        let mut out: Vec<AddrRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            if let Some(prev) = out.last_mut() {
                if prev.family == r.family && prev.last.checked_add(1).is_none_or(|n| n >= r.first)
                {
                    prev.last = prev.last.max(r.last);
                    continue;
                }
            }
            out.push(r);
        }
        AddrSet { ranges: out }
    }

    pub fn ranges(&self) -> &[AddrRange] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let fam = Family::of(addr);
        let v = addr_to_u128(addr);
        let idx = self
            .ranges
            .partition_point(|r| (r.family, r.last) < (fam, v));
        self.ranges.get(idx).is_some_and(|r| r.contains(fam, v))
    }

    pub fn union(&self, other: &AddrSet) -> AddrSet {
        AddrSet::from_ranges(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    pub fn intersect(&self, other: &AddrSet) -> AddrSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            if a.family == b.family {
                let first = a.first.max(b.first);
                let last = a.last.min(b.last);
                if first <= last {
                    out.push(AddrRange {
                        family: a.family,
                        first,
                        last,
                    });
                }
            }
            if (a.family, a.last) < (b.family, b.last) {
                i += 1;
            } else {
                j += 1;
            }
        }
        AddrSet { ranges: out }
    }

    /// Addresses of `self` not in `other`.
    pub fn subtract(&self, other: &AddrSet) -> AddrSet {
        let mut out = Vec::new();
        let mut j = 0;
        for a in &self.ranges {
            let mut cur = Some(*a);
            // Skip ranges of `other` entirely before `a`.
            while other
                .ranges
                .get(j)
                .is_some_and(|b| (b.family, b.last) < (a.family, a.first))
            {
                j += 1;
            }
            let mut k = j;
            while let (Some(c), Some(b)) = (cur, other.ranges.get(k)) {
                if (b.family, b.first) > (c.family, c.last) {
                    break;
                }
                if b.first > c.first {
                    out.push(AddrRange {
                        family: c.family,
                        first: c.first,
                        last: b.first - 1,
                    });
                }
                cur = match b.last.checked_add(1) {
                    Some(n) if n <= c.last => Some(AddrRange {
                        family: c.family,
                        first: n,
                        last: c.last,
                    }),
                    _ => None,
                };
                if b.last <= a.last {
                    k += 1;
                } else {
                    break;
                }
            }
            if let Some(c) = cur {
                out.push(c);
            }
        }
        AddrSet { ranges: out }
    }

    /// Every address of `family` not in the set.
    pub fn complement(&self, family: Family) -> AddrSet {
        AddrSet::all(family).subtract(self)
    }

    pub fn families(&self) -> Vec<Family> {
        let mut f: Vec<Family> = self.ranges.iter().map(|r| r.family).collect();
        f.dedup();
        f
    }
}

/// `a.b.c.d` or `a.b.c.d/n` exactly as firewall dumps print them (no leading
/// zeros, no spaces), without going through the general address parser.
/// `None` for anything else, which [`AddrRange::parse`] then decides, so
/// the result never differs from it.
pub fn fast_v4(s: &str) -> Option<AddrRange> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut value: u32 = 0;
    for k in 0..4 {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let (octet, len) = small_number(b.get(i..)?)?;
        if octet > 255 {
            return None;
        }
        value = (value << 8) | octet;
        i += len;
    }
    let bits = match b.get(i) {
        None => 32,
        Some(b'/') => {
            let rest = b.get(i + 1..)?;
            let (bits, len) = small_number(rest)?;
            if len != rest.len() || bits > 32 {
                return None;
            }
            bits
        }
        Some(_) => return None,
    };
    Some(AddrRange::prefix(Family::V4, u128::from(value), bits))
}

/// A decimal of one to three digits without a leading zero at the start
/// of `b`, and its length.
fn small_number(b: &[u8]) -> Option<(u32, usize)> {
    let len = b.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    let digits = b.get(..len)?;
    if len == 0 || len > 3 || (len > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    Some((
        digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0')),
        len,
    ))
}

/// The port of a service name as `/etc/services` spells it (what
/// `iptables -L` without `-n`, `nft list` without `-nn`, `ss` and `netstat`
/// print instead of a number). One table for every reader.
pub fn service_port(name: &str) -> Option<u16> {
    Some(match name {
        // `tcpmux:65535` is how `iptables -L` prints fail2ban's all ports.
        "tcpmux" => 1,
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "http" | "www" => 80,
        "kerberos" => 88,
        "pop3" => 110,
        "sunrpc" => 111,
        "auth" | "ident" => 113,
        "ntp" => 123,
        "epmap" => 135,
        "netbios-ssn" => 139,
        "imap" | "imap2" => 143,
        "snmp" => 161,
        "bgp" => 179,
        "ldap" => 389,
        "https" => 443,
        "microsoft-ds" => 445,
        "submissions" | "smtps" | "urd" => 465,
        "submission" => 587,
        "ldaps" => 636,
        "login" | "who" => 513,
        "rsync" => 873,
        "rndc" => 953,
        "imaps" => 993,
        "pop3s" => 995,
        "openvpn" => 1194,
        "pptp" => 1723,
        "mysql" => 3306,
        "ms-wbt-server" => 3389,
        "sip" => 5060,
        // lsof and some netstat builds print the daemon's short name.
        "postgresql" | "postgres" => 5432,
        "redis" => 6379,
        "http-alt" | "webcache" => 8080,
        "pcsync-https" => 8443,
        _ => return None,
    })
}

/// What an address is, as far as a proxied record is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddrClass {
    /// One of Cloudflare's own published ranges: the record points at the proxy.
    Cloudflare,
    /// RFC 1918, fc00::/7.
    Private,
    Loopback,
    LinkLocal,
    /// 100.64.0.0/10 carrier-grade NAT.
    Cgnat,
    /// 198.18.0.0/15, used by proxies and benchmarking tools as fake answers.
    FakeIp,
    /// Documentation, "this network", class E, multicast, unspecified.
    Reserved,
    Public,
}

/// Classify an address; `cloudflare` is the set of Cloudflare's ranges in
/// force (`Ranges::set()`, so `--ranges` counts). IPv4-mapped IPv6 is
/// classified as its IPv4.
pub fn classify(addr: IpAddr, cloudflare: &AddrSet) -> AddrClass {
    let addr = match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        v4 => v4,
    };
    match addr {
        IpAddr::V4(a) => classify_v4(a, cloudflare),
        IpAddr::V6(a) => classify_v6(a, cloudflare),
    }
}

fn classify_v4(a: Ipv4Addr, cloudflare: &AddrSet) -> AddrClass {
    let o = a.octets();
    let [o0, o1, o2, _] = o;
    if a.is_loopback() {
        return AddrClass::Loopback;
    }
    if a.is_private() {
        return AddrClass::Private;
    }
    if a.is_link_local() {
        return AddrClass::LinkLocal;
    }
    if o0 == 100 && (64..128).contains(&o1) {
        return AddrClass::Cgnat;
    }
    if o0 == 198 && (o1 == 18 || o1 == 19) {
        return AddrClass::FakeIp;
    }
    let doc = matches!((o0, o1, o2), (192, 0, 2) | (198, 51, 100) | (203, 0, 113));
    if doc || o0 == 0 || o0 >= 224 || (o0 == 192 && o1 == 0 && o2 == 0) {
        return AddrClass::Reserved;
    }
    if cloudflare.contains(IpAddr::V4(a)) {
        return AddrClass::Cloudflare;
    }
    AddrClass::Public
}

fn classify_v6(a: Ipv6Addr, cloudflare: &AddrSet) -> AddrClass {
    let s = a.segments();
    let s0 = s.first().copied().unwrap_or(0);
    let s1 = s.get(1).copied().unwrap_or(0);
    if a.is_loopback() {
        return AddrClass::Loopback;
    }
    if a.is_unspecified() || a.is_multicast() || (s0 == 0x2001 && s1 == 0x0db8) {
        return AddrClass::Reserved;
    }
    if s0 & 0xfe00 == 0xfc00 {
        return AddrClass::Private;
    }
    if s0 & 0xffc0 == 0xfe80 {
        return AddrClass::LinkLocal;
    }
    if cloudflare.contains(IpAddr::V6(a)) {
        return AddrClass::Cloudflare;
    }
    if s0 & 0xe000 != 0x2000 {
        // Outside 2000::/3 nothing is globally routed.
        return AddrClass::Reserved;
    }
    AddrClass::Public
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_ranges() {
        let cf = crate::cloudflare::Ranges::bundled().set();
        let c = |s: &str| classify(s.parse().unwrap(), &cf);
        assert_eq!(c("104.16.1.1"), AddrClass::Cloudflare);
        assert_eq!(c("2606:4700::1"), AddrClass::Cloudflare);
        assert_eq!(c("10.1.2.3"), AddrClass::Private);
        assert_eq!(c("fd00::1"), AddrClass::Private);
        assert_eq!(c("127.0.1.1"), AddrClass::Loopback);
        assert_eq!(c("::1"), AddrClass::Loopback);
        assert_eq!(c("169.254.1.1"), AddrClass::LinkLocal);
        assert_eq!(c("fe80::1"), AddrClass::LinkLocal);
        assert_eq!(c("100.100.1.1"), AddrClass::Cgnat);
        assert_eq!(c("198.18.0.5"), AddrClass::FakeIp);
        assert_eq!(c("192.0.2.1"), AddrClass::Reserved);
        assert_eq!(c("2001:db8::5"), AddrClass::Reserved);
        assert_eq!(c("0.1.2.3"), AddrClass::Reserved);
        assert_eq!(c("240.0.0.1"), AddrClass::Reserved);
        assert_eq!(c("224.0.0.1"), AddrClass::Reserved);
        assert_eq!(c("8.8.8.8"), AddrClass::Public);
        assert_eq!(c("2a01:4f8::1"), AddrClass::Public);
        assert_eq!(c("::ffff:10.0.0.1"), AddrClass::Private);
    }

    #[test]
    fn classify_honours_the_ranges_given() {
        // A range list without 104.16.0.0/13 (as `--ranges` may give).
        let only = AddrSet::from_ranges(AddrRange::parse("173.245.48.0/20"));
        let a: IpAddr = "104.16.1.1".parse().unwrap();
        assert_eq!(classify(a, &only), AddrClass::Public);
        let b: IpAddr = "173.245.48.9".parse().unwrap();
        assert_eq!(classify(b, &only), AddrClass::Cloudflare);
    }

    #[test]
    fn service_names_of_every_reader_resolve() {
        // iptables -L, nft list and ss/lsof spellings.
        for (name, port) in [
            ("sunrpc", 111),
            ("bgp", 179),
            ("www", 80),
            ("pcsync-https", 8443),
            ("postgres", 5432),
            ("webcache", 8080),
        ] {
            assert_eq!(service_port(name), Some(port), "{name}");
        }
        assert_eq!(service_port("HTTPS"), None);
        assert_eq!(service_port("443"), None);
    }

    fn set(cidrs: &[&str]) -> AddrSet {
        AddrSet::from_ranges(cidrs.iter().filter_map(|c| AddrRange::parse(c)))
    }

    fn show(s: &AddrSet) -> Vec<String> {
        s.ranges().iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn parses_prefixes_netmasks_and_hosts() {
        assert_eq!(
            AddrRange::parse("162.158.1.9/15").map(|r| r.to_string()),
            Some("162.158.0.0/15".to_string())
        );
        assert_eq!(
            AddrRange::parse("10.0.0.0/255.255.0.0").map(|r| r.to_string()),
            Some("10.0.0.0/16".to_string())
        );
        assert_eq!(AddrRange::parse("10.0.0.0/255.0.255.0"), None);
        assert_eq!(AddrRange::parse("1.2.3.4/33"), None);
        assert_eq!(
            AddrRange::parse("2a06:98c0::/29").map(|r| r.to_string()),
            Some("2a06:98c0::/29".to_string())
        );
        assert_eq!(
            AddrRange::parse("0.0.0.0/0").map(|r| r.last),
            Some(u32::MAX as u128)
        );
        assert_eq!(AddrRange::parse("::/0").map(|r| r.last), Some(u128::MAX));
    }

    #[test]
    fn subtract_splits_a_range_exactly() {
        let cf = set(&["162.158.0.0/15"]);
        let hole = set(&["162.158.4.0/24"]);
        assert_eq!(
            show(&cf.subtract(&hole)),
            vec!["162.158.0.0/22", "162.158.5.0-162.159.255.255"]
        );
        assert_eq!(show(&cf.intersect(&hole)), vec!["162.158.4.0/24"]);
        assert_eq!(cf.subtract(&hole).union(&hole), cf);
    }

    #[test]
    fn families_never_mix() {
        let v4 = AddrSet::all(Family::V4);
        let v6 = set(&["2606:4700::/32"]);
        assert!(v4.intersect(&v6).is_empty());
        assert_eq!(v6.subtract(&v4), v6);
        assert_eq!(v4.union(&v6).families(), vec![Family::V4, Family::V6]);
    }

    #[test]
    fn adjacent_ranges_merge_and_contains_is_exact() {
        let s = set(&["10.0.0.0/25", "10.0.0.128/25", "10.0.2.0/24"]);
        assert_eq!(show(&s), vec!["10.0.0.0/24", "10.0.2.0/24"]);
        assert!(s.contains(
            "10.0.0.255"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        ));
        assert!(!s.contains(
            "10.0.1.0"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        ));
    }

    #[test]
    fn complement_of_all_is_empty_and_edges_hold() {
        let all = AddrSet::all(Family::V6);
        assert!(all.complement(Family::V6).is_empty());
        let top = set(&["255.255.255.255"]);
        assert_eq!(
            show(&top.complement(Family::V4)),
            vec!["0.0.0.0-255.255.255.254"]
        );
    }
}
