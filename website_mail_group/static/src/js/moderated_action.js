/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

const UNDO_SECONDS = 10;

/**
 * What a moderation did, as ``display_notification`` says it, with an Undo
 * button when it told nobody (a silent reject, a whitelist, a silent ban):
 * the server keeps what it changed (``mail.group.moderation.undo``).
 */
export function moderatedAction(env, action) {
    const { message, type, next, undo_id } = action.params;
    let timeout;
    const close = env.services.notification.add(message, {
        type: type || "success",
        sticky: true,
        buttons: [
            {
                name: _t("Undo"),
                icon: "fa-undo",
                primary: true,
                onClick: async () => {
                    close();
                    const result = await env.services.orm.call("mail.group.moderation.undo", "action_undo", [
                        [undo_id],
                    ]);
                    await env.services.action.doAction(result);
                },
            },
        ],
        onClose: () => browser.clearTimeout(timeout),
    });
    timeout = browser.setTimeout(close, UNDO_SECONDS * 1000);
    return next;
}

registry.category("actions").add("mail_group_moderated", moderatedAction);
