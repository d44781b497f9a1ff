//! The finding ids of FINDINGS.md, each with a one-line title and its own
//! page (what it means, a bad example, why it breaks, the fix), like
//! ShellCheck's wiki. Ids never change meaning once released.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingId {
    FirewallBlocksCloudflare,
    BanBlocksCloudflare,
    WebServerDown,
    PortConflict,
    ConfigError,
    NotListening,
    LoopbackOnly,
    OriginOverloaded,
    DnsWrongOrigin,
    TlsPortMismatch,
    Ipv6OriginBroken,
    DifferentErrorCode,
}

/// The page of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub id: FindingId,
    pub title: &'static str,
    pub meaning: &'static str,
    pub bad_example: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    /// The evidence rules (docs/FINDINGS.md): which lines confirm it, which
    /// rule it out, and what it stays unknown without.
    pub confirms: &'static str,
    pub rules_out: &'static str,
    pub unknown: &'static str,
}

pub const ALL: [FindingId; 12] = [
    FindingId::FirewallBlocksCloudflare,
    FindingId::BanBlocksCloudflare,
    FindingId::WebServerDown,
    FindingId::PortConflict,
    FindingId::ConfigError,
    FindingId::NotListening,
    FindingId::LoopbackOnly,
    FindingId::OriginOverloaded,
    FindingId::DnsWrongOrigin,
    FindingId::TlsPortMismatch,
    FindingId::Ipv6OriginBroken,
    FindingId::DifferentErrorCode,
];

impl FindingId {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingId::FirewallBlocksCloudflare => "firewall-blocks-cloudflare",
            FindingId::BanBlocksCloudflare => "ban-blocks-cloudflare",
            FindingId::WebServerDown => "web-server-down",
            FindingId::PortConflict => "port-conflict",
            FindingId::ConfigError => "config-error",
            FindingId::NotListening => "not-listening",
            FindingId::LoopbackOnly => "loopback-only",
            FindingId::OriginOverloaded => "origin-overloaded",
            FindingId::DnsWrongOrigin => "dns-wrong-origin",
            FindingId::TlsPortMismatch => "tls-port-mismatch",
            FindingId::Ipv6OriginBroken => "ipv6-origin-broken",
            FindingId::DifferentErrorCode => "different-error-code",
        }
    }

    pub fn parse(s: &str) -> Option<FindingId> {
        ALL.iter().copied().find(|id| id.as_str() == s.trim())
    }

    pub fn page(self) -> Page {
        page(self)
    }
}

impl std::fmt::Display for FindingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn page(id: FindingId) -> Page {
    use FindingId::*;
    let (title, meaning, bad_example, why, fix) = match id {
        FirewallBlocksCloudflare => (
            "A firewall on the origin does not let every Cloudflare range in",
            "Some firewall layer (ufw, iptables, nftables, firewalld, CSF, a cloud security group or network ACL) refuses or drops connections from some or all of Cloudflare's 15 IPv4 and 7 IPv6 ranges on the port Cloudflare connects to.",
            "$ sudo ufw status verbose\nStatus: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW IN    Anywhere\n443/tcp                    ALLOW IN    173.245.48.0/20\n443/tcp                    ALLOW IN    103.21.244.0/22",
            "Cloudflare connects to the origin from its own addresses, not the visitor's. Every range it may use must reach the origin port; a partial allowlist fails for the visitors served from the missing ranges, and an IPv4-only list fails whenever Cloudflare connects over IPv6. A REJECT answers at once and Cloudflare shows 521; a DROP makes Cloudflare wait and show 522. In a firewall log, a blocked SYN from a Cloudflare address is a refused connection; a blocked packet with only RST or FIN is the late end of a connection already over (noise, not a block).",
            "Allow all Cloudflare ranges, IPv4 and IPv6, on only the ports the SSL mode needs, placed before the rule that blocks. Keep every other rule; never open the port to the whole Internet.",
        ),
        BanBlocksCloudflare => (
            "A ban tool has banned Cloudflare addresses",
            "fail2ban, CSF/LFD, an ipset blacklist or a rate limit (connlimit, hashlimit, recent) has blocked addresses that belong to Cloudflare.",
            "$ sudo fail2ban-client status nginx-limit-req\nStatus for the jail: nginx-limit-req\n|- Filter\n|  |- Currently failed: 3\n`- Actions\n   |- Currently banned: 2\n   `- Banned IP list: 162.158.88.14 172.70.135.9",
            "Behind Cloudflare every visitor arrives from a Cloudflare address. A ban tool that reads the connecting address bans Cloudflare itself, and all visitors served through that address get an error.",
            "Unban the Cloudflare addresses, add Cloudflare's ranges to the tool's ignore list, and restore the real visitor address in the web server (CF-Connecting-IP) so bans hit visitors, not Cloudflare.",
        ),
        WebServerDown => (
            "The web server is not running",
            "nginx, Apache, LiteSpeed, Caddy or the service that should answer Cloudflare is stopped or failed, and nothing more specific explains why.",
            "$ systemctl status nginx\n× nginx.service - A high performance web server and a reverse proxy server\n     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; preset: enabled)\n     Active: failed (Result: exit-code) since Tue 2026-11-24 09:12:01 UTC; 3min ago",
            "With no process accepting connections, the origin's kernel answers Cloudflare's connection with a reset: Cloudflare shows 521 at once.",
            "Read why it stopped (journal), test the configuration, then start and enable the service.",
        ),
        PortConflict => (
            "Another process holds the web server's port",
            "The web server cannot bind its port because another process already listens there (\"Address already in use\").",
            "nginx: [emerg] bind() to 0.0.0.0:443 failed (98: Address already in use)",
            "The web server exits at start; whatever holds the port may not speak HTTP(S) to Cloudflare, or may listen only locally.",
            "Find the process holding the port, stop or reconfigure it, then start the web server.",
        ),
        ConfigError => (
            "The web server's configuration is invalid",
            "The web server does not start because its configuration test fails: a syntax error, a missing certificate file, an upstream host that does not resolve.",
            "nginx: [emerg] cannot load certificate \"/etc/ssl/certs/origin.pem\": BIO_new_file() failed\nnginx: configuration file /etc/nginx/nginx.conf test failed",
            "A failed configuration test stops a start or a reload; after a restart the server stays down.",
            "Fix the line the test names, run the test again until it passes, then start the server.",
        ),
        NotListening => (
            "Nothing listens on the port Cloudflare connects to",
            "The origin has no listener on the port the SSL mode needs (for example no :443 while the SSL mode is Full), although the server may be running.",
            "$ sudo ss -tlnp\nState   Recv-Q  Send-Q  Local Address:Port  Peer Address:Port Process\nLISTEN  0       511           0.0.0.0:80         0.0.0.0:*     users:((\"nginx\",pid=812,fd=6))",
            "A connection to a port nobody listens on is refused at once: Cloudflare shows 521.",
            "Add a listener on the needed port (with a certificate for 443), or change the SSL mode to match what the origin serves.",
        ),
        LoopbackOnly => (
            "The web server listens only on a loopback address",
            "The server is bound to 127.0.0.1 or ::1 (or another address Cloudflare cannot reach), so connections to the public address are refused.",
            "$ sudo ss -tlnp\nState   Recv-Q  Send-Q  Local Address:Port  Peer Address:Port Process\nLISTEN  0       511         127.0.0.1:80         0.0.0.0:*     users:((\"nginx\",pid=812,fd=6))\nLISTEN  0       511         127.0.0.1:443        0.0.0.0:*     users:((\"nginx\",pid=812,fd=7))",
            "Cloudflare connects to the public address; a socket bound to loopback never sees it.",
            "Listen on all addresses (or the public one) and reload.",
        ),
        OriginOverloaded => (
            "The origin is out of memory, file descriptors or connection slots",
            "OOM kills, \"Too many open files\", exhausted worker connections or a saturated CPU make the origin refuse or drop new connections.",
            "Out of memory: Killed process 2211 (nginx) total-vm:812344kB, anon-rss:402112kB\nnginx: [alert] 1024 worker_connections are not enough",
            "An overloaded origin refuses some connections at random: intermittent 521s (or 522/524).",
            "Relieve the pressure now (restart, free memory), then raise the limit that ran out and find what consumes it.",
        ),
        DnsWrongOrigin => (
            "The proxied DNS record does not point at this origin",
            "The proxied A/AAAA record points at a stale address after a migration, a private, reserved or loopback address, a Cloudflare address, or an address different from the server's own.",
            "www.example.com.  300  IN  A  10.0.0.12 ; cf_tags=cf-proxied:true",
            "Cloudflare connects to whatever the record says. A private or stale address reaches the wrong machine or none.",
            "Set the record to the server's public address (find it with `curl -4 ifconfig.me` on the server) and keep it proxied.",
        ),
        TlsPortMismatch => (
            "The SSL mode and the origin's ports disagree",
            "Full or Full (strict) but the origin has no HTTPS on 443 (not listening, no certificate, plain HTTP on 443), or Flexible while port 80 is closed.",
            "SSL/TLS encryption mode is Full (strict).\n$ curl -v https://203.0.113.10/ -H 'Host: www.example.com'\n*   Trying 203.0.113.10:443...\n* Connected to 203.0.113.10 (203.0.113.10) port 443 (#0)\n* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n* error:0A00010B:SSL routines::wrong version number\n* Closing connection 0\ncurl: (35) error:0A00010B:SSL routines::wrong version number",
            "The SSL mode decides the port: Flexible connects to 80, Full and Full (strict) to 443 for HTTPS visitors.",
            "Serve HTTPS on 443 with a certificate (Cloudflare Origin CA works with Full strict), or pick the SSL mode that matches the origin.",
        ),
        Ipv6OriginBroken => (
            "An AAAA record is published but the origin does not accept IPv6",
            "The proxied name has an AAAA record, but the origin has no IPv6 listener, its IPv6 firewall blocks, or IPv6 neighbour discovery is dropped.",
            "www.example.com.\t300\tIN\tAAAA\t2001:db8:10::5 ; cf_tags=cf-proxied:true\n$ sudo ss -tlnp\nState   Recv-Q  Send-Q  Local Address:Port  Peer Address:Port Process\nLISTEN  0       511           0.0.0.0:443        0.0.0.0:*     users:((\"nginx\",pid=812,fd=7))\nLISTEN  0       511           0.0.0.0:80         0.0.0.0:*     users:((\"nginx\",pid=812,fd=6))",
            "When an AAAA exists Cloudflare may connect over IPv6; if that fails, the visitor sees 521 while IPv4 works.",
            "Make the origin answer on IPv6 (listener, firewall including ICMPv6), or delete the AAAA record.",
        ),
        DifferentErrorCode => (
            "The error is not a 521",
            "The pasted page or response shows another Cloudflare code (520, 522, 523, 524, 525, 526, 530 …), which has a different cause.",
            "blog.example.org | 522: Connection timed out",
            "Each code names a different failure: 522 is a timeout (often a DROP firewall), 525 a TLS handshake failure, 523 an unreachable origin.",
            "Follow the checks for that code; the checks that still apply are listed with it.",
        ),
    };
    let (confirms, rules_out, unknown) = decides(id);
    Page {
        id,
        title,
        meaning,
        bad_example,
        why,
        fix,
        confirms,
        rules_out,
        unknown,
    }
}

/// What confirms a finding, what rules it out, and what it stays unknown
/// without: the kinds of lines `evidence::speaks` lets decide it, in words.
fn decides(id: FindingId) -> (&'static str, &'static str, &'static str) {
    use FindingId::*;
    match id {
        FirewallBlocksCloudflare => (
            "a firewall dump (ufw, iptables, nftables, ipset, firewalld, CSF, a cloud security group) that refuses or drops a Cloudflare range on the port Cloudflare uses, or a kernel LOG line of a refused SYN from a Cloudflare address",
            "a firewall dump that accepts every Cloudflare range on the needed ports, per family (\"ruled out for IPv4\"); a log line never rules it out",
            "with no dump, or while the verdict hangs on what the paste does not show: the other family's dump, the interface facing Cloudflare (ip -br addr; ip route), a set's members, the rest of a cut paste, the cloud firewall when the host firewall is open",
        ),
        BanBlocksCloudflare => (
            "a ban list (fail2ban jail, ban ipset, csf.deny, Imunify360, cPHulk) or a ban log line that names a Cloudflare address",
            "only whole lists without a Cloudflare address: every jail of Jail list:, fail2ban-client banned, a ban set, csf.deny, an ignore list covering all ranges; never one lookup (csf -g) or one log line",
            "until every ban tool's current list is pasted (fail2ban-client banned; ipset list; csf -t)",
        ),
        WebServerDown => (
            "service status (a failed or inactive unit), a container list, start-failure logs, a failed config test",
            "a running unit, a web server's public listener, an answer from the origin's own address",
            "until the web server's service status is pasted (systemctl status)",
        ),
        PortConflict => (
            "a bind() error 98 (\"Address already in use\") for the web server's port in a start log, service status or config test; the listener list names the program holding it",
            "listeners showing the web server itself on every needed port",
            "until the web server's start errors or a listener list are pasted",
        ),
        ConfigError => (
            "a failed nginx -t or apachectl configtest, a start log naming the configuration error, the configuration itself",
            "a passed configuration test",
            "until the configuration test is run (nginx -t, apachectl configtest)",
        ),
        NotListening => (
            "a listener list (ss, netstat, lsof, published container ports) without the needed port; the configuration or a refused connection make it likely at most",
            "a complete listener list with something on every needed port",
            "until a whole listener list is pasted (sudo ss -tlnp); a filtered one (grep) cannot show that a port is absent",
        ),
        LoopbackOnly => (
            "a listener list where the needed port is bound only to 127.0.0.1 or ::1; the configuration makes it likely at most",
            "a complete listener list with the port on a public or wildcard address",
            "until a whole listener list is pasted (sudo ss -tlnp)",
        ),
        OriginOverloaded => (
            "OOM kills (dmesg, journal), exhausted worker connections or \"Too many open files\" in logs, free and limit figures at their end",
            "memory, load and socket figures that show no pressure; a log never rules it out",
            "until free -m, uptime and the kernel's OOM lines are pasted",
        ),
        DnsWrongOrigin => (
            "the proxied record (a zone export, the dashboard, a DNS answer) compared with the origin's own addresses (ip addr, curl ifconfig.me) and probes",
            "the same lines showing the record is the origin's own public address",
            "while only Cloudflare's addresses are shown (a proxied name hides its record): the record in the dashboard and the origin's own address decide",
        ),
        TlsPortMismatch => (
            "the SSL mode with listeners, configuration or TLS probes showing that the port it needs does not serve it (plain HTTP on 443, nothing on 443 for Full); a stated mode makes it likely at most",
            "the same lines showing the port the SSL mode needs is served",
            "until the SSL mode (Cloudflare dashboard > SSL/TLS) and the listeners are known",
        ),
        Ipv6OriginBroken => (
            "an AAAA record beside IPv6 firewall, listener, address, sysctl disable_ipv6 or failed IPv6 probe lines",
            "no AAAA record published, or the same kinds of lines showing the origin accepts IPv6",
            "until the AAAA record and the origin's IPv6 listeners, addresses and firewall are pasted",
        ),
        DifferentErrorCode => (
            "an error page, response headers or a status line in a log with another code than 521; a stated code (\"I get 522\") makes it likely at most",
            "never: a 521 page simply does not raise it",
            "without an error page or response the code is taken to be 521",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for id in ALL {
            assert_eq!(FindingId::parse(id.as_str()), Some(id));
            let json = serde_json::to_string(&id).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert!(!id.page().title.is_empty());
        }
        assert_eq!(FindingId::parse("no-such-id"), None);
    }

    /// docs/FINDINGS.md's evidence table is the pages' evidence rules, word
    /// for word (less the Markdown backticks), so the two cannot drift.
    #[test]
    fn findings_doc_states_each_pages_evidence_rules() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FINDINGS.md"))
            .unwrap_or_default();
        let table = doc
            .split_once("Which lines decide each finding")
            .map_or("", |(_, t)| t);
        for id in ALL {
            let p = id.page();
            let row = table
                .lines()
                .find(|l| l.starts_with(&format!("| `{id}` |")))
                .map(|l| l.replace('`', ""));
            let want = format!(
                "| {id} | {} | {} | {} |",
                p.confirms, p.rules_out, p.unknown
            );
            assert_eq!(
                row.as_deref(),
                Some(want.as_str()),
                "docs/FINDINGS.md row of {id}"
            );
        }
    }
}
