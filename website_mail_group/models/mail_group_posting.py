"""Posting to a group: the one entry of every post (gateway, back office,
website), which stores it, asks the inbound rules for a decision and ends
with the action it names (mail_group_actions.py)."""
from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..inbound import cleaning, patterns, reasons, rules
from ..outbound import identity
from .mail_group_actions import STATUS
from .mail_group_message_notice import notice_requested


class InboundFacts:
    """What the mail gateway read from the raw mail, for the inbound rules.

    It travels to ``message_post`` in the context (key ``mail_group_inbound``)
    as an instance of this class, which JSON-RPC and XML-RPC cannot build: a
    remote caller's context cannot pass for the gateway."""
    __slots__ = ('headers', 'size', 'recipient_count', 'suspicious', 'raw', 'verdict', 'header_values',
                 'destinations')

    def __init__(self, headers, size, recipient_count, suspicious, raw=b'', header_values=(), destinations=()):
        self.headers = headers
        self.header_values = header_values  # every header: (lower-cased name, decoded value), for header rules
        self.destinations = destinations    # the To and Cc addresses, normalized
        self.size = size
        self.recipient_count = recipient_count
        self.suspicious = suspicious
        self.raw = raw          # the bytes as received, for sender authentication
        self.verdict = None     # its authentication.Verdict, once computed


def gateway_facts(env):
    """The gateway's facts when ``env`` runs a post from the mail gateway, else None."""
    facts = env.context.get('mail_group_inbound')
    return facts if isinstance(facts, InboundFacts) else None


class MailGroup(models.Model):
    _inherit = 'mail.group'

    @api.returns('mail.message', lambda value: value.id)
    def message_post(self, body='', subject=None, email_from=None, author_id=None, **kwargs):
        """Store a post (``mail.message`` + ``mail.group.message``), decide
        its fate with the inbound rules, and distribute it when accepted.

        The mail gateway and superuser code choose every value. Other callers
        (RPC, back office) post as themselves: they must be internal users who
        can read the group, author as someone else only when they moderate it,
        reply only to posts of the group they can read, attach only files they
        can read; ``message_id``, ``date`` and ``message_type`` are ours.

        Returns the ``mail.message`` (empty when the post was discarded)."""
        self.ensure_one()
        facts = gateway_facts(self.env)
        named_author = bool(author_id)
        if facts is None and not self.env.su:
            self._check_can_post()
            author_id, email_from = self._post_author(author_id, email_from)
            kwargs = {
                'attachments': kwargs.get('attachments'),
                'attachment_ids': kwargs.get('attachment_ids'),
                'parent_id': self._post_parent(kwargs.get('parent_id')).id,
            }
        else:
            author_id, email_from = self.env['mail.thread']._message_compute_author(
                author_id, email_from, raise_on_email=facts is None)
        attachments, pending = self._post_attachments_allowed(kwargs.get('attachment_ids') or [])
        email_normalized = tools.email_normalize(email_from)
        # web and Odoo posts name their author's partner (the caller's, or one
        # a moderator or superuser code names), not one found from an address
        from_account = facts is None and bool(author_id) and (
            named_author or (not self.env.su and author_id == self.env.user.partner_id.id))

        group = self.sudo()
        verdict = group._sender_verdict(facts)
        post = rules.Post(
            email_from=email_normalized or '',
            headers=facts.headers if facts else {},
            size=facts.size if facts else self._post_size(body, kwargs.get('attachments')),
            recipient_count=facts.recipient_count if facts else 0,
            suspicious=facts.suspicious if facts else patterns.has_active_content(body if isinstance(body, str) else ''),
            authenticated=group._sender_authenticated(verdict),
            **group._gateway_post_facts(facts, verdict),
        )
        policy = group._moderation_policy(email_normalized, author_id, by_address=facts is not None)
        policy = group._topic_lock_policy(policy, kwargs.get('parent_id'))
        decision = rules.decide(post, policy)
        if decision.action == rules.DISCARD:
            return group._discard_post(decision, email_from, kwargs.get('message_id'))

        parent = self.env['mail.message'].sudo().browse(kwargs.get('parent_id') or [])
        if parent and (parent.model != self._name or parent.res_id != self.id):
            parent = parent.browse()
        message_values = {
            'model': self._name,
            'res_id': self.id,
            'body': self._clean_email_body(body.replace('\x00', '') if isinstance(body, str) else body),
            'subject': cleaning.one_line(subject) if subject
            else (parent and identity.reply_subject(parent.subject)) or False,
            'email_from': email_from,
            'author_id': author_id,
            'message_type': kwargs.get('message_type') or 'email',
            'subtype_id': self.env['ir.model.data']._xmlid_to_res_id('mail.mt_comment'),
            'message_id': kwargs.get('message_id') or tools.generate_tracking_message_id('mail-group'),
            'parent_id': parent.id or False,
            'reply_to': group.alias_email or False,
            'record_name': group.name,
            'record_alias_domain_id': group.alias_domain_id.id or False,
            'record_company_id': self.env.company.id,
        }
        if kwargs.get('date'):
            # a forged future Date must not pin a post on top of the archive
            message_values['date'] = min(fields.Datetime.to_datetime(kwargs['date']), fields.Datetime.now())
        mail_message = self.env['mail.message'].sudo().create(message_values)

        parent_group_message = self.env['mail.group.message'].sudo().search(
            [('mail_message_id', '=', parent.id)], limit=1) if parent else None
        status = STATUS[decision.action]
        group_message = self.env['mail.group.message'].sudo().create({
            'mail_message_id': mail_message.id,
            'mail_group_id': self.id,
            'group_message_parent_id': parent_group_message.id if parent_group_message else False,
            'moderation_status': status,
            'moderation_reason': reasons.code(decision.reason) if status != 'accepted' else False,
            'moderation_reasons': ','.join(decision.reasons) or (decision.reason if reasons.detail(decision.reason) else False),
            'accepted_date': fields.Datetime.now() if status == 'accepted' else False,
            'author_from_account': from_account,
            'is_notice': notice_requested(self.env),
            **self.env['mail.group.message']._authentication_values(verdict),
            **group._wrap_values(facts),
        })
        attachments |= self._process_attachments(group_message, kwargs.get('attachments') or [], pending)
        if attachments:
            mail_message.attachment_ids = attachments

        group._end_of_post(group_message, decision)
        return mail_message

    def _check_can_post(self):
        """Posting from Odoo (not by mail): internal users who can read the
        group; members post from the website through its controllers."""
        self.ensure_one()
        if not self.env.user._is_internal():
            raise AccessError(_('Only internal users can post to a group from Odoo; write to its address instead.'))
        self.check_access_rights('read')
        self.check_access_rule('read')
        if not self.active:
            raise UserError(_('This group is archived.'))

    def _can_moderate(self):
        self.ensure_one()
        return self.env.su or self.env.user.has_group('website_mail_group.group_mail_group_manager') \
            or self.env.user in self.sudo().moderator_ids

    def _post_author(self, author_id, email_from):
        """The author of a post from Odoo: the caller, or whoever a moderator
        of the group names (moderators accept any post anyway)."""
        partner = self.env.user.partner_id
        own = (not author_id or author_id == partner.id) and (
            not email_from or tools.email_normalize(email_from) == partner.email_normalized)
        if own:
            return partner.id, email_from or partner.email_formatted
        if not self._can_moderate():
            raise AccessError(_('You can only post as yourself.'))
        return self.env['mail.thread']._message_compute_author(author_id, email_from, raise_on_email=True)

    def _post_parent(self, parent_id):
        """The message replied to: a post of this group the caller can read."""
        if not parent_id:
            return self.env['mail.message']
        post = self.env['mail.group.message'].search(
            [('mail_message_id', '=', parent_id), ('mail_group_id', '=', self.id)], limit=1)
        if not post:
            raise AccessError(_('You can only reply to a post of this group that you can read.'))
        return post.sudo().mail_message_id

    @api.model
    def _post_attachments_allowed(self, attachment_ids):
        """The existing attachments a caller may add to a post, as superuser,
        and among them those moving onto the post: pending uploads (of the
        caller, unless the caller is the superuser). Others stay where they
        are: internal users link files they can read, other users none."""
        attachments = self.env['ir.attachment'].sudo().browse(attachment_ids).exists()
        if self.env.su:
            return attachments, attachments.filtered(lambda a: a.res_model == 'mail.compose.message' or not a.res_id)
        pending = attachments.filtered(lambda a: not a.res_id and not a.res_field and a.create_uid == self.env.user)
        linked = attachments - pending
        if linked:
            if not self.env.user._is_internal():
                raise AccessError(_('You can only attach files you uploaded.'))
            linked.sudo(False).check('read')
        return attachments, pending

    @api.model
    def _post_size(self, body, attachments):
        size = len((body or '').encode())
        for attachment in attachments or ():
            content = attachment[1]
            size += len(content.encode() if isinstance(content, str) else content or b'')
        return size

    def _moderation_policy(self, email_normalized, author_id=None, by_address=True):
        """The group's policy for an author. Mail (``by_address``) proves an
        address only. A web or Odoo post proves its author partner only:
        moderator and member through the partner, ``allow`` rules of that
        partner only, ``ban`` rules of the partner or of the address."""
        self.ensure_one()
        moderators = self.moderator_ids
        if by_address:
            rule = self.env['mail.group.moderation'].sudo().search(
                [('mail_group_id', '=', self.id), ('email', '=', email_normalized)], limit=1) if email_normalized else None
            author_rule = rule.status if rule else ''
            author_is_moderator = bool(
                (author_id and author_id in moderators.partner_id.ids)
                or (email_normalized and email_normalized in moderators.mapped('email_normalized')))
            author_is_member = bool(self._find_member(email_normalized, author_id))
        else:
            author_rule = self._partner_rule(email_normalized, author_id)
            author_is_moderator = bool(author_id and author_id in moderators.partner_id.ids)
            author_is_member = bool(author_id and self._partner_member(author_id))
        return rules.GroupPolicy(
            list_id=self._list_id(),
            loop_address=self.alias_email or '',
            moderated=self.moderation,
            author_rule=author_rule,
            author_is_moderator=author_is_moderator,
            author_is_member=self.nonmember_action == 'accept' or author_is_member,
            nonmember_action=self.nonmember_action,
            max_size=(self.max_message_size_kb or 0) * 1024,
            max_recipients=self.max_recipients or 0,
            banned_patterns=tuple(line for line in (self.banned_patterns or '').splitlines() if line.strip()),
            members_only=self.access_mode != 'public' or self.alias_contact == 'followers',
        )

    def _partner_rule(self, email_normalized, author_id):
        """``ban`` when a ban names the address or the partner, ``allow`` when
        an allow rule names the partner, else ``''``."""
        names = [[('email', '=', email_normalized)]] if email_normalized else []
        names += [[('partner_id', '=', author_id)]] if author_id else []
        if not names:
            return ''
        rules_found = self.env['mail.group.moderation'].sudo().search(
            [('mail_group_id', '=', self.id), *expression.OR(names)])
        if 'ban' in rules_found.mapped('status'):
            return 'ban'
        if author_id and any(rule.status == 'allow' and rule.partner_id.id == author_id for rule in rules_found):
            return 'allow'
        return ''

    @api.model
    def _process_attachments(self, group_message, attachments, pending):
        """Store the gateway's ``(name, content[, info])`` tuples and move
        the ``pending`` uploads onto ``group_message``: a post's files follow
        the post's rules (a held post's files are its moderators')."""
        owner = {'res_model': group_message._name, 'res_id': group_message.id}
        pending.sudo().write(owner)
        Attachment = self.env['ir.attachment'].sudo()
        values = []
        for attachment in attachments:
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode('utf-8')
            values.append({'name': cleaning.one_line(name, replacement='_') or _('attachment'), 'raw': content, **owner})
        return Attachment.create(values) if values else Attachment
