//! The Yew page: a thin layer over the engine. All state lives in
//! [`state::State`], changed only through [`state::Action`]; components are
//! one per file under `components/` and only render.

pub mod components;
pub mod state;

/// Mount the app on `<body>`.
pub fn start() {
    yew::Renderer::<components::app::App>::new().render();
}
