"""``mail_group_one(count)`` in QWeb: whether ``count`` takes the singular
in the language rendered ("1 member", "0 members"; in French 0 and 1 take
it: "0 réponse"), by the plural rules of the CLDR (Babel)."""
import functools

import babel

from odoo import models


@functools.lru_cache(maxsize=32)
def _locale(lang):
    try:
        return babel.Locale.parse(lang or 'en_US')
    except (ValueError, babel.UnknownLocaleError):
        return babel.Locale.parse('en_US')


def is_singular(lang, count):
    """Whether ``count`` things take the singular in ``lang``."""
    return _locale(lang).plural_form(abs(count or 0)) == 'one'


class IrQweb(models.AbstractModel):
    _inherit = 'ir.qweb'

    def _prepare_environment(self, values):
        irqweb = super()._prepare_environment(values)
        lang = irqweb.env.lang
        values['mail_group_one'] = lambda count: is_singular(lang, count)
        return irqweb
