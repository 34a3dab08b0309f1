# Sourced by the scripts: sets PY, the project's Python.
#   PYTHON=/path/to/python  an existing environment where Odoo 17 imports: used as is
#   otherwise               the project's own virtual environment, made once by
#                           scripts/setup.sh outside the clone, in
#                           ${WMG_VENV_HOME:-~/.cache/website_mail_group}/venv-<key>
# The key digests the base interpreter's version and requirements.txt: every clone
# with the same requirements shares it. The system interpreter is never changed.
# WMG_BASE_PYTHON (default python3) is the interpreter the environment is made from.
if [ -n "${PYTHON:-}" ]; then
    PY=$PYTHON
    WMG_VENV=
else
    WMG_VENV=${WMG_VENV_HOME:-$HOME/.cache/website_mail_group}/venv-$(
        { "${WMG_BASE_PYTHON:-python3}" -c 'import sys; print(sys.version)'
          cat "$(dirname "${BASH_SOURCE[0]}")/../requirements.txt"; } | sha1sum | cut -c1-12)
    PY=$WMG_VENV/bin/python
fi
