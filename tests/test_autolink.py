# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY, free_port

from .common import StripeTestMixin

RAW_EMAIL = """Return-Path: <{sender}>
To: support@example.com
From: "Ada Lovelace" <{sender}>
Subject: Charged twice this month
Message-ID: <{message_id}@mail.example.com>
Date: Thu, 03 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hello, I see two charges for my subscription. Can you help?
"""


@tagged("post_install", "-at_install")
class TestAutolink(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()

    def test_exact_email_links_after_the_queue_runs(self):
        customer = self.seeder.customer("ada@example.com", "Ada")
        ticket = self.make_ticket(partner_email="ada@example.com")
        # Creating the ticket only queues it: no Stripe call in the transaction.
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.assertFalse(ticket.stripe_customer_id)
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, customer["id"])
        self.assertEqual(ticket.stripe_link_state, "linked")
        self.assertEqual(ticket.stripe_link_method, "email_exact")
        note = ticket.message_ids.filtered(lambda m: customer["id"] in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_case_insensitive_email(self):
        customer = self.seeder.customer("bob@example.com", "Bob")
        ticket = self.make_ticket(partner_email="Bob@Example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, customer["id"])
        self.assertEqual(ticket.stripe_link_method, "email_ci")

    def test_partner_email_and_reuse_by_later_tickets(self):
        customer = self.seeder.customer("carol@example.com", "Carol")
        partner = self.env["res.partner"].create(
            {"name": "Carol", "email": "carol@example.com"}
        )
        first = self.make_ticket(partner_id=partner.id)
        self.run_autolink()
        self.assertEqual(first.stripe_customer_id, customer["id"])
        self.assertEqual(partner.stripe_customer_id, customer["id"])
        # The next ticket of the contact links at once, without Stripe.
        self.company.sudo().stripe_api_base = f"http://127.0.0.1:{free_port()}"
        second = self.make_ticket(partner_id=partner.id, name="Another question")
        self.assertEqual(second.stripe_customer_id, customer["id"])
        self.assertEqual(second.stripe_link_method, "partner")

    def test_several_customers_share_the_email(self):
        ids = {self.seeder.customer("dup@example.com", n)["id"] for n in ("A", "B")}
        ticket = self.make_ticket(partner_email="dup@example.com")
        self.run_autolink()
        self.assertFalse(ticket.stripe_customer_id)
        self.assertEqual(ticket.stripe_link_state, "ambiguous")
        self.assertEqual(set(ticket.stripe_candidate_ids.split(",")), ids)

    def test_no_customer_and_no_email(self):
        nobody = self.make_ticket(partner_email="nobody@example.com")
        no_email = self.make_ticket(partner_name="Anonymous")
        self.assertEqual(no_email.stripe_link_state, "no_email")
        self.run_autolink()
        self.assertEqual(nobody.stripe_link_state, "not_found")
        self.assertFalse(nobody.stripe_customer_id)

    def test_stripe_down_never_blocks_a_ticket_and_links_later(self):
        customer = self.seeder.customer("eve@example.com", "Eve")
        self.company.sudo().stripe_api_base = f"http://127.0.0.1:{free_port()}"
        ticket = self.make_ticket(partner_email="eve@example.com")
        self.assertTrue(ticket.exists())
        before = fields.Datetime.now()
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.assertEqual(ticket.stripe_link_attempts, 1)
        self.assertIn("could not be reached", ticket.stripe_link_error)
        self.assertGreaterEqual(
            ticket.stripe_link_next_try, before + timedelta(seconds=59)
        )
        # Stripe is back; once the retry is due, the ticket links.
        self.company.sudo().stripe_api_base = self.localstripe.url
        ticket.stripe_link_next_try = fields.Datetime.now()
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, customer["id"])
        self.assertFalse(ticket.stripe_link_error)

    def test_revoked_key_keeps_tickets_queued(self):
        self.seeder.customer("fay@example.com", "Fay")
        self.company.sudo().stripe_secret_key = "rk_test_revokedkey1234"
        ticket = self.make_ticket(partner_email="fay@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.assertIn("refused the API key", ticket.stripe_link_error)

    def test_autolink_off_or_disconnected(self):
        self.seeder.customer("gus@example.com", "Gus")
        self.company.stripe_autolink_enabled = False
        ticket = self.make_ticket(partner_email="gus@example.com")
        self.assertEqual(ticket.stripe_link_state, "none")
        self.company.stripe_autolink_enabled = True
        self.company.sudo()._stripe_disconnect()
        ticket2 = self.make_ticket(partner_email="gus@example.com")
        self.assertEqual(ticket2.stripe_link_state, "none")

    def test_email_change_relinks_an_unlinked_ticket(self):
        customer = self.seeder.customer("hal@example.com", "Hal")
        ticket = self.make_ticket(partner_email="typo@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "not_found")
        ticket.partner_email = "hal@example.com"
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, customer["id"])

    def test_one_lookup_per_email_in_a_batch(self):
        self.seeder.customer("ivy@example.com", "Ivy")
        tickets = self.env["helpdesk.ticket"]
        for index in range(5):
            tickets |= self.make_ticket(
                partner_email="ivy@example.com", name=f"Question {index}"
            )
        gateway_cls = type(self.company._stripe_gateway())
        calls = []
        original = gateway_cls.find_customers_by_email

        def counting(gateway, email, **kwargs):
            calls.append(email)
            return original(gateway, email, **kwargs)

        self.patch(gateway_cls, "find_customers_by_email", counting)
        self.run_autolink()
        self.assertEqual(calls, ["ivy@example.com"])
        self.assertEqual(set(tickets.mapped("stripe_link_state")), {"linked"})

    def test_incoming_email_creates_a_linked_ticket(self):
        customer = self.seeder.customer("ada.mail@example.com", "Ada Lovelace")
        raw = RAW_EMAIL.format(sender="ada.mail@example.com", message_id="m1")
        ticket_id = self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "Charged twice this month")
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, customer["id"])
        self.assertEqual(ticket.stripe_link_method, "email_exact")

    def test_auto_link_follows_the_settings(self):
        settings = self.env["res.config.settings"].create({})
        settings.stripe_autolink_enabled = False
        settings.execute()
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "none"
        )
        settings = self.env["res.config.settings"].create({})
        settings.stripe_autolink_enabled = True
        settings.execute()
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "pending"
        )

    def test_automation_is_editable_and_follows_settings(self):
        automation = self.env.ref("helpdesk_stripe.automation_stripe_autolink")
        self.assertTrue(automation.active)
        self.assertEqual(automation.trigger, "on_create")
        self.assertEqual(
            automation.action_server_ids.code, "records._stripe_enqueue_autolink()"
        )
        # An admin who switches the rule off stops the queueing.
        automation.active = False
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "none"
        )
        automation.active = True
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "pending"
        )
        # An admin may narrow it down, e.g. to one team.
        other_team = self.env["helpdesk.ticket.team"].create({"name": "Sales"})
        automation.filter_domain = repr(
            [("stripe_customer_id", "=", False), ("team_id", "=", self.team.id)]
        )
        self.assertEqual(
            self.make_ticket(
                partner_email="a@b.co", team_id=other_team.id
            ).stripe_link_state,
            "none",
        )
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "pending"
        )
        # The setting drives it: off in every company, the rule is inactive.
        settings = self.env["res.config.settings"].create({})
        settings.stripe_autolink_enabled = False
        settings.execute()
        self.assertFalse(automation.active)

    def test_automation_follows_the_connection(self):
        automation = self.env.ref("helpdesk_stripe.automation_stripe_autolink")
        # However the company is connected or disconnected (Settings, code).
        self.company._stripe_disconnect()
        self.assertFalse(automation.active)
        self.company.write({"stripe_connected": True, "stripe_secret_key": TEST_KEY})
        self.assertTrue(automation.active)
        # An admin's own choice for the rule stands while auto-link's setting
        # does not change.
        automation.active = False
        settings = self.env["res.config.settings"].create({})
        settings.stripe_refunds_enabled = False
        settings.execute()
        self.assertFalse(automation.active)
        self.assertEqual(
            self.make_ticket(partner_email="a@b.co").stripe_link_state, "none"
        )

    def test_contact_change_relinks_an_automatic_link(self):
        first = self.seeder.customer("old@example.com", "Old")
        second = self.seeder.customer("new@example.com", "New")
        ticket = self.make_ticket(partner_email="old@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, first["id"])
        ticket.partner_email = "new@example.com"
        self.assertFalse(ticket.stripe_customer_id)
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.assertIn(first["id"], ticket.message_ids[0].body)
        self.run_autolink()
        self.assertEqual(ticket.stripe_customer_id, second["id"])
        # The same address written again changes nothing.
        ticket.partner_email = "new@example.com"
        self.assertEqual(ticket.stripe_customer_id, second["id"])

    def test_contact_change_keeps_a_link_made_by_hand(self):
        chosen = self.seeder.customer("payer@example.com", "Payer")
        ticket = self.make_ticket(partner_email="someone@example.com")
        ticket._stripe_set_link(chosen["id"], "manual")
        ticket.partner_email = "other@example.com"
        self.assertEqual(ticket.stripe_customer_id, chosen["id"])
        self.assertEqual(ticket.stripe_link_method, "manual")
