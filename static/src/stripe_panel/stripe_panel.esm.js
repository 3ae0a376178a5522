import {Component, onWillStart, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {useRecordObserver} from "@web/model/relational_model/utils";
import {useService} from "@web/core/utils/hooks";

/**
 * The Stripe panel of a helpdesk ticket: the linked customer's profile,
 * subscriptions, payments and invoices. Every value comes from the server
 * (helpdesk.ticket.stripe_panel_data); the Stripe key never reaches the browser.
 */
export class StripePanel extends Component {
    static template = "helpdesk_stripe.StripePanel";
    static props = {...standardWidgetProps};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.action = useService("action");
        this.state = useState({
            loading: true,
            data: null,
            error: null,
            tab: "overview",
            loadingMore: null,
            linking: null,
            // Canceled subscriptions, read on demand: null, or
            // {loading, data, limit, dashboard_url}.
            canceled: null,
        });
        this.loadedKey = null;
        // Not awaited: the ticket opens at once, the panel fills in when
        // Stripe answers.
        onWillStart(() => {
            this.load();
        });
        useRecordObserver(async (record) => {
            const key = this.recordKey(record);
            if (this.loadedKey !== null && key !== this.loadedKey) {
                await this.load();
            }
        });
    }

    recordKey(record) {
        return `${record.resId}|${record.data.stripe_customer_id || ""}|${
            record.data.stripe_link_state || ""
        }`;
    }

    get data() {
        return this.state.data || {};
    }

    async load(refresh = false) {
        const record = this.props.record;
        this.loadedKey = this.recordKey(record);
        if (!record.resId) {
            this.state.loading = false;
            this.state.data = {state: "new"};
            return;
        }
        this.state.loading = true;
        this.state.error = null;
        this.state.canceled = null;
        try {
            this.state.data = await this.orm.call(
                "helpdesk.ticket",
                "stripe_panel_data",
                [[record.resId]],
                {refresh}
            );
        } catch (error) {
            this.state.data = null;
            this.state.error =
                (error.data && error.data.message) || error.message || String(error);
        } finally {
            this.state.loading = false;
        }
    }

    async onRefresh() {
        await this.load(true);
    }

    setTab(tab) {
        this.state.tab = tab;
    }

    async loadMore(kind) {
        const current = this.state.data[kind];
        this.state.loadingMore = kind;
        try {
            const page = await this.orm.call(
                "helpdesk.ticket",
                "stripe_panel_more",
                [[this.props.record.resId], kind, current.next_cursor],
                {}
            );
            current.data.push(...page.data);
            current.has_more = page.has_more;
            current.next_cursor = page.next_cursor;
        } catch (error) {
            this.notification.add(
                (error.data && error.data.message) || error.message || String(error),
                {type: "danger"}
            );
        } finally {
            this.state.loadingMore = null;
        }
    }

    async loadCanceled() {
        this.state.canceled = {loading: true, data: [], limit: 0, dashboard_url: ""};
        try {
            const result = await this.orm.call(
                "helpdesk.ticket",
                "stripe_panel_canceled_subscriptions",
                [[this.props.record.resId]],
                {}
            );
            this.state.canceled = {loading: false, ...result};
        } catch (error) {
            this.state.canceled = null;
            this.notification.add(this.errorMessage(error), {type: "danger"});
        }
    }

    hideCanceled() {
        this.state.canceled = null;
    }

    errorMessage(error) {
        return (error.data && error.data.message) || error.message || String(error);
    }

    /**
     * Reload the form record (the link may have changed) and the panel. When
     * the link did not change, the record observer does not reload the panel.
     */
    async reloadAll() {
        const record = this.props.record;
        const before = this.loadedKey;
        await record.load();
        if (this.recordKey(record) === before) {
            await this.load();
        }
    }

    async onSearchCustomer() {
        await this.openStripeAction("action_stripe_link_wizard");
    }

    async onUpdateCustomer() {
        await this.openStripeAction("action_stripe_update_customer");
    }

    async onLinkCandidate(customerId) {
        this.state.linking = customerId;
        try {
            await this.orm.call("helpdesk.ticket", "stripe_link_customer", [
                [this.props.record.resId],
                customerId,
            ]);
            await this.reloadAll();
        } catch (error) {
            this.notification.add(this.errorMessage(error), {type: "danger"});
        } finally {
            this.state.linking = null;
        }
    }

    /**
     * Run a ticket method that returns a dialog's action (search and link,
     * edit the customer, refund, cancel, undo a cancellation). The server
     * checks rights and toggles and reads Stripe first; when the dialog
     * closes, the ticket (its link, its chatter) and the panel reload.
     */
    async openStripeAction(method, ...args) {
        const record = this.props.record;
        try {
            if (!(await record.save())) {
                return;
            }
            const action = await this.orm.call(
                "helpdesk.ticket",
                method,
                [[record.resId], ...args],
                {}
            );
            await this.action.doAction(action, {onClose: () => this.reloadAll()});
        } catch (error) {
            this.notification.add(this.errorMessage(error), {type: "danger"});
        }
    }

    onRefund(payment) {
        return this.openStripeAction("action_stripe_refund", payment.id);
    }

    onCancelSubscription(sub) {
        return this.openStripeAction("action_stripe_cancel_subscription", sub.id);
    }

    onUndoCancel(sub) {
        return this.openStripeAction("action_stripe_undo_cancel", sub.id);
    }

    statusClass(status) {
        const classes = {
            active: "text-bg-success",
            succeeded: "text-bg-success",
            paid: "text-bg-success",
            trialing: "text-bg-info",
            open: "text-bg-info",
            draft: "text-bg-light",
            past_due: "text-bg-warning",
            unpaid: "text-bg-warning",
            incomplete: "text-bg-warning",
            pending: "text-bg-warning",
            canceled: "text-bg-secondary",
            incomplete_expired: "text-bg-secondary",
            void: "text-bg-secondary",
            uncollectible: "text-bg-danger",
            failed: "text-bg-danger",
        };
        return classes[status] || "text-bg-light";
    }
}

registry.category("view_widgets").add("stripe_panel", {
    component: StripePanel,
    fieldDependencies: [
        {name: "stripe_customer_id", type: "char"},
        {name: "stripe_link_state", type: "selection"},
    ],
});
