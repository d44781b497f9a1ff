//! The option-syntax reader: `iptables-save`, `iptables -S` and script
//! lines (`iptables -A ...`).

use std::borrow::Cow;

use super::ext::{never, origin, target_action, unknown, PortDir, IGNORED};
use super::lex::{parse_policy, tokenize};
use super::{ext, Builder};
use crate::firewall::model::{Action, Match, Rule, SourceLine, Undecided};
use crate::text::Line;

impl Builder {
    pub(super) fn statement(&mut self, line: Line<'_>, text: &str) {
        let toks = match tokenize(text) {
            Ok(t) => t,
            Err(e) => {
                self.nu(line, e);
                return;
            }
        };
        let mut toks: &[Cow<'_, str>] = &toks;
        // `iptables-save -c` prefixes counters: `[5:300] -A INPUT ...`.
        if let Some(first) = toks.first() {
            if first.starts_with('[') && first.ends_with(']') {
                toks = toks.get(1..).unwrap_or_default();
            }
        }
        let mut table: Option<&str> = None;
        let mut i = 0;
        // Leading options before the command (`-t nat`, `-w`).
        while let Some(t) = toks.get(i) {
            match t.as_ref() {
                "-t" | "--table" => {
                    table = toks.get(i + 1).map(|s| s.as_ref());
                    i += 2;
                }
                "-w" | "--wait" | "-v" | "--verbose" => {
                    i += 1;
                    if toks.get(i).is_some_and(|t| t.parse::<u32>().is_ok()) {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        let Some(cmd) = toks.get(i) else {
            self.nu(line, "empty iptables command");
            return;
        };
        let chain_name = toks.get(i + 1).map(|s| s.as_ref());
        match (cmd.as_ref(), chain_name) {
            ("-P" | "--policy", Some(chain)) => {
                self.saw_rules = true;
                let pol = toks.get(i + 2).map(|s| s.as_ref()).and_then(parse_policy);
                let id = self.chain(table, chain);
                match pol {
                    Some(p) => {
                        if let Some(c) = self.chains.get_mut(id) {
                            c.policy = Some(p);
                            c.policy_line = Some(SourceLine::from(line));
                        }
                        self.understood += 1;
                    }
                    None => self.nu(line, "policy is not ACCEPT or DROP"),
                }
            }
            ("-N" | "--new-chain", Some(chain)) => {
                self.saw_rules = true;
                let id = self.chain(table, chain);
                if let Some(c) = self.chains.get_mut(id) {
                    c.policy = None;
                }
                self.understood += 1;
            }
            ("-A" | "--append" | "-I" | "--insert", Some(chain)) => {
                self.saw_rules = true;
                let mut j = i + 2;
                let mut pos = None;
                if matches!(cmd.as_ref(), "-I" | "--insert") {
                    pos = Some(0);
                    if let Some(n) = toks.get(j).and_then(|t| t.parse::<usize>().ok()) {
                        pos = Some(n.saturating_sub(1));
                        j += 1;
                    }
                }
                let rest = toks.get(j..).unwrap_or_default();
                match self.rule_tokens(rest) {
                    Ok((matches, action)) => {
                        let rule = Rule {
                            origin: origin(chain, &matches, &action),
                            source: SourceLine::from(line),
                            matches,
                            action,
                        };
                        let id = self.chain(table, chain);
                        if let Some(c) = self.chains.get_mut(id) {
                            match pos {
                                Some(p) => c.rules.insert(p.min(c.rules.len()), rule),
                                None => c.rules.push(rule),
                            }
                        }
                        self.understood += 1;
                    }
                    Err(e) => self.nu(line, e),
                }
            }
            ("-F" | "-X" | "-Z" | "--flush" | "--delete-chain" | "--zero", _) => {
                self.understood += 1;
            }
            _ => self.nu(line, "not an iptables rule, policy or chain command"),
        }
    }
    /// Matches and action of one rule in option syntax.
    fn rule_tokens(&mut self, toks: &[Cow<'_, str>]) -> Result<(Vec<Match>, Action), String> {
        // long: every iptables match extension's option syntax in one match, the honest complexity
        // of iptables (issue 15 keeps it whole).
        let mut m: Vec<Match> = Vec::new();
        let mut target: Option<&str> = None;
        let mut goto = false;
        let mut reject_with: Option<String> = None;
        let mut in_target = false;
        let mut neg = false;
        let mut module: &str = "";
        let mut i = 0;
        while let Some(tok) = toks.get(i) {
            let t: &str = tok.as_ref();
            i += 1;
            if t == "!" {
                neg = !neg;
                continue;
            }
            let mut n = std::mem::take(&mut neg);
            // Value of an option; an old-style `!` after the option negates.
            macro_rules! val {
                () => {
                    match value(toks, &mut i, &mut n) {
                        Some(v) => v,
                        None => return Err(format!("option {t} without a value")),
                    }
                };
            }
            match t {
                "-s" | "--source" | "--src" => {
                    let v = val!();
                    let mm = self.addr_match(v, n, false);
                    m.push(mm);
                }
                "-d" | "--destination" | "--dst" => {
                    let v = val!();
                    let mm = self.addr_match(v, n, true);
                    m.push(mm);
                }
                "-p" | "--protocol" => {
                    let v = val!();
                    m.extend(self.protocol(v, n));
                }
                "-i" | "--in-interface" => {
                    let v = val!();
                    self.iface(v);
                    m.push(Match::InInterface {
                        pattern: v.to_string(),
                        negated: n,
                    });
                }
                "-o" | "--out-interface" => {
                    // A packet on its way in to a local process has no output
                    // interface: a named `-o` never matches there.
                    let v = val!();
                    if !n && v != "+" {
                        m.push(never());
                    }
                }
                "-f" | "--fragment" => {
                    // A SYN is never a non-first fragment.
                    if !n {
                        m.push(never());
                    }
                }
                // rpfilter passes ordinary traffic unless `--invert`.
                "-m" | "--match" => module = val!(),
                "-j" | "--jump" => {
                    target = Some(val!());
                    goto = false;
                    in_target = true;
                }
                "-g" | "--goto" => {
                    target = Some(val!());
                    goto = true;
                    in_target = true;
                }
                "-c" | "--set-counters" => {
                    i += 2;
                }
                "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                    let v = val!();
                    m.push(ext::ports(PortDir::Dest, v, n).unwrap_or_else(|| unknown(t, v, n)));
                }
                "--sport" | "--source-port" | "--sports" | "--source-ports" => {
                    let v = val!();
                    m.push(ext::ports(PortDir::Source, v, n).unwrap_or_else(|| unknown(t, v, n)));
                }
                "--ports" => {
                    let v = val!();
                    m.push(ext::ports(PortDir::Either, v, n).unwrap_or_else(|| unknown(t, v, n)));
                }
                "--syn" => m.push(Match::TcpFlags { syn_matches: !n }),
                // IPv6 routing-header match (`-m rt --rt-type 0`, ufw's
                // before6.rules): a SYN from Cloudflare carries no routing
                // header, so a positive match never holds; negated, it
                // always does.
                "--rt-type" | "--rt-segsleft" | "--rt-len" if module == "rt" => {
                    let _ = val!();
                    if !n {
                        m.push(never());
                    }
                }
                "--tcp-flags" => {
                    let mask = val!();
                    let comp = val!();
                    m.push(
                        ext::tcp_flags(mask, comp, n)
                            .unwrap_or_else(|| unknown(t, &format!("{mask} {comp}"), n)),
                    );
                }
                "--state" | "--ctstate" => {
                    let v = val!();
                    m.push(ext::conn_state(v, n));
                }
                "--comment" => {
                    let _ = val!();
                }
                "--match-set" => {
                    let name = val!();
                    let flags = val!();
                    m.push(
                        ext::match_set(name, flags, n)
                            .unwrap_or_else(|| unknown(t, &format!("{name} {flags}"), n)),
                    );
                }
                "--return-nomatch" | "--update-counters" | "--update-subcounters" => {}
                "--limit" | "--hashlimit" | "--hashlimit-upto" | "--hashlimit-above" => {
                    let v = val!();
                    m.push(ext::limit(format!("{t} {v}"), t == "--hashlimit-above", n));
                }
                "--connlimit-above" | "--connlimit-upto" => {
                    let v = val!();
                    let above = t == "--connlimit-above";
                    m.push(ext::connlimit(format!("{t} {v}"), above, v, n));
                }
                "--set" if module == "recent" => {
                    m.push(ext::recent("recent --set".into(), true, n))
                }
                "--rcheck" | "--update" | "--remove" => {
                    m.push(ext::recent(format!("recent {t}"), false, n));
                }
                "--src-range" | "--dst-range" => {
                    let v = val!();
                    let dest = t == "--dst-range";
                    m.push(
                        self.range_match(v, n, dest)
                            .unwrap_or_else(|| unknown(t, v, n)),
                    );
                }
                "--dst-type" | "--src-type" => {
                    let v = val!();
                    m.extend(ext::addr_type(t == "--dst-type", v, n));
                }
                "--pkt-type" => {
                    let v = val!();
                    m.extend(ext::pkt_type(v, n));
                }
                "--invert" if module == "rpfilter" => {
                    if !n {
                        m.push(never());
                    }
                }
                "--pol" => {
                    let v = val!();
                    m.extend(ext::ipsec_policy(v, n));
                }
                "--reject-with" => reject_with = Some(val!().to_string()),
                _ if t.starts_with("--") => {
                    let takes_value = !NO_VALUE.contains(&t);
                    let mut vals = Vec::new();
                    if takes_value {
                        while let Some(v) = toks.get(i) {
                            if v.starts_with('-') || v.as_ref() == "!" {
                                break;
                            }
                            vals.push(v.as_ref());
                            i += 1;
                        }
                    }
                    if !in_target && !IGNORED.contains(&t) {
                        let text = format!(
                            "{}-m {module} {t} {}",
                            if n { "! " } else { "" },
                            vals.join(" ")
                        );
                        m.push(Match::Unknown {
                            text: text.trim_end().to_string(),
                            why: Undecided::NotUnderstood,
                        });
                    }
                }
                _ => {
                    if !in_target {
                        m.push(Match::Unknown {
                            text: format!("unexpected word `{t}`"),
                            why: Undecided::NotUnderstood,
                        });
                    }
                }
            }
        }
        let action = match target {
            None => Action::Continue,
            Some(tg) => target_action(tg, goto, reject_with),
        };
        Ok((m, action))
    }
}

/// Options that take no value (so the next word is not theirs).
const NO_VALUE: &[&str] = &[
    "--rttl",
    "--reap",
    "--rsource",
    "--rdest",
    "--connlimit-saddr",
    "--connlimit-daddr",
    "--limit-iface-in",
    "--limit-iface-out",
    "--log-uid",
    "--log-tcp-sequence",
    "--log-tcp-options",
    "--log-ip-options",
    "--log-macdecode",
    "--notrack",
    "--exist",
    "--clamp-mss-to-pmtu",
    "--checksum-fill",
    "--random",
    "--random-fully",
    "--persistent",
    "--restore-mark",
    "--save-mark",
    "--loose",
    "--validmark",
    "--accept-local",
    "--strict",
    "--next",
    "--hashlimit-rate-match",
    "--kerneltz",
];

fn value<'t>(toks: &'t [Cow<'_, str>], i: &mut usize, neg: &mut bool) -> Option<&'t str> {
    let mut v = toks.get(*i)?;
    if v.as_ref() == "!" {
        *neg = !*neg;
        *i += 1;
        v = toks.get(*i)?;
    }
    *i += 1;
    Some(v.as_ref())
}
