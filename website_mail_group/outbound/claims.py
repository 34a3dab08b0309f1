"""Claims on the queued copies of group posts, so that every worker on the
database (the "Mail List: Send copies" jobs, Odoo's mail queue, on any Odoo
server) sends its own batches at the same time and none sends a copy
another holds.

A worker takes a batch with a row lock that skips the rows others hold
(``FOR UPDATE SKIP LOCKED``) and marks it with its token and an expiry,
committed at once, so the claim survives the worker's commits. While it
sends, the worker renews its claim; a claim left by a dead worker expires
and the next worker takes the copies over (the journal,
models/mail_group_sent.py, tells which ones the server already took).

Odoo's cursors are REPEATABLE READ: a row another worker claimed after the
transaction began would raise a serialization error, so every statement
here runs in a READ COMMITTED transaction of its own when the worker
commits (a cron run), in the caller's transaction otherwise (tests, a
"Send Now" click)."""
import time
import uuid

DEFAULT_TIMEOUT = 300  # seconds a claim lives without renewal (website_mail_group.claim_timeout)
DEFAULT_BATCH = 200    # copies per claim (website_mail_group.claim_batch_size)
CLAIM_FIELDS = ['mail_group_claim', 'mail_group_claim_until']
FREE = "(m.mail_group_claim_until IS NULL OR m.mail_group_claim_until < clock_timestamp() AT TIME ZONE 'UTC')"


class Claim:
    """One worker's claim: ``take`` batches, ``renew`` them while sending,
    ``release`` what is left; ``held`` is the set of ids still claimed."""

    def __init__(self, env, timeout, commits):
        self.env = env
        self.cr = env.cr
        self.token = uuid.uuid4().hex
        self.timeout = max(int(timeout), 1)
        self.commits = commits
        self.held = set()
        self.renewed = time.monotonic()

    def _begin(self):
        self.env['mail.mail'].flush_model()
        if self.commits:
            # the claim must be seen by the other workers before sending: its own transaction
            self.cr.commit()  # pylint: disable=invalid-commit
            self.cr.execute('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')

    def _end(self):
        self.env['mail.mail'].invalidate_model(CLAIM_FIELDS)
        if self.commits:
            self.cr.commit()  # pylint: disable=invalid-commit  # the claim's end, seen by the other workers

    def take(self, limit, ids=None, exclude=(), due=True):
        """Claim up to ``limit`` queued copies no live claim holds (among
        ``ids`` if given, never one of ``exclude``, only those due if
        ``due``); return their ids, in order. (``= ANY(ARRAY(...))``: with
        ``IN (...)`` the planner scanned the whole queue for each batch.)"""
        conditions = ['m.mail_group_post', "m.state = 'outgoing'", FREE, 'NOT (m.id = ANY(%(exclude)s))']
        if ids is not None:
            conditions.append('m.id = ANY(%(ids)s)')
        if due:
            conditions.append("(m.scheduled_date IS NULL OR m.scheduled_date <= clock_timestamp() AT TIME ZONE 'UTC')")
        self._begin()
        self.cr.execute(f"""
            UPDATE mail_mail m
               SET mail_group_claim = %(token)s,
                   mail_group_claim_until = clock_timestamp() AT TIME ZONE 'UTC' + make_interval(secs => %(timeout)s)
             WHERE m.id = ANY(ARRAY(SELECT m.id FROM mail_mail m WHERE {' AND '.join(conditions)}
                                     ORDER BY m.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED))
         RETURNING m.id
        """, {'token': self.token, 'timeout': self.timeout, 'limit': limit,
              'ids': list(ids or []), 'exclude': list(exclude)})
        taken = sorted(row[0] for row in self.cr.fetchall())
        self._end()
        self.held.update(taken)
        self.renewed = time.monotonic()
        return taken

    def renew_due(self):
        return time.monotonic() - self.renewed > self.timeout / 4

    def renew(self):
        """Push back the expiry of the copies still held; those another
        worker took over meanwhile (this one was too slow) are dropped."""
        if self.held:
            self._begin()
            self.cr.execute("""
                UPDATE mail_mail m
                   SET mail_group_claim_until = clock_timestamp() AT TIME ZONE 'UTC' + make_interval(secs => %s)
                 WHERE m.id = ANY(%s) AND m.mail_group_claim = %s
             RETURNING m.id
            """, [self.timeout, list(self.held), self.token])
            self.held = {row[0] for row in self.cr.fetchall()}
            self._end()
        self.renewed = time.monotonic()
        return self.held

    def release(self, ids):
        """Give back ``ids`` (sent, failed, or to be sent by a later run);
        return those still queued."""
        ids = [mail_id for mail_id in ids if mail_id in self.held]
        queued = []
        if ids:
            self._begin()
            self.cr.execute("""
                UPDATE mail_mail SET mail_group_claim = NULL, mail_group_claim_until = NULL
                 WHERE id = ANY(%s) AND mail_group_claim = %s
             RETURNING id, state
            """, [ids, self.token])
            queued = [mail_id for mail_id, state in self.cr.fetchall() if state == 'outgoing']
            self._end()
            self.held.difference_update(ids)
        return queued

    def next_expiry(self):
        """When the earliest claim another worker holds expires, if any."""
        # pylint: disable-next=sql-injection  # FREE is a constant of this module, no input
        self.cr.execute(f"""
            SELECT MIN(m.mail_group_claim_until) FROM mail_mail m
             WHERE m.mail_group_post AND m.state = 'outgoing' AND NOT {FREE}
        """)
        return self.cr.fetchone()[0]
