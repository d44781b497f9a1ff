//! Differential proof of the firewall evaluator against the Linux kernel.
//!
//! Random rulesets (iptables, ip6tables, nftables, ufw) are loaded into a
//! private network namespace; real TCP connects from addresses inside and
//! outside Cloudflare's ranges are made to it from a second namespace, and
//! the kernel's answer (accepted / refused / timed out) must equal the
//! engine's verdict (Accept / Reject / Drop) on what a user would paste (the
//! `iptables-save`, `nft list ruleset`, `ufw status verbose` output read back
//! from the kernel). Seeded (`E521_SEED`), reproducible; a mismatch is
//! printed with its ruleset and shrunk to a minimal one.
//!
//! Needs root and `ip netns`; otherwise it says why and passes, unless
//! `E521_REQUIRE_NETNS=1` (CI) turns the skip into a failure.
// Network namespaces exist only natively.
#![cfg(not(target_arch = "wasm32"))]

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::kernel::gen::{self, Fam, Pkt, Rng, Rs, Verdict};
use crate::kernel::netns::{self, KernelOutcome, Lab, ORIGIN_V4, ORIGIN_V6};
use crate::kernel::ufw::{self, UfwSet};

const DEFAULT_SEED: u64 = 521;
const MAX_MISMATCHES: usize = 12;
const V6_REJECT_WAIT: Duration = Duration::from_millis(1500);
/// Rulesets per kind and probes per ruleset: 80*16 + 30*12 + 40*16 + 8*14
/// = 2392 ruleset-probe pairs. IPv4 is cheapest (see `V6_REJECT_WAIT`).
const PLAN: &[(Kind, usize, usize)] = &[
    (Kind::Ipt4, 80, 16),
    (Kind::Ipt6, 30, 12),
    (Kind::Nft, 40, 16),
    (Kind::Ufw, 8, 14),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ipt4,
    Ipt6,
    Nft,
    Ufw,
}

#[derive(Debug, Clone)]
enum Case {
    Ipt(Fam, Rs),
    Nft(Rs),
    Ufw(UfwSet),
}

/// Which pasted text the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dump {
    IptablesSave,
    NftList,
    UfwStatus,
}

/// What the engine knows about the host besides the dump: with `ip -br
/// addr; ip route` it knows the public interface and the origin's
/// addresses; with the dump alone it knows neither, and a verdict that hangs
/// on them must be unknown, never a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    Known,
    DumpOnly,
}

/// The engine's answer for one probe, with what decided it.
#[derive(Debug, Clone)]
struct EngineAnswer {
    verdict: Option<Verdict>,
    detail: String,
}

// ---------------------------------------------------------------------
// The one place that calls the engine: parse what the user would paste,
// evaluate each probe's source as a one-address set. `case` is unused here;
// the reference model (gen::model_verdict) only checks the harness.
fn engine_eval(
    case: &Case,
    dump: Dump,
    text: &str,
    probes: &[(IpAddr, u16)],
    origin_if: &str,
    host: Host,
) -> Vec<EngineAnswer> {
    use err521::firewall::eval::{evaluate, Context, Outcome};
    use err521::net::{AddrRange, AddrSet};
    let _ = case;
    let lines = err521::text::lines(text);
    let rs = match dump {
        Dump::IptablesSave => err521::parse::iptables::parse("iptables-save", &lines),
        Dump::NftList => err521::parse::nftables::parse("nft list ruleset", &lines),
        Dump::UfwStatus => err521::parse::ufw::parse("ufw status verbose", &lines),
    };
    let origin_addrs = AddrSet::from_ranges(
        [ORIGIN_V4, ORIGIN_V6]
            .iter()
            .filter_map(|a| a.parse().ok())
            .map(AddrRange::single),
    );
    let ctx = match host {
        Host::Known => Context {
            public_interface: Some(origin_if.to_string()),
            origin_addrs,
        },
        Host::DumpOnly => Context::default(),
    };
    probes
        .iter()
        .map(|&(src, port)| {
            let sources = AddrSet::from_ranges([AddrRange::single(src)]);
            let out = evaluate(&rs, &sources, port, &ctx);
            match out.iter().find(|(set, _)| set.contains(src)) {
                None => EngineAnswer {
                    verdict: None,
                    detail: format!("no verdict covers {src}: {out:?}"),
                },
                Some((_, v)) => EngineAnswer {
                    verdict: match v.outcome {
                        Outcome::Accept => Some(Verdict::Accept),
                        Outcome::Reject => Some(Verdict::Reject),
                        Outcome::Drop => Some(Verdict::Drop),
                        Outcome::Unknown => None,
                    },
                    detail: format!(
                        "{:?} reject_with={:?} rule={} policy={:?} reason={:?} not_understood={:?}",
                        v.outcome,
                        v.reject_with,
                        v.rule
                            .as_ref()
                            .map(|r| format!("line {} `{}`", r.line, r.text))
                            .unwrap_or_else(|| "-".into()),
                        v.policy,
                        v.reason,
                        rs.not_understood
                            .iter()
                            .map(|n| format!("line {}: {}", n.line, n.reason))
                            .collect::<Vec<_>>()
                    ),
                },
            }
        })
        .collect()
}
// ---------------------------------------------------------------------

fn model(case: &Case, src: IpAddr, port: u16, origin_if: &str) -> Verdict {
    match case {
        Case::Ipt(_, rs) | Case::Nft(rs) => gen::model_verdict(
            rs,
            &Pkt {
                src,
                port,
                iif: origin_if,
            },
        ),
        Case::Ufw(u) => ufw::model_verdict(u, src, port, origin_if),
    }
}

fn kernel_verdict(k: &KernelOutcome) -> Option<Verdict> {
    match k {
        KernelOutcome::Accepted => Some(Verdict::Accept),
        KernelOutcome::Refused(_) => Some(Verdict::Reject),
        KernelOutcome::TimedOut => Some(Verdict::Drop),
        KernelOutcome::Error(_) => None,
    }
}

fn case_text(case: &Case) -> String {
    match case {
        Case::Ipt(_, rs) => gen::render_iptables(rs),
        Case::Nft(rs) => gen::render_nft(rs),
        Case::Ufw(u) => ufw::commands(u)
            .iter()
            .map(|c| format!("ufw {}\n", c.join(" ")))
            .collect(),
    }
}

fn families(case: &Case) -> Vec<Fam> {
    match case {
        Case::Ipt(f, _) => vec![*f],
        Case::Nft(rs) => gen::families(rs),
        Case::Ufw(_) => vec![Fam::V4, Fam::V6],
    }
}

fn ufw_cmd(lab: &Lab, args: &[&str]) -> Result<String, String> {
    let mut full = vec!["ufw"];
    full.extend_from_slice(args);
    lab.run_in_origin(&full)
}

/// Load the case into the origin; returns the texts the engine reads.
fn load(lab: &Lab, case: &Case) -> Result<Vec<(Dump, Option<Fam>, String)>, String> {
    match case {
        Case::Ipt(fam, rs) => {
            let text = gen::render_iptables(rs);
            let v6 = *fam == Fam::V6;
            if v6 {
                lab.load_iptables("", &text)?;
            } else {
                lab.load_iptables(&text, "")?;
            }
            Ok(vec![(
                Dump::IptablesSave,
                Some(*fam),
                lab.iptables_save(v6)?,
            )])
        }
        Case::Nft(rs) => {
            lab.load_nft(&gen::render_nft(rs))?;
            Ok(vec![(Dump::NftList, None, lab.nft_list()?)])
        }
        Case::Ufw(u) => {
            ufw_cmd(lab, &["--force", "reset"])?;
            lab.flush()?;
            for c in ufw::commands(u) {
                let args: Vec<&str> = c.iter().map(String::as_str).collect();
                ufw_cmd(lab, &args)?;
            }
            ufw_cmd(lab, &["--force", "enable"])?;
            // A ufw box is pasted either as `ufw status verbose` or as
            // iptables-save of the chains ufw wrote: both must agree.
            Ok(vec![
                (Dump::UfwStatus, None, ufw_cmd(lab, &["status", "verbose"])?),
                (Dump::IptablesSave, Some(Fam::V4), lab.iptables_save(false)?),
                (Dump::IptablesSave, Some(Fam::V6), lab.iptables_save(true)?),
            ])
        }
    }
}

fn dst_for(src: IpAddr) -> IpAddr {
    let d = if src.is_ipv4() { ORIGIN_V4 } else { ORIGIN_V6 };
    d.parse().unwrap_or(src)
}

fn pick_probes(rng: &mut Rng, case: &Case, n: usize) -> Vec<(IpAddr, u16)> {
    let fams = families(case);
    let mut out: Vec<(IpAddr, u16)> = Vec::new();
    let mut tries = 0;
    while out.len() < n && tries < n * 20 {
        tries += 1;
        let fam = *rng.pick(&fams);
        let pool = if fam == Fam::V4 {
            gen::PROBE_V4
        } else {
            gen::PROBE_V6
        };
        let Ok(src) = rng.pick(pool).parse::<IpAddr>() else {
            continue;
        };
        let port = *rng.pick(gen::PROBE_PORTS);
        // One connection per (source, port): ufw's `limit` counts them.
        if !out.contains(&(src, port)) {
            out.push((src, port));
        }
    }
    out
}

#[derive(Debug)]
struct Mismatch {
    what: &'static str,
    report: String,
}

impl Runner {
    /// Print a mismatch the first time its kind (`key`: what decided, in
    /// which dump) is seen; later ones of the same kind are only counted.
    fn record(&mut self, key: String, m: Mismatch) -> bool {
        self.total_mismatches += 1;
        if self.seen.contains(&key) {
            return false;
        }
        eprintln!("==== MISMATCH: {} ====\n{}\n", m.what, m.report);
        self.seen.push(key);
        self.mismatches.push(m);
        true
    }
}

struct Runner {
    lab: Lab,
    seed: u64,
    pairs: usize,
    engine_checks: usize,
    /// Checks without the host's addresses, and how many of them the
    /// engine left unknown (allowed there; a definite answer must match).
    dump_only_checks: usize,
    dump_only_unknown: usize,
    /// Distinct mismatches (first of each kind), and all of them counted.
    mismatches: Vec<Mismatch>,
    seen: Vec<String>,
    total_mismatches: usize,
}

impl Runner {
    fn probe(&mut self, probes: &[(IpAddr, u16)], timeout: Duration) -> Vec<KernelOutcome> {
        let list: Vec<netns::Probe> = probes.iter().map(|&(s, p)| (s, dst_for(s), p)).collect();
        let mut out = match self.lab.probe_with_timeout(&list, timeout) {
            Ok(v) => v,
            Err(e) => panic!("prober failed: {e}"),
        };
        // This kernel ignores the ICMPv6 error answering the first SYN of a
        // connecting socket and honours the one answering the SYN resent
        // after 1 s: an IPv6 reject shows as refused only after ~1 s. So
        // IPv6 timeouts get a second, longer look before counting as drops.
        let slow: Vec<usize> = (0..out.len())
            .filter(|&i| {
                list.get(i).is_some_and(|p| p.0.is_ipv6())
                    && out.get(i) == Some(&KernelOutcome::TimedOut)
            })
            .collect();
        if !slow.is_empty() && timeout < V6_REJECT_WAIT {
            let again: Vec<netns::Probe> =
                slow.iter().filter_map(|&i| list.get(i).copied()).collect();
            match self.lab.probe_with_timeout(&again, V6_REJECT_WAIT) {
                Ok(v) => {
                    for (&i, k) in slow.iter().zip(v) {
                        if let Some(slot) = out.get_mut(i) {
                            *slot = k;
                        }
                    }
                }
                Err(e) => panic!("prober failed: {e}"),
            }
        }
        out
    }

    /// Returns the engine answers for one probe on every dump of a loaded
    /// case, and the kernel's answer.
    fn run_case(&mut self, idx: usize, case: &Case, probes: &[(IpAddr, u16)]) {
        let dumps = match load(&self.lab, case) {
            Ok(d) => d,
            Err(e) => panic!(
                "seed {} case {idx}: the generator wrote a ruleset the kernel refuses (generator bug):\n{e}\n--- ruleset ---\n{}",
                self.seed,
                case_text(case)
            ),
        };
        let kernel = self.probe(probes, Duration::from_millis(400));
        self.pairs += probes.len();
        let origin_if = self.lab.origin_if.clone();
        // 1. Harness self-check: kernel vs the generator's own model.
        for (i, (&(src, port), k)) in probes.iter().zip(&kernel).enumerate() {
            let m = model(case, src, port, &origin_if);
            if kernel_verdict(k) != Some(m) {
                let again = self.probe(&[(src, port)], Duration::from_secs(2));
                let k2 = again.first().cloned().unwrap_or(KernelOutcome::TimedOut);
                if std::env::var("E521_DEBUG").is_ok() {
                    eprintln!("recheck {src} port {port}: first {k}, then {k2}, model {m:?}");
                }
                if kernel_verdict(&k2) != Some(m) {
                    self.record(format!("harness {idx} {i}"), Mismatch {
                        what: "harness (kernel vs reference model: generator/model bug)",
                        report: format!(
                            "seed {} case {idx} probe {i}: {src} -> port {port}\nkernel: {k2}\nmodel: {m:?}\n--- ruleset ---\n{}",
                            self.seed,
                            case_text(case)
                        ),
                    });
                }
            }
        }
        // 2. The proof: kernel vs engine, on every pasted form.
        for (dump, fam, text) in &dumps {
            let sel: Vec<(usize, (IpAddr, u16))> = probes
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, (s, _))| fam.is_none_or(|f| Fam::of(*s) == f))
                .collect();
            let ps: Vec<(IpAddr, u16)> = sel.iter().map(|x| x.1).collect();
            for host in [Host::Known, Host::DumpOnly] {
                self.check_answers(idx, case, *dump, text, &sel, &ps, &kernel, host);
            }
        }
    }

    /// Compare the engine's answers on one pasted dump with the kernel's.
    #[allow(clippy::too_many_arguments)] // one caller; the loop state of run_case
    fn check_answers(
        &mut self,
        idx: usize,
        case: &Case,
        dump: Dump,
        text: &str,
        sel: &[(usize, (IpAddr, u16))],
        ps: &[(IpAddr, u16)],
        kernel: &[KernelOutcome],
        host: Host,
    ) {
        let origin_if = self.lab.origin_if.clone();
        {
            let answers = engine_eval(case, dump, text, ps, &origin_if, host);
            self.engine_checks += answers.len();
            for ((i, (src, port)), ans) in sel.iter().zip(answers) {
                let Some(k) = kernel.get(*i) else { continue };
                if host == Host::DumpOnly {
                    self.dump_only_checks += 1;
                    if ans.verdict.is_none() {
                        self.dump_only_unknown += 1;
                        continue;
                    }
                }
                if kernel_verdict(k) == ans.verdict {
                    continue;
                }
                let again = self.probe(&[(*src, *port)], Duration::from_secs(2));
                let k2 = again.first().cloned().unwrap_or(KernelOutcome::TimedOut);
                if kernel_verdict(&k2) == ans.verdict {
                    continue;
                }
                let key = format!(
                    "{dump:?} {host:?} {:?} {:?} {}",
                    kernel_verdict(&k2),
                    ans.verdict,
                    ans.detail.split("reason=").nth(1).unwrap_or("")
                );
                if self.seen.contains(&key) {
                    self.total_mismatches += 1;
                    continue;
                }
                // Shrinking re-runs ufw per step (seconds each): skip it there.
                let minimal = if matches!(case, Case::Ufw(_)) {
                    "(ufw cases are not shrunk)".to_string()
                } else {
                    self.shrink(case, dump, *src, *port, host)
                };
                self.record(key, Mismatch {
                    what: "engine (kernel vs engine)",
                    report: format!(
                        "seed {} case {idx} probe {i} [{dump:?}, host {host:?}]: {src} -> port {port}\nkernel: {k2}\nengine: {:?} — {}\n--- ruleset as generated ---\n{}--- text the engine read ---\n{text}--- minimal ruleset ---\n{minimal}",
                        self.seed,
                        ans.verdict,
                        ans.detail,
                        case_text(case)
                    ),
                });
            }
        }
    }

    /// Remove rules one at a time while the kernel and the engine still
    /// disagree on this probe; returns the minimal ruleset and its dump.
    fn shrink(&mut self, case: &Case, dump: Dump, src: IpAddr, port: u16, host: Host) -> String {
        let mut cur = case.clone();
        let origin_if = self.lab.origin_if.clone();
        loop {
            let candidates: Vec<Case> = match &cur {
                Case::Ipt(f, rs) => gen::rule_positions(rs)
                    .into_iter()
                    .map(|p| Case::Ipt(*f, gen::without_rule(rs, p)))
                    .collect(),
                Case::Nft(rs) => gen::rule_positions(rs)
                    .into_iter()
                    .map(|p| Case::Nft(gen::without_rule(rs, p)))
                    .collect(),
                Case::Ufw(u) => (0..u.rules.len())
                    .map(|i| {
                        let mut v = u.clone();
                        v.rules.remove(i);
                        Case::Ufw(v)
                    })
                    .collect(),
            };
            let mut progressed = false;
            for cand in candidates {
                let Ok(dumps) = load(&self.lab, &cand) else {
                    continue;
                };
                let Some((_, _, text)) = dumps
                    .iter()
                    .find(|(d, f, _)| *d == dump && f.is_none_or(|f| f == Fam::of(src)))
                else {
                    continue;
                };
                let k = self.probe(&[(src, port)], Duration::from_millis(600));
                let ans = engine_eval(&cand, dump, text, &[(src, port)], &origin_if, host);
                let differs = match (k.first(), ans.first()) {
                    (Some(_), Some(a)) if host == Host::DumpOnly && a.verdict.is_none() => false,
                    (Some(k), Some(a)) => kernel_verdict(k) != a.verdict,
                    _ => false,
                };
                if differs {
                    cur = cand;
                    progressed = true;
                    break;
                }
            }
            if !progressed {
                break;
            }
        }
        let dumped = load(&self.lab, &cur)
            .ok()
            .and_then(|d| {
                d.into_iter()
                    .find(|(d, f, _)| *d == dump && f.is_none_or(|f| f == Fam::of(src)))
            })
            .map(|x| x.2)
            .unwrap_or_default();
        format!("{}--- its dump ---\n{dumped}", case_text(&cur))
    }
}

#[test]
fn kernel_agrees_with_engine() {
    let Some(_turn) = crate::kernel::lab_turn() else {
        return;
    };
    let require = crate::kernel::required();
    let seed = std::env::var("E521_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_SEED);
    eprintln!("kernel_diff: seed {seed} (set E521_SEED to reproduce another run)");
    let start = Instant::now();
    netns::cleanup_stale();
    let mut lab = match Lab::new(&gen::probe_sources(), gen::PROBE_PORTS) {
        Ok(l) => l,
        Err(e) => panic!("cannot build the namespace lab: {e}"),
    };
    let with_ufw = lab.private_ufw();
    let mut runner = Runner {
        lab,
        seed,
        pairs: 0,
        engine_checks: 0,
        dump_only_checks: 0,
        dump_only_unknown: 0,
        mismatches: Vec::new(),
        seen: Vec::new(),
        total_mismatches: 0,
    };
    let mut rng = Rng::new(seed);
    let origin_if = runner.lab.origin_if.clone();
    let mut idx = 0;
    // E521_KINDS=ipt4,nft narrows a debugging run (the pair minimum is then
    // not enforced).
    let kinds = std::env::var("E521_KINDS").ok();
    for &(kind, count, nprobes) in PLAN {
        let name = format!("{kind:?}").to_lowercase();
        if kinds
            .as_ref()
            .is_some_and(|k| !k.split(',').any(|x| x == name))
        {
            continue;
        }
        if kind == Kind::Ufw {
            match &with_ufw {
                Ok(()) => {}
                Err(why) => {
                    assert!(!require, "E521_REQUIRE_NETNS=1 but ufw cannot run: {why}");
                    eprintln!("kernel_diff: ufw part skipped ({why})");
                    continue;
                }
            }
        }
        let t = Instant::now();
        let before = runner.pairs;
        for _ in 0..count {
            // Every mismatch costs confirmations and a shrink: past a
            // handful, more of them only slow the report down.
            if runner.mismatches.len() >= MAX_MISMATCHES {
                break;
            }
            let case = match kind {
                Kind::Ipt4 => Case::Ipt(Fam::V4, gen::gen_iptables(&mut rng, Fam::V4, &origin_if)),
                Kind::Ipt6 => Case::Ipt(Fam::V6, gen::gen_iptables(&mut rng, Fam::V6, &origin_if)),
                Kind::Nft => Case::Nft(gen::gen_nft(&mut rng, &origin_if)),
                Kind::Ufw => Case::Ufw(ufw::gen_ufw(&mut rng, &origin_if)),
            };
            let probes = pick_probes(&mut rng, &case, nprobes);
            runner.run_case(idx, &case, &probes);
            idx += 1;
        }
        eprintln!(
            "kernel_diff: {kind:?}: {count} rulesets, {} pairs in {:.1?}",
            runner.pairs - before,
            t.elapsed()
        );
    }
    eprintln!(
        "kernel_diff: {} ruleset-probe pairs, {} engine checks ({} without the host's addresses, {} of them left unknown), {} mismatches ({} distinct), {:.1?}",
        runner.pairs,
        runner.engine_checks,
        runner.dump_only_checks,
        runner.dump_only_unknown,
        runner.total_mismatches,
        runner.mismatches.len(),
        start.elapsed()
    );
    for m in &runner.mismatches {
        let head: Vec<&str> = m.report.lines().take(3).collect();
        eprintln!("  {}: {}", m.what, head.join(" | "));
    }
    assert!(
        kinds.is_some() || runner.pairs >= 2000,
        "only {} pairs ran",
        runner.pairs
    );
    // Without the host's addresses most answers are still exact: only
    // those that hang on an interface or address may be unknown.
    assert!(
        runner.dump_only_unknown < runner.dump_only_checks,
        "every answer without the host's addresses was unknown"
    );
    assert!(
        runner.mismatches.is_empty(),
        "{} mismatches ({} distinct) between the kernel and the engine (seed {seed}); see above",
        runner.total_mismatches,
        runner.mismatches.len()
    );
}
