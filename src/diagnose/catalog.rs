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
    Page {
        id,
        title,
        meaning,
        bad_example,
        why,
        fix,
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
}
