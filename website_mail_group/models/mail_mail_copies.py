"""How the copies of a group post are queued: one ``mail.mail`` per member
carrying only what is its own (recipient, member); every other value is the
same for all copies of a post and is written once per page of members
(mail_group_distribution._queue_copies). The body is not stored with the
copy but once for them all (mail_group_copy_body.py): a copy reads it as
its ``body_html``, and its member's one-click headers as its ``headers``.
The member's links go into the footer when a copy is sent (mail_mail.py),
or when an administrator reads it (body_content)."""
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.osv.expression import NEGATIVE_TERM_OPERATORS, TERM_OPERATORS_NEGATION

from ..outbound import footer
from ..outbound import headers as list_headers

# the values of one copy; every other value is the same for all copies of a message
COPY_COLUMNS = (('email_to', 'text'), ('mail_group_member_ref', 'int4'))
SET_BY_MAIL = {'is_notification', 'scheduled_date'}  # mail.mail.create() adds them; the shared values hold them
LOG_ACCESS = {'create_uid', 'create_date', 'write_uid', 'write_date'}  # written by the INSERT


class MailMail(models.Model):
    _inherit = 'mail.mail'

    # A copy names its shared body and its member by plain ids, not foreign
    # keys: each key costs a check per copy, 30 and 36 ms of a 0.34 s fan-out
    # to 10,000 members (bench/run.py). A body lives as long as its copies
    # (mail.group.copy.body._gc_copy_bodies); a member who leaves before a
    # copy is sent leaves an id that reads as no member.
    mail_group_body_ref = fields.Integer(
        'Shared Body', readonly=True,
        help='The body this copy shares with the other copies of its message; its own body stays empty.')
    mail_group_member_ref = fields.Integer('Mail Group Member ID', readonly=True)
    mail_group_member_id = fields.Many2one(
        'mail.group.member', compute='_compute_mail_group_member_id',
        search='_search_mail_group_member_id')

    @api.depends('mail_group_member_ref')
    def _compute_mail_group_member_id(self):
        members = self.env['mail.group.member'].browse(set(self.mapped('mail_group_member_ref')) - {0}).exists()
        for mail in self:
            mail.mail_group_member_id = members.browse(mail.mail_group_member_ref) & members

    @api.model
    def _search_mail_group_member_id(self, operator, value):
        if operator not in ('=', '!=', 'in', 'not in'):
            raise NotImplementedError(f'Unsupported search on mail_group_member_id: {operator}')
        positive = 'in' if operator in ('=', 'in') else 'not in'
        if isinstance(value, str):
            return [('mail_group_member_ref', positive, self.env['mail.group.member']._search([('email', 'ilike', value)]))]
        if isinstance(value, models.BaseModel):
            value = value.ids
        ids = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if not any(ids):
            return [('mail_group_member_ref', positive, [False, 0])]
        return [('mail_group_member_ref', positive, [id_ for id_ in ids if id_])]

    def _fetch_query(self, query, fields):
        """A copy without a body of its own reads the body it shares with
        the other copies, each shared body read once per fetch; without
        headers of its own, its member's personal headers (but when it is
        being sent: the sender makes them)."""
        body_field, shared_field = self._fields['body_html'], self._fields['mail_group_body_ref']
        headers_field, member_field = self._fields['headers'], self._fields['mail_group_member_ref']
        needed = [field for needs, field in ((body_field, shared_field), (headers_field, member_field))
                  if needs in fields and field not in fields]
        fetched = super()._fetch_query(query, [*fields, *needed])
        if fetched and body_field in fields:
            fetched._mail_group_read_shared_bodies()
        if fetched and headers_field in fields and not self.env.context.get('mail_group_sending'):
            fetched._mail_group_read_personal_headers()
        return fetched

    def _mail_group_unfilled(self, field_name, key_name):
        """``{key: [mail ids]}`` of the fetched copies whose ``field_name``
        is empty in the database and not being written, by ``key_name``."""
        cache = self.env.cache
        field, key_field = self._fields[field_name], self._fields[key_name]
        dirty = set(cache.get_dirty_records(self, field)._ids)
        by_key = defaultdict(list)
        for mail in self:
            key = cache.get(mail, key_field, None)
            if key and mail.id not in dirty and not cache.get(mail, field, None):
                by_key[key].append(mail.id)
        return by_key

    def _mail_group_read_shared_bodies(self):
        by_body = self._mail_group_unfilled('body_html', 'mail_group_body_ref')
        if not by_body:
            return
        bodies = self.env['mail.group.copy.body'].sudo().browse(by_body)
        for body in bodies:
            mails = self.browse(by_body[body.id])
            self.env.cache.update(mails, self._fields['body_html'], [body.body_html] * len(mails))

    def _mail_group_read_personal_headers(self):
        """A copy's List-Unsubscribe headers are made from its member when
        read (the link names the member row, in the language of the copy's
        shared body): not stored with each copy."""
        by_member = self._mail_group_unfilled('headers', 'mail_group_member_ref')
        if not by_member:
            return
        members = self.env['mail.group.member'].sudo().browse(by_member).exists()
        members.fetch(['mail_group_id', 'email_normalized'])
        builders = {}
        mail_ids, values = [], []
        for member in members:
            for mail in self.browse(by_member[member.id]):
                links = mail._mail_group_links_builder(builders, member.mail_group_id.id)(
                    member.id, member.email_normalized or '')
                mail_ids.append(mail.id)
                values.append(repr(list_headers.personal_headers(links['unsubscribe'])))
        self.env.cache.update(self.browse(mail_ids), self._fields['headers'], values)

    def _mail_group_links_builder(self, builders, group_id):
        """The personal links builder of this copy: its group's, under the
        base URL of the language of the body it shares (``/fr/...``) and
        for the thread of its post; ``builders`` keeps them by (group,
        shared body), so a batch of copies reads each body once."""
        key = (group_id, self.mail_group_body_ref or 0)
        if key not in builders:
            group = self.env['mail.group'].sudo().browse(group_id)
            # read with the body the copies share (a body lives as long as its copies)
            body = self.env['mail.group.copy.body'].sudo().browse(self.mail_group_body_ref or [])
            base_url = group._mail_group_base_url(body.lang) if body.lang else None
            builders[key] = group._member_links_builder(base_url, kinds=footer.LINKS,
                                                        thread_id=body._mail_group_thread_id())
        return builders[key]

    @api.model
    def _search_body_content(self, operator, value):
        """The contents of copies are searched in the body they share too."""
        domain = super()._search_body_content(operator, value)
        Body = self.env['mail.group.copy.body'].sudo()
        if operator in NEGATIVE_TERM_OPERATORS:
            shared = Body._search([('body_html', TERM_OPERATORS_NEGATION[operator], value)])
            return ['&', *domain, '|', ('mail_group_body_ref', '=', False), ('mail_group_body_ref', 'not in', shared)]
        return ['|', *domain, ('mail_group_body_ref', 'in', Body._search([('body_html', operator, value)]))]

    @api.model
    def _mail_group_create_copies(self, shared, copies):
        """Create the copies of one message: ``shared`` are the values of
        every copy (``mail_message_id`` included, the defaults already
        added), ``copies`` the ``(email_to, member id)`` of each. Through
        ``create()``, whose overrides see every copy, but stored in one
        statement (``_create``)."""
        message_id = shared['mail_message_id']
        return self.with_context(mail_group_copies=shared).create([
            {'mail_message_id': message_id, 'email_to': email_to, 'mail_group_member_ref': member_id}
            for email_to, member_id in copies])

    def _mail_group_copies(self):
        """Shared values of the copies being created, when
        _mail_group_create_copies creates them (never from a remote call:
        those are not superuser)."""
        shared = self.env.context.get('mail_group_copies')
        return shared if shared is not None and self.env.su else None

    @api.model
    def _prepare_create_values(self, vals_list):
        if self._mail_group_copies() is not None:
            # the shared values hold the defaults, computed once; _create writes the dates
            return vals_list
        return super()._prepare_create_values(vals_list)

    @api.model
    def _create(self, data_list):
        """Copies of a message in one INSERT: the shared values are sent
        once, not once per row, and the new rows are not put in the cache.
        Measured (bench/run.py, 10,000 members): the ORM's ``_create`` spent
        3.2 s of a 4.4 s fan-out filling the cache with ~36 fields per copy
        and sending the body 10,000 times. Who queued the copies is their
        message's ``create_uid``: a copy leaves its own ``create_uid`` and
        ``write_uid`` empty, as each costs a foreign-key check per row (27 ms
        each of a 0.27 s fan-out)."""
        shared = self._mail_group_copies()
        if shared is None:
            return super()._create(data_list)
        for data in data_list:
            unexpected = set(data['stored']) - {'mail_message_id', *dict(COPY_COLUMNS)} - SET_BY_MAIL - LOG_ACCESS
            if unexpected or any(data['inherited'].values()) \
                    or data['stored']['mail_message_id'] != shared['mail_message_id']:
                raise ValueError(f'A copy of a group post carries only {COPY_COLUMNS}, not {sorted(unexpected)}')
        columns = [name for name in sorted(shared) if self._fields[name].column_type
                   and self._fields[name].store and not self._fields[name].inherited]
        cr = self.env.cr
        params = [cr.now(), cr.now()]
        params += [self._fields[name].convert_to_column(shared[name], self, shared) for name in columns]
        params += [[data['stored'].get(name) or None for data in data_list] for name, __ in COPY_COLUMNS]
        cr.execute(f"""
            INSERT INTO mail_mail (create_date, write_date,
                                   {', '.join(f'"{name}"' for name in (*columns, *dict(COPY_COLUMNS)))})
            SELECT %s, %s,
                   {', '.join(f'%s::{self._fields[name].column_type[1]}' for name in columns)},
                   copy.*
              FROM unnest({', '.join(f'%s::{kind}[]' for __, kind in COPY_COLUMNS)}) AS copy
            RETURNING id
        """, params)
        records = self.browse([id_ for id_, in cr.fetchall()])
        for data, record in zip(data_list, records):
            data['record'] = record
        names = [*columns, *dict(COPY_COLUMNS)]
        records.modified(names, create=True)
        # the rows did not go through the cache: lists of copies (a shared body's) are read again
        for name in names:
            for inverse in self.pool.field_inverses[self._fields[name]]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        return records

    def _mail_group_member_links(self, builders):
        """The personal links of this copy's member, by kind ({} when it is
        not a group's or has no address); ``builders`` keeps the link
        builders between calls (:meth:`_mail_group_links_builder`)."""
        self.ensure_one()
        member = self.mail_group_member_id
        email = member.email_normalized or tools.email_normalize(self.email_to)
        if self.model != 'mail.group' or not self.res_id or not email:
            return {}
        return self._mail_group_links_builder(builders, self.res_id)(member.id, email)

    def _compute_body_content(self):
        """A copy of a group post shows its footer with the member's links,
        as the member receives it."""
        result = super()._compute_body_content()
        builders = {}
        for mail in self:
            if not (mail.mail_group_post and mail.body_html):
                continue
            post, footer_html = footer.split(mail.body_html)
            placeholders = footer.placeholders_in(footer_html)
            links = mail._mail_group_member_links(builders) if placeholders else None
            if links:
                mail.body_content = post + footer.personalize(footer_html, placeholders, links)
        return result
