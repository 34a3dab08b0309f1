"""Per-member footer: the QWeb footer is rendered once per post with
placeholders for the personal links; every queued copy stores it so, and
the member's links are filled in here when the copy is sent.

Only the footer is ever personalized, never the post above it: a post
quoting a placeholder gets nobody's link. The placeholders are also fresh
for each post (a random nonce), so no post can be written to contain them."""
import re
import secrets

from markupsafe import escape

FOOTER_ID = 'o_mg_message_footer'
FOOTER_START = f'<div id="{FOOTER_ID}"'
LINKS = ('unsubscribe', 'settings', 'mute')  # 'mute': only in the footer of a thread's post
TEXT_SEPARATOR = '\n\n-- \n'  # the RFC 3676 signature separator


PLACEHOLDER = re.compile(r'https://(%s)-[0-9a-f]{32}\.placeholder\.invalid/' % '|'.join(LINKS))


def placeholders():
    """New placeholders for one post, by link kind."""
    nonce = secrets.token_hex(16)
    return {kind: f'https://{kind}-{nonce}.placeholder.invalid/' for kind in LINKS}


def placeholders_in(footer):
    """The placeholders of a rendered ``footer``, by link kind."""
    return {match.group(1): match.group(0) for match in PLACEHOLDER.finditer(footer)}


def append_footer(body, footer):
    return f'{body or ""}{footer or ""}'


def split(html):
    """``(post, footer)``: the footer is the last element with our id, as
    it is always appended after the post; ``(html, '')`` without one."""
    start = html.rfind(FOOTER_START)
    return (html, '') if start < 0 else (html[:start], html[start:])


def personalize(footer, placeholders, links):
    """The rendered ``footer`` with one member's ``links`` (by kind) in
    place of its ``placeholders`` (by kind)."""
    footer = str(footer)  # Markup.replace would escape the URLs twice
    for kind, placeholder in placeholders.items():
        footer = footer.replace(placeholder, str(escape(links[kind])))
    return footer


def personalize_text(text, placeholders, links):
    """A member's links in the plain text of the footer rendered with
    placeholders; ``None`` when a placeholder is missing."""
    for kind, placeholder in placeholders.items():
        if placeholder not in text:
            return None
        text = text.replace(placeholder, links[kind])
    return text


def join_text(body_text, footer_text):
    return f'{body_text}{TEXT_SEPARATOR}{footer_text}' if footer_text else body_text
