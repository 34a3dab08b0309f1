"""The group as the mail gateway sees it: its alias (who may post to it),
new mail and replies (threaded under a post of the group), its list id and
the footer removed from quoted posts."""
import lxml.html

from odoo import _, api, fields, models, tools

from odoo.addons.mail.tools.alias_error import AliasError

from ..outbound import headers as list_headers
from ..outbound.footer import FOOTER_ID


class MailGroup(models.Model):
    _inherit = 'mail.group'

    # ------------------------------------------------------------
    # ALIAS
    # ------------------------------------------------------------

    # the form sends every field: without a default, a group created there
    # had no alias domain, so no address. Inherited from the alias, as
    # alias_name: the alias's default (the company's domain), and create()
    # writes it on the alias as superuser (the mixin), not as the user.
    alias_domain_id = fields.Many2one(inherited=True)

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values['alias_contact'] = 'everyone'
        values['alias_model_id'] = self.env['ir.model']._get_id('mail.group')
        values['alias_force_thread_id'] = self.id
        values['alias_defaults'] = '{}'
        return values

    def _alias_get_error(self, message, message_dict, alias):
        """Privacy applies to posting: members-only and user-group lists
        refuse other authors with Odoo's alias bounce. The followers of a
        group are its members: an alias restricted to followers accepts
        them (mail.group has no followers of its own)."""
        self.ensure_one()
        if not self.active:
            return AliasError('mail_group_archived', _('This group is archived.'))
        members_only = self.access_mode == 'members' or (
            self.access_mode == 'public' and alias.alias_contact == 'followers')
        if members_only:
            email = tools.email_normalize(message_dict.get('email_from'))
            # any member with the address, whatever its partner: mail proves an address
            if not self._find_members(email, message_dict.get('author_id') or None):
                return AliasError('error_mail_group_members', _('Only members can send email to the mailing list.'))
            return False
        if self.access_mode == 'groups':
            if not self._email_in_access_group(message_dict.get('email_from'), message_dict.get('author_id')):
                return AliasError('error_mail_group_groups',
                                  _('Only selected groups of users can send email to the mailing list.'))
            return False
        return super()._alias_get_error(message, message_dict, alias)

    def _email_in_access_group(self, email_from, author_id=None):
        self.ensure_one()
        email = tools.email_normalize(email_from)
        users = self.env['res.users'].sudo().browse()
        if author_id:
            users |= self.env['res.partner'].sudo().browse(author_id).user_ids
        if email:
            users |= self.env['res.users'].sudo().search([('email_normalized', '=', email)])
        return bool(users & self.access_group_id.sudo().users)

    # ------------------------------------------------------------
    # MAIL GATEWAY AND POSTING
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Mail only reaches existing groups through their alias."""
        raise ValueError(_('Incoming mail must be addressed to an existing mail group.'))

    def message_update(self, msg_dict, update_vals=None):
        """A reply by mail threads under a post of this group only."""
        msg_dict['parent_id'] = self._mail_group_reply_parent(msg_dict).id or False
        return True

    def _mail_group_reply_parent(self, msg_dict):
        """The message of this group that ``msg_dict`` replies to: its
        In-Reply-To, else the last of its References found in the group
        (under the group's own id when imported, mail_group_archive.py)."""
        self.ensure_one()
        refs = tools.unfold_references(msg_dict.get('in_reply_to') or '')
        refs += reversed(tools.unfold_references(msg_dict.get('references') or ''))
        names = self._archive_own_ids([ref.strip() for ref in refs if ref.strip()])
        messages = self.env['mail.message'].sudo().search_fetch(
            [('model', '=', self._name), ('res_id', '=', self.id), ('message_id', 'in', list(names))],
            ['message_id'], order='id DESC')
        by_ref = {names[message.message_id]: message for message in messages}
        return next((by_ref[ref] for ref in names.values() if ref in by_ref), messages.browse())

    # message_post and its helpers: mail_group_posting.py

    def _list_id(self):
        return list_headers.list_id(self.alias_name, self.alias_domain)

    @api.model
    def _clean_email_body(self, body_html):
        """Remove our footer from the post (it is quoted in replies)."""
        if not body_html or FOOTER_ID not in body_html:
            return body_html
        root = lxml.html.fromstring(f'<div>{body_html}</div>')
        for node in root.xpath(f'//*[@id="{FOOTER_ID}"]'):
            node.getparent().remove(node)
        return ''.join(
            lxml.html.tostring(child, encoding='unicode') for child in root
        ) if len(root) else (root.text or '')
