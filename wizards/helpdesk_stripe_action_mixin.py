# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the Stripe billing dialogs share: keys, metadata, notes, messages."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..stripe_gateway import format_amount, to_minor_units
from ..stripe_gateway.client import idempotency_key
from ..stripe_gateway.money import AmountError
from ..utils import stripe_user_errors

# The metadata key naming the action that made a refund, to find it on retries.
ACTION_KEY_METADATA = "helpdesk_action_key"


class HelpdeskStripeActionMixin(models.AbstractModel):
    _name = "helpdesk.stripe.action.mixin"
    _description = "Stripe billing action on a helpdesk ticket"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    currency = fields.Char(readonly=True)
    currency_code = fields.Char(compute="_compute_currency_code")
    internal_reason = fields.Text(
        help="Why, for your colleagues: kept in the ticket's note and in Stripe.",
    )
    state = fields.Selection(
        [("draft", "To confirm"), ("done", "Done")],
        default="draft",
        readonly=True,
    )

    @api.depends("currency")
    def _compute_currency_code(self):
        for wizard in self:
            wizard.currency_code = (wizard.currency or "").upper()

    # === DIALOG === #

    def _stripe_dialog_action(self, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _stripe_close_action(self):
        """Close the dialog; the panel reloads the ticket (and its chatter)."""
        return {
            "type": "ir.actions.act_window_close",
            "infos": {"helpdesk_stripe_done": True},
        }

    # === CHECKS === #

    def _stripe_internal_reason(self):
        self.ensure_one()
        reason = (self.internal_reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the internal reason: it goes into the ticket's note.")
            )
        return reason

    def _stripe_amount_error(self, err, text, currency):
        """The translated sentence for an amount that cannot be parsed."""
        code = (currency or "").upper()
        if err.code == "empty":
            return self.env._("Enter the amount to refund.")
        if err.code == "not_a_number":
            return self.env._(
                "“%(amount)s” is not an amount: type it like 12.50.", amount=text
            )
        if err.code == "decimal_comma":
            return self.env._(
                "“%(amount)s”: use a dot for decimals, like 10.50 (a comma "
                "separates thousands: 1,200).",
                amount=text,
            )
        if err.code == "negative":
            return self.env._("The amount to refund cannot be negative.")
        if err.code == "zero":
            return self.env._("The amount to refund must be more than zero.")
        if err.exponent == 0:
            return self.env._("%(currency)s amounts have no decimals.", currency=code)
        return self.env._(
            "%(currency)s amounts have at most %(decimals)s decimals.",
            currency=code,
            decimals=err.exponent,
        )

    def _stripe_parse_amount(self, text, currency):
        """Typed major units → minor units, or a ``UserError`` saying why not."""
        try:
            return to_minor_units(text, currency)
        except AmountError as err:
            raise UserError(self._stripe_amount_error(err, text, currency)) from err

    def _stripe_check_customer(self, gateway):
        """Refuse to act for a customer deleted in Stripe."""
        ticket = self.ticket_id
        with stripe_user_errors(self.env):
            customer = gateway.get_customer(ticket.stripe_customer_id)
        if customer is None:
            raise UserError(
                self.env._(
                    "Stripe customer %(customer)s no longer exists in Stripe: "
                    "nothing was done.",
                    customer=ticket.stripe_customer_id,
                )
            )

    # === STRIPE === #

    def _stripe_action_key(self, *parts):
        """The idempotency key of this dialog's action with these parameters.

        The database's uuid keeps two databases on one Stripe account (a
        production and its copy) from sharing keys.
        """
        self.ensure_one()
        db_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return idempotency_key(db_uuid, self._name, self.ticket_id.id, *parts, self.id)

    def _stripe_metadata(self, key, reason):
        """What the Stripe object keeps pointing back to the ticket."""
        ticket = self.ticket_id
        return {
            "helpdesk_ticket_id": ticket.id,
            "helpdesk_ticket_number": ticket.number,
            "odoo_user": self.env.user.login,
            "internal_reason": reason,
            ACTION_KEY_METADATA: key,
        }

    def _stripe_comment(self, reason):
        """A free-text reason for Stripe, naming the ticket and the agent."""
        return (
            f"{reason} (helpdesk ticket {self.ticket_id.number}, {self.env.user.login})"
        )

    # === NOTES === #

    def _stripe_agent(self):
        user = self.env.user
        return f"{user.name} ({user.login})"

    def _stripe_format(self, amount):
        return format_amount(amount, self.currency)

    def _stripe_post_note(self, title, lines):
        """Post an internal note; every value is escaped (it may come from Stripe).

        :param str title: first line, in bold
        :param list lines: plain-text bullet points
        """
        items = Markup().join(Markup("<li>%s</li>") % line for line in lines)
        body = Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (title, items)
        return self.ticket_id._stripe_post_internal_note(body)
