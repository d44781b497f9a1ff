//! The page's one state and its reducer, in the style of Yew's
//! function_todomvc example. Components only render a `State` and send
//! `Action`s; nothing else changes it.

use std::rc::Rc;

use yew::Reducible;

use super::protocol::{split_response, Request};
use crate::diagnose::FindingId;
use crate::options::SslMode;
use crate::parse::kind::BlockKind;
use crate::report::Report;
use crate::share::{KindOverride, SharePayload, SharedInput};

/// Name the main paste carries in evidence references.
pub const PASTE_INPUT: &str = "paste";

/// Above this size the paste area shows only the first lines: a browser
/// needs seconds to lay out megabytes in a text area, and the page must
/// stay responsive. The engine always reads the whole text.
pub const LARGE_PASTE: usize = 256 * 1024;
/// Lines the paste area shows of a large paste.
pub const PREVIEW_LINES: usize = 400;

/// The first [`PREVIEW_LINES`] lines of `text` (as the text area numbers
/// them), or `None` when `text` is small enough to show whole.
pub fn preview(text: &str) -> Option<&str> {
    if text.len() <= LARGE_PASTE {
        return None;
    }
    let end = text
        .match_indices('\n')
        .nth(PREVIEW_LINES - 1)
        .map_or(text.len().min(LARGE_PASTE), |(i, _)| i.min(LARGE_PASTE));
    // Cut on a char boundary even if one line is huge.
    let end = (0..=end)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text.get(..end)
}

/// The optional labelled inputs: (input name, label, placeholder).
pub const SLOTS: [(&str, &str, &str); 5] = [
    (
        "error-page",
        "Error page (HTML, text or curl -i)",
        "The page Cloudflare showed, or: curl -sv https://www.example.com/ 2>&1",
    ),
    (
        "firewall",
        "Firewall rules",
        "sudo ufw status verbose / sudo iptables-save / sudo nft list ruleset",
    ),
    (
        "dns",
        "DNS records",
        "dig +short A www.example.com / the Cloudflare DNS export",
    ),
    (
        "services",
        "Services and listeners",
        "systemctl status nginx / sudo ss -tlnp",
    ),
    ("other", "Anything else", "Logs, nginx -t, free -m, ..."),
];

/// Which page of the app is shown (hash routing: `#/finding/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Home,
    Findings,
    Finding(FindingId),
    Help,
    NotFound(String),
}

impl Route {
    /// Read a location hash (`#/finding/web-server-down`). Share fragments
    /// are handled before routing.
    pub fn parse(hash: &str) -> Route {
        // Only `#/…` is a route; `#main` and other anchors stay on the page.
        let Some(path) = hash.strip_prefix("#/") else {
            return Route::Home;
        };
        let path = path.trim_end_matches('/');
        match path.split_once('/') {
            None if path.is_empty() => Route::Home,
            None if path == "findings" => Route::Findings,
            None if path == "help" => Route::Help,
            Some(("finding", id)) => match FindingId::parse(id) {
                Some(id) => Route::Finding(id),
                None => Route::NotFound(id.to_string()),
            },
            _ => Route::NotFound(path.to_string()),
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::Findings => "#/findings".into(),
            Route::Help => "#/help".into(),
            Route::Finding(id) => format!("#/finding/{id}"),
            Route::NotFound(p) => format!("#/{p}"),
        }
    }
}

/// Which ranges the analysis uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangesChoice {
    /// Text handed to the engine; `None` = the bundled snapshot.
    pub text: Option<Rc<str>>,
    /// Where they came from, for the page ("ranges.json 2026-05-01").
    pub source: Option<String>,
    pub date: Option<String>,
    /// The last fetch or paste outcome, shown as is.
    pub message: Option<String>,
}

/// A line range to select in an input (evidence click). `nonce` makes a
/// second click on the same line select it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub input: String,
    pub first: usize,
    pub last: usize,
    pub nonce: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub paste: Rc<str>,
    /// Show a large paste whole in its box anyway (slow).
    pub show_all: bool,
    /// Texts of the labelled inputs, in [`SLOTS`] order.
    pub extras: Vec<Rc<str>>,
    pub extras_open: bool,
    pub ssl_mode: SslMode,
    pub ports_text: String,
    pub overrides: Vec<KindOverride>,
    pub redacted: bool,
    pub ranges: RangesChoice,
    /// Bumped on every change that needs a new analysis; the request id.
    pub version: u32,
    /// Id of the report shown; older answers are dropped.
    pub applied: u32,
    pub report: Option<Rc<Report>>,
    /// The same report as JSON, for fields this page does not know yet.
    pub report_value: Option<Rc<serde_json::Value>>,
    pub engine_error: Option<String>,
    pub share_error: Option<String>,
    pub route: Route,
    pub highlight: Option<Highlight>,
    /// Short feedback read out by screen readers ("Copied").
    pub notice: Option<String>,
    pub embed: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            paste: Rc::from(""),
            show_all: false,
            extras: SLOTS.iter().map(|_| Rc::from("")).collect(),
            extras_open: false,
            ssl_mode: SslMode::Unknown,
            ports_text: String::new(),
            overrides: Vec::new(),
            redacted: false,
            ranges: RangesChoice::default(),
            version: 0,
            applied: 0,
            report: None,
            report_value: None,
            engine_error: None,
            share_error: None,
            route: Route::Home,
            highlight: None,
            notice: None,
            embed: false,
        }
    }
}

pub enum Action {
    SetPaste(Rc<str>),
    ShowAll,
    SetExtra(usize, Rc<str>),
    ToggleExtras(bool),
    SetSslMode(SslMode),
    SetPorts(String),
    /// Correct (or with `None`, restore) the kind of the block starting at
    /// `first_line` of `input`.
    SetOverride {
        input: String,
        first_line: usize,
        kind: Option<BlockKind>,
    },
    SetRedacted(bool),
    SetRanges(RangesChoice),
    RangesMessage(String),
    /// A worker answer (JSON of [`Response`]).
    Answer(String),
    EngineFailed(String),
    Navigate(Route),
    LoadShare(SharePayload),
    ShareFailed(String),
    /// Fill the inputs with an example scenario.
    LoadExample {
        text: String,
        ssl_mode: SslMode,
    },
    Highlight {
        input: String,
        first: usize,
        last: usize,
    },
    Notice(Option<String>),
    SetEmbed(bool),
    Clear,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let mut changed_inputs = true;
        match action {
            Action::SetPaste(text) => {
                if text == self.paste {
                    return self;
                }
                next.paste = text;
                next.show_all = false;
            }
            Action::ShowAll => {
                next.show_all = true;
                changed_inputs = false;
            }
            Action::SetExtra(i, text) => match next.extras.get_mut(i) {
                Some(slot) if *slot != text => *slot = text,
                _ => return self,
            },
            Action::ToggleExtras(open) => {
                next.extras_open = open;
                changed_inputs = false;
            }
            Action::SetSslMode(mode) => {
                if mode == self.ssl_mode {
                    return self;
                }
                next.ssl_mode = mode;
            }
            Action::SetPorts(text) => {
                let same = parse_ports(&text) == parse_ports(&self.ports_text);
                next.ports_text = text;
                changed_inputs = !same;
            }
            Action::SetOverride {
                input,
                first_line,
                kind,
            } => {
                let same = |o: &KindOverride| o.input == input && o.first_line == first_line;
                next.overrides.retain(|o| !same(o));
                if let Some(kind) = kind {
                    next.overrides.push(KindOverride {
                        input,
                        first_line,
                        kind,
                    });
                }
            }
            Action::SetRedacted(on) => {
                if on == self.redacted {
                    return self;
                }
                next.redacted = on;
            }
            Action::SetRanges(choice) => next.ranges = choice,
            Action::RangesMessage(m) => {
                next.ranges.message = Some(m);
                changed_inputs = false;
            }
            Action::Answer(json) => return self.answer(&json),
            Action::EngineFailed(m) => {
                next.engine_error = Some(m);
                changed_inputs = false;
            }
            Action::Navigate(route) => {
                if route == self.route {
                    return self;
                }
                next.route = route;
                changed_inputs = false;
            }
            Action::LoadShare(p) => {
                next.load_payload(p);
                next.route = Route::Home;
            }
            Action::ShareFailed(m) => {
                next.share_error = Some(m);
                next.route = Route::Home;
                changed_inputs = false;
            }
            Action::LoadExample { text, ssl_mode } => {
                let embed = next.embed;
                let ranges = next.ranges.clone();
                next = State {
                    version: self.version,
                    applied: self.applied,
                    embed,
                    ranges,
                    ..State::default()
                };
                next.paste = Rc::from(text);
                next.ssl_mode = ssl_mode;
            }
            Action::Highlight { input, first, last } => {
                let nonce = self
                    .highlight
                    .as_ref()
                    .map_or(0, |h| h.nonce.wrapping_add(1));
                if input != PASTE_INPUT {
                    next.extras_open = true;
                }
                next.highlight = Some(Highlight {
                    input,
                    first,
                    last,
                    nonce,
                });
                changed_inputs = false;
            }
            Action::Notice(n) => {
                next.notice = n;
                changed_inputs = false;
            }
            Action::SetEmbed(on) => {
                next.embed = on;
                changed_inputs = false;
            }
            Action::Clear => {
                next = State {
                    version: self.version,
                    applied: self.applied,
                    embed: self.embed,
                    ranges: self.ranges.clone(),
                    ..State::default()
                };
            }
        }
        if changed_inputs {
            next.version = self.version.wrapping_add(1);
            next.share_error = None;
            if next.is_empty() {
                // Nothing to analyse: nothing to show, and any answer still
                // on its way is stale.
                next.report = None;
                next.report_value = None;
                next.applied = next.version;
            }
        }
        Rc::new(next)
    }
}

impl State {
    /// True when no input holds any text.
    pub fn is_empty(&self) -> bool {
        self.paste.trim().is_empty() && self.extras.iter().all(|e| e.trim().is_empty())
    }

    /// The inputs as named texts, empty ones left out.
    pub fn inputs(&self) -> Vec<SharedInput> {
        let mut out = Vec::new();
        if !self.paste.trim().is_empty() {
            out.push(SharedInput {
                name: PASTE_INPUT.into(),
                text: self.paste.to_string(),
            });
        }
        for ((name, _, _), text) in SLOTS.iter().zip(&self.extras) {
            if !text.trim().is_empty() {
                out.push(SharedInput {
                    name: (*name).into(),
                    text: text.to_string(),
                });
            }
        }
        out
    }

    /// The text of input `name`.
    pub fn input_text(&self, name: &str) -> Option<Rc<str>> {
        if name == PASTE_INPUT {
            return Some(self.paste.clone());
        }
        SLOTS
            .iter()
            .position(|(n, _, _)| *n == name)
            .and_then(|i| self.extras.get(i).cloned())
    }

    pub fn extra_ports(&self) -> Vec<u16> {
        parse_ports(&self.ports_text)
    }

    /// The worker request for the current inputs.
    pub fn request(&self) -> Request {
        Request {
            id: self.version,
            inputs: self.inputs(),
            ssl_mode: self.ssl_mode,
            extra_ports: self.extra_ports(),
            redacted: self.redacted,
            ranges: self.ranges.text.as_ref().map(|t| t.to_string()),
            overrides: self.overrides.clone(),
        }
    }

    /// What a share link carries: the inputs (redacted when the switch is
    /// on), the SSL mode, the ports and the corrections.
    pub fn share_payload(&self) -> SharePayload {
        let mut inputs = self.inputs();
        if self.redacted {
            let texts: Vec<&str> = inputs.iter().map(|i| i.text.as_str()).collect();
            let masked = crate::redact::redact_all(&texts);
            for (input, text) in inputs.iter_mut().zip(masked) {
                input.text = text;
            }
        }
        SharePayload {
            inputs,
            ssl_mode: self.ssl_mode,
            extra_ports: self.extra_ports(),
            overrides: self.overrides.clone(),
            redacted: self.redacted,
        }
    }

    fn load_payload(&mut self, p: SharePayload) {
        let keep = State {
            embed: self.embed,
            ranges: self.ranges.clone(),
            version: self.version,
            applied: self.applied,
            ..State::default()
        };
        *self = keep;
        for input in p.inputs {
            if input.name == PASTE_INPUT {
                self.paste = Rc::from(input.text);
            } else if let Some(i) = SLOTS.iter().position(|(n, _, _)| *n == input.name) {
                if let Some(slot) = self.extras.get_mut(i) {
                    *slot = Rc::from(input.text);
                    self.extras_open = true;
                }
            } else {
                // An input this page has no box for: append it to the paste
                // rather than lose it.
                let mut all = self.paste.to_string();
                if !all.is_empty() && !all.ends_with('\n') {
                    all.push('\n');
                }
                all.push_str(&input.text);
                self.paste = Rc::from(all);
            }
        }
        self.ssl_mode = p.ssl_mode;
        self.ports_text = p
            .extra_ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        self.overrides = p.overrides;
        self.redacted = p.redacted;
    }

    fn answer(self: Rc<Self>, answer: &str) -> Rc<Self> {
        let Some((id, body)) = split_response(answer) else {
            return self;
        };
        // An older request finishing after a newer one: drop it.
        if id <= self.applied || id > self.version || self.is_empty() {
            return self;
        }
        let mut next = (*self).clone();
        next.applied = id;
        let parsed = body.map(|json| {
            (
                crate::report::json::parse(json),
                serde_json::from_str::<serde_json::Value>(json).ok(),
            )
        });
        match parsed {
            Ok((Some(report), Some(value))) => {
                next.report = Some(Rc::new(report));
                next.report_value = Some(Rc::new(value));
                next.engine_error = None;
            }
            Ok(_) => {
                next.engine_error =
                    Some("The engine sent a report this page cannot read; reload the page.".into())
            }
            Err(e) => next.engine_error = Some(e.to_string()),
        }
        Rc::new(next)
    }

    /// True while the report shown is older than the inputs.
    pub fn busy(&self) -> bool {
        !self.is_empty() && self.applied != self.version
    }
}

/// Ports from free text: `8443, 2053 8080`. Anything else is ignored.
pub fn parse_ports(text: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse::<u16>().ok())
        .filter(|p| *p > 0)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
