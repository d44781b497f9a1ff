//! Caddyfiles: site addresses, global options (`http_port`, `https_port`,
//! `auto_https`), `bind`, `tls` and `reverse_proxy`.

use super::{count_lines, is_bare_prompt, Listen, Named, Pre, Server, WebConfigFacts};
use crate::text::NotUnderstood;
use std::net::IpAddr;

/// A site's addresses with their lines, and its `bind` addresses.
pub(super) type SiteAddrs = (Vec<(String, usize)>, Vec<IpAddr>);

pub(super) fn read(pre: &[Pre<'_>], cat_file: Option<&str>, f: &mut WebConfigFacts) {
    // long: Caddyfile site blocks, global options and directives read in one pass over the shared
    // nesting depth.
    let mut bad: Vec<(usize, NotUnderstood)> = Vec::new();
    let mut depth: usize = 0;
    let mut in_global = false;
    let mut http_port: u16 = 80;
    let mut https_port: u16 = 443;
    // The open site: addresses with their line, `bind` addresses.
    let mut site: Option<SiteAddrs> = None;
    let mut seen_content = false;
    let mut has_import = false;
    let close_site = |s: SiteAddrs,
                      http: u16,
                      https: u16,
                      f: &mut WebConfigFacts,
                      bad: &mut Vec<(usize, NotUnderstood)>| {
        let (addrs, bind) = s;
        for (a, no) in addrs {
            match caddy_site(&a, http, https) {
                Ok(ports) => {
                    for (port, tls) in ports {
                        let binds: Vec<Option<IpAddr>> = if bind.is_empty() {
                            vec![None]
                        } else {
                            bind.iter().copied().map(Some).collect()
                        };
                        for b in binds {
                            if f.listens.iter().any(|l| {
                                l.line == no && l.port == port && l.addr == b && l.tls == Some(tls)
                            }) {
                                continue;
                            }
                            f.listens.push(Listen {
                                server: Server::Caddy,
                                addr: b,
                                host: None,
                                port,
                                tls: Some(tls),
                                binds: true,
                                implicit: false,
                                default_server: false,
                                reuseport: false,
                                proxy_protocol: false,
                                file: cat_file.map(str::to_string),
                                file_line: cat_file.map(|_| no),
                                line: no,
                            });
                        }
                    }
                }
                Err(why) => bad.push((
                    no,
                    NotUnderstood {
                        line: no,
                        text: a.clone(),
                        reason: why,
                    },
                )),
            }
        }
    };
    for p in pre {
        let raw = p.text.trim();
        // Comments start with `#` at a word start.
        let t = match raw.find(" #") {
            Some(i) => raw.get(..i).unwrap_or(raw).trim(),
            None if raw.starts_with('#') || is_bare_prompt(raw) => "",
            None => raw,
        };
        if t.is_empty() {
            continue;
        }
        let no = p.line.no;
        let opens = t.ends_with('{');
        let body = t.trim_end_matches('{').trim();
        if t == "}" {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                if in_global {
                    in_global = false;
                } else if let Some(s) = site.take() {
                    close_site(s, http_port, https_port, f, &mut bad);
                }
            }
            continue;
        }
        if depth == 0 {
            if opens && body.is_empty() && !seen_content {
                in_global = true;
                depth = 1;
                seen_content = true;
                continue;
            }
            seen_content = true;
            if body.starts_with('(') || body.starts_with("import") {
                has_import |= body.starts_with("import");
                if opens {
                    depth = 1;
                }
                continue;
            }
            if opens || site.is_none() {
                // Site addresses (a Caddyfile of one site may omit braces).
                if let Some(s) = site.take() {
                    close_site(s, http_port, https_port, f, &mut bad);
                }
                let addrs: Vec<(String, usize)> = body
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| (a.to_string(), no))
                    .collect();
                site = Some((addrs, Vec::new()));
                if opens {
                    depth = 1;
                }
                continue;
            }
        }
        if opens {
            depth = depth.saturating_add(1);
        }
        if t.starts_with('}') {
            depth = depth.saturating_sub(1);
        }
        let mut words = body.split_whitespace();
        let key = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        if in_global {
            match key {
                "http_port" => http_port = args.first().and_then(|p| p.parse().ok()).unwrap_or(80),
                "https_port" => {
                    https_port = args.first().and_then(|p| p.parse().ok()).unwrap_or(443)
                }
                _ => {}
            }
            continue;
        }
        match key {
            "bind" => {
                if let Some(s) = site.as_mut() {
                    for a in &args {
                        match crate::parse::textscan::parse_ip(a) {
                            Some(ip) => s.1.push(ip),
                            None => f.note(format!(
                                "line {no}: bind {a}: not an address (a host name or interface)"
                            )),
                        }
                    }
                }
            }
            "reverse_proxy" => {
                for a in args
                    .iter()
                    .filter(|a| !a.starts_with('@') && !a.starts_with('/') && **a != "*")
                {
                    f.upstreams.push(Named {
                        server: Server::Caddy,
                        value: a.to_string(),
                        line: no,
                    });
                }
            }
            "tls" => {
                if let Some(cert) = args.first().filter(|a| a.contains('/')) {
                    f.certificates.push(Named {
                        server: Server::Caddy,
                        value: cert.to_string(),
                        line: no,
                    });
                }
            }
            "import" => {
                has_import = true;
            }
            _ => {}
        }
    }
    if let Some(s) = site.take() {
        close_site(s, http_port, https_port, f, &mut bad);
    }
    f.complete = cat_file.is_some_and(|c| c.contains("Caddyfile")) && !has_import;
    count_lines(pre, bad, f);
}

/// Ports (with TLS) one Caddy site address serves.
pub(super) fn caddy_site(a: &str, http: u16, https: u16) -> Result<Vec<(u16, bool)>, String> {
    let (scheme, rest) = match a.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, a),
    };
    let hostport = rest.split('/').next().unwrap_or(rest);
    let (host, port): (&str, Option<u16>) = if let Some(r) = hostport.strip_prefix('[') {
        match r.split_once("]") {
            Some((h, p)) => (
                h,
                match p.strip_prefix(':') {
                    Some(p) => Some(p.parse().map_err(|_| format!("bad port in \"{a}\""))?),
                    None => None,
                },
            ),
            None => return Err(format!("\"{a}\": IPv6 address without ']'")),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                Some(
                    p.parse::<u16>()
                        .map_err(|_| format!("\"{a}\" is not a site address"))?,
                ),
            ),
            None => (hostport, None),
        }
    };
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-_*:{}$".contains(c))
    {
        return Err(format!("\"{a}\" is not a site address"));
    }
    Ok(match (scheme.as_deref(), port) {
        (Some("http"), p) => vec![(p.unwrap_or(http), false)],
        (Some("https"), p) => vec![(p.unwrap_or(https), true)],
        (Some(_), _) => return Err(format!("\"{a}\": unknown scheme")),
        (None, Some(p)) if p == http || host.is_empty() => vec![(p, false)],
        (None, Some(p)) => vec![(p, true)],
        // A name with no port: HTTPS on 443 and the redirect on 80.
        (None, None) if !host.is_empty() => vec![(http, false), (https, true)],
        (None, None) => return Err(format!("\"{a}\" is not a site address")),
    })
}
