"""The production set-up of deploy/, run: Postfix from deploy/postfix in front
(scripts/postfix_instance.py), Odoo from deploy/odoo.conf with
``--workers=2 --max-cron-threads=1``, mail by mail, in order.

Run by scripts/test_deployment.sh (``make test``). Environment: DEPLOY_DB,
DEPLOY_HTTP_PORT (and the next port for long-polling), DEPLOY_SMTP_PORT,
DEPLOY_DNS_PORT, DEPLOY_WORK (a scratch folder)."""
import email
import email.policy
import mailbox
import os
import pathlib
import re
import signal
import smtplib
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from email.message import EmailMessage
from email.utils import make_msgid

import dkim
import dns.resolver
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / 'scripts'), str(ROOT / 'website_mail_group' / 'tests')]
from dns_server import DnsServer  # noqa: E402
from postfix_instance import DOMAIN, MEMBERS_DOMAIN, Postfix, instance_dir  # noqa: E402

GROUP = f'developers@{DOMAIN}'
DB = os.environ.get('DEPLOY_DB', 'wmg_deploy')
HTTP_PORT = int(os.environ.get('DEPLOY_HTTP_PORT', 8079))
SMTP_PORT = int(os.environ.get('DEPLOY_SMTP_PORT', 2569))
WORK = pathlib.Path(os.environ.get('DEPLOY_WORK', '/tmp/wmg-deploy'))
ODOO = pathlib.Path(sys.executable).parent / 'odoo'  # Odoo's own command, as deploy/odoo.conf says


def address(name):
    return f'{name}@{MEMBERS_DOMAIN}'


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f'after {timeout}s: {what}')
        time.sleep(0.3)


class Odoo:
    """Odoo from deploy/odoo.conf, rewritten for this machine's directories
    and ports, with workers; stopped and started again by flow 4."""

    def __init__(self):
        self.conf = WORK / 'odoo.conf'
        self.log = WORK / 'odoo.log'
        self.stderr = WORK / 'odoo-stderr.log'  # what dies before Odoo's logging starts
        self.process = None
        odoo_pkg = subprocess.run([sys.executable, '-c', 'import odoo, os; print(os.path.dirname(odoo.__file__))'],
                                  cwd='/', capture_output=True, text=True, check=True).stdout.strip()
        addons = [str(ROOT)] + [path for path in (f'{os.path.dirname(odoo_pkg)}/addons', f'{odoo_pkg}/addons')
                                if os.path.isdir(path)]
        text = (ROOT / 'deploy' / 'odoo.conf').read_text()
        for key, value in (('addons_path', ','.join(addons)), ('data_dir', str(WORK / 'data')), ('db_name', DB),
                           ('dbfilter', f'^{DB}$'), ('http_port', HTTP_PORT), ('gevent_port', HTTP_PORT + 1),
                           ('smtp_port', SMTP_PORT)):
            text, found = re.subn(rf'^{key} = .*$', f'{key} = {value}', text, flags=re.M)
            assert found == 1, f'deploy/odoo.conf has no {key}'
        self.conf.write_text(text)

    def install(self):
        done = subprocess.run([str(ODOO), '-c', str(self.conf), '-i', 'website_mail_group', '--without-demo=all',
                               '--stop-after-init', '--log-level=warn', f'--logfile={WORK / "install.log"}'],
                              cwd='/', capture_output=True, text=True)
        assert done.returncode == 0, (WORK / 'install.log').read_text()[-3000:]

    def start(self):
        self.process = subprocess.Popen([str(ODOO), '-c', str(self.conf), '--workers=2', '--max-cron-threads=1',
                                         f'--logfile={self.log}'], cwd='/', start_new_session=True,
                                        stderr=self.stderr.open('a'))
        (WORK / 'odoo.pid').write_text(str(self.process.pid))  # for scripts/test_deployment.sh if killed
        wait_for('Odoo answers', self.ready, timeout=120)

    def ready(self):
        assert self.process.poll() is None, f'Odoo stopped: {self.log.read_text()[-3000:]}'
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{HTTP_PORT}/web/health', timeout=5)
            return True
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            (WORK / 'odoo.pid').unlink()

    def call(self, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(f'http://127.0.0.1:{HTTP_PORT}/xmlrpc/2/object', allow_none=True)
        return proxy.execute_kw(DB, 2, 'admin', model, method, list(args), kwargs)


@pytest.fixture(scope='module')
def stack():
    WORK.mkdir(parents=True, exist_ok=True)
    dns = DnsServer(port=int(os.environ.get('DEPLOY_DNS_PORT', 5369))).start()
    odoo = Odoo()
    postfix = Postfix(instance_dir('test'))
    try:
        odoo.install()
        odoo.start()
        postfix.write(SMTP_PORT, DB, HTTP_PORT, 'admin', mailboxes=['alice', 'bob', 'carol'])
        postfix.start()
        yield configure(odoo, dns), odoo, postfix
    finally:
        odoo.stop()
        postfix.stop()
        dns.stop()


def configure(odoo, dns):
    """What an administrator sets in Odoo: the alias domain (with a DKIM key
    published in DNS), a group, its members. ghost@ has no mailbox."""
    params = {'web.base.url': f'http://127.0.0.1:{HTTP_PORT}', 'website_mail_group.dns_nameservers': dns.address,
              'website_mail_group.bounce_score_threshold': '2'}
    for key, value in params.items():
        odoo.call('ir.config_parameter', 'set_param', key, value)
    domain_id = odoo.call('mail.alias.domain', 'create', {'name': DOMAIN})
    odoo.call('res.company', 'write', [1], {'alias_domain_id': domain_id})
    odoo.call('mail.alias.domain', 'action_generate_dkim_key', [domain_id])
    record = odoo.call('mail.alias.domain', 'read', [domain_id], ['dkim_dns_record'])[0]['dkim_dns_record']
    name, __, value = record.partition(' TXT ')
    dns.records[name.lower()] = [value.strip('"')]
    group_id = odoo.call('mail.group', 'create', {'name': 'Developers', 'alias_name': 'developers',
                                                  'alias_domain_id': domain_id, 'access_mode': 'public'})
    members = {name: odoo.call('mail.group.member', 'create', {'mail_group_id': group_id, 'email': address(name)})
               for name in ('alice', 'bob', 'ghost')}
    return {'group_id': group_id, 'members': members, 'dns': dns}


def post(subject, to=GROUP, sender='alice'):
    message = EmailMessage()
    message['From'] = address(sender)
    message['To'] = to
    message['Subject'] = subject
    message['Message-ID'] = make_msgid(domain=MEMBERS_DOMAIN)
    message.set_content(f'{subject}: hello everyone.')
    with smtplib.SMTP('127.0.0.1', SMTP_PORT) as smtp:
        smtp.send_message(message)
    return message['Message-ID']


def mails(name):
    """What Postfix delivered into ``name``'s Maildir, parsed."""
    folder = Postfix(instance_dir('test')).mailboxes / name
    if not folder.exists():
        return []
    return [(raw, email.message_from_bytes(raw, policy=email.policy.default))
            for raw in (message.as_bytes() for message in mailbox.Maildir(folder, create=False))]


def received(name, subject):
    return [(raw, parsed) for raw, parsed in mails(name) if subject in str(parsed['Subject'])]


def text_of(parsed):
    part = parsed.get_body(('plain', 'html'))
    return part.get_content() if part else ''


def log_lines(postfix, pattern):
    return [line for line in postfix.log().splitlines() if re.search(pattern, line)]


def logged(postfix, pattern, timeout=60):
    """Postfix's log lines matching ``pattern``, once there is one (Postfix
    logs a delivery after the pipe returns, which is after Odoo committed)."""
    return wait_for(f'Postfix logs {pattern}', lambda: log_lines(postfix, pattern), timeout)


def delivered_to(postfix, message_id):
    """The addresses Postfix delivered the mail of that Message-ID to
    (Odoo's copies of a post keep it), the pipe to Odoo aside."""
    queue_ids = {line.split(': ')[1] for line in log_lines(postfix, rf'cleanup.*: message-id={re.escape(message_id)}$')}
    deliveries = (re.search(r': ([0-9A-F]+): to=<([^>]+)>, relay=(\w+)', line) for line in postfix.log().splitlines())
    return sorted(match[2] for match in deliveries if match and match[1] in queue_ids and match[3] != 'odoo')


def group_posts(odoo, subject):
    return odoo.call('mail.group.message', 'search_count', [('subject', 'ilike', subject)])


def test_1_post_through_postfix_reaches_every_member_signed(stack):
    facts, odoo, postfix = stack
    first = post('Release 2.0 is out')
    raw, copy = wait_for("bob's copy in his Maildir", lambda: received('bob', 'Release 2.0 is out'))[0]
    wait_for('a copy to each member but the author', lambda: delivered_to(postfix, first) == [
        'bob@members.test', 'ghost@members.test'])
    logged(postfix, rf'to=<{GROUP}>, relay=odoo, .*status=sent')
    logged(postfix, r'to=<bob@members\.test>, relay=virtual, .*status=sent \(delivered to maildir\)')
    assert group_posts(odoo, 'Release 2.0 is out') == 1
    assert copy['List-Id'] and 'developers.lists.example.com' in copy['List-Id']
    assert copy['List-Post'] == f'<mailto:{GROUP}>'
    assert 'List-Unsubscribe=One-Click' in copy['List-Unsubscribe-Post']
    assert copy['Return-Path'].startswith('<bounce+mg'), 'the envelope sender is the signed bounce address'
    body = text_of(copy)
    assert f'http://127.0.0.1:{HTTP_PORT}/groups/' in body and 'unsubscribe' in body.lower()
    assert GROUP in body, 'the footer says where to post'
    lookup_host, lookup_port = facts['dns'].address.split(':')

    def dnsfunc(name, timeout=5):
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = [lookup_host], int(lookup_port)
        answer = resolver.resolve(name.decode().rstrip('.'), 'TXT', lifetime=timeout)
        return b''.join(answer[0].strings)
    signature = dkim.DKIM(raw)
    assert signature.verify(dnsfunc=dnsfunc), f'DKIM: {signature.signature_fields}'
    assert signature.domain == DOMAIN.encode()
    assert not received('alice', 'Release 2.0 is out'), 'the author gets no copy of her own post'


def test_2_postfix_reports_count_probe_and_stop_delivery(stack):
    facts, odoo, postfix = stack
    ghost = facts['members']['ghost']

    def member():
        return odoo.call('mail.group.member', 'read', [ghost], ['bounce_count', 'delivery_disabled_date'])[0]
    wait_for("ghost's first bounce counted", lambda: member()['bounce_count'] == 1)
    logged(postfix, r'to=<ghost@members\.test>, relay=virtual, .*status=bounced \(unknown user')
    logged(postfix, rf'to=<bounce\+mg{ghost}-[0-9a-f]+@{re.escape(DOMAIN)}>, relay=odoo, .*status=sent')
    post('Second post')
    wait_for('delivery to ghost stopped', lambda: member()['delivery_disabled_date'], timeout=90)
    logged(postfix, rf'to=<bounce\+mgp{ghost}-[0-9a-f]+@{re.escape(DOMAIN)}>, relay=odoo, .*status=sent')
    third = post('Third post')
    wait_for("bob's copy of the third post", lambda: 'bob@members.test' in delivered_to(postfix, third))
    time.sleep(1)
    assert delivered_to(postfix, third) == ['bob@members.test'], 'no copy to ghost any more'


def test_3_subscribe_command_through_recipient_delimiter(stack):
    facts, odoo, postfix = stack
    posts = odoo.call('mail.group.message', 'search_count', [])
    post('subscribe', to=f'developers+subscribe@{DOMAIN}', sender='carol')
    __, confirmation = wait_for('the confirmation in carol\'s Maildir', lambda: mails('carol'))[0]
    assert '/group/subscribe-confirm' in text_of(confirmation)
    logged(postfix, rf'to=<developers\+subscribe@{re.escape(DOMAIN)}>, relay=odoo, .*status=sent')
    assert odoo.call('mail.group.message', 'search_count', []) == posts, 'a command is no post'


def test_4_odoo_down_defers_then_delivers_once(stack):
    facts, odoo, postfix = stack
    odoo.stop()
    post('While Odoo was down')
    logged(postfix, rf'to=<{GROUP}>, relay=odoo, .*status=deferred \(temporary failure.*cannot reach Odoo')
    assert postfix.queue(), 'Postfix keeps the mail'
    odoo.start()
    postfix.flush()
    wait_for("bob's copy", lambda: received('bob', 'While Odoo was down'), timeout=90)
    wait_for('the queue empty', lambda: not postfix.queue())
    time.sleep(2)
    assert len(received('bob', 'While Odoo was down')) == 1
    assert group_posts(odoo, 'While Odoo was down') == 1


def test_5_wrong_password_defers_and_says_why(stack):
    facts, odoo, postfix = stack
    master = postfix.dir / 'master.cf'
    right = master.read_text()
    master.write_text(right.replace(' -p admin ', ' -p not-the-password '))
    postfix.reload()
    post('Behind a wrong password')
    line = logged(postfix, rf'to=<{GROUP}>, relay=odoo, .*status=deferred \(temporary failure.*login')
    assert f'Odoo refused the login of user id 2 on database {DB}: wrong password or API key' in line[-1]
    master.write_text(right)
    postfix.reload()
    postfix.flush()
    wait_for("bob's copy once the password is right", lambda: received('bob', 'Behind a wrong password'), timeout=90)
    assert group_posts(odoo, 'Behind a wrong password') == 1


def test_6_odoo_ran_clean_with_workers(stack):
    facts, odoo, postfix = stack
    log = odoo.log.read_text() + odoo.stderr.read_text()
    assert 'Traceback' not in log and not re.search(r'^\S+ \S+ \d+ (ERROR|CRITICAL) ', log, re.M), log[-3000:]
    assert re.search(r'Worker WorkerHTTP \(\d+\) alive', log) and re.search(r'Worker WorkerCron \(\d+\) alive', log)
    assert len(re.findall(r'Evented Service \(longpolling\) running on', log)) == 2, \
        'one long-polling process per start of Odoo (no crash loop)'
    wait_for("Postfix's queue empty", lambda: not postfix.queue())
