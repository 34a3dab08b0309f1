#!/usr/bin/env python3
"""A Postfix instance built from deploy/postfix, for the deployment test and
`make run MTA=postfix`: the files as an administrator installs them, rewritten
only for this machine's ports, directories, alias domain and Odoo, plus a
stand-in for the members' servers: their mail relayed to a local SMTP sink
(--relayhost), or, for the domain members.test, delivered into Maildirs here.

    python3 scripts/postfix_instance.py start demo --smtp-port 2525 --db wmg_demo \\
        --http-port 8069 --uid 2 --password admin --domain groups.localhost --relayhost 127.0.0.1:1025
    python3 scripts/postfix_instance.py stop demo
    python3 scripts/postfix_instance.py where demo     # its folder (main.cf, maillog, mailboxes)

An instance (``test`` or ``demo``) lives in /var/lib/wmg-postfix/<clone>/<name>,
outside the clone: Postfix's own user and the pipe's (nobody) must enter it,
and a clone may sit in a private folder (``git clone . "$(mktemp -d)/c"``).
The folder must be listed in alternate_config_directories of
/etc/postfix/main.cf: scripts/setup.sh lists this clone's two.
"""
import argparse
import hashlib
import os
import pathlib
import re
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / 'deploy' / 'postfix'
DOMAIN = 'lists.example.com'  # deploy/'s example alias domain
MEMBERS_DOMAIN = 'members.test'
NOBODY = 65534
INSTANCES = ('test', 'demo')
# one folder per clone (scripts/setup.sh hashes the same path)
BASE = pathlib.Path('/var/lib/wmg-postfix') / hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]


def instance_dir(name):
    return BASE / name


class Postfix:
    def __init__(self, directory):
        self.dir = pathlib.Path(directory).resolve()
        self.maillog = self.dir / 'maillog'
        self.mailboxes = self.dir / 'mailboxes'

    def _run(self, *args):
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f'{" ".join(args)} failed: {(done.stderr or done.stdout).strip()}')
        return done.stdout

    def postconf(self, *settings):
        self._run('postconf', '-c', str(self.dir), '-e', *settings)

    def write(self, smtp_port, db, http_port, password, uid=2, domain=DOMAIN, mailboxes=(), relayhost=None):
        """main.cf, master.cf and maps from deploy/postfix; the members'
        mailboxes ``<name>@members.test`` (other addresses there bounce), and
        the rest of the world at ``relayhost`` if given."""
        if self.dir.exists():
            self.stop()
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        for name in ('main.cf', 'odoo_transport'):
            (self.dir / name).write_text((DEPLOY / name).read_text().replace(DOMAIN, domain))
        # the system's services (not chrooted: this queue is no prepared jail),
        # smtpd on this instance's port, then deploy's pipe to this Odoo
        services = re.sub(r'^(\S+\s+\S+\s+\S+\s+\S+\s+)y(\s)', r'\1n\2',
                          pathlib.Path('/etc/postfix/master.cf').read_text(), flags=re.M)
        services = re.sub(r'^smtp(\s+inet\s)', rf'127.0.0.1:{smtp_port}\1', services, count=1, flags=re.M)
        # the pipe's user reads the mail gateway script here, not in the clone
        shutil.copyfile(ROOT / 'scripts' / 'mailgate.py', self.dir / 'mailgate.py')
        pipe = (DEPLOY / 'master.cf').read_text()
        pipe = pipe.replace('/opt/wmg/scripts/mailgate.py', str(self.dir / 'mailgate.py')) \
            .replace('-d PRODDB', f'-d {db}') \
            .replace('-u 2 ', f'-u {uid} ').replace('-p PASSWORD', f'-p {password}') \
            .replace('--port 8069', f'--port {http_port}')
        (self.dir / 'master.cf').write_text(services + '\n' + pipe)
        self.postconf(
            f'queue_directory = {self.dir}/queue', f'data_directory = {self.dir}/data',
            f'maillog_file_prefixes = {self.dir}', f'maillog_file = {self.maillog}',
            'inet_interfaces = 127.0.0.1', 'inet_protocols = ipv4',
            f'transport_maps = hash:{self.dir}/odoo_transport', 'alias_maps =',  # no /etc/aliases.db here
            # the members' servers: Maildirs here, no DNS asked
            f'virtual_mailbox_domains = {MEMBERS_DOMAIN}', f'virtual_mailbox_base = {self.mailboxes}',
            f'virtual_mailbox_maps = hash:{self.dir}/members',
            f'virtual_uid_maps = static:{NOBODY}', f'virtual_gid_maps = static:{NOBODY}',
            # accept any member address from Odoo, as a relay does, and report
            # the unknown ones afterwards, as a remote server's refusal is
            'smtpd_reject_unlisted_recipient = no',
            'smtp_dns_support_level = disabled', 'smtp_host_lookup = native',
            f'relayhost = [{relayhost.replace(":", "]:")}' if relayhost else 'relayhost =',
        )
        (self.dir / 'members').write_text(''.join(f'{name}@{MEMBERS_DOMAIN} {name}/\n' for name in mailboxes))
        (self.dir / 'queue').mkdir()
        (self.dir / 'data').mkdir()
        shutil.chown(self.dir / 'data', 'postfix', 'postfix')
        self.mailboxes.mkdir()
        os.chown(self.mailboxes, NOBODY, NOBODY)
        for table in ('odoo_transport', 'members'):
            self._run('postmap', f'{self.dir}/{table}')

    def start(self):
        self._run('postfix', '-c', str(self.dir), 'start')

    def stop(self):
        subprocess.run(['postfix', '-c', str(self.dir), 'stop'], capture_output=True)

    def reload(self):
        self._run('postfix', '-c', str(self.dir), 'reload')

    def flush(self):
        self._run('postqueue', '-c', str(self.dir), '-f')

    def queue(self):
        """The queue listing (``postqueue -p``), empty when nothing is queued."""
        out = self._run('postqueue', '-c', str(self.dir), '-p')
        return '' if 'Mail queue is empty' in out else out

    def log(self):
        return self.maillog.read_text() if self.maillog.exists() else ''


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('action', choices=['start', 'stop', 'where'])
    parser.add_argument('name', choices=INSTANCES)
    parser.add_argument('--smtp-port', type=int, default=2525)
    parser.add_argument('--db', default='wmg_demo')
    parser.add_argument('--http-port', type=int, default=8069)
    parser.add_argument('--uid', type=int, default=2)
    parser.add_argument('--password', default='admin')
    parser.add_argument('--domain', default=DOMAIN, help='the alias domain (default: %(default)s)')
    parser.add_argument('--mailboxes', default='', help='comma-separated names of mailboxes @members.test')
    parser.add_argument('--relayhost', help='host:port where the rest of the mail goes (an SMTP sink)')
    args = parser.parse_args()
    postfix = Postfix(instance_dir(args.name))
    if args.action == 'where':
        print(postfix.dir)
        return
    if args.action == 'stop':
        postfix.stop()
        return
    postfix.write(args.smtp_port, args.db, args.http_port, args.password, uid=args.uid, domain=args.domain,
                  mailboxes=[name for name in args.mailboxes.split(',') if name], relayhost=args.relayhost)
    postfix.start()


if __name__ == '__main__':
    main()
