//! What the person tells the engine besides the pasted text.

use crate::cloudflare::Ranges;
// The mode is Cloudflare's port semantics; re-exported because every
// caller names it as an option.
pub use crate::cloudflare::SslMode;

#[derive(Debug, Clone)]
pub struct Options {
    pub ssl_mode: SslMode,
    /// Further origin ports the person says Cloudflare uses.
    pub extra_ports: Vec<u16>,
    pub ranges: Ranges,
    /// The origin's public interface, when known (`eth0`).
    pub public_interface: Option<String>,
    /// The inputs were redacted (a shared link): documentation addresses
    /// (203.0.113.0/24, 2001:db8::/32, ...) stand for real public ones.
    pub redacted: bool,
    /// Block kinds corrected by hand.
    pub kind_overrides: Vec<crate::parse::kind::KindOverride>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ssl_mode: SslMode::Unknown,
            extra_ports: Vec::new(),
            ranges: Ranges::bundled(),
            public_interface: None,
            redacted: false,
            kind_overrides: Vec::new(),
        }
    }
}
