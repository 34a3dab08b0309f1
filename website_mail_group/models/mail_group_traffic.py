"""Traffic figures of the groups' cards: posts dated this month, posts
waiting for a moderator and posts rejected this month, for all the groups
shown in one query. Pending and rejected posts are their managers' to count."""
from datetime import datetime, time

import pytz

from odoo import api, fields, models


class MailGroup(models.Model):
    _inherit = 'mail.group'

    traffic_month_count = fields.Integer('Posts This Month', compute='_compute_traffic')
    traffic_pending_count = fields.Integer('Pending', compute='_compute_traffic')
    traffic_rejected_count = fields.Integer('Rejected This Month', compute='_compute_traffic')

    @api.depends('mail_group_message_ids.moderation_status', 'mail_group_message_ids.date')
    @api.depends_context('uid', 'tz')
    def _compute_traffic(self):
        counts = {}
        if self.ids:
            month_start = self._traffic_month_start()
            counts = {
                (group.id, status): count
                for group, status, count in self.env['mail.group.message'].sudo()._read_group(
                    [('mail_group_id', 'in', self.ids),
                     '|', ('moderation_status', '=', 'pending_moderation'), ('date', '>=', month_start)],
                    ['mail_group_id', 'moderation_status'], ['__count'])
            }
        for group in self:
            managed = group.can_manage_group
            group.traffic_month_count = counts.get((group.id, 'accepted'), 0)
            group.traffic_pending_count = counts.get((group.id, 'pending_moderation'), 0) if managed else 0
            group.traffic_rejected_count = counts.get((group.id, 'rejected'), 0) if managed else 0

    @api.model
    def _traffic_month_start(self):
        """The first instant of the current month in the user's time zone, in UTC."""
        try:
            tz = pytz.timezone(self.env.context.get('tz') or self.env.user.tz or 'UTC')
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        today = datetime.now(tz).date()
        start = tz.localize(datetime.combine(today.replace(day=1), time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)
