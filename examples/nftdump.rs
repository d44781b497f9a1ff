use err521::firewall::model::*;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let kind = std::env::args().nth(2).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines = err521::text::lines(&text);
    let rs = if kind == "ufw" { err521::parse::ufw::parse("x", &lines) } else { err521::parse::nftables::parse("x", &lines) };
    println!("families {:?} entry {:?} ifaces {:?}", rs.families, rs.entry.iter().map(|i| &rs.chains[*i].name).collect::<Vec<_>>(), rs.interfaces);
    for s in &rs.sets { println!("SET {} {:?} line {}", s.name, s.members.ranges().iter().map(|r| r.to_string()).collect::<Vec<_>>(), s.source.line); }
    for c in &rs.chains {
        println!("CHAIN {} [{}] {:?} policy {:?}", c.name, c.table, c.families, c.policy);
        for r in &c.rules {
            let ms: Vec<String> = r.matches.iter().map(|m| serde_json::to_string(m).unwrap()).collect();
            println!("  {:>3} {:?} <- {}", r.source.line, r.action, ms.join(" & "));
        }
    }
    for n in &rs.notes { println!("NOTE {n}"); }
    for n in &rs.not_understood { println!("NU {} {} :: {}", n.line, n.text, n.reason); }
    println!("understood {}", rs.understood_lines);
}
