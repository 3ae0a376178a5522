import {registry} from "@web/core/registry";

const BLOCK = "#helpdesk_stripe_webhook";

registry.category("web_tour.tours").add("helpdesk_stripe_webhook_settings_tour", {
    steps: () => [
        {
            content: "The webhook URL to paste into Stripe names the company",
            trigger: `${BLOCK} .o_field_CopyClipboardChar:contains('/helpdesk_stripe/webhook/')`,
        },
        {
            content: "The events to enable are listed",
            trigger: `${BLOCK}:contains('charge.dispute.created'):contains('refund.created')`,
        },
        {
            content: "The last event received is shown",
            trigger: `${BLOCK}:contains('invoice.payment_succeeded')`,
        },
        {
            content: "No secret yet: no test button",
            trigger: `${BLOCK}:not(:has(button[name='action_stripe_webhook_test']))`,
        },
        {
            content: "Paste the signing secret",
            trigger: `${BLOCK} div[name='stripe_webhook_secret_input'] input[type='password']`,
            run: "edit whsec_typed_in_the_browser",
        },
        {
            content: "Save the settings",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "The secret is saved, not shown",
            trigger: `${BLOCK} .badge:contains('Secret saved')`,
        },
        {
            content: "The test button is offered",
            trigger: `${BLOCK} button[name='action_stripe_webhook_test']`,
        },
    ],
});
