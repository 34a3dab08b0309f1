"""Threads of the archive by latest activity: each post knows the date of
the latest accepted post of its sub-thread (itself included)."""
from odoo import api, fields, models


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    last_activity_date = fields.Datetime(
        'Last Activity', compute='_compute_last_activity_date', store=True, recursive=True, readonly=True,
        help='Date of the latest accepted post of this thread (this post or a reply under it).')

    def init(self):
        result = super().init()
        # thread mode of the website archive: accepted thread roots of one group by latest
        # activity, paged with OFFSET (the same shape as mail_group_message_archive_index)
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS mail_group_message_activity_index
                ON mail_group_message (mail_group_id, last_activity_date DESC, id DESC)
                INCLUDE (group_message_parent_id)
                WHERE moderation_status = 'accepted'
        """)
        return result

    @api.depends('date', 'group_message_child_ids.last_activity_date', 'group_message_child_ids.moderation_status')
    def _compute_last_activity_date(self):
        """A reply counts once accepted; its own replies count through it."""
        for message in self:
            dates = [message.date] + [
                child.last_activity_date for child in message.group_message_child_ids
                if child.moderation_status == 'accepted']
            dates = [date for date in dates if date]
            message.last_activity_date = max(dates) if dates else False
