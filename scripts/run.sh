#!/usr/bin/env bash
# `make run`: set up the machine, create (or reuse) the demo database with
# website_mail_group and its demo data, point Odoo's outgoing mail at a local
# SMTP sink, and serve Odoo on http://localhost:$HTTP_PORT until Ctrl-C.
# MTA=postfix puts Postfix from deploy/ in front (scripts/postfix_instance.py,
# instance "demo"): mail sent to it on POSTFIX_PORT goes through the pipe to
# Odoo, Odoo sends through it, and it hands the members' copies to the sink.
#
# Environment (all optional):
#   DEMO_DB=wmg_demo   HTTP_PORT=8069   SMTP_PORT=1025   MAIL_VIEW_PORT=8025 (0: no web page)
#   ALIAS_DOMAIN=groups.localhost   HTTP_INTERFACE=127.0.0.1   MTA=postfix   POSTFIX_PORT=2525
#   RESET=1            drop and recreate the demo database
#   ODOO_SRC           Odoo 17 source tree, used by setup.sh when Odoo is not importable
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
# Odoo 17 imports pkg_resources, which setuptools 80 (see setup.sh) says is deprecated, in every process
export PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:pkg_resources is deprecated as an API:UserWarning"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
log() { printf '[run] %s\n' "$*" >&2; }

"$ROOT/scripts/setup.sh"

MODULE=website_mail_group
DEMO_DB=${DEMO_DB:-wmg_demo}
HTTP_PORT=${HTTP_PORT:-8069}
HTTP_INTERFACE=${HTTP_INTERFACE:-127.0.0.1}
SMTP_PORT=${SMTP_PORT:-1025}
MAIL_VIEW_PORT=${MAIL_VIEW_PORT:-8025}
ALIAS_DOMAIN=${ALIAS_DOMAIN:-groups.localhost}
MTA=${MTA:-}
POSTFIX_PORT=${POSTFIX_PORT:-2525}
case "$MTA" in
    '') OUT_PORT=$SMTP_PORT ;;
    postfix) OUT_PORT=$POSTFIX_PORT ;;
    *) echo "error: MTA=$MTA: the only MTA the demo runs is postfix" >&2; exit 1 ;;
esac
BASE_URL=http://localhost:$HTTP_PORT
VAR=$ROOT/var
CONF=$VAR/odoo-$DEMO_DB.conf
STAMP=$VAR/odoo-$DEMO_DB.stamp
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$HTTP_PORT" "$SMTP_PORT" $([ "$MAIL_VIEW_PORT" != 0 ] && echo "$MAIL_VIEW_PORT") $([ -n "$MTA" ] && echo "$POSTFIX_PORT"); do
    if port_busy "$port"; then
        echo "error: port $port is already in use (another 'make run'?); stop that process or choose other ports: make run HTTP_PORT=... SMTP_PORT=... MAIL_VIEW_PORT=... POSTFIX_PORT=..." >&2
        exit 1
    fi
done

mkdir -p "$VAR/log" "$VAR/mail" "$VAR/data"
ODOO_PKG=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')
ADDONS_PATH=$ROOT
for d in "$(dirname "$ODOO_PKG")/addons" "$ODOO_PKG/addons"; do
    [ -d "$d" ] && ADDONS_PATH+=",$d"
done

cat > "$CONF" <<EOF
[options]
; written by scripts/run.sh on each start
addons_path = $ADDONS_PATH
data_dir = $VAR/data
db_name = $DEMO_DB
dbfilter = ^$DEMO_DB\$
list_db = False
http_interface = $HTTP_INTERFACE
http_port = $HTTP_PORT
workers = 0
max_cron_threads = 1
smtp_server = 127.0.0.1
smtp_port = $OUT_PORT
without_demo = False
EOF

db_exists() { psql -d postgres -tAc "select 1 from pg_database where datname='$DEMO_DB'" | grep -q 1; }
module_state() { psql -d "$DEMO_DB" -tAc "select state from ir_module_module where name='$MODULE'" 2>/dev/null || true; }
# Fingerprint of the addon's files: the database is updated when they change.
fingerprint() { (cd "$ROOT" && find "$MODULE" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1); }
odoo() { (cd "$VAR" && exec "$PY" -m odoo -c "$CONF" "$@" 2>"$VAR/log/odoo-stderr.log"); }

if db_exists && { [ "${RESET:-0}" = 1 ] || [ "$(module_state)" != installed ]; }; then
    log "dropping database $DEMO_DB"
    dropdb --force "$DEMO_DB" 2>/dev/null || dropdb "$DEMO_DB"
    rm -rf "$VAR/data/filestore/$DEMO_DB" "$STAMP"
fi
if ! db_exists; then
    log "creating database $DEMO_DB with $MODULE and demo data (about a minute; log: var/log/install.log)"
    odoo -d "$DEMO_DB" -i "$MODULE" --stop-after-init --log-level=warn --logfile="$VAR/log/install.log" \
        || { echo "error: installing $MODULE failed, see $VAR/log/install.log" >&2; exit 1; }
    [ "$(module_state)" = installed ] || { echo "error: $MODULE not installed, see $VAR/log/install.log" >&2; exit 1; }
    fingerprint > "$STAMP"
elif [ "$(fingerprint)" != "$(cat "$STAMP" 2>/dev/null)" ]; then
    log "addon files changed: updating $MODULE in $DEMO_DB (log: var/log/install.log)"
    odoo -d "$DEMO_DB" -u "$MODULE" --stop-after-init --log-level=warn --logfile="$VAR/log/install.log" \
        || { echo "error: updating $MODULE failed, see $VAR/log/install.log (RESET=1 starts afresh)" >&2; exit 1; }
    fingerprint > "$STAMP"
else
    log "reusing database $DEMO_DB (RESET=1 recreates it)"
fi

info=$(cd "$VAR" && "$PY" "$ROOT/scripts/configure_demo.py" -c "$CONF" -d "$DEMO_DB" \
    --smtp-port "$OUT_PORT" --alias-domain "$ALIAS_DOMAIN" --base-url "$BASE_URL" --var "$VAR")
uid=$(printf '%s\n' "$info" | sed -n 's/^Admin user: id \([0-9]*\).*/\1/p')

pids=()
alive() { local pid; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
wait_exit() { local i; for ((i = 0; i < $1 * 4; i++)); do alive || return 0; sleep 0.25; done; return 1; }
cleanup() {
    trap - EXIT INT TERM
    [ -z "$MTA" ] || "$PY" "$ROOT/scripts/postfix_instance.py" stop demo
    [ ${#pids[@]} -gt 0 ] || return 0
    # On Ctrl-C the terminal already sent SIGINT to Odoo and the sink: let them
    # shut down cleanly (a second signal makes Odoo exit at once).
    [ "${1:-}" = INT ] && wait_exit 10
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait_exit 15 || for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'cleanup INT; exit 130' INT
trap 'cleanup; exit 143' TERM

"$PY" -u "$ROOT/scripts/smtp_sink.py" "$SMTP_PORT" --dir "$VAR/mail" --http-port "$MAIL_VIEW_PORT" \
    > >(tee -a "$VAR/log/smtp.log") 2>&1 &
pids+=($!)

log "starting Odoo on $BASE_URL (log: var/log/odoo.log)"
(cd "$VAR" && exec "$PY" -m odoo -c "$CONF" --logfile="$VAR/log/odoo.log" 2>>"$VAR/log/odoo-stderr.log") &
pids+=($!)
odoo_pid=$!

ready() { "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=120)' "$1" 2>/dev/null; }
for _ in $(seq 120); do
    ready "http://127.0.0.1:$HTTP_PORT/web/login" && break
    kill -0 "$odoo_pid" 2>/dev/null || { echo "error: Odoo stopped, see $VAR/log/odoo.log" >&2; tail -20 "$VAR/log/odoo.log" >&2; exit 1; }
    sleep 1
done

if [ -n "$MTA" ]; then
    log "starting Postfix from deploy/ on 127.0.0.1:$POSTFIX_PORT (log: $("$PY" "$ROOT/scripts/postfix_instance.py" where demo)/maillog)"
    "$PY" "$ROOT/scripts/postfix_instance.py" start demo --smtp-port "$POSTFIX_PORT" --db "$DEMO_DB" \
        --http-port "$HTTP_PORT" --uid "${uid:-2}" --password admin --domain "$ALIAS_DOMAIN" --relayhost "127.0.0.1:$SMTP_PORT"
fi

sample=$(printf '%s\n' "$info" | sed -n 's/^Sample post: //p')
sender=$(sed -n 's/^From: //p' "${sample:-/dev/null}" 2>/dev/null | head -1)
rcpt=$(sed -n 's/^To: //p' "${sample:-/dev/null}" 2>/dev/null | head -1)
mail_view=$([ "$MAIL_VIEW_PORT" != 0 ] && echo "http://localhost:$MAIL_VIEW_PORT/ (and " || echo "(")
cat <<EOF

================================================================================
 website_mail_group demo is running: $BASE_URL
   website archive : $BASE_URL/groups
   back office     : $BASE_URL/web  (login admin / password admin; demo / demo)
                     Website > Configuration > Mailing Lists
$(printf '%s\n' "$info" | grep -v '^Sample post' | sed 's/^/ /')
 Outgoing mail is caught, not delivered: ${mail_view}.eml files in var/mail/);
 each caught message is also printed below as a [smtp] line.
 Post to a group by piping an email into the mail gateway (XML-RPC):
   scripts/python scripts/mailgate.py -d $DEMO_DB -u ${uid:-2} -p admin --host 127.0.0.1 --port $HTTP_PORT < ${sample:-message.eml}
$([ -n "$MTA" ] && cat <<POSTFIX
 or by mail to Postfix (deploy/, $("$PY" "$ROOT/scripts/postfix_instance.py" where demo)/maillog), which pipes it to Odoo
 and hands the members' copies to the sink:
   curl -s smtp://127.0.0.1:$POSTFIX_PORT --mail-from '${sender:-someone@example.org}' --mail-rcpt '${rcpt:-group@$ALIAS_DOMAIN}' -T ${sample:-message.eml}
POSTFIX
)
 (Odoo ignores a Message-ID it has seen: edit it to send the same file again.)
 Odoo log: var/log/odoo.log.  Stop with Ctrl-C.
================================================================================

EOF
wait "$odoo_pid"
