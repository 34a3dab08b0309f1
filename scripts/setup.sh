#!/usr/bin/env bash
# Idempotent machine set-up shared by `make run` and `make test`: the project's
# virtual environment (scripts/venv.sh) with Odoo 17 (from ODOO_SRC) and the
# Python packages, PostgreSQL, Chromium, Postfix, axe-core.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

. scripts/venv.sh
log() { printf '[setup] %s\n' "$*" >&2; }
need_apt=()

# 0. The virtual environment (unless PYTHON names one): made once, kept outside the clone
if [ -n "$WMG_VENV" ] && ! "$PY" -c '' 2>/dev/null; then
    log "creating the project's Python environment in $WMG_VENV"
    rm -rf "$WMG_VENV"
    mkdir -p "$(dirname "$WMG_VENV")"
    "${WMG_BASE_PYTHON:-python3}" -m venv "$WMG_VENV"
fi

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

# An editable install made by pip: its `odoo` command imports Odoo, nothing
# else (the one of `setup.py develop` first checks all of Odoo's requirements
# with pkg_resources).
odoo_editable() {
    "$PY" -m pip install -q --no-deps --no-build-isolation --use-pep517 \
        --config-settings editable_mode=compat -e "$1"
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
    odoo_editable "$ODOO_SRC"
    [ "$(odoo_version)" = "17" ] || { echo "error: Odoo still not importable after installing $ODOO_SRC" >&2; exit 2; }
fi

# 1b. A pkg_resources that finds distributions by their normalized names. With
# workers, Odoo's long-polling process runs gevent, whose plugins load through
# pkg_resources, which checks gevent's requirements: the pkg_resources of Python
# 3.11's setuptools 65 does not match zope.interface to zope_interface-8.7.dist-info,
# and that process died at start, respawned every few seconds. Below 81: Odoo 17
# still imports pkg_resources, which setuptools drops from then on (84 has none).
gevent_loads() { (cd / && "$PY" -W ignore -c 'import pkg_resources; pkg_resources.require("gevent")') >/dev/null 2>&1; }
if ! gevent_loads; then
    log "pip install 'setuptools>=70,<81': its pkg_resources cannot find gevent's requirements"
    "$PY" -m pip install -q 'setuptools>=70,<81'
    gevent_loads || { echo "error: pkg_resources still cannot resolve gevent's requirements" >&2; exit 2; }
fi

# 2. Our Python packages
if ! (cd / && "$PY" -c 'import aiosmtpd, pytest, pytest_odoo, websocket, dkim, dns.nameserver, publicsuffixlist, authres, ruff, pylint_odoo' 2>/dev/null); then
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
# /var/lib/wmg-postfix/<this clone>/<name> (scripts/postfix_instance.py), which
# Postfix only accepts when the default main.cf lists them.
if ! command -v postfix >/dev/null 2>&1; then
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
    apt_install postfix
fi
[ -f /etc/postfix/main.cf ] || echo 'compatibility_level = 3.6' > /etc/postfix/main.cf
dirs=$(postconf -h alternate_config_directories)
clone=$(printf %s "$(pwd -P)" | sha1sum | cut -c1-12)
for name in test demo; do
    dir=/var/lib/wmg-postfix/$clone/$name
    case " ${dirs//,/ } " in *" $dir "*) ;; *) dirs="${dirs:+$dirs, }$dir" ;; esac
done
[ "$dirs" = "$(postconf -h alternate_config_directories)" ] || postconf -e "alternate_config_directories = $dirs"

# 6. axe-core for the accessibility tests (website_mail_group/tests/test_accessibility.py),
# from the npm registry into var/axe-core (ignored by git), at the version below.
AXE_VERSION=4.14.1
axe_dir=var/axe-core
axe_installed() { [ "$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$axe_dir/node_modules/axe-core/package.json" 2>/dev/null)" = "$AXE_VERSION" ]; }
if ! axe_installed; then
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    log "npm install axe-core@$AXE_VERSION into $axe_dir"
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --no-save --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
    axe_installed || { echo "error: axe-core $AXE_VERSION is not in $axe_dir after npm install" >&2; exit 2; }
fi

log "ready: $PY, Odoo $(odoo_version), PostgreSQL as role $me, $(chromium --version 2>/dev/null), Postfix $(postconf -h mail_version), axe-core $AXE_VERSION"
