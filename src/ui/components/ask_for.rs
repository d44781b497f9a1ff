use yew::prelude::*;

use crate::diagnose::AskFor;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub items: Vec<AskFor>,
}

/// What to paste next, in the order that decides the cause fastest.
#[component]
pub fn AskForList(props: &Props) -> Html {
    if props.items.is_empty() {
        return html! {};
    }
    html! {
        <section class="ask-for" aria-label="What to paste next">
            <h3>{ "Paste the output of" }</h3>
            <ol>
                { for props.items.iter().map(|a| html! {
                    <li><p>{ a.why.clone() }</p><pre><code>{ a.command.clone() }</code></pre></li>
                }) }
            </ol>
        </section>
    }
}
