use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::context::Dispatch;
use crate::facts::InputBlock;
use crate::parse::kind::BlockKind;
use crate::share::KindOverride;
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
    pub blocks: Vec<InputBlock>,
    pub overrides: Vec<KindOverride>,
    pub busy: bool,
}

/// What the engine recognised in one input: a chip per block with its kind
/// and lines, and a menu to correct the kind.
#[component]
pub fn BlockChips(props: &Props) -> Html {
    let dispatch = use_context::<Dispatch>();
    if props.blocks.is_empty() {
        return html! {};
    }
    let hidden = props.blocks.len().saturating_sub(MAX_CHIPS);
    let chips = props.blocks.iter().take(MAX_CHIPS).map(|b| {
        let corrected = props
            .overrides
            .iter()
            .find(|o| o.input == b.input && o.first_line == b.first_line)
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
            let dispatch = dispatch.clone();
            let (input, first, last) = (b.input.clone(), b.first_line, b.last_line);
            Callback::from(move |_: MouseEvent| {
                if let Some(d) = &dispatch {
                    d.dispatch(Action::Highlight { input: input.clone(), first, last });
                }
            })
        };
        let onchange = {
            let dispatch = dispatch.clone();
            let (input, first_line) = (b.input.clone(), b.first_line);
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                let chosen = kind_from_id(&select.value());
                let kind = chosen.filter(|k| *k != detected);
                if let Some(d) = &dispatch {
                    d.dispatch(Action::SetOverride { input: input.clone(), first_line, kind });
                }
            })
        };
        let unread = if b.not_understood_lines > 0 {
            format!(", {} not understood", b.not_understood_lines)
        } else {
            String::new()
        };
        let select_label = format!("Correct the kind of {lines}");
        html! {
            <li class={classes!("chip", format!("kind-{}", kind_id(kind)), corrected.is_some().then_some("corrected"),
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
