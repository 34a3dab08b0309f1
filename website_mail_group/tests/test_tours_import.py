"""Browser test (Chromium, Odoo's tour runner): a manager imports an archive
from the group's form."""
from odoo.tests import HttpCase, tagged


@tagged('post_install', '-at_install', 'website_mail_group')
class TestTourArchiveImport(HttpCase):

    def test_tour_archive_import(self):
        admin = self.env.ref('base.user_admin')
        group = self.env['mail.group'].create({
            'name': 'Tour Import List', 'alias_name': 'wmg-tour-import', 'moderator_ids': [(4, admin.id)]})
        self.env['mail.group.member'].create({'mail_group_id': group.id, 'email': 'member@tour.example.com'})
        mails = self.env['mail.mail'].sudo().search_count([])
        self.start_tour('/web', 'website_mail_group_archive_import', login='admin')
        post = self.env['mail.group.message'].sudo().search([('mail_group_id', '=', group.id)])
        self.assertEqual((post.subject, post.moderation_status, post.email_from),
                         ('Imported by the tour', 'accepted', '"Old Member" <old.member@tour.example.com>'))
        self.assertEqual(self.env['mail.mail'].sudo().search_count([]), mails, 'the import mails nobody')
