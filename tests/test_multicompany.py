# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY, free_port

from .events_common import OTHER_SECRET, SECRET, StripeEventsMixin, make_event


@tagged("post_install", "-at_install")
class TestMultiCompany(StripeEventsMixin, TransactionCase):
    """Company A is connected to localstripe; company B to another account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.company_b.sudo().write(
            {
                "stripe_secret_key": "sk_test_companyBaccount0000",
                # B's account is somewhere else: unreachable from here.
                "stripe_api_base": f"http://127.0.0.1:{free_port()}",
                "stripe_connected": True,
                "stripe_mode": "test",
                "stripe_webhook_secret": OTHER_SECRET,
                "stripe_event_notes_enabled": True,
            }
        )
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Support B", "company_id": cls.company_b.id}
        )
        both = (cls.company_a | cls.company_b).ids
        cls.env.user.write({"company_ids": [(4, cid) for cid in both]})
        cls.agent_a = new_test_user(
            cls.env,
            login="agent_a",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, [cls.company_a.id])],
        )
        cls.agent_ab = new_test_user(
            cls.env,
            login="agent_ab",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, both)],
        )

    def setUp(self):
        super().setUp()
        self.cus = self.seeded_customer()["id"]
        self.ticket_a = self.linked_ticket(self.cus)
        self.ticket_b = (
            self.env["helpdesk.ticket"]
            .with_company(self.company_b)
            .create(
                {
                    "name": "B's ticket",
                    "description": "<p>B</p>",
                    "team_id": self.team_b.id,
                    "stripe_customer_id": "cus_of_b",
                    "stripe_link_state": "linked",
                }
            )
        )
        self.assertEqual(self.ticket_b.company_id, self.company_b)

    def invoice_failed(self, customer):
        return make_event(
            "invoice.payment_failed",
            {
                "id": f"in_{customer}",
                "object": "invoice",
                "customer": customer,
                "currency": "usd",
                "total": 1000,
                "amount_due": 1000,
                "attempt_count": 1,
            },
        )

    # === EACH COMPANY ITS OWN ACCOUNT AND SECRET === #

    def test_ticket_uses_its_company_account(self):
        env_ab = self.env(
            context={"allowed_company_ids": (self.company_a | self.company_b).ids}
        )
        data_a = self.ticket_a.with_env(env_ab).stripe_panel_data()
        data_b = self.ticket_b.with_env(env_ab).stripe_panel_data()
        self.assertEqual(data_a["state"], "ok")
        self.assertEqual(data_a["customer"]["id"], self.cus)
        # B's key and address are used for B's ticket, whatever the user's company.
        self.assertEqual(data_b["state"], "error")
        self.assertIn("could not be reached", data_b["message"])

    def test_event_signed_with_other_company_secret_refused(self):
        event = self.invoice_failed(self.cus)
        self.assertEqual(self.receive(event, self.company_a, secret=OTHER_SECRET), 400)
        self.assertEqual(self.receive(event, self.company_b, secret=SECRET), 400)
        self.assertFalse(self.Event.sudo().search([("event_id", "=", event["id"])]))

    def test_same_event_id_per_company(self):
        event = self.invoice_failed(self.cus)
        self.assertEqual(self.receive(event, self.company_a), 200)
        self.assertEqual(self.receive(event, self.company_b, secret=OTHER_SECRET), 200)
        self.assertEqual(
            self.Event.sudo().search_count([("event_id", "=", event["id"])]), 2
        )

    def test_events_noted_only_in_their_company(self):
        # B's customer id happens to equal A's: B's event stays in B.
        self.ticket_b.stripe_customer_id = self.cus
        record = self.deliver(self.invoice_failed(self.cus), self.company_b)
        self.assertEqual(record.ticket_ids, self.ticket_b)
        self.assertFalse(self.stripe_notes(self.ticket_a))
        self.assertEqual(len(self.stripe_notes(self.ticket_b)), 1)

    def test_company_toggles_are_separate(self):
        self.company_b.stripe_event_notes_enabled = False
        self.ticket_b.stripe_customer_id = self.cus
        record_b = self.deliver(self.invoice_failed(self.cus), self.company_b)
        self.assertEqual(record_b.state, "ignored")
        record_a = self.deliver(self.invoice_failed(self.cus), self.company_a)
        self.assertEqual(record_a.state, "done")

    # === A USER OF COMPANY A NEVER SEES COMPANY B'S STRIPE DATA === #

    def test_panel_refused_for_other_company_ticket(self):
        ticket_b = self.ticket_b.with_user(self.agent_a)
        with self.assertRaises(AccessError):
            ticket_b.stripe_panel_data()
        with self.assertRaises(AccessError):
            ticket_b.stripe_panel_more("payments", None)
        self.assertEqual(
            self.ticket_a.with_user(self.agent_a).stripe_panel_data()["state"], "ok"
        )

    def test_panel_refused_when_company_not_active(self):
        # Allowed in both companies, working in A only: B's ticket is refused.
        ticket_b = self.ticket_b.with_user(self.agent_ab).with_context(
            allowed_company_ids=[self.company_a.id]
        )
        with self.assertRaises(AccessError):
            ticket_b.stripe_panel_data()
        both = ticket_b.with_context(
            allowed_company_ids=[self.company_a.id, self.company_b.id]
        )
        self.assertEqual(both.stripe_panel_data()["state"], "error")

    def test_events_of_other_company_hidden(self):
        self.deliver(self.invoice_failed(self.cus), self.company_a)
        self.deliver(self.invoice_failed("cus_of_b"), self.company_b)
        Event = self.env["helpdesk.stripe.event"].with_user(self.agent_a)
        visible = Event.search([])
        self.assertTrue(visible)
        self.assertEqual(visible.company_id, self.company_a)
        hidden = self.Event.sudo().search([("company_id", "=", self.company_b.id)])
        with self.assertRaises(AccessError):
            hidden.with_user(self.agent_a).read(["customer_id"])

    def test_agents_never_read_secrets(self):
        company = self.company_b.with_user(self.agent_ab)
        with self.assertRaises(AccessError):
            company.read(["stripe_webhook_secret"])
        with self.assertRaises(AccessError):
            company.read(["stripe_secret_key"])
        event = self.Event.sudo().search([], limit=1) or self.deliver(
            self.invoice_failed(self.cus)
        )
        with self.assertRaises(AccessError):
            event.with_user(self.agent_ab).read(["payload"])

    def test_agents_cannot_retry_events(self):
        record = self.deliver(self.invoice_failed("cus_nobody"))
        with self.assertRaises(AccessError):
            record.with_user(self.agent_a).action_stripe_retry()
        record.with_user(self.env.ref("base.user_admin")).action_stripe_retry()
        self.assertEqual(record.state, "pending")

    def test_secret_key_is_kept_per_company(self):
        self.assertEqual(self.company_a.sudo().stripe_secret_key, TEST_KEY)
        self.assertEqual(
            self.company_b.sudo().stripe_secret_key, "sk_test_companyBaccount0000"
        )
