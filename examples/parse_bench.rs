//! Times one parser on one file: `cargo run --release --example parse_bench
//! -- <iptables|ufw|dns|listeners|nftables|split|analyze> FILE [REPEAT]`.
//! Prints one line of JSON: bytes, best seconds of REPEAT runs, MB/s and the
//! count the parser found (rules, listeners, DNS answers, blocks), so
//! scripts/compare-jc.sh can compare it with jc.

use std::time::Instant;

use err521::parse;
use err521::text::lines;

fn count(parser: &str, text: &str) -> Option<usize> {
    let ls = lines(text);
    Some(match parser {
        "iptables" => parse::iptables::parse("bench", &ls)
            .chains
            .iter()
            .map(|c| c.rules.len())
            .sum(),
        "ufw" => parse::ufw::parse("bench", &ls)
            .chains
            .iter()
            .map(|c| c.rules.len())
            .sum(),
        "nftables" => parse::nftables::parse("bench", &ls)
            .chains
            .iter()
            .map(|c| c.rules.len())
            .sum(),
        "dns" => parse::dns::parse("bench", &ls).records.len(),
        "listeners" => parse::listeners::parse("bench", &ls).listeners.len(),
        "split" => parse::split::split(&ls).len(),
        "analyze" => {
            let r = err521::analyze(
                &[parse::CaseInput::new("bench", text)],
                &err521::options::Options::default(),
            );
            r.inputs.len()
        }
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(parser), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: parse_bench PARSER FILE [REPEAT]");
        std::process::exit(2);
    };
    let repeat: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let Ok(text) = std::fs::read_to_string(file) else {
        eprintln!("cannot read {file}");
        std::process::exit(2);
    };
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..repeat.max(1) {
        // Splitting into lines is part of parsing: jc gets the raw text too.
        let start = Instant::now();
        let Some(c) = count(parser, &text) else {
            eprintln!("unknown parser {parser}");
            std::process::exit(2);
        };
        best = best.min(start.elapsed().as_secs_f64());
        n = c;
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "{{\"parser\":\"{parser}\",\"bytes\":{},\"seconds\":{best:.6},\"mb_per_s\":{:.2},\"count\":{n}}}",
        text.len(),
        mb / best
    );
}
