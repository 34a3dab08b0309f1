"""One claimed batch of copies sent (mail_mail.py claims it): one SMTP
session per batch and mail server, within the server's cap of concurrent
sessions (outbound/sessions.py), each member's bytes from
outbound/copies.py, every outcome recorded (outbound/outcome.py)."""
import logging

from odoo import models

from ..outbound import smtp_errors, smtp_send
from ..outbound.copies import CopyBuilder
from ..outbound.outcome import Outcome
from .ir_mail_server import DEFAULT_SESSIONS

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    _inherit = 'mail.mail'

    def _send_group_batches(self, run, taken):
        """Send the claimed copies ``self``; ``taken`` are those a server
        took before a worker died (marked sent, not sent again). Return
        whether copies were left for want of a free SMTP session."""
        waiting = False
        for mail_server_id, alias_domain_id, smtp_from, batch_ids in self._split_by_mail_configuration():
            if run.past_deadline():
                break
            batch = self.browse(batch_ids).filtered(lambda mail: mail.state == 'outgoing')
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
        if smtp:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001 - the server may already be gone
                pass
