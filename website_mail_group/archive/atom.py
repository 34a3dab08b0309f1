"""Atom 1.0 feeds (RFC 4287) of a group's archive, built with lxml: every
text goes through the XML serializer, never through string formatting."""
import re
import uuid

from lxml import etree
from lxml.builder import ElementMaker

ATOM = 'http://www.w3.org/2005/Atom'
E = ElementMaker(namespace=ATOM, nsmap={None: ATOM})
# characters XML 1.0 cannot carry (control characters of hostile mail)
NOT_XML = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def text(value):
    return NOT_XML.sub('', str(value or ''))


def stable_id(*parts):
    """A stable IRI for a feed or an entry: a name-based UUID (RFC 4122,
    version 5) of ``parts``, such as a post's Message-ID: the same post
    keeps its id whatever its URL or the feed it is read in."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ' '.join(str(part) for part in parts))}"


def timestamp(value):
    """RFC 3339 date of a naive UTC datetime (as the ORM gives them)."""
    return value.replace(microsecond=0).isoformat() + 'Z'


def feed(feed_id, title, subtitle, self_url, alternate_url, updated, entries):
    """The feed document (bytes). ``entries``: dicts with ``id``, ``title``,
    ``author``, ``published``, ``updated``, ``url`` and ``content`` (HTML,
    already sanitized, sent escaped as ``type="html"``)."""
    root = E.feed(
        E.id(feed_id),
        E.title(text(title)),
        E.updated(timestamp(updated)),
        E.link(rel='self', type='application/atom+xml', href=self_url),
        E.link(rel='alternate', type='text/html', href=alternate_url),
        E.generator('website_mail_group'),
    )
    if subtitle:
        root.insert(2, E.subtitle(text(subtitle)))
    for entry in entries:
        root.append(E.entry(
            E.id(entry['id']),
            E.title(text(entry['title'])),
            E.author(E.name(text(entry['author']))),
            E.published(timestamp(entry['published'])),
            E.updated(timestamp(entry['updated'])),
            E.link(rel='alternate', type='text/html', href=entry['url']),
            E.content(text(entry['content']), type='html'),
        ))
    return etree.tostring(root, xml_declaration=True, encoding='utf-8')
