import re

import lxml.html

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.http_routing.models.ir_http import slug

from .mails import raw_mail
from .test_website import WebsiteMailGroupCase


@tagged('post_install', '-at_install', 'website_mail_group')
class TestWebsiteMailGroupTours(WebsiteMailGroupCase):
    """Browser tests: Odoo's tour runner in Chromium."""

    def test_tour_visitor_subscribes_and_confirms(self):
        self.start_tour('/groups', 'website_mail_group_visitor_subscribe')
        self.assertFalse(self.is_member(self.group_public, 'visitor@tour.example.com'),
                         'no membership before the confirmation')
        mails = self.confirmation_mails('visitor@tour.example.com')
        self.assertEqual(len(mails), 1, 'one confirmation mail to the address typed')
        self.assertIn('Open Source Talk', mails.subject)
        link = self.link_from_mail(mails, 'subscribe')
        self.start_tour(link[link.index('/group/'):], 'website_mail_group_confirm_link')
        self.assertTrue(self.is_member(self.group_public, 'visitor@tour.example.com'))

    def test_tour_portal_user_joins_and_leaves(self):
        partner = self.user_portal_other.partner_id
        self.start_tour('/groups', 'website_mail_group_portal_join_leave', login='wmg_portal2')
        self.assertTrue(self.is_member(self.group_public, partner.email), 'joined, left, then undid leaving')
        self.assertFalse(self.confirmation_mails(partner.email), 'logged-in users need no confirmation mail')

    def test_tour_create_group_in_back_office(self):
        """Website → Configuration → Mailing Lists → New, a name and an alias
        typed, saved: the address is on the company's alias domain, mail to
        it is posted, /groups shows it. A group without alias domain says on
        its form that it cannot receive mail."""
        self.env.company.alias_domain_id = self.env['mail.alias.domain'].create({'name': 'tour-company.example.com'})
        domainless = self.env['mail.group'].create({'name': 'Tour Domainless List', 'alias_name': 'wmg-tour-domainless'})
        domainless.alias_domain_id = False
        self.start_tour(f'/web#model=mail.group&id={domainless.id}&view_type=form',
                        'website_mail_group_group_without_address', login='admin')
        self.start_tour('/web', 'website_mail_group_create_group', login='admin')
        group = self.env['mail.group'].search([('name', '=', 'Tour New List')])
        self.assertEqual(group.alias_email, 'wmg-tour-new@tour-company.example.com')
        self.assertEqual((group.nonmember_action, group.sender_authentication, group.max_recipients),
                         ('accept', 'dmarc', 10), "the form kept the moderators' settings' defaults")
        self.env['mail.thread'].message_process(None, raw_mail(
            'Ann <ann@example.org>', 'wmg-tour-new@tour-company.example.com', 'First post'))
        self.assertEqual(self.env['mail.group.message'].search([('mail_group_id', '=', group.id)]).subject,
                         'First post')
        _response, tree = self.get_page('/groups')
        card = tree.xpath(f'//div[contains(@class, "o_mg_group_card")][@data-group-id="{group.id}"]')[0]
        self.assertEqual(self.texts(card, './/a[contains(@class, "o_mg_group_alias")]'),
                         ['wmg-tour-new@tour-company.example.com'])

    def test_tour_archive_navigation_and_replies(self):
        self._post(self.group_public, 'Re: Kernel release', '<p>Thanks Greg</p>', parent=self.msg_reply, days=8)
        # alone in the oldest month of the archive (the other posts are 0 to 10 days old)
        self._post(self.group_public, 'An old story', '<p>Long ago</p>', days=70)
        self.start_tour('/groups', 'website_mail_group_archive')

    def test_tour_search_archive(self):
        self.start_tour(f'/groups/{slug(self.group_public)}', 'website_mail_group_search')

    def test_tour_moderation_back_office(self):
        admin = self.env.ref('base.user_admin')
        group = self.env['mail.group'].create({
            'name': 'Tour Moderated List', 'alias_name': 'wmg-tour-moderated',
            'moderation': True, 'moderator_ids': [(4, admin.id)],
        })
        posts = {
            key: self._post(group, f'Please {key} me', f'<p>{key}</p>', status='pending_moderation',
                            email_from=f'{key.capitalize()} <{key}@author.example.com>')
            for key in ('accept', 'reject', 'whitelist', 'ban')
        }
        # a second pending post of the whitelisted author is settled by the rule
        later = self._post(group, 'Whitelisted author again', '<p>again</p>', status='pending_moderation',
                           email_from='Whitelist <whitelist@author.example.com>')
        group.member_ids = [(0, 0, {'email': 'reader@example.com'})]
        self.start_tour('/web#action=website_mail_group.mail_group_action', 'website_mail_group_moderation',
                        login='admin')
        self.env.invalidate_all()
        self.assertEqual(posts['accept'].moderation_status, 'accepted')
        self.assertEqual(posts['reject'].moderation_status, 'rejected')
        self.assertEqual(posts['whitelist'].moderation_status, 'accepted')
        self.assertEqual(later.moderation_status, 'accepted')
        self.assertEqual(posts['ban'].moderation_status, 'rejected')
        rules = {rule.email: rule.status for rule in group.moderation_rule_ids}
        self.assertEqual(rules, {'whitelist@author.example.com': 'allow', 'ban@author.example.com': 'ban'})
        distributed = self.env['mail.mail'].sudo().search([('email_to', '=', 'reader@example.com')])
        self.assertEqual(sorted(distributed.mapped('subject')),
                         sorted(['Please accept me', 'Please whitelist me', 'Whitelisted author again']),
                         'accepted posts reach the members, rejected ones do not')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', 'like', 'ban@author.example.com')]),
                         'the explanation typed then erased is not sent')

    def test_tour_snippet_on_a_page(self):
        snippet = self.env['ir.qweb']._render('website_mail_group.s_group', {})

        def block(group, css_class):
            node = lxml.html.fromstring(snippet)
            node.set('data-id', str(group.id))
            node.set('class', f"{node.get('class')} {css_class}")
            return lxml.html.tostring(node, encoding='unicode', method='xml')

        closed = self.env['mail.group'].create({'name': 'Old Talk', 'alias_name': 'wmg-old-talk', 'access_mode': 'public'})
        closed.action_close()
        website = self.env['website'].get_current_website()
        self.env['website.page'].create({
            'name': 'Snippet test', 'url': '/wmg-snippet-test', 'website_id': website.id,
            'is_published': True, 'type': 'qweb', 'key': 'website_mail_group.wmg_snippet_test',
            'arch': f'''<t t-name="website_mail_group.wmg_snippet_test"><t t-call="website.layout">
                <div id="wrap">{block(self.group_public, 'o_mg_snippet_public')}{block(self.group_members, 'o_mg_snippet_hidden')}
                    {block(closed, 'o_mg_snippet_closed')}</div>
            </t></t>''',
        })
        page = self.url_open('/wmg-snippet-test').text
        self.assertNotIn('Secret Society', page, 'the page itself never names the hidden group')
        self.start_tour('/wmg-snippet-test', 'website_mail_group_snippet')
        mails = self.confirmation_mails('snippet@tour.example.com')
        self.assertEqual(len(mails), 1)
        self.assertTrue(re.search(r'/group/subscribe-confirm\?group_id=%d&' % self.group_public.id,
                                  mails.body_html.replace('&amp;', '&')))

    def test_tour_review_list_bulk_and_next(self):
        """Preview in the list, bulk Accept on two posts, Accept in the form
        opens the next post of the group, the reject dialog's buttons."""
        admin = self.env.ref('base.user_admin')
        group = self.env['mail.group'].create({
            'name': 'Tour Review List', 'alias_name': 'wmg-tour-review', 'moderation': True,
            'moderator_ids': [(4, admin.id)], 'nonmember_action': 'hold',
        })
        group.member_ids = [(0, 0, {'email': 'reader@example.com'})]
        held = {}
        for subject, days in (('Bulk one', 5), ('Bulk two', 4), ('Form first', 3), ('Form second', 2)):
            held[subject] = self._post(
                group, subject, '<p>Can we ship on Friday?</p><p>-- <br/>Bob, builder of things</p>',
                status='pending_moderation', days=days, email_from='Bob Builder <bob@example.org>')
            held[subject].moderation_reasons = 'non_member,moderated'
        self.start_tour('/web#action=website_mail_group.mail_group_message_action_review',
                        'website_mail_group_review_flow', login='admin')
        self.env.invalidate_all()
        self.assertEqual({subject: post.moderation_status for subject, post in held.items()}, {
            'Bulk one': 'accepted', 'Bulk two': 'accepted', 'Form first': 'accepted', 'Form second': 'rejected'})
        distributed = self.env['mail.mail'].sudo().search([('email_to', '=', 'reader@example.com')])
        self.assertEqual(sorted(distributed.mapped('subject')), ['Bulk one', 'Bulk two', 'Form first'])
        explanation = self.env['mail.mail'].sudo().search([('email_to', 'like', 'bob@example.org')])
        self.assertIn('Please stay on topic.', explanation.body_html, 'Send & Reject mailed the explanation')

    def test_tour_review_undo(self):
        """A silent reject from the list's row, undone from its notification."""
        admin = self.env.ref('base.user_admin')
        group = self.env['mail.group'].create({
            'name': 'Tour Undo', 'alias_name': 'wmg-tour-undo', 'moderation': True, 'moderator_ids': [(4, admin.id)]})
        post = self._post(group, 'Undo me', '<p>Oops</p>', status='pending_moderation')
        self.start_tour('/web#action=website_mail_group.mail_group_message_action_review',
                        'website_mail_group_review_undo', login='admin')
        self.env.invalidate_all()
        self.assertEqual((post.moderation_status, post.moderator_id.id), ('pending_moderation', False))

    def test_tour_member_replies_from_the_web(self):
        self.env['mail.group.member'].create({'mail_group_id': self.group_public.id,
                                             'partner_id': self.user_portal.partner_id.id})
        self.start_tour(f'/groups/{slug(self.group_public)}/{slug(self.msg_root)}', 'website_mail_group_web_reply',
                        login='wmg_portal')
        self.env.invalidate_all()
        reply = self.env['mail.group.message'].search([('group_message_parent_id', '=', self.msg_root.id),
                                                       ('author_id', '=', self.user_portal.partner_id.id)])
        self.assertEqual(reply.moderation_status, 'accepted')
        answer = self.env['mail.group.message'].search([('group_message_parent_id', '=', reply.id)])
        self.assertEqual(answer.author_id, self.user_portal.partner_id, 'the answer to the reply, under it')
        self.assertIn('Count me in.', reply.body)
        self.assertEqual(sorted(self.env['mail.mail'].sudo().search(
            [('mail_message_id', '=', reply.mail_message_id.id)]).mapped('email_to')),
            ['known@member.example.com', 'second@member.example.com'])

    def test_tour_moderate_from_a_link(self):
        """A moderator follows the Reject link of a held post's alert."""
        post = self._post(self.group_public, 'Off-topic advert', '<p>Please reject me</p>',
                          status='pending_moderation', email_from='Adam Advert <adam@advert.example.com>')
        with mute_logger('odoo.addons.mail.models.mail_thread'):
            self.group_public._alert_moderators(post)
        alert = self.env['mail.message'].sudo().search([
            ('model', '=', 'mail.group.message'), ('res_id', '=', post.id),
            ('partner_ids', 'in', self.user_moderator.partner_id.ids)])
        link = re.search(r'href="[^"]*(/group/[^"]*/moderate/reject\?[^"]*)"', alert.body).group(1).replace('&amp;', '&')
        self.start_tour(link, 'website_mail_group_moderate_link')
        self.env.invalidate_all()
        self.assertEqual((post.moderation_status, post.moderator_id), ('rejected', self.user_moderator))
        answer = self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'adam@advert.example.com')])
        self.assertIn('Off topic here, sorry.', answer.body_html)
        self.start_tour(link, 'website_mail_group_moderate_link_used')
