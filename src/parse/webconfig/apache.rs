//! Apache: config files and vhosts, and `apachectl -S` / `httpd -S` listings.

use super::{count_lines, host_port, is_bare_prompt, Listen, Named, Pre, Server, WebConfigFacts};
use crate::text::NotUnderstood;

pub(super) struct Vhost {
    pub(super) listens: Vec<Listen>,
    pub(super) ssl: Option<bool>,
}

pub(super) fn read(pre: &[Pre<'_>], cat_file: Option<&str>, f: &mut WebConfigFacts) {
    // long: Apache's directives (VirtualHost, Listen, SSL*, ProxyPass, Include) read in one pass
    // over the shared vhost state.
    let mut bad: Vec<(usize, NotUnderstood)> = Vec::new();
    let mut vhost: Option<Vhost> = None;
    let mut global_ssl = false;
    let locate = |p: &Pre<'_>| -> (Option<String>, Option<usize>) {
        match (p.file, cat_file) {
            (Some(file), _) => (Some(file.to_string()), p.file_line),
            (None, Some(c)) => (Some(c.to_string()), Some(p.line.no)),
            _ => (None, p.file_line),
        }
    };
    for p in pre {
        let t = p.text.trim();
        if t.is_empty() || t.starts_with('#') || is_bare_prompt(t) {
            continue;
        }
        let no = p.line.no;
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("<virtualhost") {
            let args = t
                .get(t.len().saturating_sub(rest.len())..)
                .unwrap_or("")
                .trim_end_matches('>')
                .trim();
            let mut v = Vhost {
                listens: Vec::new(),
                ssl: None,
            };
            for a in args.split_whitespace() {
                let a = a.trim_matches('"');
                let (a, port_given) = match a.strip_prefix("_default_") {
                    Some(rest) => (format!("*{rest}"), rest.starts_with(':')),
                    None => (
                        a.to_string(),
                        a.rsplit_once(':').is_some_and(|(h, _)| !h.ends_with(':'))
                            && !a.ends_with(']'),
                    ),
                };
                if !port_given {
                    f.note(format!(
                        "line {no}: <VirtualHost {a}> names no port: it matches every Listen port"
                    ));
                    continue;
                }
                match host_port(&a, 80) {
                    Ok((addr, host, port)) => {
                        let (file, file_line) = locate(p);
                        v.listens.push(Listen {
                            server: Server::Apache,
                            addr,
                            host,
                            port,
                            tls: None,
                            binds: false,
                            implicit: false,
                            default_server: false,
                            reuseport: false,
                            proxy_protocol: false,
                            file,
                            file_line,
                            line: no,
                        })
                    }
                    Err(why) => bad.push((no, NotUnderstood::new(p.line, why))),
                }
            }
            if let Some(old) = vhost.replace(v) {
                close_vhost(old, global_ssl, true, f);
            }
            continue;
        }
        if lower.starts_with("</virtualhost") {
            match vhost.take() {
                Some(v) => close_vhost(v, global_ssl, true, f),
                None => f.note(format!(
                    "line {no}: a <VirtualHost> closes that opens before the pasted part"
                )),
            }
            continue;
        }
        if t.starts_with('<') {
            // <IfModule>, <Directory>, <Location>...: structure only.
            continue;
        }
        let mut words = t.split_whitespace();
        let key = words.next().unwrap_or("").to_ascii_lowercase();
        let args: Vec<&str> = words.map(|w| w.trim_matches('"')).collect();
        let arg = args.first().copied().unwrap_or("");
        match key.as_str() {
            "listen" => {
                let Some(target) = args.first() else {
                    bad.push((no, NotUnderstood::new(p.line, "Listen without a port")));
                    continue;
                };
                match host_port(target, 0) {
                    Ok((_, _, 0)) => {
                        bad.push((no, NotUnderstood::new(p.line, "Listen needs a port")))
                    }
                    Ok((addr, host, port)) => {
                        let proto = args.get(1).map(|s| s.to_ascii_lowercase());
                        let (file, file_line) = locate(p);
                        f.listens.push(Listen {
                            server: Server::Apache,
                            addr,
                            host,
                            port,
                            tls: match proto.as_deref() {
                                Some("https") => Some(true),
                                _ => None,
                            },
                            binds: true,
                            implicit: false,
                            default_server: false,
                            reuseport: false,
                            proxy_protocol: false,
                            file,
                            file_line,
                            line: no,
                        });
                    }
                    Err(why) => bad.push((no, NotUnderstood::new(p.line, why))),
                }
            }
            "sslengine" => {
                let on = arg.eq_ignore_ascii_case("on");
                match vhost.as_mut() {
                    Some(v) => v.ssl = Some(on),
                    None => global_ssl = on,
                }
            }
            "sslcertificatefile" if !arg.is_empty() => f.certificates.push(Named {
                server: Server::Apache,
                value: arg.to_string(),
                line: no,
            }),
            "proxypass" | "proxypassmatch" => {
                if let Some(url) = args.iter().find(|a| a.contains("://")) {
                    f.upstreams.push(Named {
                        server: Server::Apache,
                        value: url.to_string(),
                        line: no,
                    });
                }
            }
            "include" | "includeoptional" if !arg.is_empty() => f.includes.push(Named {
                server: Server::Apache,
                value: arg.to_string(),
                line: no,
            }),
            _ => {}
        }
    }
    if let Some(v) = vhost.take() {
        close_vhost(v, global_ssl, false, f);
    }
    count_lines(pre, bad, f);
}

pub(super) fn close_vhost(v: Vhost, global_ssl: bool, closed: bool, f: &mut WebConfigFacts) {
    // A whole vhost without `SSLEngine on` serves plain HTTP; an unclosed
    // one may set it further down.
    let tls = match v.ssl {
        Some(on) => Some(on),
        None if global_ssl => Some(true),
        None if closed => Some(false),
        None => None,
    };
    for mut l in v.listens {
        l.tls = tls;
        f.listens.push(l);
    }
}

/// `apachectl -S` / `httpd -S`.
pub(super) fn read_vhosts(pre: &[Pre<'_>], f: &mut WebConfigFacts) {
    let mut bad: Vec<(usize, NotUnderstood)> = Vec::new();
    f.note("apachectl -S lists virtual hosts, not Listen lines or SSLEngine: the main server may listen on ports not shown, and TLS is not shown".to_string());
    for p in pre {
        let t = p.text.trim();
        if t.is_empty() {
            continue;
        }
        let lower = t.to_ascii_lowercase();
        let first = t.split_whitespace().next().unwrap_or("");
        let known_prefix = [
            "virtualhost configuration:",
            "serverroot:",
            "main documentroot:",
            "main errorlog:",
            "mutex ",
            "pidfile:",
            "define:",
            "user:",
            "group:",
            "default server ",
            "port ",
            "alias ",
            "wild alias ",
            "syntax ok",
        ];
        if known_prefix.iter().any(|k| lower.starts_with(k))
            || (first.starts_with("AH") && first.ends_with(':'))
            || (lower.starts_with('[') && lower.contains("] ["))
            || lower.starts_with('#')
            || is_bare_prompt(t)
        {
            continue;
        }
        // `*:443  is a NameVirtualHost`, `127.0.0.1:8080  example.com (/path:1)`.
        let Some((addr_port, rest)) = t.split_once(char::is_whitespace) else {
            bad.push((
                no(p),
                NotUnderstood::new(p.line, "not a line apachectl -S prints"),
            ));
            continue;
        };
        let addr_port = match addr_port.strip_prefix("_default_") {
            Some(r) => format!("*{r}"),
            None => addr_port.to_string(),
        };
        let Ok((addr, host, port)) = host_port(&addr_port, 0) else {
            bad.push((
                no(p),
                NotUnderstood::new(p.line, "not a line apachectl -S prints"),
            ));
            continue;
        };
        if port == 0 {
            bad.push((
                no(p),
                NotUnderstood::new(p.line, "virtual host without a port"),
            ));
            continue;
        }
        let (file, file_line) = match crate::parse::textscan::between(rest, "(", ")") {
            Some(loc) => match loc.rsplit_once(':') {
                Some((path, n)) => (Some(path.to_string()), n.parse::<usize>().ok()),
                None => (Some(loc.to_string()), None),
            },
            None => (None, None),
        };
        f.listens.push(Listen {
            server: Server::Apache,
            addr,
            host,
            port,
            tls: None,
            binds: false,
            implicit: false,
            default_server: false,
            reuseport: false,
            proxy_protocol: false,
            file,
            file_line,
            line: p.line.no,
        });
    }
    count_lines(pre, bad, f);
}

pub(super) fn no(p: &Pre<'_>) -> usize {
    p.line.no
}
