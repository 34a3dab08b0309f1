/** @odoo-module **/

import { registry } from "@web/core/registry";

/** A logged-in member answers a post from its page, then reads the answer in the thread. */
registry.category("web_tour.tours").add("website_mail_group_web_reply", {
    test: true,
    steps: () => [
        {
            content: "Write the reply in the box under the post",
            trigger: "form.o_mg_web_reply textarea[name=body]",
            run: "text Count me in.",
        },
        {
            content: "Send it",
            trigger: "form.o_mg_web_reply .o_mg_web_reply_send",
        },
        {
            content: "The member is told it was sent",
            trigger: ".o_mg_web_post_result.o_mg_web_post_posted:contains('Message sent')",
        },
        {
            content: "Open the reply",
            trigger: ".o_mg_web_post_result a.o_mg_web_post_link",
        },
        {
            content: "The reply is in the archive, in the thread",
            trigger: ".o_mg_message_page .o_mg_body:contains('Count me in.')",
        },
        {
            content: "It answers the post",
            trigger: ".o_mg_parent a:contains('Kernel release')",
            isCheck: true,
        },
    ],
});
