#!/usr/bin/env bash
# The production set-up of deploy/, tested (make test runs it): Postfix from
# deploy/postfix and Odoo from deploy/odoo.conf with workers, on loopback
# ports, through the five flows of scripts/e2e/test_deployment.py. A missing
# or failing Postfix fails it.
#
# Environment (all optional): DEPLOY_DB (default wmg_deploy_<pid>),
# DEPLOY_HTTP_PORT (8079; the next port is Odoo's long-polling one),
# DEPLOY_SMTP_PORT (2569), DEPLOY_DNS_PORT (5369), KEEP_DB=1, PYTHON.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
log() { printf '[deploy-test] %s\n' "$*" >&2; }

export DEPLOY_DB=${DEPLOY_DB:-wmg_deploy_$$}
export DEPLOY_WORK
DEPLOY_WORK=$(mktemp -d "${TMPDIR:-/tmp}/wmg-deploy.XXXXXX")
cleanup() {
    local rc=$?
    # what the test's own clean-up leaves when it is killed: Odoo (its process group), Postfix
    [ ! -s "$DEPLOY_WORK/odoo.pid" ] || kill -TERM -- "-$(cat "$DEPLOY_WORK/odoo.pid")" 2>/dev/null || true
    "$PY" "$ROOT/scripts/postfix_instance.py" stop test >/dev/null 2>&1 || true
    if [ "${KEEP_DB:-0}" = 1 ]; then
        log "KEEP_DB=1: kept database $DEPLOY_DB, $DEPLOY_WORK and $("$PY" "$ROOT/scripts/postfix_instance.py" where test)"
    else
        { dropdb --if-exists --force "$DEPLOY_DB" || dropdb --if-exists "$DEPLOY_DB"; } 2>/dev/null || true
        rm -rf "$DEPLOY_WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
dropdb --if-exists "$DEPLOY_DB" 2>/dev/null || true

command -v postfix >/dev/null || { echo "error: Postfix is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
log "Postfix $(postconf -h mail_version) and Odoo with --workers=2 --max-cron-threads=1 into $DEPLOY_DB"
(cd "$DEPLOY_WORK" && PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 "$PY" -m pytest "$ROOT/scripts/e2e" -p no:cacheprovider \
    --rootdir="$ROOT/scripts/e2e" -q -x -rfE --color=no -W ignore::DeprecationWarning --durations=0)
