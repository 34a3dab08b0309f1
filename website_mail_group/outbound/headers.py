"""List headers (RFC 2369, RFC 2919, RFC 8058) for one outgoing post."""


def list_id(alias_name, alias_domain):
    """RFC 2919 list identifier: ``alias.domain``."""
    return f'{alias_name}.{alias_domain}' if alias_name and alias_domain else ''


def list_headers(name, alias_email, list_identifier, archive_url, subscribe_url,
                 in_reply_to=None, archived_at=None):
    """Headers shared by every copy of a post, added when it is sent; the
    per-member ones are :func:`personal_headers`. (``References`` is Odoo's
    to write, from the copy's ``references``.) ``archived_at``: the URL of
    the post in the archive (RFC 5064)."""
    quoted_name = name.replace('\\', '\\\\').replace('"', '\\"')
    headers = {
        'List-Id': f'"{quoted_name}" <{list_identifier}>' if list_identifier else f'"{quoted_name}"',
        'List-Archive': f'<{archive_url}>',
        'List-Subscribe': f'<{subscribe_url}>',
        'Precedence': 'list',
        'X-Auto-Response-Suppress': 'OOF',
    }
    if alias_email:
        headers['List-Post'] = f'<mailto:{alias_email}>'
        headers['List-Subscribe'] = f'<{subscribe_url}>, <mailto:{command_address(alias_email, "subscribe")}>'
        headers['X-Loop'] = alias_email
    if archived_at:
        headers['Archived-At'] = f'<{archived_at}>'
    if in_reply_to:
        headers['In-Reply-To'] = in_reply_to
    return headers


def command_address(alias_email, command):
    local, __, domain = alias_email.rpartition('@')
    return f'{local}+{command}@{domain}'


def personal_headers(unsubscribe_url):
    """The headers of one member's copy: their RFC 8058 one-click URL,
    alone in ``List-Unsubscribe`` as Odoo's mail_group writes it (code
    written for it reads one URL there; the ``+unsubscribe`` mail command
    still works)."""
    return {'List-Unsubscribe': f'<{unsubscribe_url}>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'}
