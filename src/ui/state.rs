//! The page's one state and its reducer, in the style of Yew's
//! function_todomvc example. The state is split in two: [`Inputs`], what
//! the engine reads, and [`View`], what only the page shows. The request
//! version follows from `Inputs` alone, so no change can forget to ask for
//! (or wrongly ask for) a new analysis. Components get only the fields they
//! render and send [`Action`]s; nothing else changes the state.

use std::rc::Rc;

use yew::Reducible;

use super::protocol::{split_response, Body, Job, Request};
use crate::diagnose::FindingId;
use crate::options::SslMode;
use crate::parse::kind::{fingerprint, BlockKind};
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

/// Where the ranges the analysis uses came from, for the page
/// ("ranges.json 2026-05-01"); their text is in [`Inputs::ranges`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangesInfo {
    pub source: Option<String>,
    pub date: Option<String>,
    /// The last fetch or paste outcome, shown as is.
    pub message: Option<String>,
}

/// A new choice of ranges: the text for the engine (`None` = the bundled
/// snapshot) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangesChoice {
    pub text: Option<Rc<str>>,
    pub info: RangesInfo,
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

/// Everything the engine reads. The request version bumps exactly when
/// this changes; nothing else triggers an analysis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inputs {
    pub paste: Rc<str>,
    /// Texts of the labelled inputs, in [`SLOTS`] order.
    pub extras: Vec<Rc<str>>,
    pub ssl_mode: SslMode,
    pub extra_ports: Vec<u16>,
    pub overrides: Vec<KindOverride>,
    pub redacted: bool,
    /// Cloudflare's ranges when not the bundled ones.
    pub ranges: Option<Rc<str>>,
}

impl Inputs {
    fn new() -> Inputs {
        Inputs {
            extras: SLOTS.iter().map(|_| Rc::from("")).collect(),
            ..Inputs::default()
        }
    }

    /// True when no input holds any text.
    pub fn is_empty(&self) -> bool {
        self.paste.trim().is_empty() && self.extras.iter().all(|e| e.trim().is_empty())
    }

    /// The inputs as named texts, empty ones left out.
    pub fn named(&self) -> Vec<SharedInput> {
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
    pub fn text(&self, name: &str) -> Option<Rc<str>> {
        if name == PASTE_INPUT {
            return Some(self.paste.clone());
        }
        SLOTS
            .iter()
            .position(|(n, _, _)| *n == name)
            .and_then(|i| self.extras.get(i).cloned())
    }

    /// The worker request for these inputs.
    pub fn request(&self, id: u32, job: Job) -> Request {
        Request {
            id,
            job,
            inputs: self.named(),
            ssl_mode: self.ssl_mode,
            extra_ports: self.extra_ports.clone(),
            redacted: self.redacted,
            ranges: self.ranges.as_ref().map(|t| t.to_string()),
            overrides: self.overrides.clone(),
        }
    }

    /// The case as this tab keeps it (unredacted: it never leaves the tab).
    pub fn payload(&self) -> SharePayload {
        SharePayload {
            inputs: self.named(),
            ssl_mode: self.ssl_mode,
            extra_ports: self.extra_ports.clone(),
            overrides: self.overrides.clone(),
            redacted: self.redacted,
        }
    }

    /// Drop corrections whose block is not in `report` any more: a
    /// correction belongs to its block's text and goes with it.
    fn keep_overrides_of(&mut self, report: &Report) {
        if self.overrides.is_empty() {
            return;
        }
        let mut prints: Vec<(String, u64)> = Vec::new();
        for name in report.inputs.iter().map(|b| b.input.as_str()) {
            if prints.iter().any(|(n, _)| n == name) {
                continue;
            }
            let Some(text) = self.text(name) else {
                continue;
            };
            let clean = crate::text::strip_terminal_codes(&text);
            let lines = crate::text::lines(&clean);
            for b in report.inputs.iter().filter(|b| b.input == name) {
                prints.push((
                    name.to_string(),
                    fingerprint(&lines, b.first_line, b.last_line),
                ));
            }
        }
        self.overrides
            .retain(|o| prints.iter().any(|(n, p)| *n == o.input && *p == o.block));
    }
}

/// What only the page shows: route, toggles, notices, messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    /// Show a large paste whole in its box anyway (slow).
    pub show_all: bool,
    pub extras_open: bool,
    /// The ports field as typed; [`Inputs::extra_ports`] is what it means.
    pub ports_text: String,
    pub ranges: RangesInfo,
    pub route: Route,
    pub highlight: Option<Highlight>,
    /// Short feedback read out by screen readers ("Copied").
    pub notice: Option<String>,
    pub embed: bool,
    pub engine_error: Option<String>,
    pub share_error: Option<String>,
    /// The share link for the current inputs, once made.
    pub share_link: Option<String>,
    /// The last change of the inputs was typing: analyse after a pause.
    pub typing: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub inputs: Rc<Inputs>,
    pub view: View,
    /// The request id: bumped exactly when `inputs` changes.
    pub version: u32,
    /// Id of the report shown; older answers are dropped.
    pub applied: u32,
    pub report: Option<Rc<Report>>,
    /// The same report as JSON, for fields this page does not know yet.
    pub report_value: Option<Rc<serde_json::Value>>,
}

fn same_rc<T: ?Sized>(a: &Option<Rc<T>>, b: &Option<Rc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Reports compare by identity: a new answer is a new report, and comparing
/// large reports field by field on every keystroke would cost.
impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.applied == other.applied
            && (Rc::ptr_eq(&self.inputs, &other.inputs) || self.inputs == other.inputs)
            && self.view == other.view
            && same_rc(&self.report, &other.report)
            && same_rc(&self.report_value, &other.report_value)
    }
}

impl Default for State {
    fn default() -> Self {
        State {
            inputs: Rc::new(Inputs::new()),
            view: View::default(),
            version: 0,
            applied: 0,
            report: None,
            report_value: None,
        }
    }
}

pub enum Action {
    /// The paste area's text; `typed` when it came from typing (analysed
    /// after a pause) rather than a paste, a cut or a drop (at once).
    SetPaste {
        text: Rc<str>,
        typed: bool,
    },
    ShowAll,
    SetExtra {
        slot: usize,
        text: Rc<str>,
        typed: bool,
    },
    ToggleExtras(bool),
    SetSslMode(SslMode),
    SetPorts(String),
    /// Correct (or with `None`, restore) the kind of the block of `input`
    /// whose fingerprint is `block`.
    SetOverride {
        input: String,
        first_line: usize,
        block: u64,
        kind: Option<BlockKind>,
    },
    SetRedacted(bool),
    SetRanges(RangesChoice),
    RangesMessage(String),
    /// A worker answer (see [`super::protocol`]).
    Answer(String),
    EngineFailed(String),
    Navigate(Route),
    /// Open a shared case (and go to the diagnosis).
    LoadShare(SharePayload),
    /// The case this tab kept, after a reload (the route stays).
    Restore(SharePayload),
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
        let mut typing = false;
        let mut pruned = false;
        match action {
            Action::SetPaste { text, typed } => {
                if text != self.inputs.paste {
                    Rc::make_mut(&mut next.inputs).paste = text;
                    next.view.show_all = false;
                    typing = typed;
                }
            }
            Action::ShowAll => next.view.show_all = true,
            Action::SetExtra { slot, text, typed } => {
                if let Some(t) = Rc::make_mut(&mut next.inputs).extras.get_mut(slot) {
                    *t = text;
                }
                typing = typed;
            }
            Action::ToggleExtras(open) => next.view.extras_open = open,
            Action::SetSslMode(mode) => Rc::make_mut(&mut next.inputs).ssl_mode = mode,
            Action::SetPorts(text) => {
                let ports = parse_ports(&text);
                if ports != self.inputs.extra_ports {
                    Rc::make_mut(&mut next.inputs).extra_ports = ports;
                }
                next.view.ports_text = text;
                typing = true;
            }
            Action::SetOverride {
                input,
                first_line,
                block,
                kind,
            } => {
                let inputs = Rc::make_mut(&mut next.inputs);
                inputs
                    .overrides
                    .retain(|o| !(o.input == input && o.block == block));
                if let Some(kind) = kind {
                    inputs.overrides.push(KindOverride {
                        input,
                        first_line,
                        block,
                        kind,
                    });
                }
            }
            Action::SetRedacted(on) => Rc::make_mut(&mut next.inputs).redacted = on,
            Action::SetRanges(choice) => {
                if choice.text != self.inputs.ranges {
                    Rc::make_mut(&mut next.inputs).ranges = choice.text;
                }
                next.view.ranges = choice.info;
            }
            Action::RangesMessage(m) => next.view.ranges.message = Some(m),
            Action::Answer(json) => pruned = next.answer(&json),
            Action::EngineFailed(m) => next.view.engine_error = Some(m),
            Action::Navigate(route) => next.view.route = route,
            Action::LoadShare(p) => {
                next.load_payload(p);
                next.view.route = Route::Home;
            }
            Action::Restore(p) => {
                if self.inputs.is_empty() {
                    next.load_payload(p);
                }
            }
            Action::ShareFailed(m) => {
                next.view.share_error = Some(m);
                next.view.route = Route::Home;
            }
            Action::LoadExample { text, ssl_mode } => {
                next.reset();
                let inputs = Rc::make_mut(&mut next.inputs);
                inputs.paste = Rc::from(text);
                inputs.ssl_mode = ssl_mode;
            }
            Action::Highlight { input, first, last } => {
                let nonce = self
                    .view
                    .highlight
                    .as_ref()
                    .map_or(0, |h| h.nonce.wrapping_add(1));
                if input != PASTE_INPUT {
                    next.view.extras_open = true;
                }
                next.view.highlight = Some(Highlight {
                    input,
                    first,
                    last,
                    nonce,
                });
            }
            Action::Notice(n) => next.view.notice = n,
            Action::SetEmbed(on) => next.view.embed = on,
            Action::Clear => next.reset(),
        }
        if next.inputs != self.inputs {
            next.version = self.version.wrapping_add(1);
            next.view.typing = typing;
            next.view.share_error = None;
            next.view.share_link = None;
            if next.inputs.is_empty() {
                // Nothing to analyse: nothing to show, and any answer still
                // on its way is stale.
                next.report = None;
                next.report_value = None;
                next.applied = next.version;
            }
            if pruned {
                next.applied = next.version;
            }
        }
        if next == *self {
            // Unchanged: Yew skips the re-render when the same Rc returns.
            return self;
        }
        Rc::new(next)
    }
}

impl State {
    /// True when no input holds any text.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Back to an empty case, keeping what belongs to the page rather than
    /// the case (embed mode, the ranges in use, the route).
    fn reset(&mut self) {
        let ranges = self.inputs.ranges.clone();
        self.inputs = Rc::new(Inputs {
            ranges,
            ..Inputs::new()
        });
        self.view = View {
            embed: self.view.embed,
            ranges: self.view.ranges.clone(),
            route: self.view.route.clone(),
            ..View::default()
        };
    }

    fn load_payload(&mut self, p: SharePayload) {
        self.reset();
        let inputs = Rc::make_mut(&mut self.inputs);
        for input in p.inputs {
            if input.name == PASTE_INPUT {
                inputs.paste = Rc::from(input.text);
            } else if let Some(i) = SLOTS.iter().position(|(n, _, _)| *n == input.name) {
                if let Some(slot) = inputs.extras.get_mut(i) {
                    *slot = Rc::from(input.text);
                    self.view.extras_open = true;
                }
            } else {
                // An input this page has no box for: append it to the paste
                // rather than lose it.
                let mut all = inputs.paste.to_string();
                if !all.is_empty() && !all.ends_with('\n') {
                    all.push('\n');
                }
                all.push_str(&input.text);
                inputs.paste = Rc::from(all);
            }
        }
        inputs.ssl_mode = p.ssl_mode;
        let mut ports = p.extra_ports;
        ports.sort_unstable();
        ports.dedup();
        ports.retain(|p| *p > 0);
        self.view.ports_text = ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        inputs.extra_ports = ports;
        inputs.overrides = p.overrides;
        inputs.redacted = p.redacted;
    }

    /// Apply a worker answer. True when it also dropped corrections of
    /// blocks that are gone (the report still stands: they corrected
    /// nothing in it).
    fn answer(&mut self, answer: &str) -> bool {
        let before = self.inputs.overrides.len();
        self.apply_answer(answer);
        self.inputs.overrides.len() != before
    }

    fn apply_answer(&mut self, answer: &str) {
        let Some((id, body)) = split_response(answer) else {
            self.view.engine_error = Some(
                "The analysis engine sent an answer this page cannot read; reload the page.".into(),
            );
            return;
        };
        let Some(id) = id else {
            // The worker could not read a request at all: always worth showing.
            if let Body::Error(e) = body {
                self.view.engine_error = Some(e.to_string());
            }
            return;
        };
        match body {
            Body::Share(code) => {
                // A link for inputs that have changed since would be wrong.
                if id == self.version {
                    self.view.share_link = Some(code.to_string());
                }
            }
            Body::Report(json) => {
                // An older request finishing after a newer one: drop it.
                if id <= self.applied || id > self.version || self.is_empty() {
                    return;
                }
                self.applied = id;
                match (
                    crate::report::json::parse(json),
                    serde_json::from_str::<serde_json::Value>(json).ok(),
                ) {
                    (Some(report), Some(value)) => {
                        if id == self.version {
                            // Corrections of blocks that are gone go too.
                            Rc::make_mut(&mut self.inputs).keep_overrides_of(&report);
                        }
                        self.report = Some(Rc::new(report));
                        self.report_value = Some(Rc::new(value));
                        self.view.engine_error = None;
                    }
                    _ => {
                        self.view.engine_error = Some(
                            "The engine sent a report this page cannot read; reload the page."
                                .into(),
                        )
                    }
                }
            }
            Body::Error(e) => {
                if id >= self.applied {
                    self.view.engine_error = Some(e.to_string());
                }
            }
        }
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

/// The dispatcher every component reaches through the context (here, so
/// hooks and components both import it from below).
pub type Dispatch = yew::UseReducerDispatcher<State>;
