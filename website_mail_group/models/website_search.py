"""The lists in the website's own search (the header's magnifier,
/website/search): the accepted posts of the groups the visitor may read,
found by the archive's full-text search (mail_group_message_search.py)."""
from odoo import api, fields, models

from odoo.addons.http_routing.models.ir_http import slug

from .mail_group_message_search import parse_query

MAX_RESULTS = 1000  # posts counted; beyond, the visitor refines the search


class Website(models.Model):
    _inherit = 'website'

    def _search_get_details(self, search_type, order, options):
        result = super()._search_get_details(search_type, order, options)
        if search_type in ('mail_groups', 'all'):
            result.append(self.env['mail.group.message']._search_get_detail(self, order, options))
        return result


class MailGroupMessage(models.Model):
    _name = 'mail.group.message'
    _inherit = ['mail.group.message', 'website.searchable.mixin']

    website_url = fields.Char('Website URL', compute='_compute_website_url', help='The page of the post.')

    @api.depends('subject', 'mail_group_id.name')
    def _compute_website_url(self):
        for post in self:
            post.website_url = f'/groups/{slug(post.mail_group_id)}/{slug(post)}' \
                if post.id and post.mail_group_id else False

    @api.model
    def _search_get_detail(self, website, order, options):
        fetch_fields = ['subject', 'website_url']
        mapping = {
            'name': {'name': 'subject', 'type': 'text', 'match': True},
            'website_url': {'name': 'website_url', 'type': 'text', 'truncate': False},
        }
        if options.get('displayDescription'):
            fetch_fields.append('body_excerpt')
            mapping['description'] = {'name': 'body_excerpt', 'type': 'text', 'match': True}
        if options.get('displayDetail'):
            fetch_fields.append('date')
            mapping['detail'] = {'name': 'date', 'type': 'date'}
        return {
            'model': 'mail.group.message',
            'base_domain': [[('moderation_status', '=', 'accepted')]],
            # words offered when nothing matched ("did you mean"): the excerpts shown in the archive
            'search_fields': ['body_excerpt'],
            'fetch_fields': fetch_fields,
            'mapping': mapping,
            'icon': 'fa-envelope-o',
        }

    @api.model
    def _search_fetch(self, search_detail, search, limit, order):
        """The archive's full-text search over the groups the visitor may
        read (the record rules say which), newest first."""
        parsed = parse_query(search)
        if not parsed['terms']:
            return self.browse(), 0
        groups = self.env['mail.group'].search([])  # pylint: disable=no-search-all  # the groups one may read (rules)
        count, posts = self._archive_search(groups, parsed, 0, limit, MAX_RESULTS)
        return self.browse(posts.ids), count
