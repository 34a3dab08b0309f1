/** @odoo-module **/

import options from "@web_editor/js/editor/snippets.options";

/**
 * Editor options of the "Discussion Group" snippet: a group picker that
 * stores the group in data-id and restarts the public widget.
 */
options.registry.MailGroup = options.Class.extend({
    init() {
        this._super(...arguments);
        this.orm = this.bindService("orm");
    },

    /**
     * A new block shows the most recent group at once.
     *
     * @override
     */
    async onBuilt() {
        await this._super(...arguments);
        if (!this.$target[0].dataset.id) {
            const [group] = await this.orm.searchRead("mail.group", [], ["id"], { limit: 1 });
            if (group) {
                await this.setGroup(false, String(group.id));
            }
        }
    },

    //--------------------------------------------------------------------------
    // Options
    //--------------------------------------------------------------------------

    async setGroup(previewMode, widgetValue) {
        this.$target[0].dataset.id = widgetValue || "";
        await this._refreshPublicWidgets();
    },

    //--------------------------------------------------------------------------
    // Private
    //--------------------------------------------------------------------------

    /**
     * @override
     */
    _computeWidgetState(methodName, params) {
        if (methodName === "setGroup") {
            return this.$target[0].dataset.id || "";
        }
        return this._super(...arguments);
    },
});
