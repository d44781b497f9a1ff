//! Writes the pipeline's measured inputs to files, for the CLI under
//! `/usr/bin/time -v` and for profiling: `cargo run --profile bench
//! --example gen_inputs -- DIR [MB] [TICKET_MB]` writes iptables-L,
//! iptables-save and nft dumps of MB megabytes (default 10), and a mixed
//! ticket and the pathological shapes of TICKET_MB (default 50). The
//! generators are `benches/inputs.rs`.

#[path = "../benches/inputs.rs"]
mod inputs;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_inputs DIR [MB] [TICKET_MB]");
        std::process::exit(2);
    };
    let mb: usize = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(10);
    let big: usize = args.get(2).and_then(|m| m.parse().ok()).unwrap_or(50);
    let dir = std::path::Path::new(dir);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        ("iptables-L.txt", inputs::iptables_list(mb * 1_000_000)),
        ("iptables-save.txt", inputs::iptables_save(mb * 1_000_000)),
        ("nft-ruleset.txt", inputs::nft_ruleset(mb * 1_000_000)),
        (
            "mixed-ticket.txt",
            inputs::mixed_ticket(root, big * 1_000_000),
        ),
    ];
    for (name, text) in inputs::pathological(big * 1_000_000) {
        files.push((name, text));
    }
    for (name, text) in files {
        let path = dir.join(if name.ends_with(".txt") {
            name.to_string()
        } else {
            format!("{name}.txt")
        });
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{}", path.display());
    }
}
