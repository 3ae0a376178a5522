# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import logging
import time

from odoo.tests import HttpCase, tagged

from .events_common import (
    OTHER_SECRET,
    SECRET,
    StripeEventsMixin,
    make_event,
    sdk_signature,
)


@tagged("post_install", "-at_install")
class TestWebhookEndpoint(StripeEventsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()

    def setUp(self):
        super().setUp()
        self.cus = self.seeded_customer()["id"]
        self.event = make_event(
            "invoice.payment_failed",
            {
                "id": "in_1",
                "object": "invoice",
                "customer": self.cus,
                "currency": "usd",
                "total": 1000,
                "amount_due": 1000,
                "attempt_count": 1,
            },
        )

    def url(self, company_id=None):
        return f"/helpdesk_stripe/webhook/{company_id or self.company.id}"

    def post(self, body, signature=None, company_id=None, **headers):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        if signature is not None:
            headers["Stripe-Signature"] = signature
        return self.url_open(self.url(company_id), data=body, headers=headers)

    def signed(self, body, secret=SECRET, timestamp=None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        return body, sdk_signature(body, secret, timestamp)

    def stored(self, event=None):
        event_id = (event or self.event)["id"]
        return self.env["helpdesk.stripe.event"].search([("event_id", "=", event_id)])

    def triggers(self):
        cron = self.env.ref("helpdesk_stripe.ir_cron_stripe_events")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def test_signed_event_stored_and_cron_woken(self):
        triggers = self.triggers()
        self.post(self.event)  # warm-up: the server builds its routing map once
        started = time.monotonic()
        response = self.post(*self.signed(self.event))
        elapsed = time.monotonic() - started
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"received": True, "id": self.event["id"]})
        self.assertLess(elapsed, 1.0, "Stripe expects a quick answer")
        record = self.stored()
        self.assertEqual(record.state, "pending")
        self.assertEqual(record.company_id, self.company)
        self.assertEqual(record.event_type, "invoice.payment_failed")
        self.assertEqual(record.customer_id, self.cus)
        self.assertTrue(record.received_date)
        self.assertEqual(self.triggers(), triggers + 1)
        # The heavy work happens in the cron.
        ticket = self.linked_ticket(self.cus)
        self.process()
        self.assertEqual(record.state, "done")
        self.assertEqual(len(self.stripe_notes(ticket)), 1)

    def test_replay_acknowledged_and_ignored(self):
        body, signature = self.signed(self.event)
        self.assertEqual(self.post(body, signature).status_code, 200)
        replay = self.post(*self.signed(self.event))
        self.assertEqual(replay.status_code, 200)
        self.assertTrue(replay.json()["duplicate"])
        self.assertEqual(len(self.stored()), 1)

    def test_tampered_body_refused(self):
        body, signature = self.signed(self.event)
        tampered = body.replace(self.cus.encode(), b"cus_attacker")
        response = self.post(tampered, signature)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "bad_signature")
        self.assertFalse(self.stored())

    def test_stale_timestamp_refused(self):
        response = self.post(*self.signed(self.event, timestamp=time.time() - 400))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "stale")
        self.assertFalse(self.stored())

    def test_other_company_secret_refused(self):
        response = self.post(*self.signed(self.event, secret=OTHER_SECRET))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.stored())

    def test_missing_signature_refused(self):
        response = self.post(self.event)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "no_signature")
        self.assertFalse(self.stored())

    def test_company_without_secret_refuses(self):
        self.company.sudo().stripe_webhook_secret = False
        response = self.post(*self.signed(self.event))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "no_secret")
        self.assertFalse(self.stored())

    def test_signed_non_json_refused(self):
        with self.assertLogs(
            "odoo.addons.helpdesk_stripe.models.helpdesk_stripe_event", logging.WARNING
        ) as logs:
            response = self.post(*self.signed(b"\xffnot json at all"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "not_json")
        self.assertIn("not_json", logs.output[0])
        self.assertFalse(self.env["helpdesk.stripe.event"].search([]))

    def test_huge_body_refused(self):
        body = json.dumps(dict(self.event, padding="x" * (1024 * 1024))).encode()
        response = self.post(*self.signed(body))
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.stored())

    def test_huge_chunked_body_refused(self):
        # No Content-Length: the endpoint stops reading past its limit.
        body = json.dumps(dict(self.event, padding="x" * (1024 * 1024))).encode()
        body, signature = self.signed(body)
        chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
        response = self.post(chunks, signature)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.stored())

    def test_chunked_event_accepted(self):
        body, signature = self.signed(self.event)
        response = self.post(iter([body[:50], body[50:]]), signature)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.stored())

    def test_unknown_company(self):
        with self.assertLogs(
            "odoo.addons.helpdesk_stripe.models.helpdesk_stripe_event", logging.WARNING
        ):
            response = self.post(*self.signed(self.event), company_id=987654)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.stored())

    def test_unknown_type_acknowledged_not_stored(self):
        event = make_event("customer.created", {"id": self.cus, "object": "customer"})
        response = self.post(*self.signed(event))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json()["ignored"])
        self.assertFalse(self.stored(event))

    def test_get_not_allowed(self):
        response = self.url_open(self.url())
        self.assertEqual(response.status_code, 405)
