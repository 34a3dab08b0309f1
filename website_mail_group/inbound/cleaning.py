"""Header values from strangers, made safe to store and to send again."""
import re

CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f]')


def one_line(value, replacement=' '):
    """``value`` without control characters (NUL, CR, LF...) nor runs of
    blanks: a header injected with CRLF becomes one harmless line."""
    return ' '.join(CONTROL_CHARS.sub(replacement, value or '').split())
