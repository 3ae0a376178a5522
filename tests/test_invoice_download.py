# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.helpdesk_stripe.stripe_gateway import (
    StripeGateway,
    StripeGatewayError,
    shapes,
)

from . import canned
from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestInvoiceDownload(StripeTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.company.stripe_autolink_enabled = False
        cls.pdf_server = canned.PdfServer().start()
        cls.addClassCleanup(cls.pdf_server.stop)
        cls.seeder.plan("pro-monthly", "Pro", 2900, "usd", nickname="Pro monthly")
        cls.customer = cls.seeder.customer("ada@example.com", "Ada Lovelace")
        cls.seeder.card(cls.customer["id"])
        cls.seeder.subscribe(cls.customer["id"], "pro-monthly")
        [cls.real_invoice] = cls.seeder.get(
            "/v1/invoices", customer=cls.customer["id"]
        )["data"]
        cls.partner = cls.env["res.partner"].create(
            {"name": "Ada", "email": "ada@example.com"}
        )
        cls.ticket = cls.make_ticket(partner_id=cls.partner.id)
        cls.ticket._stripe_set_link(cls.customer["id"], "email_exact", False)
        cls.own_user = new_test_user(
            cls.env,
            login="hs_own",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.portal_user = new_test_user(
            cls.env, login="hs_portal", groups="base.group_portal"
        )
        cls.portal_user.partner_id = cls.partner  # their own ticket, even so
        cls.internal_user = new_test_user(
            cls.env, login="hs_internal", groups="base.group_user"
        )

    def url(self, invoice_id, ticket=None):
        return f"/helpdesk_stripe/invoice/{(ticket or self.ticket).id}/{invoice_id}/pdf"

    def canned(self, status="paid", customer_id=None, path="/invoice.pdf"):
        pdf_url = f"{self.pdf_server.url}{path}" if status != "draft" else None
        return canned.invoice_object(
            "in_canned123",
            customer_id or self.customer["id"],
            status=status,
            invoice_pdf=pdf_url,
        )

    def get_as(self, login, invoice, url=None):
        self.authenticate(login, login)

        def get_invoice(gateway, invoice_id):
            self.assertEqual(invoice_id, invoice["id"])
            return invoice

        with patch.object(StripeGateway, "get_invoice", get_invoice):
            return self.url_open(url or self.url(invoice["id"]), allow_redirects=False)

    def assertRefused(self, response, status, text):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        self.assertIn(text, response.text)
        self.assertNotIn("Traceback", response.text)

    # === DOWNLOAD === #

    def test_agents_download_the_pdf(self):
        for login in ("hs_manager", "hs_agent"):
            response = self.get_as(login, self.canned())
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            self.assertEqual(response.content, canned.PDF_BYTES)
            self.assertIn("A1B2C3D4-0001.pdf", response.headers["Content-Disposition"])

    def test_invoice_without_pdf(self):
        self.assertRefused(
            self.get_as("hs_agent", self.canned("draft")), 404, "draft invoices"
        )
        # End to end: localstripe's invoices have no invoice_pdf.
        self.authenticate("hs_agent", "hs_agent")
        response = self.url_open(self.url(self.real_invoice["id"]))
        self.assertRefused(response, 404, "Stripe offers none for this invoice")

    def test_invoice_of_another_customer(self):
        invoice = self.canned(customer_id="cus_someoneelse")
        self.assertRefused(self.get_as("hs_agent", invoice), 404, "does not belong")

    def test_bad_ids(self):
        self.authenticate("hs_agent", "hs_agent")
        response = self.url_open(self.url("in_%3Cscript%3E"))
        self.assertRefused(response, 404, "not a Stripe invoice")
        response = self.url_open("/helpdesk_stripe/invoice/999999999/in_x/pdf")
        self.assertRefused(response, 404, "does not exist")
        unlinked = self.make_ticket(name="No Stripe")
        response = self.url_open(self.url("in_x", unlinked))
        self.assertRefused(response, 404, "not linked to Stripe")

    # === ACCESS === #

    def test_users_without_access_are_refused(self):
        for login in ("hs_own", "hs_portal", "hs_internal"):
            response = self.get_as(login, self.canned())
            self.assertRefused(response, 403, "not allowed")
        self.authenticate(None, None)
        response = self.url_open(self.url("in_canned123"), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    # === STRIPE FAILURES === #

    def test_stripe_failures(self):
        cases = [
            (StripeGatewayError("rate_limit", http_status=429), 429, "too many"),
            (StripeGatewayError("api", "boom", http_status=500), 502, "could not"),
            (StripeGatewayError("not_found", http_status=404), 404, "no such object"),
            (StripeGatewayError("network", "timed out"), 504, "did not answer"),
        ]
        self.authenticate("hs_agent", "hs_agent")
        for error, status, text in cases:

            def get_invoice(gateway, invoice_id, error=error):
                raise error

            with patch.object(StripeGateway, "get_invoice", get_invoice):
                response = self.url_open(self.url("in_canned123"))
            self.assertRefused(response, status, text)
        # The PDF link itself is gone.
        response = self.get_as("hs_agent", self.canned(path="/expired.pdf"))
        self.assertRefused(response, 404, "no such object")

    def test_key_revoked(self):
        self.company.sudo().stripe_secret_key = "rk_test_revokedkey1234"
        self.authenticate("hs_agent", "hs_agent")
        response = self.url_open(self.url(self.real_invoice["id"]))
        self.assertRefused(response, 502, "refused the API key")

    # === PANEL === #

    def test_panel_offers_download_or_says_why_not(self):
        rows = [
            self.canned(),
            self.canned("draft") | {"id": "in_draft1"},
            shapes.normalize_invoice(self.real_invoice),
        ]

        def list_invoices(gateway, customer_id, limit=10, starting_after=None):
            return {"data": rows, "has_more": False, "next_cursor": None}

        with patch.object(StripeGateway, "list_invoices", list_invoices):
            data = self.ticket.with_user(self.helpdesk_user).stripe_panel_data()
        paid, draft, local = data["invoices"]["data"]
        self.assertEqual(paid["download_url"], self.url("in_canned123"))
        self.assertFalse(paid["no_pdf_reason"])
        self.assertFalse(draft["download_url"])
        self.assertIn("draft invoices have none", draft["no_pdf_reason"])
        self.assertFalse(local["download_url"])
        self.assertIn("Stripe offers none", local["no_pdf_reason"])
