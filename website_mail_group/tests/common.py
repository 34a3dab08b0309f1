import email
import email.policy
import importlib.util
from email.utils import make_msgid
from unittest.mock import patch

from odoo import tools
from odoo.tests import TransactionCase
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

from ..outbound.copies import CopyBuilder
from .dns_server import DnsServer
from .mails import raw_mail, rfc2822_date
from .smtp_server import free_port


def as_sent(mail):
    """A queued copy as its member receives it: the bytes the mail queue
    gives the SMTP server (headers and footer are personalised when sent)."""
    data = CopyBuilder(mail.env['ir.mail_server'].sudo(), None).build(mail.sudo())[2]
    return email.message_from_bytes(data, policy=email.policy.default)


def run_migration(cr, version, stage, installed_version):
    """Run the addon's ``migrations/<version>/<stage>-migrate.py`` as Odoo's
    upgrade does, from ``installed_version``."""
    path = file_path(f'website_mail_group/migrations/{version}/{stage}-migrate.py')
    spec = importlib.util.spec_from_file_location(f'wmg_{stage}_migrate_{version.replace(".", "_")}', path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.migrate(cr, installed_version)


class MailGroupCommon(MailCommon):
    """Groups, members and users shared by the back-end tests.

    - ``group_public``: open list, not moderated, 3 members (employee,
      one partner, one plain address);
    - ``group_moderated``: moderated by ``user_moderator``;
    - ``group_members``: members-only; ``group_users``: employees only.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_user()
        cls.user_moderator = mail_new_test_user(
            cls.env, login='moderator', groups='base.group_user', name='Mona Moderator',
            email='mona.moderator@test.example.com', notification_type='email')
        cls.partner_customer = cls.env['res.partner'].create({
            'name': 'Cathy Customer', 'email': 'cathy@customer.example.com'})

        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_public = Group.create({
            'name': 'Public List',
            'alias_name': 'public-list',
            'access_mode': 'public',
            'moderator_ids': [(4, cls.user_moderator.id)],
        })
        cls.group_moderated = Group.create({
            'name': 'Moderated List',
            'alias_name': 'moderated-list',
            'access_mode': 'public',
            'moderation': True,
            'moderator_ids': [(4, cls.user_moderator.id)],
            'moderation_notify': True,
            'moderation_notify_msg': '<p>Your post waits for a moderator.</p>',
        })
        cls.group_members = Group.create({
            'name': 'Members Only',
            'alias_name': 'members-only',
            'access_mode': 'members',
            'moderator_ids': [(4, cls.user_moderator.id)],
        })
        cls.group_users = Group.create({
            'name': 'Employees Only',
            'alias_name': 'employees-only',
            'access_mode': 'groups',
            'access_group_id': cls.env.ref('base.group_user').id,
            'moderator_ids': [(4, cls.user_moderator.id)],
        })
        Member = cls.env['mail.group.member']
        for group in cls.group_public | cls.group_moderated | cls.group_members:
            Member.create([
                {'mail_group_id': group.id, 'partner_id': cls.partner_employee.id},
                {'mail_group_id': group.id, 'partner_id': cls.partner_customer.id},
                {'mail_group_id': group.id, 'email': 'Plain Member <plain@member.example.com>'},
            ])

    def post_raw(self, group, email_from, subject='Hello list', body='Hello everyone', extra_headers='',
                 message_id=None, content_type='text/plain; charset=utf-8', to=None,
                 date=None):
        """Feed one RFC 822 message through Odoo's mail gateway, as the
        mailgate script does, and return its Message-Id. ``email_from=None``
        leaves out the From header; the Date defaults to an hour ago."""
        message_id = message_id or make_msgid(domain='sender.example.com')
        self.env['mail.thread'].message_process(None, raw_mail(
            email_from, to or group.alias_email, subject, body, message_id=message_id,
            date=date or rfc2822_date(hours_ago=1), headers=extra_headers, content_type=content_type))
        return message_id

    def group_message(self, message_id):
        return self.env['mail.group.message'].sudo().search([('mail_message_id.message_id', '=', message_id)])

    def as_sent(self, mail):
        return as_sent(mail)

    def queued_mails(self, group_message):
        """Copies of a post queued for members, by normalized recipient address."""
        mails = self.env['mail.mail'].sudo().search([('mail_message_id', '=', group_message.mail_message_id.id)])
        return {tools.email_normalize(mail.email_to): mail for mail in mails}


class SmtpListCase(TransactionCase):
    """One list whose copies leave through real SMTP to a local sink
    (``smtp_server.SmtpSink`` on ``mail_server.smtp_port``): the alias
    domain ``DOMAIN``, the group ``LIST`` (name, alias) and ``MEMBERS``."""
    DOMAIN = LIST = MEMBERS = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env['mail.alias.domain'].create({
            'name': cls.DOMAIN, 'bounce_alias': 'bounce', 'catchall_alias': 'catchall'})
        cls.env.company.alias_domain_id = cls.alias_domain
        cls.env['ir.mail_server'].search([]).active = False
        cls.mail_server = cls.env['ir.mail_server'].create({
            'name': 'local sink', 'smtp_host': '127.0.0.1', 'smtp_port': free_port(), 'smtp_encryption': 'none'})
        cls.group = cls.env['mail.group'].create({'name': cls.LIST[0], 'alias_name': cls.LIST[1]})
        cls.members = cls.env['mail.group.member'].create(
            [{'mail_group_id': cls.group.id, 'email': email} for email in cls.MEMBERS])
        cls.startClassPatcher(patch.object(IrMailServer, '_is_test_mode', lambda self: False))

    @classmethod
    def publish_dkim_key(cls, records=None):
        """Give the alias domain a DKIM key, and start a DNS server on
        127.0.0.1 (``cls.dns``) publishing its record and ``records``, that
        the addon's look-ups use."""
        cls.alias_domain.action_generate_dkim_key()
        selector, __, record = cls.alias_domain.dkim_dns_record.partition('._domainkey.')
        cls.dns = DnsServer({
            f'{selector}._domainkey.{cls.DOMAIN}': [record.split(' TXT ', 1)[1].strip('"')],
            **(records or {}),
        }).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.env['ir.config_parameter'].sudo().set_param('website_mail_group.dns_nameservers', cls.dns.address)

    def run_queue(self):
        with mute_logger('odoo.addons.mail.models.mail_mail', 'odoo.addons.website_mail_group.models.mail_mail_sending'):
            self.env['mail.mail'].sudo().process_email_queue()
