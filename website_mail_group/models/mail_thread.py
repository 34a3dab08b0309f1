"""The mail gateway for groups: list commands (+subscribe, +unsubscribe),
hostile mail, bounces, the raw facts the inbound rules read."""
import codecs
import email
import email.policy
import hashlib
import logging
import xmlrpc.client

from odoo import api, models, tools

from ..inbound import cleaning, patterns
from ..outbound import text
from .mail_group_posting import InboundFacts

_logger = logging.getLogger(__name__)

# raw headers the inbound rules read (the gateway's message_dict drops them)
INBOUND_HEADERS = ('auto-submitted', 'precedence', 'list-id', 'x-loop', 'x-autoreply', 'x-autorespond', 'content-type')
MAX_HEADERS = 200  # headers of a mail the header rules read
MAX_HEADER_VALUE = 1000  # characters of a header value the header rules read
MAX_MESSAGE_ID = 900  # characters; longer ones overflow PostgreSQL's index rows
# <alias>+<command>@<domain>
COMMANDS = {'subscribe': 'subscribe', 'join': 'subscribe', 'unsubscribe': 'unsubscribe', 'leave': 'unsubscribe'}


class RawMail:
    """The bytes of an inbound mail as received (DKIM signs them, not Odoo's
    re-serialisation). Passed in the context as an instance, which JSON-RPC
    and XML-RPC cannot build: no caller can pair a mail with other bytes."""
    __slots__ = ('data',)

    def __init__(self, message):
        if isinstance(message, xmlrpc.client.Binary):
            message = bytes(message.data)
        if isinstance(message, str):
            message = message.encode('utf-8')
        self.data = message if isinstance(message, bytes) else b''


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    @api.model
    def message_process(self, model, message, custom_values=None, save_original=False, strip_attachments=False,
                        thread_id=None):
        """Mail to ``<group alias>+subscribe@`` or ``+unsubscribe@`` is a
        command: the sender gets a confirmation link, nothing is posted."""
        handled = self._mail_group_process_command(message)
        if handled:
            return handled
        raw = RawMail(message)
        if raw.data:
            self = self.with_context(mail_group_raw=raw)
        return super().message_process(model, message, custom_values=custom_values, save_original=save_original,
                                       strip_attachments=strip_attachments, thread_id=thread_id)

    @api.model
    def _mail_group_process_command(self, message):
        message = RawMail(message).data
        try:
            parsed = email.message_from_bytes(message, policy=email.policy.SMTP)
            envelope, addressed = (tools.email_split(','.join(
                tools.decode_message_header(parsed, name, separator=',') for name in names))
                for names in (('Delivered-To', 'X-Original-To'), ('To', 'Cc')))
            sender = tools.email_normalize(tools.decode_message_header(parsed, 'From', separator=','))
        except Exception:  # noqa: BLE001 - left to the gateway, which reports broken mail
            return False
        # a command is delivered to the command address, or addressed to it
        # alone: a post that also names it stays a post
        candidates = envelope + (addressed if len({address.lower() for address in addressed}) == 1 else [])
        for address in candidates:
            local, __, domain = address.lower().rpartition('@')
            alias_name, plus, command = local.rpartition('+')
            if not plus or command not in COMMANDS:
                continue
            alias = self.env['mail.alias'].sudo().search([
                ('alias_full_name', '=', f'{alias_name}@{domain}'), ('alias_model_id.model', '=', 'mail.group'),
                ('alias_force_thread_id', '!=', False)], limit=1)
            group = self.env['mail.group'].sudo().browse(alias.alias_force_thread_id).exists()
            if not group:
                continue
            if sender and group.active and group.access_mode == 'public':
                if COMMANDS[command] == 'subscribe':
                    group._send_subscribe_confirmation_email(sender)
                else:
                    group._send_unsubscribe_confirmation_email(sender)
            else:
                _logger.info('Mail group %s: %s command from %s ignored (private group or no sender)',
                             group.id, command, sender)
            return group.id
        return False

    @api.model
    def message_parse(self, message, save_original=False):
        """Hostile mail must be stored or refused, never crash the gateway:
        unknown charsets are read as UTF-8, header values lose control
        characters and line breaks, overlong Message-IDs become a digest."""
        self._mail_group_fix_charsets(message)
        values = super().message_parse(message, save_original=save_original)
        return self._mail_group_clean_parsed(values)

    @api.model
    def _mail_group_fix_charsets(self, message):
        """Read parts in an unknown charset as UTF-8."""
        for part in message.walk():
            charset = part.get_param('charset')
            if isinstance(charset, str) and charset:
                try:
                    codecs.lookup(charset)
                except LookupError:
                    part.set_param('charset', 'utf-8')

    @api.model
    def _mail_group_clean_parsed(self, values):
        """Parsed values without control characters and line breaks in
        header values, nor an overlong Message-ID, nor NUL in the body."""
        for key in ('subject', 'email_from', 'from', 'to', 'cc', 'recipients', 'references', 'in_reply_to'):
            if isinstance(values.get(key), str):
                values[key] = cleaning.one_line(values[key])
        message_id = cleaning.one_line(values.get('message_id'), replacement='')
        if len(message_id) > MAX_MESSAGE_ID:
            message_id = '<%s@overlong-message-id.invalid>' % hashlib.sha256(message_id.encode()).hexdigest()
        values['message_id'] = message_id
        if isinstance(values.get('body'), str):
            values['body'] = values['body'].replace('\x00', '')
        return values

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        group_ids = [route[1] for route in routes or () if route[0] == 'mail.group']
        if not group_ids:
            return super()._message_route_process(message, message_dict, routes)
        self = self.with_context(mail_group_inbound=self._mail_group_inbound_facts(message))
        author_text = text.author_text(message)
        if author_text and text.is_plain_post(message):
            # Odoo shows a plain post as a <pre> that does not wrap
            message_dict['body'] = text.text_to_html(author_text)
        result = super()._message_route_process(message, message_dict, routes)
        if author_text and message_dict.get('message_id'):
            # the author's own plain text, for the plain part of the copies
            self.env['mail.group.message'].sudo().search([
                ('mail_group_id', 'in', group_ids),
                ('mail_message_id.message_id', '=', message_dict['message_id']),
            ]).write({'body_text': author_text})
        return result

    @api.model
    def _mail_group_inbound_facts(self, message):
        """Raw facts for the inbound rules (``InboundFacts``): a few headers,
        the size and the number of addressed recipients. Broken headers count
        as absent."""
        headers = {}
        for name in INBOUND_HEADERS:
            try:
                value = message.get(name)
            except Exception:  # noqa: BLE001 - hostile header values
                value = None
            if value is not None:
                headers[name] = str(value)
        try:
            size = len(message.as_bytes())
        except Exception:  # noqa: BLE001 - unserializable hostile message
            size = sum(len(str(part.get_payload())) for part in message.walk())
        recipients = set()
        for name in ('to', 'cc'):
            try:
                recipients.update(tools.email_split(tools.decode_message_header(message, name, separator=',')))
            except Exception:  # noqa: BLE001
                _logger.info('Unreadable %s header in inbound mail', name)
        destinations = tuple(sorted({tools.email_normalize(address) for address in recipients} - {False}))
        raw = self.env.context.get('mail_group_raw')
        if not isinstance(raw, RawMail):
            try:
                raw = RawMail(message.as_bytes())
            except Exception:  # noqa: BLE001 - unserializable hostile message: nothing to prove
                raw = RawMail(b'')
        return InboundFacts(headers=headers, size=size, recipient_count=len(recipients),
                            suspicious=self._mail_group_has_active_content(message), raw=raw.data,
                            header_values=self._mail_group_header_values(message), destinations=destinations)

    @api.model
    def _mail_group_header_values(self, message):
        """Every header of the mail as ``(lower-cased name, decoded value)``
        for the groups' header rules: the first ``MAX_HEADERS``, values cut
        at ``MAX_HEADER_VALUE`` characters; unreadable ones are skipped."""
        values = []
        for name in message.keys()[:MAX_HEADERS]:
            values.append(name.lower())
        found = []
        for name in dict.fromkeys(values):
            try:
                for value in message.get_all(name) or ():
                    found.append((name, ' '.join(str(value).split())[:MAX_HEADER_VALUE]))
            except Exception:  # noqa: BLE001 - hostile header values
                continue
        return tuple(found)

    @api.model
    def _mail_group_has_active_content(self, message):
        """Active content in the HTML parts as sent (Odoo sanitizes the
        body before the post sees it)."""
        for part in message.walk():
            if part.get_content_type() != 'text/html' or part.get_content_disposition() == 'attachment':
                continue
            try:
                html = part.get_content()
            except Exception:  # noqa: BLE001 - undecodable part: read its raw payload
                html = str(part.get_payload())
            if patterns.has_active_content(html):
                return True
        return False
