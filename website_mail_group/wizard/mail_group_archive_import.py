"""Import of a group's archive from an mbox file (Mailman, Google Takeout,
Thunderbird, public-inbox).

An import is a persistent record: the uploaded file stays in Odoo's
filestore while it runs and is read as a stream from a byte offset. The
first batch runs in the request of the Import button (a small archive is done
at once); the rest runs in the cron "Mail List: Import archives", a batch
after another, committing after each (the offset and counts move with the
posts), until its time budget is spent, then it triggers itself again. The
form shows the progress: imported X of about Y, duplicates, skipped."""
import io
import logging
import os
import threading
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..inbound import mbox
from ..models.mail_group_archive import ArchiveSkip

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200  # messages per batch
BATCH_BYTES = 20 * 1024 * 1024  # ... or this much raw mail, whichever comes first
CRON_BUDGET = 120  # seconds of work per cron run
MAX_REPORT_LINES = 1000
MAX_ORPHANS = 50_000  # replies waiting for a parent later in the file
USER_FIELDS = {'mail_group_id', 'file', 'filename'}


class MailGroupArchiveImport(models.Model):
    _name = 'mail.group.archive.import'
    _description = 'Mailing List Archive Import'
    _order = 'id desc'
    _rec_name = 'filename'

    mail_group_id = fields.Many2one('mail.group', 'Group', required=True, ondelete='cascade', index=True)
    file = fields.Binary('Archive (mbox)', attachment=True)
    filename = fields.Char('File Name')
    state = fields.Selection(
        [('draft', 'Draft'), ('running', 'In Progress'), ('done', 'Done')],
        default='draft', required=True, readonly=True)
    file_size = fields.Integer('Size (bytes)', readonly=True)
    offset = fields.Integer('Bytes Read', readonly=True)
    estimated_count = fields.Integer('Messages (estimate)', readonly=True)
    imported_count = fields.Integer('Imported', readonly=True)
    duplicate_count = fields.Integer('Already in the Archive', readonly=True)
    skipped_count = fields.Integer('Skipped', readonly=True)
    progress = fields.Float(compute='_compute_progress')
    summary = fields.Char(compute='_compute_progress')
    report = fields.Text('Skipped Messages', readonly=True)
    orphans = fields.Json(groups='base.group_system', copy=False)

    @api.depends('offset', 'file_size', 'state', 'imported_count', 'duplicate_count', 'skipped_count',
                 'estimated_count')
    def _compute_progress(self):
        for job in self:
            done = job.state == 'done'
            job.progress = 100.0 if done else 100.0 * job.offset / job.file_size if job.file_size else 0.0
            read = job.imported_count + job.duplicate_count + job.skipped_count
            job.summary = _(
                'Imported %(imported)s of %(about)s%(total)s messages, %(duplicates)s already in the archive, '
                '%(skipped)s skipped',
                imported=job.imported_count, about='' if done else '~',
                total=read if done else max(job.estimated_count, read),
                duplicates=job.duplicate_count, skipped=job.skipped_count)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(set(vals) - USER_FIELDS for vals in vals_list):
            raise AccessError(_('Only the group, the file and its name are chosen for an import.'))
        jobs = super().create(vals_list)
        if not self.env.su:
            jobs.mail_group_id._check_can_manage()
        return jobs

    def write(self, vals):
        if not self.env.su:
            if set(vals) - USER_FIELDS or any(job.state != 'draft' for job in self):
                raise AccessError(_('An import cannot be changed once started.'))
            result = super().write(vals)
            self.check_access_rule('write')
            self.mail_group_id._check_can_manage()
            return result
        return super().write(vals)

    def action_import(self):
        """Start the import: the first batch now, the rest in the cron."""
        self.ensure_one()
        self.check_access_rights('write')
        self.check_access_rule('write')
        self.mail_group_id._check_can_manage()
        if self.state != 'draft':
            raise UserError(_('This archive is already imported or being imported.'))
        attachment = self._file_attachment()
        if not attachment:
            raise UserError(_('Choose the mbox file to import.'))
        job = self.sudo()
        with job._open_file(attachment) as stream:
            estimate = mbox.estimate_count(stream)
        job.write({'state': 'running', 'file_size': attachment.file_size, 'estimated_count': estimate})
        job._import_batch()
        if job.state == 'running':
            self.env.ref('website_mail_group.ir_cron_mail_group_archive_import')._trigger()
        return {
            'type': 'ir.actions.act_window',
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'current',
        }

    @api.model
    def _cron_import_archives(self, budget=CRON_BUDGET):
        """Import the running archives batch after batch for ``budget``
        seconds, committing after each batch, then come back."""
        deadline = time.monotonic() + budget
        auto_commit = not getattr(threading.current_thread(), 'testing', False)
        jobs = self.sudo().search([('state', '=', 'running')], order='id')
        for job in jobs:
            while job.state == 'running' and time.monotonic() < deadline:
                job._import_batch()
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit  # a cron's batch, kept if the next one fails
                    self.env.invalidate_all()  # keep the cache small over thousands of posts
        if self.sudo().search_count([('state', '=', 'running')]):
            self.env.ref('website_mail_group.ir_cron_mail_group_archive_import')._trigger()

    def _file_attachment(self):
        self.ensure_one()
        return self.env['ir.attachment'].sudo().search([
            ('res_model', '=', self._name), ('res_id', '=', self.id), ('res_field', '=', 'file')], limit=1)

    def _open_file(self, attachment):
        """The uploaded file as a binary stream, from the filestore (never
        loaded whole) or, for databases storing files in the table, from there."""
        if attachment.store_fname:
            path = attachment._full_path(attachment.store_fname)
            if os.path.exists(path):
                return open(path, 'rb')
        return io.BytesIO(attachment.raw or b'')

    def _import_batch(self):
        """Read and store the next batch of messages (as superuser: the
        caller checked that the import's creator manages the group)."""
        self.ensure_one()
        attachment = self._file_attachment()
        entries, size = [], 0
        if attachment:
            with self._open_file(attachment) as stream:
                stream.seek(self.offset)
                for entry in mbox.read_messages(stream, self.offset):
                    entries.append(entry)
                    size += entry.size
                    if len(entries) >= BATCH_SIZE or size >= BATCH_BYTES:
                        break
        if not entries:
            return self._finish()
        group = self.mail_group_id.sudo()
        posts, problems = [], []
        for number, entry in enumerate(entries, start=self.imported_count + self.duplicate_count
                                       + self.skipped_count + 1):
            try:
                if entry.raw is None:
                    raise ArchiveSkip(_('larger than %s MB', mbox.MAX_MESSAGE_SIZE // (1024 * 1024)))
                posts.append(group._archive_parse(entry.raw, entry.envelope))
            except ArchiveSkip as reason:
                problems.append(_('Message %(number)s (byte %(offset)s): %(reason)s',
                                  number=number, offset=entry.offset, reason=reason))
        stored, duplicates, orphans = self._store(group, posts, problems)
        lines = (self.report or '').splitlines()
        self.write({
            'offset': entries[-1].end,
            'imported_count': self.imported_count + len(stored),
            'duplicate_count': self.duplicate_count + duplicates,
            'skipped_count': self.skipped_count + len(problems),
            'report': '\n'.join((lines + problems)[:MAX_REPORT_LINES]) or False,
            'orphans': {**(self.orphans or {}), **orphans} if len(self.orphans or {}) < MAX_ORPHANS
            else self.orphans,
        })
        if entries[-1].end >= self.file_size:
            self._finish()
        return True

    def _store(self, group, posts, problems):
        """Store a batch in one go; when it fails, store its posts one by one
        and report the ones that fail."""
        try:
            with self.env.cr.savepoint():
                return group._archive_store(posts)
        except Exception:  # noqa: BLE001 - isolated below, post by post
            _logger.info('Archive import %s: batch failed, storing its posts one by one', self.id, exc_info=True)
        stored, duplicates, orphans = self.env['mail.group.message'], 0, {}
        for post in posts:
            try:
                with self.env.cr.savepoint():
                    one, dup, lost = group._archive_store([post])
            except Exception as error:  # noqa: BLE001 - reported, the import goes on
                problems.append(_('Message %(message_id)s: not stored (%(error)s)',
                                  message_id=post['message_id'], error=type(error).__name__))
                continue
            stored, duplicates = stored | one, duplicates + dup
            orphans.update(lost)
        return stored, duplicates, orphans

    def _finish(self):
        self.ensure_one()
        if self.orphans:
            self.mail_group_id.sudo()._archive_thread_orphans(self.orphans)
        # the file is no longer needed: the archive is in the group now
        self.write({'state': 'done', 'orphans': False, 'file': False, 'offset': self.file_size})
        self.env['mail.group.audit'].with_user(self.create_uid).with_context(mail_group_audit_how='import')._log([{
            'mail_group_id': self.mail_group_id.id, 'event': 'import',
            'detail': _('Archive: %(imported)s posts imported, %(duplicates)s duplicates, %(skipped)s skipped',
                        imported=self.imported_count, duplicates=self.duplicate_count, skipped=self.skipped_count)}])
        _logger.info('Archive import %s into group %s: %s imported, %s duplicates, %s skipped', self.id,
                     self.mail_group_id.id, self.imported_count, self.duplicate_count, self.skipped_count)
        return False
