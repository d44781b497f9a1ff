//! The Yew page: a thin layer over the engine. All state lives in
//! [`state::State`], changed only through [`state::Action`]; components are
//! one per file under `components/` and only render. The engine runs in a
//! Web Worker ([`engine`], [`protocol`]).

pub mod browser;
pub mod components;
pub mod crash;
pub mod engine;
pub mod hooks;
pub mod protocol;
pub mod state;

/// Mount the app on `<body>`, with the engine in a Web Worker.
pub fn start() {
    crash::install();
    yew::Renderer::<components::app::App>::with_props(components::app::Props {
        analyzer: components::app::Analyzer(None),
    })
    .render();
}
