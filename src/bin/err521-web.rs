//! The browser entry point, built by Trunk (index.html names this bin).
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    err521::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("err521-web is the browser build: run `trunk serve` (see README.md)");
}
