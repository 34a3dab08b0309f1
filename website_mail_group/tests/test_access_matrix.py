from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailGroupCommon


class _RollBack(Exception):
    pass


USERS = ('public', 'portal', 'internal', 'moderator', 'admin')
# privacy mode -> users who may read the group and its accepted posts
READERS = {
    'public': set(USERS),
    'members': {'moderator', 'admin'},
    'groups': {'internal', 'moderator', 'admin'},
}
MANAGERS = {'moderator', 'admin'}


@tagged('post_install', '-at_install')
class TestAccessMatrix(MailGroupCommon):
    """Who may do what: every kind of user × every privacy mode × read the
    group / read its posts / see its members / moderate / manage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            'public': cls.env.ref('base.public_user'),
            'portal': cls.user_portal,
            'internal': mail_new_test_user(cls.env, login='insider', groups='base.group_user', name='Ian Insider',
                                           email='ian@test.example.com'),
            'moderator': cls.user_moderator,
            'admin': cls.user_admin,
        }
        cls.groups = {}
        cls.posts = {}
        for mode in READERS:
            group = cls.env['mail.group'].create({
                'name': f'Matrix {mode}', 'alias_name': f'matrix-{mode}', 'access_mode': mode,
                'access_group_id': cls.env.ref('base.group_user').id,
                'moderation': True, 'moderator_ids': [(4, cls.user_moderator.id)],
            })
            cls.env['mail.group.member'].create({'mail_group_id': group.id, 'partner_id': cls.partner_customer.id})
            accepted = cls.env['mail.group.message'].browse(
                group.message_post(body='<p>ok</p>', subject='ok', email_from=cls.user_moderator.email).mail_group_message_ids.ids)
            pending = cls.env['mail.group.message'].browse(
                group.message_post(body='<p>wait</p>', subject='wait', email_from='x@example.com').mail_group_message_ids.ids)
            cls.groups[mode] = group
            cls.posts[mode] = (accepted, pending)

    def can(self, operation, user, mode):
        """Try one operation as one user, then roll it back."""
        outcome = []
        try:
            with mute_logger('odoo.models', 'odoo.addons.base.models.ir_rule'), self.env.cr.savepoint():
                outcome.append(self._attempt(operation, user, mode))
                raise _RollBack()
        except _RollBack:  # pylint: disable=except-pass  # the attempt is undone, its outcome kept
            pass
        except AccessError:
            outcome.append(False)
        self.env.invalidate_all()
        return outcome[0]

    def _attempt(self, operation, user, mode):
        group = self.groups[mode].with_user(self.users[user])
        accepted, pending = (post.with_user(self.users[user]) for post in self.posts[mode])
        if operation == 'read_group':
            return bool(group.search([('id', '=', group.id)])) and bool(group.read(['name']))
        if operation == 'read_posts':
            return accepted.search([('id', '=', accepted.id)]) == accepted and bool(accepted.read(['body']))
        if operation == 'read_pending':
            return bool(pending.search([('id', '=', pending.id)]))
        if operation == 'see_members':
            return bool(self.env['mail.group.member'].with_user(self.users[user]).search(
                [('mail_group_id', '=', group.id)]))
        if operation == 'moderate':
            pending.action_moderate_accept()
            return True
        if operation == 'moderate_readable':
            # a post its readers see: the moderation check alone refuses them
            accepted.action_moderate_ban()
            return bool(self.env['mail.group.moderation'].sudo().search(
                [('mail_group_id', '=', group.id), ('email', '=', accepted.sudo().email_from_normalized)]))
        if operation == 'manage':
            group.write({'description': 'changed'})
            return True
        raise ValueError(operation)

    def test_matrix(self):
        expected = {
            'read_group': READERS,
            'read_posts': READERS,
            'read_pending': {mode: MANAGERS for mode in READERS},
            'see_members': {mode: MANAGERS for mode in READERS},
            'moderate': {mode: MANAGERS for mode in READERS},
            'moderate_readable': {mode: MANAGERS for mode in READERS},
            'manage': {mode: MANAGERS for mode in READERS},
        }
        failures = []
        for operation, allowed_by_mode in expected.items():
            for mode, allowed in allowed_by_mode.items():
                for user in USERS:
                    if self.can(operation, user, mode) != (user in allowed):
                        failures.append(f'{operation} / {mode} / {user}: expected {"allowed" if user in allowed else "refused"}')
        self.assertFalse(failures, '\n'.join(failures))
