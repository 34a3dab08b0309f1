"""The inbound rules and outbound handlers are plain Python: tested without
the ORM."""
import fnmatch
import unittest

from odoo.addons.website_mail_group.inbound import patterns, rules
from odoo.addons.website_mail_group.outbound import bounces, delivery, footer, headers


class TestInboundRules(unittest.TestCase):

    def decide(self, headers=None, **policy):
        return rules.decide(rules.Post(email_from='a@example.com', headers=headers or {}), rules.GroupPolicy(
            list_id='dev.example.com', loop_address='dev@example.com', **policy))

    def test_open_group_accepts(self):
        self.assertEqual(self.decide(), rules.Decision(rules.ACCEPT, 'open'))

    def test_moderated_group_holds_unknown_authors(self):
        self.assertEqual(self.decide(moderated=True), rules.Decision(rules.HOLD, 'moderated'))

    def test_whitelisted_and_moderators_skip_moderation(self):
        self.assertEqual(self.decide(moderated=True, author_rule='allow').action, rules.ACCEPT)
        self.assertEqual(self.decide(moderated=True, author_is_moderator=True).action, rules.ACCEPT)

    def test_unauthenticated_author_gets_a_strangers_due_else_a_hold(self):
        def decide(**policy):
            return rules.decide(rules.Post(email_from='a@example.com', authenticated=False), rules.GroupPolicy(
                list_id='dev.example.com', loop_address='dev@example.com', **policy))
        held = rules.Decision(rules.HOLD, 'not_authenticated')
        self.assertEqual(decide(moderated=True, author_is_moderator=True), held)
        self.assertEqual(decide(moderated=True, author_rule='allow'), held)
        self.assertEqual(decide(members_only=True, author_is_member=True), held)
        self.assertEqual(decide(nonmember_action='reject', author_is_member=True), held)
        # what a stranger gets anyway is unchanged
        self.assertEqual(decide(author_is_moderator=True), rules.Decision(rules.ACCEPT, 'open'))
        self.assertEqual(decide(moderated=True), rules.Decision(rules.HOLD, 'moderated'))
        self.assertEqual(decide(author_rule='ban', author_is_moderator=True).action, rules.REJECT)
        # every reason stays for the moderators
        self.assertEqual(decide(moderated=True, author_is_member=True, members_only=True).reasons,
                         ('not_authenticated', 'moderated'))

    def test_banned_author_rejected_even_on_open_group(self):
        self.assertEqual(self.decide(author_rule='ban'), rules.Decision(rules.REJECT, 'banned'))
        self.assertEqual(self.decide(author_rule='ban', author_is_moderator=True).action, rules.REJECT)

    def test_own_list_mail_is_discarded(self):
        self.assertEqual(self.decide({'list-id': '"Dev" <dev.example.com>'}).reason, 'loop')
        self.assertEqual(self.decide({'x-loop': 'DEV@example.com'}).action, rules.DISCARD)
        self.assertEqual(self.decide({'list-id': '<other.example.org>'}).action, rules.ACCEPT)

    def test_loop_compares_identifiers_not_substrings(self):
        """RFC 2919: the identifier in angle brackets, any case; X-Loop: the exact address."""
        for raw in ({'list-id': '<DEV.Example.COM>'}, {'list-id': 'dev.example.com'},
                    {'list-id': '"<core-dev.example.com>" <dev.example.com>'},
                    {'x-loop': '"Dev" <Dev@Example.com>'}, {'x-loop': ' dev@example.com '}):
            self.assertEqual(self.decide(raw), rules.Decision(rules.DISCARD, 'loop'), raw)
        for raw in ({'list-id': '"Core" <core-dev.example.com>'}, {'list-id': '<dev.example.com.mirror.org>'},
                    {'list-id': '"dev.example.com" <other.example.org>'}, {'list-id': 'core-dev.example.com'},
                    {'x-loop': 'core-dev@example.com'}, {'x-loop': 'dev@example.com.evil.org'}, {'list-id': '<>'}):
            self.assertEqual(self.decide(raw), rules.Decision(rules.ACCEPT, 'open'), raw)
        self.assertEqual(rules.decide(rules.Post(email_from='a@example.com', headers={'list-id': '<>', 'x-loop': ''}),
                                      rules.GroupPolicy()).action, rules.ACCEPT, 'a group without alias has no loop')

    def test_auto_replies_and_bulk_are_discarded(self):
        self.assertEqual(self.decide({'auto-submitted': 'auto-replied'}).reason, 'auto_submitted')
        self.assertEqual(self.decide({'auto-submitted': 'No'}).action, rules.ACCEPT)
        self.assertEqual(self.decide({'precedence': 'bulk'}).reason, 'bulk')
        self.assertEqual(self.decide({'precedence': 'junk'}).action, rules.DISCARD)
        self.assertEqual(self.decide({'precedence': 'list'}).action, rules.DISCARD)
        self.assertEqual(self.decide({'precedence': 'first-class'}).action, rules.ACCEPT)
        self.assertEqual(self.decide({'x-autoreply': 'yes'}).action, rules.DISCARD)
        self.assertEqual(self.decide({'content-type': 'multipart/report; report-type=delivery-status; boundary=x'}).reason,
                         'delivery_report')

    def test_banned_patterns(self):
        banned = ('*@spam.example', '*@casino.*', '*@*.casino.*', 'spam??@*')
        self.assertEqual(self.decide(banned_patterns=banned).action, rules.ACCEPT)
        for email in ('x@spam.example', 'X@SPAM.example', 'a@mail.casino.com', 'b@casino.net', 'spam42@x.org'):
            decision = rules.decide(rules.Post(email_from=email), rules.GroupPolicy(banned_patterns=banned))
            self.assertEqual(decision, rules.Decision(rules.REJECT, 'banned_pattern'), email)
        self.assertFalse(patterns.matches_pattern('x@notspam.example.org', '*@spam.example'))
        self.assertFalse(patterns.matches_pattern('spam4@x.org', 'spam??@*'))
        self.assertFalse(patterns.matches_pattern('x@spam.example', '   '))
        self.assertTrue(patterns.matches_pattern('[x]@a.b', '[x]@*'), 'brackets are plain characters')
        with self.assertLogs('odoo.addons.website_mail_group.inbound.patterns', 'WARNING'):
            self.assertFalse(patterns.matches_pattern('x@casino.net', r'^.*@casino\..*$'), 'regular expressions ignored')

    def test_wildcard_matcher_agrees_with_fnmatch(self):
        for text, pattern in (('', ''), ('', '*'), ('a', ''), ('abc', 'a*c'), ('abc', 'a?c'), ('ac', 'a?c'),
                              ('aXbXc', '*b*c'), ('ab', '*a*b*'), ('aaa', 'a*a*a*a'), ('x@y', '*@*'),
                              ('a' * 40 + '!', '*a*a*a*a*a*a*a*a*a*b')):
            self.assertEqual(patterns.wildcard_match(text, pattern), fnmatch.fnmatchcase(text, pattern), (text, pattern))
        self.assertEqual(patterns.invalid_pattern('*@a.example\n^(a+)+$'), ('regex', '^(a+)+$'))
        self.assertEqual(patterns.invalid_pattern('*' * 255), ('length', '*' * 255))
        self.assertEqual(patterns.invalid_pattern('\n'.join(['*@a.example'] * 501)), ('count', ''))
        self.assertIsNone(patterns.invalid_pattern(' *@a.example \n\n'))

    def test_size_and_recipient_limits_hold_even_trusted_authors(self):
        big = rules.Post(email_from='a@example.com', size=2048, recipient_count=30)
        self.assertEqual(rules.decide(big, rules.GroupPolicy(max_size=1024, author_rule='allow')),
                         rules.Decision(rules.HOLD, 'too_large'))
        self.assertEqual(rules.decide(big, rules.GroupPolicy(max_recipients=10, author_is_moderator=True)),
                         rules.Decision(rules.HOLD, 'too_many_recipients'))
        self.assertEqual(rules.decide(big, rules.GroupPolicy(max_size=4096, max_recipients=30)).action, rules.ACCEPT)

    def test_non_member_action(self):
        for action in (rules.HOLD, rules.REJECT, rules.DISCARD):
            self.assertEqual(self.decide(author_is_member=False, nonmember_action=action),
                             rules.Decision(action, 'non_member'))
        self.assertEqual(self.decide(author_is_member=False, nonmember_action=rules.ACCEPT).action, rules.ACCEPT)
        self.assertEqual(self.decide(author_is_member=False, nonmember_action=rules.HOLD, author_rule='allow').action,
                         rules.ACCEPT, 'a whitelisted non-member may post')
        self.assertEqual(self.decide(author_is_member=True, nonmember_action=rules.REJECT, moderated=True).action,
                         rules.HOLD)


class TestOutboundHandlers(unittest.TestCase):

    def test_recipients_skip_author_and_repeated_addresses(self):
        members = [
            {'email': 'A <a@x.com>', 'email_normalized': 'a@x.com'},
            {'email': 'b@x.com', 'email_normalized': 'b@x.com'},
            {'email': 'B again <b@x.com>', 'email_normalized': 'b@x.com'},
            {'email': 'broken', 'email_normalized': False},
            {'email': 'c@x.com', 'email_normalized': 'c@x.com'},
        ]
        self.assertEqual([m['email'] for m in delivery.recipients(members, 'a@x.com')], ['b@x.com', 'c@x.com'])

    def test_list_headers(self):
        base = headers.list_headers('My "List"', 'list@x.com', 'list.x.com', 'https://h/groups/1', 'https://h/groups',
                                    in_reply_to='<p@x>')
        self.assertEqual(base['List-Id'], '"My \\"List\\"" <list.x.com>')
        self.assertEqual(base['List-Post'], '<mailto:list@x.com>')
        self.assertEqual(base['In-Reply-To'], '<p@x>')
        personal = headers.personal_headers('https://h/u?t=1')
        self.assertEqual(personal['List-Unsubscribe'], '<https://h/u?t=1>')
        self.assertEqual(base['List-Subscribe'], '<https://h/groups>, <mailto:list+subscribe@x.com>')
        self.assertEqual(personal['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click')
        self.assertNotIn('List-Unsubscribe', base, 'personal headers must not leak into the shared ones')

    def test_signed_bounce_addresses(self):
        secret, bounce = b'secret', 'bounce@lists.example.com'
        address = bounces.address(bounce, secret, 42)
        member_id, probe, sig = bounces.parse(address.upper(), bounce)
        self.assertEqual((member_id, probe), (42, False))
        self.assertTrue(bounces.verify(secret, member_id, sig))
        self.assertFalse(bounces.verify(secret, 43, sig), 'a signature is good for its member only')
        self.assertFalse(bounces.verify(b'other', 42, sig))
        self.assertEqual(bounces.parse('bounce+mg42@lists.example.com', bounce), (42, False, ''))
        probe_address = bounces.address(bounce, secret, 42, '2030-01-01 10:00:00')
        member_id, probe, sig = bounces.parse(probe_address, bounce)
        self.assertTrue(probe and bounces.verify(secret, 42, sig, '2030-01-01 10:00:00'))
        self.assertFalse(bounces.verify(secret, 42, sig, '2030-01-02 10:00:00'), 'an older probe does not answer')
        for other in ('bounce+mg42@other.example.com', 'bounce+mg9999999999@lists.example.com',
                      'bounce+mgx@lists.example.com', 'bounce@lists.example.com', 'catchall+mg42@lists.example.com'):
            self.assertIsNone(bounces.parse(other, bounce), other)

    def test_footer_personalization_escapes_url(self):
        placeholders = footer.placeholders()
        self.assertNotEqual(placeholders, footer.placeholders(), 'fresh placeholders for each post')
        links = {'unsubscribe': 'https://h/u?a=1&b="2"', 'settings': 'https://h/s', 'mute': 'https://h/m'}
        rendered = f'<div id="o_mg_message_footer"><a href="{placeholders["unsubscribe"]}">x</a>' \
                   f'<a href="{placeholders["settings"]}">s</a><a href="{placeholders["mute"]}">m</a></div>'
        personal = footer.personalize(rendered, placeholders, links)
        self.assertEqual(personal, '<div id="o_mg_message_footer"><a href="https://h/u?a=1&amp;b=&#34;2&#34;">x</a>'
                                   '<a href="https://h/s">s</a><a href="https://h/m">m</a></div>')
        self.assertEqual(footer.placeholders_in(rendered), placeholders, 'found back in the footer a copy stores')
        post = f'<p>Hi <a href="{placeholders["unsubscribe"]}">y</a></p>'
        self.assertEqual(footer.split(post + personal), (post, personal), 'the footer is the last one, after the post')
        self.assertEqual(footer.split(post), (post, ''))


class TestActiveContent(unittest.TestCase):

    def test_active_content_is_held(self):
        trusted = rules.GroupPolicy(author_rule='allow')
        for html in ('<p>hi</p><script>x()</script>', '<img src=x onerror="x()">', '<a href="javascript:x()">a</a>',
                     '<IFRAME src=x>', '<div style="width: expression(alert(1))">', '<form action=x>'):
            self.assertTrue(patterns.has_active_content(html), html)
            decision = rules.decide(rules.Post(email_from='a@x.com', suspicious=patterns.has_active_content(html)), trusted)
            self.assertEqual(decision, rules.Decision(rules.HOLD, 'suspicious'), html)
        self.assertEqual(rules.decide(rules.Post(email_from='a@x.com', suspicious=False), trusted),
                         rules.Decision(rules.ACCEPT, 'allowed'), 'harmless HTML from a trusted author goes through')
        for html in ('<p>Only text</p>', '<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>', '<p>onboarding = fun</p>',
                     '', None):
            self.assertFalse(patterns.has_active_content(html), html)


class TestIdentity(unittest.TestCase):

    def test_subject_prefix(self):
        from ..outbound import identity
        self.assertEqual(identity.subject_with_prefix('Hello', '[Dev]'), '[Dev] Hello')
        self.assertEqual(identity.subject_with_prefix('Re: [Dev] Hello', '[Dev]'), 'Re: [Dev] Hello')
        self.assertEqual(identity.subject_with_prefix('Hello', ''), 'Hello')

    def test_from_and_reply_to(self):
        from ..outbound import identity
        author = '"Alice Doe" <alice@strict-dmarc.example>'
        self.assertEqual(identity.from_header(author, 'Dev', 'dev@lists.example.com', 'author'), author)
        self.assertEqual(identity.from_header(author, 'Dev', 'dev@lists.example.com', 'group'),
                         'Alice Doe via Dev <dev@lists.example.com>')
        self.assertEqual(identity.from_header('bob@x.com', 'Dev', 'dev@lists.example.com', 'group'),
                         'bob via Dev <dev@lists.example.com>')
        self.assertEqual(identity.from_header('Dev <dev@lists.example.com>', 'Dev', 'dev@lists.example.com', 'group'),
                         'Dev <dev@lists.example.com>', 'digests already come from the group')
        self.assertEqual(identity.reply_to('list', 'dev@l.com', author), 'dev@l.com')
        self.assertEqual(identity.reply_to('author', 'dev@l.com', author), author)
        self.assertEqual(identity.reply_to('both', 'dev@l.com', author), f'dev@l.com, {author}')


class TestCleaning(unittest.TestCase):

    def test_one_line(self):
        from ..inbound import cleaning
        self.assertEqual(cleaning.one_line('Hello\r\nBcc: victim@example.com'), 'Hello Bcc: victim@example.com')
        self.assertEqual(cleaning.one_line('a\x00b'), 'a b')
        self.assertEqual(cleaning.one_line('../x\n.txt', replacement='_'), '../x_.txt')
        self.assertEqual(cleaning.one_line(None), '')
