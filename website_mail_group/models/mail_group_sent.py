"""The journal of the copies an SMTP server took but no commit has marked
sent yet. Each copy is recorded the moment the server takes it, on a
connection of its own that commits at once: a worker killed (or past its
time limit) before its batch is committed leaves its copies there, and
the next run marks them sent instead of sending them again. At most the
copy in flight when the worker died is sent twice."""
import logging
import select

import psycopg2
from psycopg2 import extensions

from odoo import api, fields, models, sql_db

_logger = logging.getLogger(__name__)


class MailGroupSent(models.Model):
    _name = 'mail.group.sent'
    _description = 'Mail Group Copy Taken By The Server'
    _log_access = False

    mail_id = fields.Integer(required=True, index=True)

    @api.model
    def _taken(self, mail_ids):
        """The ids among ``mail_ids`` that a server took in an earlier run."""
        return set(self.sudo().search([('mail_id', 'in', list(mail_ids))]).mapped('mail_id'))


class SentJournal:
    """Writes ``mail.group.sent`` rows one by one, each committed at once.

    Raw SQL on a connection of its own, asynchronous (psycopg2 ``async_``,
    always autocommit) with asynchronous commits: each INSERT is handed to
    the socket and the worker goes on with the next copy while PostgreSQL
    writes it; the next INSERT first waits for the previous one. An INSERT
    handed to the socket survives the worker (PostgreSQL runs what it
    received), not a crash of PostgreSQL. Measured (bench/run.py, C sink):
    an ORM create and a commit per copy would halve the sending rate, and
    waiting for each INSERT cost a tenth of it."""

    def __init__(self, env):
        __, params = sql_db.connection_info_for(env.cr.dbname)
        self.connection = psycopg2.connect(**params, async_=1)
        self._wait()
        self.cr = self.connection.cursor()
        self._run('SET synchronous_commit TO off')
        # rows of copies a commit has since marked sent (or deleted)
        self._run("""
            DELETE FROM mail_group_sent s
             WHERE NOT EXISTS (SELECT 1 FROM mail_mail m WHERE m.id = s.mail_id AND m.state = 'outgoing')
        """)

    def _wait(self):
        """Until the connection is idle (the statement sent is done)."""
        while True:
            state = self.connection.poll()
            if state == extensions.POLL_OK:
                return
            if state == extensions.POLL_WRITE:
                select.select([], [self.connection.fileno()], [])
            else:
                select.select([self.connection.fileno()], [], [])

    def _run(self, query, params=None):
        self.cr.execute(query, params)
        self._wait()

    def record(self, mail_id):
        self._wait()
        self.cr.execute('INSERT INTO mail_group_sent (mail_id) VALUES (%s)', [mail_id])
        # sent to the socket now (a write it could not take at once is waited for)
        if self.connection.poll() == extensions.POLL_WRITE:
            select.select([], [self.connection.fileno()], [])
            self.connection.poll()

    def close(self):
        try:
            self._wait()
        finally:
            self.connection.close()
