# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..stripe_gateway import from_minor_units
from ..utils import stripe_user_errors
from .helpdesk_stripe_action_mixin import ACTION_KEY_METADATA

STRIPE_REFUND_REASONS = [
    ("none", "None"),
    ("duplicate", "Duplicate"),
    ("fraudulent", "Fraudulent"),
    ("requested_by_customer", "Requested by customer"),
]


class HelpdeskStripeRefundWizard(models.TransientModel):
    """Refund all or part of a Stripe payment from a ticket.

    Opened from a payment of the Stripe panel (``helpdesk.ticket.
    action_stripe_refund``), or created and confirmed from Python::

        wizard = env["helpdesk.stripe.refund.wizard"].create({
            "ticket_id": ticket.id, "charge_id": "ch_…",
            "amount": "12.50", "internal_reason": "Double charge",
        })
        wizard.action_confirm()

    Without ``amount``, what remains refundable is refunded.
    """

    _name = "helpdesk.stripe.refund.wizard"
    _inherit = "helpdesk.stripe.action.mixin"
    _description = "Refund a Stripe payment"

    charge_id = fields.Char(string="Payment", required=True, readonly=True)
    charge_description = fields.Char(readonly=True)
    charge_amount = fields.Integer(readonly=True, help="In minor units.")
    charge_refundable = fields.Integer(readonly=True, help="In minor units.")
    charge_amount_display = fields.Char(
        string="Paid", compute="_compute_displays", readonly=True
    )
    refundable_display = fields.Char(
        string="Still refundable", compute="_compute_displays", readonly=True
    )
    amount = fields.Char(
        string="Amount to refund",
        help="In the payment's currency, e.g. 12.50 (JPY has no decimals, BHD "
        "three). Prefilled with what remains refundable.",
    )
    stripe_reason = fields.Selection(
        STRIPE_REFUND_REASONS,
        string="Reason for Stripe",
        default="none",
        required=True,
        help="Sent to Stripe only when chosen. Fraudulent also blocks the card.",
    )
    summary = fields.Text(compute="_compute_summary")
    refund_id = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            ticket = self.env["helpdesk.ticket"].browse(vals.get("ticket_id"))
            if len(ticket) != 1:
                raise UserError(self.env._("Open the refund from a ticket."))
            company = ticket._stripe_check_action("refund")
            charge = self._stripe_read_charge(
                ticket, company._stripe_gateway(), vals.get("charge_id")
            )
            self._stripe_check_refundable(charge)
            vals.update(
                currency=charge["currency"],
                charge_amount=charge["amount"],
                charge_refundable=charge["refundable"],
                charge_description=charge["description"],
            )
            if not vals.get("amount"):
                vals["amount"] = str(
                    from_minor_units(charge["refundable"], charge["currency"])
                )
        return super().create(vals_list)

    @api.depends("charge_amount", "charge_refundable", "currency")
    def _compute_displays(self):
        for wizard in self:
            wizard.charge_amount_display = wizard._stripe_format(wizard.charge_amount)
            wizard.refundable_display = wizard._stripe_format(wizard.charge_refundable)

    @api.depends("amount", "stripe_reason", "state", "charge_refundable")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = wizard._stripe_summary()

    def _stripe_summary(self):
        self.ensure_one()
        if self.state == "done":
            return self.env._("Refund %(refund)s was made.", refund=self.refund_id)
        try:
            amount = self._stripe_parse_amount(self.amount, self.currency)
        except UserError as err:
            return str(err)
        if amount > self.charge_refundable:
            return self._stripe_too_much(amount, self.charge_refundable)
        reasons = dict(self._fields["stripe_reason"]._description_selection(self.env))
        sentences = [
            self.env._(
                "Stripe will refund %(amount)s of payment %(charge)s to the "
                "customer's original payment method.",
                amount=self._stripe_format(amount),
                charge=self.charge_id,
            ),
            self.env._(
                "Reason sent to Stripe: %(reason)s.",
                reason=reasons[self.stripe_reason],
            )
            if self.stripe_reason != "none"
            else self.env._("No reason is sent to Stripe."),
            self.env._(
                "%(left)s will remain refundable.",
                left=self._stripe_format(self.charge_refundable - amount),
            )
            if amount < self.charge_refundable
            else self.env._("Nothing will remain refundable on this payment."),
            self.env._(
                "An internal note will be posted on ticket %(ticket)s.",
                ticket=self.ticket_id.number,
            ),
        ]
        return " ".join(sentences)

    # === CHECKS === #

    def _stripe_read_charge(self, ticket, gateway, charge_id):
        """The charge, read now from Stripe, if it is the ticket customer's."""
        if not charge_id or not isinstance(charge_id, str):
            raise UserError(self.env._("Choose the payment to refund."))
        with stripe_user_errors(self.env):
            charge = gateway.get_charge(charge_id)
        if charge["customer_id"] != ticket.stripe_customer_id:
            raise UserError(
                self.env._(
                    "Payment %(charge)s does not belong to this ticket's Stripe "
                    "customer.",
                    charge=charge_id,
                )
            )
        return charge

    def _stripe_too_much(self, amount, refundable):
        return self.env._(
            "You can refund at most %(max)s of this payment; %(amount)s is more.",
            max=self._stripe_format(refundable),
            amount=self._stripe_format(amount),
        )

    def _stripe_check_refundable(self, charge, amount=None):
        """Refuse failed, unpaid and fully refunded payments, and too much."""
        ident = charge["id"]
        if charge["status"] == "failed":
            raise UserError(
                self.env._(
                    "Payment %(charge)s failed: there is nothing to refund.",
                    charge=ident,
                )
            )
        if charge["refunded"]:
            raise UserError(
                self.env._(
                    "Payment %(charge)s is already fully refunded.", charge=ident
                )
            )
        if charge["refundable"] <= 0:
            raise UserError(
                self.env._(
                    "Payment %(charge)s is %(status)s: only completed payments "
                    "can be refunded.",
                    charge=ident,
                    status=charge["status"] or "?",
                )
            )
        if amount is not None and amount > charge["refundable"]:
            raise UserError(self._stripe_too_much(amount, charge["refundable"]))

    # === ACTION METHODS === #

    def action_confirm(self):
        """Refund in Stripe, note it on the ticket, close the dialog.

        The charge is read again (what remains refundable may have changed); a
        refund an earlier attempt of this same dialog already made is reused, so
        retries and double clicks never refund twice.
        """
        self.ensure_one()
        if self.state == "done":
            return self._stripe_close_action()
        ticket = self.ticket_id
        company = ticket._stripe_check_action("refund")
        reason = self._stripe_internal_reason()
        self._stripe_parse_amount(self.amount, self.currency)
        ticket._stripe_lock()
        gateway = company._stripe_gateway()
        self._stripe_check_customer(gateway)
        charge = self._stripe_read_charge(ticket, gateway, self.charge_id)
        if self.currency != charge["currency"]:
            # The amount is read, and the note written, in the payment's own
            # currency, whatever the dialog was sent.
            self.currency = charge["currency"]
        amount = self._stripe_parse_amount(self.amount, charge["currency"])
        stripe_reason = self.stripe_reason if self.stripe_reason != "none" else None
        key = self._stripe_action_key(
            "refund", self.charge_id, amount, stripe_reason, reason
        )
        with stripe_user_errors(self.env):
            refund = gateway.find_refund(self.charge_id, ACTION_KEY_METADATA, key)
            if refund is None:
                self._stripe_check_refundable(charge, amount)
                ticket._stripe_check_refund_cap(amount, charge["currency"])
                refund = gateway.create_refund(
                    self.charge_id,
                    amount,
                    key,
                    reason=stripe_reason,
                    metadata=self._stripe_metadata(key, reason),
                )
        self._stripe_post_refund_note(refund, reason)
        self.write({"state": "done", "refund_id": refund["id"]})
        return self._stripe_close_action()

    def _stripe_post_refund_note(self, refund, reason):
        reasons = dict(self._fields["stripe_reason"]._description_selection(self.env))
        amount = self._stripe_format(refund["amount"])
        self._stripe_post_note(
            self.env._(
                "Refunded %(amount)s of Stripe payment %(charge)s",
                amount=amount,
                charge=self.charge_id,
            ),
            [
                self.env._(
                    "Refund: %(refund)s (%(status)s), %(amount)s",
                    refund=refund["id"],
                    status=refund["status"] or "?",
                    amount=amount,
                ),
                self.env._(
                    "Reason for Stripe: %(reason)s",
                    reason=reasons[self.stripe_reason],
                ),
                self.env._("Internal reason: %(reason)s", reason=reason),
                self.env._("By: %(agent)s", agent=self._stripe_agent()),
            ],
        )
