"""How a copy presents itself: subject prefix, From (DMARC-safe "via the
group" rewriting) and Reply-To, from the group's settings."""
from email.utils import formataddr, parseaddr


def subject_with_prefix(subject, prefix):
    """``[Group] subject``, unless the subject already carries the prefix
    (replies keep a single one)."""
    subject = subject or ''
    if not prefix or prefix.lower() in subject.lower():
        return subject
    return f'{prefix} {subject}'.strip()


def from_header(author, group_name, alias_email, policy):
    """``"Author via Group" <group address>`` when the group sends as itself,
    so the author's domain's DMARC policy does not reject the copies."""
    name, address = parseaddr(author or '')
    if policy != 'group' or not alias_email or address.lower() == alias_email.lower():
        return author
    display = name or address.split('@')[0] or group_name
    return formataddr((f'{display} via {group_name}', alias_email))


def reply_to(policy, alias_email, author):
    if policy == 'author' and author:
        return author
    if policy == 'both' and author and alias_email:
        return f'{alias_email}, {author}'
    return alias_email or author
