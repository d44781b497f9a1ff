//! Web server configuration as people paste it: nginx server blocks and
//! whole `nginx -T` dumps, Apache config files and vhosts, `apachectl -S` /
//! `httpd -S` virtual host listings, Caddyfiles, OpenLiteSpeed listeners,
//! and `grep -rn listen /etc/nginx` style lines (`path:line:` prefixes).
//!
//! What it reads: per listen socket the server, address (None = every
//! address), port, whether TLS is on, `proxy_protocol`, and where it is
//! (pasted line, and the config file and line when the paste tells);
//! certificate paths; proxy upstreams; includes; and whether the paste is
//! the whole configuration (`complete`: an `nginx -T` dump) or a fragment.
//!
//! Guarantees: every non-blank line is understood (unknown directives are
//! valid configuration, so understood and ignored) or reported with a
//! reason; linear in the input; never panics. Configuration is what the
//! server *would* do once loaded: the diagnosis weighs it below live
//! listener lists.

mod apache;
mod caddy;
mod litespeed;
mod nginx;

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use crate::text::{Line, NotUnderstood};

/// Which web server a configuration belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    Nginx,
    Apache,
    Caddy,
    Litespeed,
}

impl Server {
    /// The name people and systemd use for it.
    pub fn name(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Apache => "apache",
            Server::Caddy => "caddy",
            Server::Litespeed => "litespeed",
        }
    }
}

/// One address/port the configuration serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listen {
    pub server: Server,
    /// None: every address (`listen 80;`, `*:80`, a Caddy site). `0.0.0.0`
    /// and `[::]` are kept as written (every address of one family).
    pub addr: Option<IpAddr>,
    /// A host name given instead of an address (`listen localhost:8080`):
    /// the server binds what it resolves to.
    pub host: Option<String>,
    pub port: u16,
    /// Some(true): TLS on this socket; Some(false): plain; None: the paste
    /// does not say (`apachectl -S`, a Listen line, a TCP stream proxy).
    pub tls: Option<bool>,
    /// True when the entry opens a socket (nginx `listen`, Apache `Listen`,
    /// Caddy sites, LiteSpeed listeners); false for an Apache virtual host
    /// address, which only matches connections to a socket opened elsewhere.
    pub binds: bool,
    /// nginx's implicit `listen *:80` of a server block with no listen.
    pub implicit: bool,
    pub default_server: bool,
    pub reuseport: bool,
    /// The socket expects a PROXY protocol header first; Cloudflare sends
    /// none on proxied HTTP(S), so the server closes its connections.
    pub proxy_protocol: bool,
    /// The config file, when the paste names it (`nginx -T` headers,
    /// `apachectl -S`, `grep -rn`, `cat FILE`).
    pub file: Option<String>,
    /// The line in that file, when known.
    pub file_line: Option<usize>,
    /// Line in the pasted input.
    pub line: usize,
}

impl Listen {
    /// Bound to a loopback address only.
    pub fn loopback(&self) -> bool {
        self.addr.is_some_and(|a| match a {
            IpAddr::V4(v) => v.is_loopback(),
            IpAddr::V6(v) => v.is_loopback() || v.to_ipv4_mapped().is_some_and(|m| m.is_loopback()),
        })
    }

    /// Reachable from outside the host (all addresses, or a non-loopback
    /// address); false for loopback and for host names (unknown).
    pub fn public(&self) -> bool {
        self.host.is_none() && !self.loopback()
    }
}

/// A path or upstream the configuration names, with its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub server: Server,
    pub value: String,
    pub line: usize,
}

/// What the paste is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `nginx -T`: every file the running configuration loads.
    NginxDump,
    /// `apachectl -S` / `httpd -S`: the virtual hosts, not the Listen lines.
    ApacheVhosts,
    /// A config file or a piece of one.
    File,
    /// Lines out of `grep` (no block structure).
    Grep,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebConfigFacts {
    pub server: Server,
    pub shape: Shape,
    pub listens: Vec<Listen>,
    pub certificates: Vec<Named>,
    pub upstreams: Vec<Named>,
    pub includes: Vec<Named>,
    /// The whole loaded configuration (an `nginx -T` dump, a Caddyfile
    /// with no imports): a port absent from it is not served.
    pub complete: bool,
    /// The configuration test lines of `nginx -T` (line numbers), for the
    /// service parser to read as a config test.
    pub test_lines: Vec<usize>,
    /// What the reader should know (unix sockets, host names, includes not
    /// pasted, what `apachectl -S` cannot show).
    pub notes: Vec<String>,
    /// Ports of `# listen 443 ssl;` lines: a listen someone turned off.
    pub commented_listens: Vec<(u16, usize)>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

impl WebConfigFacts {
    fn new(server: Server, shape: Shape) -> Self {
        WebConfigFacts {
            server,
            shape,
            listens: Vec::new(),
            certificates: Vec::new(),
            upstreams: Vec::new(),
            includes: Vec::new(),
            complete: false,
            test_lines: Vec::new(),
            notes: Vec::new(),
            commented_listens: Vec::new(),
            understood_lines: 0,
            not_understood: Vec::new(),
        }
    }

    fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    /// Listens on `port` that carry TCP.
    pub fn on_port(&self, port: u16) -> impl Iterator<Item = &Listen> {
        self.listens.iter().filter(move |l| l.port == port)
    }
}

/// nginx's `nginx -t` / `-T` lines (the test result printed first).
pub fn is_test_output(text: &str) -> bool {
    text.trim().starts_with("nginx: ")
}

/// A shell prompt with no command (`root@web1:~#` after the output).
fn is_bare_prompt(t: &str) -> bool {
    !t.contains(char::is_whitespace)
        && (t.contains('@') || t.starts_with('['))
        && (t.ends_with('#') || t.ends_with('$'))
}

/// A path named by `cat`/`less` that holds web server configuration.
pub fn is_config_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "/nginx/",
        "/apache2/",
        "/httpd/",
        "/caddy/",
        "/lsws/conf",
        "/openlitespeed/",
    ]
    .iter()
    .any(|d| lower.contains(d))
        || lower.ends_with("caddyfile")
        || lower.contains("/sites-enabled/")
        || lower.contains("/sites-available/")
}

/// Brace (and Apache `<Tag>`) depth left open by `lines`.
fn open_depth(lines: &[Line<'_>]) -> i64 {
    lines
        .iter()
        .map(|l| {
            let t = l.text.trim();
            if t.starts_with("</") {
                return -1;
            }
            if t.starts_with('<') && t.ends_with('>') && !t.starts_with("<!") {
                return 1;
            }
            let code = t.split('#').next().unwrap_or("");
            code.matches('{').count() as i64 - code.matches('}').count() as i64
        })
        .sum()
}

/// Whether the paragraph `next` goes on with the configuration in `prev`:
/// a block is still open, or every line of `next` is configuration
/// (`;`/`{`/`}`-ended, or a comment inside an `nginx -T` dump).
pub fn continues(prev: &[Line<'_>], next: &[Line<'_>]) -> bool {
    if open_depth(prev) > 0 {
        return true;
    }
    let dump = prev
        .iter()
        .any(|l| l.text.trim_start().starts_with("# configuration file /"));
    let content: Vec<&str> = next
        .iter()
        .map(|l| l.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    !content.is_empty()
        && content.iter().all(|t| {
            t.ends_with(';') || t.ends_with('{') || *t == "}" || (dump && t.starts_with('#'))
        })
}

/// How strongly `lines` look like web server configuration (0-100).
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    let mut semis = 0u32;
    for l in lines.iter().take(60) {
        let t = l.text.trim();
        let lower = t.to_ascii_lowercase();
        let first = lower.split_whitespace().next().unwrap_or("");
        if lower.starts_with("# configuration file /") {
            score += 90;
        } else if lower.starts_with("virtualhost configuration:")
            || lower.contains(" is a namevirtualhost")
        {
            score += 80;
        } else if lower.starts_with("<virtualhost") || lower.starts_with("</virtualhost") {
            score += 60;
        } else if lower.starts_with("server {")
            || lower == "server{"
            || (lower.starts_with("upstream ") && lower.ends_with('{'))
            || (lower.starts_with("location ") && lower.ends_with('{'))
        {
            score += 40;
        } else if matches!(
            first,
            "listen" | "server_name" | "ssl_certificate" | "proxy_pass" | "root" | "index"
        ) && lower.ends_with(';')
        {
            score += 25;
            semis += 1;
        } else if matches!(
            first,
            "servername"
                | "serveralias"
                | "documentroot"
                | "sslengine"
                | "sslcertificatefile"
                | "proxypass"
                | "proxypassreverse"
        ) && !lower.ends_with(';')
            || t.starts_with("Listen ") && t.split_whitespace().nth(1).is_some_and(port_like)
        {
            score += 25;
        } else if matches!(
            first,
            "reverse_proxy" | "file_server" | "php_fastcgi" | "encode"
        ) || lower.starts_with("listener ") && lower.ends_with('{')
        {
            score += 30;
        } else if lower.starts_with("serverroot: ") || lower.starts_with("main documentroot:") {
            score += 40;
        } else if lower.ends_with(';') && !lower.starts_with('#') {
            semis += 1;
        }
    }
    // Many `;`-ended lines next to a signature: nginx.
    if score > 0 {
        score += semis.min(10) * 3;
    }
    score.min(100) as u8
}

fn port_like(w: &str) -> bool {
    let port = w.rsplit(':').next().unwrap_or(w);
    port.parse::<u16>().is_ok()
}

/// Read a block of web server configuration.
pub fn parse(input: &str, lines: &[Line<'_>]) -> WebConfigFacts {
    parse_with(input, lines, None)
}

/// Read a block, with the command that printed it (`nginx -T`,
/// `apachectl -S`, `cat /etc/caddy/Caddyfile`, `grep -rn listen ...`).
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> WebConfigFacts {
    let cmd = command.unwrap_or("");
    let grep = cmd.split_whitespace().any(|w| w == "grep" || w == "egrep");
    let cat_file = cmd
        .split_whitespace()
        .skip(1)
        .find(|w| w.starts_with('/'))
        .filter(|_| {
            let first = cmd.split_whitespace().find(|w| *w != "sudo").unwrap_or("");
            matches!(first, "cat" | "less" | "more" | "head" | "tail")
        });
    // Lines as the parsers see them: grep prefixes removed.
    let mut pre: Vec<Pre<'_>> = Vec::with_capacity(lines.len());
    for l in lines {
        pre.push(strip_grep_prefix(*l, grep));
    }
    let (server, shape) = detect(&pre, cmd);
    let mut f = WebConfigFacts::new(server, shape);
    match (server, shape) {
        (_, Shape::ApacheVhosts) => apache::read_vhosts(&pre, &mut f),
        (Server::Nginx, _) => nginx::read(&pre, cat_file, &mut f),
        (Server::Apache, _) => apache::read(&pre, cat_file, &mut f),
        (Server::Caddy, _) => caddy::read(&pre, cat_file, &mut f),
        (Server::Litespeed, _) => litespeed::read(&pre, cat_file, &mut f),
    }
    // `grep -n listen /etc/nginx/sites-enabled/default`: one file, so the
    // line numbers grep printed are lines of that file.
    let grep_files: Vec<&str> = cmd
        .split_whitespace()
        .skip_while(|w| *w != "grep" && *w != "egrep")
        .filter(|w| w.starts_with('/'))
        .collect();
    if let [file] = grep_files.as_slice() {
        if !cmd.contains('|') && !cmd.contains(" -r") && !cmd.contains(" -R") {
            for l in f
                .listens
                .iter_mut()
                .filter(|l| l.file.is_none() && l.file_line.is_some())
            {
                l.file = Some((*file).to_string());
            }
        }
    }
    if grep {
        f.complete = false;
        f.shape = Shape::Grep;
        f.note("filtered with grep: only the matching lines were pasted".to_string());
    }
    if !f.complete && shape != Shape::ApacheVhosts {
        let missing: Vec<String> = f.includes.iter().map(|i| i.value.clone()).collect();
        for m in missing.into_iter().take(5) {
            f.note(format!(
                "includes {m}, which is not pasted: listens there are not known"
            ));
        }
    }
    f
}

/// A line with a `grep -rn` style `path:line:` prefix removed.
#[derive(Clone, Copy)]
struct Pre<'a> {
    line: Line<'a>,
    text: &'a str,
    file: Option<&'a str>,
    file_line: Option<usize>,
}

fn strip_grep_prefix(line: Line<'_>, grep: bool) -> Pre<'_> {
    let plain = Pre {
        line,
        text: line.text,
        file: None,
        file_line: None,
    };
    let t = line.text;
    // `/etc/nginx/sites-enabled/default:22:    listen 80;` (grep -rn) or
    // `/etc/nginx/nginx.conf:    listen 80;` (grep -r); relative paths
    // (`conf.d/default.conf:    listen 80;`) when grep ran inside /etc/nginx.
    let relative_path = grep
        && t.split_once(':').is_some_and(|(p, _)| {
            !p.is_empty()
                && !p.contains(char::is_whitespace)
                && p.parse::<usize>().is_err()
                && (p.contains('/') || p.ends_with(".conf"))
        });
    if t.starts_with('/') || relative_path {
        if let Some((path, rest)) = t.split_once(':') {
            if !path.contains(char::is_whitespace) {
                if let Some((n, rest2)) = rest.split_once(':') {
                    if let Ok(n) = n.parse::<usize>() {
                        return Pre {
                            line,
                            text: rest2,
                            file: Some(path),
                            file_line: Some(n),
                        };
                    }
                }
                return Pre {
                    line,
                    text: rest,
                    file: Some(path),
                    file_line: None,
                };
            }
        }
    }
    // `nginx -T | grep -n listen`: `123:    listen 80;`.
    if grep {
        if let Some((n, rest)) = t.split_once(':') {
            if let Ok(n) = n.trim().parse::<usize>() {
                return Pre {
                    text: rest,
                    file_line: Some(n),
                    ..plain
                };
            }
        }
    }
    plain
}

fn detect(pre: &[Pre<'_>], cmd: &str) -> (Server, Shape) {
    let words: Vec<&str> = cmd.split_whitespace().filter(|w| *w != "sudo").collect();
    let tool = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("");
    let lower_cmd = cmd.to_ascii_lowercase();
    if matches!(tool, "apachectl" | "apache2ctl" | "httpd" | "apache2")
        && (words.contains(&"-S") || cmd.contains("DUMP_VHOSTS"))
    {
        return (Server::Apache, Shape::ApacheVhosts);
    }
    if tool == "nginx" {
        return (Server::Nginx, Shape::NginxDump);
    }
    let mut votes = [0u32; 4]; // nginx, apache, caddy, litespeed
    let mut vhost_dump = 0u32;
    if lower_cmd.contains("caddy") {
        votes[2] += 50;
    } else if lower_cmd.contains("/nginx") {
        votes[0] += 50;
    } else if lower_cmd.contains("apache") || lower_cmd.contains("/httpd") {
        votes[1] += 50;
    } else if lower_cmd.contains("lsws") || lower_cmd.contains("litespeed") {
        votes[3] += 50;
    }
    for p in pre.iter().take(400) {
        let t = p.text.trim();
        if t.is_empty() || t.starts_with('#') {
            if t.starts_with("# configuration file /") {
                votes[0] += 100;
            }
            continue;
        }
        let lower = t.to_ascii_lowercase();
        let first = lower.split_whitespace().next().unwrap_or("");
        if lower.starts_with("virtualhost configuration:")
            || lower.contains(" is a namevirtualhost")
            || lower.starts_with("serverroot: ")
            || lower.starts_with("main documentroot:")
        {
            vhost_dump += 1;
        }
        if lower.starts_with("<virtualhost")
            || lower.starts_with("</")
            || lower.starts_with("<ifmodule")
            || lower.starts_with("<directory")
        {
            votes[1] += 5;
        }
        if t.ends_with(';') || lower.starts_with("server {") || lower.starts_with("http {") {
            votes[0] += 2;
        }
        if is_test_output(t) {
            votes[0] += 5;
        }
        if matches!(
            first,
            "servername" | "documentroot" | "sslengine" | "serveralias" | "proxypass"
        ) || t.starts_with("Listen ")
        {
            votes[1] += 3;
        }
        if matches!(
            first,
            "reverse_proxy" | "file_server" | "php_fastcgi" | "encode" | "tls" | "import"
        ) && !t.ends_with(';')
        {
            votes[2] += 3;
        }
        if (first == "listener" || first == "virtualhost" || first == "vhtemplate")
            && t.ends_with('{')
        {
            votes[3] += 5;
        }
        if matches!(first, "address" | "secure" | "keyfile" | "certfile") {
            votes[3] += 1;
        }
    }
    if vhost_dump > 0 && votes[1] < 5 {
        return (Server::Apache, Shape::ApacheVhosts);
    }
    let servers = [
        Server::Nginx,
        Server::Apache,
        Server::Caddy,
        Server::Litespeed,
    ];
    let mut best = (Server::Nginx, 0u32);
    for (s, v) in servers.iter().zip(votes) {
        if v > best.1 {
            best = (*s, v);
        }
    }
    // Braces with no `;` anywhere and no other signature: a Caddyfile.
    if best.1 == 0
        && pre.iter().any(|p| p.text.trim_end().ends_with('{'))
        && !pre.iter().any(|p| p.text.trim_end().ends_with(';'))
    {
        best.0 = Server::Caddy;
    }
    let shape = if best.0 == Server::Nginx
        && pre
            .iter()
            .any(|p| p.text.trim_start().starts_with("# configuration file /"))
    {
        Shape::NginxDump
    } else {
        Shape::File
    };
    (best.0, shape)
}

type HostPort = (Option<IpAddr>, Option<String>, u16);

/// `80`, `*:80`, `127.0.0.1`, `127.0.0.1:8080`, `[::]:443`, `[::1]`,
/// `localhost:8080`: address (None = all), host name, port.
fn host_port(target: &str, default_port: u16) -> Result<HostPort, String> {
    let bad_port = || format!("port in \"{target}\" is not a number from 1 to 65535");
    let port_of = |p: &str| -> Result<u16, String> {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(bad_port)
    };
    if let Some(rest) = target.strip_prefix('[') {
        let (ip, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("\"{target}\": IPv6 address without ']'"))?;
        let addr: IpAddr = ip
            .split('%')
            .next()
            .unwrap_or(ip)
            .parse()
            .map_err(|_| format!("\"{ip}\" is not an IPv6 address"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => port_of(p)?,
            None if after.is_empty() => default_port,
            None => return Err(format!("\"{target}\": unexpected text after ']'")),
        };
        return Ok((Some(addr), None, port));
    }
    if target.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((None, None, port_of(target)?));
    }
    let (host, port) = match target.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, port_of(p)?),
        Some(_) => return Err(format!("\"{target}\": an IPv6 address needs [brackets]")),
        None => (target, default_port),
    };
    match host {
        "*" | "" => Ok((None, None, port)),
        h => match h.parse::<IpAddr>() {
            Ok(a) => Ok((Some(a), None, port)),
            Err(_) if h.eq_ignore_ascii_case("localhost") => Ok((
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                Some(h.to_string()),
                port,
            )),
            Err(_)
                if h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_') =>
            {
                Ok((None, Some(h.to_ascii_lowercase()), port))
            }
            Err(_) => Err(format!("\"{h}\" is not an address or host name")),
        },
    }
}

/// Count understood lines: every non-blank line not reported bad.
fn count_lines(pre: &[Pre<'_>], bad: Vec<(usize, NotUnderstood)>, f: &mut WebConfigFacts) {
    let mut bad_lines: Vec<usize> = Vec::new();
    for (no, nu) in bad {
        if !bad_lines.contains(&no) {
            bad_lines.push(no);
            f.not_understood.push(nu);
        }
    }
    f.understood_lines = pre
        .iter()
        .filter(|p| !p.line.text.trim().is_empty() && !bad_lines.contains(&p.line.no))
        .count();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn read(text: &str) -> WebConfigFacts {
        parse("t", &lines(text))
    }

    fn ports(f: &WebConfigFacts) -> Vec<(Option<IpAddr>, u16, Option<bool>)> {
        f.listens.iter().map(|l| (l.addr, l.port, l.tls)).collect()
    }

    #[test]
    fn nginx_listen_spellings() {
        let f = read("server {\n listen 127.0.0.1:80;\n listen [::1];\n listen *:8080 default_server reuseport;\n listen 443 ssl http2 proxy_protocol;\n listen localhost:81;\n listen unix:/run/x.sock;\n listen 443 quic;\n}\n");
        let got = ports(&f);
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(
            got.first(),
            Some(&(Some("127.0.0.1".parse().unwrap()), 80, Some(false)))
        );
        assert_eq!(
            got.get(1),
            Some(&(Some("::1".parse().unwrap()), 80, Some(false)))
        );
        assert_eq!(got.get(2), Some(&(None, 8080, Some(false))));
        assert_eq!(got.get(3), Some(&(None, 443, Some(true))));
        assert!(f.listens.get(3).is_some_and(|l| l.proxy_protocol));
        assert!(f
            .listens
            .get(2)
            .is_some_and(|l| l.default_server && l.reuseport));
        assert!(f
            .listens
            .get(4)
            .is_some_and(|l| l.loopback() && l.host.is_some()));
        assert!(f.not_understood.is_empty());
        assert!(!f.complete);
    }

    #[test]
    fn old_ssl_on_and_implicit_listen() {
        let f = read("server {\n  listen 443;\n  ssl on;\n}\nserver {\n  server_name x;\n}");
        assert_eq!(
            ports(&f),
            vec![(None, 443, Some(true)), (None, 80, Some(false))]
        );
        assert!(f.listens.get(1).is_some_and(|l| l.implicit));
    }

    #[test]
    fn bad_listens_are_reported_not_dropped() {
        let f = read("server {\n  listen 99999;\n  listen ::1:80;\n  listen 80\n}");
        assert_eq!(f.not_understood.len(), 3, "{:?}", f.not_understood);
        assert_eq!(f.understood_lines, 2);
    }

    #[test]
    fn caddy_sites() {
        let f = read("{\n  email a@b.c\n}\nexample.com, www.example.com {\n  reverse_proxy localhost:3000\n}\n:8080 {\n  file_server\n}\nhttp://a.test {\n  bind 127.0.0.1\n}\n");
        assert_eq!(f.server, Server::Caddy);
        let got = ports(&f);
        assert!(got.contains(&(None, 443, Some(true))));
        assert!(got.contains(&(None, 80, Some(false))));
        assert!(got.contains(&(None, 8080, Some(false))));
        assert!(got.contains(&(Some("127.0.0.1".parse().unwrap()), 80, Some(false))));
        assert_eq!(
            f.upstreams.first().map(|u| u.value.as_str()),
            Some("localhost:3000")
        );
    }

    #[test]
    fn apache_vhost_tls_and_listen() {
        let f = read("Listen 127.0.0.1:8080\nListen 443 https\n<VirtualHost *:443 [::1]:8443>\n  SSLEngine on\n  SSLCertificateFile /etc/ssl/a.pem\n  ProxyPass / http://127.0.0.1:3000/\n</VirtualHost>\n<VirtualHost *:80>\n ServerName x\n</VirtualHost>\n");
        assert_eq!(f.server, Server::Apache);
        let got = ports(&f);
        assert_eq!(
            got.first(),
            Some(&(Some("127.0.0.1".parse().unwrap()), 8080, None))
        );
        assert_eq!(got.get(1), Some(&(None, 443, Some(true))));
        assert!(got.contains(&(Some("::1".parse().unwrap()), 8443, Some(true))));
        assert!(got.contains(&(None, 80, Some(false))));
        assert_eq!(f.certificates.len(), 1);
        assert_eq!(f.upstreams.len(), 1);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    }

    #[test]
    fn grep_lines_keep_file_and_line() {
        let f = parse_with(
            "t",
            &lines("/etc/nginx/sites-enabled/default:22:\tlisten 127.0.0.1:80 default_server;\n/etc/nginx/sites-enabled/default:23:\tlisten [::]:443 ssl;"),
            Some("grep -rn listen /etc/nginx/"),
        );
        assert_eq!(f.listens.len(), 2);
        let l = f.listens.first();
        assert_eq!(
            l.and_then(|l| l.file.as_deref()),
            Some("/etc/nginx/sites-enabled/default")
        );
        assert_eq!(l.and_then(|l| l.file_line), Some(22));
        assert_eq!(f.listens.get(1).and_then(|l| l.tls), Some(true));
        assert!(!f.complete);
    }

    #[test]
    fn never_panics_on_junk() {
        for s in [
            "}}}}",
            "{{{{",
            "listen",
            "listen [",
            "<VirtualHost",
            "server { listen [::1]:; }",
            "\u{0}\u{ffff};{",
            "http:// {",
            "[::1]:x {",
        ] {
            let _ = read(s);
        }
    }
}
