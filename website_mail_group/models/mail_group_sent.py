"""The journal of the copies an SMTP server took but no commit has marked
sent yet. Each copy is recorded the moment the server takes it, on a
connection of its own that commits at once: a worker killed (or past its
time limit) before its batch is committed leaves its copies there, and
the next run marks them sent instead of sending them again. At most the
copy in flight when the worker died is sent twice."""
import logging

from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class MailGroupSent(models.Model):
    _name = 'mail.group.sent'
    _description = 'Mail Group Copy Taken By The Server'
    _log_access = False

    mail_id = fields.Integer('Mail', required=True, index=True)

    @api.model
    def _taken(self, mail_ids):
        """The ids among ``mail_ids`` that a server took in an earlier run."""
        return set(self.sudo().search([('mail_id', 'in', list(mail_ids))]).mapped('mail_id'))


class SentJournal:
    """Writes ``mail.group.sent`` rows one by one, each committed at once.

    Raw SQL on a connection of its own, in autocommit with asynchronous
    commits: an ORM create and a commit per copy would halve the sending
    rate; the row must survive the worker, not a crash of PostgreSQL."""

    def __init__(self, env):
        self.cr = env.registry.cursor()
        self.cr.connection.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        self.cr.execute('SET synchronous_commit TO off')
        # rows of copies a commit has since marked sent (or deleted)
        self.cr.execute("""
            DELETE FROM mail_group_sent s
             WHERE NOT EXISTS (SELECT 1 FROM mail_mail m WHERE m.id = s.mail_id AND m.state = 'outgoing')
        """)

    def record(self, mail_id):
        self.cr.execute('INSERT INTO mail_group_sent (mail_id) VALUES (%s)', [mail_id])

    def close(self):
        try:
            self.cr.execute('RESET synchronous_commit')
        finally:
            self.cr.close()
