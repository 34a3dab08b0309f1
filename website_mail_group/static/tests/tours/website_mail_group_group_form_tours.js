/** @odoo-module **/

import { registry } from "@web/core/registry";

/** An administrator creates a group in Website → Configuration → Mailing
 * Lists: its address takes the company's alias domain. */
registry.category("web_tour.tours").add("website_mail_group_create_group", {
    test: true,
    url: "/web#action=website_mail_group.mail_group_action",
    steps: () => [
        {
            content: "Create a group",
            trigger: ".o-kanban-button-new",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "text Tour New List",
        },
        {
            content: "Type its email alias",
            trigger: ".o_form_view .o_field_widget[name=alias_name] input",
            run: "text wmg-tour-new",
        },
        {
            content: "The alias domain is the company's",
            trigger: ".o_form_view .o_field_widget[name=alias_domain_id] input",
            run() {
                if (this.$anchor[0].value !== "tour-company.example.com") {
                    throw new Error(`alias domain: "${this.$anchor[0].value}"`);
                }
            },
        },
        {
            content: "The group can receive mail: no warning",
            trigger: ".o_form_view:not(:has(.o_mg_no_address))",
            isCheck: true,
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
        },
        {
            content: "Saved (the stat buttons of a saved group show), without a warning",
            trigger: "button[name=action_go_to_website]",
            extra_trigger: ".o_form_view:not(:has(.o_mg_no_address))",
            isCheck: true,
        },
    ],
});

/** The form of a group without alias domain says it cannot receive mail. */
registry.category("web_tour.tours").add("website_mail_group_group_without_address", {
    test: true,
    steps: () => [
        {
            content: "The form warns that the group cannot receive mail",
            trigger: ".o_form_view .o_mg_no_address:contains('This group cannot receive mail')",
            extra_trigger: ".o_breadcrumb .active:contains('Tour Domainless List')",
            isCheck: true,
        },
    ],
});
