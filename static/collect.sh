#!/bin/sh
# err521 collect.sh: gathers, read-only, what explains a Cloudflare error 521
# on this server (firewalls, bans, web servers, listeners, resources, DNS),
# in the shape the err521 page reads. It changes no rule, service or file.
# Paste its output into the page, or run `err521 collect --run`.
#
# Usage: sh collect.sh [--host www.example.com] [--redact]
#   --host NAME   also resolve NAME and probe this origin as NAME on 80 and 443
#   --redact      mask public addresses and host names (Cloudflare's stay)
#
# Every command runs under a short timeout; the whole run takes under 15 s
# and prints under 1 MB. Certificate bodies, keys, passwords and tokens are
# left out. docs/COLLECT.md lists every command and why it is safe.

VERSION=1
PER_CMD=4        # seconds any one command may take
BUDGET=12        # seconds after which slow sections are skipped
MAX_LINES=3000   # lines kept of any one command's output
MAX_BYTES=1000000

site=""
redact=0
while [ $# -gt 0 ]; do
  case "$1" in
    --host)
      [ $# -ge 2 ] || { echo 'collect.sh: --host needs a name' >&2; exit 2; }
      site=$2; shift ;;
    --host=*) site="${1#--host=}" ;;
    --redact) redact=1 ;;
    -h|--help) sed -n '2,13p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'collect.sh: unknown option %s (try --help)\n' "$1" >&2; exit 2 ;;
  esac
  shift
done
# A host name is letters, digits, dots and dashes, and no option; anything
# else is refused rather than passed to a shell or to dig and curl.
case "$site" in
  -*|*[!A-Za-z0-9.-]*) printf 'collect.sh: %s is not a host name\n' "$site" >&2; exit 2 ;;
esac

PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"
export PATH LC_ALL=C

have() { command -v "$1" >/dev/null 2>&1; }
started=$(date +%s 2>/dev/null || echo 0)
elapsed() { echo $(( $(date +%s 2>/dev/null || echo 0) - started )); }

if have timeout; then
  limit() { timeout -k 1 "$PER_CMD" "$@"; }
else
  limit() { "$@"; }
fi

# Print the command line a person would type, then its output (stderr too:
# `nginx -t` and curl -v speak there), cut to MAX_LINES.
run() {
  printf '\n$ %s\n' "$1"
  if [ "$(elapsed)" -ge "$BUDGET" ]; then
    printf '# collect.sh: skipped, the %s s budget is spent\n' "$BUDGET"
    return 0
  fi
  limit sh -c "$1" 2>&1 </dev/null | awk -v max="$MAX_LINES" '
    NR <= max { print }
    END { if (NR > max) printf "# collect.sh: cut after %d of %d lines\n", max, NR }'
}

note() { printf '# collect.sh: %s\n' "$*"; }

# Web server names this host has, for status and journal sections.
servers=""
add_server() { case " $servers " in *" $1 "*) ;; *) servers="$servers $1" ;; esac; }

collect() {
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
  me=$(hostname 2>/dev/null || uname -n)
  uid=$(id -u 2>/dev/null || echo unknown)
  printf '# err521 collect.sh v%s %s host=%s uid=%s%s\n' "$VERSION" "$now" "$me" "$uid" \
    "${site:+ site=$site}"
  if [ "$uid" != 0 ]; then
    note "not running as root: firewall, ban and socket owner listings need root; run it with sudo"
  fi
  absent=""
  idle=""

  # Firewalls and bans.
  if have ufw; then run 'ufw status verbose'; else absent="$absent ufw"; fi
  if have iptables-save; then
    run 'iptables-save'
  else absent="$absent iptables"; fi
  if have ip6tables-save; then run 'ip6tables-save'; fi
  if have nft; then run 'nft list ruleset'; else absent="$absent nft"; fi
  if have firewall-cmd && limit firewall-cmd --state >/dev/null 2>&1; then
    run 'firewall-cmd --get-active-zones'
    run 'firewall-cmd --list-all-zones'
  elif have firewall-cmd; then idle="$idle firewalld"
  else absent="$absent firewalld"; fi
  if have csf; then
    run 'csf -l'
    for f in /etc/csf/csf.allow /etc/csf/csf.deny /etc/csf/csf.ignore; do
      [ -r "$f" ] && run "grep -v -E '^[[:space:]]*(#|\$)' $f"
    done
  else absent="$absent csf"; fi
  if have fail2ban-client && limit fail2ban-client ping >/dev/null 2>&1; then
    run 'fail2ban-client status'
    jails=$(limit fail2ban-client status 2>/dev/null |
      sed -n 's/.*Jail list:[[:space:]]*//p' | tr ',' ' ')
    for j in $jails; do
      case "$j" in *[!A-Za-z0-9_.-]*) continue ;; esac
      run "fail2ban-client status $j"
    done
  elif have fail2ban-client; then idle="$idle fail2ban"
  else absent="$absent fail2ban"; fi
  if have ipset; then run 'ipset list'; else absent="$absent ipset"; fi
  if have imunify360-agent; then
    run 'imunify360-agent version'
    run 'imunify360-agent blacklist ip list --limit 200'
  else absent="$absent imunify360"; fi
  if have bitninjacli || [ -d /etc/bitninja ]; then
    note "BitNinja is installed: its blocks are the ipsets and iptables chains above"
  else absent="$absent bitninja"; fi

  # Web servers: configuration test, the listen-related lines of the
  # configuration (never certificate bodies), recent errors.
  if have nginx; then
    add_server nginx
    run 'nginx -t'
    # The whole dump with every other line blanked, so line numbers still
    # point into each file; block openers keep only their first word.
    run "nginx -T 2>&1 | awk '/^nginx: |^# configuration file |^[[:space:]]*(listen|server_name|ssl_certificate|ssl_certificate_key|proxy_pass|include)[[:space:]]/ { print; next } /^[[:space:]]*[a-z_]+[^{};]*[{][[:space:]]*\$/ { print \$1 \" {\"; next } /^[[:space:]]*[}][[:space:]]*\$/ { print \"}\"; next } { print \"\" }'"
    # The error logs the configuration names (bind and start failures land
    # there when no journal keeps them), else Debian's default.
    logs=$(limit nginx -T 2>/dev/null |
      sed -n 's/^[[:space:]]*error_log[[:space:]][[:space:]]*\([^[:space:];]*\).*/\1/p' | sort -u)
    for f in ${logs:-/var/log/nginx/error.log}; do
      case "$f" in /*) ;; *) continue ;; esac
      case "$f" in *[!A-Za-z0-9/._-]*) continue ;; esac
      [ -r "$f" ] && run "grep -E '\\[(emerg|alert|crit)\\]' $f | tail -n 20"
    done
  else absent="$absent nginx"; fi
  apache=""
  for a in apache2ctl apachectl httpd; do
    if have "$a"; then apache=$a; break; fi
  done
  if [ -n "$apache" ]; then
    if [ -d /etc/apache2 ]; then add_server apache2; else add_server httpd; fi
    run "$apache -t"
    run "$apache -S"
    for f in /var/log/apache2/error.log /var/log/httpd/error_log; do
      [ -r "$f" ] &&
        run "grep -E ':(emerg|alert|crit)\\]|\\[(emerg|alert|crit)\\]' $f | tail -n 20"
    done
  else absent="$absent apache"; fi
  if have caddy; then
    add_server caddy
    if [ -r /etc/caddy/Caddyfile ]; then
      run 'caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile'
      run "grep -n -E '^[^#]*(\\{|:[0-9]+|https?://|reverse_proxy|bind|tls)' /etc/caddy/Caddyfile"
    fi
  else absent="$absent caddy"; fi
  if [ -x /usr/local/lsws/bin/lswsctrl ]; then
    add_server lsws
    run '/usr/local/lsws/bin/lswsctrl status'
    for f in /usr/local/lsws/conf/httpd_config.conf /usr/local/lsws/conf/httpd_config.xml; do
      [ -r "$f" ] && run "grep -n -i -E 'listener|address|secure' $f"
    done
  else absent="$absent litespeed"; fi

  # Services: systemd when it runs, else the init scripts.
  if [ -d /run/systemd/system ] && have systemctl; then
    for s in $servers; do
      run "systemctl status $s --no-pager -l"
      have journalctl && run "journalctl -u $s -n 50 --no-pager"
    done
  else
    note "systemd is not running on this host (no /run/systemd/system): service state from the init scripts"
    for s in $servers; do
      [ -x "/etc/init.d/$s" ] && run "service $s status"
    done
  fi

  # Listeners and containers.
  if have ss; then run 'ss -tlnp'
  elif have netstat; then run 'netstat -tlnp'
  else absent="$absent ss"; fi
  if have docker && [ -S /var/run/docker.sock ] && limit docker info >/dev/null 2>&1; then
    run 'docker ps'
  elif have docker; then idle="$idle docker"
  else absent="$absent docker"; fi

  # The host: addresses, routes, IPv6 switches, memory, load, limits, OOM.
  if have ip; then
    run 'ip -br addr'
    run 'ip route'
    run 'ip -6 route'
  else absent="$absent ip"; fi
  run 'sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6'
  run 'free -m'
  run 'uptime'
  run 'nproc'
  run 'ulimit -n'
  run "dmesg -T 2>&1 | grep -i -E 'out of memory|oom-kill|killed process|not permitted' | tail -n 20"

  # DNS and probes of this origin as the site, when a name is given.
  if [ -n "$site" ]; then
    if have dig; then
      run "dig +short +time=2 +tries=1 A $site"
      run "dig +short +time=2 +tries=1 AAAA $site"
    else absent="$absent dig"; fi
    own=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
    own=${own:-127.0.0.1}
    if have curl; then
      run "curl -sv -o /dev/null --max-time 3 --resolve $site:80:$own http://$site/"
      run "curl -sv -k -o /dev/null --max-time 3 --resolve $site:443:$own https://$site/"
    else absent="$absent curl"; fi
  fi
  printf '\n# collect.sh: not present on this host:%s\n' "$absent"
  [ -n "$idle" ] && note "installed but not running:$idle"
  printf '# collect.sh: done in %s s\n' "$(elapsed)"
}

# Always: drop certificate and key bodies, and the values of anything named
# like a secret. With --redact: mask public addresses (Cloudflare's,
# private and documentation ones stay) and the host names seen.
filter() {
  awk -v redact="$redact" -v site="$site" '
  function v4num(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
  function keep_v4(a,   p, n, i, c, base, bits) {
    split(a, p, ".")
    if (p[1] > 255 || p[2] > 255 || p[3] > 255 || p[4] > 255) return 1
    if (p[1] == 10 || p[1] == 127 || p[1] == 0 || p[1] >= 224) return 1
    if (p[1] == 172 && p[2] >= 16 && p[2] < 32) return 1
    if (p[1] == 192 && p[2] == 168) return 1
    if (p[1] == 169 && p[2] == 254) return 1
    if (p[1] == 100 && p[2] >= 64 && p[2] < 128) return 1
    if (a ~ /^(192\.0\.2|198\.51\.100|203\.0\.113)\./) return 1
    n = v4num(a)
    for (i = 1; i <= ncf; i++) {
      split(cf[i], c, "/"); base = v4num(c[1]); bits = 2 ^ (32 - c[2])
      if (n >= base && n < base + bits) return 1
    }
    return 0
  }
  function keep_v6(a,   l) {
    l = tolower(a)
    return l ~ /^(::1?$|fe[89ab]|f[cd]|2001:db8:|2400:cb00:|2606:4700:|2803:f800:|2405:b500:|2405:8100:|2a06:98c0:|2c0f:f248:|::ffff:)/
  }
  function mask(line,   out, tok, i) {
    out = ""
    while (match(line, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+|[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f]+/)) {
      tok = substr(line, RSTART, RLENGTH)
      if (tok ~ /\./) {
        if (!keep_v4(tok)) { if (!(tok in map4)) map4[tok] = "203.0.113." (++n4); tok = map4[tok] }
      } else if (tok ~ /::|:.*:.*:/ && tok !~ /:::|^[0-9]+:[0-9]+:[0-9]+$/ && !keep_v6(tok)) {
        if (!(tok in map6)) map6[tok] = "2001:db8::" (++n6); tok = map6[tok]
      }
      out = out substr(line, 1, RSTART - 1) tok
      line = substr(line, RSTART + RLENGTH)
    }
    out = out line
    # Longest names first, so www.example.org is not masked as www.<mask>.
    for (i = 1; i <= nh; i++) out = replace(out, byl[i], names[byl[i]])
    return out
  }
  function replace(s, from, to,   i, r) {
    r = ""
    while ((i = index(s, from)) > 0) { r = r substr(s, 1, i - 1) to; s = substr(s, i + length(from)) }
    return r s
  }
  function add_name(h) {
    gsub(/[;"'\'']/, "", h)
    if (h == "" || h == "_" || h ~ /^\*?\.?$/ || h ~ /^[0-9.:*]+$/ || h in names) return
    # Names that identify nobody stay, as in the page'\''s redaction.
    if (tolower(h) ~ /(^|\.)(example|example\.(com|net|org)|invalid|test|local|localhost|localdomain|cloudflare\.com)$/) return
    names[h] = "host-" (++nh) ".example"
    byl[nh] = h
  }
  BEGIN {
    ncf = split("173.245.48.0/20 103.21.244.0/22 103.22.200.0/22 103.31.4.0/22 141.101.64.0/18 108.162.192.0/18 190.93.240.0/20 188.114.96.0/20 197.234.240.0/22 198.41.128.0/17 162.158.0.0/15 104.16.0.0/13 104.24.0.0/14 172.64.0.0/13 131.0.72.0/22", cf, " ")
  }
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/ { pem = 1; lines[++nl] = "# collect.sh: removed a PEM block"; next }
  pem { if (/-----END /) pem = 0; next }
  {
    l = $0
    if (tolower(l) ~ /(password|passwd|secret|token|api[_-]?key|authorization|cookie)[[:space:]]*[=:]/) {
      sub(/[=:][[:space:]]*.*/, "= [removed by collect.sh]", l)
    }
    lines[++nl] = l
    if (redact) {
      if (l ~ /^# err521 collect\.sh .* host=[^ ]+/) { h = l; sub(/.* host=/, "", h); sub(/ .*/, "", h); add_name(h) }
      if (l ~ /^[[:space:]]*(server_name|ServerName|ServerAlias)[[:space:]]/) {
        k = split(l, w, /[[:space:]]+/)
        for (i = 1; i <= k; i++) if (w[i] != "" && w[i] !~ /^(server_name|ServerName|ServerAlias)$/) add_name(w[i])
      }
      if (l ~ /(namevhost|alias) [A-Za-z0-9.-]+/) {
        h = l; sub(/.*(namevhost|alias) /, "", h); sub(/[ (].*/, "", h); add_name(h)
      }
    }
  }
  END {
    if (redact && site != "") add_name(site)
    for (i = 1; i <= nh; i++) for (j = i + 1; j <= nh; j++)
      if (length(byl[j]) > length(byl[i])) { t = byl[i]; byl[i] = byl[j]; byl[j] = t }
    for (i = 1; i <= nl; i++) print (redact ? mask(lines[i]) : lines[i])
  }'
}

# Commands read /dev/null, never the rest of a script piped into sh.
collect </dev/null | filter | head -c "$MAX_BYTES"
