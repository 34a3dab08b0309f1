"""Notices of a held or refused post: to its author (capped) and alerts to the
moderators."""
import logging

from markupsafe import Markup

from odoo import _, api, models, tools

_logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 300  # characters of a held post shown to its moderators


class MailGroup(models.Model):
    """Notices: to authors (post held, non-member refused) and to
    moderators (a post is held; the daily reminder of pending posts)."""
    _inherit = 'mail.group'

    # ------------------------------------------------------------
    # AUTHORS
    # ------------------------------------------------------------

    def _send_moderation_notification(self, group_message):
        """Tell the author their post waits for a moderator."""
        self.ensure_one()
        if not tools.is_html_empty(self.moderation_notify_msg):
            self._send_notice(group_message, self.moderation_notify_msg)

    def _send_rejection_notice(self, group_message):
        """Tell a non-member their post was refused, and how to join."""
        self.ensure_one()
        groups_url = self.get_base_url() + '/groups'
        body = Markup('<p>%s</p><p>%s</p>') % (
            _('Your message to %(group)s was not distributed: only members of the group may post to it.',
              group=self.name),
            _('You can join the group at %(url)s.', url=groups_url),
        )
        self._send_notice(group_message, body)

    def _send_notice(self, group_message, body):
        """Answer the author of a post, whose address anyone can forge: a few
        notices per address an hour (all groups together), under a fixed
        subject rather than the post's, threaded through References."""
        email = tools.email_normalize(group_message.email_from)
        if not email or not self.env['mail.group.throttle']._allow({'notice': email}):
            _logger.info('Mail group %s: notice to %s not sent (over the hourly limit or no address)',
                         self.id, group_message.email_from)
            return
        group_message._reply_to_author(_('Your message to %s', self.name), body)

    # ------------------------------------------------------------
    # MODERATORS
    # ------------------------------------------------------------

    def _alert_moderators(self, group_message):
        """Tell the moderators at once that a post is held: one notification
        for all of them (inbox or email, as each prefers), on the post itself,
        so only who may moderate it can read it. At most a few alerts per
        group an hour (``website_mail_group.moderator_alert_limit``): a spray
        of held spam is left to the daily reminder."""
        self.ensure_one()
        group = self.sudo()
        moderators = group.moderator_ids.filtered('email')
        if not moderators:
            return False
        if not self.env['mail.group.throttle']._allow({'moderator_alert': str(group.id)}):
            _logger.info('Mail group %s: held post %s not alerted (over the hourly limit)', group.id, group_message.id)
            return False
        post = group_message.sudo()
        excerpt = ' '.join(post._plain_text().split())
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[:EXCERPT_LENGTH].rsplit(' ', 1)[0] + ' …'
        reasons = post.moderation_reasons_display
        base_url = group.get_base_url()
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_alert_moderators', {
            'group_name': group.name,
            'subject': post.subject or _('(no subject)'),
            'author': post.email_from or _('(no sender)'),
            'reasons': reasons or _('Moderated group'),
            'excerpt': excerpt,
            'post_url': f'{base_url}/web#model=mail.group.message&id={post.id}&view_type=form',
            'review_url': group._review_url(),
        }, minimal_qcontext=True)
        self.env['mail.thread'].sudo().message_notify(
            partner_ids=moderators.partner_id.ids,
            subject=_('To review in %(group)s: %(subject)s', group=group.name, subject=post.subject or ''),
            body=body,
            author_id=self.env.ref('base.partner_root').id,
            email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
            model='mail.group.message',
            res_id=post.id,
        )
        self.env['mail.mail']._mail_group_wake_queue()
        return True

    def _review_url(self):
        """The "To Review" list of posts in the back office."""
        action = self.env.ref('website_mail_group.mail_group_message_action_to_review', raise_if_not_found=False)
        base_url = self[:1].get_base_url() if self else self.env['ir.config_parameter'].sudo().get_param('web.base.url')
        if not action:
            return f'{base_url}/web#model=mail.group.message&view_type=list'
        return f'{base_url}/web#action={action.id}&model=mail.group.message&view_type=list'

    @api.model
    def _cron_notify_moderators(self):
        moderated_groups = self.search([('moderation', '=', True)])
        return moderated_groups._notify_moderators()

    def _notify_moderators(self):
        """Remind moderators of pending posts (a daily summary), in their
        inbox or by email according to their preference; the mail queue is
        woken."""
        pending = self.env['mail.group.message'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), ('moderation_status', '=', 'pending_moderation')],
            ['mail_group_id'], ['__count'])
        notified = False
        for group, count in pending:
            if not group.moderator_ids:
                continue
            body = self.env['ir.qweb']._render('website_mail_group.mail_group_notify_moderation', {
                'record': group,
                'pending_count': count,
                'review_url': group._review_url(),
            }, minimal_qcontext=True, raise_if_not_found=False)
            self.env['mail.thread'].sudo().message_notify(
                partner_ids=group.moderator_ids.partner_id.ids,
                subject=_('Messages are pending moderation in %s', group.name),
                body=body,
                email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                model='mail.group',
                res_id=group.id,
            )
            notified = True
        if notified:
            self.env['mail.mail']._mail_group_wake_queue()
        return True
