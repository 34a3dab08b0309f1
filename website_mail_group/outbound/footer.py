"""Per-member footer: the QWeb footer is rendered once per post with a
placeholder for the personal unsubscribe link, which is filled in here."""
from markupsafe import escape

UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.placeholder.invalid/'


def append_footer(body, footer):
    return f'{body or ""}{footer or ""}'


def personalize(body_with_footer, unsubscribe_url):
    return body_with_footer.replace(UNSUBSCRIBE_PLACEHOLDER, str(escape(unsubscribe_url)))
