#!/usr/bin/env python3
"""Fill a database running Odoo's own mail_group + website_mail_group through
Odoo's models, then write what it holds to a JSON snapshot for switch_check.py.

    python3 scripts/switch_populate.py -c odoo.conf -d DB --snapshot before.json

Run with Odoo's addons path only (scripts/test_switch.sh). Two groups (public
moderated with guidelines, members-only), members with and without partner,
posts accepted / pending / rejected with a reply thread and files, allow and
ban rules, and what our unique indexes refuse (a partner-less member twice, a
Message-ID posted twice).
"""
import argparse
import json

import odoo
from odoo import SUPERUSER_ID, api


def populate(env):
    env['ir.config_parameter'].set_param('web.base.url', 'http://127.0.0.1:8069')
    domain = env['mail.alias.domain'].create({'name': 'lists.example.com'})
    env.company.write({'alias_domain_id': domain.id, 'email': 'company@example.com'})
    env.ref('base.user_admin').email = 'admin@example.com'
    moderator = env['res.users'].create({
        'name': 'Mona Moderator', 'login': 'mona', 'email': 'mona@example.com',
        'groups_id': [(6, 0, [env.ref('base.group_user').id])]})
    alice, bob = env['res.partner'].create([
        {'name': 'Alice', 'email': 'alice@example.com'}, {'name': 'Bob', 'email': 'bob@example.com'}])

    public, members_only = env['mail.group'].create([{
        'name': 'Public Moderated', 'alias_name': 'public-moderated', 'access_mode': 'public',
        'description': 'A public list with moderation',
        'moderation': True, 'moderator_ids': [(6, 0, [moderator.id])],
        'moderation_notify': True, 'moderation_notify_msg': '<p>Your post waits for a moderator.</p>',
        'moderation_guidelines': True, 'moderation_guidelines_msg': '<p>Be kind.</p>',
    }, {
        'name': 'Members Only', 'alias_name': 'members-only', 'access_mode': 'members',
        'description': 'Members write to members', 'moderator_ids': [(6, 0, [env.ref('base.user_admin').id])],
    }])
    public._join_group('alice@example.com', alice.id)
    public._join_group('carol@example.com')
    public._join_group(moderator.email, moderator.partner_id.id)
    members_only._join_group('alice@example.com', alice.id)
    members_only._join_group('bob@example.com', bob.id)
    members_only._join_group('erin@example.com')
    # the same address twice without partner: Odoo's model lets a create through, our index does not
    env['mail.group.member'].create([{'mail_group_id': members_only.id, 'email': 'dave@example.com'}] * 2)

    env['mail.group.moderation'].create([
        {'mail_group_id': public.id, 'email': 'frank@example.com', 'status': 'allow'},
        {'mail_group_id': public.id, 'email': 'spammer@example.com', 'status': 'ban'}])

    def post(group, author, subject, body, **kwargs):
        message = group.message_post(body=body, subject=subject, email_from=author, **kwargs)
        return env['mail.group.message'].search([('mail_message_id', '=', message.id)])

    root = post(public, '"Alice" <alice@example.com>', 'Release 1.0', '<p>Released.</p>', author_id=alice.id,
                attachments=[('notes.txt', b'accepted file')])
    root.with_user(moderator).action_moderate_accept()
    reply = post(public, 'frank@example.com', 'Re: Release 1.0', '<p>Thanks!</p>',
                 parent_id=root.mail_message_id.id)
    post(public, 'carol@example.com', 'Re: Re: Release 1.0', '<p>Draft reply</p>',
         parent_id=reply.mail_message_id.id, attachments=[('draft.txt', b'pending file')])
    troll = post(public, 'troll@example.com', 'Flame', '<p>Flame</p>')
    troll.with_user(moderator).action_moderate_reject()
    post(public, 'spammer@example.com', 'Buy now', '<p>Spam</p>')
    post(members_only, 'bob@example.com', 'Meeting', '<p>Tuesday</p>', author_id=bob.id)
    # as Odoo's gateway stores a mail (type email), twice
    twice = dict(author_id=bob.id, message_id='<twice@example.com>', message_type='email')
    post(members_only, 'bob@example.com', 'Twice', '<p>Delivered twice</p>', **twice)
    second = post(members_only, 'bob@example.com', 'Twice', '<p>Delivered twice</p>', **twice)
    # pages edited in the website builder: per-website copies of Odoo's templates
    website = env['website'].search([], limit=1)
    page = env.ref('mail_group.mail_groups')
    page.with_context(website_id=website.id).write({'arch': page.arch.replace('</t>', '<p>Edited</p></t>', 1)})
    snippet = env.ref('website_mail_group.s_group')
    snippet.with_context(website_id=website.id).write({'arch': snippet.arch})
    post(members_only, 'alice@example.com', 'Re: Twice', '<p>Answer</p>', author_id=alice.id,
         parent_id=second.mail_message_id.id)


def snapshot(env):
    def xid(name):
        record = env.ref(name)
        return {'id': record.id, 'users': sorted(record.users.ids) if record._name == 'res.groups' else None}

    groups = env['mail.group'].with_context(active_test=False).search([])
    return {
        'groups': {g.id: {
            'name': g.name, 'description': g.description, 'active': g.active, 'access_mode': g.access_mode,
            'moderation': g.moderation, 'moderator_ids': g.moderator_ids.ids,
            'moderation_notify': g.moderation_notify, 'moderation_notify_msg': str(g.moderation_notify_msg),
            'moderation_guidelines': g.moderation_guidelines,
            'moderation_guidelines_msg': str(g.moderation_guidelines_msg),
            'alias_id': g.alias_id.id, 'alias_email': g.alias_email, 'alias_contact': g.alias_id.alias_contact,
        } for g in groups},
        'members': {m.id: {'group': m.mail_group_id.id, 'partner': m.partner_id.id, 'email': m.email,
                           'email_normalized': m.email_normalized}
                    for m in env['mail.group.member'].search([])},
        'posts': {p.id: {
            'group': p.mail_group_id.id, 'mail_message_id': p.mail_message_id.id, 'subject': p.subject,
            'body': str(p.body), 'email_from': p.email_from, 'author_id': p.author_id.id,
            'status': p.moderation_status, 'parent': p.group_message_parent_id.id,
            'moderator_id': p.moderator_id.id, 'message_id': p.mail_message_id.message_id,
            'message_type': p.mail_message_id.message_type,
            'date': str(p.mail_message_id.date),
            'attachments': [{'id': a.id, 'name': a.name, 'checksum': a.checksum, 'res_model': a.res_model,
                             'res_id': a.res_id} for a in p.attachment_ids],
        } for p in env['mail.group.message'].search([])},
        'rules': {r.id: {'group': r.mail_group_id.id, 'email': r.email, 'status': r.status}
                  for r in env['mail.group.moderation'].search([])},
        'xmlids': {name: xid(name) for name in (
            'mail_group.group_mail_group_manager', 'mail_group.mail_group_action',
            'mail_group.mail_group_message_action', 'mail_group.mail_group_member_action',
            'mail_group.mail_group_moderation_action', 'mail_group.ir_cron_mail_notify_group_moderators',
            'mail_group.mail_template_guidelines', 'mail_group.mail_group_view_form')},
        'edited_pages': env['ir.ui.view'].search([
            ('website_id', '!=', False), '|', ('key', '=like', 'mail_group.%'),
            ('key', '=like', 'website_mail_group.%')]).ids,
        'last_mail_id': env['mail.mail'].search([], order='id desc', limit=1).id,
        'moderator_login': 'mona',
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--snapshot', required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(['-c', args.config, '-d', args.database])
    with odoo.registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        assert env['ir.module.module'].search([('name', '=', 'mail_group')]).state == 'installed'
        populate(env)
        env.flush_all()
        data = snapshot(env)
    with open(args.snapshot, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    print(f"populated: {len(data['groups'])} groups, {len(data['members'])} members, {len(data['posts'])} posts, "
          f"{len(data['rules'])} rules")


if __name__ == '__main__':
    main()
