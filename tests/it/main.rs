//! The native integration tests, one module per area, in one binary: one
//! link step instead of one per file (`cargo test --test it`; filter with a
//! module path, e.g. `cargo test --test it real::`). The browser component
//! tests (tests/web.rs) are a separate wasm target.

#[path = "../common/mod.rs"]
mod common;
// Native only: network namespaces and the kernel's netfilter.
#[cfg(not(target_arch = "wasm32"))]
#[path = "../kernel/mod.rs"]
mod kernel;

mod bans;
mod batch;
mod cli;
mod cloud;
mod collector;
mod csf;
mod error_page;
mod evidence;
mod evidence_rule;
mod fact_consumers;
mod firewalld;
mod fuzz_smoke;
mod golden;
mod iptables;
mod kernel_diff;
mod kernel_fix;
mod layers_eval;
mod nftables;
mod properties;
mod reading;
mod real;
mod scenarios;
mod split;
mod tidy;
mod ufw;
mod webconfig;
mod work_bound;
