"""The patterns of the inbound rules, in linear time: banned addresses and
header rules (``*`` and ``?`` wildcards, never regular expressions), the
limits of the lists of patterns a group may save, and active content in
HTML (scripts, frames, handlers)."""
import logging
import re

_logger = logging.getLogger(__name__)

MAX_PATTERN_LENGTH = 254  # the longest address RFC 5321 allows
MAX_PATTERNS = 500

ACTIVE_CONTENT = re.compile(
    r'<\s*(script|iframe|frame|object|embed|applet|form|base)\b|<\s*meta\b[^>]{0,300}http-equiv\s*=\s*["\']?refresh'
    r'|\son[a-z]+\s*=|javascript\s*:|expression\s*\(',
    re.IGNORECASE)


def matches_pattern(email, pattern):
    """Whether the wildcard ``pattern`` (``*``: any characters, ``?``: one
    character, anything else itself), such as ``*@spam.example``, matches
    the whole address, case-insensitively. Regular expressions (``^...``,
    accepted by older versions) are ignored: one can take minutes."""
    if not email:
        return False
    if pattern.strip().startswith('^'):
        _logger.warning('Banned pattern %r ignored: regular expressions are not supported, use * and ?', pattern)
        return False
    return matches_value(email, pattern)


def matches_value(value, pattern):
    """Whether the wildcard ``pattern`` matches the whole header ``value``
    (surrounding blanks and folding ignored), case-insensitively."""
    pattern = pattern.strip()
    if not pattern:
        return False
    return wildcard_match(' '.join((value or '').split()).lower(), pattern.lower())


def wildcard_match(text, pattern):
    """Match ``text`` against a ``*``/``?`` pattern in one pass over
    ``text``, without backtracking: the set of pattern prefixes matching
    the text read so far is a bit mask (bit k: ``pattern[:k]``), updated per
    character (shift-and automaton)."""
    while '**' in pattern:
        pattern = pattern.replace('**', '*')
    literal, any_char, star = {}, 0, 0
    for position, char in enumerate(pattern):
        bit = 1 << (position + 1)
        if char == '*':
            star |= bit
            any_char |= bit
        elif char == '?':
            any_char |= bit
        else:
            literal[char] = literal.get(char, 0) | bit
    state = 1 | (2 & star)  # the empty prefix, and a leading * matching nothing
    for char in text:
        state = ((state << 1) & (literal.get(char, 0) | any_char)) | (state & star)
        state |= (state << 1) & star  # a * may match nothing
        if not state:
            return False
    return bool(state >> len(pattern) & 1)


def pattern_lines(text):
    return [line.strip() for line in (text or '').splitlines() if line.strip()]


def invalid_pattern(text):
    """``(reason, line)`` for banned patterns that cannot be saved (reason:
    ``count``, ``regex`` or ``length``), else ``None``."""
    lines = pattern_lines(text)
    if len(lines) > MAX_PATTERNS:
        return 'count', ''
    for line in lines:
        if line.startswith('^'):
            return 'regex', line
        if len(line) > MAX_PATTERN_LENGTH:
            return 'length', line
    return None


def has_active_content(html):
    return bool(html) and bool(ACTIVE_CONTENT.search(html))
