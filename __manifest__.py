# Copyright 2026 helpdesk_stripe contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Stripe",
    "summary": "See and act on the customer's Stripe account from helpdesk tickets",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "website": "https://github.com/OCA/helpdesk",
    "author": "helpdesk_stripe contributors, Odoo Community Association (OCA)",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "depends": ["helpdesk_mgmt"],
    "external_dependencies": {"python": ["stripe", "phonenumbers"]},
    "data": [
        "security/helpdesk_stripe_security.xml",
        "security/ir.model.access.csv",
        "security/helpdesk_stripe_event_security.xml",
        "data/ir_cron_data.xml",
        "data/ir_cron_events_data.xml",
        "data/helpdesk_stripe_backfill_data.xml",
        "views/res_config_settings_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_partner_views.xml",
        "wizards/helpdesk_stripe_link_wizard_views.xml",
        "wizards/helpdesk_stripe_customer_wizard_views.xml",
        "wizards/helpdesk_stripe_refund_wizard_views.xml",
        "wizards/helpdesk_stripe_cancel_wizard_views.xml",
        "views/helpdesk_stripe_event_views.xml",
        "views/res_config_settings_events_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "helpdesk_stripe/static/src/**/*.esm.js",
            "helpdesk_stripe/static/src/**/*.xml",
            "helpdesk_stripe/static/src/**/*.scss",
        ],
        "web.assets_tests": [
            "helpdesk_stripe/static/tests/tours/**/*.esm.js",
        ],
    },
}
