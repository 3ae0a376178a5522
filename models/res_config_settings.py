# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # The key is typed here and never read back: it does not reach the browser.
    stripe_secret_key_input = fields.Char(
        string="Stripe secret key",
        groups="base.group_system",
        help="Secret key (sk_test_…, sk_live_…) or restricted key (rk_…) from "
        "Stripe's dashboard, Developers > API keys.",
    )
    # Not a related field: the address is only saved by a successful Connect.
    stripe_api_base = fields.Char(
        string="Stripe API address",
        compute="_compute_stripe_api_base",
        store=True,
        readonly=False,
        groups="base.group_system",
        help="Technical: applied when you click Connect. Stripe's own address, or "
        "a local Stripe server on http://127.0.0.1 for demos and tests.",
    )
    stripe_connected = fields.Boolean(related="company_id.stripe_connected")
    stripe_account_id = fields.Char(related="company_id.stripe_account_id")
    stripe_account_name = fields.Char(related="company_id.stripe_account_name")
    stripe_mode = fields.Selection(related="company_id.stripe_mode")
    stripe_key_hint = fields.Char(related="company_id.stripe_key_hint")
    stripe_refunds_enabled = fields.Boolean(
        related="company_id.stripe_refunds_enabled", readonly=False
    )
    stripe_cancel_enabled = fields.Boolean(
        related="company_id.stripe_cancel_enabled", readonly=False
    )
    stripe_refund_cap = fields.Float(
        related="company_id.stripe_refund_cap", readonly=False
    )
    stripe_event_notes_enabled = fields.Boolean(
        related="company_id.stripe_event_notes_enabled", readonly=False
    )
    stripe_autolink_enabled = fields.Boolean(
        related="company_id.stripe_autolink_enabled", readonly=False
    )
    stripe_link_sets_partner = fields.Boolean(
        related="company_id.stripe_link_sets_partner", readonly=False
    )
    stripe_cache_ttl = fields.Integer(
        related="company_id.stripe_cache_ttl", readonly=False
    )
    stripe_backfill_rate = fields.Float(
        related="company_id.stripe_backfill_rate", readonly=False
    )

    @api.depends("company_id")
    def _compute_stripe_api_base(self):
        for settings in self:
            settings.stripe_api_base = settings.company_id.sudo().stripe_api_base

    def _stripe_forget_typed_key(self):
        """Erase a refused key from this settings row, for good.

        The form saved the row (and the key typed in it) before Connect ran;
        the refusal rolls this transaction back, so the erasure is committed
        on a cursor of its own.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "UPDATE res_config_settings SET stripe_secret_key_input = NULL"
                    " WHERE id IN %s",
                    tuple(self.ids),
                )
            )

    # === ACTION METHODS === #

    def action_stripe_connect(self):
        """Verify the typed key (or the stored one) with Stripe and connect."""
        self.ensure_one()
        company = self.company_id
        key = self.stripe_secret_key_input or company.sudo().stripe_secret_key
        try:
            account = company._stripe_connect(key, self.stripe_api_base)
        except UserError:
            self._stripe_forget_typed_key()
            raise
        company.write(
            {
                "stripe_refunds_enabled": True,
                "stripe_cancel_enabled": True,
                "stripe_event_notes_enabled": True,
                "stripe_autolink_enabled": True,
            }
        )
        self.stripe_secret_key_input = False
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Connected to Stripe"),
                "message": self.env._(
                    "Account %(account)s in %(mode)s mode.",
                    account=account["name"] or account["id"],
                    mode=account["mode"].upper(),
                )
                if account["name"] or account["id"]
                else self.env._(
                    "The key works in %(mode)s mode (this key may not read the "
                    "account's name).",
                    mode=account["mode"].upper(),
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_stripe_disconnect(self):
        self.ensure_one()
        self.company_id._stripe_disconnect()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_stripe_backfill(self):
        """Queue this company's unlinked tickets for linking (in the cron)."""
        self.ensure_one()
        return (
            self.env["helpdesk.ticket"]
            .with_company(self.company_id)
            .action_stripe_backfill()
        )
