"""The audit trail as a group's managers read it: each kind of change, who
made it and how (the website, the back office, a source, an import,
bounces); and nobody else reads it, over RPC included."""
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon
from .rpc import RpcAttackCase
from .test_website import WebsiteMailGroupCase


def trail(group, **domain):
    return group.env['mail.group.audit'].sudo().search(
        [('mail_group_id', '=', group.id), *[(key, '=', value) for key, value in domain.items()]], order='id')


@tagged('post_install', '-at_install')
class TestAuditTrail(MailGroupCommon):

    def test_settings_privacy_and_moderators(self):
        group = self.group_public.with_user(self.user_moderator)
        self.assertEqual(group.max_recipients, 10)
        group.write({'max_recipients': 5, 'access_mode': 'members', 'moderator_ids': [(4, self.user_employee.id)]})
        settings = trail(self.group_public, event='settings')
        self.assertEqual(settings.mapped('detail'), ['Maximum recipients: 10 → 5'])
        self.assertEqual(settings.user_id, self.user_moderator, 'who changed it')
        self.assertEqual(trail(self.group_public, event='privacy').detail, 'Privacy: Everyone → Members only')
        self.assertEqual(trail(self.group_public, event='moderator_added').email, self.user_employee.email)
        group.moderator_ids = [(3, self.user_employee.id)]
        self.assertEqual(trail(self.group_public, event='moderator_removed').detail, self.user_employee.name)

    def test_what_the_system_keeps_is_not_a_settings_change(self):
        """The digest cron dates its last digest; closing a list says so once."""
        self.env['mail.group']._cron_send_digests()
        self.group_public.with_user(self.user_moderator).action_close()
        self.assertEqual(trail(self.group_public, event='settings').mapped('detail'), ['List closed'])

    def test_members_moderation_bounces_and_imports(self):
        group = self.group_moderated
        with self.mock_mail_gateway():
            held = self.group_message(self.post_raw(group, 'Olga <olga@other.example.com>', subject='Spam?'))
        held.with_user(self.user_moderator).action_moderate_reject()
        self.assertEqual(trail(group, event='moderation').mapped('detail'), ['Rejected: Spam?'])
        self.assertEqual(trail(group, event='moderation').user_id, self.user_moderator)

        wizard = self.env['mail.group.member.import'].with_user(self.user_moderator).create({
            'mail_group_id': group.id, 'emails': 'new1@example.com\nnew2@example.com\nnot an address'})
        wizard.action_import()
        added = trail(group, event='member_added', how='import')
        self.assertEqual(added.mapped('email'), ['new1@example.com', 'new2@example.com'])
        self.assertEqual(trail(group, event='import').detail, 'Members: 2 added, 0 invited, 1 invalid')

        member = group.member_ids.filtered(lambda m: m.email == 'new1@example.com')
        member.write({'delivery_disabled_date': '2026-12-01 10:00:00'})
        disabled = trail(group, event='member_disabled')
        self.assertEqual((disabled.email, disabled.how), ('new1@example.com', 'bounces'))
        member.with_user(self.user_moderator).unlink()
        self.assertEqual(trail(group, event='member_removed').email, 'new1@example.com')

    def test_members_from_a_source(self):
        tag = self.env['res.partner.category'].create({'name': 'Audited'})
        self.env['res.partner'].create({'name': 'Sam', 'email': 'sam@source.example.com', 'category_id': [(4, tag.id)]})
        self.env['mail.group.member.source'].create({
            'mail_group_id': self.group_public.id, 'partner_domain': repr([('category_id', 'in', tag.ids)])})
        self.group_public._sync_sources()
        added = trail(self.group_public, event='member_added', how='source')
        self.assertEqual(added.mapped('email'), ['sam@source.example.com'])


@tagged('post_install', '-at_install', 'website_mail_group')
class TestAuditTrailWeb(WebsiteMailGroupCase):

    def test_a_visitor_joins_and_leaves_on_the_website(self):
        result = self.make_jsonrpc_request('/group/subscribe', {
            'group_id': self.group_public.id, 'email': 'web@visitor.example.com', 'action': 'subscribe'})
        self.assertEqual(result['status'], 'email_sent')
        link = self.link_from_mail(self.confirmation_mails('web@visitor.example.com'), 'subscribe')
        self.follow_confirmation_link(link[link.index('/group/'):])
        joined = trail(self.group_public, event='member_joined')
        self.assertEqual((joined.email, joined.how, joined.user_id.id), ('web@visitor.example.com', 'website', False))

    def test_a_moderator_edits_in_the_back_office(self):
        self.authenticate(self.user_moderator.login, self.user_moderator.login)
        self.make_jsonrpc_request('/web/dataset/call_kw/mail.group/write', {
            'model': 'mail.group', 'method': 'write', 'args': [[self.group_public.id], {'max_recipients': 9}],
            'kwargs': {}})
        entry = trail(self.group_public, event='settings')
        self.assertEqual((entry.how, entry.user_id, entry.detail), ('backend', self.user_moderator, 'Maximum recipients: 10 → 9'))


@tagged('post_install', '-at_install')
class TestAuditTrailAccess(RpcAttackCase):
    """Only those who manage the group read its trail; nobody writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups='base.group_user'):
            return mail_new_test_user(cls.env, login=login, groups=groups, name=login, email=f'{login}@example.com')
        cls.mod_a = user('audit_moderator_a', 'base.group_user,base.group_allow_export')
        cls.mod_b = user('audit_moderator_b')
        cls.employee, cls.portal = user('audit_employee'), user('audit_portal', 'base.group_portal')
        Group = cls.env['mail.group'].with_context(mail_create_nolog=True)
        cls.group_a = Group.create({'name': 'Audit A', 'alias_name': 'audit-a', 'moderator_ids': [(4, cls.mod_a.id)]})
        Group.create({'name': 'Audit B', 'alias_name': 'audit-b', 'moderator_ids': [(4, cls.mod_b.id)]})
        cls.group_a.max_recipients = 3

    def test_only_managers_read_the_trail(self):
        domain = [[('mail_group_id', '=', self.group_a.id)]]
        self.assertEqual(len(self.rpc(self.mod_a, 'mail.group.audit', 'search_read', *domain, fields=['detail'])), 1)
        exported = self.rpc(self.mod_a, 'mail.group.audit', 'export_data',
                            self.rpc(self.mod_a, 'mail.group.audit', 'search', *domain), ['event', 'detail'])
        self.assertEqual(exported['datas'], [['Settings changed', 'Maximum recipients: 10 → 3']], 'managers export it')
        for user in (self.mod_b, self.employee):
            self.assertEqual(self.rpc(user, 'mail.group.audit', 'search_read', *domain, fields=['detail']), [])
        self.assertRpcDenied(self.portal, 'mail.group.audit', 'search_read', *domain)
        entry = self.env['mail.group.audit'].search(domain[0])
        for user in (self.mod_a, self.mod_b, self.portal):
            self.assertRpcDenied(user, 'mail.group.audit', 'write', [entry.id], {'detail': 'nothing happened'})
            self.assertRpcDenied(user, 'mail.group.audit', 'unlink', [entry.id])
            self.assertRpcDenied(user, 'mail.group.audit', 'create', {'mail_group_id': self.group_a.id,
                                                                      'event': 'settings', 'how': 'backend'})
