# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers for Stripe events: signed deliveries, events, processing."""

import hashlib
import hmac
import itertools
import json
import time

import stripe

from .common import StripeTestMixin

SECRET = "whsec_helpdesk_test_secret_a"
OTHER_SECRET = "whsec_helpdesk_test_secret_b"
_ids = itertools.count(1)


def sdk_signature(body, secret, timestamp=None):
    """The ``Stripe-Signature`` header, computed by the SDK's own helper."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    try:
        payload = body.decode() if isinstance(body, bytes) else body
    except UnicodeDecodeError:  # the SDK signs text only; Stripe signs bytes
        signed = f"{timestamp}.".encode() + body
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    else:
        digest = stripe.WebhookSignature._compute_signature(
            f"{timestamp}.{payload}", secret
        )
    return f"t={timestamp},v1={digest}"


def make_event(event_type, obj, previous=None, **extra):
    """A Stripe event as Stripe delivers it (2026 envelope)."""
    event = {
        "id": f"evt_test_{next(_ids)}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": "req_dashboard", "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }
    if previous is not None:
        event["data"]["previous_attributes"] = previous
    event.update(extra)
    return event


class StripeEventsMixin(StripeTestMixin):
    """A connected company with a signing secret, and event helpers."""

    @classmethod
    def setup_stripe_events(cls):
        cls.setup_stripe()
        cls.company.sudo().write(
            {
                "stripe_webhook_secret": SECRET,
                "stripe_event_ticket_limit": 3,
                "stripe_dispute_tickets_enabled": False,
            }
        )
        cls.Event = cls.env["helpdesk.stripe.event"]

    def receive(self, event, company=None, secret=None, timestamp=None):
        """Deliver ``event`` the way the webhook route does; return the status.

        Signed with ``secret``, by default the company's own.
        """
        company = company or self.company
        secret = secret or company.sudo().stripe_webhook_secret
        body = json.dumps(event).encode()
        header = sdk_signature(body, secret, timestamp)
        status, _answer = self.Event.sudo()._stripe_receive(company.id, body, header)
        return status

    def deliver(self, event, company=None):
        """Receive then process ``event``; return its stored record."""
        company = company or self.company
        self.assertEqual(self.receive(event, company), 200)
        self.process()
        return self.Event.sudo().search(
            [("event_id", "=", event["id"]), ("company_id", "=", company.id)]
        )

    def process(self):
        self.env["helpdesk.stripe.event"]._cron_process_stripe_events()

    def stripe_notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("mail.mt_note")
                and "Stripe:" in (m.body or "")
            )
        )

    def linked_ticket(self, customer_id, **values):
        ticket = self.make_ticket(**values)
        ticket.write({"stripe_customer_id": customer_id, "stripe_link_state": "linked"})
        return ticket

    def seeded_customer(self, email="ada@example.com", name="Ada Lovelace"):
        customer = self.seeder.customer(email, name)
        self.seeder.card(customer["id"])
        return customer
