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
        email_values = {}
        if self.moderation_guidelines and not tools.is_html_empty(self.moderation_guidelines_msg):
            # the mail Odoo's mail_group sends a new member of such a group
            email_values.update(subject=_('Guidelines of group %s', self.name),
                                email_from=self.env.company.email_formatted)
        self._send_private_mails(self.env.ref('website_mail_group.mail_template_welcome'), members.ids,
                                 **email_values)
        return True
