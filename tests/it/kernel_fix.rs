//! Proof that the generated firewall fixes work on a real kernel.
//!
//! For iptables (+ip6tables), nftables (an inet table) and ufw, four
//! rulesets that keep Cloudflare out are loaded into the origin namespace:
//! (a) REJECT everything after SSH, (b) default deny, (c) a partial
//! allowlist (the glued-list accident: 131.0.72.0/22 and 162.158.0.0/15
//! missing, and 2400:cb00::/32 on the IPv6 side), (d) an IPv4-only
//! allowlist. The dump a user would paste goes through `err521::analyze`;
//! the allowlist step of the `firewall-blocks-cloudflare` fix is run as
//! written (only `sudo` stripped) in the origin; then real connections from
//! inside every Cloudflare range (both ends of each, IPv4 and IPv6) must be
//! accepted on 80 and 443, connections from outside Cloudflare must still be
//! blocked, and the dump taken again must rule the finding out.
//!
//! Needs root and `ip netns`; otherwise it says why and passes, unless
//! `E521_REQUIRE_NETNS=1` (CI) turns the skip into a failure.
// Network namespaces exist only natively.
#![cfg(not(target_arch = "wasm32"))]

use std::net::IpAddr;
use std::time::Instant;

use crate::kernel::netns::{self, KernelOutcome, Lab, ORIGIN_V4, ORIGIN_V6};
use err521::cloudflare::Ranges;
use err521::diagnose::{FindingId, Status};
use err521::fix::FixStep;
use err521::net::{u128_to_addr, Family};
use err521::options::Options;
use err521::parse::CaseInput;
use err521::report::Report;

/// SSL mode Unknown: Cloudflare may come on either.
const PORTS: [u16; 2] = [80, 443];
/// Not Cloudflare: must stay blocked after the fix.
const OUTSIDERS: [&str; 2] = ["198.51.100.7", "2001:db8:99::7"];
/// What the glued ips-v4 + ips-v6 list lost in case (c).
const LOST_V4: [&str; 2] = ["131.0.72.0/22", "162.158.0.0/15"];
const LOST_V6: &str = "2400:cb00::/32";
const PROMPT: &str = "root@origin:~# ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Iptables,
    Nft,
    /// nftables with separate `ip` and `ip6` tables.
    NftSplit,
    Ufw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    RejectAfterSsh,
    DefaultDeny,
    PartialAllowlist,
    V4OnlyAllowlist,
}

const BROKEN: [Broken; 4] = [
    Broken::RejectAfterSsh,
    Broken::DefaultDeny,
    Broken::PartialAllowlist,
    Broken::V4OnlyAllowlist,
];

fn cidrs(family: Family) -> Vec<String> {
    Ranges::bundled()
        .ranges
        .iter()
        .filter(|r| r.family == family)
        .map(|r| r.to_string())
        .collect()
}

/// The Cloudflare ranges the broken ruleset already allows, per family.
fn allowed(broken: Broken) -> (Vec<String>, Vec<String>) {
    match broken {
        Broken::RejectAfterSsh | Broken::DefaultDeny => (Vec::new(), Vec::new()),
        Broken::PartialAllowlist => (
            cidrs(Family::V4)
                .into_iter()
                .filter(|c| !LOST_V4.contains(&c.as_str()))
                .collect(),
            cidrs(Family::V6)
                .into_iter()
                .filter(|c| c != LOST_V6)
                .collect(),
        ),
        Broken::V4OnlyAllowlist => (cidrs(Family::V4), Vec::new()),
    }
}

/// Probe sources: the 6th and the 6th-from-last address of every range, so
/// a wrong prefix length cannot pass.
fn cloudflare_sources() -> Vec<IpAddr> {
    let mut out = Vec::new();
    for r in &Ranges::bundled().ranges {
        for v in [r.first.checked_add(5), r.last.checked_sub(5)]
            .into_iter()
            .flatten()
        {
            out.push(u128_to_addr(r.family, v));
        }
    }
    out
}

fn outsiders() -> Vec<IpAddr> {
    OUTSIDERS.iter().filter_map(|a| a.parse().ok()).collect()
}

fn iptables_rules(broken: Broken, family: Family) -> String {
    let policy = if broken == Broken::RejectAfterSsh {
        "ACCEPT"
    } else {
        "DROP"
    };
    let (a4, a6) = allowed(broken);
    let nets = if family == Family::V4 { a4 } else { a6 };
    let mut s = format!(
        "*filter\n:INPUT {policy} [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
         -A INPUT -i lo -j ACCEPT\n\
         -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
         -A INPUT -p tcp --dport 22 -j ACCEPT\n"
    );
    for n in &nets {
        s.push_str(&format!(
            "-A INPUT -s {n} -p tcp -m multiport --dports 80,443 -j ACCEPT\n"
        ));
    }
    if broken == Broken::RejectAfterSsh {
        s.push_str("-A INPUT -j REJECT\n");
    }
    s.push_str("COMMIT\n");
    s
}

/// The broken nft ruleset: one `inet` table, or (`split`) the older
/// layout of an `ip` and an `ip6` table, each with its own input chain.
fn nft_rules(broken: Broken, split: bool) -> String {
    let policy = if broken == Broken::RejectAfterSsh {
        "accept"
    } else {
        "drop"
    };
    let (a4, a6) = allowed(broken);
    let chain = |allow: &[(&str, &[String])]| {
        let mut s = format!(
            "  chain input {{\n    type filter hook input priority filter; policy {policy};\n    iif \"lo\" accept\n    ct state established,related accept\n    tcp dport 22 accept\n"
        );
        for (kw, nets) in allow {
            if !nets.is_empty() {
                s.push_str(&format!(
                    "    {kw} saddr {{ {} }} tcp dport {{ 80, 443 }} accept\n",
                    nets.join(", ")
                ));
            }
        }
        if broken == Broken::RejectAfterSsh {
            s.push_str("    reject\n");
        }
        s.push_str("  }\n");
        s
    };
    if split {
        format!(
            "table ip filter {{\n{}}}\ntable ip6 filter {{\n{}}}\n",
            chain(&[("ip", &a4)]),
            chain(&[("ip6", &a6)])
        )
    } else {
        format!(
            "table inet filter {{\n{}}}\n",
            chain(&[("ip", &a4), ("ip6", &a6)])
        )
    }
}

/// ufw command lines (without `ufw`) that build the broken firewall.
fn ufw_commands(broken: Broken) -> Vec<String> {
    let mut out = vec![if broken == Broken::RejectAfterSsh {
        "default allow incoming".to_string()
    } else {
        "default deny incoming".to_string()
    }];
    // (d) has no IPv6 rule at all, so ufw's IPv6 rule list starts empty.
    out.push(if broken == Broken::V4OnlyAllowlist {
        "allow from 203.0.113.0/24 to any port 22 proto tcp".into()
    } else {
        "allow 22/tcp".into()
    });
    let (a4, a6) = allowed(broken);
    for n in a4.iter().chain(&a6) {
        out.push(format!("allow from {n} to any port 80,443 proto tcp"));
    }
    if broken == Broken::RejectAfterSsh {
        out.push("reject proto tcp from any to any".into());
    }
    out
}

fn ufw(lab: &Lab, args: &str) -> Result<String, String> {
    let mut full = vec!["ufw"];
    full.extend(args.split_whitespace());
    lab.run_in_origin(&full)
}

fn load(lab: &Lab, tool: Tool, broken: Broken) -> Result<(), String> {
    match tool {
        Tool::Iptables => lab.load_iptables(
            &iptables_rules(broken, Family::V4),
            &iptables_rules(broken, Family::V6),
        ),
        Tool::Nft => lab.load_nft(&nft_rules(broken, false)),
        Tool::NftSplit => lab.load_nft(&nft_rules(broken, true)),
        Tool::Ufw => {
            ufw(lab, "--force reset")?;
            lab.flush()?;
            for c in ufw_commands(broken) {
                ufw(lab, &c)?;
            }
            ufw(lab, "--force enable").map(|_| ())
        }
    }
}

/// What the user would paste, prompts included.
fn dump(lab: &Lab, tool: Tool) -> Result<String, String> {
    Ok(match tool {
        Tool::Iptables => format!(
            "{PROMPT}iptables-save\n{}{PROMPT}ip6tables-save\n{}",
            lab.iptables_save(false)?,
            lab.iptables_save(true)?
        ),
        Tool::Nft | Tool::NftSplit => format!("{PROMPT}nft list ruleset\n{}", lab.nft_list()?),
        Tool::Ufw => format!(
            "{PROMPT}ufw status verbose\n{}",
            ufw(lab, "status verbose")?
        ),
    })
}

fn analyze(text: &str) -> Report {
    err521::analyze(&[CaseInput::new("pasted", text)], &Options::default())
}

fn firewall_finding(r: &Report) -> Option<&err521::report::ReportFinding> {
    r.findings
        .iter()
        .find(|f| f.id == FindingId::FirewallBlocksCloudflare)
}

/// The steps that are not run here, recognised by title: persistence
/// (apt-get/dnf, netfilter-persistent or `service ... save`, writing
/// /etc/nftables.conf, systemctl) would touch the host, and the range
/// updater installs a script and a systemd timer and downloads the lists.
fn is_skipped(step: &FixStep) -> bool {
    let t = step.title.to_lowercase();
    t.contains("across reboots") || t.contains("allowlist current")
}

/// A step as one bash script, each line's leading `sudo ` removed (we are
/// root in the namespace).
fn script_of(step: &FixStep) -> String {
    let mut s = String::new();
    for cmd in &step.commands {
        for line in cmd.lines() {
            let indent = line.len() - line.trim_start().len();
            let (pad, rest) = line.split_at(indent);
            s.push_str(pad);
            s.push_str(rest.strip_prefix("sudo ").unwrap_or(rest));
            s.push('\n');
        }
    }
    s
}

fn blocked(k: &KernelOutcome) -> bool {
    matches!(k, KernelOutcome::Refused(_) | KernelOutcome::TimedOut)
}

fn dst_for(src: IpAddr) -> IpAddr {
    let d = if src.is_ipv4() { ORIGIN_V4 } else { ORIGIN_V6 };
    d.parse().unwrap_or(src)
}

fn probe(lab: &mut Lab, sources: &[IpAddr]) -> Vec<(IpAddr, u16, KernelOutcome)> {
    let list: Vec<netns::Probe> = sources
        .iter()
        .flat_map(|&s| PORTS.iter().map(move |&p| (s, dst_for(s), p)))
        .collect();
    let out = match lab.probe(&list) {
        Ok(v) => v,
        Err(e) => panic!("prober failed: {e}"),
    };
    list.iter()
        .zip(out)
        .map(|(&(s, _, p), k)| (s, p, k))
        .collect()
}

/// After `when`: every Cloudflare probe accepted, every outsider blocked.
fn check_probes(lab: &mut Lab, tool: Tool, name: &str, when: &str) -> Vec<String> {
    let mut fails = Vec::new();
    let after = probe(lab, &cloudflare_sources());
    let shut: Vec<String> = after
        .iter()
        .filter(|(_, _, k)| *k != KernelOutcome::Accepted)
        .map(|(s, p, k)| format!("{s} port {p}: {k}"))
        .collect();
    if !shut.is_empty() {
        fails.push(format!(
            "{name}: after {when}, {} of {} Cloudflare probes are not accepted (fix bug): {}\n--- dump ---\n{}",
            shut.len(),
            after.len(),
            shut.join("; "),
            dump(lab, tool).unwrap_or_default()
        ));
    }
    let open: Vec<String> = probe(lab, &outsiders())
        .iter()
        .filter(|(_, _, k)| !blocked(k))
        .map(|(s, p, k)| format!("{s} port {p}: {k}"))
        .collect();
    if !open.is_empty() {
        fails.push(format!(
            "{name}: after {when}, non-Cloudflare sources get in (fix opens to the world): {}",
            open.join("; ")
        ));
    }
    fails
}

/// Run one case; returns its failures (empty when the fix is proven).
fn run_case(lab: &mut Lab, tool: Tool, broken: Broken) -> Vec<String> {
    let name = format!("{tool:?}/{broken:?}");
    let mut fails = Vec::new();
    if let Err(e) = load(lab, tool, broken) {
        return vec![format!(
            "{name}: the broken ruleset does not load (test bug): {e}"
        )];
    }
    let cf = cloudflare_sources();
    let before = probe(lab, &cf);
    if !before.iter().any(|(_, _, k)| blocked(k)) {
        return vec![format!(
            "{name}: the broken ruleset lets every Cloudflare source in (test bug)"
        )];
    }
    let text = match dump(lab, tool) {
        Ok(t) => t,
        Err(e) => return vec![format!("{name}: cannot dump: {e}")],
    };
    let report = analyze(&text);
    let Some(f) = firewall_finding(&report) else {
        return vec![format!("{name}: no firewall finding\n{text}")];
    };
    if !matches!(f.status, Status::Confirmed | Status::Likely) {
        return vec![format!(
            "{name}: firewall-blocks-cloudflare is {:?}, expected confirmed/likely: {}\n--- dump ---\n{text}",
            f.status, f.explanation
        )];
    }
    let steps: Vec<&FixStep> = f.fix.iter().filter(|s| !is_skipped(s)).collect();
    if steps.is_empty() || steps.len() == f.fix.len() {
        return vec![format!(
            "{name}: expected allowlist step(s) plus persistence/updater steps, got titles {:?}",
            f.fix.iter().map(|s| &s.title).collect::<Vec<_>>()
        )];
    }
    // A ufw box is as often pasted as the iptables-save of ufw's chains:
    // that must lead to the same ufw fix.
    if tool == Tool::Ufw {
        fails.extend(ufw_as_iptables(lab, &name, "before", &steps));
    }
    let debug = std::env::var("E521_DEBUG").is_ok();
    if debug {
        eprintln!("--- {name}: before ---\n{text}\n{:?}", before);
    }
    for step in &steps {
        let script = script_of(step);
        if debug {
            eprintln!("--- {name}: running {:?} ---\n{script}", step.title);
        }
        for bad in [
            "apt-get",
            "dnf ",
            "systemctl",
            "netfilter-persistent",
            "curl",
        ] {
            if script.contains(bad) {
                fails.push(format!(
                    "{name}: allowlist step {:?} also does `{bad}`",
                    step.title
                ));
            }
        }
        if let Err(e) = lab.run_in_origin_stdin(&["bash", "-e", "-s"], &script) {
            fails.push(format!(
                "{name}: the generated fix fails to apply (fix bug)\nstep: {}\n--- script ---\n{script}--- error ---\n{e}\n--- dump it was written for ---\n{text}",
                step.title
            ));
            return fails;
        }
    }
    fails.extend(check_probes(lab, tool, &name, "the fix"));
    let text2 = match dump(lab, tool) {
        Ok(t) => t,
        Err(e) => {
            fails.push(format!("{name}: cannot dump after the fix: {e}"));
            return fails;
        }
    };
    if debug {
        eprintln!("--- {name}: after ---\n{text2}");
    }
    if tool == Tool::Ufw {
        fails.extend(ufw_as_iptables(lab, &name, "after", &[]));
    }
    let r2 = analyze(&text2);
    match firewall_finding(&r2) {
        Some(f2) if f2.status == Status::RuledOut => {}
        other => fails.push(format!(
            "{name}: after the fix the engine says {:?}, expected ruled-out: {}\n--- dump ---\n{text2}",
            other.map(|f| f.status),
            other.map(|f| f.explanation.as_str()).unwrap_or("")
        )),
    }
    // The range updater, run once per tool (ufw is slow), with a stub
    // `curl` that serves the bundled lists the way Cloudflare does (ips-v4
    // without its final newline): it must run cleanly and keep Cloudflare
    // in and everyone else out.
    let updater_case = if tool == Tool::Ufw {
        Broken::V4OnlyAllowlist
    } else {
        Broken::PartialAllowlist
    };
    if broken == updater_case {
        fails.extend(run_updater(lab, tool, &name, &f.fix));
    }
    fails
}

fn run_updater(lab: &mut Lab, tool: Tool, name: &str, fix: &[FixStep]) -> Vec<String> {
    let Some(step) = fix.iter().find(|s| s.title.contains("allowlist current")) else {
        return vec![format!("{name}: no range-updater step")];
    };
    // The first command writes the script with a quoted here-document.
    let script = step
        .commands
        .first()
        .and_then(|c| c.split_once("<<'SCRIPT'\n"))
        .and_then(|(_, rest)| rest.strip_suffix("SCRIPT"));
    let Some(script) = script else {
        return vec![format!(
            "{name}: updater step does not write a script: {:?}",
            step.commands.first()
        )];
    };
    // The updater saves the live rules for reboots; in the namespace that
    // would overwrite the host's saved rules. netfilter-persistent becomes a
    // no-op stub when installed (when not, the script's "not installed"
    // path runs for real); RHEL's init-script saver cannot be stubbed.
    if tool == Tool::Iptables
        && std::path::Path::new("/usr/libexec/iptables/iptables.init").exists()
    {
        eprintln!("{name}: range updater not run (it would save over the host's iptables rules)");
        return Vec::new();
    }
    let saver_stub = if netns::run(&["sh", "-c", "command -v netfilter-persistent"], None).is_ok() {
        "netfilter-persistent() { :; }\n"
    } else {
        ""
    };
    let v4 = cidrs(Family::V4).join("\n");
    let v6 = cidrs(Family::V6).join("\n");
    let stub = format!(
        "curl() {{ case \"$*\" in *ips-v4*) printf '%s' '{v4}';; *ips-v6*) printf '%s\\n' '{v6}';; *) return 22;; esac; }}\n"
    );
    // After the shebang, so the script's own `set -eu` still applies.
    let full = match script.split_once('\n') {
        Some((shebang, rest)) => format!("{shebang}\n{stub}{saver_stub}{rest}"),
        None => return vec![format!("{name}: empty updater script")],
    };
    let mut fails = Vec::new();
    if let Err(e) = lab.run_in_origin_stdin(&["sh", "-s"], &full) {
        fails.push(format!(
            "{name}: the range-updater script fails (fix bug)\n--- script (stub curl added) ---\n{full}--- error ---\n{e}"
        ));
    }
    fails.extend(check_probes(lab, tool, name, "the range updater"));
    fails
}

/// Analyze the iptables-save + ip6tables-save of a ufw box: `before` the
/// fix it must find the block and give the same allowlist steps as the
/// `ufw status` paste; `after` it must rule the finding out.
fn ufw_as_iptables(lab: &Lab, name: &str, when: &str, want: &[&FixStep]) -> Vec<String> {
    let text = match (lab.iptables_save(false), lab.iptables_save(true)) {
        (Ok(v4), Ok(v6)) => {
            format!("{PROMPT}iptables-save\n{v4}{PROMPT}ip6tables-save\n{v6}")
        }
        (Err(e), _) | (_, Err(e)) => return vec![format!("{name}: iptables-save: {e}")],
    };
    let r = analyze(&text);
    let f = firewall_finding(&r);
    let status = f.map(|f| f.status);
    let ok = if when == "before" {
        let steps: Vec<&FixStep> = f
            .map(|f| f.fix.iter().filter(|s| !is_skipped(s)).collect())
            .unwrap_or_default();
        matches!(status, Some(Status::Confirmed | Status::Likely)) && steps == want
    } else {
        status == Some(Status::RuledOut)
    };
    if ok {
        return Vec::new();
    }
    vec![format!(
        "{name}: {when} the fix, ufw's iptables-save gives {status:?} with fix {:?} (status paste gave {:?}): {}\n--- dump ---\n{text}",
        f.map(|f| f.fix.iter().map(|s| &s.title).collect::<Vec<_>>()),
        want.iter().map(|s| &s.title).collect::<Vec<_>>(),
        f.map(|f| f.explanation.as_str()).unwrap_or("")
    )]
}

#[test]
fn generated_firewall_fixes_work_in_the_kernel() {
    let Some(_turn) = crate::kernel::lab_turn() else {
        return;
    };
    let require = crate::kernel::required();
    let start = Instant::now();
    netns::cleanup_stale();
    let mut sources = cloudflare_sources();
    sources.extend(outsiders());
    let mut lab = match Lab::new(&sources, &PORTS) {
        Ok(l) => l,
        Err(e) => panic!("cannot build the namespace lab: {e}"),
    };
    let mut tools = vec![Tool::Iptables, Tool::Nft, Tool::NftSplit];
    match lab.private_ufw() {
        Ok(()) => tools.push(Tool::Ufw),
        Err(why) => {
            assert!(!require, "E521_REQUIRE_NETNS=1 but ufw cannot run: {why}");
            eprintln!("kernel_fix: ufw cases skipped ({why})");
        }
    }
    let only = std::env::var("E521_TOOLS").ok();
    let mut fails = Vec::new();
    let mut passed = Vec::new();
    for &tool in &tools {
        let name = format!("{tool:?}").to_lowercase();
        if only
            .as_ref()
            .is_some_and(|o| !o.split(',').any(|x| x == name))
        {
            continue;
        }
        for broken in BROKEN {
            let t = Instant::now();
            let f = run_case(&mut lab, tool, broken);
            eprintln!(
                "kernel_fix: {tool:?}/{broken:?}: {} in {:.1?}",
                if f.is_empty() { "ok" } else { "FAILED" },
                t.elapsed()
            );
            if f.is_empty() {
                passed.push(format!("{tool:?}/{broken:?}"));
            }
            for m in &f {
                eprintln!("==== {m}\n");
            }
            fails.extend(f);
        }
    }
    eprintln!(
        "kernel_fix: {} cases passed, {} failures, {:.1?}",
        passed.len(),
        fails.len(),
        start.elapsed()
    );
    assert!(fails.is_empty(), "{} failures; see above", fails.len());
}
