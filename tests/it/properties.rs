//! Property tests with a tiny inline PRNG (no dependencies):
//!
//! - firewall coverage partitions each Cloudflare range exactly once per
//!   (layer, port): the `range`s of its entries are disjoint and their union
//!   is the `cloudflare_range`, on generated iptables-save, nft and ufw
//!   rulesets;
//! - `AddrSet` union / intersect / subtract / complement agree with a
//!   brute-force model over small address spaces, and keep their canonical
//!   form (sorted, disjoint, non-adjacent ranges);
//! - redaction is consistent within a text and leaks no public address,
//!   host name or Ray ID;
//! - share links round-trip any case and stay fragment-safe.

use std::collections::BTreeMap;
use std::net::IpAddr;

use err521::cloudflare::Ranges;
use err521::firewall::coverage::coverage;
use err521::firewall::eval::Context;
use err521::firewall::model::Ruleset;
use err521::net::{addr_to_u128, AddrRange, AddrSet, Family};
use err521::parse;
use err521::text::lines;

use crate::common::rng::Rng;

// ---------------------------------------------------------------------------
// Coverage partitions every Cloudflare range.

/// Sources that cut Cloudflare ranges in interesting places: whole ranges,
/// halves, single addresses, supersets, retired ranges, unrelated networks.
const V4_SOURCES: &[&str] = &[
    "173.245.48.0/20",
    "173.245.48.0/21",
    "173.245.56.17",
    "103.21.244.0/23",
    "103.21.244.0/22",
    "104.16.0.0/12",
    "104.16.0.0/13",
    "104.24.0.0/15",
    "162.158.0.0/15",
    "162.158.128.0/17",
    "172.64.0.0/13",
    "172.64.5.5/32",
    "198.41.128.0/17",
    "0.0.0.0/0",
    "10.0.0.0/8",
    "192.0.2.1",
    "141.101.64.0/19",
    "131.0.72.0/22",
];
const V6_SOURCES: &[&str] = &[
    "2400:cb00::/32",
    "2400:cb00::/33",
    "2606:4700::/32",
    "2606:4700:10::6816:1",
    "2803:f800::/31",
    "2a06:98c0::/29",
    "2a06:98c0::/30",
    "2c0f:f248::/32",
    "::/0",
    "2001:db8::/32",
];
const PORTS: &[&str] = &["80", "443", "8443", "22", "1:1024", "443:8443"];
const VERDICTS: &[&str] = &["ACCEPT", "DROP", "REJECT", "RETURN"];

fn iptables_save(rng: &mut Rng, v6: bool) -> String {
    let sources = if v6 { V6_SOURCES } else { V4_SOURCES };
    let mut s = String::from("*filter\n");
    let policy = *rng.pick(&["ACCEPT", "DROP"]);
    s +=
        &format!(":INPUT {policy} [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:cf - [0:0]\n");
    for chain in ["INPUT", "cf"] {
        for _ in 0..rng.below(7) {
            let mut r = format!("-A {chain}");
            if rng.below(3) > 0 {
                let neg = if rng.below(6) == 0 { "! " } else { "" };
                r += &format!(" {neg}-s {}", *rng.pick(sources));
            }
            if rng.below(2) == 0 {
                r += " -i eth0";
            }
            match rng.below(3) {
                0 => r += &format!(" -p tcp -m tcp --dport {}", *rng.pick(PORTS)),
                1 => r += " -p tcp -m multiport --dports 80,443,8080:8090",
                _ => {}
            }
            let target = if chain == "INPUT" && rng.below(4) == 0 {
                "cf"
            } else {
                *rng.pick(VERDICTS)
            };
            r += &format!(" -j {target}");
            if target == "REJECT" && rng.below(2) == 0 {
                r += " --reject-with tcp-reset";
            }
            s += &r;
            s += "\n";
        }
    }
    s += "COMMIT\n";
    s
}

fn nft(rng: &mut Rng) -> String {
    let policy = *rng.pick(&["accept", "drop"]);
    let mut s = format!(
        "table inet filter {{\n\tchain input {{\n\t\ttype filter hook input priority filter; policy {policy};\n"
    );
    for _ in 0..rng.below(9) {
        let mut r = String::from("\t\t");
        match rng.below(4) {
            0 => r += &format!("ip saddr {} ", *rng.pick(V4_SOURCES)),
            1 => r += &format!("ip6 saddr {} ", *rng.pick(V6_SOURCES)),
            2 => {
                r += &format!(
                    "ip saddr {{ {}, {} }} ",
                    *rng.pick(V4_SOURCES),
                    *rng.pick(V4_SOURCES)
                )
            }
            _ => {}
        }
        match rng.below(3) {
            0 => {
                r += &format!(
                    "tcp dport {} ",
                    *rng.pick(&["80", "443", "8443", "{ 80, 443 }", "1-1024"])
                )
            }
            1 => r += "iifname \"eth0\" ",
            _ => {}
        }
        r += *rng.pick(&[
            "accept",
            "drop",
            "reject",
            "reject with tcp reset",
            "counter accept",
        ]);
        s += &r;
        s += "\n";
    }
    s += "\t}\n}\n";
    s
}

fn ufw(rng: &mut Rng) -> String {
    let default = *rng.pick(&["deny", "reject", "allow"]);
    let mut s = format!(
        "Status: active\nLogging: on (low)\nDefault: {default} (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n"
    );
    for _ in 0..rng.below(8) {
        let to = *rng.pick(&[
            "80/tcp",
            "443/tcp",
            "80,443/tcp",
            "Anywhere",
            "8443",
            "22/tcp",
        ]);
        let action = *rng.pick(&["ALLOW IN", "DENY IN", "REJECT IN", "ALLOW", "DENY"]);
        let v6 = rng.below(3) == 0;
        let from = if v6 {
            rng.pick(V6_SOURCES).to_string()
        } else {
            match *rng.pick(V4_SOURCES) {
                "0.0.0.0/0" => "Anywhere".to_string(),
                x => x.to_string(),
            }
        };
        let to = if v6 && to == "Anywhere" {
            "Anywhere (v6)".to_string()
        } else if v6 && from.contains("::/0") {
            format!("{to} (v6)")
        } else {
            to.to_string()
        };
        let from = if from == "::/0" {
            "Anywhere (v6)".to_string()
        } else {
            from
        };
        s += &format!("{to:<27}{action:<12}{from}\n");
    }
    s
}

fn parse_range(text: &str) -> Option<AddrRange> {
    match text.split_once('-') {
        Some((a, z)) => {
            let a: IpAddr = a.parse().ok()?;
            let z: IpAddr = z.parse().ok()?;
            Some(AddrRange {
                family: Family::of(a),
                first: addr_to_u128(a),
                last: addr_to_u128(z),
            })
        }
        None => AddrRange::parse(text),
    }
}

/// Check the partition property on one ruleset; returns how many
/// (layer, range, port) groups were checked.
fn check_partition(what: &str, rs: Ruleset) -> usize {
    let ranges = Ranges::bundled();
    let ports = [80u16, 443, 8443];
    let entries = coverage(
        std::slice::from_ref(&rs),
        &ranges,
        &ports,
        &Context::default(),
    );
    let mut groups: BTreeMap<(String, String, u16), Vec<AddrRange>> = BTreeMap::new();
    for e in &entries {
        let sub = parse_range(&e.range);
        assert!(sub.is_some(), "{what}: unreadable range {:?}", e.range);
        if let Some(sub) = sub {
            groups
                .entry((e.layer.to_string(), e.cloudflare_range.clone(), e.port))
                .or_default()
                .push(sub);
        }
    }
    // Every Cloudflare range of every governed family has a group per port.
    for family in &rs.families {
        for cf in ranges.ranges.iter().filter(|r| r.family == *family) {
            for port in ports {
                let found = groups
                    .keys()
                    .any(|(_, c, p)| *c == cf.to_string() && *p == port);
                assert!(found, "{what}: no verdict for {cf} port {port}");
            }
        }
    }
    for ((layer, cf, port), mut subs) in groups.clone() {
        let cf_range = parse_range(&cf);
        assert!(cf_range.is_some(), "{what}: unreadable {cf}");
        let Some(cf_range) = cf_range else { continue };
        subs.sort();
        // Disjoint, inside the Cloudflare range, and covering it end to end.
        let mut next = Some(cf_range.first);
        for s in &subs {
            assert_eq!(s.family, cf_range.family, "{what}: {layer} {cf} {port}");
            assert_eq!(
                Some(s.first),
                next,
                "{what}: {layer} {cf} port {port}: gap or overlap at {s:?} in {subs:?}"
            );
            assert!(
                s.last <= cf_range.last && s.first <= s.last,
                "{what}: {s:?} outside {cf}"
            );
            next = s.last.checked_add(1);
        }
        assert_eq!(
            subs.last().map(|s| s.last),
            Some(cf_range.last),
            "{what}: {layer} {cf} port {port} not covered to its end"
        );
    }
    groups.len()
}

#[test]
fn coverage_partitions_every_cloudflare_range_on_generated_rulesets() {
    let mut rng = Rng(0x00c0_ffee);
    let mut groups = 0;
    for case in 0..150 {
        let v6 = case % 3 == 2;
        let text = iptables_save(&mut rng, v6);
        let ls = lines(&text);
        let family = if v6 { Family::V6 } else { Family::V4 };
        let rs = parse::iptables::parse_family("gen", &ls, Some(family));
        assert!(
            rs.not_understood.is_empty(),
            "{:?}\n{text}",
            rs.not_understood
        );
        groups += check_partition(&format!("iptables case {case}:\n{text}"), rs);

        let text = nft(&mut rng);
        let rs = parse::nftables::parse("gen", &lines(&text));
        assert!(
            rs.not_understood.is_empty(),
            "{:?}\n{text}",
            rs.not_understood
        );
        groups += check_partition(&format!("nft case {case}:\n{text}"), rs);

        let text = ufw(&mut rng);
        let rs = parse::ufw::parse("gen", &lines(&text));
        groups += check_partition(&format!("ufw case {case}:\n{text}"), rs);
    }
    assert!(groups > 10_000, "only {groups} groups checked");
}

// ---------------------------------------------------------------------------
// AddrSet set algebra against a brute-force model.

/// Small address spaces: IPv4 0..64 and the top 64 IPv6 addresses, so
/// ranges touch both ends of a family.
const SPAN: u128 = 64;

fn v6_base() -> u128 {
    u128::MAX - (SPAN - 1)
}

fn points() -> Vec<(Family, u128)> {
    let mut p: Vec<(Family, u128)> = (0..SPAN).map(|v| (Family::V4, v)).collect();
    p.extend((0..SPAN).map(|v| (Family::V6, v6_base() + v)));
    p
}

fn addr(family: Family, v: u128) -> IpAddr {
    err521::net::u128_to_addr(family, v)
}

fn random_set(rng: &mut Rng) -> AddrSet {
    let mut rs = Vec::new();
    for _ in 0..rng.below(6) {
        let family = if rng.below(2) == 0 {
            Family::V4
        } else {
            Family::V6
        };
        let a = rng.below(SPAN as usize) as u128;
        let b = rng.below(SPAN as usize) as u128;
        let (a, b) = (a.min(b), a.max(b));
        let base = if family == Family::V4 { 0 } else { v6_base() };
        rs.push(AddrRange {
            family,
            first: base + a,
            last: base + b,
        });
    }
    AddrSet::from_ranges(rs)
}

fn model(s: &AddrSet) -> Vec<bool> {
    points()
        .into_iter()
        .map(|(f, v)| s.contains(addr(f, v)))
        .collect()
}

/// Sorted, disjoint, non-adjacent, first <= last.
fn canonical(s: &AddrSet) -> bool {
    s.ranges().iter().all(|r| r.first <= r.last)
        && s.ranges().windows(2).all(|w| match w {
            [a, b] => {
                (a.family, a.last) < (b.family, b.first)
                    && (a.family != b.family || a.last.checked_add(1).is_some_and(|n| n < b.first))
            }
            _ => true,
        })
}

#[test]
fn addr_set_operations_obey_set_algebra() {
    let mut rng = Rng(0x0521_0521);
    for _ in 0..2000 {
        let a = random_set(&mut rng);
        let b = random_set(&mut rng);
        let (ma, mb) = (model(&a), model(&b));
        let zip = |f: fn(bool, bool) -> bool| -> Vec<bool> {
            ma.iter().zip(&mb).map(|(x, y)| f(*x, *y)).collect()
        };
        let u = a.union(&b);
        let i = a.intersect(&b);
        let d = a.subtract(&b);
        assert_eq!(model(&u), zip(|x, y| x || y), "{a:?} ∪ {b:?} = {u:?}");
        assert_eq!(model(&i), zip(|x, y| x && y), "{a:?} ∩ {b:?} = {i:?}");
        assert_eq!(model(&d), zip(|x, y| x && !y), "{a:?} − {b:?} = {d:?}");
        for s in [&a, &b, &u, &i, &d] {
            assert!(canonical(s), "not canonical: {s:?}");
        }
        // Laws that hold exactly, whole ranges included.
        assert_eq!(u, b.union(&a));
        assert_eq!(i, b.intersect(&a));
        assert_eq!(d.union(&i), a, "(a − b) ∪ (a ∩ b) = a");
        assert!(d.intersect(&b).is_empty(), "(a − b) ∩ b = ∅");
        for family in [Family::V4, Family::V6] {
            let c = a.complement(family);
            assert!(canonical(&c));
            for (f, v) in points() {
                let inside = a.contains(addr(f, v));
                let in_c = c.contains(addr(f, v));
                if f == family {
                    assert_ne!(inside, in_c, "complement of {a:?} at {v}");
                } else {
                    assert!(!in_c, "complement in {family:?} holds a {f:?} address");
                }
            }
            let all = AddrSet::all(family);
            let a_f = a.intersect(&all);
            assert_eq!(c.union(&a_f), all, "c ∪ a = all for {a:?}");
            assert!(c.intersect(&a).is_empty());
            assert_eq!(c.complement(family), a_f, "double complement of {a:?}");
        }
    }
}

/// Redaction: within one call the same value always maps to the same
/// placeholder, different values to different ones, no public address or
/// host name survives, and Cloudflare's own ranges stay readable.
#[test]
fn redaction_is_consistent_and_leaks_nothing() {
    let mut rng = Rng(0x5eed_0521);
    for round in 0..200 {
        // A few public IPv4 addresses outside Cloudflare, documentation and
        // private space, a host name, a Ray ID, each used several times.
        let ips: Vec<String> = (0..4)
            .map(|_| {
                let a = 45 + (rng.below(40) as u8);
                format!(
                    "{a}.{}.{}.{}",
                    rng.below(250) + 1,
                    rng.below(250),
                    rng.below(250) + 1
                )
            })
            .collect();
        let host = format!("shop{}.acme-{}.com", rng.below(1000), rng.below(1000));
        let ray = format!("{:016x}", rng.next_u64());
        let mut text = String::new();
        for i in 0..12 {
            let ip = &ips[i % ips.len()];
            text.push_str(&match i % 4 {
                0 => format!("{host}. 300 IN A {ip}\n"),
                1 => format!("LISTEN 0 511 {ip}:443 0.0.0.0:* users:((\"nginx\",pid=1,fd=6))\n"),
                2 => format!("Cloudflare Ray ID: {ray} • Your IP: {ip}\n"),
                _ => format!(
                    "-A INPUT -s 173.245.48.0/20 -d {ip} -p tcp --dport 443 -j ACCEPT # {host}\n"
                ),
            });
        }
        let out = err521::redact::redact(&text, &err521::cloudflare::Ranges::bundled());
        for ip in &ips {
            assert!(
                !out.contains(&format!("{ip}\n"))
                    && !out.contains(&format!("{ip}:"))
                    && !out.contains(&format!(" {ip} ")),
                "round {round}: {ip} leaked:\n{out}"
            );
        }
        assert!(!out.contains(&host), "round {round}: host leaked");
        assert!(!out.contains(&ray), "round {round}: Ray ID leaked");
        assert!(
            out.contains("173.245.48.0/20"),
            "Cloudflare's range must stay"
        );
        assert_eq!(
            out.lines().count(),
            text.lines().count(),
            "line numbers must survive"
        );
        // Consistency: lines 0, 4 and 8 all named ips[0]; lines 1, 5 and 9
        // all named ips[1] (as `ip:443`). Same value, same placeholder;
        // different values, different placeholders.
        let lines: Vec<&str> = out.lines().collect();
        let a_of = |i: usize| {
            lines
                .get(i)
                .and_then(|l| l.split_whitespace().last())
                .map(str::to_string)
        };
        let l_of = |i: usize| {
            lines
                .get(i)
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|w| w.rsplit_once(':'))
                .map(|(a, _)| a.to_string())
        };
        assert!(
            a_of(0).is_some() && a_of(0) == a_of(4) && a_of(4) == a_of(8),
            "round {round}: inconsistent\n{out}"
        );
        assert!(
            l_of(1).is_some() && l_of(1) == l_of(5) && l_of(5) == l_of(9),
            "round {round}: inconsistent\n{out}"
        );
        if ips.first() != ips.get(1) {
            assert_ne!(
                a_of(0),
                l_of(1),
                "round {round}: two addresses share a placeholder\n{out}"
            );
        }
    }
}

/// Share links: any case survives `encode` → `decode` unchanged, the link
/// holds only characters a URL fragment keeps as they are, and the
/// compressor round-trips on its own (long repeats, matches at the edge of
/// its 64 KiB window, bytes that are not UTF-8).
#[test]
fn share_links_round_trip_any_case() {
    use err521::options::SslMode;
    use err521::parse::split::{BlockKind, KindOverride};
    use err521::share::{self, SharePayload, SharedInput};

    let fixtures: Vec<String> = [
        "tickets",
        "ufw",
        "iptables",
        "nftables",
        "error-page",
        "dns",
    ]
    .iter()
    .filter_map(|d| {
        std::fs::read_dir(format!("{}/tests/fixtures/{d}", env!("CARGO_MANIFEST_DIR"))).ok()
    })
    .flatten()
    .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
    .collect();
    assert!(fixtures.len() > 10, "fixtures missing");
    let odd = [
        "é", "→", "🙂", "\u{0}", "\t", "\r\n", "<script>", "\"", "\\", "%", "#",
    ];
    let modes = [
        SslMode::Unknown,
        SslMode::Off,
        SslMode::Flexible,
        SslMode::Full,
        SslMode::Strict,
    ];
    let mut rng = Rng(0x0521_5a4e);
    for round in 0..300 {
        let inputs = (0..=rng.below(3))
            .map(|i| {
                let mut text = String::new();
                for _ in 0..rng.below(6) {
                    let f = fixtures.get(rng.below(fixtures.len())).map_or("", |s| s);
                    // Cut at a char boundary somewhere inside the fixture.
                    let cut = (0..=rng.below(f.len() + 1))
                        .rev()
                        .find(|&k| f.is_char_boundary(k))
                        .unwrap_or(0);
                    text.push_str(f.get(..cut).unwrap_or(""));
                    text.push_str(rng.pick::<&str>(&odd));
                    if rng.below(8) == 0 {
                        // Long runs: matches longer than any literal run.
                        text.push_str(&"-A INPUT -j DROP\n".repeat(rng.below(5000)));
                    }
                }
                SharedInput {
                    name: format!("input {i} {}", *rng.pick(&odd)),
                    text,
                }
            })
            .collect();
        let payload = SharePayload {
            inputs,
            ssl_mode: modes
                .get(rng.below(modes.len()))
                .copied()
                .unwrap_or_default(),
            extra_ports: (0..rng.below(3)).map(|_| rng.next_u64() as u16).collect(),
            overrides: (0..rng.below(3))
                .map(|_| KindOverride {
                    input: "input 0".into(),
                    first_line: rng.below(500) + 1,
                    block: rng.next_u64(),
                    kind: BlockKind::ALL
                        .get(rng.below(BlockKind::ALL.len()))
                        .copied()
                        .unwrap_or(BlockKind::Unknown),
                })
                .collect(),
            redacted: rng.below(2) == 0,
        };
        let link = share::encode(&payload);
        assert!(
            link.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "round {round}: link has characters a fragment would escape"
        );
        match share::decode(&link) {
            Ok(back) => assert_eq!(back, payload, "round {round}"),
            // An empty case is refused by design, never silently accepted.
            Err(e) => assert!(
                payload.inputs.is_empty(),
                "round {round}: {e} for a valid case"
            ),
        }
        // The compressor alone, on bytes that need not be text.
        let mut bytes: Vec<u8> = (0..rng.below(70_000))
            .map(|_| rng.next_u64() as u8)
            .collect();
        let at = rng.below(bytes.len() + 1);
        let copy: Vec<u8> = bytes.iter().take(rng.below(300)).copied().collect();
        bytes.splice(at..at, copy);
        let packed = share::compress(&bytes);
        assert_eq!(
            share::decompress(&packed, bytes.len()).as_deref(),
            Ok(bytes.as_slice()),
            "round {round}: compressor"
        );
    }
}
