//! `not-listening`: nothing listens on the port Cloudflare connects to.

use super::{ask, Rule};
use super::{
    config_complete, config_listens, listener_list_complete, listeners, quote, CONFIRM_LIVE,
};
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};
use crate::diagnose::{AskFor, AskKind};
use crate::options::SslMode;
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 6,
    asks,
};

/// The listener list.
pub fn asks(ctx: &Ctx<'_>) -> Vec<AskFor> {
    vec![ask(
        AskKind::Listeners,
        "sudo ss -tlnp",
        format!(
            "is anything listening on {}, on a public address",
            ctx.ports_text()
        ),
    )]
}

/// Per needed port: public listeners, loopback-only listeners.
pub struct PortListeners {
    pub port: u16,
    pub public: Vec<Evidence>,
    pub loopback: Vec<Evidence>,
}

pub fn by_port(ctx: &Ctx<'_>) -> Vec<PortListeners> {
    ctx.ports
        .iter()
        .map(|&port| {
            let mut p = PortListeners {
                port,
                public: Vec::new(),
                loopback: Vec::new(),
            };
            for (input, _, l) in
                listeners(ctx).filter(|(_, _, l)| l.port == port && l.proto == "tcp")
            {
                let ev = quote(ctx, input, l.line);
                if l.loopback {
                    p.loopback.push(ev);
                } else {
                    p.public.push(ev);
                }
            }
            p
        })
        .collect()
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let mut f = judge_sockets(ctx);
    // No listener list decided it: a refused connection to the origin
    // over IPv4 (or to localhost) points to no listener on that port.
    if f.status == Status::Unknown {
        let refused: Vec<Evidence> = super::refused_origin_probes(ctx)
            .into_iter()
            .filter(|(v6, _)| *v6 != Some(true))
            .map(|(_, e)| e)
            .collect();
        if !refused.is_empty() {
            f = Finding::new(
                FindingId::NotListening,
                Status::Likely,
                "A connection to the origin was refused at once: nothing listens on that port, or (from another machine) a firewall rejects it. Cloudflare's connections get the same refusal (521).",
            )
            .with_evidence(refused);
        }
    }
    // Still open: what the person says (weaker than any output).
    if f.status == Status::Unknown {
        if let Some(stated) = from_prose(ctx) {
            f = stated;
        }
    }
    // PROXY protocol is no reason for a refusal, so it has no finding of
    // its own (config-error is about a server that does not start): it is
    // told here, next to the listens, because it breaks the same port.
    let proxied: Vec<_> = config_listens(ctx)
        .filter(|(_, l)| l.proxy_protocol && ctx.ports.contains(&l.port))
        .collect();
    if !proxied.is_empty() {
        let mut ports: Vec<u16> = proxied.iter().map(|(_, l)| l.port).collect();
        ports.sort_unstable();
        ports.dedup();
        f.explanation.push_str(&format!(
            " Note: the listen on {} expects the PROXY protocol, which Cloudflare does not send on proxied HTTP(S) traffic (only Spectrum can): the server waits for a PROXY header, reads Cloudflare's HTTP or TLS bytes instead and closes the connection, which Cloudflare reports as 520 or 521. Remove `proxy_protocol` from that listen unless a load balancer in front sends it.",
            ports_text(&ports)
        ));
        let ev: Vec<_> = proxied.iter().map(|(i, l)| quote(ctx, i, l.line)).collect();
        f = f.with_evidence(ev);
    }
    f
}

/// "ss shows nothing on 80 or 443", with no output that decides: a weak
/// hint, `likely` at most, the sentence quoted.
fn from_prose(ctx: &Ctx<'_>) -> Option<Finding> {
    // Output that shows a listener on the port overrules the sentence.
    let listed = |p: &u16| listeners(ctx).any(|(_, _, l)| l.port == *p && l.proto == "tcp");
    let (input, h, ports) = ctx
        .facts
        .hints
        .iter()
        .find_map(|(input, h)| match &h.hint {
            crate::parse::hints::Hint::NothingListens(ports)
                if ports.iter().any(|p| ctx.ports.contains(p) && !listed(p)) =>
            {
                Some((input, h, ports))
            }
            _ => None,
        })?;
    let mut f = Finding::new(
        FindingId::NotListening,
        Status::Likely,
        format!(
            "The ticket says nothing listens on {}: then the origin refuses Cloudflare's connection at once (521). This is the ticket's word, not output: paste `{CONFIRM_LIVE}` to confirm.",
            ports_text(ports)
        ),
    )
    .with_evidence([quote(ctx, input, h.line)]);
    f.checks = vec![CONFIRM_LIVE.to_string()];
    Some(f)
}

/// With no listener list: what the configuration says, `likely` at most
/// and only for a whole configuration; a fragment stays unknown.
fn from_config(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::NotListening;
    let listens: Vec<_> = config_listens(ctx).collect();
    if listens.is_empty() {
        return Finding::unknown(id, ctx);
    }
    let missing: Vec<u16> = ctx
        .ports
        .iter()
        .copied()
        .filter(|p| !listens.iter().any(|(_, l)| l.port == *p))
        .collect();
    let mut shown: Vec<u16> = listens.iter().map(|(_, l)| l.port).collect();
    shown.sort_unstable();
    shown.dedup();
    let evidence: Vec<Evidence> = listens
        .iter()
        .take(8)
        .map(|(i, l)| quote(ctx, i, l.line))
        .collect();
    let complete = config_complete(ctx);
    let mut f = if missing.is_empty() {
        let mut f = Finding::new(
            id,
            Status::Unknown,
            format!("The web server configuration listens on {}. It may not be the loaded configuration: `{CONFIRM_LIVE}` shows the live sockets.", ctx.ports_text()),
        );
        f.checks = vec![CONFIRM_LIVE.to_string()];
        f
    } else if complete {
        let only_443 = ctx.ssl_mode == SslMode::Unknown && missing == [443];
        let mut text = format!(
            "The whole web server configuration has no listen on {}: once it is loaded, nothing serves that port and the origin refuses Cloudflare's connection (521).",
            ports_text(&missing)
        );
        if only_443 {
            text.push_str(" This matters if the SSL mode is Full or Full (strict): Cloudflare then connects to 443 for HTTPS visitors.");
        }
        text.push_str(&format!(
            " Confirm on the live server with `{CONFIRM_LIVE}`."
        ));
        Finding::new(id, Status::Likely, text)
    } else {
        fragment(ctx, &shown, &missing)
    };
    f.checks = vec![CONFIRM_LIVE.to_string()];
    f.with_evidence(evidence)
}

/// A piece of the configuration (a server block, not `nginx -T`) still says
/// what it listens on: a port is likely not served when its listen is
/// commented out, when no needed port is listened on at all, or when the SSL
/// mode says the port is needed. Otherwise other files may serve it.
fn fragment(ctx: &Ctx<'_>, shown: &[u16], missing: &[u16]) -> Finding {
    let id = FindingId::NotListening;
    let disabled: Vec<(u16, &str, usize)> = ctx
        .facts
        .webconfig
        .iter()
        .flat_map(|s| {
            s.facts
                .commented_listens
                .iter()
                .map(move |(p, l)| (*p, s.input.as_str(), *l))
        })
        .filter(|(p, _, _)| missing.contains(p))
        .collect();
    let none_served = missing.len() == ctx.ports.len();
    // A port the SSL mode surely sends visitors to (443 for Full, 80 for
    // Flexible).
    let mode_needs = ctx.sure_ports().iter().any(|p| missing.contains(p));
    // Apache virtual hosts open no socket (the `Listen` lines do, elsewhere).
    let sockets = config_listens(ctx).all(|(_, l)| l.binds);
    if !sockets || (disabled.is_empty() && !none_served && !mode_needs) {
        return Finding::new(
            id,
            Status::Unknown,
            format!(
                "The pasted configuration is a fragment: it listens on {} and shows no listen on {}, but other files may. Paste `sudo nginx -T` (or `sudo apachectl -S`) and `{CONFIRM_LIVE}` to decide.",
                ports_text(shown),
                ports_text(missing)
            ),
        );
    }
    let mut text = format!(
        "The pasted configuration listens on {} and not on {}",
        ports_text(shown),
        ports_text(missing)
    );
    if !disabled.is_empty() {
        text.push_str(" (its listen there is commented out)");
    }
    text.push_str(": if no other file listens there, the origin refuses Cloudflare's connection (521). This is a piece of the configuration, not the live sockets");
    text.push_str(&format!(
        ": `sudo nginx -T` shows every file and `{CONFIRM_LIVE}` what is really bound."
    ));
    let mut f = Finding::new(id, Status::Likely, text);
    f = f.with_evidence(disabled.iter().map(|(_, i, l)| quote(ctx, i, *l)));
    if let Some(ev) = &ctx.ssl_mode_stated {
        f = f.with_evidence([ev.clone()]);
    }
    f
}

fn judge_sockets(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::NotListening;
    if ctx.facts.listeners.is_empty() {
        return from_config(ctx);
    }
    let ports = by_port(ctx);
    // A list filtered to some ports (`ss -ltnp 'sport = :443'`,
    // `| grep :443`) says nothing about the others.
    let missing: Vec<u16> = ports
        .iter()
        .filter(|p| p.public.is_empty() && p.loopback.is_empty())
        .map(|p| p.port)
        .filter(|p| covers_port(ctx, *p))
        .collect();
    let present: Vec<&PortListeners> = ports.iter().filter(|p| !p.public.is_empty()).collect();
    if missing.is_empty()
        && ports
            .iter()
            .any(|p| p.public.is_empty() && p.loopback.is_empty())
    {
        return Finding::unknown(id, ctx);
    }
    let listed: Vec<Evidence> = ctx
        .facts
        .listeners
        .iter()
        .flat_map(|s| {
            s.facts
                .listeners
                .iter()
                .filter(|l| l.proto == "tcp")
                .map(move |l| (s.input.as_str(), l.line))
        })
        .take(8)
        .map(|(i, l)| quote(ctx, i, l))
        .collect();
    if missing.is_empty() {
        let ev: Vec<Evidence> = ports
            .iter()
            .flat_map(|p| p.public.iter().chain(p.loopback.iter()).cloned())
            .collect();
        return Finding::new(
            id,
            Status::RuledOut,
            format!("Something listens on {}.", ctx.ports_text()),
        )
        .with_evidence(ev);
    }
    let complete = listener_list_complete(ctx);
    let missing_text = ports_text(&missing);
    // With the SSL mode unknown both 80 and 443 are checked; a missing 443
    // next to a working 80 matters only if the mode is Full.
    let only_443_missing_mode_unknown =
        ctx.ssl_mode == SslMode::Unknown && missing == [443] && !present.is_empty();
    let status = if !complete || only_443_missing_mode_unknown || ctx.ssl_mode_stated.is_some() {
        Status::Likely
    } else {
        Status::Confirmed
    };
    let mut explanation = format!(
        "Nothing listens on {missing_text} in the listener list, so the origin refuses Cloudflare's connection there at once (521)."
    );
    if only_443_missing_mode_unknown {
        explanation.push_str(" Port 80 is served; if the SSL mode is Full or Full (strict), Cloudflare connects to 443 for HTTPS visitors and is refused.");
    }
    if !complete {
        explanation.push_str(" The list was filtered, so the port may be served after all: paste the whole `sudo ss -tlnp`.");
    }
    let mut f = Finding::new(id, status, explanation).with_evidence(listed);
    if let Some(ev) = &ctx.ssl_mode_stated {
        f = f.with_evidence([ev.clone()]);
    }
    f
}

/// The ports a listener command filtered to: `sport = :443`, `:443`,
/// `grep -E ':(80|443)'`. None when it shows every port.
fn filtered_ports(command: &str) -> Option<Vec<u16>> {
    let out: Vec<u16> = command
        .split([':', '(', '|'])
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// True when some pasted listener list could show `port`.
fn covers_port(ctx: &Ctx<'_>, port: u16) -> bool {
    ctx.facts.listeners.iter().any(|s| {
        s.command
            .as_deref()
            .and_then(filtered_ports)
            .is_none_or(|ports| ports.contains(&port))
    })
}

#[cfg(test)]
mod tests {
    use super::filtered_ports;
    use crate::diagnose::testkit::{run, status};
    use crate::diagnose::{FindingId::NotListening, Status};

    /// A server block that listens on 8080/4443 only says "nothing on 80
    /// and 443"; the same block generated by Nginx Proxy Manager lives in a
    /// container whose ports Docker maps, so it says nothing about the host.
    #[test]
    fn a_proxy_manager_container_config_says_nothing_about_host_ports() {
        let block = "server {\n  listen 8080;\n  listen 4443 ssl http2;\n  server_name cloud.example.net;\n  location / { proxy_pass http://192.168.1.9:444; }\n}\n";
        assert_eq!(status(&run(block), NotListening), Status::Likely);
        let npm = block.replace(
            "  server_name",
            "  include conf.d/include/letsencrypt-acme-challenge.conf;\n  server_name",
        );
        assert_eq!(status(&run(&npm), NotListening), Status::Unknown);
    }

    #[test]
    fn reads_the_ports_a_listener_command_filtered_to() {
        assert_eq!(
            filtered_ports("sudo ss -tlnp 'sport = :443'"),
            Some(vec![443])
        );
        assert_eq!(
            filtered_ports("ss -ltnp | grep -E ':(80|443)'"),
            Some(vec![80, 443])
        );
        assert_eq!(filtered_ports("sudo ss -tlnp"), None);
        assert_eq!(filtered_ports("netstat -tlnp | grep nginx"), None);
    }
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn curl_refused_by_the_origin_on_port_80() {
        verify(FindingId::NotListening, "$ curl -v http://203.0.113.10/\n*   Trying 203.0.113.10:80...\n* connect to 203.0.113.10 port 80 failed: Connection refused\n* Failed to connect to 203.0.113.10 port 80 after 2 ms: Connection refused\ncurl: (7) Failed to connect to 203.0.113.10 port 80 after 2 ms: Connection refused\n");
    }

    #[test]
    fn listeners_on_80_and_443() {
        verify_ruled_out(FindingId::NotListening, "$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511               0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\nLISTEN 0      511              0.0.0.0:443      0.0.0.0:*    users:((\"nginx\",pid=812,fd=7))\n");
    }
}
