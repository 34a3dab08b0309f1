"""Full-text search of the archive: a stored ``tsvector`` per post (subject
weight A, author B, body D) with a GIN index on the accepted posts, the
query language of the search box, and highlighted excerpts.

The ORM has no text-search type or operator: the column, its index, its
updates and the ``@@`` / ``ts_headline`` expressions are SQL, always with
parameters."""
import re
from datetime import date, datetime

from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import SQL, split_every

from .mail_group_message_review import author_label

# the website's language -> PostgreSQL's text search configuration (stemming, stop words)
LANGUAGE_CONFIGS = {
    'ar': 'arabic', 'hy': 'armenian', 'eu': 'basque', 'ca': 'catalan', 'da': 'danish', 'nl': 'dutch',
    'en': 'english', 'fi': 'finnish', 'fr': 'french', 'de': 'german', 'el': 'greek', 'hi': 'hindi',
    'hu': 'hungarian', 'id': 'indonesian', 'ga': 'irish', 'it': 'italian', 'lt': 'lithuanian',
    'ne': 'nepali', 'nb': 'norwegian', 'no': 'norwegian', 'pt': 'portuguese', 'ro': 'romanian',
    'ru': 'russian', 'sr': 'serbian', 'es': 'spanish', 'sv': 'swedish', 'ta': 'tamil', 'tr': 'turkish',
    'yi': 'yiddish',
}
CONFIG_PARAM = 'website_mail_group.search_config'
# fields of a post's mail.message that its search vector is made of
INDEXED_FIELDS = ('subject', 'body', 'email_from', 'author_id')

MAX_QUERY = 1000  # characters of the search box read
MAX_TERMS = 20
# a term is made of these characters only: no quote, backslash or operator
# reaches to_tsquery, whatever was typed
NOT_TERM = re.compile(r'[^\w@.+-]+')
TOKEN = re.compile(r'(?:\b(from|subject|after|before):)?(?:"([^"]*)"?|([^\s"]+))', re.IGNORECASE)
ISO_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
WEIGHTS = {'subject': 'A', 'from': 'B'}
CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f]')
MARKED = re.compile(r'\x02([^\x02\x03]*)\x03')
# ts_headline drops what looks like a tag or an entity: those characters go
# through it as control characters, and come back as text
MASKED = {'<': '\x04', '>': '\x05', '&': '\x06'}
HEADLINE_OPTIONS = ('StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, ShortWord=3, '
                    'MaxFragments=2, FragmentDelimiter=" … "')

# the post's vector: subject (A), the author as the archive names them, never
# their address (B: "from:", models/mail_group_message_review.author_label),
# body (D); to_tsvector skips the HTML tags of the body
VECTOR_SQL = """
    setweight(to_tsvector(%(config)s::regconfig, coalesce(message.subject, '')), 'A')
 || setweight(to_tsvector(%(config)s::regconfig, author.label), 'B')
 || to_tsvector(%(config)s::regconfig, left(coalesce(message.body, ''), 200000))
"""
INDEX_BATCH = 5000  # posts indexed per query


def parse_query(text):
    """{'terms': [(words, field or None, is_phrase)], 'after': date, 'before': date}
    of what a visitor typed. Anything is a query: unknown prefixes,
    malformed dates and stray quotes become words."""
    text = CONTROL.sub(' ', str(text or ''))[:MAX_QUERY]
    parsed = {'terms': [], 'after': None, 'before': None}
    for match in TOKEN.finditer(text):
        field, phrase, word = (match.group(1) or '').lower() or None, match.group(2), match.group(3)
        if field in ('after', 'before') and word and ISO_DATE.match(word):
            try:
                parsed[field] = date.fromisoformat(word)
                continue
            except ValueError:  # pylint: disable=except-pass  # not a date: searched as a word below
                pass
        if field in ('after', 'before'):
            # not a date: the whole token is words
            field, word = None, f'{field} {word or phrase or ""}'
        words = NOT_TERM.sub(' ', phrase if phrase is not None else word).split()
        if phrase is not None and words:
            parsed['terms'].append((' '.join(words), field, True))
        else:
            parsed['terms'] += [(one, field, False) for one in words]
    parsed['terms'] = parsed['terms'][:MAX_TERMS]
    return parsed


def tsquery_text(terms):
    """The to_tsquery() input of ``terms``: every term a quoted literal
    (a phrase when it has several words), restricted to its field's weight."""
    return ' & '.join(f"'{words}'" + (f':{WEIGHTS[field]}' if field in WEIGHTS else '')
                      for words, field, __ in terms)


def mark(headline):
    """A ts_headline() result as HTML: the text escaped, then the matches
    (between \\x02 and \\x03) marked."""
    html = MARKED.sub(lambda match: f'<mark>{match.group(1)}</mark>', str(escape(headline or '')))
    for char, masked in MASKED.items():
        html = html.replace(masked, str(escape(char)))
    return Markup(html.replace('\x02', '').replace('\x03', ''))


def masked(text):
    """``text`` for ts_headline: no control character, tags and entities masked."""
    text = CONTROL.sub(' ', text)
    for char, mask in MASKED.items():
        text = text.replace(char, mask)
    return text


class MailGroupMessage(models.Model):
    _inherit = 'mail.group.message'

    def init(self):
        result = super().init()
        cr = self.env.cr
        cr.execute("ALTER TABLE mail_group_message ADD COLUMN IF NOT EXISTS search_vector tsvector")
        # only accepted posts are ever searched (the archive's rule): a smaller index
        cr.execute("""
            CREATE INDEX IF NOT EXISTS mail_group_message_search_index
                ON mail_group_message USING gin (search_vector)
             WHERE moderation_status = 'accepted'
        """)
        config = self._search_language_config()
        params = self.env['ir.config_parameter'].sudo()
        # posts stored without the ORM (switch from Odoo's module, imports) get
        # their vector here; all of them when the website's language changed
        stale = SQL('TRUE') if params.get_param(CONFIG_PARAM) != config else SQL('post.search_vector IS NULL')
        params.set_param(CONFIG_PARAM, config)
        self._search_index_where(stale, config)
        return result

    @api.model
    def _search_language_config(self):
        """The text search configuration of the website's default language,
        else 'simple' (no stemming)."""
        lang = self.env['mail.group']._mail_group_lang()
        name = LANGUAGE_CONFIGS.get(lang.split('_')[0].lower())
        if name:
            self.env.cr.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            if self.env.cr.fetchone():
                return name
        return 'simple'

    @api.model
    def _search_config(self):
        """The configuration the stored vectors were made with: queries must use it."""
        return self.env['ir.config_parameter'].sudo().get_param(CONFIG_PARAM) or 'simple'

    @api.model_create_multi
    def create(self, vals_list):
        posts = super().create(vals_list)
        posts._search_index()
        return posts

    def _search_index(self):
        """(Re)compute the search vector of these posts, one query."""
        if self.ids:
            self._search_index_where(SQL('post.id = ANY(%s)', self.ids), self._search_config())

    def _search_index_where(self, condition, config):
        self.env['mail.message'].flush_model(INDEXED_FIELDS)
        self.env['res.partner'].flush_model(['name'])
        self.flush_model(['mail_message_id'])
        cr = self.env.cr
        cr.execute(SQL("""
            SELECT post.id, message.email_from, partner.name
              FROM mail_group_message post
              JOIN mail_message message ON message.id = post.mail_message_id
              LEFT JOIN res_partner partner ON partner.id = message.author_id
             WHERE %s
        """, condition))
        for rows in split_every(INDEX_BATCH, cr.fetchall()):
            cr.execute(SQL("""
                UPDATE mail_group_message post SET search_vector = """ + VECTOR_SQL + """
                  FROM mail_message message, unnest(%(ids)s::int[], %(labels)s::text[]) AS author(id, label)
                 WHERE post.id = author.id AND message.id = post.mail_message_id
            """, config=config, ids=[row[0] for row in rows],
                labels=[author_label(email_from, name) for __, email_from, name in rows]))

    @api.model
    def _archive_search(self, groups, parsed, offset, limit, max_results):
        """(number of results, at most ``max_results`` + 1; posts of the page)
        of the accepted posts of ``groups`` matching ``parsed`` (parse_query),
        newest first. Two queries whatever the words. Access to ``groups``
        is the caller's to check."""
        domain = [('mail_group_id', 'in', groups.ids), ('moderation_status', '=', 'accepted')]
        if parsed['after']:
            domain.append(('date', '>=', parsed['after']))
        if parsed['before']:
            domain.append(('date', '<', parsed['before']))
        Message = self.sudo()
        match = None
        if parsed['terms']:
            match = SQL('%s @@ to_tsquery(%s::regconfig, %s)', SQL.identifier(Message._table, 'search_vector'),
                        self._search_config(), tsquery_text(parsed['terms']))
        found_query = Message._search(domain)
        if match:
            found_query.add_where(match)
        # The matches, unordered, up to one more than max_results: PostgreSQL reads
        # the GIN index for a rare word, and stops after max_results + 1 rows for a
        # common one. Ordered by date with a LIMIT, a rare word made it walk the whole
        # date index backwards (270 ms at 100,000 posts, bench/README.md).
        self.env.cr.execute(SQL('%s LIMIT %s', found_query.select(
            SQL.identifier(Message._table, 'id'), SQL.identifier(Message._table, 'date')), max_results + 1))
        found = self.env.cr.fetchall()
        fields = ['mail_message_id', 'date', 'email_from_normalized']
        if len(found) <= max_results:
            # all of them: the page is sorted here
            found.sort(key=lambda row: (row[1] or datetime.min, row[0]), reverse=True)
            page = Message.browse([post_id for post_id, __ in found[offset:offset + limit]])
            page.fetch(fields)
            return len(found), page
        # a common word: newest first through the archive's date index, which
        # meets the matches at once
        page_query = Message._search(domain, offset=offset, limit=limit, order='date DESC, id DESC')
        if match:
            page_query.add_where(match)
        return len(found), Message._fetch_query(page_query, [Message._fields[name] for name in fields])

    @api.model
    def _search_headlines(self, parsed, texts):
        """{post id: excerpt (Markup) with the words found marked} of
        ``texts`` ({post id: plain text}), one query."""
        if not texts:
            return {}
        if not parsed['terms']:
            return {post_id: escape(text[:300]) for post_id, text in texts.items()}
        config = self._search_config()
        ids = list(texts)
        self.env.cr.execute(SQL("""
            SELECT post.id, ts_headline(%(config)s::regconfig, post.text, to_tsquery(%(config)s::regconfig, %(query)s),
                                        %(options)s)
              FROM unnest(%(ids)s::int[], %(texts)s::text[]) AS post(id, text)
        """, config=config, query=tsquery_text(parsed['terms']), options=HEADLINE_OPTIONS, ids=ids,
            texts=[masked(texts[post_id]) for post_id in ids]))
        return {post_id: mark(headline) for post_id, headline in self.env.cr.fetchall()}


class MailMessage(models.Model):
    _inherit = 'mail.message'

    def write(self, vals):
        result = super().write(vals)
        if set(INDEXED_FIELDS) & vals.keys():
            self.sudo().filtered(lambda message: message.model == 'mail.group').mail_group_message_ids._search_index()
        return result
