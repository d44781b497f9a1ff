//! nginx: server blocks, whole `nginx -T` dumps (with their `# configuration
//! file` markers) and `grep -rn listen` lines.

use super::{
    count_lines, host_port, is_bare_prompt, is_test_output, Listen, Named, Pre, Server,
    WebConfigFacts,
};
use crate::text::NotUnderstood;

/// A config file and line, when the paste tells.
pub(super) type FileLine = (Option<String>, Option<usize>);

/// A statement: words, its first line, and how it ended.
pub(super) struct Stmt<'a> {
    pub(super) words: Vec<String>,
    pub(super) first: Pre<'a>,
    pub(super) end: End,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Semi,
    Open,
    Close,
    /// End of input with the statement unfinished.
    Eof,
}

/// Cut nginx text into statements. Comments end at the line's end;
/// quotes keep `;`, `{`, `#` as text.
pub(super) fn nginx_statements<'a>(pre: &[Pre<'a>], f: &mut WebConfigFacts) -> Vec<Stmt<'a>> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut first: Option<Pre<'a>> = None;
    for p in pre {
        let t = p.text.trim();
        if t.starts_with("# configuration file /") {
            // A file of `nginx -T` starts here; `dump_files` maps lines to it.
            f.complete = true;
            continue;
        }
        if let Some(port) = commented_listen(t) {
            f.commented_listens.push((port, p.line.no));
        }
        if is_test_output(t) {
            f.test_lines.push(p.line.no);
            continue;
        }
        if is_bare_prompt(t) {
            continue;
        }
        let here = *p;
        let mut cur = String::new();
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for c in p.text.chars() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    continue;
                }
                cur.push(c);
                continue;
            }
            match c {
                '"' | '\'' if cur.is_empty() => quote = Some(c),
                '#' if cur.is_empty() => break,
                ';' | '{' | '}' => {
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                    let end = match c {
                        ';' => End::Semi,
                        '{' => End::Open,
                        _ => End::Close,
                    };
                    let at = first.take().unwrap_or(here);
                    out.push(Stmt {
                        words: std::mem::take(&mut words),
                        first: at,
                        end,
                    });
                }
                c if c.is_whitespace() => {
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                }
                c => {
                    if first.is_none() && words.is_empty() && cur.is_empty() {
                        first = Some(here);
                    }
                    cur.push(c);
                }
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    if !words.is_empty() {
        if let Some(at) = first {
            out.push(Stmt {
                words,
                first: at,
                end: End::Eof,
            });
        }
    }
    out
}

/// The file a pasted line belongs to in an `nginx -T` dump.
pub(super) fn dump_files(pre: &[Pre<'_>]) -> Vec<(usize, String)> {
    pre.iter()
        .filter_map(|p| {
            let rest = p.text.trim().strip_prefix("# configuration file ")?;
            Some((p.line.no, rest.trim_end_matches(':').trim().to_string()))
        })
        .collect()
}

pub(super) fn file_of(files: &[(usize, String)], no: usize) -> Option<(String, usize)> {
    let (start, name) = files.iter().rev().find(|(s, _)| *s < no)?;
    Some((name.clone(), no.checked_sub(*start)?))
}

#[derive(Default)]
pub(super) struct Frame {
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) listens: Vec<Listen>,
    pub(super) ssl_on: bool,
    pub(super) stream: bool,
}

pub(super) fn read(pre: &[Pre<'_>], cat_file: Option<&str>, f: &mut WebConfigFacts) {
    let files = dump_files(pre);
    let stmts = nginx_statements(pre, f);
    let mut bad: Vec<(usize, NotUnderstood)> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let locate = |p: &Pre<'_>| -> (Option<String>, Option<usize>) {
        if let Some(file) = p.file {
            return (Some(file.to_string()), p.file_line);
        }
        if let Some((name, n)) = file_of(&files, p.line.no) {
            return (Some(name), Some(n));
        }
        if let Some(c) = cat_file {
            return (Some(c.to_string()), Some(p.line.no));
        }
        (None, p.file_line)
    };
    let in_stream = |stack: &[Frame]| stack.iter().any(|fr| fr.stream);
    for s in &stmts {
        let no = s.first.line.no;
        let key = s.words.first().map(|w| w.to_ascii_lowercase());
        match s.end {
            End::Open => {
                let name = key.unwrap_or_default();
                let stream = name == "stream";
                stack.push(Frame {
                    name,
                    line: no,
                    stream,
                    ..Frame::default()
                });
            }
            End::Close => {
                if !s.words.is_empty() {
                    bad.push((
                        no,
                        NotUnderstood::new(s.first.line, "directive not ended with ';'"),
                    ));
                }
                match stack.pop() {
                    Some(fr) => close_nginx_frame(fr, &stack, f, pre, &locate),
                    None => {
                        // A closing brace of a block opened before the paste.
                        f.note("a block closes that opens before the pasted part".to_string());
                    }
                }
            }
            End::Semi | End::Eof => {
                let Some(key) = key else { continue };
                if s.end == End::Eof && !matches!(key.as_str(), "listen") {
                    bad.push((
                        no,
                        NotUnderstood::new(s.first.line, "directive not ended with ';'"),
                    ));
                    continue;
                }
                let arg = s.words.get(1).cloned().unwrap_or_default();
                match key.as_str() {
                    "listen" => {
                        let (file, file_line) = locate(&s.first);
                        match nginx_listen(&s.words) {
                            Ok(Some(mut l)) => {
                                l.line = no;
                                l.file = file;
                                l.file_line = file_line;
                                if l.host.is_some() {
                                    f.note(format!("line {no}: listens on a host name: it binds the addresses the name resolves to when the server starts"));
                                }
                                match stack.iter_mut().rev().find(|fr| fr.name == "server") {
                                    Some(fr) => fr.listens.push(l),
                                    // A bare listen line (grep output):
                                    // TLS is what its parameters say.
                                    None => {
                                        if l.tls.is_none() && !in_stream(&stack) {
                                            l.tls = Some(has_word(&s.words, "ssl"));
                                        }
                                        f.listens.push(l)
                                    }
                                }
                            }
                            Ok(None) => {
                                f.note(format!("line {no}: a unix socket or QUIC (UDP) listen, not a TCP port Cloudflare connects to"));
                            }
                            Err(why) => bad.push((no, NotUnderstood::new(s.first.line, why))),
                        }
                    }
                    "ssl" if arg.eq_ignore_ascii_case("on") => {
                        if let Some(fr) = stack.last_mut() {
                            fr.ssl_on = true;
                        }
                    }
                    "ssl_certificate" if !arg.is_empty() => f.certificates.push(Named {
                        server: Server::Nginx,
                        value: arg,
                        line: no,
                    }),
                    "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "grpc_pass" | "scgi_pass"
                        if !arg.is_empty() =>
                    {
                        f.upstreams.push(Named {
                            server: Server::Nginx,
                            value: arg,
                            line: no,
                        })
                    }
                    "server"
                        if stack.last().is_some_and(|fr| fr.name == "upstream")
                            && !arg.is_empty() =>
                    {
                        f.upstreams.push(Named {
                            server: Server::Nginx,
                            value: arg,
                            line: no,
                        })
                    }
                    "include" if !arg.is_empty() => f.includes.push(Named {
                        server: Server::Nginx,
                        value: arg,
                        line: no,
                    }),
                    _ => {}
                }
            }
        }
    }
    // Blocks the paste leaves open still count.
    while let Some(fr) = stack.pop() {
        close_nginx_frame(fr, &stack, f, pre, &locate);
    }
    count_lines(pre, bad, f);
}

pub(super) fn has_word(words: &[String], w: &str) -> bool {
    words.iter().skip(2).any(|x| x.eq_ignore_ascii_case(w))
}

pub(super) fn close_nginx_frame(
    fr: Frame,
    stack: &[Frame],
    f: &mut WebConfigFacts,
    pre: &[Pre<'_>],
    locate: &dyn Fn(&Pre<'_>) -> FileLine,
) {
    if fr.name != "server" {
        return;
    }
    let stream = stack.iter().any(|s| s.stream);
    let ssl_on = fr.ssl_on || stack.iter().any(|s| s.ssl_on);
    if fr.listens.is_empty() {
        if stream {
            return;
        }
        // A server block with no listen serves *:80.
        let (file, file_line) = pre
            .iter()
            .find(|p| p.line.no == fr.line)
            .map(locate)
            .unwrap_or((None, None));
        f.listens.push(Listen {
            server: Server::Nginx,
            addr: None,
            host: None,
            port: 80,
            tls: Some(ssl_on),
            binds: true,
            implicit: true,
            default_server: false,
            reuseport: false,
            proxy_protocol: false,
            file,
            file_line,
            line: fr.line,
        });
        return;
    }
    for mut l in fr.listens {
        if l.tls.is_none() && !stream {
            l.tls = Some(ssl_on);
        }
        if l.tls == Some(false) && ssl_on {
            l.tls = Some(true);
        }
        f.listens.push(l);
    }
}

/// One nginx `listen`: Ok(None) for unix sockets and QUIC.
/// The port of a commented-out `# listen 443 ssl;` line.
pub(super) fn commented_listen(t: &str) -> Option<u16> {
    let rest = t.strip_prefix('#')?.trim_start_matches('#').trim();
    let body = rest.strip_suffix(';')?;
    let words: Vec<String> = body.split_whitespace().map(str::to_string).collect();
    if words.first().map(String::as_str) != Some("listen") {
        return None;
    }
    nginx_listen(&words).ok().flatten().map(|l| l.port)
}

pub(super) fn nginx_listen(words: &[String]) -> Result<Option<Listen>, String> {
    let Some(target) = words.get(1) else {
        return Err("listen without an address or port".to_string());
    };
    if target.starts_with("unix:") {
        return Ok(None);
    }
    let params: Vec<String> = words
        .iter()
        .skip(2)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let has = |p: &str| params.iter().any(|w| w == p);
    if has("quic") || has("udp") {
        return Ok(None);
    }
    let (addr, host, port) = host_port(target, 80)?;
    let ssl = has("ssl");
    Ok(Some(Listen {
        server: Server::Nginx,
        addr,
        host,
        port,
        // Decided when the server block closes (`ssl on;` counts too).
        tls: if ssl { Some(true) } else { None },
        binds: true,
        implicit: false,
        default_server: has("default_server") || has("default"),
        reuseport: has("reuseport"),
        proxy_protocol: has("proxy_protocol"),
        file: None,
        file_line: None,
        line: 0,
    }))
}
