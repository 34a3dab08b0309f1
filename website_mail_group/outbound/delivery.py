"""Who receives a post: every member but its author, once per address."""


def recipients(members, author_email_normalized, previous_email=None):
    """``members`` are dicts with ``email`` and ``email_normalized``, sorted
    by ``email_normalized``; returns them in order, without the author and
    without repeated addresses (nor ``previous_email``, the last address of
    the page before)."""
    result = []
    last = previous_email
    for member in members:
        key = member['email_normalized']
        if key and key != last and key != author_email_normalized:
            result.append(member)
        last = key
    return result
