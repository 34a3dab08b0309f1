"""Dates as the archive pages print them, the same text as Odoo's date and
datetime widgets (in UTC: the browser then shows local time), with each
language's pattern worked out once, not once per date: measured
(bench/archive.py), the widgets and the month list's labels were a third of
an archive page's time."""
import datetime
import functools

import babel.dates
import pytz

from odoo import fields
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml


@functools.lru_cache(maxsize=64)
def _pattern(lang_code, strftime_format):
    locale = babel_locale_parse(lang_code)
    return locale, posix_to_ldml(strftime_format, locale=locale)


@functools.lru_cache(maxsize=4096)
def month_label(lang_code, month):
    """"December 2026" in the language."""
    return babel.dates.format_date(month, format='MMMM yyyy', locale=babel_locale_parse(lang_code))


def time_labeller(env):
    """A function printing a datetime as Odoo's ``datetime`` widget would
    in UTC in the language of ``env``, or its date alone as the ``date``
    widget would."""
    lang = get_lang(env)
    date_locale, date_pattern = _pattern(lang.code, lang.date_format)
    locale, pattern = _pattern(lang.code, f'{lang.date_format} {lang.time_format}')

    def label(value, date_only=False):
        if not value:
            return ''
        if date_only:
            if isinstance(value, datetime.datetime) and not value.tzinfo:
                value = fields.Datetime.context_timestamp(env['res.lang'], value)
            return babel.dates.format_date(value, format=date_pattern, locale=date_locale)
        return babel.dates.format_datetime(pytz.utc.localize(value), format=pattern, tzinfo=pytz.utc, locale=locale)
    return label
