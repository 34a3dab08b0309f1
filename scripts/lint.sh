#!/usr/bin/env bash
# `make lint`, run first by `make test`: ruff (ruff.toml) on every Python file of the
# repository, pylint with OCA's pylint-odoo (.pylintrc) on the addons. Seconds; fails on
# any finding. A finding kept on purpose is silenced where it stands, with its reason.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/venv.sh"
log() { printf '[lint] %s\n' "$*" >&2; }
cd "$ROOT"
(cd / && "$PY" -c 'import ruff, pylint_odoo' 2>/dev/null) || "$ROOT/scripts/setup.sh"
start=$SECONDS
"$PY" -m ruff check --quiet .
"$PY" -m pylint --rcfile=.pylintrc website_mail_group website_mail_group_event website_mail_group_mass_mailing
log "ruff and pylint-odoo: no finding ($((SECONDS - start))s)"
