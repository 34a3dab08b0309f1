/** @odoo-module **/

import { registry } from "@web/core/registry";

/** A visitor searches the archive of a group and opens a result. */
registry.category("web_tour.tours").add("website_mail_group_search", {
    test: true,
    steps: () => [
        {
            content: "Type words in the search box of the archive",
            trigger: ".o_mg_archive_page .o_mg_search_input",
            run: "text kernels",
        },
        {
            content: "Search",
            trigger: ".o_mg_archive_page .o_mg_search_btn",
        },
        {
            content: "The matching posts are listed, the word marked in their excerpt",
            trigger: ".o_mg_search_page .o_mg_search_result:first .o_mg_message_link:contains('Re: Kernel release')",
            extra_trigger: ".o_mg_search_result .o_mg_excerpt mark:contains('kernel')",
            isCheck: true,
        },
        {
            content: "Narrow to one author",
            trigger: ".o_mg_search_page .o_mg_search_input",
            run: "text kernel from:linus",
        },
        {
            content: "Search again",
            trigger: ".o_mg_search_page .o_mg_search_btn",
        },
        {
            content: "Open the only result",
            trigger: ".o_mg_search_count:contains('1 result') ~ .o_mg_search_results .o_mg_message_link:contains('Kernel release')",
        },
        {
            content: "The post is shown",
            trigger: ".o_mg_message_page h1.o_mg_subject:contains('Kernel release')",
            isCheck: true,
        },
    ],
});
