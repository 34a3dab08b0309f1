"""Sending of the copies of group posts: every worker on the database (the
"Mail List: Send copies" jobs, Odoo's mail queue, on any Odoo server)
claims batches of copies (outbound/claims.py) and sends each through one
SMTP session (mail_mail_sending.py). How copies are queued:
mail_mail_copies.py."""
import datetime
import threading
import time

from odoo import api, fields, models
from odoo.tools import config
from odoo.tools.sql import create_index

from ..outbound import claims
from ..outbound.claims import Claim
from ..outbound.sessions import SessionSlots
from .mail_group_sent import SentJournal

SEND_JOB_CODE = 'model._cron_send_copies()'
SESSION_WAIT = 10  # seconds a worker waits for a free SMTP session before leaving its batch to others


class MailMail(models.Model):
    _inherit = 'mail.mail'

    mail_group_post = fields.Boolean(help='A copy of a group post for one member.')
    mail_group_attempts = fields.Integer('Delivery Attempts', default=0)
    mail_group_probe = fields.Boolean('Bounce Probe', help='Sent to check an address before its delivery stops.')
    # the worker sending the copy now, until when (outbound/claims.py)
    mail_group_claim = fields.Char('Claimed By', copy=False, readonly=True)
    mail_group_claim_until = fields.Datetime('Claimed Until', copy=False, readonly=True)

    def init(self):
        result = super().init()
        # what the workers' claims look through: the queued copies only
        create_index(self.env.cr, 'mail_mail_group_queued_index', self._table, ['id'],
                     where="mail_group_post AND state = 'outgoing'")
        return result

    @api.model
    def _mail_group_wake_queue(self, at=None):
        """Have Odoo's mail queue cron run now (or ``at``), not at its next
        scheduled run: list mail and answers leave within seconds."""
        self.env.ref('mail.ir_cron_mail_scheduler_action').sudo()._trigger(at=at)

    @api.model
    def _mail_group_wake_senders(self, at=None):
        """Have every "Mail List: Send copies" job run now (or ``at``):
        each is one more worker sending copies; Odoo's mail queue if none
        is active."""
        jobs = self.env['ir.cron'].sudo().search([('code', '=', SEND_JOB_CODE)])
        if not jobs:
            return self._mail_group_wake_queue(at=at)
        for job in jobs:
            job._trigger(at=at)

    @api.model
    def process_email_queue(self, ids=None):
        return super(MailMail, self.with_context(mail_group_send_started=time.time())).process_email_queue(ids=ids)

    @api.model
    def _cron_send_copies(self):
        """A "Mail List: Send copies" job: claim batches of due copies and
        send them until none is left (or half the cron time limit)."""
        auto_commit = not getattr(threading.current_thread(), 'testing', False)
        self.with_context(mail_group_send_started=time.time())._mail_group_send_claimed(auto_commit)

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
        # the flag alone: the queue passes every queued mail, their other fields are read batch by batch
        posts = self.browse([mail.id for mail in self.with_context(prefetch_fields=False) if mail.mail_group_post])
        others = self - posts
        result = True
        if others:
            result = super(MailMail, others).send(auto_commit=auto_commit, raise_exception=raise_exception)
        if posts:
            posts._mail_group_send_claimed(auto_commit, ids=posts.ids)
        return result

    def _mail_group_send_claimed(self, auto_commit, ids=None):
        """Claim batches of copies (among ``ids``, else every due one) that
        no other worker holds, send each batch, release it; until none is
        left or the deadline passes. Each copy is claimed once per run."""
        params = self.env['ir.config_parameter'].sudo()
        timeout = _int_param(params, 'website_mail_group.claim_timeout', claims.DEFAULT_TIMEOUT)
        claim = Claim(self.env, timeout, auto_commit)
        size = max(_int_param(params, 'website_mail_group.claim_batch_size', claims.DEFAULT_BATCH), 1)
        # a journal survives a worker killed before its commit (mail_group_sent.py)
        journal = SentJournal(self.env) if auto_commit and not self.env.registry.in_test_mode() else None
        run = SendRun(self.env, auto_commit, self._mail_group_deadline(), journal, claim,
                      SessionSlots(self.env))
        seen, waiting = [], False
        try:
            while not run.past_deadline():
                batch = claim.take(size, ids=ids, exclude=seen, due=ids is None)
                if not batch:
                    break
                taken = self.env['mail.group.sent']._taken(batch) if journal else set()
                waiting |= self.browse(batch)._send_group_batches(run, taken)
                # what is still queued (retried later, or waiting for a session) is not taken again
                seen += claim.release(batch)
        finally:
            run.slots.close()
            if journal:
                journal.close()
        if run.past_deadline():
            # what is left stays queued for a new run, woken now
            self._mail_group_wake_senders()
        elif waiting:
            # every session to the server was busy: those workers go on, a new run checks
            self._mail_group_wake_senders(at=fields.Datetime.now() + datetime.timedelta(minutes=1))
        elif ids is None:
            expiry = claim.next_expiry()
            if expiry:
                # copies held by others: taken over here if their worker died
                self._mail_group_wake_senders(at=expiry + datetime.timedelta(seconds=1))
        return True


def _int_param(params, key, default):
    """A system parameter as a number; its default when it is not one."""
    try:
        return int(params.get_param(key, default))
    except (TypeError, ValueError):
        return default


class SendRun:
    """What one worker's run shares between its batches."""

    def __init__(self, env, auto_commit, deadline, journal, claim, slots):
        self.server = env['ir.mail_server']
        self.test_mode = self.server._is_test_mode()
        self.auto_commit = auto_commit
        self.deadline = deadline
        self.journal = journal
        self.claim = claim
        self.slots = slots
        self.session_wait = SESSION_WAIT
        self.posts = {}  # prepared posts, by mail configuration (outbound/prepared_post.py)

    def past_deadline(self):
        return bool(self.deadline and time.time() > self.deadline)
