"""A generated corpus of malformed and hostile emails fed through Odoo's real
mail gateway (``mail.thread.message_process``), as the mailgate script does.

Every input must end in a visible, intended state (see ``hostile_mail``):
stored, held, refused (bounce or routing error) or discarded on purpose.
A message silently dropped is *lost*; an exception the gateway does not
raise by design is a *crash*. Both are failures.
"""
import email
import email.policy
import logging
import re
import traceback
from collections import Counter
from unittest.mock import patch

from odoo import tools
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer

from . import hostile_mail as hm
from .common import MailGroupCommon
from .smtp_server import SmtpSink, free_port

_logger = logging.getLogger(__name__)

# what Odoo's gateway raises on purpose (the mailgate script then makes the MTA bounce)
BY_DESIGN_ERRORS = (
    'No possible route found for incoming message',
    'Mailbox unavailable',
    'Undeliverable mail with Message-Id',
    'Incoming mail must be addressed to an existing mail group',
)

# dangerous markup in anything stored or distributed; text escaped inside
# <pre> is harmless (``&lt;script``), so the patterns look inside real tags
DANGEROUS = {
    'script tag': re.compile(r'<\s*script', re.I),
    'iframe tag': re.compile(r'<\s*iframe', re.I),
    'object/embed tag': re.compile(r'<\s*(object|embed|applet)\b', re.I),
    'meta/base tag': re.compile(r'<\s*(meta|base)\b', re.I),
    'event handler': re.compile(r'<[^>]*[\s"\'/]on[a-z]+\s*=', re.I),
    'javascript: URL': re.compile(r'<[^>]*(j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|&#)[^>]*:', re.I),
    'css expression': re.compile(r'<[^>]*expression\s*\(', re.I),
    'css behavior/import': re.compile(r'<[^>]*(behavior\s*:|@import)', re.I),
    'style tag': re.compile(r'<\s*style\b', re.I),
    'data:text/html URI': re.compile(r'<[^>]*=\s*["\']?\s*data:\s*text/html', re.I),
    'data:image/svg URI': re.compile(r'<[^>]*=\s*["\']?\s*data:\s*image/svg', re.I),
}
FILESTORE_PATH = re.compile(r'^[0-9a-f]{2}/[0-9a-f]{40}$')

MUTED = (
    'odoo.addons.mail.models.mail_thread',
    'odoo.addons.mail.models.mail_alias',
    'odoo.addons.mail.models.mail_mail',
    'odoo.addons.website_mail_group.models.mail_group',
    'odoo.addons.website_mail_group.models.mail_thread',
    'odoo.addons.website_mail_group.models.mail_thread_routing',
    'odoo.addons.base.models.ir_mail_server',
    'odoo.models.unlink',
    'odoo.sql_db',
)


@tagged('post_install', '-at_install', 'mail_gateway', 'hostile')
class TestHostileCorpus(MailGroupCommon):

    def _groups(self):
        return {'public': self.group_public, 'moderated': self.group_moderated, 'members': self.group_members}

    def _max_id(self, model):
        record = self.env[model].sudo().search([], order='id desc', limit=1)
        return record.id or 0

    @staticmethod
    def _sender(case):
        return tools.email_normalize(email.message_from_bytes(case.raw, policy=email.policy.compat32).get('From', ''))

    def _dangerous(self, html):
        return sorted(label for label, pattern in DANGEROUS.items() if html and pattern.search(html))

    def _run_case(self, case, groups):
        """Process one raw mail and return (observed outcome, detail, problems)."""
        problems = []
        before = {model: self._max_id(model) for model in ('mail.group.message', 'mail.mail', 'mail.message')}
        self._init_mail_mock()
        error = None
        try:
            with self.cr.savepoint():
                self.env['mail.thread'].message_process(None, case.raw)
        except Exception as exc:  # noqa: BLE001 - classified below
            error = exc
            error_tb = traceback.format_exc()
        self.env.invalidate_all()

        if error is not None:
            if isinstance(error, ValueError) and any(text in str(error) for text in BY_DESIGN_ERRORS):
                return hm.REFUSED, f'gateway error: {str(error)[:90]}', problems
            frames = ''.join(error_tb.strip().splitlines(keepends=True)[-40:])
            return hm.CRASH, f'{type(error).__name__}: {str(error)[:200]}', [f'unexpected exception:\n{frames}']

        group_messages = self.env['mail.group.message'].sudo().search([('id', '>', before['mail.group.message'])])
        new_mails = self.env['mail.mail'].sudo().search([('id', '>', before['mail.mail'])])
        if not group_messages:
            recipients = {tools.email_normalize(address) for address in new_mails.mapped('email_to') + [
                address for mail in self._mails for address in mail['email_to']]}
            if 'bounce' in case.checks and self._sender(case) not in recipients:
                problems.append(f'privacy refusal without a bounce to the author (mailed {sorted(recipients)})')
            if recipients:
                return hm.REFUSED, f'bounce to {sorted(recipients)}'[:120], problems
            return None, 'nothing stored, nothing sent', problems

        if len(group_messages) != 1:
            problems.append(f'{len(group_messages)} group messages for one mail')
        group_message = group_messages[0]
        group = groups[case.group]
        if group_message.mail_group_id != group:
            problems.append(f'stored on {group_message.mail_group_id.name}, not {group.name}')
        observed = {'accepted': hm.STORED, 'pending_moderation': hm.HELD,
                    'rejected': hm.REFUSED}[group_message.moderation_status]
        mail_message = group_message.mail_message_id
        copies = new_mails.filtered(lambda mail: mail.mail_message_id == mail_message and mail.mail_group_post)

        # nothing dangerous stored or distributed
        for label, html in [('mail.message body', mail_message.body), ('group message body', group_message.body)] + [
                (f'copy to {mail.email_to}', mail.body_html) for mail in copies]:
            found = self._dangerous(html)
            if found:
                problems.append(f'{label} contains {found}')
        if observed == hm.HELD and copies:
            problems.append(f'held post queued to {len(copies)} members')
        if observed == hm.STORED and not copies:
            problems.append('accepted post queued to nobody')

        # attachments: name kept as given, but owned by the post and stored
        # under a filestore hash, never under a path built from the name
        for attachment in mail_message.attachment_ids:
            if (attachment.res_model, attachment.res_id) != ('mail.group.message', group_message.id):
                problems.append(f'attachment {attachment.name!r} on {attachment.res_model},{attachment.res_id}')
            if attachment.store_fname and not FILESTORE_PATH.match(attachment.store_fname):
                problems.append(f'attachment stored at {attachment.store_fname!r}')
            if '\x00' in (attachment.name or ''):
                problems.append(f'attachment name with NUL {attachment.name!r}')
        if 'attachment' in case.checks:
            if not mail_message.attachment_ids:
                problems.append('attachment lost')
            names = [attachment.name for attachment in mail_message.attachment_ids]
        else:
            names = []

        if 'not_system_author' in case.checks:
            root = self.env.ref('base.partner_root')
            if group_message.author_id == root or (root.email and root.email in (group_message.email_from or '')):
                problems.append(f'a mail without From is published as {root.name} <{root.email}>')

        if copies:
            self._to_send[case.name] = copies[0]

        detail = f'{group_message.moderation_status}, {len(copies)} copies, from {group_message.email_from!r}'[:110]
        if names:
            detail += f', attachments {[name[:60] for name in names]}'
        return observed, detail, problems

    @mute_logger(*MUTED)
    def test_hostile_corpus(self):
        groups = self._groups()
        aliases = {key: group.alias_email for key, group in groups.items()}
        cases = hm.corpus(self.alias_domain, aliases)
        self.assertGreaterEqual(len(cases), 40)
        self.assertEqual(len({case.name for case in cases}), len(cases))

        rows, failures = [], []
        self._to_send = {}
        with self.mock_mail_gateway():
            for case in cases:
                expected = case.expected if isinstance(case.expected, tuple) else (case.expected,)
                observed, detail, problems = self._run_case(case, groups)
                if observed is None:  # silent: fine only when discarding on purpose
                    observed = hm.DISCARDED if hm.DISCARDED in expected else hm.LOST
                if observed not in expected:
                    problems.insert(0, f'expected {"/".join(expected)}, got {observed} ({detail})')
                rows.append((case.name, case.group, '/'.join(expected), observed, len(case.raw), detail))
                if problems:
                    failures.append((case.name, problems))

        failures += self._send_over_smtp({case.name: case for case in cases})

        counts = Counter(row[3] for row in rows)
        width = max(len(row[0]) for row in rows)
        table = [f'{"case":<{width}}  {"group":<9} {"expected":<17} {"observed":<9} {"bytes":>9}  detail']
        table += [f'{n:<{width}}  {g:<9} {e:<17} {o:<9} {s:>9}  {d}' for n, g, e, o, s, d in rows]
        table.append('TOTAL %s cases: %s' % (len(rows), ', '.join(
            f'{outcome} {counts.get(outcome, 0)}'
            for outcome in (hm.STORED, hm.HELD, hm.REFUSED, hm.DISCARDED, hm.LOST, hm.CRASH))))
        report = '\n'.join(table)
        _logger.info('Hostile corpus outcomes:\n%s', report)
        print('\n' + report)  # pylint: disable=print-used  # the table in pytest's output, on purpose
        if failures:
            details = '\n'.join(f'- {name}:\n    ' + '\n    '.join(problems) for name, problems in failures)
            print('\nFAILURES\n' + details)  # pylint: disable=print-used
        if failures:
            self.fail(f'{len(failures)} hostile inputs mishandled:\n' + '\n'.join(
                f'- {name}: {problems[0][:300]}' for name, problems in failures))
        self.assertEqual(counts.get(hm.LOST, 0), 0, 'no message may be lost')
        self.assertEqual(counts.get(hm.CRASH, 0), 0, 'no hostile input may crash the gateway')

    def _send_over_smtp(self, cases):
        """Send the first copy of every distributed case to a real SMTP server
        and check the bytes that left: one message, to that member only, with
        no header smuggled in through a hostile value."""
        self.env['ir.mail_server'].search([]).active = False
        server = self.env['ir.mail_server'].create({
            'name': 'corpus sink', 'smtp_host': '127.0.0.1', 'smtp_port': free_port(), 'smtp_encryption': 'none'})
        failures = []
        with SmtpSink(server.smtp_port) as sink, patch.object(IrMailServer, '_is_test_mode', lambda self: False):
            for name, copy in self._to_send.items():
                before = len(sink.messages)
                recipient = tools.email_normalize(copy.email_to)
                copy.send()
                sent = sink.messages[before:]
                problems = []
                if copy.exists() and copy.state != 'sent':
                    problems.append(f'copy not sent ({copy.state}): {(copy.failure_reason or "")[:300]}')
                elif [item['rcpt_tos'] for item in sent] != [[recipient]]:
                    problems.append(f'expected one message to {recipient}, the server got {[i["rcpt_tos"] for i in sent]}')
                elif 'no_header_injection' in cases[name].checks:
                    header_block = sent[0]['raw'].split(b'\r\n\r\n', 1)[0]
                    if re.search(rb'^(Bcc|Cc|To):.*victim', header_block, re.M | re.I):
                        problems.append('a hostile header value became a header of its own on the wire')
                if problems:
                    failures.append((name, problems))
        return failures
