use yew::prelude::*;

use super::copy_button::CopyButton;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub commands: Vec<String>,
}

/// Shell commands, each with its own Copy button. Lines that only make
/// sense together (a `for … do` … `done` loop, an `if`, a here-document, a
/// line ending in `\`) are one command and copied together.
#[component]
pub fn CommandList(props: &Props) -> Html {
    html! {
        <ul class="commands">
            { for keyed(group_commands(&props.commands)).into_iter().map(|(key, c)| {
                let label = format!("Copy command: {}", c.lines().next().unwrap_or_default());
                html! {
                    <li class="command" {key}>
                        <pre tabindex="0" role="group" aria-label={format!("Command: {}", c.lines().next().unwrap_or_default())}><code>{ c.clone() }</code></pre>
                        <CopyButton text={AttrValue::from(c)} label={AttrValue::from(label)} />
                    </li>
                }
            }) }
        </ul>
    }
}

/// Each item with a key derived from its text, unique even when the same
/// text occurs twice (its occurrence number is part of the key). A keyed
/// item keeps its own state (a Copy button's "Copied") when the list
/// changes around it.
pub fn keyed(items: Vec<String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(items.len());
    for item in items {
        let seen = out.iter().filter(|(_, i)| *i == item).count();
        out.push((format!("{seen}:{item}"), item));
    }
    out
}

/// Joins command lines that belong to one shell construct.
pub fn group_commands(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut depth: usize = 0;
    let mut heredoc: Option<String> = None;
    let mut continued = false;
    for line in lines {
        let open = depth > 0 || heredoc.is_some() || continued;
        match out.last_mut() {
            Some(last) if open => {
                last.push('\n');
                last.push_str(line);
            }
            _ => out.push(line.clone()),
        }
        for inner in line.lines() {
            let t = inner.trim();
            if let Some(end) = &heredoc {
                if t == end {
                    heredoc = None;
                }
                continue;
            }
            if let Some((_, rest)) = t.split_once("<<") {
                let marker = rest.trim_start_matches('-').trim();
                let marker = marker
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(|c| c == '\'' || c == '"');
                if !marker.is_empty() {
                    heredoc = Some(marker.to_string());
                }
            }
            let first = t.split_whitespace().next().unwrap_or("");
            if matches!(first, "done" | "fi" | "esac" | "}") {
                depth = depth.saturating_sub(1);
            }
            let ends_open = t.ends_with(" do")
                || t.ends_with(";do")
                || t == "do"
                || t.ends_with(" then")
                || t == "then"
                || t.ends_with('{')
                || (t.starts_with("case ") && t.ends_with(" in"));
            if ends_open {
                depth += 1;
            }
            continued = t.ends_with('\\');
        }
    }
    out
}
