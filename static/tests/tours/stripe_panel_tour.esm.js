import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_stripe_panel_tour", {
    steps: () => [
        {
            content: "Open the Stripe page of the ticket",
            trigger: ".o_notebook a[name='stripe']",
            run: "click",
        },
        {
            content: "The subscription is listed with its amount",
            trigger:
                ".o_stripe_subscription:contains('Pro monthly'):contains('29.00 USD')",
        },
        {
            content: "The partially refunded payment shows what was refunded",
            trigger: ".o_stripe_payment:contains('150.00 USD'):contains('50.00 USD')",
        },
        {
            content: "The invoice is listed as paid",
            trigger: ".o_stripe_invoice:contains('paid'):contains('29.00 USD')",
        },
        {
            content: "Stripe's text is shown as text, never as markup",
            trigger:
                ".o_stripe_customer_name:contains('Ada <b>Lovelace</b>'):not(:has(b))",
        },
        {
            content: "Open the customer profile",
            trigger: ".o_stripe_tab_customer",
            run: "click",
        },
        {
            content: "The profile shows the address",
            trigger: ".o_stripe_customer:contains('San Francisco')",
        },
        {
            content: "Back to the overview",
            trigger: ".o_stripe_tab_overview",
            run: "click",
        },
        {
            content: "Refresh reloads the panel",
            trigger: ".o_stripe_header .o_stripe_refresh",
            run: "click",
        },
        {
            content: "The panel is back with its data",
            trigger: ".o_stripe_subscription:contains('Pro monthly')",
        },
    ],
});
