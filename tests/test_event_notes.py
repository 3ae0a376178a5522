# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from .events_common import StripeEventsMixin, make_event


@tagged("post_install", "-at_install")
class TestEventNotes(StripeEventsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()

    def setUp(self):
        super().setUp()
        self.customer = self.seeded_customer()
        self.cus = self.customer["id"]
        self.ticket = self.linked_ticket(self.cus)

    def charge_with_refund(self, amount=15000, refund=5000, currency="usd"):
        charge = self.seeder.charge(
            self.cus, amount, currency, "Onboarding <b>pack</b>"
        )
        refund = self.seeder.refund(charge["id"], refund)
        return self.seeder.get(f"/v1/charges/{charge['id']}"), refund

    # === REFUNDS === #

    def test_dashboard_refund_noted_once_for_both_events(self):
        charge, refund = self.charge_with_refund()
        record = self.deliver(make_event("refund.created", refund))
        self.assertEqual(record.state, "done")
        self.assertEqual(record.customer_id, self.cus)
        self.assertEqual(record.ticket_ids, self.ticket)
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: refund of 50.00 USD", note.body)
        self.assertIn("50.00 USD of 150.00 USD", note.body)
        # Values from Stripe are escaped, never markup.
        self.assertIn("Onboarding &lt;b&gt;pack&lt;/b&gt;", note.body)
        self.assertNotIn("<b>pack</b>", note.body)
        # Stripe also sends charge.refunded for the same refund: no second note.
        again = self.deliver(make_event("charge.refunded", charge))
        self.assertEqual(again.state, "ignored")
        self.assertEqual(again.note_key, f"refund:{refund['id']}")
        self.assertEqual(len(self.stripe_notes(self.ticket)), 1)

    def test_charge_refunded_current_shape_reads_refunds(self):
        charge, _refund = self.charge_with_refund(
            currency="jpy", amount=1200, refund=200
        )
        current = dict(charge)
        current.pop("refunds")  # the 2026 API does not embed them
        record = self.deliver(make_event("charge.refunded", current))
        self.assertEqual(record.state, "done", record.message)
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: refund of 200 JPY", note.body)
        self.assertIn("200 JPY of 1,200 JPY", note.body)

    def test_refund_made_from_odoo_not_noted_again(self):
        charge = self.seeder.charge(self.cus, 5000, "usd")
        refund = self.seeder.post(
            "/v1/refunds",
            charge=charge["id"],
            **{"metadata[helpdesk_ticket_id]": str(self.ticket.id)},
        )
        record = self.deliver(make_event("refund.created", refund))
        self.assertEqual(record.state, "ignored")
        self.assertIn("Made from Odoo", record.message)
        by_key = make_event(
            "charge.refunded",
            self.seeder.get(f"/v1/charges/{charge['id']}"),
            request={"id": "req_1", "idempotency_key": "hd-0123456789abcdef"},
        )
        self.assertEqual(self.deliver(by_key).state, "ignored")
        self.assertFalse(self.stripe_notes(self.ticket))

    # === SUBSCRIPTIONS === #

    def subscription(self, **changes):
        sub = {
            "id": "sub_1",
            "object": "subscription",
            "customer": self.cus,
            "status": "active",
            "cancel_at_period_end": False,
            "cancel_at": None,
            "metadata": {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": "si_1",
                        "quantity": 1,
                        "current_period_end": 1893456000,  # 2030-01-01
                        "price": {
                            "id": "price_pro",
                            "nickname": "Pro monthly",
                            "unit_amount": 2900,
                            "currency": "usd",
                            "recurring": {"interval": "month", "interval_count": 1},
                        },
                    }
                ],
            },
        }
        sub.update(changes)
        return sub

    def test_cancellation_scheduled_then_undone(self):
        scheduled = make_event(
            "customer.subscription.updated",
            self.subscription(cancel_at_period_end=True, cancel_at=1893456000),
            previous={"cancel_at_period_end": False, "cancel_at": None},
        )
        self.assertEqual(self.deliver(scheduled).state, "done")
        undone = make_event(
            "customer.subscription.updated",
            self.subscription(),
            previous={"cancel_at_period_end": True, "cancel_at": 1893456000},
        )
        self.assertEqual(self.deliver(undone).state, "done")
        first, second = self.stripe_notes(self.ticket).sorted("id")
        self.assertIn("cancellation scheduled", first.body)
        self.assertIn("Pro monthly (29.00 USD / month)", first.body)
        self.assertIn("01/01/2030", first.body)
        self.assertIn("cancellation undone", second.body)

    def test_plan_change_uses_previous_attributes(self):
        old_items = self.subscription()["items"]
        new = self.subscription()
        new["items"]["data"][0]["price"] = dict(
            old_items["data"][0]["price"],
            id="price_team",
            nickname="Team yearly",
            unit_amount=49000,
            recurring={"interval": "year", "interval_count": 1},
        )
        event = make_event(
            "customer.subscription.updated", new, previous={"items": old_items}
        )
        self.assertEqual(self.deliver(event).state, "done")
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("plan changed", note.body)
        self.assertIn("Team yearly (490.00 USD / year)", note.body)
        self.assertIn("Pro monthly (29.00 USD / month)", note.body)

    def test_unrelated_update_not_noted(self):
        event = make_event(
            "customer.subscription.updated",
            self.subscription(metadata={"helpdesk_ticket_id": "3"}),
            previous={"default_payment_method": "pm_old"},
        )
        record = self.deliver(event)
        self.assertEqual(record.state, "ignored")
        self.assertFalse(self.stripe_notes(self.ticket))

    def test_dashboard_cancel_of_subscription_once_touched_by_odoo(self):
        # Odoo wrote the metadata earlier; this deletion came from the dashboard.
        sub = self.subscription(
            status="canceled",
            ended_at=1893456000,
            metadata={"helpdesk_ticket_id": str(self.ticket.id)},
            cancellation_details={"reason": "cancellation_requested", "comment": "Bye"},
        )
        record = self.deliver(make_event("customer.subscription.deleted", sub))
        self.assertEqual(record.state, "done")
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: subscription canceled", note.body)
        self.assertIn("cancellation requested", note.body)

    def test_cancel_made_from_odoo_not_noted(self):
        sub = self.subscription(status="canceled", ended_at=1893456000)
        event = make_event(
            "customer.subscription.deleted",
            sub,
            request={"id": "req_2", "idempotency_key": "hd-feedbeef"},
        )
        self.assertEqual(self.deliver(event).state, "ignored")
        self.assertFalse(self.stripe_notes(self.ticket))

    def test_only_the_change_a_dialog_made_is_its_echo(self):
        # Events without idempotency key nor metadata (localstripe's): a dialog
        # that scheduled a cancellation explains the update that says so, not
        # a dashboard cancellation two seconds later.
        self.seeder.plan("echo-usd", "Echo", 1000, "usd", nickname="Echo")
        sub = self.seeder.subscribe(self.cus, "echo-usd")
        manager = new_test_user(
            self.env,
            login="hs_echo_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
        )
        action = self.ticket.with_user(manager).action_stripe_cancel_subscription(
            sub["id"]
        )
        dialog = self.env[action["res_model"]].browse(action["res_id"])
        dialog.write({"when": "period_end", "state": "done"})
        scheduled = self.subscription(id=sub["id"], cancel_at_period_end=True)
        echo = make_event(
            "customer.subscription.updated",
            scheduled,
            previous={"cancel_at_period_end": False},
        )
        self.assertEqual(self.deliver(echo).state, "ignored")
        gone = self.subscription(id=sub["id"], status="canceled", ended_at=1893456000)
        record = self.deliver(make_event("customer.subscription.deleted", gone))
        self.assertEqual(record.state, "done", record.message)
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: subscription canceled", note.body)

    # === INVOICES === #

    def invoice(self, **changes):
        invoice = {
            "id": "in_1",
            "object": "invoice",
            "number": "INV-0042",
            "customer": self.cus,
            "currency": "bhd",
            "total": 12345,
            "amount_due": 12345,
            "amount_paid": 0,
            "attempt_count": 2,
            "next_payment_attempt": 1893456000,
            "status": "open",
        }
        invoice.update(changes)
        return invoice

    def test_invoice_payment_failed(self):
        self.deliver(make_event("invoice.payment_failed", self.invoice()))
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: invoice payment failed", note.body)
        self.assertIn("INV-0042", note.body)
        self.assertIn("12.345 BHD", note.body)
        self.assertIn("01/01/2030", note.body)

    def test_invoice_paid_once_for_paid_and_payment_succeeded(self):
        paid = self.invoice(
            status="paid",
            amount_paid=12345,
            status_transitions={"paid_at": 1893456000},
        )
        self.assertEqual(self.deliver(make_event("invoice.paid", paid)).state, "done")
        legacy = self.deliver(make_event("invoice.payment_succeeded", paid))
        self.assertEqual(legacy.state, "ignored")
        [note] = self.stripe_notes(self.ticket)
        self.assertIn("Stripe: invoice paid (12.345 BHD)", note.body)

    # === WHICH TICKETS === #

    def test_most_recent_open_tickets_only(self):
        closed_stage = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        closed = self.linked_ticket(self.cus, stage_id=closed_stage.id)
        others = [self.linked_ticket(self.cus) for _i in range(3)]
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = now() - interval '1 day' "
            "WHERE id = %s",
            [self.ticket.id],
        )
        self.env.invalidate_all()
        record = self.deliver(make_event("invoice.payment_failed", self.invoice()))
        self.assertEqual(set(record.ticket_ids.ids), {t.id for t in others})
        self.assertFalse(self.stripe_notes(self.ticket), "oldest beyond the limit")
        self.assertFalse(self.stripe_notes(closed), "closed tickets are not noted")

    def test_notes_turned_off(self):
        self.company.stripe_event_notes_enabled = False
        record = self.deliver(make_event("invoice.payment_failed", self.invoice()))
        self.assertEqual(record.state, "ignored")
        self.assertFalse(self.stripe_notes(self.ticket))

    def test_unlinked_customer_logged_no_side_effect(self):
        stranger = self.seeded_customer("nobody@example.com", "Nobody")
        event = make_event(
            "invoice.payment_failed", self.invoice(customer=stranger["id"])
        )
        with self.assertLogs(
            "odoo.addons.helpdesk_stripe.models.helpdesk_stripe_event", logging.INFO
        ) as logs:
            record = self.deliver(event)
        self.assertEqual(record.state, "ignored")
        self.assertIn("has no open ticket", record.message)
        self.assertTrue(any(event["id"] in line for line in logs.output))
        self.assertFalse(self.stripe_notes(self.ticket))

    def test_deleted_ticket_no_side_effect(self):
        event = make_event("invoice.payment_failed", self.invoice())
        self.assertEqual(self.receive(event), 200)
        self.ticket.unlink()
        self.process()
        record = self.Event.sudo().search([("event_id", "=", event["id"])])
        self.assertEqual(record.state, "ignored")
        self.assertFalse(record.ticket_ids)

    def test_live_event_for_test_account_ignored(self):
        event = make_event("invoice.payment_failed", self.invoice(), livemode=True)
        record = self.deliver(event)
        self.assertEqual(record.state, "ignored")
        self.assertIn("live", record.message)

    def test_stripe_unreachable_retried_later(self):
        _charge, refund = self.charge_with_refund()
        event = make_event("refund.created", refund)
        self.receive(event)
        self.company.sudo().stripe_api_base = "http://127.0.0.1:9"
        self.process()
        record = self.Event.sudo().search([("event_id", "=", event["id"])])
        self.assertEqual(record.state, "pending")
        self.assertEqual(record.attempts, 1)
        self.assertIn("could not be reached", record.message)
        self.assertGreater(record.next_try, record.received_date)
        # Back online and due: processed.
        self.company.sudo().stripe_api_base = self.localstripe.url
        record.sudo().next_try = record.received_date
        self.process()
        self.assertEqual(record.state, "done")
        self.assertEqual(len(self.stripe_notes(self.ticket)), 1)
