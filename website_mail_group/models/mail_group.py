import hashlib
import hmac
import logging
from datetime import timedelta
from urllib.parse import quote_plus

import lxml.html
from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.addons.mail.tools.alias_error import AliasError
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from ..inbound import cleaning, rules
from ..outbound import delivery, footer
from ..outbound import headers as list_headers

_logger = logging.getLogger(__name__)

FOOTER_ID = 'o_mg_message_footer'


class MailGroup(models.Model):
    _name = 'mail.group'
    _description = 'Mail Group'
    _inherit = ['mail.alias.mixin']
    _order = 'create_date DESC, id DESC'

    name = fields.Char('Group Name', required=True, translate=True)
    description = fields.Text('Description')
    image_128 = fields.Image('Image', max_width=128, max_height=128)
    active = fields.Boolean('Active', default=True)
    # moderation
    moderation = fields.Boolean('Moderate this group')
    moderator_ids = fields.Many2many(
        'res.users', 'mail_group_moderator_rel', string='Moderators',
        domain=[('share', '=', False)],
        help='Moderators approve posts; on a group without moderation they are the responsible users.')
    moderation_notify = fields.Boolean(
        'Automatic notification',
        help='Tell authors that their message is waiting for moderation.')
    moderation_notify_msg = fields.Html('Notification message')
    moderation_guidelines = fields.Boolean(
        'Send guidelines to new subscribers',
        help='Send the guidelines to every new member.')
    moderation_guidelines_msg = fields.Html('Guidelines')
    moderation_rule_ids = fields.One2many('mail.group.moderation', 'mail_group_id', string='Moderated Emails')
    # inbound limits (see inbound/rules.py)
    nonmember_action = fields.Selection([
        ('accept', 'Accept'),
        ('hold', 'Hold for moderation'),
        ('reject', 'Reject'),
        ('discard', 'Discard'),
    ], string='Posts from non-members', required=True, default='accept',
        help='What happens to a post whose author is not a member (members-only groups refuse them anyway).')
    max_message_size_kb = fields.Integer(
        'Maximum message size (KB)', default=0, help='Larger posts are held for moderation. 0: no limit.')
    max_recipients = fields.Integer(
        'Maximum recipients', default=10,
        help='Posts addressed (To and Cc) to more addresses are held for moderation. 0: no limit.')
    subject_prefix = fields.Char(
        'Subject prefix', help='Added in front of the subject of every copy sent to members, e.g. [Developers].')
    from_policy = fields.Selection([
        ('author', "The author's address"),
        ('group', 'The group\'s address ("Author via Group")'),
    ], string='Send copies from', required=True, default='author',
        help='Sending from the group\'s address keeps copies from being rejected when the author\'s domain '
             'publishes a strict DMARC policy.')
    reply_to_policy = fields.Selection([
        ('list', 'The group'),
        ('author', 'The author'),
        ('both', 'The group and the author'),
    ], string='Replies go to', required=True, default='list')
    banned_patterns = fields.Text(
        'Banned addresses',
        help='One per line, a pattern such as *@spam.example or *@*.casino.example (* stands for any characters, '
             '? for one character). Posts from matching addresses are rejected.')
    moderation_rule_count = fields.Integer('Moderated emails count', compute='_compute_moderation_rule_count')
    # privacy
    access_mode = fields.Selection([
        ('public', 'Everyone'),
        ('members', 'Members only'),
        ('groups', 'Selected group of users'),
    ], string='Privacy', required=True, default='public')
    access_group_id = fields.Many2one(
        'res.groups', string='Authorized Group',
        default=lambda self: self.env.ref('base.group_user', raise_if_not_found=False))
    # members
    member_ids = fields.One2many('mail.group.member', 'mail_group_id', string='Members')
    member_partner_ids = fields.Many2many(
        'res.partner', string='Partners Member', compute='_compute_member_partner_ids',
        search='_search_member_partner_ids')
    member_count = fields.Integer('Members Count', compute='_compute_member_count')
    is_member = fields.Boolean('Is Member', compute='_compute_is_member', search='_search_is_member')
    is_moderator = fields.Boolean('Is Moderator', compute='_compute_is_moderator')
    can_manage_group = fields.Boolean('Can Manage', compute='_compute_can_manage_group')
    # messages
    mail_group_message_ids = fields.One2many('mail.group.message', 'mail_group_id', string='Pending Messages')
    mail_group_message_count = fields.Integer('Messages Count', compute='_compute_mail_group_message_count')
    mail_group_message_moderation_count = fields.Integer(
        'Pending Messages Count', compute='_compute_mail_group_message_moderation_count')
    digest_daily_last_date = fields.Datetime('Last Daily Digest', readonly=True, copy=False)
    digest_weekly_last_date = fields.Datetime('Last Weekly Digest', readonly=True, copy=False)
    mail_group_message_last_month_count = fields.Integer(
        'Messages Per Month', compute='_compute_mail_group_message_last_month_count')

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    def _count_by_group(self, model, domain):
        """{group id: count} in one query."""
        if not self.ids:
            return {}
        groups = self.env[model].sudo()._read_group(
            expression.AND([[('mail_group_id', 'in', self.ids)], domain]), ['mail_group_id'], ['__count'])
        return {group.id: count for group, count in groups}

    @api.depends('moderation_rule_ids')
    def _compute_moderation_rule_count(self):
        counts = self._count_by_group('mail.group.moderation', [])
        for group in self:
            group.moderation_rule_count = counts.get(group.id, 0)

    @api.depends('member_ids')
    def _compute_member_count(self):
        counts = self._count_by_group('mail.group.member', [])
        for group in self:
            group.member_count = counts.get(group.id, 0)

    @api.depends('mail_group_message_ids.moderation_status')
    def _compute_mail_group_message_count(self):
        counts = self._count_by_group('mail.group.message', [('moderation_status', '=', 'accepted')])
        for group in self:
            group.mail_group_message_count = counts.get(group.id, 0)

    @api.depends('mail_group_message_ids.moderation_status')
    def _compute_mail_group_message_moderation_count(self):
        counts = self._count_by_group('mail.group.message', [('moderation_status', '=', 'pending_moderation')])
        for group in self:
            group.mail_group_message_moderation_count = counts.get(group.id, 0)

    @api.depends('mail_group_message_ids.create_date', 'mail_group_message_ids.moderation_status')
    def _compute_mail_group_message_last_month_count(self):
        counts = self._count_by_group('mail.group.message', [
            ('moderation_status', '=', 'accepted'),
            ('create_date', '>=', fields.Datetime.now() - timedelta(days=30)),
        ])
        for group in self:
            group.mail_group_message_last_month_count = counts.get(group.id, 0)

    @api.depends('member_ids.partner_id')
    def _compute_member_partner_ids(self):
        for group in self:
            group.member_partner_ids = group.sudo().member_ids.partner_id

    def _search_member_partner_ids(self, operator, operand):
        if operator not in ('in', 'not in', '=', '!='):
            raise UserError(_('Unsupported search on members: %s', operator))
        partner_ids = operand if isinstance(operand, (list, tuple)) else [operand]
        partners = self.env['res.partner'].sudo().browse([pid for pid in partner_ids if pid])
        emails = [email for email in partners.mapped('email_normalized') if email]
        member_domain = expression.OR([
            [('partner_id', 'in', partners.ids)],
            [('email_normalized', 'in', emails)] if emails else expression.FALSE_DOMAIN,
        ])
        groups = self.env['mail.group.member'].sudo()._read_group(member_domain, ['mail_group_id'])
        group_ids = [group.id for group, in groups]
        return [('id', 'not in' if operator in ('not in', '!=') else 'in', group_ids)]

    @api.depends_context('uid')
    def _compute_is_member(self):
        if self.env.user._is_public() or not self.ids:
            self.is_member = False
            return
        partner = self.env.user.partner_id
        member_groups = self.env['mail.group.member'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), *self._member_domain(partner.email_normalized, partner.id)],
            ['mail_group_id'])
        member_group_ids = {group.id for group, in member_groups}
        for group in self:
            group.is_member = group.id in member_group_ids

    def _search_is_member(self, operator, value):
        if operator not in ('=', '!=') or not isinstance(value, bool):
            raise UserError(_('Unsupported search on membership.'))
        positive = (operator == '=') == value
        return [('member_partner_ids', 'in' if positive else 'not in', [self.env.user.partner_id.id])]

    @api.depends('moderator_ids')
    @api.depends_context('uid')
    def _compute_is_moderator(self):
        for group in self:
            group.is_moderator = self.env.user in group.moderator_ids

    @api.depends('is_moderator')
    @api.depends_context('uid')
    def _compute_can_manage_group(self):
        is_admin = self.env.user.has_group('website_mail_group.group_mail_group_manager') or self.env.su
        for group in self:
            group.can_manage_group = is_admin or group.is_moderator

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains('moderator_ids')
    def _check_moderator_email(self):
        if any(not moderator.email for group in self for moderator in group.moderator_ids):
            raise ValidationError(_('Moderators must have an email address.'))

    @api.constrains('moderation', 'moderator_ids')
    def _check_moderation_has_moderators(self):
        if any(group.moderation and not group.moderator_ids for group in self):
            raise ValidationError(_('A moderated group must have moderators.'))

    @api.constrains('moderation_notify', 'moderation_notify_msg')
    def _check_moderation_notify(self):
        if any(group.moderation_notify and tools.is_html_empty(group.moderation_notify_msg) for group in self):
            raise ValidationError(_('The notification message is missing.'))

    @api.constrains('moderation_guidelines', 'moderation_guidelines_msg')
    def _check_moderation_guidelines(self):
        if any(group.moderation_guidelines and tools.is_html_empty(group.moderation_guidelines_msg) for group in self):
            raise ValidationError(_('The guidelines description is missing.'))

    @api.constrains('max_message_size_kb', 'max_recipients')
    def _check_limits(self):
        if any(group.max_message_size_kb < 0 or group.max_recipients < 0 for group in self):
            raise ValidationError(_('Limits cannot be negative.'))

    @api.constrains('banned_patterns')
    def _check_banned_patterns(self):
        for group in self:
            invalid = rules.invalid_pattern(group.banned_patterns)
            if not invalid:
                continue
            reason, line = invalid
            if reason == 'count':
                raise ValidationError(_('At most %s banned address patterns per group.', rules.MAX_PATTERNS))
            if reason == 'regex':
                raise ValidationError(_(
                    'Banned address pattern "%s": regular expressions are not supported. Use * for any characters '
                    'and ? for one character, e.g. *@spam.example.', line))
            raise ValidationError(_('Banned address pattern "%(pattern)s…" is longer than %(max)s characters.',
                                    pattern=line[:40], max=rules.MAX_PATTERN_LENGTH))

    @api.constrains('access_mode', 'access_group_id')
    def _check_access_mode(self):
        if any(group.access_mode == 'groups' and not group.access_group_id for group in self):
            raise ValidationError(_('The "Authorized Group" is missing.'))

    # ------------------------------------------------------------
    # ALIAS
    # ------------------------------------------------------------

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values['alias_contact'] = 'everyone'
        values['alias_model_id'] = self.env['ir.model']._get_id('mail.group')
        values['alias_force_thread_id'] = self.id
        values['alias_defaults'] = '{}'
        return values

    def _alias_get_error(self, message, message_dict, alias):
        """Privacy applies to posting: members-only and user-group lists
        refuse other authors with Odoo's alias bounce."""
        self.ensure_one()
        if not self.active:
            return AliasError('mail_group_archived', _('This group is archived.'))
        if self.access_mode == 'members':
            email = tools.email_normalize(message_dict.get('email_from'))
            if not self._find_member(email, message_dict.get('author_id') or None):
                return AliasError('error_mail_group_members', _('Only members can send email to the mailing list.'))
        elif self.access_mode == 'groups':
            if not self._email_in_access_group(message_dict.get('email_from'), message_dict.get('author_id')):
                return AliasError('error_mail_group_groups', _('Only selected groups of users can send email to the mailing list.'))
        return super()._alias_get_error(message, message_dict, alias)

    def _email_in_access_group(self, email_from, author_id=None):
        self.ensure_one()
        email = tools.email_normalize(email_from)
        users = self.env['res.users'].sudo().browse()
        if author_id:
            users |= self.env['res.partner'].sudo().browse(author_id).user_ids
        if email:
            users |= self.env['res.users'].sudo().search([('email_normalized', '=', email)])
        return bool(users & self.access_group_id.sudo().users)

    # ------------------------------------------------------------
    # MAIL GATEWAY AND POSTING
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Mail only reaches existing groups through their alias."""
        raise ValueError(_('Incoming mail must be addressed to an existing mail group.'))

    def message_update(self, msg_dict, update_vals=None):
        return True

    def message_post(self, body='', subject=None, email_from=None, author_id=None, **kwargs):
        """Store a post (``mail.message`` + ``mail.group.message``), decide
        its fate with the inbound rules, and distribute it when accepted.

        Returns the ``mail.message`` (empty when the post was discarded)."""
        self.ensure_one()
        self.check_access_rights('read')
        self.check_access_rule('read')
        group = self.sudo()
        author_id, email_from = self.env['mail.thread']._message_compute_author(
            author_id, email_from, raise_on_email=not self.env.context.get('from_alias'))
        email_normalized = tools.email_normalize(email_from)

        inbound = self.env.context.get('mail_group_inbound') or {}
        decision = rules.decide(
            rules.Post(
                email_from=email_normalized or '',
                headers=inbound.get('headers') or {},
                size=inbound.get('size') or self._post_size(body, kwargs.get('attachments')),
                recipient_count=inbound.get('recipient_count') or 0,
                suspicious=inbound['suspicious'] if 'suspicious' in inbound
                else rules.has_active_content(body if isinstance(body, str) else ''),
            ),
            group._moderation_policy(email_normalized, author_id),
        )
        if decision.action == rules.DISCARD:
            _logger.info('Mail group %s: discarded post from %s (%s), Message-Id %s',
                         group.id, email_from, decision.reason, kwargs.get('message_id'))
            return self.env['mail.message']

        parent = self.env['mail.message'].sudo().browse(kwargs.get('parent_id') or [])
        if parent and (parent.model != self._name or parent.res_id != self.id):
            parent = parent.browse()
        message_values = {
            'model': self._name,
            'res_id': self.id,
            'body': self._clean_email_body(body.replace('\x00', '') if isinstance(body, str) else body),
            'subject': cleaning.one_line(subject) if subject
            else (parent and self._reply_subject(parent.subject)) or False,
            'email_from': email_from,
            'author_id': author_id,
            'message_type': kwargs.get('message_type') or 'email',
            'subtype_id': self.env['ir.model.data']._xmlid_to_res_id('mail.mt_comment'),
            'message_id': kwargs.get('message_id') or tools.generate_tracking_message_id('mail-group'),
            'parent_id': parent.id or False,
            'reply_to': group.alias_email or False,
            'record_name': group.name,
            'record_alias_domain_id': group.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
        }
        if kwargs.get('date'):
            # a forged future Date must not pin a post on top of the archive
            message_values['date'] = min(fields.Datetime.to_datetime(kwargs['date']), fields.Datetime.now())
        mail_message = self.env['mail.message'].sudo().create(message_values)
        attachments = self._process_attachments(kwargs.get('attachments') or [], kwargs.get('attachment_ids') or [])
        if attachments:
            mail_message.attachment_ids = attachments

        parent_group_message = self.env['mail.group.message'].sudo().search(
            [('mail_message_id', '=', parent.id)], limit=1) if parent else None
        status = {rules.ACCEPT: 'accepted', rules.HOLD: 'pending_moderation', rules.REJECT: 'rejected'}[decision.action]
        group_message = self.env['mail.group.message'].sudo().create({
            'mail_message_id': mail_message.id,
            'mail_group_id': self.id,
            'group_message_parent_id': parent_group_message.id if parent_group_message else False,
            'moderation_status': status,
            'moderation_reason': decision.reason if status != 'accepted' else False,
            'accepted_date': fields.Datetime.now() if status == 'accepted' else False,
        })
        if status == 'accepted':
            group._notify_members(group_message)
        elif status == 'pending_moderation' and group.moderation_notify:
            group._send_moderation_notification(group_message)
        elif status == 'rejected' and decision.reason == 'non_member':
            group._send_rejection_notice(group_message)
        return mail_message

    @api.model
    def _post_size(self, body, attachments):
        size = len((body or '').encode())
        for attachment in attachments or ():
            content = attachment[1]
            size += len(content.encode() if isinstance(content, str) else content or b'')
        return size

    @api.model
    def _reply_subject(self, subject):
        if not subject:
            return False
        return subject if subject.lower().startswith('re:') else f'Re: {subject}'

    def _moderation_policy(self, email_normalized, author_id=None):
        self.ensure_one()
        rule = self.env['mail.group.moderation'].sudo().search(
            [('mail_group_id', '=', self.id), ('email', '=', email_normalized)], limit=1) if email_normalized else None
        moderators = self.moderator_ids
        author_is_moderator = bool(
            (author_id and author_id in moderators.partner_id.ids)
            or (email_normalized and email_normalized in moderators.mapped('email_normalized')))
        return rules.GroupPolicy(
            list_id=self._list_id(),
            loop_address=self.alias_email or '',
            moderated=self.moderation,
            author_rule=rule.status if rule else '',
            author_is_moderator=author_is_moderator,
            author_is_member=self.nonmember_action == 'accept' or bool(self._find_member(email_normalized, author_id)),
            nonmember_action=self.nonmember_action,
            max_size=(self.max_message_size_kb or 0) * 1024,
            max_recipients=self.max_recipients or 0,
            banned_patterns=tuple(line for line in (self.banned_patterns or '').splitlines() if line.strip()),
        )

    def _list_id(self):
        return list_headers.list_id(self.alias_name, self.alias_domain)

    def _process_attachments(self, attachments, attachment_ids):
        """Gateway tuples ``(name, content[, info])`` and existing attachment
        ids, all attached to the group so the archive can serve them."""
        self.ensure_one()
        Attachment = self.env['ir.attachment'].sudo()
        existing = Attachment.browse(attachment_ids).exists()
        existing.filtered(lambda a: a.res_model == 'mail.compose.message' or not a.res_id).write(
            {'res_model': self._name, 'res_id': self.id})
        values = []
        for attachment in attachments:
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode('utf-8')
            values.append({
                'name': cleaning.one_line(name, replacement='_') or _('attachment'),
                'raw': content,
                'res_model': self._name,
                'res_id': self.id,
            })
        return existing | Attachment.create(values) if values else existing

    @api.model
    def _clean_email_body(self, body_html):
        """Remove our footer from the post (it is quoted in replies)."""
        if not body_html or FOOTER_ID not in body_html:
            return body_html
        root = lxml.html.fromstring(f'<div>{body_html}</div>')
        for node in root.xpath(f'//*[@id="{FOOTER_ID}"]'):
            node.getparent().remove(node)
        return ''.join(
            lxml.html.tostring(child, encoding='unicode') for child in root
        ) if len(root) else (root.text or '')

    # ------------------------------------------------------------
    # DISTRIBUTION
    # ------------------------------------------------------------

    def _notify_members(self, group_message):
        """Queue one ``mail.mail`` per member (author excluded, one per
        address): one query for the members, one footer render, batched
        inserts; the mail queue cron sends them."""
        self.ensure_one()
        group = self.sudo()
        mail_message = group_message.mail_message_id.sudo()
        targets = group._delivery_targets('every', tools.email_normalize(mail_message.email_from))
        if not targets:
            return
        base_url = group.get_base_url()
        parent_id = mail_message.parent_id.message_id or False
        group._queue_copies(mail_message, mail_message.body, group._list_headers(base_url, parent_id), targets,
                            base_url, references=parent_id)

    def _delivery_targets(self, mode, author_email=None):
        """Members receiving mail in ``mode`` (delivery not disabled), once
        per address, without the author; one query."""
        self.ensure_one()
        members = self.env['mail.group.member'].sudo().search_fetch(
            [('mail_group_id', '=', self.id), ('delivery_mode', '=', mode), ('delivery_disabled_date', '=', False)],
            ['email', 'email_normalized'], order='id')
        return delivery.recipients(
            ({'id': m.id, 'email': m.email, 'email_normalized': m.email_normalized} for m in members), author_email)

    def _list_headers(self, base_url, parent_message_id=False):
        self.ensure_one()
        return list_headers.list_headers(
            name=self.name,
            alias_email=self.alias_email,
            list_identifier=self._list_id(),
            archive_url=f'{base_url}/groups/{self.id}',
            subscribe_url=f'{base_url}/groups',
            in_reply_to=parent_message_id or None,
            references=parent_message_id or None,
        )

    def _queue_copies(self, mail_message, body, base_headers, members, base_url, references=False, values=None):
        """One ``mail.mail`` per member sharing ``mail_message``: ``body``
        then the footer, rendered once; only the footer and the headers get
        the member's own links, never ``body``. ``values`` are added to
        every copy. Batched inserts."""
        self.ensure_one()
        batch_size = int(self.env['ir.config_parameter'].sudo().get_param('mail.session.batch.size') or 1000)
        Mail = self.env['mail.mail'].sudo()
        member_links = self._member_links_builder(base_url)
        placeholders = footer.placeholders()
        footer_html = self._render_footer(base_url, placeholders)
        defaults = None
        for batch in tools.split_every(batch_size, members):
            values_list = []
            for member in batch:
                links = member_links(member['email_normalized'])
                values_list.append({
                    'mail_message_id': mail_message.id,
                    'body_html': footer.append_footer(body, footer.personalize(footer_html, placeholders, links)),
                    'email_to': member['email'],
                    'headers': repr(list_headers.personal_headers(base_headers, links['unsubscribe'])),
                    'references': references,
                    'auto_delete': True,
                    'is_notification': True,
                    'state': 'outgoing',
                    'mail_group_post': True,
                    'mail_group_member_id': member['id'],
                    **(values or {}),
                })
            if defaults is None:
                # every copy has the same missing fields: their defaults once per post
                defaults = {name: value for name, value in Mail._add_missing_default_values(dict(values_list[0])).items()
                            if name not in values_list[0]}
            Mail.with_context(mail_group_defaults=defaults).create(values_list)
        self.env.ref('mail.ir_cron_mail_scheduler_action').sudo()._trigger()

    def _member_links_builder(self, base_url=None):
        """A function giving a member's signed personal links (by kind:
        ``unsubscribe``, ``settings``) from their normalized address. The secret is read once,
        so building links for a whole list costs no query; the tokens are
        those of ``tools.hmac``."""
        self.ensure_one()
        base_url = base_url or self.get_base_url()
        secret = self.env['ir.config_parameter'].sudo().get_param('database.secret').encode()
        group_id = self.id

        def sign(scope, message):
            return hmac.new(secret, repr((scope, message)).encode(), hashlib.sha256).hexdigest()

        def links(email):
            quoted = quote_plus(email)  # as urlencode() writes it
            unsubscribe = sign('mail_group-access-token-portal', (group_id, email))
            settings = sign('mail_group-email-subscription', (group_id, email, 'delivery'))
            return {
                'unsubscribe': f'{base_url}/group/{group_id}/unsubscribe_oneclick?email={quoted}&token={unsubscribe}',
                'settings': f'{base_url}/group/{group_id}/delivery?email={quoted}&token={settings}',
            }
        return links

    def _render_footer(self, base_url, placeholders):
        """The footer, with ``placeholders`` (by kind) for the personal links."""
        self.ensure_one()
        return self.env['ir.qweb'].sudo()._render('website_mail_group.mail_group_footer', {
            'group_url': f'{base_url}/groups/{self.id}',
            'mailto': self.alias_email,
            'unsub_label': _('Unsubscribe'),
            'unsub_url': placeholders['unsubscribe'],
            'settings_url': placeholders['settings'],
        }, minimal_qcontext=True)

    # ------------------------------------------------------------
    # DIGESTS
    # ------------------------------------------------------------

    @api.model
    def _cron_send_digests(self):
        """Daily digests every run, weekly ones when a week has passed
        since the group's last weekly digest."""
        now = fields.Datetime.now()
        for group in self.search([]):
            group._send_digest('daily', now)
            if not group.digest_weekly_last_date or group.digest_weekly_last_date <= now - timedelta(days=7) \
                    + timedelta(minutes=5):
                group._send_digest('weekly', now)
        return True

    def _send_digest(self, mode, now=None):
        """One digest (table of contents + posts) to every ``mode`` member
        for the posts accepted since the previous one."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        group = self.sudo()
        last_field = f'digest_{mode}_last_date'
        since = group[last_field] or now - timedelta(days=1 if mode == 'daily' else 7)
        targets = group._delivery_targets(mode)
        # flags make each post appear once; the hour of slack keeps a post
        # accepted during the previous run from falling between two digests
        done_field = f'digest_{mode}_done'
        posts = self.env['mail.group.message'].sudo().search([
            ('mail_group_id', '=', self.id), ('moderation_status', '=', 'accepted'), (done_field, '=', False),
            ('accepted_date', '>=', since - timedelta(hours=1)), ('accepted_date', '<=', now),
        ], order='accepted_date, id')
        group[last_field] = now
        posts.write({done_field: True})
        if not targets or not posts:
            return False
        base_url = group.get_base_url()
        modes = dict(self.env['mail.group.member']._fields['delivery_mode']._description_selection(self.env))
        title = _('%(group)s: %(mode)s, %(count)s messages', group=group.name, mode=modes[mode], count=len(posts))
        body = self.env['ir.qweb']._render('website_mail_group.mail_group_digest', {
            'group': group,
            'posts': posts,
            'title': title,
            'archive_url': f'{base_url}/groups/{self.id}',
            'sanitize': lambda html: tools.html_sanitize(html, sanitize_tags=True, sanitize_attributes=True,
                                                         strip_style=True, strip_classes=True),
        }, minimal_qcontext=True)
        digest_message = self.env['mail.message'].sudo().create({
            'model': self._name,
            'res_id': self.id,
            'message_type': 'email_outgoing',
            'subject': title,
            'body': '',
            'email_from': group.alias_email and tools.formataddr((group.name, group.alias_email))
            or self.env.company.email_formatted,
            'reply_to': group.alias_email or False,
            'message_id': tools.generate_tracking_message_id('mail-group-digest'),
            'record_alias_domain_id': group.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
        })
        group._queue_copies(digest_message, body, group._list_headers(base_url), targets, base_url)
        return digest_message

    # ------------------------------------------------------------
    # MEMBERSHIP
    # ------------------------------------------------------------

    @api.model
    def _member_domain(self, email, partner_id=None):
        email_normalized = tools.email_normalize(email) if email else False
        domain = [('email_normalized', '=', email_normalized)] if email_normalized else expression.FALSE_DOMAIN
        if partner_id:
            domain = expression.OR([[('partner_id', '=', partner_id)], domain])
        return domain

    def _find_members(self, email, partner_id):
        """Members of these groups matching the partner or the address."""
        return self.env['mail.group.member'].sudo().search(
            [('mail_group_id', 'in', self.ids), *self._member_domain(email, partner_id)])

    def _find_member(self, email, partner_id=None):
        """The member for this address: the given partner's member first,
        else the partner-less member with that address; without a partner,
        the partner-less member is preferred."""
        self.ensure_one()
        members = self._find_members(email, partner_id)
        if not members:
            return members
        if partner_id:
            return (members.filtered(lambda m: m.partner_id.id == partner_id)[:1]
                    or members.filtered(lambda m: not m.partner_id)[:1])
        return members.filtered(lambda m: not m.partner_id)[:1] or members[:1]

    def _join_group(self, email, partner_id=None):
        self.ensure_one()
        if partner_id:
            partner = self.env['res.partner'].sudo().browse(partner_id).exists()
            email = partner.email or email
        email_normalized = tools.email_normalize(email)
        if not email_normalized:
            raise UserError(_('The email "%s" is not valid.', email))
        if self._find_member(email_normalized, partner_id):
            return self.env['mail.group.member']
        member = self.env['mail.group.member'].sudo().create({
            'email': email,
            'partner_id': partner_id or False,
            'mail_group_id': self.id,
        })
        if self.moderation_guidelines:
            self.action_send_guidelines(member)
        return member

    def _leave_group(self, email, partner_id=None, all_members=False):
        self.ensure_one()
        if all_members and not partner_id:
            members = self._find_members(email, False)
        elif all_members:
            members = self._find_members(email, partner_id)
        else:
            members = self._find_member(email, partner_id)
        members.sudo().unlink()

    def _check_can_join(self):
        """Joining from Odoo follows the group's privacy."""
        self.ensure_one()
        if self.access_mode == 'groups' and self.access_group_id not in self.env.user.groups_id \
                and not self.env.user.has_group('website_mail_group.group_mail_group_manager'):
            raise AccessError(_('You do not belong to the authorized group of this mail group.'))

    def action_join(self):
        self.check_access_rights('read')
        self.check_access_rule('read')
        for group in self:
            group._check_can_join()
            partner = self.env.user.partner_id
            group._join_group(partner.email, partner.id)

    def action_leave(self):
        self.check_access_rights('read')
        self.check_access_rule('read')
        partner = self.env.user.partner_id
        for group in self:
            group._leave_group(partner.email, partner.id, all_members=True)

    def action_send_guidelines(self, members=None):
        """Mail the guidelines to ``members`` (default: every member)."""
        if not self.env.is_admin() and not self.env.su and any(not group.can_manage_group for group in self):
            raise AccessError(_('Only an administrator or a moderator can send guidelines to group members.'))
        template = self.env.ref('website_mail_group.mail_template_guidelines')
        for group in self:
            if tools.is_html_empty(group.moderation_guidelines_msg):
                raise UserError(_('The guidelines description is empty.'))
            group_members = (members or group.member_ids).filtered(lambda m: m.mail_group_id == group).sudo()
            if group_members:
                template.sudo().send_mail_batch(group_members.ids, email_layout_xmlid='mail.mail_notification_light')
        return True

    def action_go_to_website(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_url',
            'target': 'self',
            'url': f'/groups/{self.id}',
        }

    # ------------------------------------------------------------
    # EMAILS
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

    @api.model
    def _cron_notify_moderators(self):
        moderated_groups = self.search([('moderation', '=', True)])
        return moderated_groups._notify_moderators()

    def _notify_moderators(self):
        """Remind moderators of pending posts, in their inbox or by email
        according to their preference."""
        pending = self.env['mail.group.message'].sudo()._read_group(
            [('mail_group_id', 'in', self.ids), ('moderation_status', '=', 'pending_moderation')],
            ['mail_group_id'], ['__count'])
        for group, count in pending:
            if not group.moderator_ids:
                continue
            body = self.env['ir.qweb']._render('website_mail_group.mail_group_notify_moderation', {
                'record': group,
                'pending_count': count,
                'review_url': f'{group.get_base_url()}/web#model=mail.group&id={group.id}&view_type=form',
            }, minimal_qcontext=True, raise_if_not_found=False)
            self.env['mail.thread'].sudo().message_notify(
                partner_ids=group.moderator_ids.partner_id.ids,
                subject=_('Messages are pending moderation in %s', group.name),
                body=body,
                email_from=self.env.company.catchall_formatted or self.env.company.email_formatted,
                model='mail.group',
                res_id=group.id,
            )
        return True
