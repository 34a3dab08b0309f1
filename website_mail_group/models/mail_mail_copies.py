"""How the copies of a group post are queued: one ``mail.mail`` per member
carrying only what is its own (recipient, member, personal headers); every
other value is the same for all copies of a post and is written once per
page of members (mail_group_distribution._queue_copies). The body is not
stored with the copy but once for them all (mail_group_copy_body.py): a
copy reads it as its ``body_html``. The member's links go into the footer
when a copy is sent (mail_mail.py), or when an administrator reads it
(body_content)."""
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.osv.expression import NEGATIVE_TERM_OPERATORS, TERM_OPERATORS_NEGATION

from ..outbound import footer

# the values of one copy; every other value comes from the context's shared values
COPY_FIELDS = ('mail_message_id', 'email_to', 'mail_group_member_id', 'headers')
COPY_TYPES = ('int4', 'text', 'int4', 'text')
SET_BY_MAIL = {'is_notification', 'scheduled_date'}  # mail.mail.create() adds them; the shared values hold them
LOG_ACCESS = {'create_uid', 'create_date', 'write_uid', 'write_date'}  # written by the INSERT


class MailMail(models.Model):
    _inherit = 'mail.mail'

    mail_group_body_id = fields.Many2one(
        'mail.group.copy.body', 'Shared Body', index='btree_not_null', ondelete='cascade',
        help='The body this copy shares with the other copies of its message; its own body stays empty.')

    def _fetch_query(self, query, fields):
        """A copy without a body of its own reads the body it shares with
        the other copies, each shared body read once per fetch."""
        body_field, shared_field = self._fields['body_html'], self._fields['mail_group_body_id']
        if body_field in fields and shared_field not in fields:
            fields = [*fields, shared_field]
        fetched = super()._fetch_query(query, fields)
        if body_field in fields and fetched:
            fetched._mail_group_read_shared_bodies()
        return fetched

    def _mail_group_read_shared_bodies(self):
        cache = self.env.cache
        body_field, shared_field = self._fields['body_html'], self._fields['mail_group_body_id']
        dirty = set(cache.get_dirty_records(self, body_field)._ids)
        by_body = defaultdict(list)
        for mail in self:
            body_id = cache.get(mail, shared_field, None)
            if body_id and mail.id not in dirty and not cache.get(mail, body_field, None):
                by_body[body_id].append(mail.id)
        if not by_body:
            return
        bodies = self.env['mail.group.copy.body'].sudo().browse(by_body)
        for body in bodies:
            mails = self.browse(by_body[body.id])
            cache.update(mails, body_field, [body.body_html] * len(mails))

    @api.model
    def _search_body_content(self, operator, value):
        """The contents of copies are searched in the body they share too."""
        domain = super()._search_body_content(operator, value)
        if operator in NEGATIVE_TERM_OPERATORS:
            shared = [('body_html', TERM_OPERATORS_NEGATION[operator], value)]
            return ['&', *domain, ('mail_group_body_id', 'not any', shared)]
        return ['|', *domain, ('mail_group_body_id', 'any', [('body_html', operator, value)])]

    def _mail_group_copies(self):
        """Shared values of the copies being created, when _queue_copies
        creates them (never from a remote call: those are not superuser)."""
        shared = self.env.context.get('mail_group_copies')
        return shared if shared is not None and self.env.su else None

    @api.model
    def _add_missing_default_values(self, values):
        if self._mail_group_copies() is not None:
            return values  # the shared values hold the defaults, computed once
        return super()._add_missing_default_values(values)

    @api.model
    def _create(self, data_list):
        """Copies of a post in one INSERT per page of members: the shared
        values are sent once, not once per row, and the new rows are not put
        in the cache. Measured (bench/run.py, 10,000 members): the ORM's
        ``_create`` spent 3.2 s of a 4.4 s fan-out filling the cache with
        ~36 fields per copy and sending the body 10,000 times."""
        shared = self._mail_group_copies()
        if shared is None:
            return super()._create(data_list)
        for data in data_list:
            unexpected = set(data['stored']) - set(COPY_FIELDS) - SET_BY_MAIL - LOG_ACCESS
            if unexpected or any(data['inherited'].values()):
                raise ValueError(f'A copy of a group post carries only {COPY_FIELDS}, not {sorted(unexpected)}')
        columns = [name for name in sorted(shared) if self._fields[name].column_type
                   and self._fields[name].store and not self._fields[name].inherited and name not in COPY_FIELDS]
        cr = self.env.cr
        params = [self.env.uid, cr.now(), self.env.uid, cr.now()]
        params += [self._fields[name].convert_to_column(shared[name], self, shared) for name in columns]
        for data in data_list:
            params += [data['stored'].get(name) or None for name in COPY_FIELDS]
        row = '(%s)' % ', '.join(['%s'] * len(COPY_FIELDS))
        cr.execute(f"""
            INSERT INTO mail_mail (create_uid, create_date, write_uid, write_date,
                                   {', '.join(f'"{name}"' for name in (*columns, *COPY_FIELDS))})
            SELECT %s, %s, %s, %s,
                   {', '.join(f'%s::{self._fields[name].column_type[1]}' for name in columns)},
                   {', '.join(f'copy.{name}::{kind}' for name, kind in zip(COPY_FIELDS, COPY_TYPES))}
              FROM (VALUES {', '.join([row] * len(data_list))}) AS copy({', '.join(COPY_FIELDS)})
            RETURNING id
        """, params)
        records = self.browse([id_ for id_, in cr.fetchall()])
        for data, record in zip(data_list, records):
            data['record'] = record
        records.modified([*columns, *COPY_FIELDS], create=True)
        # the rows did not go through the cache: lists of copies (a shared body's) are read again
        for name in (*columns, *COPY_FIELDS):
            for inverse in self.pool.field_inverses[self._fields[name]]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        return records

    def _compute_body_content(self):
        """A copy of a group post shows its footer with the member's links,
        as the member receives it."""
        super()._compute_body_content()
        builders = {}
        for mail in self:
            if not (mail.mail_group_post and mail.body_html and mail.model == 'mail.group'):
                continue
            post, footer_html = footer.split(mail.body_html)
            placeholders = footer.placeholders_in(footer_html)
            member = mail.mail_group_member_id
            email = member.email_normalized or tools.email_normalize(mail.email_to)
            if not placeholders or not email:
                continue
            if mail.res_id not in builders:
                builders[mail.res_id] = self.env['mail.group'].sudo().browse(mail.res_id)._member_links_builder()
            links = builders[mail.res_id](member.id, email)
            mail.body_content = post + footer.personalize(footer_html, placeholders, links)
