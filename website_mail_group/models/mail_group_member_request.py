"""Subscription requests of groups whose new members a moderator approves
(``subscription_policy == 'approval'``): made once the address is confirmed
(signed link) or by a logged-in user, listed to the group's moderators
(Website → Groups → Subscription Requests, the group's *Requests* button,
their alerts and daily reminder), approved (the requester joins and gets the
welcome mail) or declined (the requester is told by mail)."""
import logging

import psycopg2
from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

REMINDER_REQUESTS = 30  # requesters named in the daily reminder


class MailGroupMemberRequest(models.Model):
    _name = 'mail.group.member.request'
    _description = 'Mail Group Subscription Request'
    _order = 'create_date DESC, id DESC'
    _rec_name = 'email'

    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade',
                                    readonly=True)
    email = fields.Char(required=True, readonly=True)
    email_normalized = fields.Char('Normalized Email', compute='_compute_email_normalized', store=True, index=True)
    partner_id = fields.Many2one('res.partner', readonly=True, ondelete='cascade')
    lang = fields.Char('Language', readonly=True, help='The language of the page the request was made on.')
    state = fields.Selection([
        ('pending', 'Pending'),
        ('approved', 'Approved'),
        ('declined', 'Declined'),
    ], string='Status', required=True, default='pending', readonly=True, index=True)
    decided_by_id = fields.Many2one('res.users', readonly=True)
    decided_date = fields.Datetime('Decided On', readonly=True)

    def init(self):
        # one pending request per partner, or per address without a partner, and group:
        # two requests at once (a double click, two tabs) make one row
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_group_member_request_pending_partner
                ON mail_group_member_request (mail_group_id, partner_id)
             WHERE state = 'pending' AND partner_id IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS mail_group_member_request_pending_email
                ON mail_group_member_request (mail_group_id, email_normalized)
             WHERE state = 'pending' AND partner_id IS NULL
        """)

    @api.depends('email')
    def _compute_email_normalized(self):
        for request in self:
            request.email_normalized = tools.email_normalize(request.email) or False

    def _requester_label(self):
        """``Name <address>`` of a partner's request, else the address."""
        self.ensure_one()
        return f'{self.partner_id.name} <{self.email}>' if self.partner_id.name else self.email

    @api.model
    def _request(self, group, email, partner_id=None):
        """The pending request of ``email`` (or of the partner) to ``group``,
        made once; a new one alerts the moderators."""
        email_normalized = tools.email_normalize(email or '')
        if not email_normalized:
            raise UserError(_('The email "%s" is not valid.', email))
        Request = self.sudo()
        domain = [('mail_group_id', '=', group.id), ('state', '=', 'pending')]
        domain += [('partner_id', '=', partner_id)] if partner_id else \
            [('email_normalized', '=', email_normalized), ('partner_id', '=', False)]
        existing = Request.search(domain, limit=1)
        if existing:
            return existing
        try:
            with mute_logger('odoo.sql_db'), self.env.cr.savepoint():
                request = Request.create({
                    'mail_group_id': group.id,
                    'email': email,
                    'email_normalized': email_normalized,  # in the INSERT, which the unique index checks
                    'partner_id': partner_id or False,
                    'lang': group._mail_group_request_lang() or False,
                })
        except psycopg2.errors.UniqueViolation:
            return Request.search(domain, limit=1)  # made at the same time by another request: it alerted
        group.sudo()._alert_moderators_of_request(request)
        return request

    # ------------------------------------------------------------
    # DECISIONS
    # ------------------------------------------------------------

    def _check_can_decide(self):
        if not all(group._can_moderate() for group in self.sudo().mail_group_id.with_env(self.env)):
            raise AccessError(_('Only the moderators of a group can approve or decline its subscription requests.'))
        if any(request.state != 'pending' for request in self.sudo()):
            raise UserError(_('This request has already been decided.'))

    def action_approve(self):
        """The requesters join (with the welcome mail) unless the group is closed."""
        self._check_can_decide()
        for request in self.sudo():
            group = request.mail_group_id.with_context(mail_group_request_lang=request.lang)
            if group.closed:
                raise UserError(_('This list is closed: reopen it to approve requests.'))
            existing = group._partner_member(request.partner_id.id) if request.partner_id else \
                group._find_member(request.email)
            if not existing:
                group._join_group(request.email, request.partner_id.id or None)
        self._decide('approved')
        return True

    def action_decline(self):
        """Decline: the requesters are told by mail."""
        self._check_can_decide()
        for request in self.sudo():
            request._send_decline_mail()
        self._decide('declined')
        return True

    def _decide(self, state):
        self.sudo().write({'state': state, 'decided_by_id': self.env.uid, 'decided_date': fields.Datetime.now()})

    def _send_decline_mail(self):
        """Tell the requester, in their language, that a moderator declined."""
        self.ensure_one()
        email = self.partner_id.email or self.email
        group = self.mail_group_id
        lang = self.partner_id.lang or group._mail_group_lang_of(emails=[email], default=self.lang or None)[email]
        group.with_context(lang=lang)._queue_request_declined(email)


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _alert_moderators_of_request(self, request):
        """Tell the moderators at once that someone asks to join: one
        notification each (inbox or email), in their language, throttled
        with the alerts of held posts."""
        self.ensure_one()
        moderators = self.moderator_ids.filtered('email')
        if not moderators or not self.env['mail.group.throttle']._allow({'moderator_alert': str(self.id)}):
            _logger.info('Mail group %s: subscription request %s not alerted', self.id, request.id)
            return False
        for lang, lang_moderators in self._mail_group_moderators_by_lang(moderators).items():
            group = self.with_context(lang=lang)
            body = self.env['ir.qweb'].with_context(lang=lang)._render(
                'website_mail_group.mail_group_alert_request', {
                    'group_name': group.name,
                    'requester': request._requester_label(),
                    'requests_url': group._requests_url(),
                }, minimal_qcontext=True)
            self.env['mail.thread'].sudo().message_notify(
                partner_ids=lang_moderators.partner_id.ids,
                subject=group._request_alert_subject(),
                body=body,
                author_id=self.env.ref('base.partner_root').id,
                email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                model='mail.group',
                res_id=self.id,
                **self._moderator_notification_values(),
            )
        self.env['mail.mail']._mail_group_wake_queue()
        return True

    def _queue_request_declined(self, email):
        """The mail telling ``email`` their request was declined, in the
        context's language."""
        self.ensure_one()
        company = self.env.company
        self.env['mail.mail'].sudo().create({
            'subject': _('Your request to join %s', self.name),
            'body_html': Markup('<p>%s</p><p>%s</p>') % (_('Hello,'), _(
                'Your request to join the mailing list %(group)s was declined by its moderators.', group=self.name)),
            'email_from': company.catchall_formatted or company.email_formatted,
            'email_to': email,
            'auto_delete': True,
            'headers': repr({'Auto-Submitted': 'auto-generated'}),
        })
        self.env['mail.mail']._mail_group_wake_queue()

    def _request_alert_subject(self):
        return _('Subscription request to %s', self.name)

    def _requests_url(self):
        """The back office's list of pending subscription requests."""
        action = self.env.ref('website_mail_group.mail_group_member_request_action', raise_if_not_found=False)
        base_url = self[:1].get_base_url() if self else self.env['ir.config_parameter'].sudo().get_param('web.base.url')
        return f'{base_url}/web#action={action.id if action else ""}&model=mail.group.member.request&view_type=list'


    @api.model
    def _cron_notify_moderators(self):
        """The daily reminder also lists pending subscription requests."""
        result = super()._cron_notify_moderators()
        self.search([('member_request_ids.state', '=', 'pending')])._remind_moderators_of_requests()
        return result

    def _remind_moderators_of_requests(self):
        """One reminder to each moderator of a group with pending requests:
        how many, the oldest requesters, and the list to decide them."""
        counts = dict(self.env['mail.group.member.request'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), ('state', '=', 'pending')], ['mail_group_id'], ['__count']))
        for group, count in counts.items():
            moderators = group.moderator_ids.filtered('email')
            requests = self.env['mail.group.member.request'].sudo().search(
                [('mail_group_id', '=', group.id), ('state', '=', 'pending')], order='create_date, id',
                limit=REMINDER_REQUESTS)
            for lang, lang_moderators in group._mail_group_moderators_by_lang(moderators).items():
                localized = group.with_context(lang=lang)
                body = self.env['ir.qweb'].with_context(lang=lang)._render(
                    'website_mail_group.mail_group_remind_requests', {
                        'group_name': localized.name,
                        'count': count,
                        'requesters': [request._requester_label() for request in requests],
                        'more_count': count - len(requests),
                        'requests_url': localized._requests_url(),
                    }, minimal_qcontext=True)
                self.env['mail.thread'].sudo().message_notify(
                    partner_ids=lang_moderators.partner_id.ids,
                    subject=localized._request_reminder_subject(),
                    body=body,
                    email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                    model='mail.group',
                    res_id=group.id,
                    **group._moderator_notification_values(),
                )
        if counts:
            self.env['mail.mail']._mail_group_wake_queue()
        return True

    def _request_reminder_subject(self):
        return _('Subscription requests are waiting in %s', self.name)
