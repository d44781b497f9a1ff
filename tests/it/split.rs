//! Whole tickets cut into blocks: kinds, commands and line ranges.

use err521::parse::split::{command_of, split, BlockKind};
use err521::text::lines;

fn blocks(name: &str) -> Vec<(BlockKind, Option<String>, usize, usize)> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "missing {path}");
    split(&lines(&text))
        .into_iter()
        .map(|b| {
            (
                b.kind,
                b.command.map(str::to_string),
                b.first_line,
                b.last_line,
            )
        })
        .collect()
}

fn kinds(bs: &[(BlockKind, Option<String>, usize, usize)]) -> Vec<BlockKind> {
    bs.iter().map(|b| b.0).collect()
}

#[test]
fn plain_ticket_with_prompts_quotes_and_prose() {
    use BlockKind::*;
    let bs = blocks("tickets/ufw-partial-allowlist.txt");
    assert_eq!(
        kinds(&bs),
        vec![
            Prose,
            ErrorPage,
            Prose,
            ServiceStatus,
            Ufw,
            Listeners,
            Prose
        ]
    );
    // The command line above an output names it and starts its block.
    assert_eq!(bs[4].1.as_deref(), Some("ufw status verbose"));
    assert_eq!((bs[4].2, bs[4].3), (31, 55));
    // The sign-off after the last output is not part of the ss output.
    assert_eq!(bs[5].3, 64);
}

#[test]
fn markdown_fences_console_prompts_and_backticked_commands() {
    use BlockKind::*;
    let bs = blocks("tickets/mixed-fences-failed-nginx.md");
    assert_eq!(
        kinds(&bs),
        vec![Prose, ServiceStatus, Prose, Iptables, Resources]
    );
    assert_eq!(bs[1].1.as_deref(), Some("sudo systemctl status nginx"));
    assert_eq!(bs[3].1.as_deref(), Some("iptables -S INPUT"));
    assert_eq!(bs[4].1.as_deref(), Some("free -m"));
}

#[test]
fn every_line_lands_in_exactly_one_block() {
    for name in [
        "tickets/ufw-partial-allowlist.txt",
        "tickets/mixed-fences-failed-nginx.md",
        "error-page/visible-text-521.txt",
        "nftables/openwrt-fw4.nft",
    ] {
        let bs = blocks(name);
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let total = lines(&std::fs::read_to_string(path).unwrap_or_default()).len();
        let mut expected = 1;
        for b in &bs {
            assert_eq!(b.2, expected, "{name}: gap or overlap before {b:?}");
            expected = b.3 + 1;
        }
        assert_eq!(expected, total + 1, "{name}: lines after the last block");
    }
}

#[test]
fn nft_ruleset_with_blank_lines_stays_one_block() {
    let bs = blocks("nftables/iptables-nft-ufw-docker.nft");
    assert_eq!(kinds(&bs), vec![BlockKind::Nftables]);
}

#[test]
fn visible_error_page_text_is_found_between_its_prose() {
    let bs = blocks("error-page/visible-text-521.txt");
    assert_eq!(
        kinds(&bs),
        vec![BlockKind::ErrorPage, BlockKind::Prose, BlockKind::ErrorPage]
    );
}

#[test]
fn prompts_of_every_shell() {
    for (line, want) in [
        ("root@web1:~# ufw status", Some("ufw status")),
        ("user@host:/var/www$ sudo ss -tlnp", Some("sudo ss -tlnp")),
        ("[root@web2 ~]# nft list ruleset", Some("nft list ruleset")),
        (
            "$ curl -sv https://example.com/",
            Some("curl -sv https://example.com/"),
        ),
        ("# iptables-save", Some("iptables-save")),
        (
            "PS C:\\Users\\me> Test-NetConnection 203.0.113.5 -Port 443",
            Some("Test-NetConnection 203.0.113.5 -Port 443"),
        ),
        ("sudo iptables -L -n -v", Some("sudo iptables -L -n -v")),
        ("free -m", Some("free -m")),
        ("host example.com", Some("host example.com")),
        // Output and prose that begin with a command's name are not commands.
        ("host not found in upstream \"app:3000\"", None),
        ("free memory is low on the box", None),
        ("\t\tip saddr 45.148.10.0/24 drop", None),
        ("ufw is active and I allowed port 443.", None),
        ("nginx: [emerg] bind() to 0.0.0.0:80 failed", None),
        ("Status: active", None),
        // A program's own kernel or log lines that start with its name.
        (
            "nginx invoked oom-killer: gfp_mask=0x280da, order=0, oom_adj=0",
            None,
        ),
        ("nginx cpuset=/ mems_allowed=0", None),
        ("mysqld invoked oom-killer: gfp_mask=0x201da", None),
        (
            "sysctl net.ipv6.conf.all.disable_ipv6=1",
            Some("sysctl net.ipv6.conf.all.disable_ipv6=1"),
        ),
        ("nginx -s reload", Some("nginx -s reload")),
        (
            "sudo service apache2 start",
            Some("sudo service apache2 start"),
        ),
        ("service nginx is not running", None),
    ] {
        assert_eq!(command_of(line), want, "{line}");
    }
}

#[test]
fn a_kind_corrected_by_hand_is_honoured() {
    use err521::options::Options;
    use err521::parse::split::KindOverride;
    use err521::parse::CaseInput;
    // A bare deny list, no command line: nothing names it.
    let text =
        "162.158.88.14 # lfd: (nginx) blocked - Tue Nov 24 10:11:12 2026\n172.70.135.9 # manual\n";
    let input = CaseInput::new("paste", text);
    let plain = err521::analyze(std::slice::from_ref(&input), &Options::default());
    let first = plain.inputs.first().map(|b| (b.kind, b.first_line));
    assert_ne!(first.map(|f| f.0), Some(BlockKind::Csf));
    let block = err521::parse::kind::fingerprint(&err521::text::lines(text), 1, 2);
    let options = Options {
        kind_overrides: vec![KindOverride {
            input: "paste".into(),
            first_line: 1,
            block,
            kind: BlockKind::Csf,
        }],
        ..Options::default()
    };
    let fixed = err521::analyze(std::slice::from_ref(&input), &options);
    assert_eq!(fixed.inputs.first().map(|b| b.kind), Some(BlockKind::Csf));
    assert!(fixed.inputs.first().is_some_and(|b| b.understood_lines > 0));
    // The report keeps what the splitter had detected, for the page's menu.
    assert_eq!(plain.inputs.first().map(|b| b.detected_kind), Some(None));
    assert_eq!(
        fixed.inputs.first().map(|b| b.detected_kind),
        Some(first.map(|f| f.0))
    );
    // "Correcting" a block to the kind it was detected as is no correction.
    let detected = first.map_or(BlockKind::Unknown, |f| f.0);
    let same = Options {
        kind_overrides: vec![KindOverride {
            input: "paste".into(),
            first_line: 1,
            block,
            kind: detected,
        }],
        ..Options::default()
    };
    let same = err521::analyze(&[input], &same);
    assert_eq!(
        same.inputs.first().map(|b| (b.kind, b.detected_kind)),
        Some((detected, None))
    );
}

#[test]
fn a_kind_correction_belongs_to_its_block_text_not_its_position() {
    use err521::options::Options;
    use err521::parse::kind::{fingerprint, KindOverride};
    use err521::parse::CaseInput;
    // The person corrected the first block of one paste (a bare deny list
    // nothing names) to "ipset"...
    let corrected =
        "162.158.88.14 # lfd: (nginx) blocked - Tue Nov 24 10:11:12 2026\n172.70.135.9 # manual\n";
    let block = fingerprint(&err521::text::lines(corrected), 1, 2);
    let options = Options {
        kind_overrides: vec![KindOverride {
            input: "paste".into(),
            first_line: 1,
            block,
            kind: BlockKind::Ipset,
        }],
        ..Options::default()
    };
    // ...then replaced it with a plain `iptables -S`: its first block is
    // read as what it is, every line understood.
    let other = "-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n";
    let report = err521::analyze(&[CaseInput::new("paste", other)], &options);
    let first = report.inputs.first().expect("a block");
    assert_eq!(
        (first.kind, first.detected_kind),
        (BlockKind::Iptables, None)
    );
    assert_eq!(report.not_understood_count, 0);
    // The corrected block, moved down by a line of prose, keeps its kind.
    let moved = format!("The set Cloudflare should be in:\n\n{corrected}");
    let report = err521::analyze(&[CaseInput::new("paste", moved)], &options);
    let set = report
        .inputs
        .iter()
        .find(|b| b.first_line == 3)
        .expect("the corrected block");
    assert_eq!(set.kind, BlockKind::Ipset);
    assert!(set.detected_kind.is_some_and(|k| k != BlockKind::Ipset));
    // Only in the input it was made in.
    let elsewhere = err521::analyze(&[CaseInput::new("firewall", corrected)], &options);
    assert!(elsewhere.inputs.iter().all(|b| b.detected_kind.is_none()));
}

#[test]
fn every_kind_is_listed_once_with_its_own_label_and_id() {
    use BlockKind::*;
    // A new variant breaks this match, and so reminds whoever adds it to
    // list it in `ALL` (the page's correction menu).
    let position = |k: BlockKind| match k {
        ErrorPage => 0,
        Probe => 1,
        Ufw => 2,
        Iptables => 3,
        Nftables => 4,
        Ipset => 5,
        Firewalld => 6,
        Csf => 7,
        Bans => 8,
        CloudFirewall => 9,
        Dns => 10,
        Addresses => 11,
        ServiceStatus => 12,
        ConfigTest => 13,
        WebConfig => 14,
        Listeners => 15,
        Logs => 16,
        Containers => 17,
        Resources => 18,
        Prose => 19,
        Unknown => 20,
    };
    for (i, k) in BlockKind::ALL.iter().enumerate() {
        assert_eq!(position(*k), i, "{k:?}");
    }
    let mut labels: Vec<_> = BlockKind::ALL.iter().map(|k| k.label()).collect();
    let mut ids: Vec<_> = BlockKind::ALL
        .iter()
        .map(|k| serde_json::to_string(k).unwrap_or_default())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((labels.len(), ids.len()), (21, 21));
}

#[test]
fn a_prompt_with_nothing_typed_is_not_output() {
    let text = "admin@web:~$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511          0.0.0.0:80        0.0.0.0:*     users:((\"nginx\",pid=812,fd=6))\n\nadmin@web:~$ \n";
    let r = err521::analyze(
        &[err521::parse::CaseInput::new("t", text)],
        &err521::options::Options::default(),
    );
    assert_eq!(r.not_understood_count, 0, "{:?}", r.not_understood);
    let kinds: Vec<BlockKind> = r.inputs.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, [BlockKind::Listeners, BlockKind::Prose]);
}

/// Sentences in Chinese between outputs pasted with no blank line: each
/// output becomes a block of its own kind, each sentence prose.
#[test]
fn cjk_sentences_separate_outputs_without_blank_lines() {
    use BlockKind::*;
    let text = "一，执行nginx -t命令后，结果显示配置正确\n\
nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
nginx: configuration file /etc/nginx/nginx.conf test is successful\n\
二，执行ps -ef | grep nginx命令，\n\
root     14931     1  0 15:28 ?        00:00:00 nginx: master process /usr/sbin/nginx\n\
nginx    14932 14931  0 15:28 ?        00:00:00 nginx: worker process\n\
root     14976 14594  0 15:41 pts/1    00:00:00 grep --color=auto nginx\n\
三，执行netstat -lnpt命令，输出\n\
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      2570/sshd\n\
tcp        0      0 0.0.0.0:443             0.0.0.0:*               LISTEN      12580/trojan\n\
tcp6       0      0 :::22                   :::*                    LISTEN      2570/sshd\n";
    let got: Vec<BlockKind> = split(&lines(text)).into_iter().map(|b| b.kind).collect();
    assert_eq!(
        got,
        vec![Prose, ConfigTest, Prose, ServiceStatus, Prose, Listeners]
    );
}

/// A row set in Markdown bold is still a row of its table.
#[test]
fn a_bold_row_is_read_as_its_table_row() {
    let text = "$ docker-compose ps\nName               Command               State       Ports\n------------------------------------------------------------\n**nginx   /docker-entrypoint.sh ngin ...   Exit 1**\n";
    let bs = split(&lines(text));
    assert_eq!(bs.len(), 1);
    assert_eq!(bs[0].kind, BlockKind::Containers);
    assert_eq!(
        bs[0].lines.last().map(|l| l.text),
        Some("nginx   /docker-entrypoint.sh ngin ...   Exit 1")
    );
}

#[test]
fn an_nft_ruleset_after_its_command_stays_whole_though_a_chain_logs_like_a_ban() {
    // iptables-nft's chains as `nft list ruleset` prints them, one
    // paragraph each; `log prefix "[UFW BLOCK] "` alone would read as bans.
    // (The collector's own header and notes are left to the case reader.)
    let bs = blocks("collector/iptables-nft-chains.txt");
    let nft: Vec<_> = bs.iter().filter(|b| b.0 == BlockKind::Nftables).collect();
    assert_eq!(nft.len(), 1, "{bs:?}");
    assert_eq!(nft[0].1.as_deref(), Some("nft list ruleset"));
    assert!(nft[0].2 == 3 && (85..=86).contains(&nft[0].3), "{bs:?}");
    assert!(!kinds(&bs).contains(&BlockKind::Bans), "{bs:?}");
}
