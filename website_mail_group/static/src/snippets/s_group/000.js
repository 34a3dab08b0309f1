/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { jsonrpc } from "@web/core/network/rpc_service";
import { _t } from "@web/core/l10n/translation";

/**
 * "Discussion Group" snippet: loads the chosen group (data-id) through
 * /group/get_info and subscribes through /group/subscribe.
 */
publicWidget.registry.MailGroupSnippet = publicWidget.Widget.extend({
    selector: ".s_group",
    disabledInEditableMode: false,
    events: {
        "submit .o_mg_snippet_form": "_onSubmit",
    },

    async start() {
        await this._super(...arguments);
        this.originalBox = this.el.querySelector(".o_mg_snippet_box")?.innerHTML;
        const groupId = parseInt(this.el.dataset.id);
        if (!groupId) {
            this.el.classList.toggle("d-none", !this.editableMode);
            return;
        }
        const info = await jsonrpc("/group/get_info", { group_id: groupId });
        if (info.error) {
            // hidden or deleted group: nothing to show to visitors
            this.el.classList.toggle("d-none", !this.editableMode);
            return;
        }
        this.info = info;
        this.el.classList.remove("d-none");
        this._render();
    },

    destroy() {
        // dynamic content is never saved in the page
        const box = this.el.querySelector(".o_mg_snippet_box");
        if (box && this.originalBox !== undefined) {
            box.innerHTML = this.originalBox;
        }
        this.el.classList.remove("d-none");
        this._super(...arguments);
    },

    _render() {
        const info = this.info;
        this.el.querySelector(".o_mg_snippet_name").textContent = info.name;
        this.el.querySelector(".o_mg_snippet_description").textContent = info.description;
        // singular or plural by the page's language ("0 membre" in French)
        const one = new Intl.PluralRules(document.documentElement.lang || "en").select(info.member_count) === "one";
        this.el.querySelector(".o_mg_snippet_members").textContent =
            one ? _t("%s member", info.member_count) : _t("%s members", info.member_count);
        const link = this.el.querySelector(".o_mg_snippet_link");
        link.setAttribute("href", info.url);
        const email = this.el.querySelector(".o_mg_snippet_email");
        email.classList.toggle("d-none", !info.is_public_user);
        email.required = info.is_public_user;
        this._setMember(info.is_member);
    },

    _setMember(isMember) {
        // a closed or invitation-only group takes no subscription: its reason instead
        const refused = !isMember && Boolean(this.info.refusal);
        this.el.querySelector(".o_mg_snippet_subscribe").classList.toggle("d-none", isMember || refused);
        this.el.querySelector(".o_mg_snippet_unsubscribe").classList.toggle("d-none", !isMember);
        const email = this.el.querySelector(".o_mg_snippet_email");
        email.classList.toggle("d-none", !this.info.is_public_user || refused);
        email.required = this.info.is_public_user && !refused;
        if (refused) {
            const alert = this.el.querySelector(".o_mg_snippet_alert");
            alert.textContent = this.info.refusal;
            alert.className = "o_mg_snippet_alert small mt-2 alert alert-info py-1 px-2 mb-0 o_mg_status_refused";
        }
    },

    async _onSubmit(ev) {
        ev.preventDefault();
        if (this.editableMode || !this.info) {
            return;
        }
        const email = this.el.querySelector(".o_mg_snippet_email");
        if (this.info.is_public_user && !email.reportValidity()) {
            return;
        }
        const action = (ev.originalEvent && ev.originalEvent.submitter && ev.originalEvent.submitter.value)
            || (this.info.is_member ? "unsubscribe" : "subscribe");
        const result = await jsonrpc("/group/subscribe", {
            group_id: this.info.id,
            action,
            email: this.info.is_public_user ? email.value : undefined,
        });
        const alert = this.el.querySelector(".o_mg_snippet_alert");
        const ok = ["subscribed", "unsubscribed", "email_sent"].includes(result.status);
        alert.textContent = result.message || "";
        alert.className = `o_mg_snippet_alert small mt-2 alert py-1 px-2 mb-0 ${ok ? "alert-success" : "alert-warning"} o_mg_status_${result.status}`;
        if (result.is_member !== undefined) {
            this.info.is_member = result.is_member;
            this._setMember(result.is_member);
        }
    },
});
