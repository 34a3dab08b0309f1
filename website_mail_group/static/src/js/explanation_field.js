/** @odoo-module **/

import { registry } from "@web/core/registry";
import { HtmlField, htmlField } from "@web_editor/js/backend/html_field";

/**
 * The explanation of the reject and ban dialogs. The dialog's main button
 * follows ``send_email``, which the editor only commits when it loses the
 * focus: here it follows each keystroke, so the main button is always the
 * one that sends what was typed.
 */
export class MailGroupExplanationField extends HtmlField {
    async startWysiwyg(wysiwyg) {
        await super.startWysiwyg(wysiwyg);
        // typing (input), and what the editor does itself (undo, paste, deletion: historyStep)
        this.wysiwyg.odooEditor.editable.addEventListener("input", () => this.followExplanation());
        this.wysiwyg.odooEditor.addEventListener("historyStep", () => this.followExplanation());
    }

    followExplanation() {
        const editable = this.wysiwyg.odooEditor.editable;
        // as is_html_empty: text, or an image, a table, an icon…
        const typed = Boolean(
            editable.textContent.trim() || editable.querySelector("img, video, iframe, hr, table, .fa")
        );
        if (typed !== this.props.record.data.send_email) {
            this.props.record.update({ send_email: typed });
        }
    }
}

registry.category("fields").add("mail_group_explanation", {
    ...htmlField,
    component: MailGroupExplanationField,
});
