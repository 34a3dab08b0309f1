"""The language each mail of a group speaks: its recipient's, whatever the
session sending it (a visitor's /fr/ page, a user, the cron or the mail
gateway). A partner speaks their ``lang``; an address alone speaks the
language of its partner when one has that address, else the group's: the
default language of the website (the company's first website, else the
first one), else the company's, else English."""
from odoo import models, tools
from odoo.http import request


class MailGroup(models.Model):
    _inherit = 'mail.group'

    def _mail_group_website(self):
        """The groups' website: the company's first, else the first one."""
        Website = self.env['website'].sudo()
        return Website.search([('company_id', '=', self.env.company.id)], limit=1) or Website.search([], limit=1)

    def _mail_group_lang(self):
        """The language of the groups' website, for recipients of unknown language."""
        website = self._mail_group_website()
        return website.default_lang_id.code or self.env.company.partner_id.lang or 'en_US'

    def _mail_group_base_url(self, lang=None):
        """The base of the links of a mail in ``lang`` (default: the
        context's), so that its pages open in that language: with the
        language's prefix (``/fr``) when the website has it and it is not
        the website's default."""
        base_url = self.get_base_url()
        lang = lang or self.env.lang
        website = self._mail_group_website()
        if not lang or lang == website.default_lang_id.code:
            return base_url
        url_code = website.language_ids.filtered(lambda language: language.code == lang)[:1].url_code
        return f'{base_url}/{url_code}' if url_code else base_url

    def _mail_group_lang_of(self, emails, default=None):
        """``{address: language}`` of ``emails``: the language of the oldest
        partner with the address and a language, else ``default`` (default:
        :meth:`_mail_group_lang`). One query for any number of addresses."""
        normalized = {email: tools.email_normalize(email or '') for email in emails}
        known = {}
        if any(normalized.values()):
            partners = self.env['res.partner'].sudo().with_context(active_test=False).search_fetch(
                [('email_normalized', 'in', [email for email in normalized.values() if email]),
                 ('lang', '!=', False)], ['email_normalized', 'lang'], order='id desc')
            known = {partner.email_normalized: partner.lang for partner in partners}  # the oldest last
        langs = {email: known.get(email_normalized) for email, email_normalized in normalized.items()}
        if not all(langs.values()):
            default = default or self._mail_group_lang()
            langs = {email: lang or default for email, lang in langs.items()}
        return langs

    def _mail_group_in_lang_of(self, email):
        """The group in the language of ``email``: its partner's, else the group's."""
        return self.with_context(lang=self._mail_group_lang_of(emails=[email])[email])

    def _mail_group_member_langs(self, members, default=None):
        """``{member id: language}``: their partner's, else that of the
        partner of their address, else ``default`` or the group's."""
        langs = self._mail_group_lang_of(
            emails=[m.email_normalized for m in members.sudo() if not m.partner_id.lang], default=default)
        return {m.id: m.partner_id.lang or langs[m.email_normalized] for m in members.sudo()}

    def _mail_group_request_lang(self):
        """The language of the visitor's page, when a visitor asks for a mail."""
        return request and getattr(request, 'is_frontend', False) and request.env.lang or None
