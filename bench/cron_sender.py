"""One "Odoo server" of the parallel sending benchmark (bench/parallel.py):
a process with ``--workers`` cron threads, each doing what Odoo's cron
threads do (``ir.cron._process_jobs``: every ready job, a job locked while
one worker runs it), until the post ``--message`` has no queued copy left.

    python3 bench/cron_sender.py --addons-path P --db DB --workers 2 --message 42

``--message 0``: run the ready jobs once and stop (a warm-up that drains
the jobs never run in a fresh benchmark database). It prints ``READY``
once Odoo is loaded and starts on a line on stdin; the last stdout line is
``BENCH_RESULT <json>`` with the wall-clock end of its last worker.
"""
import argparse
import json
import sys
import threading
import time

from worker import open_registry

POLL = 0.02  # seconds between two looks for ready jobs, when none ran


def queued(registry, message_id):
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM mail_mail WHERE mail_message_id = %s AND state = 'outgoing'", [message_id])
        return cr.fetchone()[0]


def cron_thread(registry, db, message_id, timeout, errors):
    from odoo.addons.base.models.ir_cron import ir_cron
    thread = threading.current_thread()
    until = time.monotonic() + timeout
    try:
        while True:
            thread.start_time = time.time()
            ir_cron._process_jobs(db)
            thread.start_time = None
            if not message_id or not queued(registry, message_id) or time.monotonic() > until:
                return
            time.sleep(POLL)
    except Exception as exc:  # noqa: BLE001 - reported to run.py
        errors.append(repr(exc))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--db', required=True)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--message', type=int, required=True)
    parser.add_argument('--timeout', type=float, default=1800)
    args = parser.parse_args()
    registry = open_registry(args.addons_path, args.db)
    print('READY', flush=True)
    sys.stdin.readline()
    errors = []
    threads = [threading.Thread(target=cron_thread, name=f'odoo.service.cron.cron{index}',
                                args=(registry, args.db, args.message, args.timeout, errors))
               for index in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.stdout.write('BENCH_RESULT ' + json.dumps({'ended': time.time(), 'errors': errors}) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
