# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import (
    StripeGateway,
    StripeGatewayError,
)

from . import canned
from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestLink(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.seeder.plan("pro-monthly", "Pro", 2900, "usd", nickname="Pro monthly")
        cls.ada = cls.seeder.customer("ada@example.com", "Ada Lovelace")
        cls.seeder.card(cls.ada["id"])
        cls.seeder.subscribe(cls.ada["id"], "pro-monthly")
        cls.grace = cls.seeder.customer("grace@example.com", "Grace Hopper")
        cls.partner = cls.env["res.partner"].create(
            {"name": "Ada", "email": "ada@example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env, login="hs_portal", groups="base.group_portal"
        )
        cls.internal_user = new_test_user(
            cls.env, login="hs_internal", groups="base.group_user"
        )
        # Tickets stay unlinked unless a test links them (or enables auto-link).
        cls.company.stripe_autolink_enabled = False

    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket(partner_id=self.partner.id)

    def as_agent(self, record):
        return record.with_user(self.helpdesk_user)

    def open_wizard(self, ticket=None, user=None):
        ticket = (ticket or self.ticket).with_user(user or self.helpdesk_user)
        action = ticket.action_stripe_link_wizard()
        self.assertEqual(action["res_model"], "helpdesk.stripe.link.wizard")
        self.assertEqual(action["target"], "new")
        return ticket.env[action["res_model"]].browse(action["res_id"])

    def notes(self, ticket=None):
        return (ticket or self.ticket).message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note")
        )

    # === SEARCH === #

    def test_fallback_to_exact_email_where_search_is_missing(self):
        # localstripe has no Customer Search: a real 404, then email listing.
        wizard = self.open_wizard()
        self.assertEqual(wizard.query, "ada@example.com", "prefilled, searched")
        wizard.query = "ADA@Example.com"
        wizard.action_search()
        self.assertEqual(wizard.search_method, "email")
        self.assertIn("search is not available", wizard.notice)
        [line] = wizard.line_ids
        self.assertEqual(line.customer_id, self.ada["id"])
        self.assertEqual(line.name, "Ada Lovelace")
        self.assertEqual(line.email, "ada@example.com")
        self.assertTrue(line.created)
        self.assertEqual(line.subscription_count, 1)
        self.assertEqual(line.subscription_labels, "Pro monthly (active)")
        self.assertFalse(line.is_current)

        wizard.query = "Grace"
        wizard.action_search()
        self.assertFalse(wizard.line_ids)
        self.assertIn("full email address", wizard.notice)

        wizard.query = "nobody@example.com"
        wizard.action_search()
        self.assertTrue(wizard.searched)
        self.assertFalse(wizard.line_ids)

    def test_customer_search_query_and_results(self):
        many = [
            self.seeder.customer(f"team{n}@example.com", f"Team {n}") for n in range(12)
        ]
        queries = []

        def search(gateway, query, limit=20):
            queries.append((query, limit))
            objects = [
                canned.customer_object(self.ada["id"], "Ada Lovelace", "ada@ex.com")
            ] + [canned.customer_object(c["id"], c["name"], c["email"]) for c in many]
            return canned.search_result(*objects)

        with (
            patch.object(StripeGateway, "search_customers", search),
            patch.object(
                StripeGateway,
                "list_subscriptions",
                autospec=True,
                side_effect=StripeGateway.list_subscriptions,
            ) as subs,
        ):
            wizard = self.open_wizard()
            subs.reset_mock()
            wizard.query = 'Ada "The Countess" \\ L'
            wizard.action_search()
        self.assertEqual(
            queries[-1],
            (
                (
                    'name~"Ada \\"The Countess\\" \\\\ L" OR '
                    'email~"Ada \\"The Countess\\" \\\\ L"'
                ),
                10,
            ),
        )
        self.assertEqual(wizard.search_method, "search")
        self.assertFalse(wizard.notice)
        self.assertEqual(len(wizard.line_ids), 10, "results are bounded")
        self.assertEqual(subs.call_count, 10, "one subscriptions call per result")
        ada_line = wizard.line_ids.filtered(lambda l: l.customer_id == self.ada["id"])
        self.assertEqual(ada_line.subscription_count, 1)

    def test_stripe_failures_while_searching(self):
        cases = [
            (StripeGatewayError("rate_limit", http_status=429), "too many requests"),
            (StripeGatewayError("api", "boom", http_status=500), "could not process"),
            (StripeGatewayError("network", "timeout"), "could not be reached"),
        ]
        for error, message in cases:

            def search(gateway, query, limit=20, error=error):
                raise error

            with patch.object(StripeGateway, "search_customers", search):
                # On opening, the dialog shows the failure rather than failing.
                wizard = self.open_wizard()
                self.assertIn(message, wizard.search_error)
                self.assertFalse(wizard.line_ids)
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_search()

    def test_key_revoked_mid_action(self):
        wizard = self.open_wizard()
        self.assertEqual(len(wizard.line_ids), 1)
        self.company.sudo().stripe_secret_key = "rk_test_revokedkey1234"
        with self.assertRaisesRegex(UserError, "refused the API key"):
            wizard.action_search()
        with self.assertRaisesRegex(UserError, "refused the API key"):
            wizard.line_ids.action_link()
        self.assertFalse(self.ticket.stripe_customer_id)
        self.assertFalse(self.notes())

    def test_search_by_customer_id(self):
        wizard = self.open_wizard()
        wizard.query = f"  {self.grace['id']} "
        wizard.action_search()
        self.assertEqual(wizard.search_method, "id")
        self.assertFalse(wizard.notice)
        [line] = wizard.line_ids
        self.assertEqual(line.customer_id, self.grace["id"])
        self.assertEqual(line.name, "Grace Hopper")
        wizard.query = "cus_doesnotexist42"
        wizard.action_search()
        self.assertTrue(wizard.searched)
        self.assertFalse(wizard.line_ids)

    def test_empty_query(self):
        wizard = self.open_wizard()
        wizard.query = "  "
        with self.assertRaisesRegex(UserError, "Type a name or an email"):
            wizard.action_search()

    # === LINK, REPLACE, UNLINK === #

    def test_link_from_a_result(self):
        wizard = self.open_wizard()
        action = wizard.line_ids.action_link()
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        self.assertEqual(self.ticket.stripe_customer_id, self.ada["id"])
        self.assertEqual(self.ticket.stripe_link_state, "linked")
        self.assertEqual(self.ticket.stripe_link_method, "manual")
        partner = self.partner.with_company(self.company)
        self.assertEqual(partner.stripe_customer_id, self.ada["id"])
        [note] = self.notes()
        self.assertIn("Linked to Stripe customer Ada Lovelace", note.body)
        self.assertIn(f"<code>{self.ada['id']}</code>", note.body)
        self.assertIn("by Helpdesk Agent (By hand)", note.body)
        self.assertEqual(note.author_id, self.helpdesk_user.partner_id)
        data = self.as_agent(self.ticket).stripe_panel_data()
        self.assertEqual(data["state"], "ok")
        self.assertEqual(data["link_method_label"], "By hand")

    def test_replace_then_unlink(self):
        self.ticket._stripe_set_link(self.ada["id"], "email_exact", post_note=False)
        partner = self.partner.with_company(self.company)
        self.assertEqual(partner.stripe_customer_id, self.ada["id"])
        ticket = self.as_agent(self.ticket)
        ticket.stripe_link_customer(self.grace["id"])
        self.assertEqual(ticket.stripe_customer_id, self.grace["id"])
        self.assertEqual(partner.stripe_customer_id, self.grace["id"])
        note = self.notes()[0]
        self.assertIn("Grace Hopper", note.body)
        self.assertIn(
            f"replaces Stripe customer <code>{self.ada['id']}</code>", note.body
        )
        wizard = self.open_wizard()
        wizard.action_unlink()
        self.assertFalse(ticket.stripe_customer_id)
        self.assertEqual(ticket.stripe_link_state, "unlinked")
        self.assertFalse(ticket.stripe_link_method)
        self.assertFalse(partner.stripe_customer_id, "the contact forgets it too")
        self.assertIn(
            f"Unlinked from Stripe customer <code>{self.grace['id']}</code> by "
            "Helpdesk Agent",
            self.notes()[0].body,
        )
        # The panel reloads after the unlink: with auto-link on, it must not
        # link the ticket again by its email (ada@example.com is in Stripe).
        self.company.stripe_autolink_enabled = True
        self.assertEqual(
            self.as_agent(self.ticket).stripe_panel_data(refresh=True)["state"],
            "unlinked_by_agent",
        )
        self.assertFalse(ticket.stripe_customer_id)
        self.env["helpdesk.ticket"].action_stripe_backfill()
        self.assertNotEqual(ticket.stripe_link_state, "pending")

    def test_setting_off_leaves_the_contact_alone(self):
        self.company.stripe_link_sets_partner = False
        self.as_agent(self.ticket).stripe_link_customer(self.ada["id"])
        self.assertEqual(self.ticket.stripe_customer_id, self.ada["id"])
        self.assertFalse(self.partner.with_company(self.company).stripe_customer_id)

    def test_link_to_a_deleted_customer(self):
        gone = self.seeder.customer("gone@example.com", "Gone")
        self.seeder.request("DELETE", f"/v1/customers/{gone['id']}")
        with self.assertRaisesRegex(UserError, "no longer exists in Stripe"):
            self.as_agent(self.ticket).stripe_link_customer(gone["id"])
        with self.assertRaisesRegex(UserError, "Choose a Stripe customer"):
            self.as_agent(self.ticket).stripe_link_customer("<b>x</b>")
        self.assertFalse(self.ticket.stripe_customer_id)
        self.assertFalse(self.notes())

    def test_html_in_names_is_escaped_in_the_note(self):
        evil = self.seeder.customer("evil@example.com", "<script>alert(1)</script>")
        self.as_agent(self.ticket).stripe_link_customer(evil["id"])
        body = str(self.notes()[0].body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        self.assertNotIn("<script>", body)
        self.ticket.partner_email = "evil@example.com"
        wizard = self.open_wizard()
        wizard.query = "evil@example.com"
        wizard.action_search()
        # Plain text in the dialog (the web client escapes Char fields).
        self.assertEqual(wizard.line_ids.name, "<script>alert(1)</script>")

    # === SEVERAL CUSTOMERS ON ONE EMAIL === #

    def test_ambiguous_email_lists_candidates_in_the_panel(self):
        twins = [
            self.seeder.customer("twin@example.com", name)
            for name in ("Dana Scully", "Dana <b>Old</b>")
        ]
        self.company.stripe_autolink_enabled = True
        ticket = self.make_ticket(partner_email="twin@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "ambiguous")
        data = self.as_agent(ticket).stripe_panel_data()
        self.assertEqual(data["state"], "ambiguous")
        self.assertTrue(data["capabilities"]["link"])
        info = {c["id"]: c for c in data["candidates_info"]}
        self.assertEqual(set(info), {t["id"] for t in twins})
        self.assertEqual(info[twins[1]["id"]]["name"], "Dana <b>Old</b>")
        self.assertEqual(info[twins[0]["id"]]["email"], "twin@example.com")
        self.assertTrue(info[twins[0]["id"]]["created_display"])
        self.as_agent(ticket).stripe_link_customer(twins[1]["id"])
        self.assertEqual(ticket.stripe_customer_id, twins[1]["id"])
        self.assertFalse(ticket.stripe_candidate_ids)
        self.assertEqual(ticket.stripe_link_method, "manual")

    def test_badges_for_automatic_links(self):
        self.company.stripe_autolink_enabled = True
        exact = self.make_ticket(partner_email="grace@example.com")
        ci = self.make_ticket(partner_email="GRACE@example.com")
        self.run_autolink()
        labels = {
            t: self.as_agent(t).stripe_panel_data()["link_method_label"]
            for t in (exact, ci)
        }
        self.assertEqual(labels, {exact: "Exact email", ci: "Case-insensitive email"})

    # === ACCESS === #

    def test_access(self):
        capabilities = self.as_agent(self.ticket).stripe_panel_data()["capabilities"]
        self.assertTrue(capabilities["link"])
        self.assertFalse(capabilities["update_customer"])
        manager = self.ticket.with_user(self.helpdesk_manager)
        capabilities = manager.stripe_panel_data()["capabilities"]
        self.assertTrue(capabilities["link"])
        self.assertFalse(capabilities["update_customer"], "nothing linked to update")
        for user in (self.portal_user, self.internal_user):
            ticket = self.ticket.with_user(user)
            with self.assertRaises(AccessError):
                ticket.action_stripe_link_wizard()
            with self.assertRaises(AccessError):
                ticket.stripe_link_customer(self.ada["id"])
            with self.assertRaises(AccessError):
                ticket.stripe_unlink_customer()
        self.assertFalse(self.ticket.stripe_customer_id)

    def test_server_action_opens_the_dialog(self):
        action = (
            self.env.ref("helpdesk_stripe.action_server_stripe_link")
            .with_user(self.helpdesk_user)
            .with_context(
                active_model="helpdesk.ticket",
                active_id=self.ticket.id,
                active_ids=self.ticket.ids,
            )
            .run()
        )
        self.assertEqual(action["res_model"], "helpdesk.stripe.link.wizard")
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.ticket_id, self.ticket)
        self.assertEqual(wizard.line_ids.customer_id, self.ada["id"])
