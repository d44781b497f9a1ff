use yew::prelude::*;

use crate::diagnose::catalog::ALL;

/// Every finding id with its title, linking to its page.
#[component]
pub fn FindingIndex() -> Html {
    html! {
        <main class="page" id="main">
            <h1 id="page-title" tabindex="-1">{ "Why Cloudflare cannot reach an origin" }</h1>
            <p>{ "Each cause has a stable id, used in the diagnosis, the Markdown report and the command-line tool's JSON." }</p>
            <ul class="index">
                { for ALL.iter().map(|id| html! {
                    <li data-index-id={id.as_str()}>
                        <a href={format!("#/finding/{}", id.as_str())}>{ id.page().title }</a>
                        <code>{ id.as_str() }</code>
                    </li>
                }) }
            </ul>
        </main>
    }
}
