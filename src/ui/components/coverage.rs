use std::rc::Rc;

use yew::prelude::*;

use crate::diagnose::FirewallCoverage;
use crate::firewall::coverage::{CoverageEntry, Layer};
use crate::firewall::eval::Outcome;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// `report.firewall`.
    pub coverage: Rc<FirewallCoverage>,
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Accept => "accept",
        Outcome::Reject => "reject",
        Outcome::Drop => "drop",
        Outcome::Unknown => "unknown",
    }
}

fn outcome_symbol(o: Outcome) -> &'static str {
    match o {
        Outcome::Accept => "✓",
        Outcome::Reject => "✕",
        Outcome::Drop => "⊘",
        Outcome::Unknown => "?",
    }
}

/// One segment's verdict in words; `range` is the part of the Cloudflare
/// range it covers.
fn describe(c: &CoverageEntry, range: &str) -> String {
    let mut s = format!("{range} to port {}: {}", c.port, outcome_name(c.outcome));
    if let Some(w) = &c.reject_with {
        s.push_str(&format!(" ({w})"));
    }
    match &c.rule {
        Some(rule) => s.push_str(&format!(
            ", by {} rule at {} line {}: {}",
            c.layer, rule.input, rule.line, rule.text
        )),
        None => {
            if let Some(p) = &c.policy {
                s.push_str(&format!(", by the {} policy {p}", c.layer));
            }
        }
    }
    if let Some(r) = &c.reason {
        s.push_str(&format!(". {r}"));
    }
    s
}

/// Which Cloudflare ranges reach which origin ports, per firewall layer: a
/// grid coloured by outcome, a cell split where sub-ranges differ, the
/// deciding rule in each segment's tooltip and accessible name.
#[component]
pub fn CoverageMap(props: &Props) -> Html {
    let send = use_send();
    let cells: &[CoverageEntry] = &props.coverage.coverage;
    let notes: Vec<&str> = props
        .coverage
        .notes
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    let mut layers: Vec<Layer> = Vec::new();
    for c in cells {
        if !layers.contains(&c.layer) {
            layers.push(c.layer);
        }
    }
    let grids = layers.iter().map(|layer| {
        let of_layer: Vec<&CoverageEntry> = cells.iter().filter(|c| &c.layer == layer).collect();
        let mut ranges: Vec<&str> = Vec::new();
        let mut ports: Vec<u16> = Vec::new();
        for c in &of_layer {
            if !ranges.contains(&c.cloudflare_range.as_str()) {
                ranges.push(&c.cloudflare_range);
            }
            if !ports.contains(&c.port) {
                ports.push(c.port);
            }
        }
        ports.sort_unstable();
        let body = ranges.iter().map(|range| {
            let tds = ports.iter().map(|port| {
                let segs: Vec<&CoverageEntry> = of_layer
                    .iter()
                    .filter(|c| c.cloudflare_range == *range && c.port == *port)
                    .copied()
                    .collect();
                let uniform = segs.windows(2).all(|w| match w {
                    [a, b] => a.outcome == b.outcome && a.rule == b.rule,
                    _ => true,
                });
                let shown: &[&CoverageEntry] = if uniform { segs.get(..1).unwrap_or(&[]) } else { &segs };
                html! {
                    <td class={classes!("cov-cell", (!uniform).then_some("split"))}>
                        { for shown.iter().map(|c| {
                            let full = describe(c, if uniform { &c.cloudflare_range } else { &c.range });
                            let onclick = {
                                let send = send.clone();
                                let rule = c.rule.clone();
                                Callback::from(move |_: MouseEvent| if let Some(rule) = &rule {
                                    send.emit(Action::Highlight { input: rule.input.clone(), first: rule.line, last: rule.line });
                                })
                            };
                            let outcome = outcome_name(c.outcome);
                            html! {
                                <button type="button" class={classes!("cov-seg", format!("out-{outcome}"))}
                                    title={full.clone()} aria-label={full.clone()} data-tip={full}
                                    data-outcome={outcome} data-range={c.range.clone()} data-port={c.port.to_string()} {onclick}>
                                    <span aria-hidden="true">{ outcome_symbol(c.outcome) }
                                        if !uniform { <small>{ format!(" {}", c.range) }</small> }
                                    </span>
                                </button>
                            }
                        }) }
                    </td>
                }
            });
            html! { <tr><th scope="row"><code>{ range.to_string() }</code></th>{ for tds }</tr> }
        });
        html! {
            <div class="cov-layer">
                <table class="cov-grid">
                    <caption>{ format!("{layer}: Cloudflare ranges × origin ports") }</caption>
                    <thead><tr><th scope="col">{ "Cloudflare range" }</th>
                        { for ports.iter().map(|p| html! { <th scope="col">{ format!("port {p}") }</th> }) }</tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
        }
    });
    html! {
        <section class="coverage" aria-labelledby="coverage-title">
            <h2 id="coverage-title" class="section-title">{ "Firewall coverage of Cloudflare's ranges" }</h2>
            <p class="legend">
                <span class="cov-key out-accept">{ "✓ accepted" }</span>
                <span class="cov-key out-reject">{ "✕ rejected (Cloudflare shows 521)" }</span>
                <span class="cov-key out-drop">{ "⊘ dropped (Cloudflare shows 522)" }</span>
                <span class="cov-key out-unknown">{ "? not decided by what you pasted" }</span>
            </p>
            <p class="help">{ "Focus or hover a cell to see the rule that decides it; select it to show that rule in your paste." }</p>
            { for grids }
            if !notes.is_empty() {
                <div class="cov-notes">
                    <h3>{ "Caveats" }</h3>
                    <ul>{ for notes.iter().map(|n| html! { <li>{ *n }</li> }) }</ul>
                </div>
            }
        </section>
    }
}
