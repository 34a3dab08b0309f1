"""Outbound: how an accepted post reaches every member, in order.

1. ``models/mail_group_distribution.py`` reads the members page by page
   (``delivery.py``: once per address, not the author) and queues one
   ``mail.mail`` per member through ``models/mail_mail_copies.py``: a copy
   stores its recipient and member (its one-click headers, ``headers.py``,
   are made from the member when read);
   the body, with the footer's placeholders (``footer.py``), is stored
   once for all the copies (``models/mail_group_copy_body.py``).
2. Every worker on the database (the "Mail List: Send copies" jobs, woken
   when a post is queued, and Odoo's mail queue) claims batches of copies
   (``claims.py``, ``models/mail_mail.py``); ``models/mail_mail_sending.py``
   sends each batch through one SMTP session, within the mail server's cap
   of concurrent sessions (``sessions.py``; ``smtp_send.py`` speaks SMTP),
   and ``copies.py`` builds each member's bytes from what
   ``prepared_post.py`` made once per post: Odoo's MIME message
   (``mime.py``, ``text.py``), From and Reply-To by the group's settings
   (``identity.py``), the list headers; then the member's links put into the
   footer, a signed VERP envelope sender (``bounces.py``), the post as
   received attached when the group wraps posts (``wrap.py``), a DKIM
   signature by the list's domain (``signing.py``) and, for posts that
   came by mail, its ARC seal when the domain seals (``arc.py``).
3. ``outcome.py`` records what became of each copy (``smtp_errors.py``:
   retry, give up, reconnect); ``models/mail_group_sent.py`` journals each
   copy the server took at once, so a killed worker sends none twice;
   bounces come back through inbound/.
"""
