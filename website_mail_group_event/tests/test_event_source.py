"""An event's confirmed attendees as a group's members, as the event's
organiser and its attendees live it: registering, confirming, cancelling."""
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestEventSource(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls.env['event.event'].create({
            'name': 'Odoo Days', 'date_begin': '2027-01-10 09:00:00', 'date_end': '2027-01-11 18:00:00'})
        cls.group = cls.env['mail.group'].create({'name': 'Odoo Days attendees', 'alias_name': 'odoo-days'})
        cls.source = cls.env['mail.group.member.source'].create({
            'mail_group_id': cls.group.id, 'kind': 'event', 'record_ref': f'event.event,{cls.event.id}'})
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

    def register(self, email, state='open'):
        return self.env['event.registration'].create({
            'event_id': self.event.id, 'name': email.split('@')[0], 'email': email, 'state': state})

    def test_confirmed_attendees_join_and_cancelled_ones_leave(self):
        self.assertIn('event', dict(self.source._selection_kind()), 'offered with the Events app')
        ann = self.register('ann@attendee.example.com')
        self.register('bob@attendee.example.com', state='draft')
        self.assertTrue(self.commit_and_run_cron(), 'registering triggers the sync')
        self.assertEqual(self.members(), {'ann@attendee.example.com'}, 'confirmed attendees only')
        self.assertEqual(self.group.member_ids.source_id, self.source)
        ann.action_cancel()
        self.assertTrue(self.commit_and_run_cron(), 'a cancellation triggers the sync')
        self.assertFalse(self.members())

    def test_a_source_needs_its_event(self):
        with self.assertRaises(ValidationError):
            self.env['mail.group.member.source'].create({'mail_group_id': self.group.id, 'kind': 'event'})
