"""Connect the demo database to localstripe and create demo tickets.

Usage: python3 tools/demo_setup.py ODOO_CONFIG LOCALSTRIPE_URL
"""

import sys

from localstripe_process import TEST_KEY
from localstripe_webhooks import new_signing_secret, register_company_webhook

import odoo
from odoo.tools import config as odoo_config

RAW_EMAIL = """From: "Chie Sato" <chie@example.jp>
To: support@example.com
Subject: My renewal failed
Message-ID: <demo-renewal-1@example.jp>
Date: Thu, 03 Dec 2026 09:12:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello, my card was declined for the renewal. What should I do?
"""

TICKETS = [
    ("Charged twice for onboarding?", "Ada Lovelace", "ada@example.com"),
    ("How long is my trial?", "Bruno Müller", "bruno@example.com"),
    ("Which account is mine?", "Dana Scully", "dana@example.com"),
    ("Question about pricing", "Zed Nobody", "zed@example.com"),
]


def main(config_path, stripe_url):
    odoo_config.parse_config(["-c", config_path])
    registry = odoo.modules.registry.Registry(odoo_config["db_name"])
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.company
        company._stripe_connect(TEST_KEY, stripe_url)
        company.write(
            {
                "stripe_autolink_enabled": True,
                "stripe_refunds_enabled": True,
                "stripe_cancel_enabled": True,
                "stripe_event_notes_enabled": True,
            }
        )
        # Stripe events: localstripe signs and sends them to the company's webhook.
        secret = new_signing_secret()
        company._stripe_set_webhook_secret(secret)
        from odoo.addons.helpdesk_stripe.const import (
            EXTRA_WEBHOOK_EVENTS,
            HANDLED_WEBHOOK_EVENTS,
        )

        webhook = register_company_webhook(
            stripe_url,
            f"http://127.0.0.1:{odoo_config['http_port']}",
            company.id,
            secret,
            HANDLED_WEBHOOK_EVENTS + EXTRA_WEBHOOK_EVENTS,
        )
        print(f"localstripe sends its events to {webhook}")
        for name, partner_name, email in TICKETS:
            env["helpdesk.ticket"].create(
                {
                    "name": name,
                    "description": f"<p>{name}</p>",
                    "partner_name": partner_name,
                    "partner_email": email,
                }
            )
        env["mail.thread"].message_process("helpdesk.ticket", RAW_EMAIL)
        cr.commit()
        # What the cron does once the transaction is committed.
        env["helpdesk.ticket"]._cron_stripe_autolink()
        cr.commit()
        for ticket in env["helpdesk.ticket"].search([], order="id"):
            print(
                f"ticket {ticket.number} {ticket.name!r}: {ticket.stripe_link_state}"
                f" {ticket.stripe_customer_id or ''}"
            )


if __name__ == "__main__":
    main(*sys.argv[1:3])
