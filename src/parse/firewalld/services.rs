//! firewalld's bundled service definitions (`/usr/lib/firewalld/services/*.xml`)
//! and the accept rules a service or port stands for.

use crate::firewall::model::{Action, Match, PortSet, Rule, SourceLine, Undecided};

/// Ports of firewalld's bundled service definitions
/// (`/usr/lib/firewalld/services/*.xml`): name, (first, last, protocol).
pub(super) type Service = (&'static str, &'static [(u16, u16, &'static str)]);

pub(super) const SERVICES: &[Service] = &[
    ("http", &[(80, 80, "tcp")]),
    ("https", &[(443, 443, "tcp")]),
    ("http3", &[(443, 443, "udp")]),
    ("ssh", &[(22, 22, "tcp")]),
    ("cockpit", &[(9090, 9090, "tcp")]),
    ("dns", &[(53, 53, "tcp"), (53, 53, "udp")]),
    ("dns-over-tls", &[(853, 853, "tcp")]),
    ("smtp", &[(25, 25, "tcp")]),
    ("smtps", &[(465, 465, "tcp")]),
    ("smtp-submission", &[(587, 587, "tcp")]),
    ("imap", &[(143, 143, "tcp")]),
    ("imaps", &[(993, 993, "tcp")]),
    ("pop3", &[(110, 110, "tcp")]),
    ("pop3s", &[(995, 995, "tcp")]),
    ("managesieve", &[(4190, 4190, "tcp")]),
    ("ftp", &[(21, 21, "tcp")]),
    ("mysql", &[(3306, 3306, "tcp")]),
    ("postgresql", &[(5432, 5432, "tcp")]),
    ("redis", &[(6379, 6379, "tcp")]),
    ("mongodb", &[(27017, 27017, "tcp")]),
    ("memcache", &[(11211, 11211, "tcp"), (11211, 11211, "udp")]),
    ("mssql", &[(1433, 1433, "tcp")]),
    ("elasticsearch", &[(9200, 9200, "tcp"), (9300, 9300, "tcp")]),
    ("kube-apiserver", &[(6443, 6443, "tcp")]),
    ("kube-api", &[(6443, 6443, "tcp")]),
    ("kubelet", &[(10250, 10250, "tcp")]),
    ("kubelet-readonly", &[(10255, 10255, "tcp")]),
    ("kube-nodeport-services", &[(30000, 32767, "tcp")]),
    (
        "kube-control-plane",
        &[
            (2379, 2380, "tcp"),
            (6443, 6443, "tcp"),
            (10250, 10250, "tcp"),
            (10257, 10257, "tcp"),
            (10259, 10259, "tcp"),
        ],
    ),
    ("etcd-client", &[(2379, 2379, "tcp")]),
    ("etcd-server", &[(2380, 2380, "tcp")]),
    ("docker-registry", &[(5000, 5000, "tcp")]),
    (
        "docker-swarm",
        &[
            (2377, 2377, "tcp"),
            (7946, 7946, "tcp"),
            (7946, 7946, "udp"),
            (4789, 4789, "udp"),
        ],
    ),
    ("grafana", &[(3000, 3000, "tcp")]),
    ("prometheus", &[(9090, 9090, "tcp")]),
    ("zabbix-agent", &[(10050, 10050, "tcp")]),
    ("zabbix-server", &[(10051, 10051, "tcp")]),
    ("rdp", &[(3389, 3389, "tcp")]),
    ("vnc-server", &[(5900, 5903, "tcp")]),
    ("ldap", &[(389, 389, "tcp")]),
    ("ldaps", &[(636, 636, "tcp")]),
    ("kerberos", &[(88, 88, "tcp"), (88, 88, "udp")]),
    ("nfs", &[(2049, 2049, "tcp")]),
    ("rsyncd", &[(873, 873, "tcp"), (873, 873, "udp")]),
    ("git", &[(9418, 9418, "tcp")]),
    ("squid", &[(3128, 3128, "tcp")]),
    ("amqp", &[(5672, 5672, "tcp")]),
    ("amqps", &[(5671, 5671, "tcp")]),
    ("mqtt", &[(1883, 1883, "tcp")]),
    ("mqtt-tls", &[(8883, 8883, "tcp")]),
    ("puppetmaster", &[(8140, 8140, "tcp")]),
    ("salt-master", &[(4505, 4506, "tcp")]),
    ("minecraft", &[(25565, 25565, "tcp")]),
    ("plex", &[(32400, 32400, "tcp")]),
    ("ipp", &[(631, 631, "tcp"), (631, 631, "udp")]),
    ("telnet", &[(23, 23, "tcp")]),
    ("xmpp-client", &[(5222, 5222, "tcp")]),
    ("sip", &[(5060, 5060, "tcp"), (5060, 5060, "udp")]),
    ("netdata-dashboard", &[(19999, 19999, "tcp")]),
    ("wbem-https", &[(5989, 5989, "tcp")]),
    ("dhcpv6-client", &[(546, 546, "udp")]),
    ("dhcp", &[(67, 67, "udp")]),
    ("mdns", &[(5353, 5353, "udp")]),
    ("ntp", &[(123, 123, "udp")]),
    ("snmp", &[(161, 161, "udp")]),
    ("syslog", &[(514, 514, "udp")]),
    ("tftp", &[(69, 69, "udp")]),
    ("openvpn", &[(1194, 1194, "udp")]),
    ("wireguard", &[(51820, 51820, "udp")]),
    ("samba-client", &[(137, 138, "udp")]),
    (
        "samba",
        &[(137, 138, "udp"), (139, 139, "tcp"), (445, 445, "tcp")],
    ),
];

/// Ports of a firewalld service, when it is in the bundled table.
pub fn service_ports(name: &str) -> Option<&'static [(u16, u16, &'static str)]> {
    SERVICES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, p)| *p)
}

pub(super) fn port_rule(ports: PortSet, proto: &str, source: SourceLine) -> Rule {
    Rule {
        source,
        matches: vec![
            Match::Protocol {
                names: vec![proto.to_string()],
                negated: false,
            },
            Match::DestPort {
                ports,
                negated: false,
            },
        ],
        action: Action::Accept,
    }
}

/// Accept rules for one service; an unknown service gives an undecided rule.
pub(super) fn service_rules(name: &str, source: SourceLine) -> Vec<Rule> {
    match service_ports(name) {
        Some(ports) => ports
            .iter()
            .map(|&(lo, hi, proto)| port_rule(PortSet(vec![(lo, hi)]), proto, source.clone()))
            .collect(),
        None => vec![Rule {
            source,
            matches: vec![Match::Unknown {
                text: format!(
                    "firewalld service `{name}`: its ports are not known here (paste `firewall-cmd --info-service={name}`)"
                ),
                why: Undecided::ServicePorts,
            }],
            action: Action::Accept,
        }],
    }
}
