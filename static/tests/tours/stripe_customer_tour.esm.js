import {registry} from "@web/core/registry";

/**
 * From a ticket's Stripe panel: search (falling back to exact email on
 * localstripe), link, then edit the customer's name; both notes show up.
 */
registry.category("web_tour.tours").add("helpdesk_stripe_customer_tour", {
    steps: () => [
        {
            content: "Open the Stripe tab",
            trigger: ".o_notebook_headers a[name='stripe']",
            run: "click",
        },
        {
            content: "Open the search dialog",
            trigger: ".o_helpdesk_stripe_panel .o_stripe_search_customer",
            run: "click",
        },
        {
            content: "Search falls back to exact email and says so",
            trigger: ".modal .o_stripe_link_notice:contains(search is not available)",
        },
        {
            content: "Ada is found by the ticket's email at once",
            trigger: ".modal .o_data_row:contains(Ada Lovelace)",
        },
        {
            content: "Search an unknown email",
            trigger: ".modal .o_stripe_link_query input",
            run: "edit nobody@example.com",
        },
        {
            content: "Search",
            trigger: ".modal button.o_stripe_link_search",
            run: "click",
        },
        {
            content: "Nothing found",
            trigger: ".modal .o_stripe_link_no_result:visible",
        },
        {
            content: "Type Ada's email in another case",
            trigger: ".modal .o_stripe_link_query input",
            run: "edit ADA@example.com",
        },
        {
            content: "Search again",
            trigger: ".modal button.o_stripe_link_search",
            run: "click",
        },
        {
            content: "Link Ada",
            trigger:
                ".modal .o_data_row:contains(Ada Lovelace):contains(Pro monthly) .o_stripe_link_line",
            run: "click",
        },
        {
            content: "The panel shows the customer and how it was linked",
            trigger:
                ".o_stripe_header:contains(Ada Lovelace) .o_stripe_link_method:contains(By hand)",
        },
        {
            content: "The link is noted",
            trigger: ".o-mail-Message:contains(Linked to Stripe customer Ada Lovelace)",
        },
        {
            content: "Invoices without a PDF say why",
            trigger: ".o_stripe_invoice_no_pdf:contains(Stripe offers none)",
        },
        {
            content: "Edit the customer",
            trigger: ".o_helpdesk_stripe_panel .o_stripe_update_customer",
            run: "click",
        },
        {
            content: "Change the name",
            trigger: ".modal div[name='name'] input",
            run: "edit Ada King",
        },
        {
            content: "Send it to Stripe",
            trigger: ".modal button.o_stripe_customer_apply",
            run: "click",
        },
        {
            content: "The panel shows the new name",
            trigger: ".o_stripe_header .o_stripe_customer_name:contains(Ada King)",
        },
        {
            content: "The update is noted",
            trigger: ".o-mail-Message:contains(Ada Lovelace → Ada King)",
        },
    ],
});

/** Several customers share the ticket's email: the panel lists them; link one. */
registry.category("web_tour.tours").add("helpdesk_stripe_candidates_tour", {
    steps: () => [
        {
            content: "Open the Stripe tab",
            trigger: ".o_notebook_headers a[name='stripe']",
            run: "click",
        },
        {
            content: "Both customers are listed, the markup in a name as text",
            trigger:
                ".o_stripe_candidate:contains(Dana Scully) ~ .o_stripe_candidate:contains(Dana <b>Old</b>)",
        },
        {
            content: "Link the old account",
            trigger:
                ".o_stripe_candidate:contains(Dana <b>Old</b>) .o_stripe_link_candidate",
            run: "click",
        },
        {
            content: "The panel shows it, linked by hand",
            trigger:
                ".o_stripe_header:contains(Dana <b>Old</b>) .o_stripe_link_method:contains(By hand)",
        },
    ],
});
