#!/usr/bin/env python3
"""Switch a database from Odoo 17's own mail_group + website_mail_group to this addon.

With Odoo stopped and a backup made (docs/switching.md):

    python3 scripts/switch_from_odoo.py -c /etc/odoo/odoo.conf -d PRODDB [--dry-run]

1. In one transaction: the external ids of Odoo's two modules become ours
   (same records: groups of users, actions, crons, models, fields...); those
   ours declares in a noupdate block (mail templates) and name clashes are
   renamed ``odoo_<name>`` so ours creates its own; views ours does not
   declare are deactivated; every external id is made updatable, so the update
   below deletes through the ORM whatever ours does not declare; mail_group is
   marked uninstalled WITHOUT its uninstall (which would drop the tables) and
   website_mail_group recorded as version 17.0.0.0.
2. ``odoo -u website_mail_group`` with this repository first in the addons
   path: Odoo runs website_mail_group/migrations/17.0.1.0.0/pre-migrate.py
   (merges, files onto posts, new columns), then our models take over the tables.

It refuses to run while other sessions use the database, when Odoo's
mail_group is not installed, or when ours already is; after a failed update,
running it again resumes at step 2. Nothing is mailed: no cron runs.
"""
import argparse
import ast
import csv
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = 'website_mail_group'
SWITCH_VERSION = '17.0.0.0'   # below ours: Odoo runs our migrations/17.0.1.0.0
COUNTS = [
    ('groups', "SELECT count(*) FROM mail_group"),
    ('aliases of groups', "SELECT count(*) FROM mail_alias a JOIN mail_group g ON g.alias_id = a.id"),
    ('members', "SELECT count(*) FROM mail_group_member"),
    ('posts', "SELECT count(*) FROM mail_group_message"),
    ('  accepted', "SELECT count(*) FROM mail_group_message WHERE moderation_status = 'accepted'"),
    ('  pending', "SELECT count(*) FROM mail_group_message WHERE moderation_status = 'pending_moderation'"),
    ('  rejected', "SELECT count(*) FROM mail_group_message WHERE moderation_status = 'rejected'"),
    ('  replies', "SELECT count(*) FROM mail_group_message WHERE group_message_parent_id IS NOT NULL"),
    ('moderation rules', "SELECT count(*) FROM mail_group_moderation"),
    ('files of posts', """SELECT count(DISTINCT r.attachment_id) FROM message_attachment_rel r
                           JOIN mail_group_message gm ON gm.mail_message_id = r.message_id"""),
    ('queued mail', "SELECT count(*) FROM mail_mail"),
]


def say(text):
    print(f'[switch] {text}', flush=True)


def declared_ids():
    """{name: noupdate} of the records our data files declare, as Odoo loads them."""
    addon = os.path.join(ROOT, MODULE)
    with open(os.path.join(addon, '__manifest__.py')) as f:
        manifest = ast.literal_eval(f.read())
    ids = {}

    def walk(node, noupdate):
        noupdate = node.get('noupdate', '0') in ('1', 'True', 'true') if 'noupdate' in node.attrib else noupdate
        xid = node.get('id') if node.tag in ('record', 'template', 'menuitem') else None
        if xid and (xid.startswith(MODULE + '.') or '.' not in xid):
            ids[xid.split('.')[-1]] = noupdate
        for child in node:
            walk(child, noupdate)

    for path in manifest['data']:
        full = os.path.join(addon, path)
        if path.endswith('.xml'):
            walk(ET.parse(full).getroot(), False)
        elif path.endswith('.csv'):
            with open(full, newline='') as f:
                ids.update({row['id'].split('.')[-1]: False for row in csv.DictReader(f)})
    return ids


def module_state(cr, name):
    cr.execute("SELECT id, state, latest_version FROM ir_module_module WHERE name = %s", [name])
    return cr.fetchone() or (None, None, None)


def counts(cr):
    result = {}
    for label, query in COUNTS:
        cr.execute(query)
        result[label] = cr.fetchone()[0]
    return result


def check_alone(cr):
    cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid != pg_backend_pid()")
    others = cr.fetchone()[0]
    if others:
        sys.exit(f'error: {others} other session(s) use the database: stop Odoo (and its cron workers) first')


def take_over_ids(cr):
    """Step 1: Odoo's external ids become ours, its modules step aside."""
    mail_group_id = module_state(cr, 'mail_group')[0]
    ours_id = module_state(cr, MODULE)[0]
    ours = declared_ids()
    # a name in both of Odoo's modules: the mail_group record (the base one) keeps it
    cr.execute("""
        SELECT w.id, w.name, w.model, w.res_id = m.res_id AND w.model = m.model, m.id
          FROM ir_model_data w JOIN ir_model_data m ON m.name = w.name AND m.module = 'mail_group'
         WHERE w.module = %s
    """, [MODULE])
    for wid, name, model, same, mid in cr.fetchall():
        if same:
            cr.execute("DELETE FROM ir_model_data WHERE id = %s", [mid])
        else:
            cr.execute("UPDATE ir_model_data SET name = %s WHERE id = %s", ['odoo_' + name, wid])
            say(f'renamed {MODULE}.{name} ({model}) to odoo_{name}: it extends the record mail_group.{name}')
    cr.execute("UPDATE ir_model_data SET module = %s WHERE module = 'mail_group'", [MODULE])
    say(f'moved {cr.rowcount} external ids of mail_group to {MODULE}')
    # ours creates the records it declares as noupdate (templates) with its own content
    renew = sorted(name for name, noupdate in ours.items() if noupdate)
    cr.execute("UPDATE ir_model_data SET name = 'odoo_' || name WHERE module = %s AND name = ANY(%s) RETURNING name",
               [MODULE, renew])
    for (name,) in cr.fetchall():
        say(f'renamed {name[5:]} to {name}: ours creates its own, the update deletes the old one')
    # views ours does not declare must not be applied while ours updates its own
    cr.execute("""
        UPDATE ir_ui_view v SET active = false FROM ir_model_data d
         WHERE d.module = %s AND d.model = 'ir.ui.view' AND d.res_id = v.id AND v.active
           AND NOT d.name = ANY(%s)
     RETURNING d.name
    """, [MODULE, [name for name, noupdate in ours.items() if not noupdate]])
    retired = sorted(name for (name,) in cr.fetchall())
    say(f"deactivated {len(retired)} views of Odoo's modules that ours does not have: {', '.join(retired)}")
    # pages edited in the website builder are per-website copies of Odoo's templates (no external
    # id): left inactive, for reference, so that the websites show ours
    cr.execute("""
        UPDATE ir_ui_view SET active = false
         WHERE website_id IS NOT NULL AND active AND (key LIKE 'mail\\_group.%%' OR key LIKE %s)
     RETURNING key || ' (website ' || website_id || ')'
    """, [MODULE.replace('_', '\\_') + '.%'])
    edited = sorted(key for (key,) in cr.fetchall())
    if edited:
        say(f"deactivated {len(edited)} pages edited in the website builder: {', '.join(edited)}")
    cr.execute("UPDATE ir_model_data SET noupdate = false WHERE module = %s AND noupdate", [MODULE])
    say(f'made {cr.rowcount} external ids updatable (the update deletes those ours does not declare)')
    for table in ('ir_model_constraint', 'ir_model_relation'):
        cr.execute(f"""
            DELETE FROM {table} t WHERE module = %(old)s
               AND EXISTS (SELECT 1 FROM {table} o WHERE o.module = %(new)s AND o.name = t.name)
        """, {'old': mail_group_id, 'new': ours_id})
        cr.execute(f"UPDATE {table} SET module = %s WHERE module = %s", [ours_id, mail_group_id])
        say(f'moved {cr.rowcount} {table} rows of mail_group to {MODULE}')
    cr.execute("UPDATE ir_module_module SET state = 'uninstalled', latest_version = NULL WHERE id = %s",
               [mail_group_id])
    cr.execute("DELETE FROM ir_module_module_dependency WHERE module_id = %s AND name = 'mail_group'", [ours_id])
    cr.execute("UPDATE ir_module_module SET latest_version = %s WHERE id = %s", [SWITCH_VERSION, ours_id])
    say(f'marked mail_group uninstalled (tables and data kept), {MODULE} recorded as {SWITCH_VERSION}')


def update_module(config, db, addons_path, log_file):
    """Step 2: ``-u website_mail_group`` with our repository first."""
    paths = [ROOT] + [p for p in addons_path.split(',') if p and os.path.abspath(p) != ROOT]
    command = [sys.executable, '-m', 'odoo', '-c', os.path.abspath(config), '-d', db, '--addons-path', ','.join(paths),
               '-u', MODULE, '--stop-after-init', '--no-http', '--max-cron-threads', '0',
               '--log-handler', 'odoo.addons.website_mail_group.migrations:INFO',
               '--log-handler', 'odoo.addons.base.models.ir_model:INFO', '--logfile', log_file]
    say('running: ' + ' '.join(command))
    open(log_file, 'w').close()
    rc = subprocess.call(command, cwd='/')
    deleted = {}
    with open(log_file, 'a+', errors='replace') as f:
        f.seek(0)
        for line in f:
            if 'website_mail_group.migrations:' in line or ' WARNING ' in line or ' ERROR ' in line \
                    or ' CRITICAL ' in line:
                print('  ' + line.rstrip(), flush=True)
            elif ' odoo.addons.base.models.ir_model: Deleting ' in line:
                model, xmlid = line.rstrip().split('@', 1)[1].split(' ', 1)
                deleted.setdefault(model, []).append(xmlid.strip('()').split('.', 1)[1])
    for model, names in sorted(deleted.items()):
        say(f"deleted {len(names)} {model} of Odoo's modules that ours does not have: {', '.join(sorted(names))}")
    return rc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-c', '--config', required=True, help="the Odoo configuration file the database runs with")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--addons-path', help="Odoo's addons path (default: the configuration's); ours goes first")
    parser.add_argument('--log', help='Odoo log of the update (default: <database>-switch.log here)')
    parser.add_argument('--dry-run', action='store_true', help='show step 1 and roll it back')
    args = parser.parse_args()

    import odoo
    from odoo.tools import config
    config.parse_config(['-c', args.config, '-d', args.database])
    addons_path = args.addons_path or config['addons_path']
    if not os.path.isfile(os.path.join(ROOT, MODULE, '__manifest__.py')):
        sys.exit(f'error: {ROOT}/{MODULE} is not this addon')

    with odoo.sql_db.db_connect(args.database).cursor() as cr:
        check_alone(cr)
        _mid, mail_group, _v = module_state(cr, 'mail_group')
        _wid, website, version = module_state(cr, MODULE)
        before = counts(cr) if mail_group == 'installed' else None
        if mail_group == 'installed':
            if website != 'installed':
                sys.exit(f"error: Odoo's {MODULE} is not installed next to mail_group: install it first "
                         f"(odoo -i {MODULE} with Odoo's addons path), then switch")
            cr.execute("SELECT m.name FROM ir_module_module m JOIN ir_module_module_dependency d ON d.module_id = m.id"
                       " WHERE d.name = 'mail_group' AND m.state = 'installed' AND m.name != %s", [MODULE])
            others = [name for (name,) in cr.fetchall()]
            if others:
                sys.exit(f"error: installed modules depend on Odoo's mail_group: {', '.join(others)}")
            say(f"database {args.database}: Odoo's mail_group and {MODULE} installed; taking over")
            take_over_ids(cr)
            if args.dry_run:
                cr.rollback()
                say('dry run: rolled back, nothing changed')
                return
            cr.commit()
        elif website == 'installed' and version == SWITCH_VERSION:
            say('resuming: the external ids were taken over, the update had not finished')
        elif website == 'installed':
            sys.exit(f"error: {MODULE} {version} is installed and Odoo's mail_group is not: nothing to switch")
        else:
            sys.exit("error: Odoo's mail_group is not installed: nothing to switch")
        if args.dry_run:
            return

    log_file = os.path.abspath(args.log or f'{args.database}-switch.log')
    rc = update_module(args.config, args.database, addons_path, log_file)
    with odoo.sql_db.db_connect(args.database).cursor() as cr:
        _mid, mail_group, _v = module_state(cr, 'mail_group')
        _wid, website, version = module_state(cr, MODULE)
        after = counts(cr)
        cr.execute("SELECT count(*) FROM ir_model_data WHERE module = 'mail_group'")
        left = cr.fetchone()[0]
    say(f'mail_group: {mail_group}; {MODULE}: {website} {version}; external ids left on mail_group: {left}')
    for label, _query in COUNTS:
        say(f"{label:<18} {'' if before is None else before[label]:>6} -> {after[label]:>6}")
    if rc or mail_group != 'uninstalled' or website != 'installed' or version == SWITCH_VERSION or left:
        sys.exit(f'error: the update failed (exit {rc}, log {log_file}); fix the cause and run this again '
                 'to resume, or restore the backup')
    say(f'done; Odoo log of the update: {log_file}. Start Odoo with {ROOT} first in its addons path.')


if __name__ == '__main__':
    main()
