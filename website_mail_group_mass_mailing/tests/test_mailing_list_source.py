"""A mass-mailing list's contacts as a group's members: subscribed, opted
out, blacklisted, as the marketer and the contacts live it."""
from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestMailingListSource(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailing_list = cls.env['mailing.list'].create({'name': 'Newsletter'})
        cls.group = cls.env['mail.group'].create({'name': 'Newsletter readers', 'alias_name': 'readers'})
        cls.source = cls.env['mail.group.member.source'].create({
            'mail_group_id': cls.group.id, 'kind': 'mailing_list',
            'record_ref': f'mailing.list,{cls.mailing_list.id}'})
        cls.cron = cls.env.ref('website_mail_group.ir_cron_mail_group_sync_sources')

    def setUp(self):
        super().setUp()
        self.env.cr.precommit.clear()

    def members(self):
        return set(self.group.member_ids.mapped('email_normalized'))

    def commit_and_run_cron(self):
        """The transaction commits (its precommit hooks run); the cron it triggered runs."""
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', self.cron.id)])
        self.env.cr.precommit.run()
        if self.env['ir.cron.trigger'].search_count([('cron_id', '=', self.cron.id)]) == triggers:
            return False
        self.env['mail.group']._cron_sync_sources()
        self.group.invalidate_recordset()
        return True

    def test_subscribed_contacts_join_opted_out_and_blacklisted_ones_do_not(self):
        self.assertIn('mailing_list', dict(self.source._selection_kind()), 'offered with Email Marketing')
        Contact = self.env['mailing.contact']
        ann, bob, cid = Contact.create([
            {'name': 'Ann', 'email': 'ann@reader.example.com', 'list_ids': [(4, self.mailing_list.id)]},
            {'name': 'Bob', 'email': 'bob@reader.example.com', 'list_ids': [(4, self.mailing_list.id)]},
            {'name': 'Cid', 'email': 'cid@reader.example.com', 'list_ids': [(4, self.mailing_list.id)]},
        ])
        self.env['mail.blacklist'].create({'email': 'cid@reader.example.com'})
        self.assertTrue(self.commit_and_run_cron(), 'new contacts of the list trigger the sync')
        self.assertEqual(self.members(), {'ann@reader.example.com', 'bob@reader.example.com'}, 'never a blacklisted one')
        self.env['mailing.subscription'].search([('contact_id', '=', bob.id),
                                                 ('list_id', '=', self.mailing_list.id)]).opt_out = True
        self.assertTrue(self.commit_and_run_cron(), 'opting out triggers the sync')
        self.assertEqual(self.members(), {'ann@reader.example.com'})
