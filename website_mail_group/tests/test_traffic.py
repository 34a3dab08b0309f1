"""Traffic figures on the groups' cards (posts this month, pending, rejected),
for all the cards in one go, and the graph and pivot views behind them."""
from datetime import timedelta

from odoo import fields
from odoo.tools.safe_eval import safe_eval

from .common import MailGroupCommon

CARD_FIELDS = ('name', 'can_manage_group', 'traffic_month_count', 'traffic_pending_count', 'traffic_rejected_count')


class TestTraffic(MailGroupCommon):

    def store(self, group, status, days_ago=0, count=1):
        """``count`` posts of ``group`` in ``status``, dated ``days_ago``."""
        date = fields.Datetime.now() - timedelta(days=days_ago)
        return self.env['mail.group.message'].sudo().create([{
            'mail_group_id': group.id, 'moderation_status': status, 'subject': f'{status} {index}',
            'email_from': 'someone@example.com', 'date': date} for index in range(count)])

    def cards(self, user, groups):
        """What the kanban view loads for ``groups``, by group name."""
        Group = self.env['mail.group'].with_user(user).with_context(tz='UTC')
        records = Group.web_search_read([('id', 'in', groups.ids)], {name: {} for name in CARD_FIELDS})['records']
        return {record['name']: record for record in records}

    def test_card_figures(self):
        self.store(self.group_public, 'accepted', count=3)
        self.store(self.group_public, 'accepted', days_ago=45, count=2)
        self.store(self.group_public, 'rejected')
        self.store(self.group_public, 'rejected', days_ago=45)
        self.store(self.group_public, 'pending_moderation', days_ago=45, count=2)
        self.store(self.group_moderated, 'pending_moderation')
        groups = self.group_public | self.group_moderated

        card = self.cards(self.user_moderator, groups)
        self.assertEqual(
            [card['Public List'][name] for name in CARD_FIELDS[2:]], [3, 2, 1],
            'this month: 3 posts, 1 rejected; 2 pending whatever their date')
        self.assertEqual([card['Moderated List'][name] for name in CARD_FIELDS[2:]], [0, 1, 0])

        outsider = self.cards(self.user_employee, groups)
        self.assertFalse(outsider['Public List']['can_manage_group'])
        self.assertEqual([outsider['Public List'][name] for name in CARD_FIELDS[2:]], [3, 0, 0],
                         'pending and rejected posts are their managers\' to count')

    def test_cards_are_computed_in_one_batch(self):
        def queries(count):
            groups = self.env['mail.group'].create([
                {'name': f'Batch {count} {index}', 'alias_name': f'batch-{count}-{index}',
                 'moderator_ids': [(4, self.user_moderator.id)]} for index in range(count)])
            for group in groups:
                self.store(group, 'accepted')
                self.store(group, 'pending_moderation')
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            cards = self.cards(self.user_moderator, groups)
            self.assertEqual({card['traffic_month_count'] for card in cards.values()}, {1})
            self.assertEqual({card['traffic_pending_count'] for card in cards.values()}, {1})
            return self.env.cr.sql_log_count - start

        queries(1)  # warm the caches (access rights, rules)
        self.assertEqual(queries(2), queries(20), 'no query per card')

    def test_graph_and_pivot_count_per_month_and_status(self):
        self.store(self.group_public, 'accepted', count=2)
        self.store(self.group_public, 'rejected', days_ago=45)
        Message = self.env['mail.group.message'].with_user(self.user_moderator)
        for view in ('graph', 'pivot'):
            self.assertTrue(Message.get_views([(False, view)])['views'][view]['arch'])
        rows = Message.read_group([('mail_group_id', '=', self.group_public.id)], ['__count'],
                                  ['date:month', 'moderation_status'], lazy=False)
        self.assertEqual(sorted((row['moderation_status'], row['__count']) for row in rows),
                         [('accepted', 2), ('rejected', 1)])
        self.assertEqual(len({row['date:month'] for row in rows}), 2)
        action = self.env.ref('website_mail_group.mail_group_message_action_traffic')
        self.assertEqual(action.view_mode.split(',')[:2], ['graph', 'pivot'])
        # a month without posts between two with posts is a bar at zero, not a gap
        self.store(self.group_public, 'accepted', days_ago=130)
        context = safe_eval(action.context)
        rows = Message.with_context(**context).read_group(
            [('mail_group_id', '=', self.group_public.id)], ['__count'], ['date:month'], lazy=False)
        self.assertIn(0, [row['__count'] for row in rows], 'the empty months are there')
        menu = self.env.ref('website_mail_group.mail_group_menu_groups_traffic')
        self.assertEqual(menu.complete_name, 'Website/Groups/Traffic')
