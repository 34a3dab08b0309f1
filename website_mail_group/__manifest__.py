{
    'name': 'Website Mail Group',
    'version': '17.0.1.4.0',
    'category': 'Website/Website',
    'summary': 'Mailing lists with moderation and a web archive',
    'description': """
Discussion groups by email: members receive every post sent to the group's
address, moderators approve posts, whitelist or ban authors, and every group
has a browsable archive under /groups.
""",
    'author': 'website_mail_group developers',
    'license': 'LGPL-3',
    'depends': ['mail', 'portal', 'website'],
    'excludes': ['mail_group'],
    'external_dependencies': {'python': ['dkim', 'dns', 'publicsuffixlist']},
    'data': [
        'security/website_mail_group_security.xml',
        'security/ir.model.access.csv',
        'security/mail_group_message_security.xml',
        'security/mail_group_archive_import_security.xml',
        'data/mail_templates.xml',
        'data/mail_template_data.xml',
        'data/ir_cron_data.xml',
        'data/ir_cron_send_data.xml',
        'data/mail_group_archive_import_cron.xml',
        'wizard/mail_group_message_reject_views.xml',
        'wizard/mail_group_member_import_views.xml',
        'views/mail_group_message_views.xml',
        'views/mail_group_member_views.xml',
        'views/mail_group_moderation_views.xml',
        'views/mail_group_views.xml',
        'views/mail_alias_domain_views.xml',
        'views/website_mail_group_menus.xml',
        'views/mail_group_traffic_views.xml',
        'views/ir_mail_server_views.xml',
        'wizard/mail_group_archive_import_views.xml',
        'views/website_mail_group_templates.xml',
        'views/website_mail_group_subscription_templates.xml',
        'views/mail_group_delivery_templates.xml',
        'views/website_mail_group_web_post_templates.xml',
        'views/mail_group_moderate_templates.xml',
        'views/website_mail_group_search_templates.xml',
        'data/mail_group_review_action.xml',
        'views/snippets/s_group.xml',
        'data/website_menu_data.xml',
    ],
    'demo': [
        'demo/mail_group_demo.xml',
    ],
    'assets': {
        'web.assets_frontend': [
            'website_mail_group/static/src/scss/mail_group.scss',
            'website_mail_group/static/src/js/mail_group.js',
            'website_mail_group/static/src/snippets/s_group/000.js',
        ],
        'web.assets_backend': [
            'website_mail_group/static/src/js/explanation_field.js',
        ],
        'website.assets_wysiwyg': [
            'website_mail_group/static/src/snippets/s_group/options.js',
        ],
        'web.assets_tests': [
            'website_mail_group/static/tests/tours/*.js',
        ],
    },
    'post_load': '_serve_own_static',
    'installable': True,
    'application': False,
}
