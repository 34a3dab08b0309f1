"""mail.message of groups: posts stay in their group, change by moderators
only, one per Message-Id and group."""
from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

# what a post shows and how it is threaded and distributed: its moderators' to change
POST_FIELDS = {'body', 'subject', 'email_from', 'author_id', 'attachment_ids', 'date', 'parent_id',
               'message_type', 'reply_to', 'record_name'}


class MailMessage(models.Model):
    _inherit = 'mail.message'

    # lets record rules hide posts that are not accepted (security XML)
    mail_group_message_ids = fields.One2many('mail.group.message', 'mail_message_id', string='Group Message')

    def init(self):
        # The gateway's duplicate check (a search on Message-Id) races when an
        # MTA delivers the same mail twice at once: PostgreSQL stores a post
        # once per group; the losing delivery fails and is retried by the MTA,
        # then ignored as a duplicate. A partial index cannot be declared in
        # _sql_constraints, hence the SQL.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_message_mail_group_message_id_unique
                ON mail_message (res_id, message_id)
             WHERE model = 'mail.group' AND message_type = 'email' AND message_id IS NOT NULL
        """)

    def write(self, vals):
        """Messages of a group stay there; a post (also written through its
        ``mail.group.message``) changes by its group's moderators only, and
        gets no file but those uploaded for it."""
        if self.env.su:
            return super().write(vals)
        if {'model', 'res_id'} & vals.keys() and (
                vals.get('model') == 'mail.group' or 'mail.group' in self.sudo().mapped('model')):
            raise AccessError(_('Messages cannot be moved into or out of a mail group.'))
        posts = self.sudo().mail_group_message_ids.sudo(False)
        if 'message_id' in vals and (posts or 'mail.group' in self.sudo().mapped('model')):
            # a Message-ID belongs to one mail: replies are routed by it
            raise AccessError(_('The Message-ID of a group message cannot be changed.'))
        if not posts or not POST_FIELDS & vals.keys():
            return super().write(vals)
        posts._check_can_moderate()
        uploads = self.env['ir.attachment']
        if 'attachment_ids' in vals:
            uploads = self._mail_group_new_uploads(vals['attachment_ids'])
            if uploads and len(posts) > 1:
                raise UserError(_('Add files to one post at a time.'))
        result = super().write(vals)
        if uploads:
            uploads.sudo().write({'res_model': posts._name, 'res_id': posts.id})
        return result

    def _mail_group_new_uploads(self, commands):
        """The attachments ``commands`` add to these posts: only the
        caller's own pending uploads are accepted."""
        if any(not isinstance(command, int) and command[0] in (0, 1) for command in commands):
            raise AccessError(_('Upload the file first, then attach it to the post.'))
        ids = set(self.env['mail.group.message']._attachment_ids_from_commands(commands))
        new_ids = ids - set(self.sudo().attachment_ids.ids)
        attachments, uploads = self.env['mail.group']._post_attachments_allowed(list(new_ids))
        if attachments != uploads:
            raise AccessError(_('A post can only get files uploaded for it.'))
        return uploads
