#!/usr/bin/env python3
"""Side-by-side benchmark: our website_mail_group vs Odoo 17's own mail_group.

    python3 bench/run.py            (make bench: everything below, in one run)
    python3 bench/run.py [--members N] [--growth 1000,10000,100000] [--send N] [--parallel-send N]
                         [--archive-posts N] [--no-dkim] [--reset] [--repeat 3] [--only ours|odoo]
                         [--mute-pct 10]

Two databases on the same PostgreSQL, each with one module:
  wmg_bench_ours  -i website_mail_group  (addons path: this repo + Odoo's addons)
  wmg_bench_odoo  -i mail_group          (addons path: Odoo's addons only)
They are created on the first run and reused afterwards (--reset recreates them).

Measured, in each database, by bench/worker.py (a plain script, not a test:
Odoo sends no SMTP mail in test mode):
  1. fan-out: one raw RFC 822 post to the group alias through
     mail.thread.message_process (the mail gateway) until one mail.mail per
     member is created and flushed; wall time (perf_counter) and SQL queries
     (cr.sql_log_count delta, as assertQueryCount counts). Rolled back after
     each run; then one more, untimed run under tracemalloc for the peak
     memory of the Python objects the fan-out holds at once. Side by side at
     --members (default 10,000); ours alone also at each --growth size
     (1,000 -> 10,000 -> 100,000: how time, queries and memory grow).
     Ours also at each size: a reply to a thread --mute-pct % of the members
     mute (default 10): its recipients are still one query per page.
  2. storage: one post of --post-kb KB (default 50; random words, which
     PostgreSQL compresses little) queued for --members members: the bytes
     of its copies' mail_mail rows (pg_column_size, TOAST included) and of
     the body they share (ours); rolled back. Not timed.
  3. sending to a fast sink: a post to a group of --send members (default
     5,000) is queued and committed, then mail.mail.process_email_queue()
     sends it, one worker, to Postfix's smtp-sink (C, bench/wire.py) on
     127.0.0.1; messages per second; ours also DKIM-signed (--no-dkim: not).
     Next to it, the wire's limit: smtplib pushing prebuilt copies of
     --wire-size bytes over one session to the same sink (before and after).
  4. parallel sending (--parallel-send N, default 2,000, bench/parallel.py):
     a post to N members sent by Odoo's cron machinery with 1 worker, 2
     workers and 2 servers (--layouts) to a sink answering each message
     after --latency-ms.
  5. archive pages (--archive-posts N, default 20,000, bench/archive.py):
     /groups, a group's pages, a thread, through real HTTP servers.
Each measurement runs --repeat times after a warm-up; min and median shown.
The two modules run alternately, phase by phase, to share the machine's noise.
Run it on an idle machine: nothing else should use the CPUs meanwhile.
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

import parallel
import wire

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def _odoo_src():
    """ODOO_SRC, else the tree of the ``odoo`` package python3 imports."""
    if os.environ.get('ODOO_SRC'):
        return os.path.abspath(os.environ['ODOO_SRC'])
    import importlib.util
    spec = importlib.util.find_spec('odoo')
    if spec and spec.submodule_search_locations:
        return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))
    return '/root/odoo17'


ODOO_SRC = _odoo_src()
ODOO_ADDONS = os.path.join(ODOO_SRC, 'addons')
PORTS = range(2600, 2611)

TARGETS = {
    'ours': {
        'db': 'wmg_bench_ours', 'module': 'website_mail_group', 'marker': 'website_mail_group/',
        'addons_path': f'{REPO},{ODOO_ADDONS}', 'label': 'ours (website_mail_group)',
    },
    'odoo': {
        'db': 'wmg_bench_odoo', 'module': 'mail_group', 'marker': 'mail_group/',
        'addons_path': ODOO_ADDONS, 'label': "Odoo's mail_group",
    },
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# SMTP sink (aiosmtpd, in this process: the workers are separate processes)
# ---------------------------------------------------------------------------

class CountingHandler:
    def __init__(self):
        self.count = 0
        self.bytes = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            self.bytes += len(envelope.original_content or envelope.content or b'')
        return '250 OK'


def start_sink(handler=None):
    from aiosmtpd.controller import Controller
    handler = handler or CountingHandler()
    port = wire.free_port(PORTS)
    controller = Controller(handler, hostname='127.0.0.1', port=port)
    controller.start()
    return controller, handler, port


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------

def psql(sql, db='postgres'):
    out = subprocess.run(['psql', '-XAtq', '-d', db, '-c', sql], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def module_installed(target):
    state = psql(f"SELECT state FROM ir_module_module WHERE name = '{target['module']}'", target['db'])
    return state == 'installed'


def snapshot_source(rev):
    """Copy the module to bench/results/src/ (working tree, or a git revision)
    so that edits made while the benchmark runs do not reach it."""
    dest_root = os.path.join(HERE, 'results', 'src')
    dest = os.path.join(dest_root, 'website_mail_group')
    shutil.rmtree(dest_root, ignore_errors=True)
    os.makedirs(dest_root)
    if rev:
        archive = subprocess.run(['git', '-C', REPO, 'archive', rev, 'website_mail_group'],
                                 capture_output=True, check=True).stdout
        subprocess.run(['tar', '-x', '-C', dest_root], input=archive, check=True)
        label = subprocess.run(['git', '-C', REPO, 'rev-parse', '--short', rev],
                               capture_output=True, text=True, check=True).stdout.strip()
    else:
        shutil.copytree(os.path.join(REPO, 'website_mail_group'), dest,
                        ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        head = subprocess.run(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', REPO, 'status', '--porcelain', '--', 'website_mail_group'],
                               capture_output=True, text=True).stdout.strip()
        label = f"{head}{' + uncommitted changes' if dirty else ''} (working tree)"
    TARGETS['ours']['addons_path'] = f'{dest_root},{ODOO_ADDONS}'
    return label


def source_hash(target):
    """Hash of the module's source tree: when it changes, the database is
    updated (-u) before measuring, so the benchmark runs the current code."""
    root = os.path.join(target['addons_path'].split(',')[0], target['module'])
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d not in ('__pycache__', 'tests', 'i18n'))
        for name in sorted(files):
            if name.endswith(('.py', '.xml', '.csv')):
                path = os.path.join(folder, name)
                digest.update(path.encode())
                with open(path, 'rb') as f:
                    digest.update(f.read())
    return digest.hexdigest()


def odoo_cmd(target, *args):
    return [sys.executable, '-m', 'odoo', f"--addons-path={target['addons_path']}", '-d', target['db'],
            *args, '--without-demo=all', '--stop-after-init', '--no-http', '--log-level=warn']


def ensure_database(target, reset):
    db = target['db']
    assert db.startswith('wmg_bench_')
    stamp = os.path.join(HERE, 'results', f"{db}.source")
    current = source_hash(target)
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == '1'
    if exists and not reset and module_installed(target):
        previous = open(stamp).read().strip() if os.path.exists(stamp) else None
        if previous != current:
            log(f"[bench] {target['module']} source changed: updating {db} (-u)")
            proc = subprocess.run(odoo_cmd(target, '-u', target['module']), cwd=ODOO_SRC,
                                  capture_output=True, text=True)
            if proc.returncode != 0 or not module_installed(target):
                log(proc.stdout[-3000:], proc.stderr[-3000:])
                raise SystemExit(f'[bench] updating {target["module"]} in {db} failed')
            with open(stamp, 'w') as f:
                f.write(current)
        return
    if exists:
        log(f'[bench] dropping {db}')
        subprocess.run(['dropdb', '--if-exists', db], check=True)
    log(f"[bench] creating {db} with {target['module']} (a minute or two)")
    proc = subprocess.run(odoo_cmd(target, '-i', target['module']), cwd=ODOO_SRC, capture_output=True, text=True)
    if proc.returncode != 0 or not module_installed(target):
        log(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit(f'[bench] installing {target["module"]} into {db} failed')
    with open(stamp, 'w') as f:
        f.write(current)


# ---------------------------------------------------------------------------
# Workers
# ---------------------------------------------------------------------------

def worker(target, *args, timeout=1800):
    cmd = [sys.executable, os.path.join(HERE, 'worker.py'), '--addons-path', target['addons_path'],
           '--db', target['db'], '--module-marker', target['marker'], *map(str, args)]
    proc = subprocess.run(cmd, cwd=ODOO_SRC, capture_output=True, text=True, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith('BENCH_RESULT '):
            return json.loads(line[len('BENCH_RESULT '):])
    log(proc.stdout[-4000:], proc.stderr[-4000:])
    raise SystemExit(f"[bench] worker {' '.join(map(str, args))} failed on {target['db']}")


def send_result(runs, received):
    return {
        'seconds': summary([r['seconds'] for r in runs]),
        'rate': summary([r['sent'] / r['seconds'] for r in runs]),
        'failed': sum(r['failed'] + r['unsent'] for r in runs),
        # the warm-up sends 10 mails first
        'sink_received': received - 10,
        'sent': sum(r['sent'] for r in runs),
    }


def summary(values):
    return {'min': min(values), 'median': statistics.median(values), 'max': max(values)}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def fmt_ratio(value):
    return f'{value:.1f}x' if value >= 10 else f'{value:.2f}x'


def mb(size):
    return f'{size / 2 ** 20:,.2f} MB'


def storage_total(result):
    return result['storage']['mail_mail_bytes'] + result['storage']['shared_body_bytes']


def report(results, args, port):
    rows = []  # (metric, ours, odoo, advantage)
    keys = [k for k in ('ours', 'odoo') if k in results]

    def cell(key, fn):
        return fn(results[key]) if key in results else '-'

    def adv(fn):
        if len(keys) < 2:
            return '-'
        try:
            return fmt_ratio(fn(results['ours'], results['odoo']))
        except (ZeroDivisionError, TypeError, KeyError):
            return '-'

    for size in args.sizes:
        tag = f'fanout_{size}'
        if not all(tag in results[k] for k in keys):
            continue
        rows.append((f'Fan-out to {size:,} members: time, median (min)',
                     *(cell(k, lambda r: f"{r[tag]['seconds']['median']:.2f} s ({r[tag]['seconds']['min']:.2f} s)")
                       for k in ('ours', 'odoo')),
                     adv(lambda o, d: d[tag]['seconds']['median'] / o[tag]['seconds']['median'])))
        rows.append((f'Fan-out to {size:,} members: SQL queries',
                     *(cell(k, lambda r: f"{r[tag]['queries']['median']:,.0f}") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d[tag]['queries']['median'] / o[tag]['queries']['median'])))
        rows.append((f'Fan-out to {size:,} members: queries per member',
                     *(cell(k, lambda r: f"{r[tag]['queries']['median'] / size:.3f}") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d[tag]['queries']['median'] / o[tag]['queries']['median'])))
        rows.append((f'Fan-out to {size:,} members: peak memory (Python objects)',
                     *(cell(k, lambda r: f"{r[tag]['peak_mb']['median']:.1f} MB") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d[tag]['peak_mb']['median'] / max(o[tag]['peak_mb']['median'], 1))))
        rows.append((f'Fan-out to {size:,} members: ms per member',
                     *(cell(k, lambda r: f"{1000 * r[tag]['seconds']['median'] / size:.3f}") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d[tag]['seconds']['median'] / o[tag]['seconds']['median'])))
    for size in args.sizes:
        tag = f'fanout_muted_{size}'
        if tag not in results.get('ours', {}):
            continue
        muted = results['ours'][tag]
        plain = results['ours'].get(f'fanout_{size}')
        rows.append((f'Fan-out of a reply to {size:,} members, {args.mute_pct:g}% muting its thread: time, queries',
                     f"{muted['seconds']['median']:.2f} s, {muted['queries']['median']:,.0f} queries "
                     f"({muted['mails'][0]:,} copies)", '-',
                     f"a first post: {plain['queries']['median']:,.0f} queries" if plain else '-'))
    if args.post_kb and all('storage' in results[k] for k in keys):
        label = f"One {args.post_kb} KB post to {args.members:,} members"
        rows.append((f'{label}: bytes per copy in mail_mail (largest)',
                     *(cell(k, lambda r: f"{r['storage']['mail_mail_bytes'] / max(r['storage']['copies'], 1):,.0f}"
                                         f" ({r['storage']['largest_copy_bytes']:,})") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d['storage']['mail_mail_bytes'] / o['storage']['mail_mail_bytes'])))
        rows.append((f'{label}: stored in mail_mail + shared body',
                     *(cell(k, lambda r: f"{mb(r['storage']['mail_mail_bytes'])} + {mb(r['storage']['shared_body_bytes'])}")
                       for k in ('ours', 'odoo')),
                     adv(lambda o, d: storage_total(d) / storage_total(o))))
    if args.send and all('send' in results[k] for k in keys):
        if 'wire' in results:
            wire_rate = results['wire']['rate']['median']
            rows.append((f"The wire's limit: smtplib pushing prebuilt {results['wire']['bytes']:,}-byte copies, "
                         "one session (msg/s)", f'{wire_rate:.0f}', f'{wire_rate:.0f}', '-'))
            rows.append(("Sending, one worker: share of the wire's limit",
                         *(cell(k, lambda r: f"{r['send']['rate']['median'] / wire_rate:.0%}") for k in ('ours', 'odoo')),
                         '-'))
        rows.append((f'Sending {args.send:,} queued mails: msg/s, median (best)',
                     *(cell(k, lambda r: f"{r['send']['rate']['median']:.0f} ({r['send']['rate']['max']:.0f})")
                       for k in ('ours', 'odoo')),
                     adv(lambda o, d: o['send']['rate']['median'] / d['send']['rate']['median'])))
        rows.append((f'Sending {args.send:,} queued mails: time, median',
                     *(cell(k, lambda r: f"{r['send']['seconds']['median']:.1f} s") for k in ('ours', 'odoo')),
                     adv(lambda o, d: d['send']['seconds']['median'] / o['send']['seconds']['median'])))
        if 'send_signed' in results['ours']:
            signed, unsigned = results['ours']['send_signed'], results['ours']['send']
            rows.append((f'Sending {args.send:,} DKIM-signed mails (ours): msg/s, median; signed/unsigned',
                         f"{signed['rate']['median']:.0f}", '-',
                         f"{signed['rate']['median'] / unsigned['rate']['median']:.2f} of unsigned"))
        rows.append(('Sending: delivered to the sink / failed',
                     *(cell(k, lambda r: f"{r['send']['sink_received']:,} / {r['send']['failed']:,}") for k in ('ours', 'odoo')),
                     '-'))

    header = ('Metric', TARGETS['ours']['label'], TARGETS['odoo']['label'], 'ours advantage (>1 = ours better)')
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(header, widths)) + ' |',
             '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    lines += ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(row, widths)) + ' |' for row in rows]
    return '\n'.join(lines)


def growth_text(results, args):
    """How ours grows with the list: fan-out time, queries and peak memory
    at each size, and the factor from one size to the next."""
    ours = results.get('ours', {})
    sizes = [size for size in args.sizes if f'fanout_{size}' in ours]
    if len(sizes) < 2:
        return ''
    figures = {size: ours[f'fanout_{size}'] for size in sizes}
    rows = [('Fan-out time, median', lambda f: f"{f['seconds']['median']:.2f} s"),
            ('SQL queries', lambda f: f"{f['queries']['median']:,.0f}"),
            ('Peak memory (Python objects, tracemalloc)', lambda f: f"{f['peak_mb']['median']:.1f} MB")]
    keys = {'Fan-out time, median': 'seconds', 'SQL queries': 'queries', 'Peak memory (Python objects, tracemalloc)': 'peak_mb'}
    header = ['Growth of ours (website_mail_group)', *(f'{size:,} members' for size in sizes),
              *(f'x{b // a} members: x' for a, b in zip(sizes, sizes[1:]))]
    lines = []
    for label, fmt in rows:
        key = keys[label]
        factors = []
        for a, b in zip(sizes, sizes[1:]):
            before, after = figures[a][key]['median'], figures[b][key]['median']
            factors.append(f'{after / before:.2f}' if before else '-')
        lines.append([label, *(fmt(figures[size]) for size in sizes), *factors])
    if 'odoo' in results:
        odoo = results['odoo']
        lines.append(["Odoo's fan-out time, median", *(
            f"{odoo[f'fanout_{size}']['seconds']['median']:.2f} s" if f'fanout_{size}' in odoo else 'not run'
            for size in sizes), *('' for __ in sizes[1:])])
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    out = ['', '| ' + ' | '.join(str(c).ljust(w) for c, w in zip(header, widths)) + ' |',
           '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    out += ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(row, widths)) + ' |' for row in lines]
    return '\n'.join(out)


def breakdown_text(results):
    out = []
    for key in ('ours', 'odoo'):
        bd = results.get(key, {}).get('breakdown')
        if not bd:
            continue
        out.append(f"\nQuery breakdown, {TARGETS[key]['label']}, fan-out to {bd['size']:,} members "
                   f"(statements grouped, top {len(bd['statements'])}):")
        for item in bd['statements']:
            sites = ', '.join(f'{site} x{n}' for site, n in item['sites'])
            out.append(f"  {item['count']:>6}  {item['statement'][:120]}")
            out.append(f"          from {sites}")
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--members', type=int, default=10000, help='members for the fan-out (default 10000)')
    parser.add_argument('--growth', default='1000,10000,100000',
                        help='fan-out sizes measured for ours alone, to see how figures grow (default 1000,10000,100000;'
                             ' Odoo is measured at the sizes up to --members)')
    parser.add_argument('--send', type=int, default=5000,
                        help="queued mails for the sending test, to Postfix's smtp-sink (default 5000; 0: skip)")
    parser.add_argument('--no-dkim', dest='dkim', action='store_false',
                        help='do not also send the same post DKIM-signed (ours)')
    parser.add_argument('--wire-size', type=int, default=5120,
                        help="bytes of each prebuilt copy of the wire's limit (default 5120)")
    parser.add_argument('--post-kb', type=int, default=50,
                        help='size of the post whose storage is measured at --members (default 50; 0: skip)')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each measurement up to --members (default 3)')
    parser.add_argument('--repeat-large', type=int, default=1,
                        help='runs of the fan-outs larger than --members, and of the sending test (default 1)')
    parser.add_argument('--reset', action='store_true', help='drop and recreate the two benchmark databases')
    parser.add_argument('--only', choices=('ours', 'odoo'), help='measure one module only')
    parser.add_argument('--mute-pct', type=float, default=10,
                        help='ours: also time a reply to a thread this %% of the members mutes, at each fan-out size '
                             '(default 10; 0: not measured)')
    parser.add_argument('--no-breakdown', action='store_true', help='skip the per-statement query breakdown')
    parser.add_argument('--profile', action='store_true',
                        help='also cProfile one fan-out of each module (bench/results/profile_*.txt)')
    parser.add_argument('--rev', help='benchmark this git revision of website_mail_group (default: the working tree)')
    parser.add_argument('--db-suffix', default='',
                        help='added to both database names (e.g. _mine), so parallel checkouts do not share them')
    parser.add_argument('--json', default=os.path.join(HERE, 'results', 'latest.json'), help='where to write raw results')
    parser.add_argument('--parallel-send', type=int, default=2000,
                        help='copies for the parallel sending test (bench/parallel.py; default 2000; 0: skip)')
    parser.add_argument('--archive-posts', type=int, default=20000,
                        help='posts in the group of the archive pages test (bench/archive.py; default 20000; 0: skip)')
    parser.add_argument('--layouts', default='1x1,1x2,2x1',
                        help='parallel sending: servers x cron workers each (default 1x1,1x2,2x1)')
    parser.add_argument('--latency-ms', type=float, default=2, help="parallel sending: the sink's latency per message")
    parser.add_argument('--parallel-only', action='store_true', help='measure the parallel sending only')
    args = parser.parse_args()
    for target in TARGETS.values():
        target['db'] += args.db_suffix
    if args.parallel_only:
        args.growth, args.send, args.no_breakdown, args.post_kb, args.archive_posts = '', 0, True, 0, 0
        args.parallel_send = args.parallel_send or 10000
    growth = sorted({int(size) for size in args.growth.split(',') if size.strip() and int(size) > 0})
    args.sizes = sorted({*growth, args.members})
    keys = [args.only] if args.only else ['ours', 'odoo']
    targets = {k: TARGETS[k] for k in keys}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    os.makedirs(os.path.join(HERE, 'results'), exist_ok=True)

    started = time.time()
    source = snapshot_source(args.rev) if 'ours' in targets else None
    log(f'[bench] website_mail_group source: {source}')
    for target in targets.values():
        ensure_database(target, args.reset)

    if args.parallel_only:
        args.sizes = []
    sizes = sorted({10, *args.sizes, *([args.send] if args.send else []),
                    *([args.parallel_send] if args.parallel_send else [])})
    for target in targets.values():
        log(f"[bench] {target['db']}: groups with {', '.join(map(str, sizes))} members")
        worker(target, 'setup', '--sizes', ','.join(map(str, sizes)))

    results = {k: {} for k in keys}
    for size in args.sizes:
        for key, target in targets.items():
            if key == 'odoo' and size > args.members:
                continue
            repeat = args.repeat if size <= args.members else args.repeat_large
            extra = []
            if size == args.members and not args.no_breakdown:
                extra.append('--breakdown')
            if size == args.members and args.profile:
                extra += ['--profile', os.path.join(HERE, 'results', f'profile_{key}.prof')]
            log(f"[bench] fan-out to {size} members, {target['db']}, {repeat} runs")
            res = worker(target, 'fanout', '--size', size, '--repeat', repeat, *extra, timeout=3600)
            for run in res['runs']:
                if run['mails'] != size:
                    log(f"[bench] WARNING {key}: {run['mails']} mail.mail queued for {size} members")
            results[key][f'fanout_{size}'] = {
                'seconds': summary([r['seconds'] for r in res['runs']]),
                'queries': summary([r['queries'] for r in res['runs']]),
                'peak_mb': summary([r['peak_mb'] for r in res['runs']]),
                'mails': [r['mails'] for r in res['runs']],
            }
            if 'breakdown' in res:
                results[key]['breakdown'] = {'size': size, 'statements': res['breakdown']}

    if args.mute_pct and 'ours' in targets:
        # the reply's recipients are one query per page whatever the mutes (mail_group_distribution.py)
        for size in args.sizes:
            repeat = args.repeat if size <= args.members else args.repeat_large
            log(f"[bench] fan-out of a reply to {size} members, {args.mute_pct:g}% muting its thread, "
                f"{targets['ours']['db']}, {repeat} runs")
            res = worker(targets['ours'], 'fanout', '--size', size, '--repeat', repeat, '--mute-pct', args.mute_pct,
                         timeout=3600)
            expected = size - len(range(0, size, max(round(100 / args.mute_pct), 1)))
            for run in res['runs']:
                if run['mails'] != expected:
                    log(f"[bench] WARNING ours: {run['mails']} mail.mail queued for {expected} members not muting")
            results['ours'][f'fanout_muted_{size}'] = {
                'seconds': summary([r['seconds'] for r in res['runs']]),
                'queries': summary([r['queries'] for r in res['runs']]),
                'peak_mb': summary([r['peak_mb'] for r in res['runs']]),
                'mails': [r['mails'] for r in res['runs']],
            }

    if args.post_kb:
        for key, target in targets.items():
            log(f"[bench] storage of a {args.post_kb} KB post to {args.members} members, {target['db']}")
            results[key]['storage'] = worker(target, 'storage', '--size', args.members, '--post-kb', args.post_kb)

    port = None
    if args.send:
        sink = wire.CSink()
        port = sink.port
        log(f"[bench] Postfix's smtp-sink on 127.0.0.1:{port}")
        wires = []
        try:
            wires.append(wire.wire_limit(port, args.send, args.wire_size))
            for key, target in targets.items():
                log(f"[bench] sending {args.send} mails, {target['db']}, {args.repeat_large} runs")
                before = sink.count()
                res = worker(target, 'send', '--size', args.send, '--repeat', args.repeat_large, '--port', port,
                             timeout=3600)
                runs = res['runs']
                for run in runs:
                    if run['failed'] or run['unsent']:
                        log(f"[bench] WARNING {key}: {run['failed']} failed, {run['unsent']} unsent: {run['failure_reasons']}")
                results[key]['send'] = send_result(runs, sink.count() - before)
                if key == 'ours' and args.dkim:
                    log(f"[bench] sending {args.send} DKIM-signed mails, {target['db']}, {args.repeat_large} runs")
                    before = sink.count()
                    res = worker(target, 'send', '--size', args.send, '--repeat', args.repeat_large, '--port', port,
                                 '--dkim', timeout=3600)
                    results[key]['send_signed'] = send_result(res['runs'], sink.count() - before)
            wires.append(wire.wire_limit(port, args.send, args.wire_size))
        finally:
            sink.stop()
        results['wire'] = {'rate': summary([w['rate'] for w in wires]), 'bytes': wires[0]['bytes']}

    if args.parallel_send:
        parallel_results = parallel.measure(targets, args, worker, start_sink, log)
        for key in keys:
            results[key]['parallel_send'] = parallel_results[key]

    meta = {
        'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        'command': ' '.join(['python3', 'bench/run.py', *sys.argv[1:]]),
        'cpus': os.cpu_count(), 'load_before': os.getloadavg(),
        'postgres': psql('SHOW server_version'), 'elapsed_s': round(time.time() - started),
        'source': source, 'sizes': args.sizes, 'send': args.send, 'repeat': args.repeat,
        'repeat_large': args.repeat_large, 'post_kb': args.post_kb, 'parallel_send': args.parallel_send,
        'layouts': args.layouts, 'latency_ms': args.latency_ms,
    }
    with open(args.json, 'w') as f:
        json.dump({'meta': meta, 'results': results}, f, indent=1)

    print(f"\nwebsite_mail_group vs Odoo 17 mail_group — {meta['date']}, {meta['cpus']} CPUs, "
          f"PostgreSQL {meta['postgres']}, {args.repeat} runs each (after a warm-up)")
    print(f"website_mail_group source: {source}; command: {meta['command']}\n")
    if not args.parallel_only:
        print(report(results, args, port))
        print(growth_text(results, args))
    if args.parallel_send:
        print(f'\nParallel sending of {args.parallel_send:,} copies, sink latency {args.latency_ms:g} ms per message:\n')
        print(parallel.report({key: results[key]['parallel_send'] for key in keys},
                              {key: TARGETS[key]['label'] for key in keys}))
    if not args.no_breakdown:
        print(breakdown_text(results))
    sys.stdout.flush()
    if args.archive_posts:
        # the web archive, through real HTTP servers (bench/archive.py prints its own table)
        command = [sys.executable, os.path.join(HERE, 'archive.py'), '--messages', str(args.archive_posts),
                   '--threads', str(max(args.archive_posts // 5, 1)), '--deep-page', '50', '--flat-page', '50',
                   '--requests', '10', '--no-steps', '--no-stream']
        if args.only:
            command += ['--only', args.only]
        print(f"\nArchive pages ({' '.join(['python3', 'bench/archive.py', *command[2:]])}):\n", flush=True)
        subprocess.run(command, check=True)
    print(f"\nRaw figures: {os.path.relpath(args.json, REPO)}; total {meta['elapsed_s']} s")


if __name__ == '__main__':
    main()
