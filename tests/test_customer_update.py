# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import (
    StripeGateway,
    StripeGatewayError,
)
from odoo.addons.helpdesk_stripe.stripe_gateway.client import idempotency_key

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestCustomerUpdate(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.company.stripe_autolink_enabled = False
        cls.us = cls.env.ref("base.us")
        cls.fr = cls.env.ref("base.fr")
        cls.partner = cls.env["res.partner"].create(
            {"name": "Ada", "email": "ada@example.com", "country_id": cls.us.id}
        )
        cls.billing_partner_user = new_test_user(
            cls.env,
            login="hs_billing_contacts",
            groups="helpdesk_mgmt.group_helpdesk_user,"
            "helpdesk_stripe.group_stripe_billing,base.group_partner_manager",
            name="Billing Agent",
        )

    def setUp(self):
        super().setUp()
        self.customer = self.seeder.customer(
            "ada@example.com",
            "Ada Lovelace",
            phone="+14155550101",
            description="Early adopter",
            **{
                "address[line1]": "12 Analytical Row",
                "address[city]": "San Francisco",
                "address[postal_code]": "94107",
                "address[state]": "CA",
                "address[country]": "US",
            },
        )
        self.ticket = self.make_ticket(partner_id=self.partner.id)
        self.ticket._stripe_set_link(self.customer["id"], "email_exact", False)

    def stripe_customer(self):
        return self.seeder.get(f"/v1/customers/{self.customer['id']}")

    def open_wizard(self, user=None):
        ticket = self.ticket.with_user(user or self.helpdesk_manager)
        action = ticket.action_stripe_update_customer()
        self.assertEqual(action["res_model"], "helpdesk.stripe.customer.wizard")
        return ticket.env[action["res_model"]].browse(action["res_id"])

    def notes(self):
        return self.ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note")
        )

    def spy_update(self):
        return patch.object(
            StripeGateway,
            "update_customer",
            autospec=True,
            side_effect=StripeGateway.update_customer,
        )

    # === HAPPY PATHS === #

    def test_prefilled_from_stripe(self):
        wizard = self.open_wizard()
        self.assertEqual(wizard.customer_id, self.customer["id"])
        self.assertEqual(wizard.name, "Ada Lovelace")
        self.assertEqual(wizard.email, "ada@example.com")
        self.assertEqual(wizard.phone, "+14155550101")
        self.assertEqual(wizard.description, "Early adopter")
        self.assertEqual(
            (wizard.line1, wizard.zip, wizard.city, wizard.state_name),
            ("12 Analytical Row", "94107", "San Francisco", "CA"),
        )
        self.assertEqual(wizard.country_id, self.us)

    def test_only_changed_fields_are_sent_and_noted(self):
        wizard = self.open_wizard()
        wizard.write(
            {
                "name": "Ada King",
                "phone": "(415) 555-0199",  # US: the contact's country
                "city": "Oakland",
                "line2": "Suite 5",
            }
        )
        with self.spy_update() as update:
            action = wizard.action_apply()
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        [call] = update.call_args_list
        _gateway, customer_id, params = call.args
        self.assertEqual(customer_id, self.customer["id"])
        self.assertEqual(set(params), {"name", "phone", "address", "metadata"})
        self.assertEqual(params["phone"], "+14155550199", "E.164")
        self.assertEqual(
            params["address"],
            {
                "line1": "12 Analytical Row",
                "line2": "Suite 5",
                "postal_code": "94107",
                "city": "Oakland",
                "state": "CA",
                "country": "US",
            },
        )
        self.assertEqual(
            params["metadata"],
            {
                "helpdesk_ticket_id": str(self.ticket.id),
                "helpdesk_ticket": self.ticket.number,
                "odoo_user": "hs_manager",
            },
        )
        self.assertEqual(
            call.kwargs["idempotency_key"],
            idempotency_key(
                "customer_update",
                self.ticket.id,
                self.customer["id"],
                params,
                wizard.id,
            ),
        )
        stored = self.stripe_customer()
        self.assertEqual(stored["name"], "Ada King")
        self.assertEqual(stored["phone"], "+14155550199")
        self.assertEqual(stored["address"]["city"], "Oakland")
        self.assertEqual(stored["email"], "ada@example.com")
        self.assertEqual(stored["metadata"]["helpdesk_ticket_id"], str(self.ticket.id))
        [note] = self.notes()
        body = str(note.body)
        self.assertIn("updated by Helpdesk Manager", body)
        self.assertIn("<li>Name: Ada Lovelace → Ada King</li>", body)
        self.assertIn("<li>Phone: +14155550101 → +14155550199</li>", body)
        self.assertIn("<li>City: San Francisco → Oakland</li>", body)
        self.assertIn("<li>Address line 2: (empty) → Suite 5</li>", body)
        self.assertNotIn("Email", body)
        self.assertFalse(self.partner.phone, "the contact is left alone")

    def test_country_and_contact_updated_too(self):
        wizard = self.open_wizard(self.billing_partner_user)
        wizard.write(
            {
                "country_id": self.fr.id,
                "state_name": "",
                "zip": "75001",
                "city": "Paris",
                "phone": "01 42 60 00 00",  # the contact is in the US: +33 needed
                "update_partner": True,
            }
        )
        with self.assertRaisesRegex(UserError, "not a valid phone number in United"):
            wizard.action_apply()
        wizard.phone = "+33 1 42 60 00 00"
        wizard.action_apply()
        stored = self.stripe_customer()
        self.assertEqual(stored["address"]["country"], "FR")
        self.assertEqual(stored["address"]["state"], "")
        self.assertEqual(stored["phone"], "+33142600000")
        self.assertEqual(
            (self.partner.country_id, self.partner.city, self.partner.zip),
            (self.fr, "Paris", "75001"),
        )
        self.assertEqual(self.partner.phone, "+33142600000")
        body = str(self.notes()[0].body)
        self.assertIn("<li>Country: US → FR</li>", body)
        self.assertIn("The contact Ada was updated too.", body)

    def test_contact_update_needs_the_right_to_edit_contacts(self):
        wizard = self.open_wizard()  # Helpdesk manager, no "Contact Creation"
        wizard.write({"name": "Ada King", "update_partner": True})
        with self.assertRaises(AccessError):
            wizard.action_apply()
        self.assertEqual(self.stripe_customer()["name"], "Ada Lovelace")
        self.assertFalse(self.notes())

    # === BAD INPUT === #

    def test_invalid_email_and_phone(self):
        wizard = self.open_wizard()
        for field, value, message in (
            ("email", "not-an-email", "not a valid email address"),
            ("email", "ada@example", "not a valid email address"),
            ("phone", "12345", "not a valid phone number"),
            ("phone", "+999 123", "not a valid phone number"),
            ("email", "   ", "email cannot be removed"),
        ):
            wizard.write({"name": "Ada King", field: value})
            with self.assertRaisesRegex(UserError, message):
                wizard.action_apply()
            wizard.write({"email": "ada@example.com", "phone": "+14155550101"})
        stored = self.stripe_customer()
        self.assertEqual(stored["name"], "Ada Lovelace")
        self.assertEqual(stored["email"], "ada@example.com")
        self.assertFalse(self.notes())

    def test_nothing_changed(self):
        wizard = self.open_wizard()
        with self.assertRaisesRegex(UserError, "Nothing was changed"):
            wizard.action_apply()
        wizard.name = " Ada Lovelace "  # same once stripped
        with self.assertRaisesRegex(UserError, "Nothing was changed"):
            wizard.action_apply()

    def test_html_in_names_is_escaped_in_the_note(self):
        wizard = self.open_wizard()
        wizard.name = "<script>alert(1)</script>"
        wizard.action_apply()
        self.assertEqual(self.stripe_customer()["name"], "<script>alert(1)</script>")
        body = str(self.notes()[0].body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        self.assertNotIn("<script>", body)
        wizard = self.open_wizard()
        self.assertEqual(wizard.name, "<script>alert(1)</script>", "plain text")

    def test_customer_deleted_in_stripe(self):
        wizard = self.open_wizard()
        wizard.name = "Ada King"
        self.seeder.request("DELETE", f"/v1/customers/{self.customer['id']}")
        with self.assertRaisesRegex(UserError, "no longer exists in Stripe"):
            wizard.action_apply()
        with self.assertRaisesRegex(UserError, "no longer exists in Stripe"):
            self.open_wizard()
        self.assertFalse(self.notes())

    def test_key_revoked_mid_action(self):
        wizard = self.open_wizard()
        wizard.name = "Ada King"
        self.company.sudo().stripe_secret_key = "rk_test_revokedkey1234"
        with self.assertRaisesRegex(UserError, "refused the API key"):
            wizard.action_apply()
        self.assertFalse(self.notes())
        self.assertEqual(self.stripe_customer()["name"], "Ada Lovelace")

    def test_stripe_refuses_the_write(self):
        cases = [
            (StripeGatewayError("rate_limit", http_status=429), "too many requests"),
            (StripeGatewayError("api", "boom", http_status=503), "could not process"),
            (StripeGatewayError("not_found", http_status=404), "no such object"),
            (
                StripeGatewayError("invalid_request", "Invalid email", http_status=400),
                "refused the request: Invalid email",
            ),
        ]
        wizard = self.open_wizard()
        wizard.name = "Ada King"
        for error, message in cases:

            def update(gateway, customer_id, params, idempotency_key, error=error):
                raise error

            with (
                patch.object(StripeGateway, "update_customer", update),
                self.assertRaisesRegex(UserError, message),
            ):
                wizard.action_apply()
        self.assertFalse(self.notes())
        self.assertEqual(self.stripe_customer()["name"], "Ada Lovelace")
        wizard.action_apply()  # the same dialog still works afterwards
        self.assertEqual(self.stripe_customer()["name"], "Ada King")

    def test_second_submission_is_refused(self):
        wizard = self.open_wizard()
        wizard.name = "Ada King"
        wizard.action_apply()
        with (
            self.spy_update() as update,
            self.assertRaisesRegex(UserError, "already sent"),
        ):
            wizard.action_apply()
        update.assert_not_called()
        self.assertEqual(len(self.notes()), 1)

    # === ACCESS === #

    def test_only_billing_agents_update(self):
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.helpdesk_user).action_stripe_update_customer()
        with self.assertRaises(AccessError):
            self.env["helpdesk.stripe.customer.wizard"].with_user(
                self.helpdesk_user
            ).create({"ticket_id": self.ticket.id, "name": "x"})
        agent = self.ticket.with_user(self.helpdesk_user)
        self.assertFalse(agent.stripe_panel_data()["capabilities"]["update_customer"])
        manager = self.ticket.with_user(self.helpdesk_manager)
        self.assertTrue(manager.stripe_panel_data()["capabilities"]["update_customer"])
        # A billing agent's dialog cannot be applied by someone without the group.
        wizard = self.open_wizard()
        wizard.name = "Ada King"
        self.helpdesk_manager.groups_id = [
            (3, self.env.ref("helpdesk_stripe.group_stripe_billing").id),
            (3, self.env.ref("helpdesk_mgmt.group_helpdesk_manager").id),
            (4, self.env.ref("helpdesk_mgmt.group_helpdesk_user").id),
        ]
        with self.assertRaises(AccessError):
            wizard.action_apply()
        self.assertEqual(self.stripe_customer()["name"], "Ada Lovelace")

    def test_server_action(self):
        action = (
            self.env.ref("helpdesk_stripe.action_server_stripe_update_customer")
            .with_user(self.helpdesk_manager)
            .with_context(
                active_model="helpdesk.ticket",
                active_id=self.ticket.id,
                active_ids=self.ticket.ids,
            )
            .run()
        )
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.name, "Ada Lovelace")
