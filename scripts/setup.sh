#!/usr/bin/env bash
# Idempotent machine set-up shared by `make run` and `make test`:
# Odoo 17 (from ODOO_SRC when not importable), Python packages, PostgreSQL, Chromium.
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
    "$PY" -m pip install -q --no-deps --no-build-isolation -e "$ODOO_SRC"
    [ "$(odoo_version)" = "17" ] || { echo "error: Odoo still not importable after installing $ODOO_SRC" >&2; exit 2; }
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
log "ready: Odoo $(odoo_version), PostgreSQL as role $me, $(chromium --version 2>/dev/null)"
