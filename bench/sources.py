#!/usr/bin/env python3
"""Members drawn from Odoo's records: one group whose source is "contacts
with the tag Bench", synced over --contacts contacts (default 100,000).
Ours only: Odoo's mail_group has no sources.

    python3 bench/sources.py [--contacts 100000] [--reset]     (also run by make bench)

In the database wmg_bench_sources (made on the first run with
website_mail_group, the contacts created once and kept; --reset recreates
it), three passes of mail.group._sync_sources() in one transaction, rolled
back at the end (the database is left as found):
  1. first pass: every tagged contact becomes a member;
  2. nothing changed: nobody added or removed;
  3. 10% of the contacts lost the tag: they leave.
Each: wall time (perf_counter, flush included) and SQL queries
(cr.sql_log_count), which do not grow with the contacts.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import TARGETS, ensure_database, log  # noqa: E402
from worker import new_env, open_registry  # noqa: E402

TAG = 'Bench'
CREATE_BATCH = 10000


def ensure_contacts(env, count):
    """``count`` contacts with the tag, made once (ORM, batched)."""
    tag = env['res.partner.category'].search([('name', '=', TAG)], limit=1) or \
        env['res.partner.category'].create({'name': TAG})
    existing = env['res.partner'].search_count([('category_id', 'in', tag.ids)])
    if existing < count:
        log(f'[bench] creating {count - existing} tagged contacts (once)')
        Partner = env['res.partner'].with_context(tracking_disable=True, mail_create_nolog=True)
        for start in range(existing, count, CREATE_BATCH):
            Partner.create([{'name': f'Contact {n}', 'email': f'contact{n:06d}@bench-sources.example.net',
                             'category_id': [(4, tag.id)]} for n in range(start, min(start + CREATE_BATCH, count))])
            env.cr.commit()
    return tag


def measure(env, what):
    cr = env.cr
    q0, t0 = cr.sql_log_count, time.perf_counter()
    added, gone = what()
    env.flush_all()
    return {'seconds': time.perf_counter() - t0, 'queries': cr.sql_log_count - q0, 'added': len(added),
            'removed': len(gone)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--contacts', type=int, default=100000, help='tagged contacts (default 100000)')
    parser.add_argument('--reset', action='store_true', help='drop and recreate wmg_bench_sources')
    args = parser.parse_args()
    target = dict(TARGETS['ours'], db='wmg_bench_sources')
    ensure_database(target, args.reset)
    registry = open_registry(target['addons_path'], target['db'])
    with registry.cursor() as cr:
        env = new_env(cr)
        tag = ensure_contacts(env, args.contacts)
        contacts = env['res.partner'].search([('category_id', 'in', tag.ids)], limit=args.contacts, order='id')
        group = env['mail.group'].create({'name': 'Bench sources', 'alias_name': 'bench-sources'})
        env['mail.group.member.source'].create({
            'mail_group_id': group.id, 'kind': 'partner',
            'partner_domain': repr([('category_id', 'in', tag.ids), ('id', '<=', contacts[-1].id)])})
        env.flush_all()
        results = {'first pass': measure(env, group._sync_sources),
                   'nothing changed': measure(env, group._sync_sources)}
        contacts[:len(contacts) // 10].write({'category_id': [(3, tag.id)]})
        env.flush_all()
        results['10% untagged'] = measure(env, group._sync_sources)
        cr.rollback()
    print(f'\nMembers from sources: {args.contacts:,} tagged contacts, one group (ours only)\n')
    print(f"| {'pass':<16} | {'time':>8} | {'queries':>7} | {'added':>7} | {'removed':>7} |")
    print(f"|{'-' * 18}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for name, result in results.items():
        print(f"| {name:<16} | {result['seconds']:>7.2f}s | {result['queries']:>7} | {result['added']:>7,} "
              f"| {result['removed']:>7,} |")


if __name__ == '__main__':
    main()
