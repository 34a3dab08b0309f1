/** @odoo-module **/

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/** A moderator opens the Reject link of an alert, explains, confirms. */
tours.add("website_mail_group_moderate_link", {
    test: true,
    steps: () => [
        {
            content: "The link shows the post before acting",
            trigger: ".o_mg_moderate_reject .o_mg_moderate_body:contains('Please reject me')",
            isCheck: true,
        },
        {
            content: "The moderator knows who they act as",
            trigger: ".o_mg_moderate_form:contains('You act as Mona Moderator')",
            isCheck: true,
        },
        {
            content: "Explain the rejection to the author",
            trigger: ".o_mg_moderate_form textarea[name=comment]",
            run: "text Off topic here, sorry.",
        },
        {
            content: "Confirm",
            trigger: ".o_mg_moderate_form .o_mg_moderate_btn:contains('Reject')",
        },
        {
            content: "The page says what happened",
            trigger: ".o_mg_moderate_result.o_mg_status_done_reject:contains('Message rejected')",
            isCheck: true,
        },
    ],
});

/** The same link, opened again: refused, nothing of the post shown. */
tours.add("website_mail_group_moderate_link_used", {
    test: true,
    steps: () => [
        {
            content: "The link is refused",
            trigger: ".o_mg_moderate_result.o_mg_status_moderated:contains('no longer waiting')",
            isCheck: true,
        },
        {
            content: "No form, no post",
            trigger: "body:not(:has(.o_mg_moderate_form)):not(:has(.o_mg_moderate_body))",
            isCheck: true,
        },
    ],
});
