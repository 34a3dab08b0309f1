#!/usr/bin/env python3
"""Configure the demo database for local mail (called by scripts/run.sh).

Idempotent.  In the database it:
- points an outgoing mail server record ("Local SMTP sink") at the local SMTP sink;
- names the company's alias domain (General Settings > Discuss > Custom Email
  Servers > Alias Domain) ALIAS_DOMAIN, so group addresses read e.g.
  developers@groups.localhost;
- sets and freezes web.base.url (links in mails and on the website);
- installs the languages the addon ships a translation for (i18n/fr.po: French)
  and adds them to the websites, so /fr/groups is the French site.
It then writes <var>/sample-post.eml (a post from a member to a group) and prints
the groups with their addresses.

    python3 scripts/configure_demo.py -c var/odoo-demo.conf -d wmg_demo \
        --smtp-port 1025 --alias-domain groups.localhost --base-url http://localhost:8069 --var var
"""
import argparse
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import odoo
from odoo import SUPERUSER_ID, api

SERVER_NAME = 'Local SMTP sink'


def configure(env, args):
    servers = env['ir.mail_server'].with_context(active_test=False)
    server = servers.search([('name', '=', SERVER_NAME)], limit=1)
    vals = {
        'name': SERVER_NAME, 'smtp_host': args.smtp_host, 'smtp_port': args.smtp_port,
        'smtp_encryption': 'none', 'smtp_authentication': 'login', 'smtp_user': False,
        'smtp_pass': False, 'from_filter': False, 'sequence': 1, 'active': True,
    }
    if server:
        server.write(vals)
    else:
        server = servers.create(vals)
    # Any other active server would be tried first when its sequence is lower.
    (servers.search([('active', '=', True)]) - server).write({'active': False})

    company = env['res.company'].browse(env.ref('base.main_company').id)
    domain = company.alias_domain_id or env['mail.alias.domain'].search([], limit=1)
    if not domain:
        domain = env['mail.alias.domain'].create({'name': args.alias_domain})
    elif domain.name != args.alias_domain:
        clash = env['mail.alias.domain'].search([('name', '=', args.alias_domain)], limit=1)
        if clash:
            domain = clash
        else:
            domain.name = args.alias_domain
    env['res.company'].with_context(active_test=False).search(
        [('alias_domain_id', '=', False)]).alias_domain_id = domain
    company.alias_domain_id = domain

    icp = env['ir.config_parameter']
    icp.set_param('web.base.url', args.base_url)
    icp.set_param('web.base.url.freeze', 'True')
    return server, domain


def languages(env):
    """Install the languages of the addon's i18n/<code>.po files (Odoo's
    terms of every module with them) and add them to every website; the
    website's default language stays. Returns the websites' languages."""
    i18n = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'website_mail_group', 'i18n')
    codes = sorted(name[:-3] for name in os.listdir(i18n) if name.endswith('.po'))
    Lang = env['res.lang'].with_context(active_test=False)
    langs = Lang.search([('iso_code', 'in', codes)]) | Lang.search([('code', 'in', codes)])
    missing = langs.filtered(lambda lang: not lang.active)
    if missing:
        env['base.language.install'].create({'lang_ids': [(6, 0, missing.ids)], 'overwrite': False}).lang_install()
    websites = env['website'].search([])
    for website in websites:
        website.language_ids |= langs
    return websites.language_ids


def describe(env, args):
    lines = []
    if 'mail.group' not in env:
        return lines, None
    groups = env['mail.group'].search([])
    for group in groups:
        flags = [group.access_mode]
        if group.moderation:
            flags.append('moderated')
        lines.append(f'  {group.name:<24} {group.alias_email or "(no alias)":<36} '
                     f'{group.member_count} member{"" if group.member_count == 1 else "s"}, {", ".join(flags)}')
    sample = env.ref('website_mail_group.group_developers', raise_if_not_found=False)
    if not sample or not sample.alias_email:
        sample = groups.filtered(lambda g: g.alias_email and g.access_mode == 'public' and not g.moderation)[:1]
    if not sample:
        return lines, None
    member = sample.member_ids.filtered(lambda m: not m.partner_id)[:1] or sample.member_ids[:1]
    msg = EmailMessage()
    msg['From'] = member.email if member else 'someone@example.org'
    msg['To'] = sample.alias_email
    msg['Subject'] = 'Hello from the mail gateway'
    msg['Date'] = formatdate(localtime=True)
    msg['Message-ID'] = make_msgid(domain='sample.local')
    msg.set_content(
        'Hi all,\n\nthis post was piped into the mail gateway (scripts/mailgate.py)\n'
        'and distributed by the group.\n\nCheers\n')
    path = os.path.join(args.var, 'sample-post.eml')
    with open(path, 'wb') as fh:
        fh.write(bytes(msg))
    return lines, path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--smtp-host', default='127.0.0.1')
    parser.add_argument('--smtp-port', type=int, default=1025)
    parser.add_argument('--alias-domain', default='groups.localhost')
    parser.add_argument('--base-url', default='http://localhost:8069')
    parser.add_argument('--var', default='var')
    args = parser.parse_args()

    odoo.tools.config.parse_config(['-c', args.config, '-d', args.database, '--log-level=warn'])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        server, domain = configure(env, args)
        website_langs = languages(env)
        lines, sample = describe(env, args)
        user = env.ref('base.user_admin')
        print(f'Outgoing mail server: "{server.name}" {server.smtp_host}:{server.smtp_port}')
        print(f'Alias domain: {domain.name}')
        print(f'Website languages: {", ".join(website_langs.mapped("name"))}')
        print(f'Admin user: id {user.id}, login {user.login}')
        if lines:
            print('Groups:')
            print('\n'.join(lines))
        if sample:
            print(f'Sample post: {sample}')


if __name__ == '__main__':
    main()
