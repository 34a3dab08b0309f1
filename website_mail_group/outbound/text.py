"""Plain text of posts: the author's own text/plain part when it can be
kept, else a conversion of the HTML that keeps paragraphs and the "-- "
signature separator; plain posts shown in HTML as wrapping paragraphs."""
import re

import lxml.html
from markupsafe import Markup, escape

from odoo.tools import html_sanitize

MAX_AUTHOR_TEXT = 100_000  # characters; longer texts are converted from the HTML instead
# our footer's personal links: a reply quoting them must not pass them on
PERSONAL_LINK = re.compile(r'/group/\d+/(?:unsubscribe_oneclick|delivery)\?')
BLOCKS = {'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'pre', 'blockquote', 'hr',
          'address', 'section', 'article', 'header', 'footer', 'dl'}
LINES = {'li', 'tr', 'dt', 'dd'}
SKIPPED = {'script', 'style', 'head', 'title'}


def author_text(message):
    """The text/plain body the author wrote (an ``email.message.EmailMessage``),
    without the lines quoting a footer's personal links; ``None`` when there
    is no such part, or it is unreadable or too long."""
    try:
        part = message.get_body(preferencelist=('plain',))
        text = part.get_content() if part is not None else None
    except Exception:  # noqa: BLE001 - broken MIME: the HTML is converted instead
        return None
    if not isinstance(text, str):
        return None
    text = text.replace('\r\n', '\n').replace('\r', '\n').replace('\x00', '').strip('\n')
    if len(text) > MAX_AUTHOR_TEXT:
        return None
    if PERSONAL_LINK.search(text):
        text = '\n'.join(line for line in text.split('\n') if not PERSONAL_LINK.search(line)).strip('\n')
    return text or None


def is_plain_post(message):
    """Whether the body Odoo shows comes from a text/plain part (no HTML)."""
    try:
        part = message.get_body(preferencelist=('html', 'plain'))
    except Exception:  # noqa: BLE001
        return False
    return part is not None and part.get_content_type() == 'text/plain'


def text_to_html(text):
    """Paragraphs (blank lines) and line breaks, escaped, with leading
    spaces kept: wraps on any screen, unlike ``<pre>``."""
    paragraphs = re.split(r'\n(?:[ \t]*\n)+', text.strip('\n'))
    html = []
    for paragraph in paragraphs:
        lines = [escape(re.sub(r'^ +', lambda m: '\xa0' * len(m.group()), line if line == '-- ' else line.rstrip()))
                 for line in paragraph.split('\n')]
        html.append(Markup('<p>%s</p>') % Markup('<br>').join(lines))
    return Markup('').join(html)


def html_to_text(html):
    """Plain text of an HTML body: a blank line between paragraphs, line
    breaks kept, links written out, quotes prefixed with "> "."""
    if not html or not str(html).strip():
        return ''
    try:
        root = lxml.html.fromstring(f'<div>{html}</div>')
    except Exception:  # noqa: BLE001 - unparsable: its text only
        return re.sub(r'<[^>]*>', '', str(html)).strip()
    out = _Writer()
    _walk(root, out, pre=False)
    return out.result()


class _Writer:
    """Text with pending line breaks: blocks ask for a blank line, list
    items and ``<br>`` for a new line, written only before more text."""

    def __init__(self):
        self.text_so_far = ''
        self.pending = 0

    def text(self, value, pre):
        if not pre:
            value = re.sub(r'\s+', ' ', value)
            if self.pending or not self.text_so_far or self.text_so_far.endswith('\n'):
                value = value.lstrip(' ')
        if not value:
            return
        if self.pending and self.text_so_far:
            self.text_so_far = self.text_so_far.rstrip(' ') if not self.text_so_far.endswith('-- ') else self.text_so_far
            self.text_so_far += '\n' * self.pending
        self.pending = 0
        self.text_so_far += value

    def newline(self, count, add=False):
        self.pending = min(self.pending + count, 2) if add else max(self.pending, count)

    def result(self):
        lines = [line if line == '-- ' else line.rstrip() for line in self.text_so_far.split('\n')]
        lines = ['-- ' if line == '--' else line for line in lines]
        return re.sub(r'\n{3,}', '\n\n', '\n'.join(lines)).strip('\n')


def _walk(node, out, pre):
    tag = node.tag if isinstance(node.tag, str) else ''
    if tag in SKIPPED:
        if node.tail:
            out.text(node.tail, pre)
        return
    if tag == 'br':
        out.newline(1, add=True)
    block = 2 if tag in BLOCKS else 1 if tag in LINES else 0
    if block:
        out.newline(block)
    if tag == 'blockquote':
        inner = _Writer()
        if node.text:
            inner.text(node.text, pre)
        for child in node:
            _walk(child, inner, pre)
        out.text('\n'.join(f'> {line}'.rstrip() for line in inner.result().split('\n')), True)
    else:
        if tag == 'li':
            out.text('- ', True)
        inner_pre = pre or tag == 'pre'
        if node.text:
            out.text(node.text, inner_pre)
        for child in node:
            _walk(child, out, inner_pre)
        href = node.get('href') if tag == 'a' else None
        if href and not href.startswith('#') and href.removeprefix('mailto:') not in node.text_content():
            out.text(f' <{href.removeprefix("mailto:")}>', True)
    if block:
        out.newline(block)
    if node.tail:
        out.text(node.tail, pre)


def sanitize(html):
    """Post HTML shown outside the back office (website, digests): the
    strict sanitizer, no style, no class, no form; stored HTML is never
    trusted."""
    return html_sanitize(html, silent=True, sanitize_tags=True, sanitize_attributes=True, sanitize_style=True,
                         strip_style=True, strip_classes=True, sanitize_form=True) or ''
