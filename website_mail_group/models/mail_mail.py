"""Sending of the copies of group posts: one SMTP session per batch, each
member's bytes from outbound/copies.py, every outcome recorded
(outbound/outcome.py). How copies are queued: mail_mail_copies.py."""
import logging
import threading
import time

from odoo import api, fields, models
from odoo.tools import config

from ..outbound import smtp_errors
from ..outbound.copies import CopyBuilder
from ..outbound.outcome import Outcome
from .mail_group_sent import SentJournal

_logger = logging.getLogger(__name__)


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
    def process_email_queue(self, ids=None):
        return super(MailMail, self.with_context(mail_group_send_started=time.time())).process_email_queue(ids=ids)

    def _mail_group_deadline(self):
        """When a run must stop taking copies: half the cron time limit
        after the run (or its cron thread) started, so it commits and wakes
        the queue again before the server kills it; None without a limit."""
        limit = config['limit_time_real_cron'] if (config['limit_time_real_cron'] or 0) > 0 \
            else config['limit_time_real']
        if not limit or limit <= 0:
            return None
        starts = [self.env.context.get('mail_group_send_started'), getattr(threading.current_thread(), 'start_time', None)]
        starts = [start for start in starts if isinstance(start, (int, float))]
        return (min(starts) if starts else time.time()) + limit / 2

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
        deadline = self._mail_group_deadline()
        # a journal survives a worker killed before its commit (mail_group_sent.py)
        journal = SentJournal(self.env) if auto_commit and not self.env.registry.in_test_mode() else None
        try:
            taken = self.env['mail.group.sent']._taken(self.ids) if journal else set()
            self._send_group_batches(IrMailServer, test_mode, auto_commit, deadline, journal, taken)
        finally:
            if journal:
                journal.close()
        return True

    def _send_group_batches(self, IrMailServer, test_mode, auto_commit, deadline, journal, taken):
        for mail_server_id, alias_domain_id, smtp_from, batch_ids in self._split_by_mail_configuration():
            if deadline and time.time() > deadline:
                break
            batch = self.browse(batch_ids).filtered(lambda mail: mail.state == 'outgoing')
            outcome = Outcome(self.env, auto_commit)
            done = batch.filtered(lambda mail: mail.id in taken)
            if done:
                _logger.info('Mail group: %s copies taken by the server before a worker died, not sent again', len(done))
                for mail in done:
                    outcome.sent(mail)
                outcome.flush()
                batch -= done
            if not batch:
                continue
            Server = IrMailServer
            if alias_domain_id:
                alias_domain = self.env['mail.alias.domain'].sudo().browse(alias_domain_id)
                Server = Server.with_context(
                    domain_notifications_email=alias_domain.default_from_email,
                    domain_bounce_address=alias_domain.bounce_email)
            smtp = None
            try:
                if not test_mode:
                    smtp = Server.connect(mail_server_id=mail_server_id, smtp_from=smtp_from)
            except Exception as exc:  # noqa: BLE001 - server down: retry the batch later
                _logger.info('Mail group: SMTP server unreachable, %s mails stay queued: %s', len(batch), exc)
                outcome.retry(batch, exc)
                outcome.flush()
                continue
            builder = CopyBuilder(Server, smtp, smtp_from)
            remaining = list(batch)
            while remaining:
                if deadline and time.time() > deadline:
                    break
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
                    if journal and not test_mode:
                        journal.record(mail.id)
                    outcome.sent(mail)
                outcome.maybe_flush()
            outcome.flush()
            if smtp:
                try:
                    smtp.quit()
                except Exception:  # noqa: BLE001 - the server may already be gone
                    pass
        if deadline and time.time() > deadline:
            # what is left stays queued for a new run, woken now
            _logger.info('Mail group: half the cron time limit spent, the queue continues in a new run')
            self._mail_group_wake_queue()
