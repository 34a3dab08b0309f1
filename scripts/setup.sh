#!/usr/bin/env bash
# Idempotent machine set-up shared by `make run` and `make test`:
# Odoo 17 (from ODOO_SRC when not importable) and its `odoo` command, Python
# packages, PostgreSQL, Chromium, Postfix.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

PY=${PYTHON:-python3}
log() { printf '[setup] %s\n' "$*" >&2; }
need_apt=()

odoo_version() { (cd / && "$PY" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) || true; }

apt_install() {
    [ $# -eq 0 ] && return 0
    log "apt-get install $*"
    if [ ! -f /var/lib/apt/periodic/.setup-updated ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
        apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

# An editable install pip makes itself: its `odoo` command imports Odoo and
# nothing else. The one of `setup.py develop` calls pkg_resources.require('odoo'),
# and Python 3.11's pkg_resources (setuptools 65) cannot match a requirement
# (gevent's on zope.interface) to a normalized name (zope_interface-8.7.dist-info):
# the command dies at once, and so does the long-polling process Odoo's workers
# start with it (`python3 -m odoo` fails that process too: Odoo re-runs its own
# argv[0], odoo/__main__.py, as a script).
odoo_editable() {
    "$PY" -m pip install -q --no-deps --no-build-isolation --use-pep517 \
        --config-settings editable_mode=compat -e "$1"
}
odoo_command() { (cd / && "$PY" -c 'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "odoo"))'); }

# 1. Odoo 17
if [ "$(odoo_version)" != "17" ]; then
    if [ -z "${ODOO_SRC:-}" ] || [ ! -f "${ODOO_SRC}/odoo/release.py" ]; then
        echo "error: Odoo 17 is not importable by $PY; run again with ODOO_SRC=/path/to/odoo-17-source (a tree holding odoo-bin and requirements.txt)." >&2
        exit 2
    fi
    for pkg in libpq-dev libldap2-dev libsasl2-dev; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
    done
    apt_install "${need_apt[@]}"
    need_apt=()
    log "installing Odoo's requirements and Odoo itself from $ODOO_SRC"
    "$PY" -m pip install -q 'setuptools<70' wheel
    "$PY" -m pip install -q -r "$ODOO_SRC/requirements.txt"
    odoo_editable "$ODOO_SRC"
    [ "$(odoo_version)" = "17" ] || { echo "error: Odoo still not importable after installing $ODOO_SRC" >&2; exit 2; }
fi

# 1b. The `odoo` command (run by deploy/ and Odoo's workers for long-polling)
if ! "$(odoo_command)" --version >/dev/null 2>&1; then
    src=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))')
    [ -f "$src/setup.py" ] || { echo "error: $(odoo_command) does not run and Odoo at $src is no source tree to reinstall it from" >&2; exit 2; }
    log "reinstalling Odoo from $src: its odoo command does not run"
    odoo_editable "$src"
    "$(odoo_command)" --version >/dev/null 2>&1 || { echo "error: $(odoo_command) still does not run" >&2; exit 2; }
fi

# 2. Our Python packages
if ! (cd / && "$PY" -c 'import aiosmtpd, pytest, pytest_odoo, websocket, dkim, dns.nameserver, publicsuffixlist' 2>/dev/null); then
    log "pip install -r requirements.txt"
    "$PY" -m pip install -q -r requirements.txt
fi

# 3. Chromium for Odoo's browser tests
command -v chromium >/dev/null 2>&1 || apt_install chromium

# 4. PostgreSQL: start the local cluster, create a role for the current user
if ! pg_isready -q 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
        name=$(pg_lsclusters -h | awk 'NR==1{print $2}')
        [ -n "$ver" ] || { apt_install postgresql; ver=$(pg_lsclusters -h | awk 'NR==1{print $1}'); name=main; }
        log "starting PostgreSQL $ver/$name"
        pg_ctlcluster "$ver" "$name" start
    else
        apt_install postgresql
        ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
        pg_ctlcluster "$ver" main start || true
    fi
    for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
fi
me=$(id -un)
if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    log "creating PostgreSQL role $me"
    if [ "$me" = root ]; then
        su postgres -c "psql -qc \"CREATE ROLE \\\"$me\\\" LOGIN SUPERUSER\"" >/dev/null
    else
        sudo -u postgres psql -qc "CREATE ROLE \"$me\" LOGIN SUPERUSER" >/dev/null
    fi
fi
# 5. Postfix (deploy/ and its test): installed unconfigured, its default
# instance never started; the test's and the demo's instances run from
# var/postfix/<name>, which Postfix only accepts when the default main.cf lists them.
if ! command -v postfix >/dev/null 2>&1; then
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
    apt_install postfix
fi
[ -f /etc/postfix/main.cf ] || printf 'compatibility_level = 3.6\nmaillog_file = /var/log/postfix.log\n' > /etc/postfix/main.cf
dirs=$(postconf -h alternate_config_directories)
for name in test demo; do
    dir=$PWD/var/postfix/$name
    case " ${dirs//,/ } " in *" $dir "*) ;; *) dirs="${dirs:+$dirs, }$dir" ;; esac
done
[ "$dirs" = "$(postconf -h alternate_config_directories)" ] || postconf -e "alternate_config_directories = $dirs"

log "ready: Odoo $(odoo_version), PostgreSQL as role $me, $(chromium --version 2>/dev/null), Postfix $(postconf -h mail_version)"
