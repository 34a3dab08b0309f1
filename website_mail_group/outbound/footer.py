"""Per-member footer: the QWeb footer is rendered once per post with
placeholders for the personal links, which are filled in here."""
from markupsafe import escape

UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.placeholder.invalid/'
SETTINGS_PLACEHOLDER = 'https://settings.placeholder.invalid/'


def append_footer(body, footer):
    return f'{body or ""}{footer or ""}'


def personalize(body_with_footer, links):
    """``links`` maps each placeholder to the member's URL."""
    for placeholder, url in links.items():
        body_with_footer = body_with_footer.replace(placeholder, str(escape(url)))
    return body_with_footer
