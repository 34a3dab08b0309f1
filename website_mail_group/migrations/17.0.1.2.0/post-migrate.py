"""Copies of group posts store their body once (issue 24): the copies
queued before the upgrade each hold the body of their post; each distinct
body of a message is moved to one mail.group.copy.body shared by its
copies, and their own body is emptied. Plain SQL: one statement for any
number of queued copies."""
import logging

_logger = logging.getLogger('odoo.addons.website_mail_group.migrations')


def migrate(cr, installed_version):
    cr.execute("""
        WITH bodies AS (
            INSERT INTO mail_group_copy_body (mail_message_id, body_html, create_uid, create_date, write_uid, write_date)
            SELECT DISTINCT ON (mail_message_id, md5(body_html)) mail_message_id, body_html, 1, now() at time zone 'UTC',
                   1, now() at time zone 'UTC'
              FROM mail_mail
             WHERE mail_group_post AND mail_group_body_ref IS NULL AND body_html IS NOT NULL
               AND mail_message_id IS NOT NULL
            RETURNING id, mail_message_id, md5(body_html) AS digest
        )
        UPDATE mail_mail m SET mail_group_body_ref = b.id, body_html = NULL
          FROM bodies b
         WHERE m.mail_group_post AND m.mail_group_body_ref IS NULL AND m.body_html IS NOT NULL
           AND m.mail_message_id = b.mail_message_id AND md5(m.body_html) = b.digest
    """)
    if cr.rowcount:
        _logger.info('%s queued copies of group posts now share their body', cr.rowcount)
