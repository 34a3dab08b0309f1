/** @odoo-module **/

import { registry } from "@web/core/registry";

const MBOX = [
    "From archive@example.com Mon Jan  6 10:00:00 2025",
    "From: Old Member <old.member@tour.example.com>",
    "Subject: Imported by the tour",
    "Date: Mon, 06 Jan 2025 10:00:00 +0000",
    "Message-ID: <tour-import@tour.example.com>",
    "",
    "Archived post",
    "",
].join("\n");

/** A manager imports an mbox from the group's form and sees the result. */
registry.category("web_tour.tours").add("website_mail_group_archive_import", {
    test: true,
    url: "/web#action=website_mail_group.mail_group_action",
    steps: () => [
        {
            content: "Open the group",
            trigger: '.o_kanban_record:contains("Tour Import List") .o_kanban_record_title',
        },
        {
            content: "Open the import dialog",
            trigger: 'button:contains("Import Archive")',
            extra_trigger: '.o_form_view .o_field_widget[name=name]:contains("Tour Import List"), .o_form_view .o_field_widget[name=name] input',
        },
        {
            content: "Choose the mbox file",
            trigger: ".o_field_widget[name=file]",
            run() {
                const input = this.$anchor[0].querySelector("input[type=file]");
                const transfer = new DataTransfer();
                transfer.items.add(new File([MBOX], "tour.mbox", { type: "application/mbox" }));
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Import it",
            trigger: "button[name=action_import]",
            extra_trigger: ".o_field_widget[name=file] .o_clear_file_button",
        },
        {
            content: "The import reports what it did",
            trigger: '.o_form_view .o_mg_import_summary:contains("Imported 1 of 1 messages, 0 already in the archive, 0 skipped")',
            isCheck: true,
        },
    ],
});
