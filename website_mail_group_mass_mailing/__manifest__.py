{
    'name': 'Mailing Lists: Email Marketing Contacts',
    'version': '17.0.1.0.0',
    'category': 'Website/Website',
    'summary': "A mailing list's contacts as members of a discussion list, kept in step within a minute",
    'author': 'website_mail_group developers',
    'license': 'LGPL-3',
    'depends': ['website_mail_group', 'mass_mailing'],
    'auto_install': True,
}
