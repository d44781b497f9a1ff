//! OpenLiteSpeed: `listener` blocks (address, `secure`).

use super::{count_lines, host_port, is_bare_prompt, Listen, Named, Pre, Server, WebConfigFacts};
use crate::text::NotUnderstood;

/// An open `listener` block: its line, `address` (with line), `secure`.
pub(super) type OpenListener<'a> = (Pre<'a>, Option<(String, usize)>, Option<bool>);

pub(super) fn read(pre: &[Pre<'_>], cat_file: Option<&str>, f: &mut WebConfigFacts) {
    let mut bad: Vec<(usize, NotUnderstood)> = Vec::new();
    let mut depth = 0usize;
    // The open listener: its line, address, secure flag.
    let mut listener: Option<OpenListener<'_>> = None;
    for p in pre {
        let t = p.text.trim();
        if t.is_empty() || t.starts_with('#') || is_bare_prompt(t) {
            continue;
        }
        let no = p.line.no;
        let lower = t.to_ascii_lowercase();
        if t.ends_with('{') {
            depth = depth.saturating_add(1);
            if depth == 1 && lower.starts_with("listener ") {
                listener = Some((*p, None, None));
            }
            continue;
        }
        if t == "}" {
            if depth == 1 {
                if let Some((at, addr, secure)) = listener.take() {
                    match addr {
                        Some((a, line)) => match host_port(&a, 0) {
                            Ok((addr, host, port)) if port > 0 => f.listens.push(Listen {
                                server: Server::Litespeed,
                                addr,
                                host,
                                port,
                                tls: Some(secure.unwrap_or(false)),
                                binds: true,
                                implicit: false,
                                default_server: false,
                                reuseport: false,
                                proxy_protocol: false,
                                file: cat_file.map(str::to_string),
                                file_line: cat_file.map(|_| line),
                                line,
                            }),
                            _ => bad.push((
                                line,
                                NotUnderstood {
                                    line,
                                    text: a,
                                    reason: "not an address:port".into(),
                                },
                            )),
                        },
                        None => f.note(format!(
                            "line {}: a listener without an address line",
                            at.line.no
                        )),
                    }
                }
            }
            depth = depth.saturating_sub(1);
            continue;
        }
        let mut words = t.split_whitespace();
        let key = words.next().unwrap_or("").to_ascii_lowercase();
        let arg = words.next().unwrap_or("");
        match key.as_str() {
            "address" => {
                if let Some(l) = listener.as_mut() {
                    l.1 = Some((arg.to_string(), no));
                }
            }
            "secure" => {
                if let Some(l) = listener.as_mut() {
                    l.2 = Some(arg == "1");
                }
            }
            "certfile" if !arg.is_empty() => f.certificates.push(Named {
                server: Server::Litespeed,
                value: arg.to_string(),
                line: no,
            }),
            "include" if !arg.is_empty() => f.includes.push(Named {
                server: Server::Litespeed,
                value: arg.to_string(),
                line: no,
            }),
            _ => {}
        }
    }
    count_lines(pre, bad, f);
}
