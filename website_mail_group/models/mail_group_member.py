"""mail.group.member: a member of a group (partner or address), delivery mode,
bounces and probes."""
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models, tools

from .mail_layout import LAYOUT

_logger = logging.getLogger(__name__)


class MailGroupMember(models.Model):
    _name = 'mail.group.member'
    _description = 'Mailing List Member'
    _rec_name = 'email'
    _order = 'id DESC'

    email = fields.Char(compute='_compute_email', readonly=False, store=True)
    email_normalized = fields.Char('Normalized Email', compute='_compute_email_normalized', index=True, store=True)
    mail_group_id = fields.Many2one('mail.group', string='Group', required=True, index=True, ondelete='cascade')
    partner_id = fields.Many2one('res.partner', ondelete='cascade', index='btree_not_null')
    delivery_mode = fields.Selection([
        ('every', 'Every message'),
        ('first_post', 'First post of each topic'),
        ('daily', 'Daily digest'),
        ('weekly', 'Weekly digest'),
        ('summary', 'Daily summary'),
        ('none', 'No mail (web only)'),
    ], string='Delivery', required=True, default='every',
        help='Every post as it is accepted; the first post of each topic only (follow a topic to get its replies); '
             'one digest a day or a week; a daily summary (subjects, authors and links); or nothing (read on the '
             'website). Special notices reach every member.')
    bounce_count = fields.Integer('Delivery Failures', default=0, readonly=True,
                                  help='Permanent delivery failures of group posts to this member.')
    last_bounce_date = fields.Datetime('Last Delivery Failure', readonly=True)
    delivery_disabled_date = fields.Datetime(
        'Delivery Disabled On', readonly=True, copy=False, index='btree_not_null',
        help='Set when too many deliveries failed: the member gets no mail until they turn it back on.')
    bounce_warnings_sent = fields.Integer(readonly=True, copy=False)
    last_bounce_warning_date = fields.Datetime('Last Bounce Warning', readonly=True, copy=False)
    bounce_probe_date = fields.Datetime(
        'Bounce Probe Sent On', readonly=True, copy=False,
        help='Past the bounce threshold a probe message is sent; delivery stops only if it bounces too.')

    _sql_constraints = [
        ('unique_partner', 'UNIQUE(partner_id, mail_group_id)', 'This partner is already a member of the group.'),
    ]

    def init(self):
        # one partner-less member per address and group, enforced by PostgreSQL
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_group_member_unique_email_no_partner
                ON mail_group_member (mail_group_id, email_normalized)
             WHERE partner_id IS NULL
        """)

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and {'mail_group_id', 'partner_id'} & set(vals):
            # Odoo checks the record rules before a write: a member moved to
            # another group must still be one the writer manages
            self.check_access_rule('write')
        return res

    @api.depends('partner_id.email')
    def _compute_email(self):
        for member in self:
            if member.partner_id:
                member.email = member.partner_id.email
            elif not member.email:
                member.email = False

    @api.depends('email')
    def _compute_email_normalized(self):
        for member in self:
            member.email_normalized = tools.email_normalize(member.email)

    def _bounce_settings(self):
        get_param = self.env['ir.config_parameter'].sudo().get_param
        return {
            'threshold': int(get_param('website_mail_group.bounce_score_threshold', 5)),
            'stale_days': int(get_param('website_mail_group.bounce_info_stale_after_days', 7)),
            'warnings': int(get_param('website_mail_group.bounce_warnings', 3)),
            'interval_days': int(get_param('website_mail_group.bounce_warning_interval_days', 7)),
        }

    def _register_delivery_failure(self):
        """A permanent delivery failure of a post to these members (an SMTP
        5xx to the recipient, or a delivery report to their signed bounce
        address), as Mailman does: the score restarts when the last failure
        is stale; past the threshold a probe is sent, unless one is pending."""
        settings = self._bounce_settings()
        now = fields.Datetime.now()
        stale = now - timedelta(days=settings['stale_days'])
        to_probe = self.browse()
        for member in self.sudo():
            score = 1 if not member.last_bounce_date or member.last_bounce_date < stale else member.bounce_count + 1
            member.write({'bounce_count': score, 'last_bounce_date': now})
            probe_pending = member.bounce_probe_date and member.bounce_probe_date >= stale
            if score >= settings['threshold'] and not member.delivery_disabled_date and not probe_pending:
                to_probe |= member
        to_probe._send_bounce_probe()

    def _send_bounce_probe(self):
        """Mail each member a probe from its own signed bounce address; only
        if the probe bounces too is delivery turned off."""
        self.sudo().write({'bounce_probe_date': fields.Datetime.now()})
        langs = self.env['mail.group']._mail_group_member_langs(self)
        for member in self.sudo():
            member.with_context(lang=langs[member.id])._queue_bounce_probe()

    def _queue_bounce_probe(self):
        """The probe of this member, in the context's language."""
        member = self.sudo()
        group = member.mail_group_id
        message = self.env['mail.message'].sudo().create({
            'model': 'mail.group',
            'res_id': group.id,
            'message_type': 'email_outgoing',
            'subject': _('Delivery problems: %s', group.name),
            'body': '',
            'email_from': group.alias_email and tools.formataddr((group.name, group.alias_email))
            or self.env.company.email_formatted,
            'message_id': tools.generate_tracking_message_id('mail-group-probe'),
            'record_alias_domain_id': group.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
        })
        body = Markup('<p>%s</p><p>%s</p>') % (
            _('Some messages of %(group)s could not be delivered to %(email)s.',
              group=group.name, email=member.email_normalized),
            _('This message checks your address: there is nothing to do. If it cannot be delivered either, '
              'delivery stops and you will be told how to turn it back on.'))
        target = {'id': member.id, 'email': member.email, 'email_normalized': member.email_normalized,
                  'lang': self.env.lang}
        group._queue_copies(message, body, [[target]], values={'mail_group_probe': True})

    def _register_probe_bounce(self):
        """The probe bounced: delivery stops and the warnings start."""
        to_disable = self.sudo().filtered(lambda member: member.bounce_probe_date and not member.delivery_disabled_date)
        if to_disable:
            to_disable.write({'delivery_disabled_date': fields.Datetime.now(), 'bounce_warnings_sent': 0,
                              'bounce_probe_date': False})
            to_disable._send_bounce_warning()

    def _send_bounce_warning(self):
        """Tell members their delivery is off, with a link to turn it back on."""
        template = self.env.ref('website_mail_group.mail_template_bounce_warning')
        langs = self.env['mail.group']._mail_group_member_langs(self)
        for member in self.sudo():
            template.with_context(lang=langs[member.id]).send_mail(
                member.id, email_layout_xmlid=LAYOUT)
            member.write({
                'bounce_warnings_sent': member.bounce_warnings_sent + 1,
                'last_bounce_warning_date': fields.Datetime.now(),
            })

    def action_enable_delivery(self):
        """Turn delivery back on: for the member themselves (through their
        partner) or the managers of the group."""
        members = self.sudo()
        own = members.filtered(lambda m: m.partner_id and m.partner_id == self.env.user.partner_id)
        (members - own).mail_group_id.sudo(False)._check_can_manage()
        self._enable_delivery()
        return True

    def _enable_delivery(self):
        self.sudo().write({'delivery_disabled_date': False, 'bounce_count': 0, 'bounce_warnings_sent': 0})

    @api.model
    def _cron_process_bounces(self):
        """Warn members whose delivery is off again every interval, then
        remove them once every warning went unanswered."""
        settings = self._bounce_settings()
        due = fields.Datetime.now() - timedelta(days=settings['interval_days'])
        members = self.sudo().search([
            ('delivery_disabled_date', '!=', False),
            '|', ('last_bounce_warning_date', '=', False), ('last_bounce_warning_date', '<=', due),
        ])
        to_remove = members.filtered(lambda m: m.bounce_warnings_sent >= settings['warnings'])
        (members - to_remove)._send_bounce_warning()
        for member in to_remove:
            _logger.info('Mail group %s: removing %s after %s unanswered bounce warnings',
                         member.mail_group_id.id, member.email_normalized, member.bounce_warnings_sent)
        to_remove.unlink()
        return True
