#!/usr/bin/env bash
# `make test`: set up the machine, create a fresh database, install the addon
# (with demo data), run every test with pytest-odoo (HttpCase and browser tests
# included), fail if any test is skipped, and drop the database.
#
# Environment (all optional):
#   TEST_DB          database name (default wmg_test_<pid>); dropped at the end
#   KEEP_DB=1        keep the database (and its data dir) for inspection
#   ADDONS_DIR       folder holding the addon (default: this repository)
#   MODULE           addons to install and test, comma-separated (default: website_mail_group)
#   TEST_PATH        what pytest runs (default: the tests folder of each of MODULE)
#   PYTEST_ARGS      extra pytest arguments, e.g. "-k moderation -x"
#   ODOO_LOG_LEVEL   Odoo log level while installing/testing (default: warn)
#   ODOO_SRC         Odoo 17 source tree, used by setup.sh when Odoo is not importable
#   TEST_HTTP_PORT   port of the test HTTP server (default 8069); give parallel runs their own
#   SKIP_ODOO_COMPAT=1  skip Odoo's own mail_group tests (scripts/odoo_compat.sh, port TEST_HTTP_PORT+1000)
#   SKIP_SWITCH_TEST=1  skip the switch from Odoo's mail_group (scripts/test_switch.sh, port TEST_HTTP_PORT+2000)
#   SKIP_BRIDGE_TEST=1  skip the bridge addons (website_mail_group_event, website_mail_group_mass_mailing:
#                       Events and Email Marketing installed in a database of their own, port TEST_HTTP_PORT+3000)
#   SKIP_DEPLOY_TEST=1  skip the production set-up of deploy/ (scripts/test_deployment.sh: Postfix and
#                       Odoo with workers; HTTP ports TEST_HTTP_PORT+10 and +11, SMTP 25xx, DNS 53xx,
#                       xx = the last two digits of TEST_HTTP_PORT)
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
# Odoo 17 imports pkg_resources, which setuptools 80 (see setup.sh) says is deprecated, in every process
export PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:pkg_resources is deprecated as an API:UserWarning"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
log() { printf '[test] %s\n' "$*" >&2; }

"$ROOT/scripts/setup.sh"

ADDONS_DIR=$(cd "${ADDONS_DIR:-$ROOT}" && pwd)
MODULE=${MODULE:-website_mail_group}
IFS=, read -ra MODULES <<< "$MODULE"
if [ -n "${TEST_PATH:-}" ]; then
    TEST_PATHS=("$TEST_PATH")
else
    TEST_PATHS=("${MODULES[@]/#/$ADDONS_DIR/}")
    TEST_PATHS=("${TEST_PATHS[@]/%//tests}")
fi
TEST_DB=${TEST_DB:-wmg_test_$$}
LOG_LEVEL=${ODOO_LOG_LEVEL:-warn}

# Odoo's own addons: <odoo package>/../addons (source tree) and <odoo package>/addons.
ODOO_PKG=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')
ODOO_ADDONS=()
for d in "$(dirname "$ODOO_PKG")/addons" "$ODOO_PKG/addons"; do
    [ -d "$d" ] && ODOO_ADDONS+=("$d")
done
# Our folder first: Odoo ships modules of the same name (website_mail_group).
ADDONS_PATH=$ADDONS_DIR$(printf ',%s' "${ODOO_ADDONS[@]}")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wmg-test.XXXXXX")
. "$ROOT/scripts/dns_stub.sh"
cleanup() {
    local rc=$?
    stop_dns_stub
    if [ "${KEEP_DB:-0}" = 1 ]; then
        log "KEEP_DB=1: kept database $TEST_DB and $WORK (config: $WORK/odoo.conf)"
    else
        { dropdb --if-exists --force "$TEST_DB" || dropdb --if-exists "$TEST_DB"; } 2>/dev/null || log "warning: could not drop database $TEST_DB"
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat > "$WORK/odoo.conf" <<EOF
[options]
addons_path = $ADDONS_PATH
data_dir = $WORK/data
db_name = $TEST_DB
dbfilter = ^$TEST_DB\$
list_db = False
http_interface = 127.0.0.1
http_port = ${TEST_HTTP_PORT:-8069}
max_cron_threads = 0
without_demo = False
EOF
# Odoo's own test modules (imported through shared test helpers) warn about their
# own deprecated imports: not ours to fix.
cat > "$WORK/pytest.ini" <<EOF
[pytest]
filterwarnings =
    ignore::PendingDeprecationWarning:odoo\.addons\.(?!website_mail_group)[a-z0-9_]+\.tests\.
EOF

# Refuse to test the wrong module: Odoo must resolve each of $MODULE to $ADDONS_DIR.
for name in "${MODULES[@]}"; do
    resolved=$(cd "$WORK" && "$PY" - "$WORK/odoo.conf" "$name" <<'EOF'
import sys
import odoo
from odoo.modules.module import get_module_path, initialize_sys_path
odoo.tools.config.parse_config(['-c', sys.argv[1]])
initialize_sys_path()
print(get_module_path(sys.argv[2], display_warning=False) or '')
EOF
)
    if [ "$resolved" != "$ADDONS_DIR/$name" ]; then
        echo "error: Odoo resolves module $name to '${resolved:-nothing}', expected $ADDONS_DIR/$name" >&2
        exit 1
    fi
done

if psql -d postgres -tAc "select 1 from pg_database where datname='$TEST_DB'" | grep -q 1; then
    log "dropping leftover database $TEST_DB"
    dropdb "$TEST_DB"
fi

log "testing the strictness plugin itself (scripts/tests)"
if ! (cd "$WORK" && PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" \
        "$PY" -m pytest "$ROOT/scripts/tests" -p pytester -p no:cacheprovider -q -W ignore::DeprecationWarning \
        --rootdir="$ROOT/scripts" --color=no); then
    echo "error: the tests of scripts/pytest_wmg.py failed" >&2
    exit 1
fi

start_dns_stub "$WORK"
log "test DNS server on $WMG_TEST_DNS (website_mail_group.dns_nameservers of every test database)"

if [ "$MODULE" = website_mail_group ] && [ "${SKIP_ODOO_COMPAT:-0}" != 1 ]; then
    log "Odoo's own mail_group test-suite against ours (scripts/odoo_compat.sh)"
    COMPAT_DB="${TEST_DB}_odoo" COMPAT_HTTP_PORT="${COMPAT_HTTP_PORT:-$(( ${TEST_HTTP_PORT:-8069} + 1000 ))}" \
        "$ROOT/scripts/odoo_compat.sh" || { echo "error: Odoo's mail_group tests fail against this addon" >&2; exit 1; }
elif [ "$MODULE" = website_mail_group ]; then
    log "WARNING: SKIP_ODOO_COMPAT=1: Odoo's own mail_group tests are NOT run"
fi

if [ "$MODULE" = website_mail_group ] && [ "${SKIP_SWITCH_TEST:-0}" != 1 ]; then
    log "switching a database from Odoo's mail_group to ours (scripts/test_switch.sh)"
    SWITCH_DB="${TEST_DB}_switch" SWITCH_HTTP_PORT="${SWITCH_HTTP_PORT:-$(( ${TEST_HTTP_PORT:-8069} + 2000 ))}" \
        "$ROOT/scripts/test_switch.sh" || { echo "error: the switch from Odoo's mail_group fails" >&2; exit 1; }
elif [ "$MODULE" = website_mail_group ]; then
    log "WARNING: SKIP_SWITCH_TEST=1: the switch from Odoo's mail_group is NOT tested"
fi

if [ "$MODULE" = website_mail_group ] && [ "${SKIP_DEPLOY_TEST:-0}" != 1 ]; then
    log "the production set-up of deploy/: Postfix, Odoo with workers (scripts/test_deployment.sh)"
    port=${TEST_HTTP_PORT:-8069}
    DEPLOY_DB="${TEST_DB}_deploy" DEPLOY_HTTP_PORT=$((port + 10)) DEPLOY_SMTP_PORT=$((2500 + port % 100)) \
        DEPLOY_DNS_PORT=$((5300 + port % 100)) "$ROOT/scripts/test_deployment.sh" \
        || { echo "error: the production set-up of deploy/ fails" >&2; exit 1; }
elif [ "$MODULE" = website_mail_group ]; then
    log "WARNING: SKIP_DEPLOY_TEST=1: the production set-up (Postfix, workers) is NOT tested"
fi

log "installing $MODULE (with demo data) into fresh database $TEST_DB"
t0=$SECONDS
set +e
(cd "$WORK" && "$PY" -m odoo -c "$WORK/odoo.conf" -d "$TEST_DB" -i "$MODULE" \
    --stop-after-init --log-level="$LOG_LEVEL") 2>&1 | grep -v "^Running as user 'root' is a security risk" \
    | tee "$WORK/install.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
    echo "error: installing $MODULE failed (exit $rc)" >&2
    exit 1
fi
if grep -Eq '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$WORK/install.log"; then
    echo "error: installing $MODULE logged errors (see ERROR/CRITICAL lines above)" >&2
    exit 1
fi
for name in "${MODULES[@]}"; do
    state=$(psql -d "$TEST_DB" -tAc "select state from ir_module_module where name='$name'")
    if [ "$state" != installed ]; then
        echo "error: $name is '${state:-unknown}' after install, not 'installed'" >&2
        exit 1
    fi
done
dns_stub_param "$TEST_DB"
log "installed in $((SECONDS - t0))s; running tests"

# pytest runs from the scratch folder (not an addons folder) with absolute paths;
# -p pytest_wmg (scripts/) fails the run on skipped tests and on logged errors.
eval "EXTRA=(${PYTEST_ARGS:-})"   # shell words, so PYTEST_ARGS="-k 'a or b'" works
t0=$SECONDS
set +e
(cd "$WORK" && PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest "${TEST_PATHS[@]}" \
    -c "$WORK/pytest.ini" --rootdir="$ADDONS_DIR" -p no:cacheprovider -p pytest_wmg \
    --odoo-config="$WORK/odoo.conf" --odoo-database="$TEST_DB" \
    --odoo-addons-path="$ADDONS_PATH" --odoo-http --odoo-log-level="$LOG_LEVEL" \
    -rfEsxX --color="$([ -t 1 ] && echo yes || echo no)" "${EXTRA[@]}") 2>&1 | tee "$WORK/pytest.log"
rc=${PIPESTATUS[0]}
set -e
log "pytest finished in $((SECONDS - t0))s with exit code $rc"
summary=$(grep -E '^=+ .* in [0-9.]+s' "$WORK/pytest.log" | tail -1 || true)
if [ "$rc" -eq 0 ] && echo "$summary" | grep -Eq 'skipped|xfailed|no tests ran'; then
    echo "error: pytest reported skipped tests or no tests: $summary" >&2
    rc=1
fi
if [ "$rc" -eq 0 ] && ! echo "$summary" | grep -Eq '[0-9]+ passed'; then
    echo "error: no passing test in pytest's summary: ${summary:-none}" >&2
    rc=1
fi
if [ "$rc" -eq 5 ]; then
    echo "error: pytest collected no tests under ${TEST_PATHS[*]}" >&2
fi
if [ "$rc" -eq 0 ] && [ "$MODULE" = website_mail_group ] && [ "${SKIP_BRIDGE_TEST:-0}" != 1 ]; then
    log "the bridge addons, with Events and Email Marketing installed (website_mail_group_event, _mass_mailing)"
    MODULE=website_mail_group_event,website_mail_group_mass_mailing TEST_DB="${TEST_DB}_bridges" TEST_PATH= \
        TEST_HTTP_PORT=$(( ${TEST_HTTP_PORT:-8069} + 3000 )) PYTEST_ARGS= "$ROOT/scripts/test.sh" || rc=1
elif [ "$MODULE" = website_mail_group ]; then
    log "WARNING: SKIP_BRIDGE_TEST=1: the bridge addons (events, mailing lists) are NOT tested"
fi
exit "$rc"
