"""Locking a topic: a moderator locks a thread (the back office's message
form, or the thread page); later replies to any post of it are held or
refused, as the group says (``locked_topic_action``), with the reason
"Topic locked" (``rule_topic_locked`` of inbound/rules.py). Unlocking
restores it. The lock is kept on the thread's first post."""
from dataclasses import replace

from odoo import fields, models
from odoo.tools import SQL

from ..inbound import rules


class MailGroup(models.Model):
    _inherit = 'mail.group'

    locked_topic_action = fields.Selection([
        ('hold', 'Hold for moderation'),
        ('reject', 'Refuse'),
    ], string='Replies to locked topics', required=True, default='hold',
        help='What happens to a reply to a topic a moderator locked (moderators may still answer).')

    def _topic_lock_policy(self, policy, parent_message_id):
        """``policy`` told whether the post replies to a locked topic of
        this group (``parent_message_id``: the ``mail.message`` replied to)."""
        self.ensure_one()
        if not parent_message_id:
            return policy
        parent = self.env['mail.group.message'].sudo().search(
            [('mail_message_id', '=', parent_message_id), ('mail_group_id', '=', self.id)], limit=1)
        if not parent or not parent._topic_locked():
            return policy
        return replace(policy, topic_locked=True,
                       locked_topic_action=rules.REJECT if self.locked_topic_action == 'reject' else rules.HOLD)


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    topic_locked = fields.Boolean(
        readonly=True, copy=False,
        help='Set on the first post of a locked thread: replies to any of its posts are held or refused.')
    thread_locked = fields.Boolean('In a Locked Topic', compute='_compute_thread_locked')

    def _compute_thread_locked(self):
        for message in self:
            message.thread_locked = bool(message.id) and message._topic_locked()

    def _thread_ancestor_ids(self):
        """Ids of this post and of every post above it, whatever their
        status, nearest first: one recursive query (the ORM has none)."""
        self.ensure_one()
        self.flush_model(['group_message_parent_id'])
        self.env.cr.execute(SQL("""
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, group_message_parent_id, 0 FROM mail_group_message WHERE id = %(id)s
                 UNION
                SELECT parent.id, parent.group_message_parent_id, up.depth + 1
                  FROM mail_group_message parent JOIN up ON parent.id = up.parent_id
                 WHERE up.depth < 10000
            )
            SELECT id FROM up ORDER BY depth
        """, id=self.id))
        return [row[0] for row in self.env.cr.fetchall()]

    def _topic_locked(self):
        """Whether this post belongs to a locked thread (it or a post above it
        is locked)."""
        self.ensure_one()
        return bool(self.sudo().search_count(
            [('id', 'in', self._thread_ancestor_ids()), ('topic_locked', '=', True)], limit=1))

    def _check_can_lock(self):
        self._check_can_moderate()

    def action_lock_topic(self):
        """Lock the thread of each post (moderators of its group)."""
        self._check_can_lock()
        for message in self.sudo():
            message.browse(message._thread_ancestor_ids()[-1]).topic_locked = True
        return True

    def action_unlock_topic(self):
        """Unlock the thread of each post."""
        self._check_can_lock()
        for message in self.sudo():
            message.browse(message._thread_ancestor_ids()).filtered('topic_locked').topic_locked = False
        return True
