"""Special notices: a post a moderator marks so that it reaches every member
whatever their delivery mode and mutes (mail_group_distribution.py), once
(never in a digest), marked as such in the archive. Only the group's
moderators mark one: on the web post form, "Accept as notice" on a held
post, or over RPC; checked here, not only in the views."""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

NOTICE = object()  # context value of mail_group_notice: RPC cannot build it


def notice_requested(env):
    """Whether the post being made by ``env`` is a notice a moderator asked for."""
    return env.context.get('mail_group_notice') is NOTICE


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    is_notice = fields.Boolean(
        'Special Notice', copy=False, index='btree_not_null',
        help='Sent to every member whatever their delivery mode and mutes, once; only moderators mark a post so.')

    @api.model_create_multi
    def create(self, vals_list):
        """A post created as a notice from Odoo (Emails → New) by a
        moderator of its group goes out as one."""
        if self.env.su or not any(values.get('is_notice') for values in vals_list):
            return super().create(vals_list)
        groups = self.env['mail.group'].browse({values.get('mail_group_id') for values in vals_list
                                                 if values.get('is_notice')})
        self._check_notice_groups(groups)
        notices = [{key: value for key, value in values.items() if key != 'is_notice'}
                   for values in vals_list if values.get('is_notice')]
        others = [values for values in vals_list if not values.get('is_notice')]
        posts = super(MailGroupMessage, self.with_context(mail_group_notice=NOTICE)).create(notices)
        return (super().create(others) | posts) if others else posts

    def write(self, vals):
        if 'is_notice' in vals and not self.env.su:
            self._check_notice_groups(self.sudo().mail_group_id)
        return super().write(vals)

    def _check_notice_groups(self, groups):
        if not all(group._can_moderate() for group in groups.with_env(self.env)):
            raise AccessError(_('Only the moderators of a group can send special notices.'))

    def action_moderate_accept_notice(self):
        """Accept held posts and send them as special notices."""
        self._check_can_moderate()
        self._assert_pending()
        self.sudo().write({'is_notice': True})
        return self.with_context(mail_group_next_pending=self.env.context.get('mail_group_next_pending'),
                                 mail_group_notify=self.env.context.get('mail_group_notify')).action_moderate_accept()
