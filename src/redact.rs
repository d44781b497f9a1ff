//! Masks what identifies a site in pasted diagnostics before it is shared:
//! public IP addresses, host names and Cloudflare Ray IDs.
//!
//! Guarantees:
//! - Cloudflare's own ranges (those in force, `--ranges` included: public
//!   knowledge, and the diagnosis needs them), Cloudflare's public resolver,
//!   and every address [`classify`] does not call public (private, loopback,
//!   link-local, reserved, documentation) are kept as they are.
//! - Within one [`Redactor`] (one call of [`redact`] or [`redact_all`]) the
//!   same value always maps to the same placeholder, so a DNS record and a
//!   listener that named the same address still agree after redaction.
//! - Placeholders keep the shape the parsers read: public IPv4 becomes
//!   `203.0.113.N`, IPv6 `2001:db8::N`, hosts `host-N.example`, Ray IDs a
//!   16-digit hex number. Prefix lengths, ports and line breaks are kept, so
//!   line numbers still point at the same lines.
//! - Never panics, whatever the input.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cloudflare::Ranges;
use crate::net::{classify, AddrClass, AddrSet};

/// Redact one text; `ranges` are Cloudflare's ranges in force.
pub fn redact(text: &str, ranges: &Ranges) -> String {
    Redactor::new(ranges).text(text)
}

/// Redact several texts with one mapping, so a value shared by two inputs
/// gets the same placeholder in both.
pub fn redact_all(texts: &[&str], ranges: &Ranges) -> Vec<String> {
    let mut r = Redactor::new(ranges);
    texts.iter().map(|t| r.text(t)).collect()
}

/// Host names (and their subdomains) that identify nobody: Cloudflare's own
/// and the tools people quote in commands.
const KEEP_HOSTS: [&str; 24] = [
    "cloudflare.com",
    "cloudflare.net",
    "cloudflare-dns.com",
    "cloudflareinsights.com",
    "one.one.one.one",
    "localhost",
    "localdomain",
    "example",
    "example.com",
    "example.net",
    "example.org",
    "invalid",
    "test",
    "local",
    "ifconfig.me",
    "icanhazip.com",
    "ipinfo.io",
    "letsencrypt.org",
    "nginx.org",
    "apache.org",
    "ubuntu.com",
    "debian.org",
    "github.com",
    "google.com",
];

/// File extensions and systemd unit types that look like top-level domains
/// in `nginx.conf` or `nginx.service`; never host names.
const FILE_SUFFIXES: [&str; 52] = [
    "conf", "cnf", "cfg", "ini", "service", "socket", "timer", "target", "mount", "slice", "scope",
    "path", "pem", "crt", "key", "csr", "der", "log", "txt", "html", "htm", "php", "json", "js",
    "css", "xml", "yaml", "yml", "toml", "pid", "sock", "lock", "list", "rules", "nft", "gz",
    "tgz", "zip", "tar", "bz2", "xz", "deb", "rpm", "bak", "old", "tmp", "swp", "orig", "dist",
    "png", "svg", "ko",
];

/// Country-code domains that are also common file extensions: treated as
/// files when they end a path component or a two-label name (`deploy.sh`).
const AMBIGUOUS_SUFFIXES: [&str; 6] = ["sh", "py", "pl", "rs", "md", "so"];

pub struct Redactor {
    cloudflare: AddrSet,
    v4: HashMap<Ipv4Addr, Ipv4Addr>,
    v6: HashMap<Ipv6Addr, Ipv6Addr>,
    hosts: HashMap<String, String>,
    rays: HashMap<String, String>,
}

impl Redactor {
    /// A redactor that keeps `ranges` (and the retired ones a paste may
    /// still show) as Cloudflare's.
    pub fn new(ranges: &Ranges) -> Self {
        let mut all = ranges.ranges.clone();
        all.extend(ranges.retired.iter().copied());
        Redactor {
            cloudflare: AddrSet::from_ranges(all),
            v4: HashMap::new(),
            v6: HashMap::new(),
            hosts: HashMap::new(),
            rays: HashMap::new(),
        }
    }

    /// Redact one text with this redactor's mapping.
    pub fn text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut prev: Option<char> = None;
        while !rest.is_empty() {
            let run_len = rest.find(|c: char| !is_run_char(c)).unwrap_or(rest.len());
            if run_len == 0 {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                    prev = Some(c);
                }
                rest = chars.as_str();
                continue;
            }
            let (run, after) = rest.split_at(run_len);
            let next = after.chars().next();
            self.run(run, prev, next, &mut out);
            prev = run.chars().last();
            rest = after;
        }
        out
    }

    /// One maximal run of `[A-Za-z0-9.:-]`; `before`/`after` are the
    /// characters around it.
    fn run(&mut self, run: &str, before: Option<char>, after: Option<char>, out: &mut String) {
        // Sentence punctuation and FQDN dots stay outside the value.
        let core = run.trim_end_matches(['.', ':', '-']);
        let tail = run.get(core.len()..).unwrap_or("");
        if core.is_empty() {
            out.push_str(run);
            return;
        }
        if let Some(replaced) = self.value(core, before, tail.chars().next().or(after)) {
            out.push_str(&replaced);
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
    }

    fn value(&mut self, core: &str, before: Option<char>, after: Option<char>) -> Option<String> {
        if let Ok(v4) = core.parse::<Ipv4Addr>() {
            return Some(self.v4(v4).to_string());
        }
        // 198.51.100.7:443 and host.example.net:8443
        if let Some((left, port)) = core.rsplit_once(':') {
            if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(v4) = left.parse::<Ipv4Addr>() {
                    return Some(format!("{}:{port}", self.v4(v4)));
                }
                if !left.contains(':') {
                    if let Some(h) = self.host(left, before, Some(':')) {
                        return Some(format!("{h}:{port}"));
                    }
                }
            }
        }
        if core.contains(':') {
            if let Ok(v6) = core.parse::<Ipv6Addr>() {
                return Some(self.v6(v6));
            }
            return None;
        }
        if let Some(ray) = self.ray(core) {
            return Some(ray);
        }
        self.host(core, before, after)
    }

    /// Whether `addr` identifies nobody: not a public address, or one of
    /// Cloudflare's.
    fn keeps(&self, addr: IpAddr) -> bool {
        classify(addr, &self.cloudflare) != AddrClass::Public || is_public_resolver(addr)
    }

    fn v4(&mut self, addr: Ipv4Addr) -> Ipv4Addr {
        if self.keeps(IpAddr::V4(addr)) {
            return addr;
        }
        let n = self.v4.len();
        *self.v4.entry(addr).or_insert_with(|| placeholder_v4(n))
    }

    fn v6(&mut self, addr: Ipv6Addr) -> String {
        if let Some(v4) = addr.to_ipv4_mapped() {
            return format!("::ffff:{}", self.v4(v4));
        }
        // NAT64 (64:ff9b::/96) carries an IPv4 address, which may be public.
        if let [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] = addr.segments() {
            let v4 = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            return format!("64:ff9b::{}", self.v4(v4));
        }
        if self.keeps(IpAddr::V6(addr)) {
            return addr.to_string();
        }
        let n = self.v6.len();
        let mapped = *self.v6.entry(addr).or_insert_with(|| {
            let low = u128::try_from(n).unwrap_or(0).saturating_add(1) & 0xffff_ffff_ffff_ffff;
            Ipv6Addr::from((0x2001_0db8_u128 << 96) | low)
        });
        mapped.to_string()
    }

    fn ray(&mut self, core: &str) -> Option<String> {
        let (id, colo) = match core.split_once('-') {
            Some((id, colo)) if colo.len() == 3 && colo.bytes().all(|b| b.is_ascii_uppercase()) => {
                (id, Some(colo))
            }
            Some(_) => return None,
            None => (core, None),
        };
        let is_ray = id.len() == 16
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && id.bytes().any(|b| b.is_ascii_alphabetic());
        if !is_ray {
            return None;
        }
        let n = self.rays.len();
        let mapped = self
            .rays
            .entry(id.to_string())
            .or_insert_with(|| format!("{:016x}", 0x00c0_ffee_0000_0000_u64 | (n as u64 + 1)))
            .clone();
        Some(match colo {
            Some(c) => format!("{mapped}-{c}"),
            None => mapped,
        })
    }

    fn host(&mut self, name: &str, before: Option<char>, after: Option<char>) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let labels: Vec<&str> = lower.split('.').collect();
        let single_label_prompt = labels.len() == 1 && before == Some('@') && after == Some(':');
        if labels.len() < 2 && !single_label_prompt {
            return None;
        }
        let valid_label = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !labels.iter().all(valid_label) {
            return None;
        }
        let tld = labels.last().copied().unwrap_or("");
        if !single_label_prompt {
            let tld_ok = (2..=24).contains(&tld.len())
                && tld.bytes().all(|b| b.is_ascii_alphabetic())
                // Host names are written in lower case; `Node.Js`-style
                // words and `ASP.NET` are not hosts.
                && name.rsplit('.').next().is_some_and(|t| t.bytes().all(|b| b.is_ascii_lowercase()));
            if !tld_ok || FILE_SUFFIXES.contains(&tld) {
                return None;
            }
            if AMBIGUOUS_SUFFIXES.contains(&tld) && (labels.len() == 2 || before == Some('/')) {
                return None;
            }
        }
        if KEEP_HOSTS
            .iter()
            .any(|k| lower == *k || lower.ends_with(&format!(".{k}")))
            || lower.starts_with("host-") && lower.ends_with(".example")
        {
            return None;
        }
        let n = self.hosts.len();
        Some(
            self.hosts
                .entry(lower)
                .or_insert_with(|| {
                    if single_label_prompt {
                        format!("host-{}", n + 1)
                    } else {
                        format!("host-{}.example", n + 1)
                    }
                })
                .clone(),
        )
    }
}

fn is_run_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == ':' || c == '-'
}

/// Cloudflare's public resolver (1.1.1.1, 1.0.0.1), quoted in `dig @1.1.1.1`:
/// not in the proxy ranges, and identifies nobody.
fn is_public_resolver(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => matches!(a.octets(), [1, 1, 1, _] | [1, 0, 0, _]),
        IpAddr::V6(_) => false,
    }
}

/// The n-th (0-based) public IPv4 placeholder: 203.0.113.1-254, then
/// 198.51.100.1-254, 192.0.2.1-254, then the benchmark range 198.18.0.0/15.
fn placeholder_v4(n: usize) -> Ipv4Addr {
    let blocks: [[u8; 3]; 3] = [[203, 0, 113], [198, 51, 100], [192, 0, 2]];
    let block = n / 254;
    let host = u8::try_from(n % 254 + 1).unwrap_or(1);
    if let Some([a, b, c]) = blocks.get(block).copied() {
        return Ipv4Addr::new(a, b, c, host);
    }
    let rest = u32::try_from(n.saturating_sub(3 * 254)).unwrap_or(u32::MAX) % 0x2_0000;
    Ipv4Addr::from((198u32 << 24) | (18u32 << 16) | rest.saturating_add(1).min(0x1_ffff))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> String {
        super::redact(text, &Ranges::bundled())
    }

    fn redact_all(texts: &[&str]) -> Vec<String> {
        super::redact_all(texts, &Ranges::bundled())
    }

    #[test]
    fn the_ranges_in_force_decide_what_is_cloudflare() {
        // A list without 104.16.0.0/13 (as `--ranges` may give): an address
        // there is somebody's and is masked.
        let only = Ranges::parse("173.245.48.0/20").unwrap_or_else(Ranges::bundled);
        assert_eq!(
            super::redact("104.16.1.1 173.245.48.9", &only),
            "203.0.113.1 173.245.48.9"
        );
        assert_eq!(redact("104.16.1.1"), "104.16.1.1");
    }

    #[test]
    fn nat64_addresses_mask_the_ipv4_inside() {
        assert_eq!(
            redact("64:ff9b::2d21:c07 and 45.33.12.7"),
            "64:ff9b::203.0.113.1 and 203.0.113.1"
        );
        assert_eq!(redact("64:ff9b::a00:1"), "64:ff9b::10.0.0.1");
    }

    #[test]
    fn public_ipv4_is_masked_consistently_and_prefix_kept() {
        let out = redact("A 45.33.12.7\nss: 45.33.12.7:443 and 45.33.12.0/24, other 8.8.4.4");
        assert_eq!(
            out,
            "A 203.0.113.1\nss: 203.0.113.1:443 and 203.0.113.2/24, other 203.0.113.3"
        );
    }

    #[test]
    fn cloudflare_private_and_loopback_addresses_are_kept() {
        let text = "ALLOW 173.245.48.0/20 162.158.88.14 10.0.0.12 192.168.1.5 127.0.0.1 \
                    0.0.0.0:80 2606:4700::6810:84e5 ::1 [::]:443 fe80::1%eth0 fd00::5 255.255.255.0";
        assert_eq!(redact(text), text);
    }

    #[test]
    fn ipv6_public_is_masked_and_mapped_v4_follows_v4() {
        let out = redact(
            "AAAA 2a01:4f8:c17:1::1 again 2a01:4f8:c17:1::1 then 2a01:4f8::2 ::ffff:45.33.12.7",
        );
        assert_eq!(
            out,
            "AAAA 2001:db8::1 again 2001:db8::1 then 2001:db8::2 ::ffff:203.0.113.1"
        );
    }

    #[test]
    fn hosts_are_masked_but_files_units_and_well_known_names_are_not() {
        let text = "curl -sv https://shop.example-store.com/ -H 'Host: www.example-store.com'\n\
                    nginx.service /etc/nginx/nginx.conf /etc/nginx/sites-enabled/shop.example-store.com.conf\n\
                    dig @1.1.1.1 api.cloudflare.com localhost ifconfig.me nginx/1.18.0 Node.js deploy.sh";
        let out = redact(text);
        assert!(out.contains("https://host-1.example/"), "{out}");
        assert!(out.contains("Host: host-2.example'"), "{out}");
        assert!(out.contains("nginx.service /etc/nginx/nginx.conf"), "{out}");
        assert!(
            out.contains("shop.example-store.com.conf"),
            "file names stay: {out}"
        );
        assert!(
            out.contains("api.cloudflare.com localhost ifconfig.me nginx/1.18.0 Node.js deploy.sh"),
            "{out}"
        );
        assert!(
            out.contains("@1.1.1.1"),
            "Cloudflare's resolver is Cloudflare's: {out}"
        );
        let without_file = out.replace("shop.example-store.com.conf", "");
        assert!(!without_file.contains("example-store"), "{out}");
    }

    #[test]
    fn fqdn_trailing_dot_and_sentence_dot_are_kept_outside() {
        let out = redact("www.shop.io.  300 IN A 45.33.12.7\nIt points to shop.io.");
        assert_eq!(
            out,
            "host-1.example.  300 IN A 203.0.113.1\nIt points to host-2.example."
        );
    }

    #[test]
    fn prompt_host_names_are_masked() {
        let out = redact("root@shop-prod-01:~# ufw status\nroot@shop-prod-01:~# ss -tlnp");
        assert_eq!(out, "root@host-1:~# ufw status\nroot@host-1:~# ss -tlnp");
        assert_eq!(redact("root@localhost:~#"), "root@localhost:~#");
    }

    #[test]
    fn ray_ids_keep_their_shape_and_colo() {
        let out = redact("Cloudflare Ray ID: 8e2f4a91c03b7d15\ncf-ray: 8e2f4a91c03b7d15-FRA\nother 7a1b2c3d4e5f6a7b");
        assert_eq!(
            out,
            "Cloudflare Ray ID: 00c0ffee00000001\ncf-ray: 00c0ffee00000001-FRA\nother 00c0ffee00000002"
        );
        // Not Ray IDs: all digits, other lengths.
        let kept = "1234567890123456 abcdef0123 0123456789abcdef01";
        assert_eq!(redact(kept), kept);
    }

    #[test]
    fn mapping_is_shared_across_inputs_and_fresh_per_call() {
        let out = redact_all(&["A 45.33.12.7", "inet 45.33.12.7/24 scope global eth0"]);
        assert_eq!(
            out,
            vec!["A 203.0.113.1", "inet 203.0.113.1/24 scope global eth0"]
        );
        assert_eq!(redact("8.8.4.4"), "203.0.113.1");
        assert_eq!(redact("9.9.9.9"), "203.0.113.1");
    }

    #[test]
    fn line_structure_and_odd_text_survive() {
        let text = "a\r\nb\rc\n\n::\n:::\n1.2.3\n999.1.1.1\n12:40:49 52:54:00:12:34:56 \u{1F600}é.example.\n";
        let out = redact(text);
        assert_eq!(out.matches('\n').count(), text.matches('\n').count());
        assert_eq!(out.matches('\r').count(), text.matches('\r').count());
        assert!(out.contains("12:40:49 52:54:00:12:34:56"));
        assert!(out.contains("999.1.1.1"));
        assert_eq!(redact(""), "");
    }

    #[test]
    fn placeholders_do_not_collide_for_many_addresses() {
        let text: Vec<String> = (0..1000)
            .map(|i| format!("45.{}.{}.9", i / 200, i % 200))
            .collect();
        let out = redact(&text.join("\n"));
        let mut seen: Vec<&str> = out.lines().collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 1000);
    }
}
