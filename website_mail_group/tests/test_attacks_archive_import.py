"""Attacks on the archive import over XML-RPC and JSON-RPC: only the group's
managers import; nobody redirects an import, forges its progress or calls
the storing path that skips distribution."""
import base64
import xmlrpc.client
from email.utils import make_msgid

from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .mails import raw_mail
from .mboxes import mbox
from .rpc import DENIED_LOGS, ImportAttackCase

MODEL = 'mail.group.archive.import'


@tagged('post_install', '-at_install')
class TestAttacksImport(ImportAttackCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.file = base64.b64encode(mbox([raw_mail('old@example.com', 'l@example.com', 'Old post',
                                                   message_id=make_msgid())])).decode()

    def post_count(self, group):
        self.env.invalidate_all()
        return self.env['mail.group.message'].sudo().search_count([('mail_group_id', '=', group.id)])

    def new_job(self, user, group):
        return self.rpc(user, MODEL, 'create', {'mail_group_id': group.id, 'file': self.file, 'filename': 'a.mbox'})

    def test_only_managers_import(self):
        for user in (self.portal, self.employee, self.mod_b):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, MODEL, 'create',
                                     {'mail_group_id': self.group_a.id, 'file': self.file, 'filename': 'a.mbox'})
        job_id = self.new_job(self.mod_a, self.group_a)
        for user in (self.portal, self.employee, self.mod_b):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, MODEL, 'action_import', [job_id])
                self.assertRpcDenied(user, MODEL, 'read', [job_id], ['file'])
        self.assertEqual(self.post_count(self.group_a), 0)
        self.rpc(self.mod_a, MODEL, 'action_import', [job_id])
        self.assertEqual(self.post_count(self.group_a), 1, 'the moderator of the group imports')

    def test_json_rpc_refuses_an_employee(self):
        job_id = self.new_job(self.mod_a, self.group_a)
        self.authenticate(self.employee.login, self.employee.login)
        for method, args in (('action_import', [[job_id]]),
                             ('create', [{'mail_group_id': self.group_a.id, 'file': self.file}])):
            with self.subTest(method=method), self.assertRaises(JsonRpcException) as caught, \
                    mute_logger(*DENIED_LOGS):
                self.make_jsonrpc_request(f'/web/dataset/call_kw/{MODEL}/{method}',
                                          {'model': MODEL, 'method': method, 'args': args, 'kwargs': {}})
            self.assertIn('AccessError', str(caught.exception))
        self.assertEqual(self.post_count(self.group_a), 0)

    def test_an_import_cannot_be_redirected_or_forged(self):
        job_id = self.new_job(self.mod_a, self.group_a)
        self.assertRpcDenied(self.mod_a, MODEL, 'write', [job_id], {'mail_group_id': self.group_b.id})
        for forged in ({'state': 'running'}, {'offset': 10}, {'imported_count': 99}, {'report': 'x'}):
            with self.subTest(forged=forged):
                self.assertRpcDenied(self.mod_a, MODEL, 'write', [job_id], forged)
                self.assertRpcDenied(self.mod_a, MODEL, 'create', {'mail_group_id': self.group_a.id, **forged})
        self.rpc(self.mod_a, MODEL, 'action_import', [job_id])
        self.assertRpcDenied(self.mod_a, MODEL, 'write', [job_id], {'file': self.file})
        with self.assertRaises(xmlrpc.client.Fault) as caught, mute_logger(*DENIED_LOGS):
            self.rpc(self.mod_a, MODEL, 'action_import', [job_id])
        self.assertIn('already imported', caught.exception.faultString)
        self.assertEqual((self.post_count(self.group_a), self.post_count(self.group_b)), (1, 0))

    def test_storing_path_is_private(self):
        post = {'message_id': '<forged@example.com>', 'references': [], 'attachments': []}
        for user in (self.mod_a, self.employee):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, 'mail.group', '_archive_store', [self.group_a.id], [post])
                self.assertRpcDenied(user, 'mail.group', '_archive_parse', b'From: x@example.com\n\nhi')
                self.assertRpcDenied(user, MODEL, '_cron_import_archives')
        self.assertEqual(self.post_count(self.group_a), 0)
