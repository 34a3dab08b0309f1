"""A generated corpus of malformed and hostile emails fed through Odoo's real
mail gateway (``mail.thread.message_process``), as the mailgate script does.

Every input must end in a visible, intended state (see ``hostile_mail``):
stored, held, refused (bounce or routing error) or discarded on purpose.
A message silently dropped is *lost*; an exception the gateway does not
raise by design is a *crash*. Both are failures.
"""
import logging
import re
import traceback
from collections import Counter

from odoo.tests import tagged
from odoo.tools import mute_logger

from . import hostile_mail as hm
from .common import MailGroupCommon

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
            if new_mails or self._mails:
                recipients = sorted(set(new_mails.mapped('email_to')) | {
                    str(mail['email_to']) for mail in self._mails})
                return hm.REFUSED, f'bounce to {recipients}'[:120], problems
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

        if 'no_header_injection' in case.checks and copies:
            try:
                built = self.env['ir.mail_server'].build_email(
                    group.alias_email, [copies[0].email_to], mail_message.subject or '', copies[0].body_html)
            except ValueError:
                built = None  # the email library refuses the header: no injection (sending is checked below)
            if built is not None and (built.get_all('Bcc') or re.search(r'^Bcc:', built.as_string(), re.M | re.I)):
                problems.append('Subject CRLF turned into a Bcc header')

        # the first copy must leave through the (mocked) SMTP connection
        if copies:
            copy = copies[0]
            copy.send(raise_exception=False)
            copy.invalidate_recordset()
            if copy.exists() and copy.state == 'exception':
                problems.append(f'copy could not be sent: {(copy.failure_reason or "")[:300]}')

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
        with self.mock_mail_gateway():
            for case in cases:
                expected = case.expected if isinstance(case.expected, tuple) else (case.expected,)
                observed, detail, problems = self._run_case(case, groups)
                if observed is None:  # silent: fine only when discarding on purpose
                    observed = hm.DISCARDED if hm.DISCARDED in expected else hm.LOST
                if observed not in expected:
                    problems.insert(0, f'expected {"/".join(expected)}, got {observed} ({detail})')
                if 'bounce' in case.checks and observed == hm.REFUSED and not detail.startswith('bounce'):
                    problems.append('privacy refusal without a bounce to the author')
                rows.append((case.name, case.group, '/'.join(expected), observed, len(case.raw), detail))
                if problems:
                    failures.append((case.name, problems))

        counts = Counter(row[3] for row in rows)
        width = max(len(row[0]) for row in rows)
        table = [f'{"case":<{width}}  {"group":<9} {"expected":<17} {"observed":<9} {"bytes":>9}  detail']
        table += [f'{n:<{width}}  {g:<9} {e:<17} {o:<9} {s:>9}  {d}' for n, g, e, o, s, d in rows]
        table.append('TOTAL %s cases: %s' % (len(rows), ', '.join(
            f'{outcome} {counts.get(outcome, 0)}'
            for outcome in (hm.STORED, hm.HELD, hm.REFUSED, hm.DISCARDED, hm.LOST, hm.CRASH))))
        report = '\n'.join(table)
        _logger.info('Hostile corpus outcomes:\n%s', report)
        print('\n' + report)  # noqa: T201 - visible with pytest -s
        if failures:
            details = '\n'.join(f'- {name}:\n    ' + '\n    '.join(problems) for name, problems in failures)
            print('\nFAILURES\n' + details)  # noqa: T201
        if failures:
            self.fail(f'{len(failures)} hostile inputs mishandled:\n' + '\n'.join(
                f'- {name}: {problems[0][:300]}' for name, problems in failures))
        self.assertEqual(counts.get(hm.LOST, 0), 0, 'no message may be lost')
        self.assertEqual(counts.get(hm.CRASH, 0), 0, 'no hostile input may crash the gateway')
