"""The welcome mail of new members."""
from odoo import _, models, tools

# Context keys under which joining sends no welcome mail: Odoo's import of
# existing data, module data files, and batch code saying so (a migration
# must not mail thousands of members).
NO_WELCOME_KEYS = ('mail_group_no_welcome', 'import_file', 'install_mode')


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _send_welcome(self, members):
        """One welcome mail per new member: how to post, where the archive
        is, their own delivery settings and unsubscribe links, and the
        guidelines when the group has them enabled. The mail is on no record
        (its links are the member's own) and the mail queue is woken."""
        self.ensure_one()
        if not members or any(self.env.context.get(key) for key in NO_WELCOME_KEYS):
            return False
        template = self.env.ref('website_mail_group.mail_template_welcome')
        # a visitor confirming on a page reads its language
        langs = self._mail_group_member_langs(members, default=self._mail_group_request_lang())
        if self.moderation_guidelines and not tools.is_html_empty(self.moderation_guidelines_msg):
            # the mail Odoo's mail_group sends a new member of such a group, under its subject
            for lang in dict.fromkeys(langs.values()):
                lang_ids = [member_id for member_id, member_lang in langs.items() if member_lang == lang]
                self.with_context(lang=lang)._send_welcome_with_guidelines(template, members.browse(lang_ids))
        else:
            self._send_private_mails(template, members.ids, langs=langs)
        return True

    def _send_welcome_with_guidelines(self, template, members):
        """The welcome of ``members``, in the context's language, under the
        subject of Odoo's guidelines mail."""
        self._send_private_mails(template, members.ids, langs=dict.fromkeys(members.ids, self.env.lang),
                                 subject=_('Guidelines of group %s', self.name),
                                 email_from=self.env.company.email_formatted)
