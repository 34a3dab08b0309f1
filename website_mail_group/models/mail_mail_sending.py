"""One claimed batch of copies sent (mail_mail.py claims it): one SMTP
session per batch and mail server, within the server's cap of concurrent
sessions (outbound/sessions.py), each member's bytes from
outbound/copies.py, every outcome recorded (outbound/outcome.py)."""
import logging
from collections import defaultdict

from odoo import models, tools
from odoo.tools import SQL

from ..outbound import smtp_errors, smtp_send
from ..outbound.copies import CopyBuilder
from ..outbound.outcome import Outcome
from .ir_mail_server import DEFAULT_SESSIONS

_logger = logging.getLogger(__name__)
BUILT_AHEAD = 8  # copies built (and signed, by the signing process) ahead of the one being sent


class MailMail(models.Model):
    _inherit = 'mail.mail'

    def _send_group_batches(self, run, taken):
        """Send the claimed copies ``self``; ``taken`` are those a server
        took before a worker died (marked sent, not sent again). Return
        whether copies were left for want of a free SMTP session."""
        waiting = False
        for mail_server_id, alias_domain_id, smtp_from, batch_ids in self._mail_group_split():
            if run.past_deadline():
                break
            # the sender puts each member's one-click headers in (outbound/copies.py)
            batch = self.browse(batch_ids).with_context(mail_group_sending=True).filtered(
                lambda mail: mail.state == 'outgoing')
            outcome = Outcome(self.env, run.auto_commit)
            done = batch.filtered(lambda mail: mail.id in taken)
            if done:
                _logger.info('Mail group: %s copies taken by the server before a worker died, not sent again', len(done))
                for mail in done:
                    outcome.sent(mail)
                outcome.flush()
                batch -= done
            if not batch:
                continue
            slot = None
            if not run.test_mode:
                cap = self.env['ir.mail_server'].sudo().browse(mail_server_id).mail_group_max_sessions \
                    if mail_server_id else DEFAULT_SESSIONS
                slot = run.slots.acquire(mail_server_id, cap, wait=run.session_wait)
                if slot is None:
                    _logger.info('Mail group: every SMTP session to the server is busy, %s copies left to them',
                                 len(batch))
                    waiting = True
                    continue
            try:
                batch._send_group_session(run, outcome, mail_server_id, alias_domain_id, smtp_from)
            finally:
                if slot is not None:
                    run.slots.release(mail_server_id, slot)
        return waiting

    def _mail_group_split(self):
        """Odoo's ``_split_by_mail_configuration`` for copies: ``(mail
        server, alias domain, envelope sender, mail ids)`` of the batches to
        send, each the copies one SMTP session sends. The values of their
        messages are read in one query and each From is parsed once:
        measured (bench/run.py, C sink), Odoo's method read the inherited
        fields of every copy and parsed every copy's From, a sixth of a
        worker's time."""
        self.env['mail.message'].flush_model(['email_from', 'mail_server_id', 'record_alias_domain_id'])
        self.env['mail.mail'].flush_model(['mail_message_id'])
        self.env.cr.execute(SQL("""
            SELECT mail.id, message.email_from, message.mail_server_id, message.record_alias_domain_id
              FROM mail_mail mail JOIN mail_message message ON message.id = mail.mail_message_id
             WHERE mail.id = ANY(%s)
        """, self.ids))
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        senders = {}
        by_sender = defaultdict(list)
        for mail_id in self.ids:
            if mail_id not in rows:
                continue
            email_from, mail_server_id, alias_domain_id = rows[mail_id]
            if email_from not in senders:
                emails_from = tools.email_split_and_format_normalize(email_from)
                senders[email_from] = emails_from[0] if emails_from else email_from
            by_sender[(mail_server_id or False, alias_domain_id or False, senders[email_from])].append(mail_id)
        # pylint: disable-next=no-search-all  # a database has a handful of mail servers
        mail_servers = self.env['ir.mail_server'].sudo().search([], order='sequence, id')
        by_smtp_from = defaultdict(list)
        for (mail_server_id, alias_domain_id, email_from), mail_ids in by_sender.items():
            smtp_from = email_from
            if not mail_server_id:
                server = self.env['ir.mail_server']
                if alias_domain_id:
                    alias_domain = self.env['mail.alias.domain'].sudo().browse(alias_domain_id)
                    server = server.with_context(domain_notifications_email=alias_domain.default_from_email,
                                                 domain_bounce_address=alias_domain.bounce_email)
                server, smtp_from = server._find_mail_server(email_from, mail_servers)
                mail_server_id = server.id if server else False
            by_smtp_from[(mail_server_id, alias_domain_id, smtp_from)].extend(mail_ids)
        size = int(self.env['ir.config_parameter'].sudo().get_param('mail.session.batch.size')) or 1000
        for (mail_server_id, alias_domain_id, smtp_from), mail_ids in by_smtp_from.items():
            for batch_ids in tools.split_every(size, mail_ids):
                yield mail_server_id, alias_domain_id, smtp_from, batch_ids

    def _send_group_session(self, run, outcome, mail_server_id, alias_domain_id, smtp_from):
        """Send ``self`` through one SMTP session. Temporary failures stay
        queued with back-off, permanent ones are recorded against the
        member, a dropped connection is reopened; a copy is journaled the
        moment the server took it. The claim is renewed as it goes: copies
        another worker took over meanwhile are left to it."""
        Server = run.server
        if alias_domain_id:
            alias_domain = self.env['mail.alias.domain'].sudo().browse(alias_domain_id)
            Server = Server.with_context(
                domain_notifications_email=alias_domain.default_from_email,
                domain_bounce_address=alias_domain.bounce_email)
        smtp = None
        try:
            if not run.test_mode:
                smtp = Server.connect(mail_server_id=mail_server_id, smtp_from=smtp_from)
        except Exception as exc:  # noqa: BLE001 - server down: retry the batch later
            _logger.info('Mail group: SMTP server unreachable, %s mails stay queued: %s', len(self), exc)
            outcome.retry(self, exc)
            outcome.flush()
            return
        posts = run.posts.setdefault((mail_server_id, alias_domain_id, smtp_from), {})
        builder = CopyBuilder(Server, smtp, smtp_from, posts)
        remaining = list(self)
        while remaining:
            if run.past_deadline():
                break
            if run.claim.renew_due():
                held = run.claim.renew()
                remaining = [mail for mail in remaining if mail.id in held]
                if not remaining:
                    break
            mail = remaining.pop(0)
            try:
                # the next copies built, and signed while this one goes out
                builder.build_ahead(remaining[:BUILT_AHEAD])
                smtp_from_addr, smtp_to, data = builder.build(mail)
                if not run.test_mode:
                    smtp_send.sendmail(smtp, smtp_from_addr, smtp_to, data)
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
                if run.journal and not run.test_mode:
                    run.journal.record(mail.id)
                outcome.sent(mail)
            outcome.maybe_flush()
        outcome.flush()
        builder.close()
        if smtp:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001  # pylint: disable=except-pass  # the server may already be gone
                pass
