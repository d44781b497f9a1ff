use yew::prelude::*;

use crate::ui::state::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub route: Route,
}

/// Title, one line of purpose, and the three places of the app.
#[component]
pub fn SiteHeader(props: &Props) -> Html {
    let current = |r: Route| -> Option<&'static str> {
        let here = match (&props.route, &r) {
            (Route::Finding(_), Route::Findings) => true,
            (a, b) => a == b,
        };
        here.then_some("page")
    };
    html! {
        <header class="top">
            <div class="top-inner">
                <a class="brand" href="#/">
                    <span class="logo" aria-hidden="true">{ "521" }</span>
                    <span>{ "Cloudflare Error 521 helper" }</span>
                </a>
                <nav aria-label="Main">
                    <a href="#/" aria-current={current(Route::Home)}>{ "Diagnose" }</a>
                    <a href="#/findings" aria-current={current(Route::Findings)}>{ "Causes" }</a>
                    <a href="#/help" aria-current={current(Route::Help)}>{ "Help" }</a>
                </nav>
            </div>
        </header>
    }
}
