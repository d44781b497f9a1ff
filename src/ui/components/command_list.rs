use yew::prelude::*;

use super::copy_button::CopyButton;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub commands: Vec<String>,
}

/// Shell commands, one per row, each with its own Copy button.
#[component]
pub fn CommandList(props: &Props) -> Html {
    if props.commands.is_empty() {
        return html! {};
    }
    html! {
        <ul class="commands">
            { for props.commands.iter().map(|c| html! {
                <li class="command">
                    <pre><code>{ c.clone() }</code></pre>
                    <CopyButton text={AttrValue::from(c.clone())} label={AttrValue::from(format!("Copy command: {}", first_line(c)))} />
                </li>
            }) }
        </ul>
    }
}

fn first_line(c: &str) -> &str {
    c.lines().next().unwrap_or(c)
}
