"""The mail as received, kept for groups that wrap posts (``from_policy``
``wrap``, outbound/wrap.py): only posts that arrived by mail to such a
group keep it, in the filestore, until the post is deleted. Employees who
may read the post read it; only the mail gateway writes it (as superuser),
neither through the post nor through its attachment."""
import base64

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..outbound import wrap

RAW_FIELD = ('mail.group.message', 'raw_message')


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _wrap_values(self, facts):
        """The values storing the mail of ``facts`` (the gateway's) on a
        new post, when the group wraps posts."""
        self.ensure_one()
        if self.from_policy != 'wrap' or facts is None or not facts.raw:
            return {}
        return {'raw_message': base64.b64encode(facts.raw)}


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    raw_message = fields.Binary(
        'Mail as Received', attachment=True, readonly=True, copy=False, groups='base.group_user',
        help='Kept when the group wraps posts: every copy carries it attached, as the author sent it.')

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any('raw_message' in vals for vals in vals_list):
            raise AccessError(_('Only the mail gateway stores a mail as received.'))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and 'raw_message' in vals:
            raise AccessError(_('Only the mail gateway stores a mail as received.'))
        return super().write(vals)

    def _wrap_original(self):
        """The bytes to attach to the copies of this post, or None: the
        group no longer wraps, or the post did not come by mail."""
        self.ensure_one()
        post = self.sudo().with_context(bin_size=False)
        if post.mail_group_id.from_policy != 'wrap' or not post.raw_message:
            return None
        return wrap.original(base64.b64decode(post.raw_message))


class IrAttachment(models.Model):
    """The attachment holding a post's mail as received is written by the
    mail gateway only (a moderator may write the post)."""
    _inherit = 'ir.attachment'

    @api.model_create_multi
    def create(self, vals_list):
        # check('create') is not given the res_field
        if not self.env.su and any((vals.get('res_model'), vals.get('res_field')) == RAW_FIELD for vals in vals_list):
            raise AccessError(_('Only the mail gateway stores a mail as received.'))
        return super().create(vals_list)

    def check(self, mode, values=None):
        super().check(mode, values)
        if mode in ('read', 'create') or self.env.su:
            return
        values = values or {}
        for record in self.sudo():
            model, field = record.res_model, record.res_field
            if RAW_FIELD in ((model, field), (values.get('res_model', model), values.get('res_field', field))):
                raise AccessError(_('Only the mail gateway stores a mail as received.'))
