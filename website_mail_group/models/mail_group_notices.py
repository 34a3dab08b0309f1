"""Notices of a held or refused post: to its author (capped) and alerts to the
moderators."""
import logging

from markupsafe import Markup

from odoo import _, api, models, tools

from .mail_group_moderation_links import ModerationLinks
from .mail_layout import LAYOUT

_logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 300  # characters of a held post shown to its moderators
REMINDER_POSTS = 30  # pending posts listed with their links in the daily reminder


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
            self._mail_group_in_lang_of(group_message.email_from)._send_notice(
                group_message, self.moderation_notify_msg)

    def _send_rejection_notice(self, group_message):
        """Tell a non-member their post was refused, and how to join."""
        self.ensure_one()
        group = self._mail_group_in_lang_of(group_message.email_from)
        group._send_notice(group_message, group._rejection_notice_body())

    def _rejection_notice_body(self):
        """The notice of a refused non-member, in the context's language."""
        groups_url = self._mail_group_base_url() + '/groups'
        return Markup('<p>%s</p><p>%s</p>') % (
            _('Your message to %(group)s was not distributed: only members of the group may post to it.',
              group=self.name),
            _('You can join the group at %(url)s.', url=groups_url),
        )

    def _send_notice(self, group_message, body):
        """Answer the author of a post, whose address anyone can forge: a few
        notices per address an hour (all groups together), under a fixed
        subject rather than the post's (in the context's language: the
        author's), threaded through References."""
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
        to each (inbox or email, as each prefers) carrying their own signed
        moderation links (models/mail_group_moderation_links.py), on the post
        itself, so only its recipient reads it, in their language. The body is
        rendered once per language.
        At most a few alerts per group an hour
        (``website_mail_group.moderator_alert_limit``): a spray of held spam
        is left to the daily reminder."""
        self.ensure_one()
        group = self.sudo()
        moderators = group.moderator_ids.filtered('email')
        if not moderators:
            return False
        if not self.env['mail.group.throttle']._allow({'moderator_alert': str(group.id)}):
            _logger.info('Mail group %s: held post %s not alerted (over the hourly limit)', group.id, group_message.id)
            return False
        post = group_message.sudo()
        links = ModerationLinks(group, post.ids)
        for lang, lang_moderators in group._mail_group_moderators_by_lang(moderators).items():
            subject, body = group.with_context(lang=lang)._render_moderator_alert(post.with_context(lang=lang), links)
            for moderator in lang_moderators:
                self.env['mail.thread'].sudo().message_notify(
                    partner_ids=moderator.partner_id.ids,
                    subject=subject,
                    body=links.sign(body, moderator),
                    author_id=self.env.ref('base.partner_root').id,
                    email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                    model='mail.group.message',
                    res_id=post.id,
                    **group._moderator_notification_values(),
                )
        self.env['mail.mail']._mail_group_wake_queue()
        return True

    def _render_moderator_alert(self, post, links):
        """Subject and body of the alert of a held post, in the context's language."""
        base_url = links.base_url
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_alert_moderators', {
            'group_name': self.name,
            'subject': post.subject or _('(no subject)'),
            'author': post.email_from or _('(no sender)'),
            'reasons': post.moderation_reasons_display or _('Moderated group'),
            'authentication': post._authentication_display(),
            'excerpt': post._moderation_excerpt(),
            'post_url': f'{base_url}/web#model=mail.group.message&id={post.id}&view_type=form',
            'review_url': self._review_url(),
            'links': links.links(post.id),
        }, minimal_qcontext=True)
        subject = _('To review in %(group)s: %(subject)s', group=self.name, subject=post.subject or '')
        return subject, body

    def _moderator_notification_values(self):
        """``message_notify`` values of a mail to moderators: our layout, under
        the group's name, unsigned (Odoo would sign with its system user)."""
        return {'email_layout_xmlid': LAYOUT, 'email_add_signature': False, 'record_name': self.name}

    def _mail_group_moderators_by_lang(self, moderators):
        """``{lang: moderators}``: each moderator (a user) speaks their own language."""
        default = self._mail_group_lang() if not all(moderators.mapped('lang')) else None
        by_lang = {}
        for moderator in moderators:
            lang = moderator.lang or default
            by_lang[lang] = by_lang.get(lang, self.env['res.users']) | moderator
        return by_lang

    def _review_url(self):
        """The "To Review" list of posts in the back office."""
        action = self.env.ref('website_mail_group.mail_group_message_action_to_review', raise_if_not_found=False)
        base_url = self[:1].get_base_url() if self else self.env['ir.config_parameter'].sudo().get_param('web.base.url')
        if not action:
            return f'{base_url}/web#model=mail.group.message&view_type=list'
        return f'{base_url}/web#action={action.id}&model=mail.group.message&view_type=list'

    @api.model
    def _cron_notify_moderators(self):
        # every group holding posts: unmoderated groups hold some too (size, new members, rules)
        return self.search([('mail_group_message_ids.moderation_status', '=', 'pending_moderation')])._notify_moderators()

    def _notify_moderators(self):
        """Remind moderators of pending posts (a daily summary listing the
        oldest ones with their moderation links), one notification to each
        moderator, in their inbox or by email according to their preference;
        the mail queue is woken."""
        pending = self.env['mail.group.message'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), ('moderation_status', '=', 'pending_moderation')],
            ['mail_group_id'], ['__count'])
        notified = False
        for group, count in pending:
            moderators = group.moderator_ids
            if not moderators:
                continue
            posts = self.env['mail.group.message'].sudo().search(
                [('mail_group_id', '=', group.id), ('moderation_status', '=', 'pending_moderation')],
                order='create_date, id', limit=REMINDER_POSTS)
            links = ModerationLinks(group, posts.ids)
            for lang, lang_moderators in group._mail_group_moderators_by_lang(moderators).items():
                subject, body = group.with_context(lang=lang)._render_moderation_reminder(
                    posts.with_context(lang=lang), count, links)
                for moderator in lang_moderators:
                    self.env['mail.thread'].sudo().message_notify(
                        partner_ids=moderator.partner_id.ids,
                        subject=subject,
                        body=links.sign(body, moderator),
                        email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                        model='mail.group',
                        res_id=group.id,
                        **group._moderator_notification_values(),
                    )
            notified = True
        if notified:
            self.env['mail.mail']._mail_group_wake_queue()
        return True

    def _render_moderation_reminder(self, posts, count, links):
        """Subject and body of the daily reminder of ``count`` pending posts
        (``posts``: the oldest), in the context's language."""
        expiry = self._expiry_reminder_values(posts)
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_notify_moderation', {
            'record': self,
            'pending_count': count,
            'review_url': self._review_url(),
            'expiry_note': expiry['expiry_note'],
            'posts': [{
                'subject': post.subject or _('(no subject)'),
                'author': post.email_from or _('(no sender)'),
                'reasons': post.moderation_reasons_display or _('Moderated group'),
                'excerpt': post._moderation_excerpt(),
                'links': links.links(post.id),
                'expires': expiry['expiry_dates'].get(post.id, ''),
            } for post in posts],
            'more_count': count - len(posts),
        }, minimal_qcontext=True, raise_if_not_found=False)
        return _('Messages are pending moderation in %s', self.name), body


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def _moderation_excerpt(self):
        """The start of the post's text, on one line, for its moderators."""
        self.ensure_one()
        excerpt = ' '.join(self._plain_text().split())
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[:EXCERPT_LENGTH].rsplit(' ', 1)[0] + ' …'
        return excerpt
