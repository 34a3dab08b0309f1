"""A member's choice for one thread: mute it (its later posts are neither
mailed to them nor put in their digests) or follow it (its replies are
mailed to them whatever their delivery mode). One row per member and
thread, named by the thread's first post; the fan-out reads them in its
one query per page of members (mail_group_distribution.py)."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .mail_group_distribution import MEMBER_LINK_SCOPE
from .mail_group_links import same_token

THREAD_STATES = [('mute', 'Muted'), ('follow', 'Followed')]


class MailGroupMemberThread(models.Model):
    _name = 'mail.group.member.thread'
    _description = 'Mailing List Member Thread Setting'
    _rec_name = 'thread_id'

    member_id = fields.Many2one('mail.group.member', required=True, index=True, ondelete='cascade')
    thread_id = fields.Many2one('mail.group.message', required=True, index=True, ondelete='cascade',
                                help='The first post of the thread.')
    state = fields.Selection(THREAD_STATES, 'Setting', required=True, default='mute')

    _sql_constraints = [
        ('member_thread_unique', 'UNIQUE(member_id, thread_id)', 'A member has one setting per thread.'),
    ]

    @api.constrains('member_id', 'thread_id')
    def _check_thread_of_group(self):
        for setting in self.sudo():
            if setting.thread_id.mail_group_id != setting.member_id.mail_group_id:
                raise ValidationError(_('A member mutes or follows threads of their own group only.'))


class MailGroupMember(models.Model):
    _inherit = 'mail.group.member'

    thread_setting_ids = fields.One2many(
        'mail.group.member.thread', 'member_id', string='Muted and Followed Threads', groups='base.group_system')

    def _thread_setting(self, thread):
        """This member's setting of ``thread`` (``mute``, ``follow``) or False."""
        self.ensure_one()
        setting = self.env['mail.group.member.thread'].sudo().search(
            [('member_id', '=', self.id), ('thread_id', '=', thread.id)], limit=1)
        return setting.state or False

    def _set_thread_setting(self, thread, state):
        """Mute (``mute``), follow (``follow``) or neither (False) ``thread``
        for this member; the caller checked who asks."""
        self.ensure_one()
        Setting = self.env['mail.group.member.thread'].sudo()
        setting = Setting.search([('member_id', '=', self.id), ('thread_id', '=', thread.id)], limit=1)
        if not state:
            setting.unlink()
        elif setting:
            setting.state = state
        else:
            Setting.create({'member_id': self.id, 'thread_id': thread.id, 'state': state})


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def _mail_group_thread_roots(self):
        """``{post id: id of its thread's first post}``: its highest accepted
        ancestor (the archive's rule), for all of ``self`` in one query."""
        if not self:
            return {}
        self.flush_model(['group_message_parent_id', 'moderation_status'])
        self.env.cr.execute(SQL("""
            WITH RECURSIVE up(start, id, parent_id, depth) AS (
                SELECT id, id, group_message_parent_id, 0 FROM mail_group_message WHERE id = ANY(%(ids)s)
                 UNION
                SELECT up.start, parent.id, parent.group_message_parent_id, up.depth + 1
                  FROM mail_group_message parent JOIN up ON parent.id = up.parent_id
                 WHERE parent.moderation_status = 'accepted'
            )
            SELECT DISTINCT ON (start) start, id FROM up ORDER BY start, depth DESC
        """, ids=list(self.ids)))
        return dict(self.env.cr.fetchall())

    def _mail_group_thread_root(self):
        """The first post of this post's thread."""
        self.ensure_one()
        return self.browse(self._mail_group_thread_roots()[self.id])


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _generate_topic_token(self, member_id, thread_id):
        """Token of a member row's "Mute this topic" link of one thread (the
        footer's ``mute`` link, mail_group_distribution._member_links_builder)."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), MEMBER_LINK_SCOPE, (self.id, member_id, 'topic', thread_id))

    def _link_topic(self, member_id, thread_id, token):
        """``(member, thread)`` a topic link names, as superuser: the member
        empty when it is no longer a member, the thread empty when it is no
        longer an accepted thread start of the group; None when the link is
        forged."""
        self.ensure_one()
        if not (member_id and thread_id) or not same_token(self._generate_topic_token(member_id, thread_id), token):
            return None
        member = self.env['mail.group.member'].sudo().search(
            [('id', '=', member_id), ('mail_group_id', '=', self.id)])
        thread = self.env['mail.group.message'].sudo().search(
            [('id', '=', thread_id), ('mail_group_id', '=', self.id), ('moderation_status', '=', 'accepted')])
        return member, thread
