#!/usr/bin/env python3
"""Check, record by record, a database switched from Odoo's mail_group against
the snapshot switch_populate.py took before the switch, then check that our
features work on the migrated data (rolled back). Prints every check and
"N passed, M failed"; exits 1 on a failure.

    python3 scripts/switch_check.py -c odoo.conf -d DB --snapshot before.json [--urls urls.txt]

``--urls`` writes "path|text on the page|text not on it" lines for
scripts/test_switch.sh to fetch from the website.
"""
import argparse
import json
import os
import sys
from email.utils import make_msgid

import odoo
from odoo import SUPERUSER_ID, api, tools

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = []


def check(label, ok, detail=''):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {label}{'' if ok else f': {detail}'}", flush=True)


def expected(before):
    """The snapshot after the merges the switch must make."""
    members = {int(k): v for k, v in before['members'].items()}
    seen = {}
    for mid in sorted(members):
        m = members[mid]
        if not m['partner'] and m['email_normalized']:
            key = (m['group'], m['email_normalized'])
            if key in seen:
                del members[mid]
            seen.setdefault(key, mid)
    posts = {int(k): v for k, v in before['posts'].items()}
    first, merged = {}, {}
    for pid in sorted(posts):
        p = posts[pid]
        if p['message_type'] == 'email' and p['message_id']:
            key = (p['group'], p['message_id'])
            if key in first:
                merged[pid] = first[key]
            first.setdefault(key, pid)
    for pid in merged:
        del posts[pid]
    for p in posts.values():
        p['parent'] = merged.get(p['parent'], p['parent'])
    return members, posts, merged


def check_structure(env, before):
    Module = env['ir.module.module']
    check('mail_group is uninstalled', Module.search([('name', '=', 'mail_group')]).state == 'uninstalled')
    ours = Module.search([('name', '=', 'website_mail_group')])
    check('website_mail_group is installed at our version', ours.state == 'installed'
          and ours.latest_version == odoo.modules.module.get_manifest('website_mail_group')['version'],
          f'{ours.state} {ours.latest_version}')
    check('website_mail_group is this repository',
          odoo.modules.module.get_module_path('website_mail_group') == os.path.join(ROOT, 'website_mail_group'))
    check('no external id left on mail_group', not env['ir.model.data'].search_count([('module', '=', 'mail_group')]))
    View = env['ir.ui.view'].with_context(active_test=False)
    check("no view of Odoo's modules left but the pages edited in the website builder",
          set(View.search([('key', '=like', 'mail_group.%')]).ids) <= set(before['edited_pages']))
    edited = View.browse(before['edited_pages']).exists()
    check('pages edited in the website builder kept, inactive', before['edited_pages']
          and edited.ids == before['edited_pages'] and not any(edited.mapped('active')), edited.mapped('active'))
    check('no mail queued by the switch',
          not env['mail.mail'].search_count([('id', '>', before['last_mail_id'])]))
    check('no mail.group.token or throttle row written by the switch',
          not env['mail.group.token'].search_count([]) and not env['mail.group.throttle'].search_count([]))
    xmlids = before['xmlids']
    for name in ('group_mail_group_manager', 'mail_group_action', 'mail_group_message_action',
                 'mail_group_member_action', 'mail_group_moderation_action',
                 'ir_cron_mail_notify_group_moderators', 'mail_group_view_form'):
        record = env.ref(f'website_mail_group.{name}', raise_if_not_found=False)
        check(f'{name} is the same record (id kept)', record and record.id == xmlids[f'mail_group.{name}']['id'],
              record and record.id)
    manager = env.ref('website_mail_group.group_mail_group_manager')
    check('Mail Group Administrators kept', set(xmlids['mail_group.group_mail_group_manager']['users'])
          <= set(manager.users.ids))
    template = env.ref('website_mail_group.mail_template_guidelines')
    check('guidelines template is ours (the old one deleted)',
          template.id != xmlids['mail_group.mail_template_guidelines']['id']
          and not env['mail.template'].browse(xmlids['mail_group.mail_template_guidelines']['id']).exists())


def check_groups(env, before):
    for gid, g in before['groups'].items():
        group = env['mail.group'].with_context(active_test=False).browse(int(gid)).exists()
        label = f'group {gid} ({g["name"]})'
        if not group:
            check(label, False, 'missing')
            continue
        got = {
            'name': group.name, 'description': group.description, 'active': group.active,
            'access_mode': group.access_mode, 'moderation': group.moderation,
            'moderator_ids': group.moderator_ids.ids, 'moderation_notify': group.moderation_notify,
            'moderation_notify_msg': str(group.moderation_notify_msg),
            'moderation_guidelines': group.moderation_guidelines,
            'moderation_guidelines_msg': str(group.moderation_guidelines_msg),
            'alias_id': group.alias_id.id, 'alias_email': group.alias_email,
            'alias_contact': group.alias_id.alias_contact,
        }
        diff = {k: (v, got[k]) for k, v in g.items() if got[k] != v}
        check(f'{label}: fields, moderators and alias {g["alias_email"]}', not diff, diff)
        check(f'{label}: alias still routes to it', group.alias_id.alias_model_id.model == 'mail.group'
              and group.alias_id.alias_force_thread_id == group.id)
        check(f'{label}: no recipients cap, as in Odoo', group.max_recipients == 0, group.max_recipients)


def check_members(env, before):
    members, _posts, _merged = expected(before)
    found = env['mail.group.member'].search([])
    check(f'{len(members)} members, duplicates merged', sorted(found.ids) == sorted(members),
          f'{sorted(found.ids)} != {sorted(members)}')
    for mid, m in members.items():
        member = found.browse(mid).exists()
        got = member and {'group': member.mail_group_id.id, 'partner': member.partner_id.id, 'email': member.email,
                          'email_normalized': member.email_normalized}
        check(f'member {mid} ({m["email"]}): group, partner, address; every message',
              member and got == m and member.delivery_mode == 'every', got)


def check_posts(env, before):
    _members, posts, merged = expected(before)
    found = env['mail.group.message'].search([])
    check(f'{len(posts)} posts, the Message-ID delivered twice merged ({sorted(merged)} removed)',
          sorted(found.ids) == sorted(posts), f'{sorted(found.ids)} != {sorted(posts)}')
    for pid, p in posts.items():
        post = found.browse(pid).exists()
        label = f'post {pid} ({p["subject"]}, {p["status"]})'
        if not post:
            check(label, False, 'missing')
            continue
        got = {
            'group': post.mail_group_id.id, 'mail_message_id': post.mail_message_id.id, 'subject': post.subject,
            'body': str(post.body), 'email_from': post.email_from, 'author_id': post.author_id.id,
            'status': post.moderation_status, 'parent': post.group_message_parent_id.id,
            'moderator_id': post.moderator_id.id, 'message_id': post.mail_message_id.message_id,
            'message_type': post.mail_message_id.message_type, 'date': str(post.mail_message_id.date),
        }
        diff = {k: (p[k], v) for k, v in got.items() if p[k] != v}
        check(f'{label}: message, author, state, moderator, thread parent', not diff, diff)
        accepted = p['status'] == 'accepted'
        check(f'{label}: accepted on its date, kept out of digests' if accepted else
              f'{label}: not accepted, digest flags {"off" if p["status"] == "pending_moderation" else "on"}',
              (post.accepted_date == post.date if accepted else not post.accepted_date)
              and post.digest_daily_done == post.digest_weekly_done == (p['status'] != 'pending_moderation')
              and post.moderation_reason == ('moderated' if p['status'] == 'pending_moderation' else False),
              (post.accepted_date, post.digest_daily_done, post.moderation_reason))
        files = [{'id': a.id, 'name': a.name, 'checksum': a.checksum} for a in post.attachment_ids]
        check(f'{label}: files kept', files == [{k: a[k] for k in ('id', 'name', 'checksum')}
                                                for a in p['attachments']], files)
        if p['attachments']:
            check(f'{label}: files stored on the post', all(
                (a.res_model, a.res_id) == ('mail.group.message', post.id) for a in post.attachment_ids),
                [(a.res_model, a.res_id) for a in post.attachment_ids])
    for rid, r in before['rules'].items():
        rule = env['mail.group.moderation'].browse(int(rid)).exists()
        got = rule and {'group': rule.mail_group_id.id, 'email': rule.email, 'status': rule.status}
        check(f'moderation rule {rid} ({r["status"]} {r["email"]})', got == r, got)


def raw_mail(group, email_from, subject, in_reply_to=None):
    message_id = make_msgid(domain='sender.example.com')
    reply = f'In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n' if in_reply_to else ''
    return message_id, (f'From: {email_from}\r\nTo: {group.alias_email}\r\nSubject: {subject}\r\n'
                        f'Message-ID: {message_id}\r\n{reply}MIME-Version: 1.0\r\n'
                        f'Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n').encode()


def check_features(env, before):
    """Our code on the migrated records: the gateway, moderation, record rules."""
    Post = env['mail.group.message']
    groups = {g.name: g for g in env['mail.group'].search([])}
    members_only, public = groups['Members Only'], groups['Public Moderated']

    def inbound(group, email_from, subject, in_reply_to=None):
        message_id, raw = raw_mail(group, email_from, subject, in_reply_to)
        env['mail.thread'].message_process(None, raw)
        return Post.search([('mail_message_id.message_id', '=', message_id)])

    def recipients(post):
        mails = env['mail.mail'].search([('mail_message_id', '=', post.mail_message_id.id)])
        return sorted(tools.email_normalize(mail.email_to) for mail in mails)

    meeting = Post.search([('subject', '=', 'Meeting')])
    post = inbound(members_only, 'Bob <bob@example.com>', 'Re: Meeting', meeting.mail_message_id.message_id)
    check('mail to the migrated alias members-only@ is stored, accepted, threaded under its migrated parent',
          post.moderation_status == 'accepted' and post.group_message_parent_id == meeting,
          (post.moderation_status, post.group_message_parent_id))
    check('its copies are queued for the migrated members but the author, once per address',
          recipients(post) == ['alice@example.com', 'dave@example.com', 'erin@example.com'], recipients(post))
    held = inbound(public, 'george@example.com', 'Question')
    check('moderated group holds a post of an unknown author', held.moderation_status == 'pending_moderation'
          and held.moderation_reason == 'moderated', (held.moderation_status, held.moderation_reason))
    allowed = inbound(public, 'frank@example.com', 'Allowed')
    check("the migrated 'allow' rule lets its author through", allowed.moderation_status == 'accepted',
          allowed.moderation_status)
    banned = inbound(public, 'spammer@example.com', 'Banned')
    check("the migrated 'ban' rule rejects its author", banned.moderation_status == 'rejected',
          banned.moderation_status)
    moderator = env['res.users'].search([('login', '=', before['moderator_login'])])
    migrated = [int(pid) for pid in before['posts']]
    pending = Post.search([('moderation_status', '=', 'pending_moderation'), ('id', 'in', migrated)])
    outsider = env['res.users'].create({'name': 'Olga', 'login': 'olga', 'email': 'olga@example.com',
                                        'groups_id': [(6, 0, [env.ref('base.group_user').id])]})
    files = pending.attachment_ids
    check("a migrated held post and its file are hidden from an employee who does not moderate",
          files and not env['ir.attachment'].with_user(outsider).search([('id', 'in', files.ids)])
          and not Post.with_user(outsider).search([('id', 'in', pending.ids)]))
    check('...and shown to its moderator', Post.with_user(moderator).search([('id', 'in', pending.ids)]) == pending
          and env['ir.attachment'].with_user(moderator).search([('id', 'in', files.ids)]) == files)
    pending.with_user(moderator).action_moderate_accept()
    check('the migrated moderator accepts the migrated pending post; it goes to the members but its author',
          pending.moderation_status == 'accepted' and pending.accepted_date
          and recipients(pending) == ['alice@example.com', 'mona@example.com'], recipients(pending))


def write_urls(env, path):
    """What a visitor must (and must not) see: "path|text on the page|text not on it"."""
    from odoo.addons.http_routing.models.ir_http import slug
    public = env['mail.group'].search([('name', '=', 'Public Moderated')])
    with open(path, 'w') as f:
        f.write('/groups|Public Moderated|Members Only\n')
        f.write(f'/groups/{slug(public)}|Release 1.0|Draft reply\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--snapshot', required=True)
    parser.add_argument('--urls')
    args = parser.parse_args()
    with open(args.snapshot) as f:
        before = json.load(f)
    odoo.tools.config.parse_config(['-c', args.config, '-d', args.database])
    with odoo.registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for step in (check_structure, check_groups, check_members, check_posts, check_features):
            step(env, before)
        cr.rollback()
        if args.urls:
            write_urls(env, args.urls)
    failed = RESULTS.count(False)
    print(f'{RESULTS.count(True)} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
