"""Search vectors no longer hold authors' addresses (issue 22): forget the
stored ones, so that mail.group.message.init() indexes every post again as
the archive names its author (models/mail_group_message_search.py)."""
from odoo.tools.sql import column_exists


def migrate(cr, installed_version):
    if column_exists(cr, 'mail_group_message', 'search_vector'):
        cr.execute("UPDATE mail_group_message SET search_vector = NULL")
