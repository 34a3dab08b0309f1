from odoo import fields, models


class MailMessage(models.Model):
    _inherit = 'mail.message'

    # lets record rules hide posts that are not accepted (security XML)
    mail_group_message_ids = fields.One2many('mail.group.message', 'mail_message_id', string='Group Message')

    def init(self):
        # The gateway's duplicate check (a search on Message-Id) races when an
        # MTA delivers the same mail twice at once: PostgreSQL stores a post
        # once per group; the losing delivery fails and is retried by the MTA,
        # then ignored as a duplicate. A partial index cannot be declared in
        # _sql_constraints, hence the SQL.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_message_mail_group_message_id_unique
                ON mail_message (res_id, message_id)
             WHERE model = 'mail.group' AND message_type = 'email' AND message_id IS NOT NULL
        """)
