"""Per-member copies of one post's MIME message: the message is built once
by Odoo, then only the recipient, the personal headers and the bodies
change for each member."""
import copy


def personalize(base, email_to, html, text, headers):
    """A copy of ``base`` (an ``EmailMessage``) for one member."""
    message = copy.deepcopy(base)
    del message['To']
    message['To'] = email_to
    for name, value in headers.items():
        del message[name]
        message[name] = value
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == 'attachment':
            continue
        content_type = part.get_content_type()
        if content_type == 'text/html':
            part.set_content(html, subtype='html', charset='utf-8')
        elif content_type == 'text/plain':
            part.set_content(text, subtype='plain', charset='utf-8')
    return message
