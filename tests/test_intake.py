# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.tools.localstripe_process import free_port

from .common import StripeTestMixin
from .perf_common import clear_caches, count_stripe_calls

EMAILS = 20
BURST = 1000

MAIL = """From: "Buyer Three" <{email}>
To: helpdesk@example.com
Subject: Charged twice
Message-ID: <{msgid}@example.com>
Content-Type: text/plain

I was charged twice this month.
"""


@tagged("post_install", "-at_install")
class TestIntake(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.customers = {
            f"buyer{i}@example.com": cls.seeder.customer(
                f"buyer{i}@example.com", f"Buyer {i}"
            )["id"]
            for i in range(EMAILS)
        }
        cls.cron = cls.env.ref("helpdesk_stripe.ir_cron_stripe_autolink")

    def setUp(self):
        super().setUp()
        clear_caches()
        self.addCleanup(clear_caches)

    def due(self):
        return self.env["helpdesk.ticket"].search_count(
            [
                ("stripe_link_state", "=", "pending"),
                ("stripe_link_next_try", "<=", fields.Datetime.now()),
            ]
        )

    def run_cron_until_done(self, max_runs=20):
        """What the cron worker does: run again while work is due."""
        runs = 0
        while self.due() and runs < max_runs:
            self.run_autolink()
            runs += 1
        return runs

    def test_queueing_never_calls_stripe_and_wakes_the_cron(self):
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()
        with count_stripe_calls() as counter:
            ticket = self.make_ticket(partner_email="buyer1@example.com")
        self.assertEqual(counter.count, 0)
        self.assertEqual(ticket.stripe_link_state, "pending")
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertTrue(trigger, "the cron is woken at once")
        self.assertLessEqual(trigger[0].call_at, fields.Datetime.now())
        self.run_autolink()
        self.assertEqual(
            ticket.stripe_customer_id, self.customers["buyer1@example.com"]
        )

    def test_a_wake_up_a_run_may_have_taken_is_not_relied_on(self):
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        self.make_ticket(partner_email="buyer1@example.com")
        self.make_ticket(partner_email="buyer2@example.com")
        triggers = Trigger.search([("cron_id", "=", self.cron.id)])
        self.assertEqual(len(triggers), 1, "one wake-up for a burst")
        # A run of the cron starts (after that wake-up was made): its snapshot
        # may not see tickets created from now on, so they wake it again.
        triggers.create_date = fields.Datetime.now() - timedelta(seconds=5)
        self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
        self.make_ticket(partner_email="buyer3@example.com")
        self.assertEqual(Trigger.search_count([("cron_id", "=", self.cron.id)]), 2)

    def test_the_cron_counts_tickets_committed_during_its_run(self):
        # The count reads through a cursor of its own: in test mode, one that
        # sees this test's transaction.
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        first = self.make_ticket(partner_email="buyer1@example.com")
        second = self.make_ticket(partner_email="buyer2@example.com")
        Ticket = self.env["helpdesk.ticket"]
        self.assertEqual(first._stripe_due_elsewhere(), 1)
        self.assertEqual((first | second)._stripe_due_elsewhere(), 0)
        self.assertEqual(Ticket._stripe_due_elsewhere(), 2)
        self.run_autolink()
        self.assertEqual(Ticket._stripe_due_elsewhere(), 0)
        # A ticket committed after the run's snapshot, whose creation saw the
        # run's own wake-up still due: the run wakes the cron once more.
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        triggers.unlink()
        self.patch(type(Ticket), "_stripe_due_elsewhere", lambda tickets: 1)
        self.run_autolink()
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        )

    def test_a_new_email_queues_the_ticket_again(self):
        ticket = self.make_ticket(partner_email="nobody@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "not_found")
        ticket.partner_email = "buyer2@example.com"
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.run_autolink()
        self.assertEqual(
            ticket.stripe_customer_id, self.customers["buyer2@example.com"]
        )

    def test_only_companies_with_auto_link_queue(self):
        self.company.stripe_autolink_enabled = False
        ticket = self.make_ticket(partner_email="buyer1@example.com")
        self.assertEqual(ticket.stripe_link_state, "none")
        self.company.stripe_autolink_enabled = True
        partner = self.env["res.partner"].create({"name": "Known", "email": "k@e.com"})
        partner.stripe_customer_id = self.customers["buyer5@example.com"]
        with count_stripe_calls() as counter:
            known = self.make_ticket(partner_id=partner.id)
            no_email = self.make_ticket()
        self.assertEqual(counter.count, 0)
        self.assertEqual(known.stripe_link_method, "partner")
        self.assertEqual(known.stripe_customer_id, self.customers["buyer5@example.com"])
        self.assertEqual(no_email.stripe_link_state, "no_email")

    def test_mail_gateway_ticket_is_looked_up_by_its_address(self):
        email = "buyer3@example.com"
        raw = MAIL.format(email=email, msgid="intake-3")
        ticket_id = self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertIn("Buyer Three", ticket.partner_email, "the From header is kept")
        self.assertEqual(ticket.stripe_link_state, "pending")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "linked")
        self.assertEqual(ticket.stripe_customer_id, self.customers[email])

    def test_lookups_are_cached_between_batches(self):
        first = self.make_ticket(partner_email="buyer4@example.com")
        self.run_autolink()
        second = self.make_ticket(partner_email="buyer4@example.com")
        with count_stripe_calls() as counter:
            self.run_autolink()
        self.assertEqual(counter.count, 0, "looked up a moment ago")
        self.assertEqual(first.stripe_customer_id, second.stripe_customer_id)
        self.company.stripe_cache_ttl = 0
        third = self.make_ticket(partner_email="buyer4@example.com")
        with count_stripe_calls() as counter:
            self.run_autolink()
        self.assertEqual(counter.emails, ["buyer4@example.com"])
        self.assertEqual(third.stripe_link_state, "linked")

    def test_burst_while_stripe_is_down_then_back(self):
        self.company.sudo().stripe_api_base = f"http://127.0.0.1:{free_port()}"
        emails = list(self.customers)
        tickets = self.env["helpdesk.ticket"]
        with count_stripe_calls() as counter:
            for start in range(0, BURST, 100):
                tickets |= self.env["helpdesk.ticket"].create(
                    [
                        {
                            "name": f"Burst {i}",
                            "description": "<p>Help</p>",
                            "team_id": self.team.id,
                            "partner_email": f'"Buyer" <{emails[i % EMAILS]}>',
                        }
                        for i in range(start, start + 100)
                    ]
                )
        self.assertEqual(len(tickets), BURST, "every ticket is created")
        self.assertEqual(counter.count, 0, "creating tickets never calls Stripe")
        self.assertEqual(set(tickets.mapped("stripe_link_state")), {"pending"})

        with count_stripe_calls() as counter:
            self.run_cron_until_done()
        self.assertEqual(counter.count, 1, "Stripe is down: the first failure stops")
        self.assertEqual(self.due(), 0)
        self.assertEqual(set(tickets.mapped("stripe_link_state")), {"pending"})
        self.assertEqual(set(tickets.mapped("stripe_link_attempts")), {1})
        self.assertIn("could not be reached", tickets[0].stripe_link_error)
        retry_at = min(tickets.mapped("stripe_link_next_try"))
        self.assertGreater(retry_at, fields.Datetime.now() + timedelta(seconds=50))

        self.company.sudo().stripe_api_base = self.localstripe.url
        with freeze_time(retry_at + timedelta(seconds=1)), count_stripe_calls() as c:
            runs = self.run_cron_until_done()
        self.assertEqual(sorted(c.emails), sorted(emails), "one lookup per email")
        self.assertLessEqual(runs, 2)
        self.assertEqual(set(tickets.mapped("stripe_link_state")), {"linked"})
        for index, ticket in enumerate(tickets):
            self.assertEqual(
                ticket.stripe_customer_id, self.customers[emails[index % EMAILS]]
            )
