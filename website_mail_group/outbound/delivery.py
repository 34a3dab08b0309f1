"""Who receives a post: every member but its author, once per address."""


def recipients(members, author_email_normalized):
    """``members`` are dicts with ``email`` and ``email_normalized``; returns
    them in order, without the author and without repeated addresses."""
    seen = {author_email_normalized} if author_email_normalized else set()
    result = []
    for member in members:
        key = member['email_normalized']
        if not key or key in seen:
            continue
        seen.add(key)
        result.append(member)
    return result
