//! The neighbours of 521: what each other Cloudflare code means, how it
//! differs from 521, and which 521 checks still apply.

pub struct CodeInfo {
    pub meaning: &'static str,
    pub differs: &'static str,
    pub still_applies: &'static str,
}

pub fn info(code: u16) -> Option<CodeInfo> {
    let (meaning, differs, still_applies) = match code {
        520 => (
            "the origin accepted the connection but answered with something Cloudflare could not use: an empty, reset or malformed response, or headers that are too large",
            "a 521 means the connection itself was refused; with 520 the connection worked",
            "check the web server's error log at the Ray ID's time, crashes of PHP-FPM or the application, and response header size; firewall and DNS checks do not apply",
        ),
        522 => (
            "Cloudflare's connection to the origin timed out: the SYN got no answer (about 19 s) or the origin accepted but sent nothing",
            "a 521 is an immediate refusal (a REJECT or no listener); a 522 is silence, typically a firewall or cloud security group that DROPs Cloudflare, an overloaded origin, or a DNS record pointing at a dead address",
            "every firewall check still applies (DROP rules, cloud security groups, ban lists), plus DNS and overload; listener checks matter less",
        ),
        523 => (
            "Cloudflare could not reach the origin at all: no route, the DNS record points at an unroutable address, or the origin's network is down",
            "with a 521 Cloudflare reached the origin and was refused; with 523 it never reached it",
            "check the proxied A/AAAA records (private, wrong or stale addresses) and the origin's network and routing",
        ),
        524 => (
            "Cloudflare connected and sent the request, but the origin took more than 100 seconds to answer",
            "a 521 fails before any request is sent; a 524 is a slow application",
            "check slow requests, long-running scripts and overload; firewall and listener checks do not apply",
        ),
        525 => (
            "the TLS handshake between Cloudflare and the origin failed (SSL mode Full or Full (strict))",
            "the TCP connection was accepted, unlike a 521; TLS on the origin failed: no certificate configured for the name, no SNI support, or incompatible ciphers",
            "check the 443 listener's certificate and TLS configuration (`openssl s_client -connect ORIGIN:443 -servername HOST`)",
        ),
        526 => (
            "the origin's certificate is not valid for Full (strict): expired, self-signed, or not for this host name",
            "the connection and handshake worked; the certificate was rejected",
            "renew the certificate or install a Cloudflare Origin CA certificate; or use Full instead of Full (strict) only as a temporary measure",
        ),
        527 => (
            "the Railgun listener could not reach the origin",
            "Railgun is retired; a 527 concerns the Railgun link, not the origin's firewall",
            "check the Railgun listener, or remove Railgun",
        ),
        530 => (
            "Cloudflare returned 530 with a 1xxx error: usually 1016 (origin DNS error: the CNAME target does not resolve) or 1033 (Cloudflare Tunnel not connected)",
            "a 530 is decided before any connection to the origin; the 1xxx code on the page names the cause",
            "check the DNS target of the record (1016) or the tunnel's `cloudflared` service (1033)",
        ),
        c if (1000..=1999).contains(&c) => (
            "a Cloudflare 1xxx error: a configuration problem on Cloudflare's side of the zone (DNS, access rules, tunnels), not a refused connection",
            "no connection to the origin was refused; Cloudflare stopped earlier",
            "look up the specific 1xxx code; origin firewall and listener checks usually do not apply",
        ),
        _ => return None,
    };
    Some(CodeInfo {
        meaning,
        differs,
        still_applies,
    })
}
