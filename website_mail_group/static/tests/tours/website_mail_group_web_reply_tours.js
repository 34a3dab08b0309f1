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
            content: "The reply is shown in its thread, under the post, and the page goes to it",
            trigger: ".o_mg_message_page .o_mg_reply .o_mg_body:contains('Count me in.')",
            extra_trigger: ".o_mg_message_page h1.o_mg_subject:contains('Kernel release')",
            run: () => {
                const reply = document.querySelector(window.location.hash);
                if (!reply || !reply.textContent.includes("Count me in.")) {
                    console.error(`the page's address does not lead to the reply (${window.location.hash})`);
                }
            },
        },
        {
            content: "Answer that reply from the form under it",
            trigger: ".o_mg_reply:has(.o_mg_body:contains('Count me in.')) > .o_mg_reply_to > summary",
        },
        {
            content: "Write the answer",
            trigger: ".o_mg_reply:has(.o_mg_body:contains('Count me in.')) > .o_mg_reply_to textarea[name=body]",
            run: "text And me.",
        },
        {
            content: "Send it",
            trigger: ".o_mg_reply:has(.o_mg_body:contains('Count me in.')) > .o_mg_reply_to .o_mg_web_reply_send",
        },
        {
            content: "Sent",
            trigger: ".o_mg_web_post_result.o_mg_web_post_posted",
            isCheck: true,
        },
    ],
});
