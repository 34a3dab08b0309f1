/** @odoo-module **/

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/** Type ``text`` in the editor as a keyboard does (the editor keeps the focus). */
function typeIn(text) {
    return function () {
        const editable = this.$anchor[0];
        editable.focus();
        const selection = editable.ownerDocument.getSelection();
        selection.selectAllChildren(editable);
        selection.collapseToEnd();
        editable.ownerDocument.execCommand("insertText", false, text);
    };
}

/** Select everything typed in the editor and delete it. */
function erase() {
    const editable = this.$anchor[0];
    editable.focus();
    editable.ownerDocument.getSelection().selectAllChildren(editable);
    editable.ownerDocument.execCommand("delete");
}

/** A moderator works the "To Review" queue in the back office. */
tours.add("website_mail_group_moderation", {
    test: true,
    url: "/web#action=website_mail_group.mail_group_action",
    steps: () => {
        const row = (subject) => `.o_data_row:has(td:contains("${subject}"))`;
        const gone = (subject) => `.o_list_view:not(:has(${row(subject)}))`;
        return [
            {
                content: "Open the moderated group",
                trigger: '.o_kanban_record:contains("Tour Moderated List") .o_kanban_record_title',
            },
            {
                content: "Open the messages to review",
                trigger: 'button.oe_stat_button:contains("To Review")',
                extra_trigger: '.o_form_view .o_field_widget[name=name]:contains("Tour Moderated List"), .o_form_view .o_field_widget[name=name] input',
            },
            {
                content: "Accept the first post",
                trigger: `${row("Please accept me")} button[name=action_moderate_accept]`,
                extra_trigger: `${row("Please ban me")}`,
            },
            {
                content: "The moderator is told what happened",
                trigger: ".o_notification:contains('“Please accept me” accepted and sent to the members.')",
                extra_trigger: gone("Please accept me"),
                isCheck: true,
            },
            {
                content: "Reject the second post",
                trigger: `${row("Please reject me")} button[name=action_moderate_reject_open]`,
                extra_trigger: gone("Please accept me"),
            },
            {
                content: "Reject silently",
                trigger: 'button[name=action_reject_without_comment]:contains("Reject Silently")',
            },
            {
                content: "Whitelist the author of the third post",
                trigger: `${row("Please whitelist me")} button[name=action_moderate_allow]`,
                extra_trigger: `body:not(:has(.modal)) ${gone("Please reject me")}`,
            },
            {
                content: "Ban the author of the last post",
                trigger: `${row("Please ban me")} button[name=action_moderate_ban_open]`,
                extra_trigger: gone("Please whitelist me"),
            },
            {
                content: "Type an explanation",
                trigger: ".o_field_widget[name=body] .odoo-editor-editable",
                extra_trigger: '.modal-footer button.btn-primary[name=action_reject_without_comment]:contains("Ban")',
                run: typeIn("Go away."),
            },
            {
                content: "Send & Ban became the main button",
                trigger: '.modal-footer button.btn-primary[name=action_send_mail]:contains("Send & Ban")',
                extra_trigger: ".modal-footer button.btn-secondary[name=action_reject_without_comment]",
                isCheck: true,
            },
            {
                content: "Erase the explanation",
                trigger: ".o_field_widget[name=body] .odoo-editor-editable",
                run: erase,
            },
            {
                content: "Ban silently: the main button again",
                trigger: '.modal-footer button.btn-primary[name=action_reject_without_comment]:contains("Ban")',
                extra_trigger: '.modal-footer button.btn-secondary[name=action_send_mail]:contains("Send & Ban")',
            },
            {
                content: "Nothing left to review",
                trigger: `body:not(:has(.modal)) ${gone("Please ban me")}`,
                isCheck: true,
            },
        ];
    },
});

/** The "To Review" list: a preview of each post, bulk Accept, then the form
 * goes from one post to the next one of the group. */
tours.add("website_mail_group_review_flow", {
    test: true,
    url: "/web#action=website_mail_group.mail_group_message_action_review",
    steps: () => {
        const row = (subject) => `.o_data_row:has(td[name=subject]:contains("${subject}"))`;
        return [
            {
                content: "Each held post shows a preview without its signature, its author and every reason",
                trigger: `${row("Bulk one")} td[name=body_excerpt]:contains("Can we ship on Friday?"):not(:contains("Bob, builder"))`,
                extra_trigger: `${row("Bulk one")} td[name=moderation_reasons_display]:contains("Non-member post, Moderated group")`,
                isCheck: true,
            },
            {
                content: "The author is shown with their address, which is what a moderator whitelists or bans",
                trigger: `${row("Bulk one")} td[name=email_from]:contains("Bob Builder"):contains("bob@example.org")`,
                isCheck: true,
            },
            {
                content: "Select the first post",
                trigger: `${row("Bulk one")} .o_list_record_selector input`,
            },
            {
                content: "Select the second post",
                trigger: `${row("Bulk two")} .o_list_record_selector input`,
            },
            {
                content: "Accept both at once",
                trigger: ".o_control_panel button[name=action_moderate_accept]",
            },
            {
                content: "Both left the list",
                trigger: `.o_list_view:not(:has(${row("Bulk one")})):not(:has(${row("Bulk two")}))`,
                extra_trigger: row("Form first"),
                isCheck: true,
            },
            {
                content: "Open the oldest post of the form queue",
                trigger: `${row("Form first")} td[name=subject]`,
            },
            {
                content: "Accept it in the form",
                trigger: ".o_form_view .o_form_statusbar button[name=action_moderate_accept]",
                extra_trigger: ".o_form_view .o_field_widget[name=subject]:contains('Form first')",
            },
            {
                content: "The next post waiting in the group is opened",
                trigger: ".o_form_view .o_field_widget[name=subject]:contains('Form second')",
                extra_trigger: ".o_form_view .o_form_statusbar button[name=action_moderate_accept]",
            },
            {
                content: "Reject it: the dialog's main button is Reject Silently, its cancel says Cancel",
                trigger: ".o_form_view .o_form_statusbar button[name=action_moderate_reject_open]",
            },
            {
                content: "Without an explanation the main button rejects silently",
                trigger: ".modal-footer button.btn-primary[name=action_reject_without_comment]:contains('Reject Silently')",
                extra_trigger: ".modal-footer button.btn-secondary:contains('Cancel')",
                isCheck: true,
            },
            {
                content: "Type an explanation",
                trigger: ".o_field_widget[name=body] .odoo-editor-editable",
                run: typeIn("Please stay on topic."),
            },
            {
                content: "While the editor still has the focus, Send & Reject became the main button",
                trigger: ".modal-footer button.btn-primary[name=action_send_mail]:contains('Send & Reject')",
                extra_trigger: ".modal-footer button.btn-secondary[name=action_reject_without_comment]",
            },
            {
                content: "Nothing left in the group: the moderator is told, the post is rejected",
                trigger: ".o_notification:contains('Nothing left to review in Tour Review List')",
                extra_trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Rejected')",
                isCheck: true,
            },
        ];
    },
});

tours.add("website_mail_group_review_undo", {
    test: true,
    url: "/web#action=website_mail_group.mail_group_message_action_review",
    steps: () => {
        const row = `.o_data_row:has(td[name=subject]:contains("Undo me"))`;
        return [
            {
                content: "Reject the held post from its row",
                trigger: `${row} button[name=action_moderate_reject_open]`,
            },
            {
                content: "Without an explanation, reject silently",
                trigger: ".modal-footer button.btn-primary[name=action_reject_without_comment]",
            },
            {
                content: "The post left the list; the notification says so and offers Undo",
                trigger: ".o_notification:contains('“Undo me” rejected.') button:contains('Undo')",
                extra_trigger: `body:not(:has(.modal)) .o_list_view:not(:has(${row}))`,
            },
            {
                content: "Undone: the post is back in the list",
                trigger: `.o_notification:contains('“Undo me” is back in review.')`,
                extra_trigger: `.o_list_view ${row}`,
                isCheck: true,
            },
        ];
    },
});
