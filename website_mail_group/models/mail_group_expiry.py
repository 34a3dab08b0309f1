"""Held posts expire: a post no moderator reviewed within the group's number
of days is discarded, or rejected with a notice to its author, by an hourly
cron in batches; the moderators' daily reminder says what will expire."""
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

EXPIRY_BATCH = 200  # held posts expired per cron run; the cron runs again at once while more are due


class MailGroup(models.Model):
    _inherit = 'mail.group'

    held_expiry_days = fields.Integer(
        'Held posts expire after (days)', default=14,
        help='A held post no moderator reviewed within this many days is discarded or rejected. 0: never.')
    held_expiry_action = fields.Selection([
        ('discard', 'Discarded'),
        ('reject', 'Rejected, with a notice to the author'),
    ], string='Expired posts are', required=True, default='discard')
    # posts held before count from here: turning expiry on (or installing it) does not clear a backlog at once
    held_expiry_start = fields.Datetime(
        'Held posts expire from', readonly=True, copy=False, default=fields.Datetime.now,
        help='When expiry was turned on: posts held before then expire counting from this date.')

    def write(self, vals):
        if not vals.get('held_expiry_days'):
            return super().write(vals)
        turned_on = self.filtered(lambda group: group.held_expiry_days <= 0)
        result = super().write(vals)
        turned_on.write({'held_expiry_start': fields.Datetime.now()})
        return result

    @api.constrains('held_expiry_days')
    def _check_held_expiry_days(self):
        if any(group.held_expiry_days < 0 for group in self):
            raise ValidationError(_('The number of days before held posts expire cannot be negative.'))

    @api.model
    def _cron_expire_held_posts(self):
        expired = self.search([('held_expiry_days', '>', 0)])._expire_held_posts(EXPIRY_BATCH)
        if expired >= EXPIRY_BATCH:
            self.env.ref('website_mail_group.ir_cron_mail_group_expire_held')._trigger()
        return True

    def _expire_held_posts(self, limit):
        """Discard or reject at most ``limit`` held posts past their group's
        expiry, oldest first; returns how many."""
        done = 0
        for group in self.sudo():
            deadline = fields.Datetime.now() - timedelta(days=group.held_expiry_days)
            if done >= limit or group.held_expiry_days <= 0 or (group.held_expiry_start or deadline) > deadline:
                continue
            posts = self.env['mail.group.message'].sudo().search([
                ('mail_group_id', '=', group.id), ('moderation_status', '=', 'pending_moderation'),
                ('create_date', '<', deadline),
            ], order='create_date, id', limit=limit - done)
            if not posts:
                continue
            _logger.info('Mail group %s: %s held posts expired (%s)', group.id, len(posts), group.held_expiry_action)
            if group.held_expiry_action == 'reject':
                for post in posts:
                    group._send_expiry_notice(post)
                posts.write({'moderation_status': 'rejected', 'moderator_id': False})
            else:
                posts.action_moderate_discard()
            done += len(posts)
        return done

    def _send_expiry_notice(self, group_message):
        """Tell the author their post expired unreviewed (capped per address)."""
        self.ensure_one()
        group = self._mail_group_in_lang_of(group_message.email_from)
        group._send_notice(group_message, Markup('<p>%s</p>') % _(
            'Your message "%(subject)s" to %(group)s was not distributed: no moderator reviewed it within %(days)s days.',
            subject=group_message.subject or '', group=group.name, days=group.held_expiry_days))

    def _expiry_reminder_values(self, posts):
        """What the moderators' reminder says of expiry, in the context's
        language: ``expiry_note`` (or '') and, per post id, its expiry date."""
        self.ensure_one()
        if self.held_expiry_days <= 0:
            return {'expiry_note': '', 'expiry_dates': {}}
        start = self.held_expiry_start or fields.Datetime.now()
        within_a_day = fields.Datetime.now() - timedelta(days=self.held_expiry_days - 1)
        soon = self.env['mail.group.message'].sudo().search_count([
            ('mail_group_id', '=', self.id), ('moderation_status', '=', 'pending_moderation'),
            ('create_date', '<', within_a_day),
        ]) if start < within_a_day else 0
        if self.held_expiry_action == 'reject':
            note = _('Held messages not reviewed within %(days)s days are rejected, with a notice to their author.',
                     days=self.held_expiry_days)
        else:
            note = _('Held messages not reviewed within %(days)s days are discarded.', days=self.held_expiry_days)
        if soon:
            note += ' ' + _('%(count)s of them will expire within a day.', count=soon)
        dates = {
            post.id: tools.format_date(self.env, max(post.create_date, start) + timedelta(days=self.held_expiry_days))
            for post in posts
        }
        return {'expiry_note': note, 'expiry_dates': dates}
