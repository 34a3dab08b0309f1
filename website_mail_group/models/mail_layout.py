"""The layout wrapping the group's own mails (alerts, reminders, confirmations,
welcome, guidelines, delivery warnings): ``mail_group_layout`` in
data/mail_templates.xml, never Odoo's document layouts."""
LAYOUT = 'website_mail_group.mail_group_layout'
