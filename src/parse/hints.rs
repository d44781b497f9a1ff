//! Facts people state in prose ("SSL mode is Full", "we're on Oracle
//! Cloud"). They are weak hints: they may steer which ports are checked and
//! what is asked next, never prove a cause.

use serde::{Deserialize, Serialize};

use crate::cloudflare::SslMode;
use crate::text::Line;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hint {
    SslMode(SslMode),
    /// A hosting or cloud provider named in the text.
    Provider(Provider),
    /// An error code the person says they see ("I get Cloudflare error
    /// 522 after about 20 seconds").
    ErrorCode(u16),
    /// "Flexible works, with Full the site shows 521": plain HTTP reaches
    /// the origin, HTTPS on 443 does not.
    HttpsFailsHttpWorks,
    /// "ss shows nothing on 80 or 443": the person says nothing listens on
    /// these ports.
    NothingListens(Vec<u16>),
    /// "the firewall is not active", "ufw is inactive": the person says the
    /// host firewall is off.
    FirewallInactive,
    /// "We are running CentOS 6.6": a Red Hat-family system, where Apache
    /// is `httpd` and lives in /etc/httpd.
    RedHatFamily,
    /// "it blocked CF IP with 330 connections", "fail2ban banned Cloudflare
    /// IPs": the person says a ban tool or firewall blocked Cloudflare's
    /// addresses.
    CloudflareBanned,
    /// "CentOS 6.6", "service httpd start": an init without systemd, where
    /// services start with `service` and boot with `chkconfig`.
    PreSystemd,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedHint {
    pub hint: Hint,
    pub line: usize,
}

/// A hosting or cloud provider; the JSON names are the ones people write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provider {
    #[serde(rename = "AWS")]
    Aws,
    #[serde(rename = "Google Cloud")]
    GoogleCloud,
    Azure,
    #[serde(rename = "Oracle Cloud")]
    OracleCloud,
    Hetzner,
    DigitalOcean,
    #[serde(rename = "cPanel")]
    CPanel,
    Plesk,
    CyberPanel,
}

const PROVIDERS: &[(&str, Provider)] = &[
    ("aws", Provider::Aws),
    ("ec2", Provider::Aws),
    ("lightsail", Provider::Aws),
    ("google cloud", Provider::GoogleCloud),
    ("gcp", Provider::GoogleCloud),
    ("azure", Provider::Azure),
    ("oracle cloud", Provider::OracleCloud),
    ("oci", Provider::OracleCloud),
    ("hetzner", Provider::Hetzner),
    ("digitalocean", Provider::DigitalOcean),
    ("digital ocean", Provider::DigitalOcean),
    ("cpanel", Provider::CPanel),
    ("plesk", Provider::Plesk),
    ("cyberpanel", Provider::CyberPanel),
];

/// A Red Hat-family distribution named as a word: CentOS, RHEL, Rocky,
/// AlmaLinux, Fedora, Amazon Linux, Oracle Linux.
fn names_red_hat_family(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w == [a, b]);
    words.iter().any(|w| {
        matches!(
            *w,
            "centos" | "rhel" | "almalinux" | "fedora" | "cloudlinux" | "yum" | "dnf"
        )
    }) || pair("rocky", "linux")
        || pair("red", "hat")
        || pair("amazon", "linux")
        || pair("oracle", "linux")
}

/// A release without systemd: CentOS, RHEL, CloudLinux, Scientific or
/// Oracle Linux 5 or 6 (`CentOS release 6.10`, `RHEL 6`), an `el5`/`el6`
/// kernel, or a `service NAME start|restart|reload` the person ran.
fn names_pre_systemd(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let old = |w: &str| matches!(w, "5" | "6");
    let release = words.iter().enumerate().any(|(i, w)| {
        matches!(
            *w,
            "centos" | "rhel" | "cloudlinux" | "scientific" | "oracle" | "enterprise"
        ) && words
            .iter()
            .skip(i + 1)
            .take(3)
            .find(|x| !matches!(**x, "release" | "linux" | "server" | "os"))
            .is_some_and(|x| old(x))
    });
    let kernel = words.iter().any(|w| matches!(*w, "el5" | "el6"));
    let service = words.windows(3).any(|w| {
        w[0] == "service"
            && matches!(w[1], "httpd" | "nginx" | "apache2" | "lsws" | "lshttpd")
            && matches!(w[2], "start" | "restart" | "reload" | "stop")
    });
    release || kernel || service
}

/// Hints stated in prose lines.
pub fn read(lines: &[Line<'_>]) -> Vec<StatedHint> {
    let mut out = Vec::new();
    for l in lines {
        let lower = l.text.to_ascii_lowercase();
        let push = |out: &mut Vec<StatedHint>, hint: Hint| {
            if !out.iter().any(|h| h.hint == hint) {
                out.push(StatedHint { hint, line: l.no });
            }
        };
        if https_fails_http_works(&lower) {
            // The mode that fails is the one the site is meant to run in.
            push(&mut out, Hint::HttpsFailsHttpWorks);
            push(&mut out, Hint::SslMode(SslMode::Full));
        } else if let Some(mode) = ssl_mode_stated(&lower) {
            push(&mut out, Hint::SslMode(mode));
        }
        for code in stated_codes(&lower) {
            push(&mut out, Hint::ErrorCode(code));
        }
        if let Some(ports) = nothing_listens(&lower) {
            push(&mut out, Hint::NothingListens(ports));
        }
        if firewall_inactive(&lower) {
            push(&mut out, Hint::FirewallInactive);
        }
        if names_red_hat_family(&lower) {
            push(&mut out, Hint::RedHatFamily);
        }
        if cloudflare_banned(&lower) {
            push(&mut out, Hint::CloudflareBanned);
        }
        if names_pre_systemd(&lower) {
            push(&mut out, Hint::PreSystemd);
        }
        for (needle, provider) in PROVIDERS {
            let found = lower
                .split(|c: char| !c.is_ascii_alphanumeric() && c != ' ')
                .any(|part| {
                    let part = format!(" {} ", part.trim());
                    part.contains(&format!(" {needle} "))
                });
            if found
                && !out
                    .iter()
                    .any(|h: &StatedHint| h.hint == Hint::Provider(*provider))
            {
                out.push(StatedHint {
                    hint: Hint::Provider(*provider),
                    line: l.no,
                });
            }
        }
    }
    out
}

/// Words of a sentence, lowercase, punctuation trimmed.
fn words(lower: &str) -> Vec<&str> {
    // Any other character separates words: CJK text has no spaces.
    lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Error codes a sentence says the site shows: a Cloudflare code (52x,
/// 530, 1xxx) next to "error", "code", "status" or "Cloudflare"; another
/// 4xx/5xx only in a sentence that blames Cloudflare ("an 502 Bad gateway
/// error from cloudflare"). Ports ("80 and 443") are not codes.
fn stated_codes(lower: &str) -> Vec<u16> {
    let w = words(lower);
    let cloudflare = lower.contains("cloudflare");
    let mut out = Vec::new();
    for (i, word) in w.iter().enumerate() {
        let Ok(code) = word.parse::<u16>() else {
            continue;
        };
        let before = i
            .checked_sub(1)
            .and_then(|k| w.get(k))
            .copied()
            .unwrap_or("");
        let after = w.get(i + 1).copied().unwrap_or("");
        let near = |set: &[&str]| set.contains(&before) || set.contains(&after);
        if code == 443 || matches!(before, "port" | "ports") {
            continue;
        }
        let cf_code = (520..=530).contains(&code) || (1000..=1999).contains(&code);
        let ok = if cf_code {
            near(&[
                "error",
                "code",
                "status",
                "http",
                "cloudflare",
                "cloudflare's",
            ]) || (code < 1000 && near(&["a", "an", "the", "shows", "get", "gives", "returns"]))
        } else {
            (400..=599).contains(&code)
                && cloudflare
                && near(&[
                    "error",
                    "code",
                    "status",
                    "http",
                    "bad",
                    "forbidden",
                    "gateway",
                    "service",
                    "an",
                    "a",
                ])
        };
        if ok && !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// "works with SSL mode Flexible, with Full the site shows 521".
fn https_fails_http_works(lower: &str) -> bool {
    let (Some(flex), Some(full)) = (lower.find("flexible"), lower.find("full")) else {
        return false;
    };
    let fails = [
        "521",
        "error",
        "fail",
        "not work",
        "doesn't work",
        "does not work",
        "broken",
        "stops",
    ];
    let tail = lower.get(full..).unwrap_or("");
    let works_flexible = lower.contains("work") || lower.contains("fine") || lower.contains("only");
    flex != full && works_flexible && fails.iter().any(|f| tail.contains(f))
}

/// "the firewall is not active", "ufw is inactive", "firewalld is disabled".
fn firewall_inactive(lower: &str) -> bool {
    let w = words(lower);
    let names = ["firewall", "ufw", "firewalld", "iptables", "csf"];
    let off = ["inactive", "disabled", "off", "stopped"];
    w.iter().enumerate().any(|(i, word)| {
        names.contains(word) && {
            let next: Vec<&str> = w.iter().skip(i + 1).take(3).copied().collect();
            next.iter().any(|n| off.contains(n))
                || (next.first().is_some_and(|n| matches!(*n, "is" | "was"))
                    && next.get(1).is_some_and(|n| *n == "not")
                    && next
                        .get(2)
                        .is_some_and(|n| matches!(*n, "active" | "running" | "enabled")))
        }
    })
}

/// "it blocked CF IP with 330 connections", "Cloudflare IPs are banned":
/// a ban word, Cloudflare and an address word in one sentence. A sentence
/// about an allowlist ("block everything except Cloudflare's IPs") or a
/// wish ("how do I block non-Cloudflare IPs") is not one.
fn cloudflare_banned(lower: &str) -> bool {
    let w = words(lower);
    let banned = [
        "banned",
        "banning",
        "bans",
        "blocked",
        "blocking",
        "blocks",
        "blacklisted",
    ];
    let cf = w
        .iter()
        .any(|x| matches!(x.strip_suffix("'s").unwrap_or(x), "cloudflare" | "cf"));
    let addr = w.iter().any(|x| {
        matches!(
            *x,
            "ip" | "ips" | "address" | "addresses" | "range" | "ranges" | "proxy"
        )
    });
    let allowlist = w.iter().any(|x| {
        matches!(
            *x,
            "except" | "but" | "only" | "other" | "non" | "allow" | "not" | "how" | "unless"
        )
    });
    cf && addr && !allowlist && w.iter().any(|x| banned.contains(x))
}

/// "ss shows nothing on 80 or 443", "nothing is listening on port 443".
fn nothing_listens(lower: &str) -> Option<Vec<u16>> {
    let says_nothing = [
        "nothing",
        "no process",
        "not listening",
        "isn't listening",
        "no service",
        "no listener",
    ]
    .iter()
    .any(|n| lower.contains(n));
    let about_sockets = ["listen", "ss ", "netstat", "lsof", "ss -"]
        .iter()
        .any(|n| lower.contains(n))
        || lower.starts_with("ss");
    if !says_nothing || !about_sockets {
        return None;
    }
    let mut ports: Vec<u16> = words(lower)
        .iter()
        .filter_map(|w| w.parse::<u16>().ok())
        .filter(|p| {
            crate::cloudflare::HTTP_PORTS.contains(p) || crate::cloudflare::HTTPS_PORTS.contains(p)
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    (!ports.is_empty()).then_some(ports)
}

/// "SSL mode is Full", "ssl/tls: full (strict)", "Flexible SSL".
fn ssl_mode_stated(lower: &str) -> Option<SslMode> {
    let at = lower
        .find("ssl")
        .or_else(|| lower.find("encryption mode"))?;
    let window = lower.get(at..)?.chars().take(60).collect::<String>();
    let before: String = lower
        .get(..at)?
        .chars()
        .rev()
        .take(20)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let around = format!("{before}{window}");
    if around.contains("full (strict)")
        || around.contains("full strict")
        || around.contains("strict")
    {
        Some(SslMode::Strict)
    } else if around.contains("flexible") {
        Some(SslMode::Flexible)
    } else if around.contains("full") {
        Some(SslMode::Full)
    } else if window.contains(" off") {
        Some(SslMode::Off)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn modes(text: &str) -> Vec<SslMode> {
        read(&lines(text))
            .into_iter()
            .filter_map(|h| match h.hint {
                Hint::SslMode(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn reads_stated_ssl_modes() {
        assert_eq!(modes("Our SSL mode is Full."), vec![SslMode::Full]);
        assert_eq!(modes("SSL/TLS: Full (strict)"), vec![SslMode::Strict]);
        assert_eq!(
            modes("We use Flexible SSL I think?"),
            vec![SslMode::Flexible]
        );
        assert_eq!(modes("The site is down since the morning."), vec![]);
    }

    #[test]
    fn red_hat_family_names() {
        assert!(stated("We are running CentOS 6.6 on Azure.").contains(&Hint::RedHatFamily));
        assert!(stated("fresh Rocky Linux 9 box").contains(&Hint::RedHatFamily));
        assert!(!stated("Ubuntu 22.04 with nginx").contains(&Hint::RedHatFamily));
        assert!(!stated("the rocky road to deployment").contains(&Hint::RedHatFamily));
        assert!(stated("installed it with yum install httpd").contains(&Hint::RedHatFamily));
    }

    #[test]
    fn pre_systemd_releases() {
        assert!(stated("We are running CentOS 6.6 on Azure.").contains(&Hint::PreSystemd));
        assert!(stated("CentOS release 6.10 (Final)").contains(&Hint::PreSystemd));
        assert!(stated("RHEL 6 box, I ran service httpd restart").contains(&Hint::PreSystemd));
        assert!(stated("Linux web1 2.6.32-754.el6.x86_64 #1 SMP").contains(&Hint::PreSystemd));
        assert!(stated("then I did service nginx start and nothing").contains(&Hint::PreSystemd));
        assert!(!stated("fresh CentOS 7 install").contains(&Hint::PreSystemd));
        assert!(!stated("Rocky Linux 9 with httpd").contains(&Hint::PreSystemd));
        assert!(!stated("CentOS Stream 9, 6 sites on it").contains(&Hint::PreSystemd));
        assert!(!stated("the service httpd is down").contains(&Hint::PreSystemd));
    }

    fn stated(text: &str) -> Vec<Hint> {
        read(&lines(text)).into_iter().map(|h| h.hint).collect()
    }

    #[test]
    fn reads_codes_stated_in_prose() {
        assert!(stated("I get Cloudflare error 522 after about 20 seconds")
            .contains(&Hint::ErrorCode(522)));
        assert!(stated("Its just Error 523:").contains(&Hint::ErrorCode(523)));
        assert!(stated("I get an 502 Bad gateway error from cloudflare")
            .contains(&Hint::ErrorCode(502)));
        assert!(
            stated("频繁遇到这个(530 The origin has been unregistered from Argo Tunnel)，但")
                .contains(&Hint::ErrorCode(530))
        );
        // Ports, counts and unrelated numbers are not codes.
        for s in [
            "ports 80 and 443 are open on the host",
            "we serve 1500 users a day",
            "nginx returns 502 sometimes",
        ] {
            assert!(
                !stated(s).iter().any(|h| matches!(h, Hint::ErrorCode(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn reads_stated_symptoms() {
        let h = stated("everything works with SSL mode Flexible, with Full the site shows 521");
        assert!(h.contains(&Hint::HttpsFailsHttpWorks));
        // The failing mode is the one the site runs in.
        assert_eq!(
            modes("everything works with SSL mode Flexible, with Full the site shows 521"),
            vec![SslMode::Full]
        );
        assert!(
            stated("ss shows nothing on 80 or 443").contains(&Hint::NothingListens(vec![80, 443]))
        );
        assert!(!stated("nothing changed since the upgrade to 443")
            .iter()
            .any(|h| matches!(h, Hint::NothingListens(_))));
    }

    #[test]
    fn reads_a_firewall_said_to_be_off() {
        for s in [
            "the firewall is not active",
            "ufw is inactive on this box",
            "I have firewalld disabled",
        ] {
            assert!(stated(s).contains(&Hint::FirewallInactive), "{s}");
        }
        assert!(!stated("the firewall is active and allows 443").contains(&Hint::FirewallInactive));
    }

    #[test]
    fn reads_cloudflare_said_to_be_banned() {
        for s in [
            "it blocked CF IP with 330 connections.",
            "fail2ban is banning Cloudflare IPs again",
            "Cloudflare's proxy addresses got blacklisted by CSF",
        ] {
            assert!(stated(s).contains(&Hint::CloudflareBanned), "{s}");
        }
        for s in [
            "block everything except Cloudflare's IPs",
            "how do I block non-Cloudflare IPs?",
            "Cloudflare IPs are not blocked",
            "fail2ban blocked 1.2.3.4",
        ] {
            assert!(!stated(s).contains(&Hint::CloudflareBanned), "{s}");
        }
    }

    #[test]
    fn names_providers_as_whole_words() {
        let got = read(&lines("I'm on Oracle Cloud with an Ampere VM"));
        assert!(got
            .iter()
            .any(|h| h.hint == Hint::Provider(Provider::OracleCloud)));
        assert!(read(&lines("the choice was awesome")).is_empty());
    }
}
