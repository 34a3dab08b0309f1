#!/usr/bin/env bash
# The documented switch from Odoo's own mail_group + website_mail_group, tested
# (make test runs it): a fresh database with Odoo's pair installed from Odoo's
# addons path only, filled through Odoo's models (switch_populate.py), switched
# with scripts/switch_from_odoo.py, checked record by record and with our
# features (switch_check.py), then its website pages fetched as a visitor.
#
# Environment (all optional): SWITCH_DB (default wmg_switch_<pid>),
# SWITCH_HTTP_PORT (default 8089), KEEP_DB=1, PYTHON.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
log() { printf '[switch-test] %s\n' "$*" >&2; }

ODOO_PKG=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')
ODOO_ADDONS=()
for d in "$(dirname "$ODOO_PKG")/addons" "$ODOO_PKG/addons"; do
    [ -d "$d" ] && ODOO_ADDONS+=("$d")
done
ODOO_PATH=$(IFS=,; echo "${ODOO_ADDONS[*]}")
[ -d "${ODOO_ADDONS[0]}/mail_group" ] || { echo "error: Odoo's mail_group not found in $ODOO_PATH" >&2; exit 1; }

DB=${SWITCH_DB:-wmg_switch_$$}
PORT=${SWITCH_HTTP_PORT:-8089}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wmg-switch.XXXXXX")
SERVER=
. "$ROOT/scripts/dns_stub.sh"
cleanup() {
    local rc=$?
    [ -z "${OWN_DNS_STUB:-}" ] || stop_dns_stub
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    if [ "${KEEP_DB:-0}" = 1 ]; then
        log "KEEP_DB=1: kept database $DB and $WORK"
    else
        { dropdb --if-exists --force "$DB" || dropdb --if-exists "$DB"; } 2>/dev/null || true
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

# Odoo's configuration before the switch: Odoo's addons only
cat > "$WORK/odoo.conf" <<EOF
[options]
addons_path = $ODOO_PATH
data_dir = $WORK/data
list_db = False
http_interface = 127.0.0.1
http_port = $PORT
max_cron_threads = 0
EOF
# after the switch: this repository first
sed "s|^addons_path = .*|addons_path = $ROOT,$ODOO_PATH|" "$WORK/odoo.conf" > "$WORK/ours.conf"

dropdb --if-exists "$DB" 2>/dev/null || true
log "installing Odoo's mail_group + website_mail_group ($ODOO_PATH) into $DB"
(cd / && "$PY" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i mail_group,website_mail_group --stop-after-init \
    --without-demo=all --log-level=warn) > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log" >&2; exit 1; }
(cd / && "$PY" "$ROOT/scripts/switch_populate.py" -c "$WORK/odoo.conf" -d "$DB" --snapshot "$WORK/before.json" \
    2> "$WORK/populate.log") || { tail -30 "$WORK/populate.log" >&2; exit 1; }

log "switching (scripts/switch_from_odoo.py)"
(cd / && "$PY" "$ROOT/scripts/switch_from_odoo.py" -c "$WORK/odoo.conf" -d "$DB" --log "$WORK/switch.log")
if grep -Eq '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$WORK/switch.log"; then
    echo "error: the update of the switch logged errors ($WORK/switch.log)" >&2
    exit 1
fi
log "switching again must refuse (nothing to switch)"
if (cd / && "$PY" "$ROOT/scripts/switch_from_odoo.py" -c "$WORK/odoo.conf" -d "$DB" --log "$WORK/again.log") \
        > "$WORK/again.out" 2>&1 || ! grep -q 'nothing to switch' "$WORK/again.out"; then
    cat "$WORK/again.out" >&2
    echo "error: a second switch did not refuse" >&2
    exit 1
fi

[ -n "${WMG_TEST_DNS:-}" ] || { start_dns_stub "$WORK"; OWN_DNS_STUB=1; }
dns_stub_param "$DB"
log "checking the switched database record by record (scripts/switch_check.py)"
(cd / && "$PY" "$ROOT/scripts/switch_check.py" -c "$WORK/ours.conf" -d "$DB" --snapshot "$WORK/before.json" \
    --urls "$WORK/urls.txt" 2> "$WORK/check.log") || { grep -E ' (ERROR|CRITICAL) ' "$WORK/check.log" >&2; exit 1; }

log "the website of the switched database, as a visitor (port $PORT)"
(cd / && exec "$PY" -m odoo -c "$WORK/ours.conf" -d "$DB" --db-filter="^$DB\$" --log-level=warn) \
    > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 60); do
    curl -sf "http://127.0.0.1:$PORT/web/health" > /dev/null && break
    sleep 1
done
failed=0
while IFS='|' read -r path shown hidden; do
    status=$(curl -s -o "$WORK/page.html" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    if [ "$status" = 200 ] && grep -qF "$shown" "$WORK/page.html" && ! grep -qF "$hidden" "$WORK/page.html"; then
        echo "ok   GET $path: 200, shows \"$shown\", not \"$hidden\""
    else
        echo "FAIL GET $path: $status (expected 200 showing \"$shown\", not \"$hidden\")"
        failed=1
    fi
done < "$WORK/urls.txt"
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$WORK/server.log" >&2; then
    echo "error: the server logged errors" >&2
    failed=1
fi
[ "$failed" = 0 ]
