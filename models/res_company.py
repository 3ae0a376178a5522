# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..const import INTERACTIVE_READ_RETRIES, INTERACTIVE_TIMEOUT
from ..stripe_gateway import StripeGateway, StripeGatewayError
from ..stripe_gateway.client import DEFAULT_API_BASE, api_base_is_valid, key_is_valid
from ..utils import stripe_error_message

# Company fields deciding whether the auto-link automation rule runs.
AUTOLINK_AUTOMATION_FIELDS = {"stripe_connected", "stripe_autolink_enabled"}


class ResCompany(models.Model):
    _inherit = "res.company"

    stripe_secret_key = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Secret (sk_) or restricted (rk_) key of this company's Stripe account.",
    )
    stripe_api_base = fields.Char(
        string="Stripe API address",
        groups="base.group_system",
        default=DEFAULT_API_BASE,
        copy=False,
        help="Technical: Stripe's API address. Point it at a local Stripe server "
        "for demos and tests.",
    )
    stripe_connected = fields.Boolean(readonly=True, copy=False)
    stripe_account_id = fields.Char(readonly=True, copy=False)
    stripe_account_name = fields.Char(readonly=True, copy=False)
    stripe_mode = fields.Selection(
        [("test", "Test"), ("live", "Live")], readonly=True, copy=False
    )
    stripe_key_hint = fields.Char(
        readonly=True,
        copy=False,
        help="The key's prefix and last four characters, to recognise it.",
    )
    stripe_refunds_enabled = fields.Boolean(string="Stripe refunds", default=True)
    stripe_cancel_enabled = fields.Boolean(string="Stripe cancellation", default=True)
    stripe_refund_cap = fields.Float(
        string="Refund cap",
        digits=(16, 3),
        help="Largest amount a billing agent may refund at once, read in the "
        "payment's own currency: 100 allows 100 USD on a USD payment and 100 JPY "
        "on a JPY payment. Helpdesk managers are not capped. 0: no cap.",
    )
    stripe_event_notes_enabled = fields.Boolean(
        string="Internal notes for Stripe events", default=True
    )
    stripe_autolink_enabled = fields.Boolean(
        string="Auto-link new tickets to Stripe", default=True
    )
    stripe_link_sets_partner = fields.Boolean(
        string="Remember the Stripe customer on the contact",
        default=True,
        help="Linking a ticket to a Stripe customer also sets the contact's "
        "Stripe customer, so the contact's later tickets link at once.",
    )

    # === CRUD === #

    def write(self, vals):
        if not AUTOLINK_AUTOMATION_FIELDS.intersection(vals):
            return super().write(vals)
        before = self._stripe_autolink_wanted()
        res = super().write(vals)
        after = self._stripe_autolink_wanted()
        if after != before:
            self._stripe_sync_autolink_automation(after)
        return res

    # === AUTO-LINK AUTOMATION === #

    @api.model
    def _stripe_autolink_wanted(self):
        """Whether some company is connected to Stripe with auto-link on."""
        return bool(
            self.sudo().search_count(
                [
                    ("stripe_connected", "=", True),
                    ("stripe_autolink_enabled", "=", True),
                ],
                limit=1,
            )
        )

    @api.model
    def _stripe_sync_autolink_automation(self, active=None):
        """Switch the auto-link automation rule on or off.

        Called when the first company starts using auto-link (connected, with
        the setting on) or the last one stops; an admin's own choice for the
        rule is kept otherwise.

        :param bool active: the rule's new state; by default whether some
            company uses auto-link
        """
        automation = self._stripe_autolink_automation()
        if not automation:
            return
        if active is None:
            active = self._stripe_autolink_wanted()
        if automation.active != active:
            automation.active = active

    @api.model
    def _stripe_autolink_automation(self):
        """The auto-link automation rule (as superuser), archived or not;
        empty when an admin deleted it."""
        automation = self.env.ref(
            "helpdesk_stripe.automation_stripe_autolink", raise_if_not_found=False
        )
        return (automation or self.env["base.automation"]).sudo()

    # === BUSINESS METHODS === #

    def _stripe_check_admin(self):
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only administrators can change the Stripe connection.")
            )

    def _stripe_gateway(self, **kwargs):
        """The gateway for this company's Stripe account.

        :raise UserError: when the company is not connected to Stripe
        """
        self.ensure_one()
        company = self.sudo()
        if not company.stripe_connected or not company.stripe_secret_key:
            raise UserError(
                self.env._(
                    "Stripe is not connected for %(company)s. An administrator "
                    "connects it in Settings > Helpdesk > Stripe.",
                    company=self.name,
                )
            )
        # Writes made through this gateway invalidate the caches of every worker.
        kwargs.setdefault("on_write", self._stripe_cache_on_write)
        return StripeGateway(
            company.stripe_secret_key,
            api_base=company.stripe_api_base or DEFAULT_API_BASE,
            **kwargs,
        )

    def _stripe_connect(self, secret_key, api_base=None):
        """Verify ``secret_key`` against Stripe and store the connection.

        The key format is checked before anything is sent. On any failure
        nothing is written.

        :return: the normalized account
        :raise UserError: with a translated reason
        """
        self.ensure_one()
        self._stripe_check_admin()
        secret_key = (secret_key or "").strip()
        api_base = (api_base or "").strip() or DEFAULT_API_BASE
        if not key_is_valid(secret_key):
            raise UserError(
                stripe_error_message(self.env, StripeGatewayError("invalid_key"))
            )
        if not api_base_is_valid(api_base):
            raise UserError(
                self.env._(
                    "The Stripe API address must be an https:// address without a "
                    "path (or a local server on http://127.0.0.1 or "
                    "http://localhost)."
                )
            )
        try:
            # The admin waits for the answer: short timeouts, one retry.
            account = StripeGateway(
                secret_key,
                api_base=api_base,
                timeout=INTERACTIVE_TIMEOUT * 2,
                read_retries=INTERACTIVE_READ_RETRIES,
            ).get_account()
        except StripeGatewayError as err:
            raise UserError(stripe_error_message(self.env, err)) from err
        self.sudo().write(
            {
                "stripe_secret_key": secret_key,
                "stripe_api_base": api_base,
                "stripe_connected": True,
                "stripe_account_id": account["id"],
                "stripe_account_name": account["name"],
                "stripe_mode": account["mode"],
                "stripe_key_hint": f"{secret_key[:8]}…{secret_key[-4:]}",
            }
        )
        return account

    def _stripe_disconnect(self):
        self._stripe_check_admin()
        self.sudo().write(
            {
                "stripe_secret_key": False,
                "stripe_connected": False,
                "stripe_account_id": False,
                "stripe_account_name": False,
                "stripe_mode": False,
                "stripe_key_hint": False,
            }
        )
