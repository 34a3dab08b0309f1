# Sourced by the test scripts: a DNS server on 127.0.0.1 that answers NXDOMAIN to
# every name (website_mail_group/tests/dns_server.py), so sender authentication in
# the tests never asks the machine's resolver. Sets WMG_TEST_DNS (host:port) and
# DNS_STUB_PID; `dns_stub_param DB` points the database's look-ups at it.
start_dns_stub() {
    local out=$1/dns.addr
    "$PY" "$ROOT/website_mail_group/tests/dns_server.py" > "$out" &
    DNS_STUB_PID=$!
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
    WMG_TEST_DNS=$(head -1 "$out")
    [[ "$WMG_TEST_DNS" =~ ^127\.0\.0\.1:[0-9]+$ ]] || { echo "error: the test DNS server did not start" >&2; return 1; }
    export WMG_TEST_DNS
}

stop_dns_stub() {
    [ -n "${DNS_STUB_PID:-}" ] && kill "$DNS_STUB_PID" 2>/dev/null || true
}

dns_stub_param() {
    psql -q -d "$1" -v value="$WMG_TEST_DNS" <<'SQL'
INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
VALUES ('website_mail_group.dns_nameservers', :'value', 1, 1, now(), now())
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
SQL
}
