"""What became of each copy a batch tried to send (sent, retry later,
failed), written in batches; see models/mail_mail.py (send)."""
import datetime

from odoo import _, fields

from . import smtp_errors

# sent mails per commit when the mail queue cron sends: a claimed batch (claims.DEFAULT_BATCH);
# the journal (models/mail_group_sent.py), not the commit, keeps a dead worker's copies from leaving twice
COMMIT_EVERY = 200


class Outcome:
    """Collects per-mail results and writes them in batches."""

    def __init__(self, env, auto_commit):
        self.env = env
        self.auto_commit = auto_commit
        self.sent_ids = []
        self.retries = {}
        self.failures = {}
        self.counted = set()  # failures that count against the member (5xx to the recipient)
        self.reconnected = set()
        self.pending = 0

    def sent(self, mail):
        self.sent_ids.append(mail.id)
        self.pending += 1

    def retry(self, mails, exc):
        for mail in mails:
            self.retries[mail.id] = str(exc)
        self.pending += len(mails)

    def fail(self, mail, exc, counts=False):
        self.failures[mail.id] = str(exc)
        if counts:
            self.counted.add(mail.id)
        self.pending += 1

    def maybe_flush(self):
        if self.pending >= COMMIT_EVERY:
            self.flush()

    def flush(self):
        Mail = self.env['mail.mail'].sudo()
        if self.sent_ids:
            sent = Mail.browse(self.sent_ids)
            deleted = sent.filtered('auto_delete')
            (sent - deleted).write({'state': 'sent', 'failure_reason': False})
            deleted.unlink()
        if self.retries:
            now = fields.Datetime.now()
            for mail in Mail.browse(list(self.retries)):
                attempts = mail.mail_group_attempts + 1
                if attempts >= smtp_errors.MAX_ATTEMPTS:
                    self.failures[mail.id] = self.retries[mail.id]
                    continue
                mail.write({
                    'mail_group_attempts': attempts,
                    'scheduled_date': now + datetime.timedelta(seconds=smtp_errors.backoff_seconds(attempts)),
                    'failure_reason': _('Temporary failure, attempt %(attempt)s: %(reason)s',
                                        attempt=attempts, reason=self.retries[mail.id]),
                })
            next_try = min(Mail.browse(list(self.retries)).mapped('scheduled_date') or [now])
            self.env['mail.mail']._mail_group_wake_senders(at=next_try)
        if self.failures:
            failed = Mail.browse(list(self.failures))
            for mail in failed:
                mail.write({
                    'state': 'exception',
                    'failure_type': 'mail_smtp',
                    'failure_reason': self.failures[mail.id],
                    'mail_group_attempts': mail.mail_group_attempts + 1,
                })
            counted = failed.filtered(lambda mail: mail.id in self.counted)
            probes = counted.filtered('mail_group_probe')
            probes.mail_group_member_id._register_probe_bounce()
            (counted - probes).mail_group_member_id._register_delivery_failure()
        self.sent_ids, self.retries, self.failures, self.counted, self.pending = [], {}, {}, set(), 0
        if self.auto_commit:
            # what was sent is stored before the next batch: a crash must not send it again
            self.env.cr.commit()  # pylint: disable=invalid-commit
