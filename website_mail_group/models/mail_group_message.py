"""mail.group.message: a post of a group, its moderation status and reason, its
place in a thread."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..inbound import reasons


class MailGroupMessage(models.Model):
    """A post of a group: moderation state and thread links around one
    ``mail.message`` (model ``mail.group``, res_id the group)."""
    _name = 'mail.group.message'
    _description = 'Mailing List Message'
    _rec_name = 'subject'
    _order = 'date DESC, id DESC'

    mail_message_id = fields.Many2one(
        'mail.message', required=True, ondelete='cascade', index=True, copy=False)
    subject = fields.Char(related='mail_message_id.subject', readonly=False)
    body = fields.Html(related='mail_message_id.body', readonly=False)
    email_from = fields.Char(related='mail_message_id.email_from', readonly=False)
    author_id = fields.Many2one(related='mail_message_id.author_id', readonly=False)
    attachment_ids = fields.Many2many(related='mail_message_id.attachment_ids', readonly=False)
    create_date = fields.Datetime(string='Received')
    date = fields.Datetime(related='mail_message_id.date', store=True, index=True, string='Date',
                           help="The post's Date header (never in the future); the archive is ordered by it.")
    email_from_normalized = fields.Char(
        'Normalized From', compute='_compute_email_from_normalized', store=True, index=True)
    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, ondelete='cascade', index=True)
    group_message_parent_id = fields.Many2one(
        'mail.group.message', string='Parent', index='btree_not_null', ondelete='set null')
    group_message_child_ids = fields.One2many('mail.group.message', 'group_message_parent_id', string='Children')
    moderation_status = fields.Selection([
        ('pending_moderation', 'Pending Moderation'),
        ('accepted', 'Accepted'),
        ('rejected', 'Rejected'),
    ], string='Status', index=True, copy=False, required=True, default='pending_moderation')
    moderation_reason = fields.Selection(
        reasons.STORED, string='Reason', readonly=True, copy=False, help='Why the post was held or rejected.')
    moderator_id = fields.Many2one('res.users', string='Moderated By')
    accepted_date = fields.Datetime('Accepted On', readonly=True, copy=False, index='btree_not_null',
                                    help='When the post was distributed; digests gather posts by this date.')
    digest_daily_done = fields.Boolean('In a Daily Digest', readonly=True, copy=False)
    digest_weekly_done = fields.Boolean('In a Weekly Digest', readonly=True, copy=False)
    author_moderation = fields.Selection(
        [('ban', 'Banned'), ('allow', 'Whitelisted')], string='Author Moderation Status',
        compute='_compute_author_moderation')
    is_group_moderated = fields.Boolean('Is Group Moderated', related='mail_group_id.moderation')
    author_from_account = fields.Boolean(
        'Posted from an Account', readonly=True, copy=False,
        help='Posted from the website or from Odoo: the author is a user\'s partner, and the address of their '
             'profile is not proven, so copies leave "via" the group and only rules naming the partner allow it.')

    _sql_constraints = [
        ('mail_message_unique', 'UNIQUE(mail_message_id)', 'A message is posted once.'),
    ]

    def init(self):
        result = super().init()
        # Website archive (controllers/archive.py): accepted posts of one group, newest first,
        # paged with OFFSET, and the thread-root filter on the parent. Plans with 100,000
        # posts (bench/README.md): /page/2500?mode=date was an Index Scan Backward on the
        # date index filtering on group and status + Incremental Sort, 21 ms; with this
        # index an Index Only Scan, 9 ms. Thread page 500: 10.5 ms -> 7.8 ms (Index Only
        # Scan: the parent is included, so the root filter reads no table row).
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS mail_group_message_archive_index
                ON mail_group_message (mail_group_id, date DESC, id DESC)
                INCLUDE (group_message_parent_id)
                WHERE moderation_status = 'accepted'
        """)
        return result

    @api.depends('email_from')
    def _compute_email_from_normalized(self):
        for message in self:
            message.email_from_normalized = tools.email_normalize(message.email_from)

    @api.depends('email_from_normalized', 'mail_group_id', 'author_from_account', 'author_id')
    @api.depends_context('uid')
    def _compute_author_moderation(self):
        """The author's rule, shown to the moderators of the group only."""
        groups = self.mail_group_id.filtered(lambda group: group._can_moderate())
        rules = self.env['mail.group.moderation'].sudo().search_fetch([
            ('email', 'in', [email for email in self.mapped('email_from_normalized') if email]),
            ('mail_group_id', 'in', groups.ids),
        ], ['email', 'mail_group_id', 'status'])
        status = {(rule.mail_group_id.id, rule.email): rule.status for rule in rules}
        for message in self:
            if message.author_from_account and message.mail_group_id in groups:
                # the rule that applies to posts written from an account (mail_group_posting)
                message.author_moderation = message.mail_group_id.sudo()._partner_rule(
                    message.email_from_normalized, message.author_id.id) or False
            else:
                message.author_moderation = status.get((message.mail_group_id.id, message.email_from_normalized), False)

    @api.constrains('mail_message_id', 'mail_group_id', 'group_message_parent_id')
    def _check_same_group(self):
        """A post wraps a message of its group and answers a post of it:
        the archive shows both with the post."""
        for message in self.sudo():
            if (message.mail_message_id.model, message.mail_message_id.res_id) != ('mail.group', message.mail_group_id.id):
                raise ValidationError(_('A post wraps a message of its own group.'))
            parent = message.group_message_parent_id
            if parent and parent.mail_group_id != message.mail_group_id:
                raise ValidationError(_('A post answers a post of its own group.'))

    @api.model_create_multi
    def create(self, vals_list):
        """A message created without ``mail_message_id`` (Emails → New in the
        back office) is posted through the group: moderation and
        distribution apply. Wrapping an existing message is for the
        superuser (the gateway and ``message_post``), and so is storing a
        post in a given state without distributing it (data imports,
        Odoo's own tests): its ``mail.message`` is then made from the values."""
        posted = self.browse()
        plain_vals = []
        for values in vals_list:
            if not values.get('mail_message_id') and self.env.su and values.get('moderation_status'):
                values = self._stored_post_values(values)
            if values.get('mail_message_id'):
                if not self.env.su:
                    raise AccessError(_('Posts are created by posting to their group.'))
                plain_vals.append(values)
                continue
            group = self.env['mail.group'].browse(values.get('mail_group_id'))
            if not group:
                raise UserError(_('Choose the group to post to.'))
            author = self.env['res.partner'].browse(values['author_id']) if values.get('author_id') else None
            mail_message = group.message_post(
                body=values.get('body') or '',
                subject=values.get('subject'),
                email_from=values.get('email_from') or (author.email_formatted if author else None),
                author_id=author.id if author else None,
                attachment_ids=self._attachment_ids_from_commands(values.get('attachment_ids')),
            )
            if not mail_message:
                # back-office posts carry no mail headers: only the non-member rule discards them
                raise UserError(_('This group discards messages from non-members: join it first.'))
            posted |= self.sudo().search([('mail_message_id', '=', mail_message.id)]).sudo(False)
        return posted | super().create(plain_vals) if plain_vals else posted

    def write(self, vals):
        """A post stays the post of its group: its message and group are
        fixed, and the writer must still be allowed to write it afterwards.
        Its fields are those of its ``mail.message`` (see mail_message.py)."""
        if not self.env.su and {'mail_message_id', 'mail_group_id'} & vals.keys():
            raise AccessError(_('A post cannot be moved to another message or group.'))
        result = super().write(vals)
        if not self.env.su:
            self.check_access_rule('write')
        return result

    @api.model
    def _stored_post_values(self, values):
        """``values`` with a new ``mail.message`` of the group in place of the
        message fields (superuser only)."""
        values = dict(values)
        message_fields = {name: values.pop(name) for name in ('subject', 'body', 'email_from', 'author_id',
                                                              'attachment_ids', 'date') if name in values}
        group = self.env['mail.group'].browse(values.get('mail_group_id')).exists()
        if not group:
            raise UserError(_('Choose the group to post to.'))
        message_fields.setdefault('author_id', False)
        values['mail_message_id'] = self.env['mail.message'].create({
            **message_fields,
            'model': 'mail.group',
            'res_id': group.id,
            'message_type': 'email',
            'subtype_id': self.env['ir.model.data']._xmlid_to_res_id('mail.mt_comment'),
            'message_id': tools.generate_tracking_message_id('mail-group'),
            'record_name': group.name,
        }).id
        if values['moderation_status'] == 'accepted':
            # stored, not distributed: digests do not send it either
            values = {'accepted_date': fields.Datetime.now(), 'digest_daily_done': True,
                      'digest_weekly_done': True, 'digest_summary_done': True, **values}
        return values

    @api.model
    def _attachment_ids_from_commands(self, commands):
        ids = []
        for command in commands or []:
            if isinstance(command, int):
                ids.append(command)
            elif command[0] == 6:
                ids.extend(command[2])
            elif command[0] == 4:
                ids.append(command[1])
        return ids

    def _owned_attachments(self):
        """Files stored for these posts (not the files they link from
        elsewhere); older posts stored theirs on the group."""
        owners = {(self._name, post.id) for post in self} | {('mail.group', post.mail_group_id.id) for post in self}
        return self.sudo().attachment_ids.filtered(lambda attachment: (attachment.res_model, attachment.res_id) in owners)
