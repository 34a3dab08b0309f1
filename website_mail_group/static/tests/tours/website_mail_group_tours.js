/** @odoo-module **/

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const card = (name) => `.o_mg_group_card:has(.o_mg_group_name:contains("${name}"))`;

/** A visitor asks to join: the page answers "check your mailbox". */
tours.add("website_mail_group_visitor_subscribe", {
    test: true,
    url: "/groups",
    steps: () => [
        {
            content: "Type an address in the box of the group",
            trigger: `${card("Open Source Talk")} input[name=email]`,
            run: "text visitor@tour.example.com",
        },
        {
            content: "Subscribe",
            trigger: `${card("Open Source Talk")} .o_mg_subscribe_btn`,
        },
        {
            content: "The visitor is told to check their mailbox",
            trigger: `${card("Open Source Talk")} .o_mg_alert.o_mg_status_email_sent:contains("Check your mailbox")`,
            isCheck: true,
        },
    ],
});

/** The link of the confirmation mail, opened in the browser. */
tours.add("website_mail_group_confirm_link", {
    test: true,
    steps: () => [
        {
            content: "The link asks before acting",
            trigger: ".o_mg_confirm_link_form .o_mg_confirm_link_btn:contains('Confirm subscription')",
        },
        {
            content: "The subscription is confirmed",
            trigger: ".o_mg_confirmation.o_mg_status_subscribed:contains('visitor@tour.example.com')",
        },
        {
            content: "Go to the group",
            trigger: ".o_mg_confirmation a.btn-primary:contains('Open Source Talk')",
        },
        {
            content: "The archive of the group is shown",
            trigger: "h1.o_mg_group_title:contains('Open Source Talk')",
            isCheck: true,
        },
    ],
});

/** A portal user joins at once, sees it after a reload, then leaves. */
tours.add("website_mail_group_portal_join_leave", {
    test: true,
    url: "/groups",
    steps: () => [
        {
            content: "No email field for a logged-in user",
            trigger: `${card("Open Source Talk")} .o_mg_subscribe_form:not(:has(input[name=email]))`,
            isCheck: true,
        },
        {
            content: "Join",
            trigger: `${card("Open Source Talk")} .o_mg_subscribe_btn:not(.d-none)`,
        },
        {
            content: "Joined at once; the keyboard stays in the box",
            trigger: `${card("Open Source Talk")} .o_mg_alert.o_mg_status_subscribed`,
            extra_trigger: `${card("Open Source Talk")} .o_mg_unsubscribe_btn:not(.d-none):focus`,
            run: () => {
                window.location.href = "/groups";
            },
        },
        {
            content: "After a reload the user is still a member",
            trigger: `${card("Open Source Talk")} .o_mg_subscribe_form[data-is-member='1'] .o_mg_unsubscribe_btn:not(.d-none)`,
        },
        {
            content: "Left at once, with a way back under the keyboard",
            trigger: `${card("Open Source Talk")} .o_mg_alert.o_mg_status_unsubscribed .o_mg_undo_leave:focus`,
            extra_trigger: `${card("Open Source Talk")} .o_mg_subscribe_btn:not(.d-none)`,
        },
        {
            content: "Undo: a member again",
            trigger: `${card("Open Source Talk")} .o_mg_alert.o_mg_status_subscribed`,
            extra_trigger: `${card("Open Source Talk")} .o_mg_subscribe_form[data-is-member='1'] .o_mg_unsubscribe_btn:not(.d-none)`,
            isCheck: true,
        },
    ],
});

/** Browse the archive: threads, flat mode, a message, its replies, next. */
tours.add("website_mail_group_archive", {
    test: true,
    url: "/groups",
    steps: () => [
        {
            content: "Open the group",
            trigger: `${card("Open Source Talk")} a.o_mg_group_name`,
        },
        {
            content: "Threads: the reply is not listed on its own",
            trigger: ".o_mg_message_list:has(.o_mg_message_link:contains('Kernel release')):not(:has(.o_mg_message_link:contains('Re: Kernel release')))",
            extra_trigger: ".o_mg_thread_count:contains('3 threads')",
            isCheck: true,
        },
        {
            content: "Switch to the flat list",
            trigger: "a.o_mg_mode_date",
        },
        {
            content: "The reply is listed by date",
            trigger: ".o_mg_message_list .o_mg_message_link:contains('Re: Kernel release')",
            extra_trigger: "a.o_mg_mode_date.active",
            isCheck: true,
        },
        {
            content: "Back to threads",
            trigger: "a.o_mg_mode_thread",
        },
        {
            content: "Open the thread",
            trigger: ".o_mg_message_link:contains('Kernel release'):not(:contains('Re:'))",
            extra_trigger: "a.o_mg_mode_thread.active",
        },
        {
            content: "The whole conversation is shown, nested, without the pending reply",
            trigger: "h1.o_mg_subject:contains('Kernel release')",
            extra_trigger: ".o_mg_thread .o_mg_reply:contains('Congratulations to all!') .o_mg_reply:contains('Thanks Greg')",
            isCheck: true,
        },
        {
            content: "Dates are shown in the visitor's time zone",
            trigger: ".o_mg_message time.o_mg_local_time[data-localized]",
            extra_trigger: ".o_mg_replies_section:not(:contains('BUY CHEAP PILLS'))",
            isCheck: true,
        },
        {
            content: "Collapse a reply",
            trigger: ".o_mg_reply:contains('Congratulations to all!') > summary",
            run: () => document.querySelector(".o_mg_thread > .o_mg_reply > summary").click(),
        },
        {
            content: "The reply is collapsed, its nested reply with it",
            trigger: ".o_mg_thread > .o_mg_reply:not([open]):contains('Congratulations to all!')",
            run: () => {
                const nested = document.querySelector(".o_mg_thread > .o_mg_reply .o_mg_reply");
                if (nested.checkVisibility()) {
                    console.error("the nested reply of a collapsed reply is still visible");
                }
            },
        },
        {
            content: "Go to the newer thread",
            trigger: "a.o_mg_prev:contains('Newer'):contains('Conference next week')",
        },
        {
            content: "The other thread is shown",
            trigger: "h1.o_mg_subject:contains('Conference next week')",
            extra_trigger: "a.o_mg_next:contains('Older'):contains('Kernel release')",
        },
        {
            content: "Back to the group through the breadcrumb",
            trigger: ".o_mg_breadcrumbs a:contains('Open Source Talk')",
        },
        {
            content: "Filter on the oldest month of the archive",
            trigger: ".o_mg_archive_months li:last-child a.o_mg_month:not(.fw-bold)",
            extra_trigger: ".o_mg_message_list:has(.o_mg_message_link:contains('Conference next week'))",
        },
        {
            content: "Only that month's post is listed, under that month",
            trigger: ".o_mg_message_list:has(.o_mg_message_link:contains('An old story')):not(:has(.o_mg_message_link:contains('Kernel release'))):not(:has(.o_mg_message_link:contains('Conference next week')))",
            extra_trigger: ".o_mg_archive_months li:last-child a.o_mg_month.fw-bold",
            isCheck: true,
        },
        {
            content: "The month is named and the filter can be cleared",
            trigger: ".o_mg_month_heading:contains('Messages of')",
            extra_trigger: "a.o_mg_clear_month",
            isCheck: true,
        },
        {
            content: "Switch to the flat list",
            trigger: "a.o_mg_mode_date",
        },
        {
            content: "The month filter survived the switch",
            trigger: ".o_mg_message_list:has(.o_mg_message_link:contains('An old story')):not(:has(.o_mg_message_link:contains('Conference next week')))",
            extra_trigger: "a.o_mg_mode_date.active",
            isCheck: true,
        },
        {
            content: "Back to all months",
            trigger: "a.o_mg_clear_month",
        },
        {
            content: "Every post is listed again",
            trigger: ".o_mg_message_list:has(.o_mg_message_link:contains('An old story')):has(.o_mg_message_link:contains('Conference next week'))",
            isCheck: true,
        },
    ],
});

/** The "Discussion Group" snippet on a page. */
tours.add("website_mail_group_snippet", {
    test: true,
    url: "/wmg-snippet-test",
    steps: () => [
        {
            content: "The snippet shows the chosen group",
            trigger: ".s_group.o_mg_snippet_public .o_mg_snippet_name:contains('Open Source Talk')",
            extra_trigger: ".s_group.o_mg_snippet_public .o_mg_snippet_members:contains('2 members')",
            isCheck: true,
        },
        {
            content: "A snippet for a hidden group shows nothing, and nothing names the group",
            trigger: "#wrap:has(.s_group.o_mg_snippet_hidden:hidden):not(:has(.s_group.o_mg_snippet_hidden:visible))",
            extra_trigger: "body:not(:contains('Secret Society'))",
            isCheck: true,
        },
        {
            content: "A closed group's snippet offers no Subscribe, and says why",
            trigger: ".s_group.o_mg_snippet_closed .o_mg_snippet_alert.o_mg_status_refused:contains('This list is closed')",
            extra_trigger: ".s_group.o_mg_snippet_closed:not(:has(.o_mg_snippet_subscribe:visible)):not(:has(.o_mg_snippet_email:visible))",
            isCheck: true,
        },
        {
            content: "Type an address",
            trigger: ".s_group.o_mg_snippet_public input.o_mg_snippet_email",
            run: "text snippet@tour.example.com",
        },
        {
            content: "Subscribe",
            trigger: ".s_group.o_mg_snippet_public .o_mg_snippet_subscribe",
        },
        {
            content: "Check your mailbox",
            trigger: ".s_group.o_mg_snippet_public .o_mg_snippet_alert.o_mg_status_email_sent",
            isCheck: true,
        },
    ],
});
