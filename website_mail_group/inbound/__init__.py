"""Inbound: what happens to a mail sent to a group, in order.

1. Odoo's gateway (``message_process``) routes it to the group's alias;
   ``models/mail_thread.py`` reads the raw mail's facts (headers, size,
   recipients, active content), answers list commands (``+subscribe``,
   ``+unsubscribe``) and signed bounces (``outbound/bounces.py``).
2. ``cleaning.py`` makes header values from strangers safe to keep.
3. ``models/mail_group_posting.py`` (``message_post``, the one entry of every
   post: gateway, back office, website) stores the post; for mail,
   ``authentication.py`` (DKIM, DMARC, the MTA's ``Authentication-Results``;
   look-ups in ``dns_lookup.py``) says whether its From is proven.
4. ``rules.py`` decides one action, the first rule that answers wins:
   loop -> auto-reply -> closed list -> no sender -> banned -> header rules
   -> failed sender authentication -> size -> recipients -> list address in
   To/Cc -> suspicious content -> emergency hold -> locked topic ->
   whitelisted/moderator -> non-member -> new member -> moderation;
   an unproven From gets a stranger's due, held where its privileges mattered.
   ``reasons.py`` names every reason and its label.
5. ``models/mail_group_actions.py`` ends it: accept (distribute: outbound/),
   hold (alert the moderators), reject (answer a non-member), discard.
"""
