/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { jsonrpc } from "@web/core/network/rpc_service";
import { _t } from "@web/core/l10n/translation";

/**
 * Subscribe / unsubscribe boxes of /groups and of the archive: JSON instead
 * of the form POST (which stays as the no-JavaScript fallback).
 */
publicWidget.registry.MailGroupSubscribe = publicWidget.Widget.extend({
    selector: ".o_mg_subscribe_form",
    events: {
        "submit": "_onSubmit",
        "click button[type=submit]": "_onClickSubmit",
    },

    _onClickSubmit(ev) {
        this.lastAction = ev.currentTarget.value;
    },

    _onSubmit(ev) {
        ev.preventDefault();
        return this._send(ev.originalEvent?.submitter?.value || this.lastAction || "subscribe");
    },

    async _send(action) {
        const form = this.el;
        const emailInput = form.querySelector("input[name=email]");
        if (emailInput && !emailInput.reportValidity()) {
            return;
        }
        const buttons = form.querySelectorAll("button[type=submit]");
        buttons.forEach((button) => (button.disabled = true));
        let result;
        try {
            result = await jsonrpc("/group/subscribe", {
                group_id: parseInt(form.dataset.groupId),
                action,
                email: emailInput ? emailInput.value : undefined,
                group_access_token: form.dataset.token || undefined,
            });
        } catch {
            result = { status: "error", message: _t("Something went wrong, please try again.") };
        } finally {
            buttons.forEach((button) => (button.disabled = false));
        }
        this._showResult(result);
    },

    _showResult(result) {
        const form = this.el;
        const alert = form.querySelector(".o_mg_alert");
        const ok = ["subscribed", "unsubscribed", "email_sent", "pending"].includes(result.status);
        alert.textContent = result.message || "";
        alert.className = `o_mg_alert small mt-2 alert py-1 px-2 mb-0 ${ok ? "alert-success" : "alert-warning"} o_mg_status_${result.status}`;
        if (result.is_member === undefined) {
            return;
        }
        form.dataset.isMember = result.is_member ? "1" : "0";
        form.querySelector(".o_mg_subscribe_btn")?.classList.toggle("d-none", result.is_member);
        form.querySelector(".o_mg_unsubscribe_btn")?.classList.toggle("d-none", !result.is_member);
        if (result.status === "unsubscribed") {
            // leaving takes one click: joining again too
            const undo = document.createElement("button");
            undo.type = "button";
            undo.className = "btn btn-link btn-sm p-0 ms-2 align-baseline o_mg_undo_leave";
            undo.textContent = _t("Undo");
            undo.addEventListener("click", () => this._send("subscribe"));
            alert.append(undo);
            undo.focus();
        } else {
            // the button pressed is now hidden: the keyboard stays in the box
            form.querySelector(".o_mg_unsubscribe_btn")?.focus();
        }
    },
});

/**
 * Dates of the archive, rendered in UTC by the server, shown in the
 * visitor's time zone and language.
 */
publicWidget.registry.MailGroupLocalTime = publicWidget.Widget.extend({
    selector: "time.o_mg_local_time",

    start() {
        const date = new Date(this.el.getAttribute("datetime"));
        if (!isNaN(date)) {
            const options = this.el.dataset.dateOnly
                ? { dateStyle: "medium" }
                : { dateStyle: "medium", timeStyle: "short" };
            const lang = document.documentElement.lang || undefined;
            this.el.textContent = date.toLocaleString(lang, options);
            this.el.title = date.toLocaleString(lang, { dateStyle: "full", timeStyle: "long" });
            this.el.dataset.localized = "1";
        }
        return this._super(...arguments);
    },
});
