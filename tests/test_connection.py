# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY, free_port

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestConnection(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.company.sudo()._stripe_disconnect()

    def settings(self, **values):
        return self.env["res.config.settings"].create(values)

    def test_connect_with_valid_key(self):
        settings = self.settings(
            stripe_secret_key_input=TEST_KEY, stripe_api_base=self.localstripe.url
        )
        action = settings.action_stripe_connect()
        company = self.company.sudo()
        self.assertTrue(company.stripe_connected)
        self.assertEqual(company.stripe_secret_key, TEST_KEY)
        self.assertEqual(company.stripe_mode, "test")
        self.assertEqual(company.stripe_key_hint, "sk_test_…0000")
        self.assertEqual(action["params"]["type"], "success")
        # localstripe has no account endpoint: the key is proven, the name unknown.
        self.assertIn("The key works in TEST mode", action["params"]["message"])
        self.assertFalse(settings.stripe_secret_key_input, "typed key is not kept")
        ticket = self.make_ticket(partner_email="new@example.com")
        self.assertEqual(ticket.stripe_link_state, "pending", "auto-link is on")

    def test_invalid_format_refused_before_calling_stripe(self):
        for bad in ("pk_test_abcdefghijk", "sk_test_", "hello", "sk_prod_abcdefghijk"):
            settings = self.settings(
                stripe_secret_key_input=bad,
                stripe_api_base="http://127.0.0.1:9",  # nothing listens there
            )
            with self.assertRaisesRegex(UserError, "not a Stripe secret key"):
                settings.action_stripe_connect()
        self.assertFalse(self.company.stripe_connected)

    def test_key_rejected_by_stripe(self):
        # localstripe refuses every key that is not sk_: a 401 like Stripe's.
        settings = self.settings(
            stripe_secret_key_input="rk_test_revokedkey1234",
            stripe_api_base=self.localstripe.url,
        )
        with self.assertRaisesRegex(UserError, "refused the API key"):
            settings.action_stripe_connect()
        self.assertFalse(self.company.stripe_connected)
        self.assertFalse(self.company.sudo().stripe_secret_key)

    def test_unreachable_stripe(self):
        settings = self.settings(
            stripe_secret_key_input=TEST_KEY,
            stripe_api_base=f"http://127.0.0.1:{free_port()}",
        )
        with self.assertRaisesRegex(UserError, "could not be reached"):
            settings.action_stripe_connect()
        self.assertFalse(self.company.stripe_connected)

    def test_failed_connect_changes_nothing(self):
        self.company._stripe_connect(TEST_KEY, self.localstripe.url)
        for address in ("http://10.1.2.3", "http://127.0.0.1.evil.com", "ftp://x"):
            settings = self.settings(
                stripe_secret_key_input=TEST_KEY, stripe_api_base=address
            )
            with self.assertRaisesRegex(UserError, "must be an https:// address"):
                settings.action_stripe_connect()
        # A wrong address on this machine: refused by "Stripe", nothing saved.
        settings = self.settings(
            stripe_secret_key_input=TEST_KEY,
            stripe_api_base=f"http://127.0.0.1:{free_port()}",
        )
        with self.assertRaises(UserError):
            settings.action_stripe_connect()
        company = self.company.sudo()
        self.assertEqual(company.stripe_api_base, self.localstripe.url)
        self.assertTrue(company.stripe_connected)
        self.assertEqual(company.stripe_secret_key, TEST_KEY)
        # The settings form shows the saved address.
        self.assertEqual(self.settings().stripe_api_base, self.localstripe.url)

    def test_disconnect(self):
        self.company._stripe_connect(TEST_KEY, self.localstripe.url)
        self.settings().action_stripe_disconnect()
        company = self.company.sudo()
        self.assertFalse(company.stripe_connected)
        self.assertFalse(company.stripe_secret_key)
        self.assertFalse(company.stripe_key_hint)
        ticket = self.make_ticket(partner_email="new@example.com")
        self.assertEqual(ticket.stripe_link_state, "none", "auto-link is off")

    def test_key_hidden_from_helpdesk_users(self):
        self.company._stripe_connect(TEST_KEY, self.localstripe.url)
        for user in (self.helpdesk_user, self.helpdesk_manager):
            company = self.company.with_user(user)
            with self.assertRaises(AccessError):
                company.read(["stripe_secret_key"])
            with self.assertRaises(AccessError):
                company.read(["stripe_api_base"])
            # Fields they need stay readable.
            self.assertTrue(company.read(["stripe_connected"])[0]["stripe_connected"])
            with self.assertRaises(AccessError):
                company._stripe_connect(TEST_KEY, self.localstripe.url)

    def test_gateway_requires_connection(self):
        with self.assertRaisesRegex(UserError, "not connected"):
            self.company._stripe_gateway()

    def test_refused_key_is_not_kept_in_the_settings_row(self):
        settings = self.settings(
            stripe_secret_key_input="rk_test_revokedkey1234",
            stripe_api_base=self.localstripe.url,
        )
        self.env.flush_all()
        # The erasure is committed on a cursor of its own (the refusal rolls
        # the request back); in test mode that cursor is this transaction's.
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        try:
            settings.action_stripe_connect()
        except UserError as err:
            self.assertIn("refused the API key", str(err))
        else:
            self.fail("the key was accepted")
        self.env.cr.execute(
            "SELECT stripe_secret_key_input FROM res_config_settings WHERE id = %s",
            [settings.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None,))

    def test_neutralize_blanks_the_key(self):
        self.company._stripe_connect(TEST_KEY, self.localstripe.url)
        [query] = list(get_neutralization_queries(["helpdesk_stripe"]))
        self.env.flush_all()
        self.env.cr.execute(query)
        self.env.invalidate_all()
        company = self.company.sudo()
        self.assertFalse(company.stripe_secret_key)
        self.assertFalse(company.stripe_connected)
