import ast
import datetime
import logging
import re
from email.utils import format_datetime, formataddr, parseaddr

from odoo import api, fields, models, tools

from ..outbound import bounces, footer, identity, mime, smtp_errors
from ..outbound import text as post_text
from .mail_mail_outcome import _Outcome

_logger = logging.getLogger(__name__)


PERSONAL_HEADERS = re.compile(r"'(List-Unsubscribe(?:-Post)?)': '([^'\\]*)'")


class MailMail(models.Model):
    _inherit = 'mail.mail'

    mail_group_member_id = fields.Many2one(
        'mail.group.member', string='Mail Group Member', index='btree_not_null', ondelete='set null')
    mail_group_post = fields.Boolean('Mail Group Post', help='A copy of a group post for one member.')
    mail_group_attempts = fields.Integer('Delivery Attempts', default=0)
    mail_group_probe = fields.Boolean('Bounce Probe', help='Sent to check an address before its delivery stops.')

    @api.model
    def _mail_group_wake_queue(self, at=None):
        """Have Odoo's mail queue cron run now (or ``at``), not at its next
        scheduled run: list mail and answers leave within seconds."""
        self.env.ref('mail.ir_cron_mail_scheduler_action').sudo()._trigger(at=at)

    @api.model
    def _add_missing_default_values(self, values):
        """Copies of a post share their defaults, computed once per post
        (``mail_group_defaults`` in the context) instead of once per copy."""
        defaults = self.env.context.get('mail_group_defaults')
        if defaults is not None and values.get('mail_group_post'):
            return {**defaults, **values}
        return super()._add_missing_default_values(values)

    def send(self, auto_commit=False, raise_exception=False):
        posts = self.filtered('mail_group_post')
        if posts:
            posts._send_group_posts(auto_commit=auto_commit)
        others = self - posts
        if others:
            return super(MailMail, others).send(auto_commit=auto_commit, raise_exception=raise_exception)
        return True

    def _send_group_posts(self, auto_commit=False):
        """Send copies of group posts: Odoo builds each post's MIME message
        once, every member gets a personalized copy, one SMTP session per
        batch. Temporary failures stay queued with back-off, permanent
        ones are recorded against the member, a dropped connection is
        reopened; a mail is marked sent right after the server took it."""
        IrMailServer = self.env['ir.mail_server']
        test_mode = IrMailServer._is_test_mode()
        for mail_server_id, alias_domain_id, smtp_from, batch_ids in self._split_by_mail_configuration():
            batch = self.browse(batch_ids).filtered(lambda mail: mail.state == 'outgoing')
            if not batch:
                continue
            Server = IrMailServer
            if alias_domain_id:
                alias_domain = self.env['mail.alias.domain'].sudo().browse(alias_domain_id)
                Server = Server.with_context(
                    domain_notifications_email=alias_domain.default_from_email,
                    domain_bounce_address=alias_domain.bounce_email)
            outcome = _Outcome(self.env, auto_commit)
            smtp = None
            try:
                if not test_mode:
                    smtp = Server.connect(mail_server_id=mail_server_id, smtp_from=smtp_from)
            except Exception as exc:  # noqa: BLE001 - server down: retry the batch later
                _logger.info('Mail group: SMTP server unreachable, %s mails stay queued: %s', len(batch), exc)
                outcome.retry(batch, exc)
                outcome.flush()
                continue
            builder = _CopyBuilder(Server, smtp, smtp_from)
            remaining = list(batch)
            while remaining:
                mail = remaining.pop(0)
                try:
                    smtp_from_addr, smtp_to, data = builder.build(mail)
                    if not test_mode:
                        smtp.sendmail(smtp_from_addr, smtp_to, data, [])
                except Exception as exc:  # noqa: BLE001 - classified below
                    kind = smtp_errors.classify(exc)
                    if kind == smtp_errors.CONNECTION:
                        try:
                            smtp = Server.connect(mail_server_id=mail_server_id, smtp_from=smtp_from)
                        except Exception as reconnect_exc:  # noqa: BLE001
                            _logger.info('Mail group: SMTP connection lost, %s mails stay queued: %s',
                                         len(remaining) + 1, reconnect_exc)
                            outcome.retry(self.browse([mail.id] + [m.id for m in remaining]), reconnect_exc)
                            smtp = None
                            break
                        if mail.id not in outcome.reconnected:
                            outcome.reconnected.add(mail.id)
                            remaining.insert(0, mail)
                        else:
                            outcome.retry(mail, exc)
                    elif kind == smtp_errors.TEMPORARY:
                        outcome.retry(mail, exc)
                    else:
                        outcome.fail(mail, exc, counts=kind == smtp_errors.RECIPIENT)
                else:
                    outcome.sent(mail)
                outcome.maybe_flush()
            outcome.flush()
            if smtp:
                try:
                    smtp.quit()
                except Exception:  # noqa: BLE001 - the server may already be gone
                    pass
        return True


class _CopyBuilder:
    """The bytes of a post's copy for one member: Odoo builds and
    serializes each post's message once, as a template with tokens (see
    outbound/mime.py); the plain text of the post and of the footer are
    rendered once per post too, and only the footer's gets the member's
    links (outbound/footer.py)."""

    def __init__(self, server, smtp, smtp_from=None):
        self.server = server
        self.smtp = smtp
        self.smtp_from = smtp_from  # the batch's sender, as Odoo chose it for the mail server
        self.posts = {}
        self.link_builders = {}
        self.placeholders = footer.placeholders()
        self.secret = server.env['ir.config_parameter'].sudo().get_param('database.secret').encode()

    def build(self, mail):
        """Return ``(smtp_from, [rcpt], bytes)`` for one queued copy."""
        # our own repr() of the personal headers: read them without literal_eval
        personal = dict(PERSONAL_HEADERS.findall(mail.headers or ''))
        if 'List-Unsubscribe' not in personal and 'List-Unsubscribe' in (mail.headers or ''):
            personal = {name: value for name, value in ast.literal_eval(mail.headers).items()
                        if name.startswith('List-Unsubscribe')}
        html = mail._prepare_outgoing_body()
        key = mail.mail_message_id.id
        if key not in self.posts:
            self.posts[key] = self._prepare_post(mail)
        post = self.posts[key]
        text = self._text(post, html, self._member_links(mail))
        recipients = tools.email_normalize_all(mail.email_to)
        email_to = ', '.join(_encode_address(address) for address in tools.email_split_and_format(mail.email_to))
        template = post['template']
        if template and recipients and _is_ascii(email_to, *recipients, *personal.values()):
            data = template.render(email_to, personal.get('List-Unsubscribe', ''),
                                   personal.get('List-Unsubscribe-Post', ''), html, text)
            return self._envelope_sender(post['smtp_from'], mail), recipients, data
        message = mime.personalize(post['message'], email_to, html, text, personal)
        # the member only: a Cc naming the author is a header, not a recipient
        smtp_from, smtp_to, message = self.server.with_context(send_validated_to=recipients)._prepare_email_message(
            message, self.smtp)
        _set_from(message, post['from_override'])
        return (self._envelope_sender(smtp_from, mail), smtp_to,
                message.as_bytes(policy=message.policy.clone(linesep='\r\n', max_line_length=None)))

    def _text(self, post, html, links):
        """The plain-text part: the post's text, then the footer's with the
        member's links put back into it (the footer alone)."""
        body, footer_html = footer.split(html)
        if not footer_html or not links:
            return post['author_text'] or post_text.html_to_text(html)
        if post['body'] != body:
            post['body'], post['body_text'] = body, post['author_text'] or post_text.html_to_text(body)
        template = footer.depersonalize(footer_html, self.placeholders, links)
        if post['footer'] != template:
            post['footer'], post['footer_text'] = template, tools.html2plaintext(template)
        footer_text = footer.personalize_text(post['footer_text'], self.placeholders, links)
        return footer.join_text(post['body_text'], footer_text or tools.html2plaintext(footer_html))

    def _envelope_sender(self, smtp_from, mail):
        """The member's signed VERP address when the envelope sender is the
        bounce alias (outbound/bounces.py): a bounce then names its member,
        and nobody else can write that address."""
        bounce = self.server.env.context.get('domain_bounce_address')
        member = mail.mail_group_member_id
        if not bounce or smtp_from != bounce or not member:
            return smtp_from
        if mail.mail_group_probe:
            if not member.bounce_probe_date:
                return smtp_from
            return bounces.address(bounce, self.secret, member.id, fields.Datetime.to_string(member.bounce_probe_date))
        return bounces.address(bounce, self.secret, member.id)

    def _member_links(self, mail):
        """The member's personal links, by kind."""
        group = _group_of(mail)
        email = mail.mail_group_member_id.email_normalized or tools.email_normalize(mail.email_to)
        if not group or not email:
            return {}
        if group.id not in self.link_builders:
            self.link_builders[group.id] = group._member_links_builder()
        return self.link_builders[group.id](email)

    def _prepare_post(self, mail):
        values = mail._prepare_outgoing_list()[0]
        emails_from = tools.email_split_and_format_normalize(mail.email_from)
        author = emails_from[0] if emails_from else mail.email_from
        group = _group_of(mail)
        build = dict(
            email_from=author, subject=values['subject'], email_cc=values['email_cc'], reply_to=values['reply_to'],
            attachments=values['attachments'], message_id=values['message_id'], references=values['references'],
            object_id=values['object_id'], subtype='html', subtype_alternative='plain',
        )
        from_override = None
        if group:
            # Odoo chose the batch's sender for the mail server: not the author
            # when the server's from_filter refuses the author's address
            usable = tools.email_normalize(self.smtp_from or '') == tools.email_normalize(author or '')
            rewritten = identity.is_rewritten(author, group.alias_email, group.from_policy, usable)
            cc = identity.cc(group.reply_to_policy, author, rewritten)
            build.update(
                email_from=identity.from_header(author, group.name, group.alias_email, group.from_policy, usable),
                subject=identity.subject_with_prefix(values['subject'], group.subject_prefix),
                reply_to=identity.reply_to(group.reply_to_policy, group.alias_email, author),
                email_cc=[cc] if cc else values['email_cc'],
            )
            # a group sending as itself keeps its own From (Odoo would encapsulate
            # it like the author's address) when the server may send from it
            if rewritten and self.server._match_from_filter(group.alias_email, getattr(self.smtp, 'from_filter', False)):
                from_override = build['email_from']
        digest_items = self._digest_items(mail, group)
        server = self.server.with_context(send_validated_to=values['email_to_normalized'])
        message = server.build_email(
            email_to=values['email_to'], body=values['body'], body_alternative=values['body_alternative'],
            headers=values['headers'], **build)
        template_message = server.build_email(
            email_to=[mime.TO_TOKEN], body=mime.HTML_TOKEN, body_alternative=mime.TEXT_TOKEN,
            headers={**values['headers'], 'List-Unsubscribe': mime.UNSUBSCRIBE_TOKEN,
                     'List-Unsubscribe-Post': mime.UNSUBSCRIBE_POST_TOKEN}, **build)
        if digest_items:
            mime.make_digest(message, digest_items)
            mime.make_digest(template_message, digest_items)
        smtp_from, __, template_message = self.server.with_context(send_validated_to=[])._prepare_email_message(
            template_message, self.smtp)
        _set_from(template_message, from_override)
        template = mime.ByteTemplate.make(
            template_message.as_bytes(policy=template_message.policy.clone(linesep='\r\n')))
        if not template:
            _logger.info('Mail group: no byte template for message %s, building each copy', mail.mail_message_id.id)
        post = self.server.env['mail.group.message'].sudo().search(
            [('mail_message_id', '=', mail.mail_message_id.id)], limit=1) if group else None
        return {
            'message': message,
            'template': template,
            'smtp_from': smtp_from,
            'from_override': from_override,
            'author_text': post.body_text if post else None,
            'body': None, 'body_text': '',
            'footer': None, 'footer_text': '',
        }

    def _digest_items(self, mail, group):
        """The posts of a digest, each as a message of its own, as the
        members received them (Subject, From, Date, Message-ID, threading)."""
        posts = mail.mail_message_id.sudo().mail_group_digest_ids if group else None
        items = []
        for post in posts or ():
            message = post.mail_message_id
            parent_id = message.parent_id.message_id
            author = message.email_from or ''
            items.append(mime.digest_item({
                'From': author,
                'To': group.alias_email or '',
                'Reply-To': identity.reply_to(group.reply_to_policy, group.alias_email, author),
                'Subject': message.subject or '',
                'Date': format_datetime(message.date.replace(tzinfo=datetime.timezone.utc)) if message.date else '',
                'Message-ID': message.message_id or '',
                'In-Reply-To': parent_id or '',
                'References': parent_id or '',
            }, post._plain_text(), tools.html_sanitize(
                message.body, sanitize_tags=True, sanitize_attributes=True, strip_style=True, strip_classes=True)))
        return items


def _group_of(mail):
    message = mail.mail_message_id
    return mail.env['mail.group'].sudo().browse(message.res_id) if message.model == 'mail.group' else None


def _set_from(message, value):
    if value:
        del message['From']
        message['From'] = value


def _is_ascii(*values):
    return all(value.isascii() for value in values)


def _encode_address(formatted):
    """RFC 2047-encode a display name, keeping the address as it is."""
    name, address = parseaddr(formatted)
    return formataddr((name, address), charset='utf-8') if address else formatted
