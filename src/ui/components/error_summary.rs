use yew::prelude::*;

use crate::parse::error_page::ErrorPage;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub page: ErrorPage,
}

/// Code, Ray ID, location, time and host of the pasted error page.
#[component]
pub fn ErrorSummary(props: &Props) -> Html {
    let p = &props.page;
    let row = |label: &'static str, value: &Option<String>| -> Html {
        match value {
            Some(v) => html! { <><dt>{ label }</dt><dd>{ v.clone() }</dd></> },
            None => html! {},
        }
    };
    let code = p.code.map(|c| c.to_string()).unwrap_or_else(|| "?".into());
    let failing = p.failing_box.map(|b| match b {
        crate::parse::error_page::StatusBox::Browser => "Browser".to_string(),
        crate::parse::error_page::StatusBox::Cloudflare => "Cloudflare".to_string(),
        crate::parse::error_page::StatusBox::Host => "Host (your origin)".to_string(),
    });
    html! {
        <section class="error-summary" aria-label="Error page">
            <p class="code-line">
                <span class="code" data-error-code={code.clone()}>{ format!("Error {code}") }</span>
                { " " }
                <span class="title">{ p.title.clone().unwrap_or_default() }</span>
            </p>
            <dl>
                { row("Ray ID", &p.ray_id) }
                { row("Data center", &p.colo) }
                { row("Location", &p.location) }
                { row("Host", &p.host) }
                { row("Time", &p.time) }
                { row("Visitor IP", &p.visitor_ip) }
                { row("Failing", &failing) }
            </dl>
        </section>
    }
}
