"""Measurement worker: runs INSIDE one Odoo database (ours or Odoo's own
``mail_group``), started as a subprocess by ``bench/run.py``.

    python3 bench/worker.py --addons-path P --db DB setup --sizes 10,1000,10000
    python3 bench/worker.py --addons-path P --db DB fanout --size 10000 --repeat 3 [--breakdown] [--profile F]
    python3 bench/worker.py --addons-path P --db DB send --size 10000 --repeat 1 --port 2600
    python3 bench/worker.py --addons-path P --db DB storage --size 10000 --post-kb 50
    python3 bench/worker.py --addons-path P --db DB queue --size 10000 --port 2600
    python3 bench/worker.py --addons-path P --db DB sent --message 42

The last stdout line is ``BENCH_RESULT <json>``.  The same code runs against
both modules: it only uses the public interface both share (``mail.group``,
``mail.group.member``, the mail gateway, ``mail.mail``).
"""
import argparse
import collections
import cProfile
import io
import json
import pstats
import re
import secrets
import sys
import time
import traceback
import tracemalloc
import uuid

ALIAS_DOMAIN = 'bench.example.com'
AUTHOR = 'Bench Poster <poster@bench-author.example.org>'
MEMBER_EMAIL = 'member{:06d}@bench-members.example.net'
SERVER_NAME = 'wmg bench sink'


def group_alias(size):
    return f'bench-{size}'


def raw_message(size, tag, padding='', in_reply_to=None):
    """One RFC 822 post to the group alias, as the mailgate script would feed it;
    ``padding`` is added to both parts; ``in_reply_to``: a reply to that Message-ID."""
    boundary = f'=-bench-{uuid.uuid4().hex}'
    message_id = f'<bench-{tag}-{uuid.uuid4().hex}@bench-author.example.org>'
    reply = f'In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n' if in_reply_to else ''
    text = f'Hello everyone,\r\n\r\nThis is a benchmark post to the list.\r\n{padding}\r\n-- \r\nPoster\r\n'
    html = ('<div><p>Hello everyone,</p><p>This is a <b>benchmark</b> post to the list.</p>'
            f'<p>{padding}</p><p>-- <br>Poster</p></div>')
    raw = (
        f'From: {AUTHOR}\r\n'
        f'To: {group_alias(size)}@{ALIAS_DOMAIN}\r\n'
        f'Subject: Benchmark post {tag}\r\n'
        f'Message-ID: {message_id}\r\n'
        f'{reply}'
        f'Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n'
        f'MIME-Version: 1.0\r\n'
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        f'\r\n'
        f'--{boundary}\r\n'
        f'Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n'
        f'--{boundary}\r\n'
        f'Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n'
        f'--{boundary}--\r\n'
    )
    return raw.encode(), message_id


# ---------------------------------------------------------------------------
# SQL statement recorder (for the query breakdown)
# ---------------------------------------------------------------------------

_NUM = re.compile(r"\b\d+\b")
_STR = re.compile(r"'(?:[^']|'')*'")
_PLACEHOLDERS = re.compile(r"\((?:\s*%s\s*,)+\s*%s\s*\)")
_ROWS = re.compile(r"(\(%s\.\.\.\)\s*,\s*)+\(%s\.\.\.\)")
_SKIP_FILES = ('/odoo/sql_db.py', '/odoo/models.py', '/odoo/fields.py', '/odoo/api.py',
               '/odoo/tools/', '/odoo/osv/', '/contextlib.py', '/odoo/sql_db', '/odoo/modules/')


class Recorder:
    def __init__(self, module_marker):
        self.module_marker = module_marker
        self.statements = collections.Counter()
        self.sites = collections.defaultdict(collections.Counter)

    @staticmethod
    def normalize(query):
        code = getattr(query, 'code', None)
        if code is None:
            code = query if isinstance(query, str) else repr(query)
        code = ' '.join(code.split())
        code = _STR.sub("'?'", code)
        code = _NUM.sub('N', code)
        code = _PLACEHOLDERS.sub('(%s...)', code)
        code = _ROWS.sub('(%s...), ...', code)
        return code

    def site(self):
        """The innermost frame of the module under test, else of any addon."""
        addon_frame = module_frame = None
        for frame in reversed(traceback.extract_stack()[:-3]):
            name = frame.filename
            if any(skip in name for skip in _SKIP_FILES) or name.endswith('worker.py'):
                continue
            label = f"{'/'.join(name.split('/')[-3:])}:{frame.lineno} {frame.name}"
            if addon_frame is None and ('/addons/' in name or '/work/' in name):
                addon_frame = label
            if self.module_marker in name:
                module_frame = label
                break
        return module_frame or addon_frame or '?'

    def record(self, query):
        key = self.normalize(query)
        self.statements[key] += 1
        self.sites[key][self.site()] += 1


_recorder = None


def install_recorder():
    import odoo.sql_db
    original = odoo.sql_db.Cursor.execute

    def execute(self, query, params=None, log_exceptions=True):
        if _recorder is not None:
            _recorder.record(query)
        return original(self, query, params, log_exceptions)

    odoo.sql_db.Cursor.execute = execute


# ---------------------------------------------------------------------------
# Odoo environment
# ---------------------------------------------------------------------------

def open_registry(addons_path, db):
    import odoo
    odoo.tools.config.parse_config([
        f'--addons-path={addons_path}', '-d', db, '--without-demo=all',
        '--log-level=warn', '--no-http', '--max-cron-threads=0',
    ])
    return odoo.registry(db)


def new_env(cr):
    import odoo
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def ensure_alias_domain(env):
    company = env.company
    domain = env['mail.alias.domain'].search([('name', '=', ALIAS_DOMAIN)], limit=1)
    if not domain:
        domain = env['mail.alias.domain'].create({'name': ALIAS_DOMAIN})
    if company.alias_domain_id != domain:
        company.alias_domain_id = domain
    return domain


def find_group(env, size):
    return env['mail.group'].with_context(active_test=False).search(
        [('alias_name', '=', group_alias(size))], limit=1)


def ensure_group(env, size, domain):
    """A public, unmoderated group with exactly ``size`` members."""
    Group = env['mail.group'].with_context(mail_create_nolog=True, tracking_disable=True)
    group = find_group(env, size)
    if not group:
        group = Group.create({
            'name': f'Bench list {size}',
            'alias_name': group_alias(size),
            'alias_domain_id': domain.id,
            'access_mode': 'public',
            'moderation': False,
        })
    group.active = True
    Member = env['mail.group.member'].with_context(tracking_disable=True)
    existing = Member.search_count([('mail_group_id', '=', group.id)])
    if existing != size:
        Member.search([('mail_group_id', '=', group.id)]).unlink()
        for start in range(0, size, 5000):
            Member.create([
                {'mail_group_id': group.id, 'email': MEMBER_EMAIL.format(i)}
                for i in range(start, min(size, start + 5000))
            ])
    return group


def process(env, size, tag, padding='', in_reply_to=None):
    """Feed one post through the gateway and flush (as the commit that ends
    the gateway's transaction would: pending writes + precommit hooks)."""
    raw, message_id = raw_message(size, tag, padding, in_reply_to)
    env['mail.thread'].message_process(False, raw)
    env.cr.flush()
    return message_id


def find_message(env, message_id):
    return env['mail.message'].search([('message_id', '=', message_id)], limit=1)


def count_mails(env, message):
    if not message:
        return 0
    env.invalidate_all()
    return env['mail.mail'].search_count([('mail_message_id', '=', message.id)])


# ---------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------

def phase_setup(registry, args):
    sizes = sorted({int(s) for s in args.sizes.split(',') if s})
    with registry.cursor() as cr:
        env = new_env(cr)
        domain = ensure_alias_domain(env)
        groups = {}
        for size in sizes:
            t0 = time.perf_counter()
            group = ensure_group(env, size, domain)
            cr.commit()
            groups[size] = {'id': group.id, 'alias': group.alias_email,
                            'setup_s': round(time.perf_counter() - t0, 2)}
        # nothing else in the queue: the sending phase sends only our mails
        env['mail.mail'].search([('state', 'in', ('outgoing', 'exception'))]).unlink()
        cr.commit()
    return {'groups': groups}


def start_muted_thread(env, size, tag, mute_pct):
    """With ``--mute-pct`` (ours: mail.group.member.thread): a thread
    started (untimed) in the group of ``size`` members, ``mute_pct``% of
    them muting it (one member in 100/mute_pct, spread over the addresses);
    the Message-ID to reply to, else None."""
    if not mute_pct:
        return None
    message_id = process(env, size, f'{tag}-root')
    root = env['mail.group.message'].search([('mail_message_id.message_id', '=', message_id)])
    members = env['mail.group.member'].search([('mail_group_id', '=', root.mail_group_id.id)], order='id')
    step = max(round(100 / mute_pct), 1)
    env['mail.group.member.thread'].create([
        {'member_id': member.id, 'thread_id': root.id, 'state': 'mute'} for member in members[::step]])
    env['mail.mail'].search([('mail_message_id.message_id', '=', message_id)]).unlink()
    env.flush_all()
    env.cr.flush()
    return message_id


def phase_fanout(registry, args):
    global _recorder
    runs = []
    with registry.cursor() as cr:
        # warm-up: templates, ormcaches, routing; rolled back
        env = new_env(cr)
        process(env, 10, 'warmup', in_reply_to=start_muted_thread(env, 10, 'warmup', args.mute_pct))
        cr.rollback()
        for i in range(args.repeat):
            env = new_env(cr)
            parent = start_muted_thread(env, args.size, f'fanout{i}', args.mute_pct)
            env.invalidate_all()
            q0 = cr.sql_log_count
            t0 = time.perf_counter()
            message_id = process(env, args.size, f'fanout{i}', in_reply_to=parent)
            t1 = time.perf_counter()
            queries = cr.sql_log_count - q0
            mails = count_mails(env, find_message(env, message_id))
            cr.rollback()
            env.invalidate_all()
            runs.append({'seconds': t1 - t0, 'queries': queries, 'mails': mails})
        # memory: one more, untimed run under tracemalloc (it slows Python down):
        # the peak of the Python objects the fan-out holds at once
        env = new_env(cr)
        parent = start_muted_thread(env, args.size, 'memory', args.mute_pct)
        env.invalidate_all()
        tracemalloc.start()
        process(env, args.size, 'memory', in_reply_to=parent)
        __, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        cr.rollback()
        env.invalidate_all()
        for run in runs:
            run['peak_mb'] = round(peak / 2 ** 20, 1)
        result = {'runs': runs}
        if args.breakdown:
            install_recorder()
            env = new_env(cr)
            env.invalidate_all()
            _recorder = Recorder(args.module_marker)
            process(env, args.size, 'breakdown')
            recorder, _recorder = _recorder, None
            cr.rollback()
            result['breakdown'] = [
                {'count': count, 'statement': statement[:220],
                 'sites': recorder.sites[statement].most_common(3)}
                for statement, count in recorder.statements.most_common(40)
            ]
        if args.profile:
            env = new_env(cr)
            env.invalidate_all()
            profiler = cProfile.Profile()
            profiler.enable()
            process(env, args.size, 'profile')
            profiler.disable()
            cr.rollback()
            profiler.dump_stats(args.profile)
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats('cumulative')
            stats.print_stats(45)
            out.write('\n--- by own time ---\n')
            stats.sort_stats('tottime').print_stats(25)
            with open(args.profile + '.txt', 'w') as f:
                f.write(out.getvalue())
    return result


def use_sink(env, port):
    """Send through the sink only, with an empty queue."""
    server = env['ir.mail_server'].with_context(active_test=False).search([('name', '=', SERVER_NAME)], limit=1)
    values = {'name': SERVER_NAME, 'smtp_host': '127.0.0.1', 'smtp_port': port,
              'smtp_encryption': 'none', 'smtp_authentication': 'login', 'smtp_user': False,
              'smtp_pass': False, 'sequence': 1, 'active': True, 'from_filter': False}
    if server:
        server.write(values)
    else:
        server = env['ir.mail_server'].create(values)
    (env['ir.mail_server'].search([]) - server).active = False
    env['mail.mail'].search([('state', 'in', ('outgoing', 'exception'))]).unlink()
    env.cr.commit()


def phase_queue(registry, args):
    """Queue a post for ``--size`` members and wake the mail queue, for the
    cron workers of bench/cron_sender.py (Odoo's module does not wake it)."""
    with registry.cursor() as cr:
        env = new_env(cr)
        use_sink(env, args.port)
        message = find_message(env, process(env, args.size, 'parallel'))
        env.ref('mail.ir_cron_mail_scheduler_action')._trigger()
        cr.commit()
        return {'message': message.id, 'queued': count_mails(env, message)}


def phase_sent(registry, args):
    """What became of the copies of ``--message``; they are removed."""
    with registry.cursor() as cr:
        env = new_env(cr)
        message = env['mail.message'].browse(args.message)
        mails = env['mail.mail'].search([('mail_message_id', '=', message.id)])
        result = {'unsent': len(mails.filtered(lambda m: m.state == 'outgoing')),
                  'failed': len(mails.filtered(lambda m: m.state == 'exception'))}
        mails.unlink()
        message.unlink()
        cr.commit()
    return result


def phase_send(registry, args):
    runs = []
    with registry.cursor() as cr:
        env = new_env(cr)
        use_sink(env, args.port)
        if 'dkim_private_key' in env['mail.alias.domain']._fields:
            # signed (--dkim) or not, by the alias domain of the bench groups
            domain = env['mail.alias.domain'].search([])
            if args.dkim:
                domain.filtered(lambda d: not d.dkim_private_key).action_generate_dkim_key()
            else:
                domain.write({'dkim_private_key': False, 'dkim_selector': False})
            cr.commit()

        def one(size, tag):
            env = new_env(cr)
            message = find_message(env, process(env, size, tag))
            cr.commit()
            queued = count_mails(env, message)
            t0 = time.perf_counter()
            rounds = 0
            while True:
                rounds += 1
                env['mail.mail'].process_email_queue()
                env.invalidate_all()
                remaining = env['mail.mail'].search_count(
                    [('mail_message_id', '=', message.id), ('state', '=', 'outgoing')])
                if not remaining or rounds >= 5:
                    break
            t1 = time.perf_counter()
            env.invalidate_all()
            left = env['mail.mail'].search([('mail_message_id', '=', message.id)])
            failed = len(left.filtered(lambda m: m.state == 'exception'))
            unsent = len(left.filtered(lambda m: m.state == 'outgoing'))
            reasons = sorted({m.failure_reason or '' for m in left if m.state == 'exception'})[:3]
            # clean up: the post and whatever mail is left
            left.unlink()
            message.unlink()
            cr.commit()
            return {'seconds': t1 - t0, 'queued': queued, 'sent': queued - failed - unsent,
                    'failed': failed, 'unsent': unsent, 'failure_reasons': reasons}

        one(10, 'sendwarmup')
        for i in range(args.repeat):
            runs.append(one(args.size, f'send{i}'))
    return {'runs': runs}


def phase_storage(registry, args):
    """Bytes one post of about ``--post-kb`` KB (random words: PostgreSQL
    compresses them little) stores for its copies: the mail_mail rows
    (pg_column_size of each whole row, TOAST included, compressed as
    stored) and, for ours, the body the copies share. Rolled back."""
    words = []
    while sum(len(word) + 1 for word in words) < args.post_kb * 1024:
        words.append(secrets.token_urlsafe(9))
    with registry.cursor() as cr:
        env = new_env(cr)
        message = find_message(env, process(env, args.size, 'storage', ' '.join(words)))
        cr.execute("SELECT count(*), coalesce(sum(pg_column_size(m.*)), 0), coalesce(max(pg_column_size(m.*)), 0)"
                   "  FROM mail_mail m WHERE m.mail_message_id = %s", [message.id])
        copies, mail_bytes, largest = cr.fetchone()
        shared_bytes = 0
        cr.execute("SELECT to_regclass('mail_group_copy_body') IS NOT NULL")
        if cr.fetchone()[0]:
            cr.execute("SELECT coalesce(sum(pg_column_size(b.*)), 0) FROM mail_group_copy_body b"
                       " WHERE b.mail_message_id = %s", [message.id])
            shared_bytes = cr.fetchone()[0]
        cr.rollback()
    return {'copies': copies, 'mail_mail_bytes': int(mail_bytes), 'largest_copy_bytes': largest,
            'shared_body_bytes': int(shared_bytes), 'post_kb': args.post_kb}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--db', required=True)
    parser.add_argument('--module-marker', default='website_mail_group/')
    sub = parser.add_subparsers(dest='phase', required=True)
    p = sub.add_parser('setup')
    p.add_argument('--sizes', required=True)
    p = sub.add_parser('fanout')
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--breakdown', action='store_true')
    p.add_argument('--profile')
    p.add_argument('--mute-pct', type=float, default=0,
                   help='ours: time a reply to a thread this share of the members mutes')
    p = sub.add_parser('send')
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dkim', action='store_true', help='ours: DKIM-sign every copy')
    p = sub.add_parser('storage')
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--post-kb', type=int, default=50)
    p = sub.add_parser('queue')
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--port', type=int, required=True)
    p = sub.add_parser('sent')
    p.add_argument('--message', type=int, required=True)
    args = parser.parse_args()

    registry = open_registry(args.addons_path, args.db)
    phases = {'setup': phase_setup, 'fanout': phase_fanout, 'send': phase_send, 'storage': phase_storage,
              'queue': phase_queue, 'sent': phase_sent}
    result = phases[args.phase](registry, args)
    sys.stdout.write('BENCH_RESULT ' + json.dumps(result) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
