"""Real processes sending one post's copies, as Odoo's cron workers or
several Odoo servers on one database do: a list, its members and a post
queued for them are committed for them (and removed afterwards), each
process runs the mail queue on them once it is told to go, and a real SMTP
server counts what each member got."""
import collections
import subprocess
import sys
import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase
from odoo.tools import config

from .smtp_server import free_port

# the mail queue as Odoo's cron runs it: its own process, committing as it goes;
# it loads Odoo, says it is ready and waits for a line before sending
SENDER = """
import sys
import odoo
odoo.tools.config.parse_config(['-c', sys.argv[1], '-d', sys.argv[2], '--log-level=warn'])
registry = odoo.modules.registry.Registry(sys.argv[2])
print('ready', flush=True)
sys.stdin.readline()
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    env['mail.mail'].process_email_queue(ids=[int(i) for i in sys.argv[3].split(',')])
"""


class SendingProcessesCase(TransactionCase):
    MEMBERS = 60
    PARAMS = {}  # system parameters the processes read, committed for the test
    SERVER = {}  # settings of the outgoing mail server

    def setUp(self):
        super().setUp()
        self.port = free_port()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.server_id = env['ir.mail_server'].create({
                'name': 'process sink', 'smtp_host': '127.0.0.1', 'smtp_port': self.port,
                'smtp_encryption': 'none', **self.SERVER}).id
            group = env['mail.group'].create({'name': 'Process List', 'alias_name': f'proc-{uuid.uuid4().hex[:8]}'})
            self.group_id = group.id
            env['mail.group.member'].create([
                {'mail_group_id': group.id, 'email': f'm{index:02d}@process.example.com'}
                for index in range(self.MEMBERS)])
            message = group.message_post(body='<p>Sent once</p>', subject='Once', email_from='author@example.com')
            copies = env['mail.mail'].search([('mail_message_id', '=', message.id)])
            copies.write({'mail_server_id': self.server_id})
            self.copy_ids = copies.ids
            params = env['ir.config_parameter']
            self.saved_params = {key: params.get_param(key) for key in self.PARAMS}
            for key, value in self.PARAMS.items():
                params.set_param(key, value)
        self.processes = []
        self.addCleanup(self.remove_committed)

    def remove_committed(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['mail.mail'].browse(self.copy_ids).exists().unlink()
            env['mail.group'].browse(self.group_id).unlink()
            env['ir.mail_server'].browse(self.server_id).unlink()
            env['mail.group.sent'].search([('mail_id', 'in', self.copy_ids)]).unlink()
            for key, value in self.saved_params.items():
                env['ir.config_parameter'].set_param(key, value)

    def senders(self, count=1):
        """``count`` processes with Odoo loaded, waiting for ``go``."""
        processes = [subprocess.Popen(
            [sys.executable, '-c', SENDER, config.rcfile, self.env.cr.dbname, ','.join(map(str, self.copy_ids))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            for __ in range(count)]
        self.processes += processes
        for process in processes:
            if process.stdout.readline().strip() != b'ready':
                self.fail(process.stderr.read().decode()[-2000:])
        return processes

    def go(self, *processes):
        for process in processes:
            process.stdin.write(b'go\n')
            process.stdin.flush()

    def finish(self, process, timeout=180):
        self.assertEqual(process.wait(timeout=timeout), 0, process.stderr.read().decode()[-2000:])

    def received(self, sink):
        return collections.Counter(rcpt for item in sink.messages for rcpt in item['rcpt_tos'])

    def assertAllSentOnce(self, sink, in_flight=0):
        """Every member got the post, once; ``in_flight`` members (a copy
        in flight when its process was killed) at most twice."""
        received = self.received(sink)
        self.assertEqual(len(received), self.MEMBERS, 'every member got the post')
        twice = [rcpt for rcpt, count in received.items() if count > 1]
        self.assertLessEqual(len(twice), in_flight, f'at most the copy in flight is sent twice, not {twice}')
        self.assertLessEqual(max(received.values()), 2)
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertFalse(env['mail.mail'].search_count([('id', 'in', self.copy_ids), ('state', '=', 'outgoing')]))
