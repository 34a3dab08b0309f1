#!/usr/bin/env python3
"""Archive pages with many messages: our website_mail_group vs Odoo 17's own
website_mail_group (+ mail_group), side by side, through real HTTP servers.

    python3 bench/archive.py [--messages 100000] [--threads 20000] [--requests 20]
    make bench-archive BENCH_ARCHIVE_ARGS='--requests 10'

Databases (the ones of bench/run.py, reused):
  wmg_bench_ours  our website_mail_group, addons path = this repo + Odoo's addons
                  (updated with -u first when our module's source changed)
  wmg_bench_odoo  Odoo's mail_group + website_mail_group, addons path = Odoo's
                  addons only (website_mail_group installed here when missing)

Fixture (once, reused while the counts match): a public, unmoderated group
"Bench archive" created through the ORM, then --messages accepted posts in
--threads threads (first post the root, the others replies, some nested),
spread evenly over --months months, inserted with INSERT ... SELECT
generate_series (mail_message + mail_group_message rows; fixture only), then
ANALYZE.

Measured: each database is served by its own Odoo (`--workers=0
--max-cron-threads=0`, ports 8481 / 8482, log in bench/results/), then, per
page, --warmup untimed requests and --requests timed sequential GETs (POST for
the JSON replies) from urllib on 127.0.0.1: median and p90 wall time.  The
SQL queries of each request come from the server itself: Odoo's request log
line ends with "<queries> <sql time> <other time>" for every request.
The two servers alternate page by page.

Pages Odoo's module does not have (ours only, same timing): the group's Atom
feed (50 latest posts), a thread's feed and one month's mbox. Streaming of
the mbox (--no-stream to skip): the server's resident memory (VmRSS, read
every 5 ms from /proc) while a month's mbox and then the whole archive's are
downloaded, next to their size and time to first byte: with a streamed
response the peak does not grow with the download.

--only ours runs our side alone (no Odoo database needed), --ours-db and
--ours-port point it at another database and port.

Query count vs page size (--no-steps to skip): in a separate process per
database, the same pages are rendered in-process through Odoo's WSGI
application (werkzeug test client), with 20 and then 50 threads per page
(our ARCHIVE_STEP, Odoo's PortalMailGroup._thread_per_page), counting the
SQL statements of each request; statements run more than once are listed.
"""
import argparse
import collections
import datetime
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')
sys.path.insert(0, HERE)

import run  # noqa: E402  (ODOO_SRC, psql, source_hash)
from archive_stream import measure_stream  # noqa: E402

ODOO_ADDONS = run.ODOO_ADDONS
GROUP_ALIAS = 'bench-archive'
GROUP_NAME = 'Bench archive'

TARGETS = {
    'ours': {'db': 'wmg_bench_ours', 'port': 8481, 'module': 'website_mail_group',
             'addons_path': f'{REPO},{ODOO_ADDONS}', 'label': 'ours'},
    'odoo': {'db': 'wmg_bench_odoo', 'port': 8482, 'module': 'website_mail_group',
             'addons_path': ODOO_ADDONS, 'label': "Odoo's"},
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Databases and fixture
# ---------------------------------------------------------------------------

def odoo_run(target, *args):
    cmd = [sys.executable, '-m', 'odoo', f"--addons-path={target['addons_path']}", '-d', target['db'],
           *args, '--without-demo=all', '--stop-after-init', '--no-http', '--log-level=warn']
    subprocess.run(cmd, check=True, cwd='/tmp')


def ensure_module(key):
    """Our database runs the working tree (-u when it changed); Odoo's gets
    its website_mail_group installed next to mail_group."""
    target = TARGETS[key]
    db = target['db']
    exists = run.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == '1'
    if not exists:
        raise SystemExit(f'{db} does not exist: run bench/run.py once first')
    state = run.psql(f"SELECT state FROM ir_module_module WHERE name = '{target['module']}'", db)
    if key == 'odoo':
        if state != 'installed':
            log(f'[archive] {db}: installing Odoo\'s website_mail_group')
            odoo_run(target, '-i', 'website_mail_group')
        return
    stamp = os.path.join(RESULTS, f'archive_{db}.source')
    current = run.source_hash({'addons_path': target['addons_path'], 'module': target['module']})
    previous = open(stamp).read().strip() if os.path.exists(stamp) else None
    if state != 'installed':
        raise SystemExit(f'{db}: website_mail_group is not installed: run bench/run.py once first')
    if previous != current:
        log(f'[archive] {db}: updating website_mail_group (source changed)')
        odoo_run(target, '-u', 'website_mail_group')
        with open(stamp, 'w') as f:
            f.write(current)


def inner(target, *args, timeout=3600):
    """Run this file's in-Odoo part for ``target``; its last stdout line is
    ``ARCHIVE_RESULT <json>``."""
    cmd = [sys.executable, os.path.abspath(__file__), '--inner', f"--addons-path={target['addons_path']}",
           f"--db={target['db']}", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd='/tmp')
    if out.returncode:
        log(out.stdout[-3000:], out.stderr[-5000:])
        raise SystemExit(f"in-Odoo step failed for {target['db']}: {' '.join(args)}")
    for line in reversed(out.stdout.splitlines()):
        if line.startswith('ARCHIVE_RESULT '):
            return json.loads(line[len('ARCHIVE_RESULT '):])
    raise SystemExit(f'no result from {cmd}')


FIXTURE_SQL = """
CREATE TEMP TABLE bench_seq ON COMMIT DROP AS
SELECT i, i / %(per)s AS t, i %% %(per)s AS p,
       nextval('mail_message_id_seq') AS mm_id,
       nextval('mail_group_message_id_seq') AS gm_id,
       %(start)s::timestamp + (i * (%(span_s)s::float / %(n)s)) * interval '1 second' AS d
  FROM generate_series(0, %(n)s - 1) AS i;
CREATE UNIQUE INDEX ON bench_seq (i);
ANALYZE bench_seq;

INSERT INTO mail_message (id, model, res_id, message_type, subtype_id, subject, body, email_from,
                          date, message_id, create_date, write_date, create_uid, write_uid)
SELECT s.mm_id, 'mail.group', %(group_id)s, 'email', %(subtype_id)s,
       CASE WHEN s.p = 0 THEN 'Thread ' || s.t || ': question about release ' || (s.t %% 97)
            ELSE 'Re: Thread ' || s.t || ': question about release ' || (s.t %% 97) END,
       '<div><p>Hello list,</p><p>This is message ' || s.i || ' of thread ' || s.t
         || '. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor '
         || 'incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud '
         || 'exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>'
         || '<p>-- <br>Author ' || (s.i %% 500) || '</p></div>',
       'Author ' || (s.i %% 500) || ' <author' || (s.i %% 500) || '@bench-archive.example.org>',
       s.d, '<bench-archive-' || s.i || '@bench-archive.example.org>', s.d, s.d, 1, 1
  FROM bench_seq s;

INSERT INTO mail_group_message ({gm_columns})
SELECT {gm_values}
  FROM bench_seq s
  LEFT JOIN bench_seq parent
         ON s.p > 0 AND parent.i = s.t * %(per)s + (CASE WHEN s.p <= 2 THEN 0 ELSE s.p - 2 END);
"""


def _columns(cr):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'mail_group_message'")
    return cr.fetchall()


def inner_setup(env, args):
    """The group (ORM) and its messages (SQL), reused when complete."""
    from worker import ensure_alias_domain

    from odoo.addons.http_routing.models.ir_http import slug
    cr = env.cr
    domain = ensure_alias_domain(env)
    Group = env['mail.group'].with_context(active_test=False, mail_create_nolog=True, tracking_disable=True)
    group = Group.search([('alias_name', '=', GROUP_ALIAS)], limit=1)
    if not group:
        group = Group.create({'name': GROUP_NAME, 'alias_name': GROUP_ALIAS, 'alias_domain_id': domain.id,
                              'access_mode': 'public', 'moderation': False})
    group.write({'active': True, 'access_mode': 'public', 'moderation': False})
    cr.commit()
    per = args.messages // args.threads
    cr.execute("""SELECT count(*), count(*) FILTER (WHERE group_message_parent_id IS NULL)
                    FROM mail_group_message WHERE mail_group_id = %s AND moderation_status = 'accepted'""",
               [group.id])
    count, roots = cr.fetchone()
    created = False
    if (count, roots) != (args.messages, args.threads):
        t0 = time.perf_counter()
        cr.execute("DELETE FROM mail_message WHERE model = 'mail.group' AND res_id = %s", [group.id])
        cr.execute("DELETE FROM mail_group_message WHERE mail_group_id = %s", [group.id])
        existing = {row[0] for row in _columns(cr)}
        columns = {
            'id': 's.gm_id', 'mail_message_id': 's.mm_id', 'mail_group_id': str(group.id),
            'group_message_parent_id': 'parent.gm_id', 'moderation_status': "'accepted'",
            'email_from_normalized': "'author' || (s.i %% 500) || '@bench-archive.example.org'",
            'create_date': 's.d', 'write_date': 's.d', 'create_uid': '1', 'write_uid': '1',
            # ours: the stored Date header, the distribution date, digests done
            'date': 's.d', 'accepted_date': 's.d', 'digest_daily_done': 'true', 'digest_weekly_done': 'true',
            # a post's latest activity: its thread's last post (replies of a thread are consecutive)
            'last_activity_date': '(SELECT last.d FROM bench_seq last'
                                  ' WHERE last.i = LEAST(s.t * %(per)s + %(per)s - 1, %(n)s - 1))',
        }
        columns = {name: value for name, value in columns.items() if name in existing}
        sql = FIXTURE_SQL.format(gm_columns=', '.join(columns), gm_values=', '.join(columns.values()))
        subtype = env.ref('mail.mt_comment')
        cr.execute(sql, {'per': per, 'n': args.messages, 'group_id': group.id, 'subtype_id': subtype.id,
                         'start': '2024-01-01 08:00:00', 'span_s': args.months * 30.44 * 86400})
        cr.commit()
        cr.execute('ANALYZE mail_message')
        cr.execute('ANALYZE mail_group_message')
        cr.commit()
        created = round(time.perf_counter() - t0, 1)
    if 'search_vector' in {row[0] for row in _columns(cr)}:
        # ours: the search vectors of posts inserted without the ORM (what init() does on -u)
        from odoo.tools import SQL
        cr.execute("SELECT 1 FROM mail_group_message WHERE mail_group_id = %s AND search_vector IS NULL LIMIT 1",
                   [group.id])
        if cr.fetchone():
            t0 = time.perf_counter()
            Message = env['mail.group.message']
            Message._search_index_where(SQL('post.mail_group_id = %s', group.id), Message._search_config())
            cr.commit()
            cr.execute('ANALYZE mail_group_message')
            cr.commit()
            log(f'[archive] search vectors in {time.perf_counter() - t0:.1f}s')
    env.invalidate_all()
    # a thread root in the middle of the archive, and a month with messages
    cr.execute("""SELECT id FROM mail_group_message WHERE mail_group_id = %s AND group_message_parent_id IS NULL
                  ORDER BY id LIMIT 1 OFFSET %s""", [group.id, args.threads // 2])
    root = env['mail.group.message'].browse(cr.fetchone()[0])
    cr.execute("SELECT count(*) FROM mail_group_message WHERE group_message_parent_id = %s", [root.id])
    direct_replies = cr.fetchone()[0]
    month = root.create_date.replace(day=1).date()
    month_end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return {'group_id': group.id, 'group_slug': slug(group), 'root_id': root.id, 'root_slug': slug(root),
            'direct_replies': direct_replies, 'month_begin': month.isoformat(),
            'month_end': month_end.isoformat(), 'created_s': created,
            # in every post / in the few posts of one thread ("Thread N", "of thread N") and one body
            'common_word': 'lorem', 'rare_word': str(args.threads // 2 + 7)}


def cases(key, fx, deep_page, flat_page):
    """(label, method, path, json body) of each measured page."""
    g = fx['group_slug']
    month = f"date_begin={fx['month_begin']}&date_end={fx['month_end']}"
    replies = (f"/groups/{fx['group_id']}/{fx['root_id']}/get_replies" if key == 'ours'
               else f"/groups/{g}/{fx['root_slug']}/get_replies")
    replies_params = {} if key == 'ours' else {'last_displayed_id': 0}
    return [
        ('groups list (/groups)', 'GET', '/groups', None),
        ('archive, first page', 'GET', f'/groups/{g}', None),
        (f'archive, page {deep_page}', 'GET', f'/groups/{g}/page/{deep_page}', None),
        (f'flat (by date), page {flat_page}', 'GET', f'/groups/{g}/page/{flat_page}?mode=date', None),
        ('archive, one month', 'GET', f'/groups/{g}?{month}', None),
        ('message page (thread root)', 'GET', f"/groups/{g}/{fx['root_slug']}", None),
        ('replies JSON (first batch)', 'POST', replies,
         {'jsonrpc': '2.0', 'method': 'call', 'params': replies_params}),
        # Odoo's module has no search page (path None: not measured)
    ]


def ours_only_cases(fx):
    """(label, method, path, body) of our pages Odoo's module does not have."""
    g = fx['group_slug']
    return [
        ('Atom feed (50 latest)', 'GET', f'/groups/{g}/feed', None),
        ('Atom feed of a thread', 'GET', f"/groups/{g}/{fx['root_slug']}/feed", None),
        ('mbox, one month', 'GET', f"/groups/{g}/mbox?month={fx['month_begin'][:7]}", None),
        ('search, common word', 'GET', f"/groups/{g}/search?q={fx['common_word']}", None),
        ('search, rare word', 'GET', f"/groups/{g}/search?q={fx['rare_word']}", None),
    ]


def inner_queries(registry, args):
    """Render each page in-process through Odoo's WSGI app with 20 and 50
    threads per page; count the statements of each request."""
    import threading

    from werkzeug.test import Client
    from worker import Recorder

    import odoo
    import odoo.sql_db
    from odoo import http

    state = {'recorder': None, 'slow': None}
    original = odoo.sql_db.Cursor.execute

    def execute(self, query, params=None, log_exceptions=True):
        if state['recorder'] is None:
            return original(self, query, params, log_exceptions)
        state['recorder'].record(query)
        t0 = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            code = getattr(query, 'code', query)
            state['slow'].append((time.perf_counter() - t0, str(code), getattr(query, 'params', params)))

    odoo.sql_db.Cursor.execute = execute

    fx = json.loads(args.fixture)
    if args.key == 'ours':
        from odoo.addons.website_mail_group.controllers import archive as controller

        def set_step(step):
            controller.ARCHIVE_STEP = step
    else:
        from odoo.addons.mail_group.controllers.portal import PortalMailGroup

        def set_step(step):
            PortalMailGroup._thread_per_page = step
    client = Client(http.root)
    out = {}
    for step in (20, 50):
        set_step(step)
        # same pages whatever the step: the deep ones at the same offset ratio
        deep = max(1, args.deep_page * 20 // step)
        flat = max(1, args.flat_page * 20 // step)
        for label, method, path, body in cases(args.key, fx, deep, flat):
            label = re.sub(r'page \d+', 'deep page', label)
            if path is None:
                continue
            for _attempt in range(2):  # the first one warms caches
                thread = threading.current_thread()
                thread.query_count = 0
                state['recorder'] = recorder = Recorder(args.module_marker)
                state['slow'] = slow = []
                t0 = time.perf_counter()
                if method == 'GET':
                    response = client.get(path)
                else:
                    response = client.post(path, data=json.dumps(body), content_type='application/json')
                elapsed = time.perf_counter() - t0
                state['recorder'] = None
                count = thread.query_count
            status = response.status_code
            repeated = [(n, statement[:160]) for statement, n in recorder.statements.most_common() if n > 1]
            slowest = [{'ms': round(d * 1000, 2), 'sql': ' '.join(sql.split())[:1500], 'params': repr(params)[:300]}
                       for d, sql, params in sorted(slow, key=lambda item: -item[0])[:5]]
            out.setdefault(label, {})[step] = {'queries': count, 'status': status, 'repeated': repeated[:8],
                                               'ms': round(elapsed * 1000, 1), 'slowest': slowest}
    return out


def inner_main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('--inner', action='store_true')
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--db', required=True)
    parser.add_argument('--phase', choices=('setup', 'queries'), required=True)
    parser.add_argument('--messages', type=int, default=100000)
    parser.add_argument('--threads', type=int, default=20000)
    parser.add_argument('--months', type=int, default=24)
    parser.add_argument('--key')
    parser.add_argument('--fixture')
    parser.add_argument('--deep-page', type=int, default=500)
    parser.add_argument('--flat-page', type=int, default=2500)
    parser.add_argument('--module-marker', default='website_mail_group/')
    args = parser.parse_args(argv)
    import odoo
    odoo.tools.config.parse_config([
        f'--addons-path={args.addons_path}', '-d', args.db, f'--db-filter=^{args.db}$', '--without-demo=all',
        '--log-level=warn', '--max-cron-threads=0',
    ])
    registry = odoo.registry(args.db)
    if args.phase == 'setup':
        with registry.cursor() as cr:
            result = inner_setup(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), args)
    else:
        odoo.service.server.load_server_wide_modules()
        result = inner_queries(registry, args)
    sys.stdout.write('ARCHIVE_RESULT ' + json.dumps(result, default=str) + '\n')


# ---------------------------------------------------------------------------
# Servers and HTTP timing
# ---------------------------------------------------------------------------

def start_server(key):
    target = TARGETS[key]
    logfile = os.path.join(RESULTS, f"archive_server_{key}.log")
    if os.path.exists(logfile):
        os.unlink(logfile)
    cmd = [sys.executable, '-m', 'odoo', f"--addons-path={target['addons_path']}", '-d', target['db'],
           f"--db-filter=^{target['db']}$", f"--http-port={target['port']}", '--http-interface=127.0.0.1',
           '--workers=0', '--max-cron-threads=0', f'--logfile={logfile}', '--log-level=info']
    proc = subprocess.Popen(cmd, cwd='/tmp', stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target['proc'], target['logfile'] = proc, logfile
    return proc


def wait_ready(key, timeout=180):
    target = TARGETS[key]
    deadline = time.time() + timeout
    while time.time() < deadline:
        if target['proc'].poll() is not None:
            raise SystemExit(f"server for {target['db']} exited; see {target['logfile']}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{target['port']}/web/login", timeout=30) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise SystemExit(f"server for {target['db']} not ready after {timeout}s")


def stop_server(key):
    proc = TARGETS[key].get('proc')
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


_LOG_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) - (\d+) ([\d.]+) ([\d.]+)')


def read_log(key, offset):
    with open(TARGETS[key]['logfile'], errors='replace') as f:
        f.seek(offset)
        text = f.read()
        return f.tell(), [(m.group(2), int(m.group(3)), int(m.group(4)), float(m.group(5)), float(m.group(6)))
                          for m in _LOG_LINE.finditer(text)]


def log_size(key):
    return os.path.getsize(TARGETS[key]['logfile'])


def make_opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(opener, port, method, path, body):
    url = f'http://127.0.0.1:{port}{path}'
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={'Content-Type': 'application/json'} if data else {})
    t0 = time.perf_counter()
    with opener.open(request, timeout=300) as response:
        payload = response.read()
        status = response.status
    elapsed = time.perf_counter() - t0
    if method == 'POST':
        answer = json.loads(payload)
        if 'error' in answer or (isinstance(answer.get('result'), dict) and answer['result'].get('error')):
            raise SystemExit(f'{url}: {str(answer)[:500]}')
    return elapsed, status, len(payload)


def p90(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]


def measure_one(args, opener, key, label, method, path, body):
    port = TARGETS[key]['port']
    for _ in range(args.warmup):
        fetch(opener, port, method, path, body)
    offset = log_size(key)
    times, sizes = [], []
    for _ in range(args.requests):
        elapsed, status, size = fetch(opener, port, method, path, body)
        if status != 200:
            raise SystemExit(f'{key} {path}: HTTP {status}')
        times.append(elapsed)
        sizes.append(size)
    time.sleep(0.3)  # the log line is written after the response
    __, lines = read_log(key, offset)
    lines = [line for line in lines if line[0] == path.split('?')[0] or line[0] == path]
    queries = [line[2] for line in lines]
    result = {
        'path': path, 'median_ms': statistics.median(times) * 1000, 'p90_ms': p90(times) * 1000,
        'min_ms': min(times) * 1000, 'bytes': statistics.median(sizes),
        'queries': statistics.median(queries) if queries else None,
        'queries_min': min(queries) if queries else None, 'queries_max': max(queries) if queries else None,
        'sql_ms': statistics.median(line[3] for line in lines) * 1000 if lines else None,
    }
    log(f"[archive] {key:4} {label:32} median {result['median_ms']:8.1f} ms  "
        f"p90 {result['p90_ms']:8.1f} ms  queries {result['queries']}")
    return result


def measure(args, fixtures):
    keys = active_keys(args)
    openers = {key: make_opener() for key in keys}
    case_lists = {key: cases(key, fixtures[key], args.deep_page, args.flat_page) for key in keys}
    results = collections.OrderedDict()
    for index in range(len(case_lists[keys[0]])):
        for key in keys:  # alternate the two servers page by page
            label, method, path, body = case_lists[key][index]
            results.setdefault(label, {})[key] = measure_one(args, openers[key], key, label, method, path, body)
    if 'ours' in keys:
        for label, method, path, body in ours_only_cases(fixtures['ours']):
            results.setdefault(label, {})['ours'] = measure_one(
                args, openers['ours'], 'ours', label, method, path, body)
    return results


def active_keys(args):
    return [args.only] if args.only else list(TARGETS)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def report(args, fixtures, timing, steps, stream=None):
    out = [f"Archive pages, {args.messages:,} accepted messages in {args.threads:,} threads over "
           f"{args.months} months; {args.requests} sequential requests each after {args.warmup} warm-up",
           '',
           '| Page | ours median (p90) | Odoo\'s median (p90) | ours faster by (Odoo / ours) '
           '| ours queries | Odoo\'s queries | ours SQL time | Odoo\'s SQL time |',
           '|---|---|---|---|---|---|---|---|']
    def q(item):
        if item is None:
            return 'n/a'
        if item['queries'] is None:
            return '?'
        if item['queries_min'] != item['queries_max']:
            return f"{item['queries']:g} ({item['queries_min']}-{item['queries_max']})"
        return f"{item['queries']:g}"

    def ms(item, key):
        return f"{item[key]:.1f} ms" if item and item.get(key) is not None else 'n/a'

    for label, row in timing.items():
        ours, odoo = row.get('ours'), row.get('odoo')
        ratio = f"{odoo['median_ms'] / ours['median_ms']:.2f}x" if ours and odoo and ours['median_ms'] else '-'
        out.append(f"| {label} | {ms(ours, 'median_ms')} ({ms(ours, 'p90_ms')}) "
                   f"| {ms(odoo, 'median_ms')} ({ms(odoo, 'p90_ms')}) | {ratio} "
                   f"| {q(ours)} | {q(odoo)} | {ms(ours, 'sql_ms')} | {ms(odoo, 'sql_ms')} |")
    out.append('')
    out.append("Paths: " + '; '.join(f"{key}: {', '.join(row[key]['path'] for row in timing.values() if key in row)}"
                                      for key in TARGETS))
    if stream:
        out += ['', 'mbox streaming (our server\'s resident memory while downloading):', '',
                '| Download | size | first byte | total | RSS before | peak growth |', '|---|---|---|---|---|---|']
        for item in stream:
            out.append(f"| {item['label']} | {item['bytes'] / 1e6:.1f} MB | {item['first_byte_s'] * 1000:.0f} ms "
                       f"| {item['total_s']:.2f} s | {item['rss_before_kb'] / 1024:.0f} MiB "
                       f"| {item['peak_growth_kb'] / 1024:.1f} MiB |")
    if steps:
        out += ['', 'SQL queries per request vs threads per page (in-process render, 2nd request):', '',
                '| Page | ours, 20/page | ours, 50/page | Odoo\'s, 20/page | Odoo\'s, 50/page |',
                '|---|---|---|---|---|']
        for label in steps[active_keys(args)[0]]:
            cells = []
            for key in ('ours', 'odoo'):
                for step in ('20', '50'):
                    item = steps.get(key, {}).get(label, {}).get(step)
                    cells.append(f"{item['queries']}" + ('' if item['status'] == 200 else f" (HTTP {item['status']})")
                                 if item else '-')
            out.append(f"| {label} | {' | '.join(cells)} |")
        for key in steps:
            out += ['', f"Statements run more than once in one request, {TARGETS[key]['label']} (50/page):"]
            for label, per_step in steps[key].items():
                repeated = per_step.get('50', {}).get('repeated') or []
                shown = '; '.join(f"{n}x {statement[:90]}" for n, statement in repeated[:4]) or 'none'
                out.append(f"  {label}: {shown}")
    return '\n'.join(out)


def main():
    if '--inner' in sys.argv:
        return inner_main(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--messages', type=int, default=100000, help='accepted messages in the group (default 100000)')
    parser.add_argument('--threads', type=int, default=20000, help='threads among them (default 20000)')
    parser.add_argument('--months', type=int, default=24, help='months they are spread over (default 24)')
    parser.add_argument('--requests', type=int, default=20, help='timed requests per page (default 20)')
    parser.add_argument('--warmup', type=int, default=3, help='untimed requests per page first (default 3)')
    parser.add_argument('--deep-page', type=int, default=500, help='deep archive page (thread mode, default 500)')
    parser.add_argument('--flat-page', type=int, default=2500, help='deep page in flat mode (default 2500)')
    parser.add_argument('--no-steps', action='store_true', help='skip the queries vs page size measurement')
    parser.add_argument('--no-stream', action='store_true', help='skip the mbox streaming memory measurement')
    parser.add_argument('--only', choices=('ours', 'odoo'), help='one side only')
    parser.add_argument('--ours-db', default=TARGETS['ours']['db'], help='our database (default wmg_bench_ours)')
    parser.add_argument('--ours-port', type=int, default=TARGETS['ours']['port'], help='our server port (default 8481)')
    parser.add_argument('--json', default=os.path.join(RESULTS, 'archive.json'), help='raw results')
    args = parser.parse_args()
    TARGETS['ours'].update(db=args.ours_db, port=args.ours_port)
    os.makedirs(RESULTS, exist_ok=True)
    started = time.time()

    fixtures = {}
    for key in active_keys(args):
        target = TARGETS[key]
        ensure_module(key)
        fixtures[key] = inner(target, '--phase=setup', f'--messages={args.messages}',
                              f'--threads={args.threads}', f'--months={args.months}')
        log(f"[archive] {target['db']}: group {fixtures[key]['group_slug']}, fixture "
            f"{'created in %ss' % fixtures[key]['created_s'] if fixtures[key]['created_s'] else 'reused'}")
        # a settled database (as autovacuum leaves it): statistics and visibility map
        subprocess.run(['psql', '-XAtq', '-d', target['db'], '-c', 'VACUUM ANALYZE mail_message',
                        '-c', 'VACUUM ANALYZE mail_group_message'], check=True)

    steps = {}
    if not args.no_steps:
        for key in active_keys(args):
            target = TARGETS[key]
            steps[key] = inner(target, '--phase=queries', f'--key={key}', f'--fixture={json.dumps(fixtures[key])}',
                               f'--deep-page={args.deep_page}', f'--flat-page={args.flat_page}',
                               '--module-marker=website_mail_group/' if key == 'ours' else '--module-marker=mail_group/')

    stream = None
    try:
        for key in active_keys(args):
            start_server(key)
        for key in active_keys(args):
            wait_ready(key)
        timing = measure(args, fixtures)
        if 'ours' in fixtures and not args.no_stream:
            stream = measure_stream(TARGETS['ours'], fixtures['ours'], fetch, make_opener, log)
    finally:
        for key in active_keys(args):
            stop_server(key)

    text = report(args, fixtures, timing, steps, stream)
    with open(args.json, 'w') as f:
        json.dump({'fixtures': fixtures, 'timing': timing, 'steps': steps, 'stream': stream,
                   'seconds': round(time.time() - started, 1)}, f, indent=1, default=str)
    print(text)
    log(f'[archive] total {time.time() - started:.0f} s; raw results in {args.json}')


if __name__ == '__main__':
    main()
