use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::facts::InputBlock;
use crate::parse::kind::{fingerprint, BlockKind};
use crate::share::KindOverride;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

/// The kebab-case name of a kind, as the JSON report spells it.
pub fn kind_id(kind: BlockKind) -> String {
    serde_json::to_string(&kind)
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or_default()
}

fn kind_from_id(id: &str) -> Option<BlockKind> {
    BlockKind::ALL.iter().copied().find(|k| kind_id(*k) == id)
}

/// Chips shown at most; a 5 MB paste can hold thousands of blocks.
const MAX_CHIPS: usize = 40;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub input: AttrValue,
    /// The input's text: a correction names its block by the block's text.
    pub text: Rc<str>,
    pub blocks: Vec<InputBlock>,
    pub overrides: Vec<KindOverride>,
    pub busy: bool,
}

/// The fingerprint of each block as the engine computes it, so a correction
/// follows its block's text (see [`KindOverride`]).
fn fingerprints(text: &str, blocks: &[(usize, usize)]) -> Vec<u64> {
    let clean = crate::text::strip_terminal_codes(text);
    let lines = crate::text::lines(&clean);
    blocks
        .iter()
        .map(|(first, last)| fingerprint(&lines, *first, *last))
        .collect()
}

/// What the engine recognised in one input: a chip per block with its kind
/// and lines, and a menu to correct the kind.
#[component]
pub fn BlockChips(props: &Props) -> Html {
    let send = use_send();
    let hidden = props.blocks.len().saturating_sub(MAX_CHIPS);
    let shown = props.blocks.get(..MAX_CHIPS).unwrap_or(&props.blocks);
    let ranges: Vec<(usize, usize)> = shown.iter().map(|b| (b.first_line, b.last_line)).collect();
    let prints = fingerprints(&props.text, &ranges);
    let chips = shown.iter().zip(prints.iter().copied()).enumerate().map(|(i, (b, print))| {
        // Keyed by the block's text (and which copy of that text it is), so
        // a chip and its menu stay with their block when blocks move.
        let seen = prints.iter().take(i).filter(|p| **p == print).count();
        let key = format!("{print:x}-{seen}");
        let corrected = props
            .overrides
            .iter()
            .find(|o| o.input == b.input && o.block == print)
            .map(|o| o.kind);
        let kind = corrected.unwrap_or(b.kind);
        // Until the engine answers a correction, `kind` is still the detected one.
        let detected = b.detected_kind.unwrap_or(b.kind);
        let lines = if b.first_line == b.last_line {
            format!("line {}", b.first_line)
        } else {
            format!("lines {}–{}", b.first_line, b.last_line)
        };
        let onclick = {
            let (input, first, last) = (b.input.clone(), b.first_line, b.last_line);
            send.reform(move |_: MouseEvent| Action::Highlight { input: input.clone(), first, last })
        };
        let onchange = {
            let send = send.clone();
            let (input, first_line) = (b.input.clone(), b.first_line);
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                let chosen = kind_from_id(&select.value());
                let kind = chosen.filter(|k| *k != detected);
                send.emit(Action::SetOverride { input: input.clone(), first_line, block: print, kind });
            })
        };
        let unread = if b.not_understood_lines > 0 {
            format!(", {} not understood", b.not_understood_lines)
        } else {
            String::new()
        };
        let select_label = format!("Correct the kind of {lines}");
        html! {
            <li {key} class={classes!("chip", format!("kind-{}", kind_id(kind)), corrected.is_some().then_some("corrected"),
                    (b.not_understood_lines > 0).then_some("has-unread"))}
                data-kind={kind_id(kind)} data-detected-kind={kind_id(detected)}
                data-first-line={b.first_line.to_string()} data-last-line={b.last_line.to_string()}>
                <button type="button" class="chip-main" {onclick} title="Show these lines">
                    <strong>{ kind.label() }</strong>{ " · " }{ lines.clone() }
                    <span class="chip-count">{ format!(" ({} read{unread})", b.understood_lines) }</span>
                    if let Some(cmd) = &b.command {
                        <code class="chip-cmd">{ cmd.clone() }</code>
                    }
                </button>
                <select class="chip-kind" aria-label={select_label} {onchange}>
                    { for BlockKind::ALL.iter().map(|k| html! {
                        <option value={kind_id(*k)} selected={*k == kind}>
                            { if *k == detected { format!("{} (detected)", k.label()) } else { k.label().to_string() } }
                        </option>
                    }) }
                </select>
                if corrected.is_some() {
                    <span class="chip-note">{ "corrected" }</span>
                }
            </li>
        }
    });
    html! {
        <div class="chips-wrap">
            <p class="chips-title" id={format!("chips-{}", props.input)}>
                { "Recognised" }
                if props.busy { <span class="busy">{ " (updating…)" }</span> }
            </p>
            <ul class="chips" aria-labelledby={format!("chips-{}", props.input)}>
                { for chips }
                if hidden > 0 {
                    <li class="chip more">{ format!("+{hidden} more blocks") }</li>
                }
            </ul>
        </div>
    }
}
