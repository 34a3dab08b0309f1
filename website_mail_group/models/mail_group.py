"""The mail group itself: fields, counters, constraints. Its alias and what
the gateway calls (mail_group_gateway.py), posting, distribution,
membership, links, notices, digests and access live in the mail_group_*.py
files extending it."""
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..inbound import patterns


class MailGroup(models.Model):
    _name = 'mail.group'
    _description = 'Mail Group'
    _inherit = ['mail.alias.mixin']
    _order = 'create_date DESC, id DESC'

    name = fields.Char('Group Name', required=True, translate=True)
    description = fields.Text()
    image_128 = fields.Image('Image', max_width=128, max_height=128)
    active = fields.Boolean(default=True)
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
        ('dmarc', "The author's address, or via the group when the author's domain requires it"),
        ('author', "The author's address"),
        ('group', 'The group\'s address ("Author via Group")'),
        ('wrap', 'The group\'s address, with the mail as received attached ("wrap")'),
    ], string='Send copies from', required=True, default='dmarc',
        help='Sending from the group\'s address keeps copies from being rejected when the author\'s domain '
             'publishes a strict DMARC policy. Wrapping also attaches the post as its author sent it, whose '
             'own DKIM signature still verifies; posts written on the website or in Odoo leave "via" the group.')
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
    is_member = fields.Boolean(compute='_compute_is_member', search='_search_is_member')
    is_moderator = fields.Boolean(compute='_compute_is_moderator')
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

    @api.depends('mail_group_message_ids.date', 'mail_group_message_ids.moderation_status')
    def _compute_mail_group_message_last_month_count(self):
        # by the post's date, not its creation: an imported archive is not this month's traffic
        counts = self._count_by_group('mail.group.message', [
            ('moderation_status', '=', 'accepted'),
            ('date', '>=', fields.Datetime.now() - timedelta(days=30)),
        ])
        for group in self:
            group.mail_group_message_last_month_count = counts.get(group.id, 0)

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
            invalid = patterns.invalid_pattern(group.banned_patterns)
            if not invalid:
                continue
            reason, line = invalid
            if reason == 'count':
                raise ValidationError(_('At most %s banned address patterns per group.', patterns.MAX_PATTERNS))
            if reason == 'regex':
                raise ValidationError(_(
                    'Banned address pattern "%s": regular expressions are not supported. Use * for any characters '
                    'and ? for one character, e.g. *@spam.example.', line))
            raise ValidationError(_('Banned address pattern "%(pattern)s…" is longer than %(max)s characters.',
                                    pattern=line[:40], max=patterns.MAX_PATTERN_LENGTH))

    @api.constrains('access_mode', 'access_group_id')
    def _check_access_mode(self):
        if any(group.access_mode == 'groups' and not group.access_group_id for group in self):
            raise ValidationError(_('The "Authorized Group" is missing.'))

    # the alias, what the mail gateway calls, the list id: mail_group_gateway.py
