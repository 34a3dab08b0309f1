"""How a copy presents itself: subject prefix, From (DMARC-safe "via the
group" rewriting) and Reply-To, from the group's settings.

The From is rewritten to ``"Author via Group" <group address>`` when the
group says so, and also when the outgoing mail server cannot send from the
author's address (its ``from_filter`` only allows the list's domain): Odoo
would otherwise send ``Author <notifications@domain>``, hiding the author.
A rewritten From keeps the author reachable as Mailman's DMARC mitigation
does: when replies go to the group, the author is in Cc (reply-all reaches
them); otherwise the Reply-To names them."""
from email.utils import formataddr, parseaddr

VIA_POLICIES = ('group', 'wrap')  # wrap: via the group, the original attached (wrap.py)


def subject_with_prefix(subject, prefix):
    """``[Group] subject``, unless the subject already carries the prefix
    (replies keep a single one)."""
    subject = subject or ''
    if not prefix or prefix.lower() in subject.lower():
        return subject
    return f'{prefix} {subject}'.strip()


def reply_subject(subject):
    """The subject of a reply: ``Re: subject``, once."""
    if not subject:
        return False
    return subject if subject.lower().startswith('re:') else f'Re: {subject}'


def is_rewritten(author, alias_email, policy, author_usable=True):
    """Whether the copies leave ``via`` the group rather than from ``author``."""
    address = parseaddr(author or '')[1]
    if not alias_email or address.lower() == alias_email.lower():
        return False
    return policy in VIA_POLICIES or not author_usable


def from_header(author, group_name, alias_email, policy, author_usable=True):
    """``"Author via Group" <group address>`` when the group sends as itself,
    so the author's domain's DMARC policy does not reject the copies, or
    when the mail server cannot send from the author's address."""
    if not is_rewritten(author, alias_email, policy, author_usable):
        return author
    name, address = parseaddr(author or '')
    display = name or address.split('@')[0] or group_name
    return formataddr((f'{display} via {group_name}', alias_email))


def reply_to(policy, alias_email, author):
    if policy == 'author' and author:
        return author
    if policy == 'both' and author and alias_email:
        return f'{alias_email}, {author}'
    return alias_email or author


def cc(policy, author, rewritten):
    """The author in Cc when the From no longer names them and replies go
    to the group only."""
    return author if rewritten and policy == 'list' and author else None
