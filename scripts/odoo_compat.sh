#!/usr/bin/env bash
# Odoo 17's own mail_group test-suite against this addon (drop-in compatibility).
#
# The tests are read at run time from the installed Odoo source (nothing of Odoo's
# is committed), copied into a throw-away addon that depends on ours, with only
# their import paths and `mail_group.` xml ids rewritten; the addon is installed
# in a fresh database and the tests run with Odoo's own runner. Prints
# "N passed, M failed" and fails unless every test passes.
#
# Environment (all optional): COMPAT_DB (default wmg_compat_<pid>),
# COMPAT_HTTP_PORT (default 8079), KEEP_DB=1, PYTHON.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
log() { printf '[compat] %s\n' "$*" >&2; }

ODOO_PKG=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')
SRC=""
for d in "$(dirname "$ODOO_PKG")/addons/mail_group/tests" "$ODOO_PKG/addons/mail_group/tests"; do
    [ -d "$d" ] && SRC=$d && break
done
if [ -z "$SRC" ]; then
    echo "error: Odoo's addons/mail_group/tests not found next to $ODOO_PKG" >&2
    exit 1
fi
ODOO_ADDONS=$(dirname "$(dirname "$SRC")")

DB=${COMPAT_DB:-wmg_compat_$$}
PORT=${COMPAT_HTTP_PORT:-8079}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wmg-compat.XXXXXX")
. "$ROOT/scripts/dns_stub.sh"
cleanup() {
    local rc=$?
    [ -z "${OWN_DNS_STUB:-}" ] || stop_dns_stub
    if [ "${KEEP_DB:-0}" = 1 ]; then
        log "KEEP_DB=1: kept database $DB and $WORK"
    else
        { dropdb --if-exists --force "$DB" || dropdb --if-exists "$DB"; } 2>/dev/null || true
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

# the throw-away addon: Odoo's tests, imports and xml ids pointed at ours
ADDON=$WORK/addons/wmg_odoo_compat
mkdir -p "$ADDON/tests"
cat > "$ADDON/__init__.py" <<'EOF'
EOF
cat > "$ADDON/__manifest__.py" <<'EOF'
{'name': 'Odoo mail_group tests against website_mail_group', 'version': '1.0',
 'depends': ['website_mail_group'], 'data': ['dns.xml'], 'license': 'LGPL-3', 'installable': True}
EOF
[ -n "${WMG_TEST_DNS:-}" ] || { start_dns_stub "$WORK"; OWN_DNS_STUB=1; }
cat > "$ADDON/dns.xml" <<EOF
<odoo><function model="ir.config_parameter" name="set_param">
    <value>website_mail_group.dns_nameservers</value><value>$WMG_TEST_DNS</value>
</function></odoo>
EOF
for f in "$SRC"/*.py; do
    sed -e 's/odoo\.addons\.mail_group\.tests/odoo.addons.wmg_odoo_compat.tests/g' \
        -e "s/\(['\"]\)mail_group\./\1website_mail_group./g" \
        "$f" > "$ADDON/tests/$(basename "$f")"
done
count=$(grep -hcE '^\s+def test_' "$ADDON"/tests/test_*.py | paste -sd+ | bc)

cat > "$WORK/odoo.conf" <<EOF
[options]
addons_path = $ROOT,$WORK/addons,$ODOO_ADDONS
data_dir = $WORK/data
db_name = $DB
list_db = False
http_interface = 127.0.0.1
http_port = $PORT
max_cron_threads = 0
EOF

log "running Odoo's mail_group tests ($count, from $SRC) against website_mail_group in $DB"
set +e
(cd "$WORK" && "$PY" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i wmg_odoo_compat --test-enable \
    --test-tags /wmg_odoo_compat --stop-after-init --without-demo=all --log-level=info) \
    > "$WORK/odoo.log" 2>&1
rc=$?
set -e
grep -E '^(FAIL|ERROR): |^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) .*(FAIL|ERROR): ' "$WORK/odoo.log" \
    | sed -E 's/^.*((FAIL|ERROR): .*)$/\1/' | sort -u >&2 || true
summary=$(grep -Eo '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$WORK/odoo.log" | tail -1 || true)
if [ -z "$summary" ]; then
    if [ "$rc" -ne 0 ] || ! grep -q 'tests when loading database' "$WORK/odoo.log"; then
        tail -40 "$WORK/odoo.log" >&2
        echo "error: Odoo's mail_group tests did not run (exit $rc)" >&2
        exit 1
    fi
fi
read -r failed errors total <<<"$(echo "$summary" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')"
bad=$((failed + errors))
echo "odoo mail_group tests: $((total - bad)) passed, $bad failed"
if [ "$total" -ne "$count" ]; then
    echo "error: Odoo ran $total tests, the suite has $count" >&2
    exit 1
fi
[ "$bad" -eq 0 ]
