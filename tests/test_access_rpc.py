# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestAccessRpc(StripeTestMixin, HttpCase):
    """What a browser can ask for, over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()

    def call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_helpdesk_users_cannot_read_the_key(self):
        for login in ("hs_agent", "hs_manager"):
            self.authenticate(login, login)
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call(
                    "res.company", "read", [[self.company.id], ["stripe_secret_key"]]
                )
            # Reading the whole record simply leaves the protected fields out.
            [values] = self.call("res.company", "read", [[self.company.id]])
            self.assertNotIn("stripe_secret_key", values)
            self.assertNotIn("stripe_api_base", values)
            self.assertNotIn(TEST_KEY, repr(values))
            self.assertTrue(values["stripe_connected"])

    def test_helpdesk_users_cannot_call_private_methods(self):
        self.authenticate("hs_agent", "hs_agent")
        with self.assertRaisesRegex(JsonRpcException, "AccessError|private"):
            self.call("res.company", "_stripe_gateway", [[self.company.id]])

    def test_admin_settings_never_send_the_key(self):
        self.company._stripe_connect(TEST_KEY, self.localstripe.url)
        self.authenticate("admin", "admin")
        fields = ["stripe_secret_key_input", "stripe_key_hint", "stripe_connected"]
        defaults = self.call("res.config.settings", "default_get", [fields])
        self.assertFalse(defaults.get("stripe_secret_key_input"))
        # web_read is what the settings form loads.
        [record_id] = [self.call("res.config.settings", "create", [{}])]
        [values] = self.call(
            "res.config.settings",
            "web_read",
            [[record_id]],
            {"specification": {name: {} for name in fields}},
        )
        self.assertFalse(values["stripe_secret_key_input"])
        self.assertEqual(values["stripe_key_hint"], "sk_test_…0000")
        self.assertTrue(values["stripe_connected"])
        self.assertNotIn(TEST_KEY, repr(values))
