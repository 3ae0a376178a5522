# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shared fixtures: a private localstripe process and a connected company."""

import atexit

from odoo.tests import new_test_user

from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY, LocalStripe
from odoo.addons.helpdesk_stripe.tools.seed_localstripe import Seeder

_LOCALSTRIPE = None


def localstripe():
    """One localstripe process for the whole test run, stopped at exit."""
    global _LOCALSTRIPE
    if _LOCALSTRIPE is None:
        _LOCALSTRIPE = LocalStripe().start()
        atexit.register(_LOCALSTRIPE.stop)
    return _LOCALSTRIPE


class StripeTestMixin:
    """Connects ``cls.env.company`` to a freshly emptied localstripe."""

    @classmethod
    def setup_stripe(cls):
        cls.localstripe = localstripe()
        cls.localstripe.flush()
        cls.seeder = Seeder(cls.localstripe.url, TEST_KEY)
        cls.company = cls.env.company
        cls.company.sudo().write(
            {
                "stripe_secret_key": TEST_KEY,
                "stripe_api_base": cls.localstripe.url,
                "stripe_connected": True,
                "stripe_mode": "test",
                "stripe_autolink_enabled": True,
                "stripe_refunds_enabled": True,
                "stripe_cancel_enabled": True,
                "stripe_event_notes_enabled": True,
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Billing"})
        cls.helpdesk_user = new_test_user(
            cls.env,
            login="hs_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            name="Helpdesk Agent",
        )
        cls.helpdesk_manager = new_test_user(
            cls.env,
            login="hs_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Helpdesk Manager",
        )

    def setUp(self):
        super().setUp()
        # Switching auto-link on or off switches the automation rule, which
        # patches ticket creation in the registry. A test's rollback restores
        # the rule's row but not the registry's patches (in production, a
        # rolled-back request resets the registry): patch it again from what
        # the database says for each test.
        automation = self.env["base.automation"]
        automation._unregister_hook()
        automation._register_hook()
        self.registry.registry_invalidated = False

    @classmethod
    def make_ticket(cls, **values):
        vals = {
            "name": "Where is my refund?",
            "description": "<p>Please help</p>",
            "team_id": cls.team.id,
        }
        vals.update(values)
        return cls.env["helpdesk.ticket"].create(vals)

    def run_autolink(self):
        self.env["helpdesk.ticket"]._cron_stripe_autolink()
