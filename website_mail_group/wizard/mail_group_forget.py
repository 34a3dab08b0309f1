"""Forgetting a person in every group (GDPR erasure), from Odoo's Privacy
Lookup: their memberships, thread settings, moderation rules, subscription
requests and copies waiting to be sent are deleted; their posts
stay in the archive under a pseudonym, their name and address replaced
everywhere (posts and replies quoting them, subjects, search, feeds, mbox,
the audit trail), with or without their text, as the administrator chooses.
Exclusions stay: they keep a member sources would add again out."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..models.mail_group_message_redact import PSEUDONYM_ADDRESS, replace_identity


class MailGroupForget(models.TransientModel):
    _name = 'mail.group.forget'
    _description = 'Forget a Person in Mailing Lists'

    email = fields.Char(required=True)
    name = fields.Char('Names', help='Replaced wherever they appear in the posts, as the address is: the name, '
                                     'and the variants they sign with, separated by commas (3 characters or more).')
    text = fields.Selection([('keep', 'Keep the text of their posts'), ('remove', 'Remove the text of their posts')],
                            string='Their Posts', required=True, default='keep')
    state = fields.Selection([('draft', 'Draft'), ('done', 'Done')], default='draft', readonly=True)
    summary = fields.Text('What Is Found', compute='_compute_summary')
    result = fields.Text('Done', readonly=True)

    def _found(self):
        """(address, partners, members, posts, rules, mails) of the person."""
        self.ensure_one()
        email = tools.email_normalize(self.email or '')
        if not email:
            raise UserError(_('The email "%s" is not valid.', self.email))
        env = self.env(su=True)
        partners = env['res.partner'].with_context(active_test=False).search([('email_normalized', '=', email)])
        members = env['mail.group.member'].search(['|', ('email_normalized', '=', email), ('partner_id', 'in', partners.ids)])
        posts = env['mail.group.message'].search(['|', ('email_from_normalized', '=', email), ('author_id', 'in', partners.ids)])
        rules = env['mail.group.moderation'].search([('email', '=', email)])
        mails = env['mail.mail'].search([('mail_group_post', '=', True), ('email_to', 'ilike', email),
                                         ('state', 'in', ('outgoing', 'exception'))])
        mails = mails.filtered(lambda mail: email in {tools.email_normalize(address) for address in
                                                      tools.email_split(mail.email_to)})
        return email, partners, members, posts, rules, mails

    @api.depends('email')
    def _compute_summary(self):
        for wizard in self:
            if not tools.email_normalize(wizard.email or ''):
                wizard.summary = False
                continue
            __, __, members, posts, rules, mails = wizard._found()
            wizard.summary = _('%(members)s memberships, %(posts)s posts, %(rules)s moderation rules, '
                               '%(mails)s copies waiting to be sent', members=len(members), posts=len(posts),
                               rules=len(rules), mails=len(mails))

    def action_forget(self):
        self.ensure_one()
        if not self.env.user.has_group('website_mail_group.group_mail_group_manager'):
            raise UserError(_('Only mail group administrators can forget a person.'))
        email, partners, members, posts, rules, mails = self._found()
        names = {name.strip() for name in [*(self.name or '').split(','), *partners.mapped('name')] if name.strip()}
        names |= {tools.parse_contact_from_email(post.email_from)[0] for post in posts if post.email_from} - {''}
        pseudonym = _('Former participant')
        env = self.env(su=True, context=dict(self.env.context, mail_group_audit_how='system'))
        counts = {'members': len(members), 'posts': len(posts), 'rules': len(rules), 'mails': len(mails)}
        mails.unlink()
        rules.unlink()
        env['mail.group.member.request'].search(['|', ('email_normalized', '=', email),
                                                 ('partner_id', 'in', partners.ids)]).unlink()
        members.with_env(env).unlink()  # their thread settings go with them

        def hide(value):
            return replace_identity(value, names, email, pseudonym)
        if self.text == 'remove':
            posts.with_env(env)._redact(lambda post: None, _("Removed at the author's request on %s."))
        # their posts under the pseudonym; every post quoting them (a reply's "X wrote:") loses their name and address
        for post in posts:
            post.mail_message_id.write({'email_from': f'"{pseudonym}" <{PSEUDONYM_ADDRESS}>', 'author_id': False,
                                        'subject': hide(post.subject), 'body': hide(post.body)})
        quoting = env['mail.group.message'].search(['|', ('body', 'ilike', email), ('subject', 'ilike', email)])
        for name in names:
            if len(name) >= 3:
                quoting |= env['mail.group.message'].search(['|', ('body', 'ilike', name), ('subject', 'ilike', name)])
        for post in quoting - posts:
            post.mail_message_id.write({'subject': hide(post.subject), 'body': hide(post.body)})
        audit = env['mail.group.audit'].search(['|', ('email', 'ilike', email), ('detail', 'ilike', email)])
        for entry in audit:
            entry.write({'email': hide(entry.email), 'detail': hide(entry.detail)})
        self.write({'state': 'done', 'result': _(
            '%(members)s memberships, %(rules)s moderation rules and %(mails)s waiting copies deleted; '
            '%(posts)s posts kept under "%(pseudonym)s"', pseudonym=pseudonym, **counts)})
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new', 'name': _('Forget a Person')}


class PrivacyLookupWizard(models.TransientModel):
    _inherit = 'privacy.lookup.wizard'

    def _get_query(self):
        """Odoo's query (raw SQL, a UNION per model) also finds the person's
        posts, by their normalized From (Odoo's look-up reads no
        ``email_from_normalized``), and the copies waiting to be sent to them."""
        query, values = super()._get_query()
        query += """
            UNION ALL
            SELECT %s AS res_model_id, id AS res_id, True AS is_active
              FROM mail_group_message
             WHERE email_from_normalized = %s
            UNION ALL
            SELECT %s AS res_model_id, id AS res_id, True AS is_active
              FROM mail_mail
             WHERE mail_group_post AND state IN ('outgoing', 'exception') AND email_to ILIKE %s
        """
        IrModel = self.env['ir.model']
        values += [IrModel._get_id('mail.group.message'), tools.email_normalize(self.email.strip()),
                   IrModel._get_id('mail.mail'), f'%{self.email.strip()}%']
        return query, values

    def action_forget_in_mail_groups(self):
        """Privacy Lookup → Forget in Mailing Lists, for the person looked up."""
        self.ensure_one()
        return {'type': 'ir.actions.act_window', 'res_model': 'mail.group.forget', 'view_mode': 'form',
                'target': 'new', 'name': _('Forget a Person'),
                'context': {'default_email': self.email, 'default_name': self.name}}
