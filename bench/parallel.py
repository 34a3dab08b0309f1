"""Parallel sending (``bench/run.py --parallel-send N``): one post queued
for N members, sent by Odoo's own cron machinery in every layout of
``--layouts`` (``SxW``: S Odoo servers, i.e. processes, of W cron workers
each; default 1x1, 1x2, 2x1) to a local SMTP sink answering each message
after ``--latency-ms`` (a relay's per-message latency, 2 ms by default),
ours and Odoo's mail_group side by side.

Each server is bench/cron_sender.py: its cron threads run every ready job
as Odoo's do, a job running in one worker at a time. Ours sends through
its "Mail List: Send copies" jobs, which claim batches of copies; Odoo's
through its one mail queue job. Time: from the moment every server is
loaded and told to start until its last worker finds the post sent. The
sink counts what it received: more than was queued means a copy went
twice.
"""
import asyncio
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class LatencyHandler:
    """Counts the messages received; answers each after ``latency`` s."""

    def __init__(self, latency):
        self.latency = latency
        self.count = 0
        self.sessions = 0
        self.max_sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.sessions += 1
        self.max_sessions = max(self.max_sessions, self.sessions)
        return responses

    async def handle_QUIT(self, server, session, envelope):
        self.sessions -= 1
        return '221 Bye'

    async def handle_DATA(self, server, session, envelope):
        if self.latency:
            await asyncio.sleep(self.latency)
        self.count += len(envelope.rcpt_tos)
        return '250 OK'


def layouts(text):
    result = []
    for item in text.split(','):
        servers, workers = item.strip().lower().split('x')
        result.append((int(servers), int(workers)))
    return result


def layout_label(servers, workers):
    if servers == 1:
        return f"1 server, {workers} worker{'s' if workers > 1 else ''}"
    return f"{servers} servers, {workers} worker{'s' if workers > 1 else ''} each"


def start_servers(target, count, workers, message):
    cmd = [sys.executable, os.path.join(HERE, 'cron_sender.py'), '--addons-path', target['addons_path'],
           '--db', target['db'], '--workers', str(workers), '--message', str(message)]
    processes = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for __ in range(count)]
    for process in processes:
        line = process.stdout.readline().strip()
        if line != 'READY':
            raise SystemExit(f'[bench] a sending server did not start: {process.stderr.read()[-3000:]}')
    return processes


def run_servers(processes):
    """Start them at once; return (start, results)."""
    started = time.time()
    for process in processes:
        process.stdin.write('go\n')
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=3600)
        lines = [line for line in out.splitlines() if line.startswith('BENCH_RESULT ')]
        if process.returncode or not lines:
            raise SystemExit(f'[bench] a sending server failed: {err[-3000:]}')
        results.append(json.loads(lines[-1][len('BENCH_RESULT '):]))
    return started, results


def measure(targets, args, worker, start_sink, log):
    """Results by target key: {layout label: {...}}."""
    handler = LatencyHandler(args.latency_ms / 1000)
    controller, __, port = start_sink(handler)
    log(f'[bench] SMTP sink on 127.0.0.1:{port}, {args.latency_ms} ms per message')
    results = {key: {} for key in targets}
    try:
        for target in targets.values():
            # the jobs a fresh database never ran: run once, untimed
            run_servers(start_servers(target, 1, 1, 0))
        for servers, workers in layouts(args.layouts):
            label = layout_label(servers, workers)
            for key, target in targets.items():
                runs = []
                for __ in range(args.repeat_large):
                    log(f"[bench] parallel sending of {args.parallel_send} copies, {label}, {target['db']}")
                    queued = worker(target, 'queue', '--size', args.parallel_send, '--port', port)
                    processes = start_servers(target, servers, workers, queued['message'])
                    before, handler.max_sessions = handler.count, 0
                    started, ended = run_servers(processes)
                    seconds = max(result['ended'] for result in ended) - started
                    received = handler.count - before
                    left = worker(target, 'sent', '--message', queued['message'])
                    errors = [error for result in ended for error in result['errors']]
                    if errors:
                        log(f'[bench] WARNING {key}: {errors[:3]}')
                    sent = queued['queued'] - left['unsent'] - left['failed']
                    runs.append({'seconds': seconds, 'queued': queued['queued'], 'received': received,
                                 'twice': max(received - sent, 0), 'unsent': left['unsent'] + left['failed'],
                                 'sessions': handler.max_sessions})
                results[key][label] = runs
    finally:
        controller.stop()
    return results


def report(results, labels):
    """A table: one row per layout, ours and Odoo's side by side."""
    def cell(runs):
        if not runs:
            return '-'
        best = min(runs, key=lambda run: run['seconds'])
        rate = best['received'] / best['seconds'] if best['seconds'] else 0
        extra = f", {best['twice']} twice" if best['twice'] else ''
        extra += f", {best['unsent']} unsent" if best['unsent'] else ''
        return f"{rate:,.0f} msg/s ({best['seconds']:.1f} s, {best['sessions']} sessions{extra})"

    layout_names = list(dict.fromkeys(name for runs in results.values() for name in runs))
    header = ('Parallel sending', labels.get('ours', 'ours'), labels.get('odoo', 'odoo'), 'ours advantage')
    rows = []
    for name in layout_names:
        ours, odoo = results.get('ours', {}).get(name), results.get('odoo', {}).get(name)
        ratio = '-'
        if ours and odoo:
            ratio = f"{min(r['seconds'] for r in odoo) / min(r['seconds'] for r in ours):.1f}x"
        rows.append((name, cell(ours), cell(odoo), ratio))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(header, widths)) + ' |',
             '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    lines += ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(row, widths)) + ' |' for row in rows]
    return '\n'.join(lines)
