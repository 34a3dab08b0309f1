#!/usr/bin/env python3
"""Archive import benchmark: messages per second and peak memory importing a
generated mbox (default ~100 MB) into a group, as the cron does it.

    python3 bench/import_mbox.py                 # ~100 MB
    python3 bench/import_mbox.py --size-mb 5     # quick
    python3 bench/import_mbox.py --reset         # recreate the database

Database ``wmg_bench_import`` (``-i website_mail_group``, no demo data, files in
``bench/results/import-data``), created on the first run and reused. Three
processes, so that each figure is its own:
  1. ``generate``: writes the mbox (mboxrd, LF) to ``bench/results/import.mbox``:
     threads of a root and replies (In-Reply-To/References), one message in 20
     with a 30 KB PDF attachment, one in 50 without Message-ID, ">From " lines;
  2. ``prepare``: creates a fresh group and an import of that file (the upload:
     the file is read whole here, as Odoo's web client sends it), commits;
  3. ``run``: the import itself, ``_cron_import_archives`` until done (a commit
     per batch of 200, as in production); prints messages/s and the peak RSS
     of this process (``ru_maxrss``) next to its RSS before the import.
"""
import argparse
import base64
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, make_msgid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')
MBOX = os.path.join(RESULTS, 'import.mbox')
DATA_DIR = os.path.join(RESULTS, 'import-data')
DB = 'wmg_bench_import'


def odoo_args(db):
    import odoo
    odoo_addons = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))), 'addons')
    return [f'--addons-path={REPO},{odoo_addons}', f'--data-dir={DATA_DIR}', '-d', db, '--log-level=warn']


def rss_mb():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0.0


def generate(size_mb):
    os.makedirs(RESULTS, exist_ok=True)
    target, count, start = size_mb * 1024 * 1024, 0, datetime.now(timezone.utc) - timedelta(days=3000)
    pdf = base64.encodebytes(b'%PDF-1.4 ' + os.urandom(30 * 1024)).decode()
    paragraph = ('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt '
                 'ut labore et dolore magna aliqua.\n') * 20
    written, root = 0, None
    with open(MBOX, 'w', newline='\n') as out:
        while written < target:
            date = start + timedelta(minutes=7 * count)
            message_id = make_msgid(domain='bench.example.com')
            headers = [f'From: User {count % 300} <user{count % 300}@old-list.example.com>',
                       'To: list@old-list.example.com', f'Date: {format_datetime(date)}']
            if count % 50 != 7:
                headers.append(f'Message-ID: {message_id}')
            if count % 6 and root:
                headers += [f'Subject: Re: Topic {root[1]}', f'In-Reply-To: {root[0]}', f'References: {root[0]}']
            else:
                root = (message_id, count)
                headers.append(f'Subject: Topic {count}')
            body = f'Message {count}\n>From the archive, quoted\n{paragraph}'
            if count % 20 == 3:
                headers += ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="B"']
                body = (f'--B\nContent-Type: text/plain; charset=utf-8\n\n{body}\n--B\n'
                        'Content-Type: application/pdf; name="report.pdf"\nContent-Transfer-Encoding: base64\n'
                        f'Content-Disposition: attachment; filename="report.pdf"\n\n{pdf}--B--\n')
            else:
                headers.append('Content-Type: text/plain; charset=utf-8')
            body = body.replace('\n>From ', '\n>>From ')
            chunk = f'From bench@example.com {date:%a %b %d %H:%M:%S %Y}\n' + '\n'.join(headers) + f'\n\n{body}\n\n'
            out.write(chunk)
            written += len(chunk.encode())
            count += 1
    print(f'generated {MBOX}: {written / 1024 / 1024:.1f} MB, {count} messages', flush=True)


def prepare(db):
    import odoo
    odoo.tools.config.parse_config(odoo_args(db))
    with odoo.registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        stamp = int(time.time())
        group = env['mail.group'].create({'name': f'Bench import {stamp}', 'alias_name': f'bench-import-{stamp}'})
        with open(MBOX, 'rb') as mbox:
            job = env['mail.group.archive.import'].create({
                'mail_group_id': group.id, 'file': base64.b64encode(mbox.read()), 'filename': 'import.mbox'})
        job.write({'state': 'running', 'file_size': os.path.getsize(MBOX), 'estimated_count': 0})
        print(job.id, flush=True)


def run(db, job_id):
    import odoo
    odoo.tools.config.parse_config(odoo_args(db))
    registry = odoo.registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env['mail.group'].search([], limit=1).read(['name'])  # warm the registry
        before = rss_mb()
        job = env['mail.group.archive.import'].browse(job_id)
        queries, start = cr.sql_log_count, time.perf_counter()
        while job.state == 'running':
            env['mail.group.archive.import']._cron_import_archives(budget=3600)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        read = job.imported_count + job.duplicate_count + job.skipped_count
        posts = env['mail.group.message'].search_count([('mail_group_id', '=', job.mail_group_id.id)])
        threaded = env['mail.group.message'].search_count(
            [('mail_group_id', '=', job.mail_group_id.id), ('group_message_parent_id', '!=', False)])
        print(f'file: {job.file_size / 1024 / 1024:.1f} MB; imported {job.imported_count}, duplicates '
              f'{job.duplicate_count}, skipped {job.skipped_count} ({posts} posts, {threaded} replies threaded)')
        print(f'time: {elapsed:.1f} s, {read / elapsed:.0f} messages/s, {job.file_size / 1024 / 1024 / elapsed:.2f} MB/s, '
              f'{(cr.sql_log_count - queries) / max(read, 1):.1f} SQL queries/message')
        print(f'memory: RSS {before:.0f} MB before the import, peak {peak:.0f} MB (ru_maxrss of the process)', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--size-mb', type=int, default=100)
    parser.add_argument('--db', default=DB)
    parser.add_argument('--reset', action='store_true')
    parser.add_argument('--phase', choices=('prepare', 'run'), help=argparse.SUPPRESS)
    parser.add_argument('--job', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == 'prepare':
        return prepare(args.db)
    if args.phase == 'run':
        return run(args.db, args.job)

    exists = subprocess.run(['psql', '-d', 'postgres', '-tAc', f"select 1 from pg_database where datname='{args.db}'"],
                            capture_output=True, text=True).stdout.strip() == '1'
    if exists and args.reset:
        subprocess.run(['dropdb', args.db], check=True)
        exists = False
    if not exists:
        print(f'creating {args.db} (-i website_mail_group, no demo data)', flush=True)
        subprocess.run([sys.executable, '-m', 'odoo', *odoo_args(args.db), '-i', 'website_mail_group',
                        '--without-demo=all', '--stop-after-init'], check=True, cwd=RESULTS if os.path.isdir(RESULTS) else HERE)
    else:
        subprocess.run([sys.executable, '-m', 'odoo', *odoo_args(args.db), '-u', 'website_mail_group',
                        '--stop-after-init'], check=True)
    generate(args.size_mb)
    job = subprocess.run([sys.executable, __file__, '--phase', 'prepare', '--db', args.db],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    subprocess.run([sys.executable, __file__, '--phase', 'run', '--db', args.db, '--job', job], check=True)


if __name__ == '__main__':
    sys.exit(main())
