#!/usr/bin/env bash
# Keep the addon's translations current (`make pot`).
#
#   scripts/update_pot.sh            install the addon (no demo data) in a throw-away
#                                    database, export i18n/website_mail_group.pot with
#                                    Odoo's own exporter, merge it into every i18n/*.po
#                                    and list the entries still to translate
#   scripts/update_pot.sh --db NAME  the same from an existing database where the addon
#                                    is installed and up to date (no install, no drop)
#   scripts/update_pot.sh --check    no database: exit 1 when a .po lacks a msgid of the
#                                    .pot, has an untranslated or fuzzy entry, or an entry
#                                    whose placeholders (%s, %(x)s, {{ }}, tags) differ
#
# The merge keeps every translation whose msgid is unchanged, drops entries the .pot
# no longer has, and marks fuzzy a new msgid close to a dropped one (its old
# translation proposed), so --check fails until someone has read it.
# Environment: PYTHON (python3), ODOO_LOG_LEVEL (warn), MODULE (website_mail_group).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/venv.sh"  # PY: the project's Python
MODULE=${MODULE:-website_mail_group}
I18N=$ROOT/$MODULE/i18n
POT=$I18N/$MODULE.pot
log() { printf '[pot] %s\n' "$*" >&2; }

MODE=update DB=
while [ $# -gt 0 ]; do
    case $1 in
        --check) MODE=check ;;
        --db) DB=${2:?--db needs a database name}; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--check | --db NAME]" >&2; exit 2 ;;
    esac
    shift
done

# merge|check <pot> <po>...: the Python half (polib comes with Odoo).
po_tool() {
    "$PY" - "$@" <<'EOF'
import difflib, re, sys
import polib

PLACEHOLDERS = re.compile(r"%\([a-zA-Z0-9_]+\)[sdrf]|%[sdrf]|\{\{.*?\}\}|</?[a-zA-Z][a-zA-Z0-9]*|\bt-[a-z-]+=\"[^\"]*\"")
PLURAL_FR = 'nplurals=2; plural=(n > 1);'


def placeholders(text):
    return sorted(PLACEHOLDERS.findall(text))


def key(entry):
    return (entry.msgctxt or '', entry.msgid)


def problems(pot, po):
    """(reason, msgid) of every entry of ``po`` that needs a translator."""
    out = []
    have = {key(e): e for e in po if not e.obsolete}
    for entry in pot:
        tr = have.get(key(entry))
        if tr is None:
            out.append(('missing', entry.msgid))
        elif not tr.msgstr:
            out.append(('untranslated', entry.msgid))
        elif 'fuzzy' in tr.flags:
            out.append(('fuzzy', entry.msgid))
        elif placeholders(tr.msgid) != placeholders(tr.msgstr):
            out.append(('placeholders differ', entry.msgid))
    return out


def merge(pot, path, lang):
    try:
        old = polib.pofile(path, wrapwidth=78)
    except OSError:
        old = polib.POFile(wrapwidth=78)
        old.header = pot.header
        old.metadata = dict(pot.metadata, Language=lang, **{'Plural-Forms': PLURAL_FR})
    known = {key(e): e for e in old if not e.obsolete and e.msgstr}
    new = polib.POFile(wrapwidth=78)
    new.header = old.header
    new.metadata = dict(old.metadata, **{'POT-Creation-Date': pot.metadata.get('POT-Creation-Date', '')})
    used = set()
    for entry in pot:
        tr = known.get(key(entry))
        flags = list(entry.flags)
        if tr is not None:
            msgstr = tr.msgstr
            if 'fuzzy' in tr.flags:
                flags.append('fuzzy')
            used.add(key(entry))
        else:
            gone = [k[1] for k in known if k not in pot_keys]
            close = difflib.get_close_matches(entry.msgid, gone, n=1, cutoff=0.8)
            msgstr = known[('', close[0])].msgstr if close and ('', close[0]) in known else ''
            if msgstr:
                flags.append('fuzzy')
        new.append(polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=msgstr,
                                 comment=entry.comment, tcomment=entry.tcomment,
                                 occurrences=entry.occurrences, flags=flags))
    new.save(path)
    return new


cmd, pot_path, po_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
pot = polib.pofile(pot_path)
pot_keys = {key(e) for e in pot}
failed = False
for path in po_paths:
    lang = path.rsplit('/', 1)[-1][:-3]
    po = merge(pot, path, lang) if cmd == 'merge' else polib.pofile(path)
    todo = problems(pot, po)
    print(f'{path}: {len(pot)} msgids, {len(pot) - len(todo)} translated, {len(todo)} to do')
    for reason, msgid in todo:
        print(f'  {reason}: {msgid[:100]!r}')
    failed = failed or bool(todo)
sys.exit(1 if cmd == 'check' and failed else 0)
EOF
}

# Odoo (and polib, which comes with it) installed by the project's set-up when missing
(cd / && "$PY" -c 'import odoo, polib' 2>/dev/null) || "$ROOT/scripts/setup.sh"

shopt -s nullglob
POS=("$I18N"/*.po)
if [ "$MODE" = check ]; then
    [ ${#POS[@]} -gt 0 ] || { echo "error: no .po file in $I18N" >&2; exit 1; }
    po_tool check "$POT" "${POS[@]}"
    exit
fi

# Odoo's addons next to ours, ours first (Odoo ships a module of the same name).
ODOO_PKG=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.abspath(odoo.__file__)))')
ADDONS_PATH=$ROOT
for d in "$(dirname "$ODOO_PKG")/addons" "$ODOO_PKG/addons"; do
    [ -d "$d" ] && ADDONS_PATH+=,$d
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wmg-pot.XXXXXX")
OWN_DB=
if [ -z "$DB" ]; then
    DB=wmg_pot_$$ OWN_DB=1
fi
cleanup() {
    local rc=$?
    [ -n "$OWN_DB" ] && { dropdb --if-exists "$DB" 2>/dev/null || log "warning: could not drop $DB"; }
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
cat > "$WORK/odoo.conf" <<EOF
[options]
addons_path = $ADDONS_PATH
data_dir = $WORK/data
list_db = False
max_cron_threads = 0
EOF
odoo() { (cd "$WORK" && "$PY" -m odoo -c "$WORK/odoo.conf" -d "$DB" --no-http \
    --log-level="${ODOO_LOG_LEVEL:-warn}" --stop-after-init "$@") 2>&1 \
    | grep -v "^Running as user 'root' is a security risk" || true; }

t0=$SECONDS
if [ -n "$OWN_DB" ]; then
    log "installing $MODULE (no demo data) in throw-away database $DB"
    odoo -i "$MODULE" --without-demo=all
    state=$(psql -d "$DB" -tAc "select state from ir_module_module where name='$MODULE'" 2>/dev/null || true)
    [ "$state" = installed ] || { echo "error: installing $MODULE failed" >&2; exit 1; }
fi
log "exporting $POT"
odoo --i18n-export="$WORK/$MODULE.pot" --modules="$MODULE"
[ -s "$WORK/$MODULE.pot" ] || { echo "error: Odoo exported no .pot" >&2; exit 1; }
cp "$WORK/$MODULE.pot" "$POT"
[ ${#POS[@]} -gt 0 ] || POS=("$I18N/fr.po")
po_tool merge "$POT" "${POS[@]}"
log "done in $((SECONDS - t0))s; translate the entries listed, then run $0 --check"
