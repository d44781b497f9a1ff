use yew::prelude::*;

use crate::facts::Unread;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub count: usize,
    pub items: Vec<Unread>,
}

/// Lines that belonged to a known format but could not be read: never
/// dropped silently.
#[component]
pub fn NotUnderstoodList(props: &Props) -> Html {
    let send = use_send();
    html! {
        <details class="unread">
            <summary>{ format!("{} line{} not understood", props.count, if props.count == 1 { "" } else { "s" }) }</summary>
            <ul>
                { for props.items.iter().map(|u| {
                    let onclick = {
                        let (input, line) = (u.input.clone(), u.line.line);
                        send.reform(move |_: MouseEvent| Action::Highlight { input: input.clone(), first: line, last: line })
                    };
                    html! {
                        <li>
                            <button type="button" class="ev-line" {onclick}>
                                <span class="ev-no">{ format!("{}:{}", u.input, u.line.line) }</span>
                                <code class="ev-text">{ u.line.text.clone() }</code>
                            </button>
                            <span class="reason">{ u.line.reason.clone() }</span>
                        </li>
                    }
                }) }
                if props.count > props.items.len() {
                    <li>{ format!("… and {} more", props.count - props.items.len()) }</li>
                }
            </ul>
        </details>
    }
}
