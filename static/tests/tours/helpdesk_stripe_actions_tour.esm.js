import {registry} from "@web/core/registry";

/**
 * From a ticket's Stripe panel: refund part of a payment, then cancel a
 * subscription with a refund of its last payment; both notes reach the chatter.
 */
registry.category("web_tour.tours").add("helpdesk_stripe_actions_tour", {
    steps: () => [
        {
            content: "Open the Stripe tab",
            trigger: ".o_notebook .nav-link:contains(Stripe)",
            run: "click",
        },
        {
            content: "Refund the payment",
            trigger: ".o_stripe_payment .o_stripe_refund",
            run: "click",
        },
        {
            content: "Prefilled with what remains refundable",
            trigger: ".modal .o_stripe_refund_summary:contains(50.00 USD)",
        },
        {
            content: "Refund part of it",
            trigger: ".modal .o_stripe_refund_amount input",
            run: "edit 12.50",
        },
        {
            content: "Say why",
            trigger: ".modal div[name=internal_reason] textarea",
            run: "edit Charged twice",
        },
        {
            content: "The dialog says what will happen",
            trigger:
                ".modal .o_stripe_refund_summary:contains(37.50 USD will remain refundable)",
        },
        {
            content: "Confirm the refund",
            trigger: ".modal .o_stripe_refund_confirm",
            run: "click",
        },
        {
            content: "The refund's note is in the chatter",
            trigger:
                ".o-mail-Message-body:contains(Refunded 12.50 USD of Stripe payment)",
        },
        {
            content: "The panel reloaded: 12.50 USD refunded",
            trigger: ".o_stripe_payment td:contains(12.50 USD)",
        },
        {
            content: "Cancel the subscription",
            trigger: ".o_stripe_subscription .o_stripe_cancel",
            run: "click",
        },
        {
            content: "Refund its last payment",
            trigger: ".modal .o_stripe_refund_method input[data-value=last_payment]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name=internal_reason] textarea",
            run: "edit Moving away",
        },
        {
            content: "The dialog says what will happen",
            trigger: ".modal .o_stripe_cancel_summary:contains(30.00 USD of payment)",
        },
        {
            content: "Confirm the cancellation",
            trigger: ".modal .o_stripe_cancel_confirm:visible",
            run: "click",
        },
        {
            content: "The cancellation's note is in the chatter",
            trigger: ".o-mail-Message-body:contains(Cancelled Stripe subscription)",
        },
        {
            content: "The refund's note is still there",
            trigger:
                ".o-mail-Message-body:contains(Refunded 12.50 USD of Stripe payment)",
        },
        {
            content: "The panel reloaded: no active subscription left",
            trigger: ".o_stripe_subscriptions:contains(No subscriptions)",
        },
    ],
});
