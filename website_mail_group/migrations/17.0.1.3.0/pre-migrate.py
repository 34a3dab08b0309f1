"""A copy names its shared body and its member by plain ids, no longer by
foreign keys (issue 24: a key's check per copy was a fifth of a fan-out):
the columns are renamed, their keys and indexes dropped."""
from odoo.tools.sql import column_exists, rename_column

RENAMED = (('mail_group_body_id', 'mail_group_body_ref'), ('mail_group_member_id', 'mail_group_member_ref'))


def migrate(cr, installed_version):
    for old, new in RENAMED:
        if not column_exists(cr, 'mail_mail', old):
            continue
        cr.execute(f'ALTER TABLE mail_mail DROP CONSTRAINT IF EXISTS mail_mail_{old}_fkey')
        cr.execute(f'DROP INDEX IF EXISTS mail_mail__{old}_index')
        cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", [f'mail_mail_{old}_fkey'])
        rename_column(cr, 'mail_mail', old, new)
