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


def depersonalize(html, links):
    """The inverse of :func:`personalize`: placeholders back in place of
    one member's links, to render the plain-text part once per post."""
    for placeholder, url in links.items():
        html = html.replace(str(escape(url)), placeholder)
    return html


def personalize_text(text, links):
    """A member's links in the plain-text part rendered with placeholders;
    ``None`` when a placeholder is missing (render the text per member)."""
    for placeholder, url in links.items():
        if placeholder not in text:
            return None
        text = text.replace(placeholder, url)
    return text
