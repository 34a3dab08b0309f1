{
    'name': 'Mailing Lists: Event Attendees',
    'version': '17.0.1.0.0',
    'category': 'Website/Website',
    'summary': "An event's confirmed attendees as members of a mailing list, kept in step within a minute",
    'author': 'website_mail_group developers',
    'license': 'LGPL-3',
    'depends': ['website_mail_group', 'event'],
    'auto_install': True,
}
