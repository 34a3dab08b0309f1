"""Taking over the tables of Odoo's own mail_group (scripts/switch_from_odoo.py).

The switch records Odoo's website_mail_group as version 17.0.0.0, so Odoo runs
this script before our models update the tables. It runs once: our tables
carry ``accepted_date``, Odoo's do not. It merges what our unique indexes
refuse, moves post files onto their post and fills our new columns so that
nothing is mailed again: old posts are not digested, existing groups keep
Odoo's behaviour (no recipients cap). Every change is logged.
"""
import logging

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import column_exists, create_column, table_exists

_logger = logging.getLogger('odoo.addons.website_mail_group.migrations')


def migrate(cr, installed_version):
    if not table_exists(cr, 'mail_group_message') or column_exists(cr, 'mail_group_message', 'accepted_date'):
        return
    _logger.info("switch from Odoo's mail_group: taking over its tables")
    env = api.Environment(cr, SUPERUSER_ID, {})
    _merge_members(cr)
    _merge_posts_of_one_message(cr)
    _merge_messages(env)
    _move_attachments(cr)
    _fill_new_columns(cr)


def _merge_members(cr):
    """One partner-less member per (group, address): keep the oldest row."""
    cr.execute("""
        SELECT mail_group_id, email_normalized, array_agg(id ORDER BY id)
          FROM mail_group_member
         WHERE partner_id IS NULL AND email_normalized IS NOT NULL
      GROUP BY mail_group_id, email_normalized
        HAVING count(*) > 1
    """)
    for group_id, email, (kept, *removed) in cr.fetchall():
        cr.execute("DELETE FROM mail_group_member WHERE id = ANY(%s)", [removed])
        _logger.warning("merged: group %s, address %s: partner-less members %s removed, member %s kept",
                        group_id, email, removed, kept)


def _merge_posts_of_one_message(cr):
    """One post per mail.message: keep the most advanced state, then the oldest."""
    cr.execute("""
        SELECT mail_message_id, array_agg(id ORDER BY moderation_status = 'accepted' DESC,
                                               moderation_status = 'pending_moderation' DESC, id)
          FROM mail_group_message
      GROUP BY mail_message_id
        HAVING count(*) > 1
    """)
    for message_id, (kept, *removed) in cr.fetchall():
        cr.execute("UPDATE mail_group_message SET group_message_parent_id = %s WHERE group_message_parent_id = ANY(%s)",
                   [kept, removed])
        cr.execute("DELETE FROM mail_group_message WHERE id = ANY(%s)", [removed])
        _logger.warning("merged: mail.message %s: posts %s removed (replies moved), post %s kept",
                        message_id, removed, kept)


def _merge_messages(env):
    """One mail of a Message-ID per group (the same mail delivered twice):
    keep the copy whose post went furthest, then the oldest; replies move to
    it, the other copies and the files stored for them are deleted."""
    cr = env.cr
    cr.execute("""
        SELECT mm.res_id, mm.message_id,
               array_agg(mm.id ORDER BY gm.id IS NOT NULL DESC, gm.moderation_status = 'accepted' DESC,
                                        gm.moderation_status = 'pending_moderation' DESC, mm.id),
               array_agg(gm.id ORDER BY gm.id IS NOT NULL DESC, gm.moderation_status = 'accepted' DESC,
                                        gm.moderation_status = 'pending_moderation' DESC, mm.id)
          FROM mail_message mm
     LEFT JOIN mail_group_message gm ON gm.mail_message_id = mm.id
         WHERE mm.model = 'mail.group' AND mm.message_type = 'email' AND mm.message_id IS NOT NULL
      GROUP BY mm.res_id, mm.message_id
        HAVING count(DISTINCT mm.id) > 1
    """)
    for group_id, message_id, (kept, *removed), (kept_post, *removed_posts) in cr.fetchall():
        removed_posts = [post for post in removed_posts if post]
        cr.execute("UPDATE mail_message SET parent_id = %s WHERE parent_id = ANY(%s)", [kept, removed])
        if kept_post and removed_posts:
            cr.execute("UPDATE mail_group_message SET group_message_parent_id = %s"
                       " WHERE group_message_parent_id = ANY(%s)", [kept_post, removed_posts])
        cr.execute("""
            SELECT a.id FROM ir_attachment a JOIN message_attachment_rel r ON r.attachment_id = a.id
             WHERE r.message_id = ANY(%s) AND a.res_model = 'mail.group' AND a.res_id = %s
               AND NOT EXISTS (SELECT 1 FROM message_attachment_rel o
                                WHERE o.attachment_id = a.id AND NOT o.message_id = ANY(%s))
        """, [removed, group_id, removed])
        env['ir.attachment'].browse([row[0] for row in cr.fetchall()]).unlink()
        cr.execute("SELECT count(*) FROM mail_mail WHERE mail_message_id = ANY(%s)", [removed])
        queued = cr.fetchone()[0]
        env['mail.message'].browse(removed).unlink()
        _logger.warning("merged: group %s, Message-ID %s: mail.message %s (posts %s, %s queued copies) removed, "
                        "mail.message %s (post %s) kept", group_id, message_id, removed, removed_posts, queued,
                        kept, kept_post)


def _move_attachments(cr):
    """Odoo stores a post's files on its group: ours on the post, so that a
    held post's files follow the post's record rules."""
    cr.execute("""
        UPDATE ir_attachment a SET res_model = 'mail.group.message', res_id = gm.id
          FROM message_attachment_rel r
          JOIN mail_group_message gm ON gm.mail_message_id = r.message_id
         WHERE r.attachment_id = a.id AND a.res_model = 'mail.group' AND a.res_id = gm.mail_group_id
    """)
    _logger.info("moved %s post attachments from their group onto their post", cr.rowcount)


def _fill_new_columns(cr):
    """Accepted posts count as distributed and digested already; a pending
    post accepted later goes out (and into digests) as any other."""
    create_column(cr, 'mail_group_message', 'accepted_date', 'timestamp')
    create_column(cr, 'mail_group_message', 'digest_daily_done', 'bool')
    create_column(cr, 'mail_group_message', 'digest_weekly_done', 'bool')
    create_column(cr, 'mail_group_message', 'moderation_reason', 'varchar')
    cr.execute("""
        UPDATE mail_group_message gm SET accepted_date = mm.date
          FROM mail_message mm
         WHERE mm.id = gm.mail_message_id AND gm.moderation_status = 'accepted'
    """)
    _logger.info("accepted posts: %s accepted on their date", cr.rowcount)
    cr.execute("""
        UPDATE mail_group_message SET digest_daily_done = true, digest_weekly_done = true
         WHERE moderation_status != 'pending_moderation'
    """)
    _logger.info("accepted and rejected posts: %s left out of digests", cr.rowcount)
    # Odoo holds a post for one reason: its group is moderated
    cr.execute("UPDATE mail_group_message SET moderation_reason = 'moderated'"
               " WHERE moderation_status = 'pending_moderation'")
    _logger.info("pending posts: %s held as 'Moderated group'", cr.rowcount)
    # Odoo's groups had no recipients cap: they keep none (new groups get 10)
    create_column(cr, 'mail_group', 'max_recipients', 'int4')
    cr.execute("UPDATE mail_group SET max_recipients = 0")
    _logger.info("groups: %s keep no recipients cap (max_recipients = 0)", cr.rowcount)
