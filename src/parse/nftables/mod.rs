//! `nft list ruleset` (also `nft list table ...`, `nft list chain ...`, with
//! or without `-a` handles and `-n`/`-nn`, and `/etc/nftables.conf`-style
//! files) into the normalized [`Ruleset`].
//!
//! **Guarantees:** linear in the input (a 50,000-element set is one pass);
//! never panics; every line is either understood (possibly as an
//! [`Match::Unknown`] the evaluator decides both ways) or reported in
//! `not_understood`. Tables `ip`, `ip6` and `inet` are read; `arp`,
//! `bridge` and `netdev` tables are skipped with a note. Only `type filter`
//! base chains on the `ingress` (inet), `prerouting` and `input` hooks become
//! entry chains, ordered by hook then numeric priority. Set names are
//! qualified `family table/name` in both [`NamedSet::name`] and
//! [`Match::NamedSource`]; chain names are qualified the same way only when
//! two tables use the same chain name.

mod build;
mod expr;
mod lex;
mod structure;

use build::build;
use lex::tokenize;
use structure::{read_structure, State};

use crate::firewall::model::Ruleset;
use crate::text::Line;

/// Parse an `nft list ruleset` dump. `input` names the paste.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    // About one token per four bytes in real rulesets; sized up front so a
    // large paste is not copied while it grows.
    let bytes: usize = lines.iter().map(|l| l.text.len()).sum();
    let mut toks = Vec::with_capacity(lines.len() + bytes / 4);
    tokenize(lines, &mut toks);
    let mut st = State {
        lines,
        bad: vec![false; lines.len()],
        not_understood: Vec::new(),
        notes: Vec::new(),
        tables: Vec::new(),
        cut: None,
    };
    read_structure(&mut st, &toks);
    let mut rs = build(&mut st, input);
    rs.understood_lines = lines
        .iter()
        .zip(st.bad.iter())
        .filter(|(l, bad)| !**bad && !l.text.trim().is_empty())
        .count();
    rs.not_understood = std::mem::take(&mut st.not_understood);
    rs.not_understood.sort_by_key(|n| n.line);
    rs.notes = std::mem::take(&mut st.notes);
    rs
}

#[cfg(test)]
mod tests {
    use super::expr::eval_flags;
    use super::structure::parse_priority;
    use super::*;

    #[test]
    fn ban_tools_tables_and_sets_mark_their_rules() {
        use crate::firewall::model::{BanTool, Origin};
        let text = "table inet f2b-table {\n\tset addr-set-sshd {\n\t\ttype ipv4_addr\n\t}\n\tchain f2b-chain {\n\t\ttype filter hook input priority filter - 1; policy accept;\n\t\ttcp dport 22 ip saddr @addr-set-sshd reject with icmp port-unreachable\n\t}\n}\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr @crowdsec-blacklists drop\n\t\ttcp dport 443 accept\n\t}\n}\n";
        let rs = parse("t", &crate::text::lines(text));
        let origin = |line: usize| {
            rs.chains
                .iter()
                .flat_map(|c| c.rules.iter())
                .find(|r| r.source.line == line)
                .map(|r| r.origin)
        };
        assert_eq!(origin(7), Some(Origin::Ban(BanTool::Fail2ban)));
        assert_eq!(origin(13), Some(Origin::Ban(BanTool::Crowdsec)));
        assert_eq!(origin(14), Some(Origin::Filter));
    }

    #[test]
    fn priorities_by_name_and_offset() {
        assert_eq!(parse_priority(&["filter"]), Some(0));
        assert_eq!(parse_priority(&["filter", "-", "10"]), Some(-10));
        assert_eq!(parse_priority(&["raw", "+", "10"]), Some(-290));
        assert_eq!(parse_priority(&["mangle", "-5"]), Some(-155));
        assert_eq!(parse_priority(&["-150"]), Some(-150));
        assert_eq!(parse_priority(&["security"]), Some(50));
        assert_eq!(parse_priority(&["bogus"]), None);
    }

    #[test]
    fn tcp_flags_against_a_bare_syn() {
        let e = |s: &str| eval_flags(&s.split_whitespace().collect::<Vec<_>>());
        assert_eq!(e("& (fin | syn | rst | ack) == syn"), Some(true));
        assert_eq!(e("& (fin | syn | rst | ack) != syn"), Some(false));
        assert_eq!(e("syn"), Some(true));
        assert_eq!(e("syn / fin,syn,rst,ack"), Some(true));
        assert_eq!(e("ack"), Some(false));
        assert_eq!(e("== syn|ack"), Some(false));
        assert_eq!(e("& (syn | rst) == syn | rst"), Some(false));
        assert_eq!(e("bogus"), None);
    }

    #[test]
    fn garbage_never_panics_and_is_reported() {
        for text in [
            "}}}{{{",
            "table",
            "table inet x {\n\tchain y {\n\t\tip saddr { 1.2.3.4,\n",
            "table inet x { chain y { tcp dport vmap { : , : } ; ip saddr != ; } }",
            "\"unterminated",
            "table ip6 t { set s { type ipv6_addr; elements = { zz, ::1-::0 } } }",
        ] {
            let rs = parse("g", &crate::text::lines(text));
            assert!(rs.understood_lines + rs.not_understood.len() <= text.lines().count() + 1);
        }
        let rs = parse("g", &crate::text::lines("hello world\n"));
        assert_eq!(rs.not_understood.len(), 1);
    }

    #[test]
    fn prompts_are_not_rules() {
        for prompt in [
            "$ sudo nft list ruleset",
            "root@host:~# nft -a list ruleset",
            "# nft list ruleset",
        ] {
            let text = format!(
                "{prompt}\ntable inet nft {{\n\tchain input {{\n\t\ttype filter hook input priority filter; policy drop;\n\t}}\n}}\n"
            );
            let rs = parse("p", &crate::text::lines(&text));
            assert!(
                rs.not_understood.is_empty(),
                "{prompt}: {:?}",
                rs.not_understood
            );
            assert!(!rs.chains.is_empty(), "{prompt}");
        }
    }
}
