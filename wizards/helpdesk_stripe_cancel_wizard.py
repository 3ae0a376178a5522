# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..utils import format_ts_date, stripe_user_errors

ENDED_STATUSES = ("canceled", "incomplete_expired")


class HelpdeskStripeCancelWizard(models.TransientModel):
    """Cancel a Stripe subscription from a ticket, optionally with a refund.

    Cancels now or at the end of the current period, or undoes a cancellation
    scheduled at period end (``is_undo``). The refund (none, the unused part of
    the current period, or the whole last payment) is computed when the dialog
    opens, shown, and made after the cancellation succeeded.
    """

    _name = "helpdesk.stripe.cancel.wizard"
    _inherit = "helpdesk.stripe.action.mixin"
    _description = "Cancel a Stripe subscription"

    subscription_id = fields.Char(required=True, readonly=True)
    subscription_label = fields.Char(string="Plan", readonly=True)
    subscription_status = fields.Char(string="Status", readonly=True)
    period_start = fields.Integer(readonly=True)
    period_end = fields.Integer(readonly=True)
    period_end_display = fields.Char(
        string="Current period ends", compute="_compute_period_display"
    )
    is_undo = fields.Boolean(readonly=True)
    when = fields.Selection(
        [("now", "Immediately"), ("period_end", "At the end of the current period")],
        string="Cancel",
        default="now",
        required=True,
    )
    invoice_now = fields.Boolean(
        string="Invoice pending usage now",
        help="Stripe issues a final invoice for metered usage and prorations.",
    )
    prorate = fields.Boolean(
        string="Credit unused time",
        help="Stripe credits the unused time as a proration on the customer's "
        "balance (not a refund to the card).",
    )
    refunds_allowed = fields.Boolean(readonly=True)
    refund_method = fields.Selection(
        [
            ("none", "No refund"),
            ("prorated", "Unused time of the current period"),
            ("last_payment", "The whole last payment"),
        ],
        default="none",
        required=True,
    )
    refund_invoice_id = fields.Char(readonly=True)
    refund_charge_id = fields.Char(readonly=True)
    last_payment_amount = fields.Integer(readonly=True, help="In minor units.")
    prorated_amount = fields.Integer(readonly=True, help="In minor units.")
    unused_days = fields.Integer(readonly=True)
    period_days = fields.Integer(readonly=True)
    refund_unavailable = fields.Char(readonly=True)
    refund_amount = fields.Integer(compute="_compute_refund_amount")
    refund_amount_display = fields.Char(
        string="Refund", compute="_compute_refund_amount"
    )
    summary = fields.Text(compute="_compute_summary")
    refund_id = fields.Char(string="Stripe refund", readonly=True)
    refund_error = fields.Char(readonly=True)
    refund_uncertain = fields.Boolean(
        readonly=True, help="Stripe did not answer the refund request."
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            ticket = self.env["helpdesk.ticket"].browse(vals.get("ticket_id"))
            if len(ticket) != 1:
                raise UserError(self.env._("Open the cancellation from a ticket."))
            company = ticket._stripe_check_action("cancel")
            gateway = company._stripe_gateway()
            sub = self._stripe_read_subscription(
                ticket, gateway, vals.get("subscription_id")
            )
            self._stripe_check_subscription(sub, vals.get("is_undo"))
            vals.update(
                currency=sub["currency"],
                subscription_label=sub["label"] or sub["id"],
                subscription_status=sub["status"],
                period_start=sub["current_period_start"] or 0,
                period_end=sub["current_period_end"] or 0,
                refunds_allowed=ticket._stripe_can("refund"),
            )
            if not vals.get("is_undo"):
                with stripe_user_errors(self.env):
                    vals.update(self._stripe_refund_plan(gateway, sub))
        return super().create(vals_list)

    @api.depends("period_end")
    def _compute_period_display(self):
        for wizard in self:
            wizard.period_end_display = format_ts_date(self.env, wizard.period_end)

    @api.depends(
        "refund_method", "when", "is_undo", "last_payment_amount", "prorated_amount"
    )
    def _compute_refund_amount(self):
        for wizard in self:
            amount = 0
            if wizard.is_undo or wizard.refund_method == "none":
                amount = 0
            elif wizard.refund_method == "prorated":
                amount = wizard.prorated_amount if wizard.when == "now" else 0
            else:
                amount = wizard.last_payment_amount
            wizard.refund_amount = amount
            wizard.refund_amount_display = wizard._stripe_format(amount)

    @api.depends(
        "when", "invoice_now", "prorate", "refund_method", "refund_amount", "state"
    )
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = " ".join(wizard._stripe_summary())

    # === STRIPE READS AND CHECKS === #

    def _stripe_read_subscription(self, ticket, gateway, subscription_id):
        """The subscription, read now from Stripe, if it is the customer's."""
        if not subscription_id or not isinstance(subscription_id, str):
            raise UserError(self.env._("Choose the subscription to cancel."))
        with stripe_user_errors(self.env):
            sub = gateway.get_subscription(subscription_id)
        if sub["customer_id"] != ticket.stripe_customer_id:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s does not belong to this ticket's Stripe "
                    "customer.",
                    sub=subscription_id,
                )
            )
        return sub

    def _stripe_check_subscription(self, sub, is_undo, when=None):
        if sub["status"] in ENDED_STATUSES:
            raise UserError(
                self.env._("Subscription %(sub)s is already cancelled.", sub=sub["id"])
            )
        if is_undo and not sub["cancel_at_period_end"]:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s has no scheduled cancellation to undo.",
                    sub=sub["id"],
                )
            )
        if not is_undo and when == "period_end" and sub["cancel_at_period_end"]:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s is already set to cancel at the end of "
                    "its period.",
                    sub=sub["id"],
                )
            )

    def _stripe_refund_plan(self, gateway, sub, now=None):
        """What each refund method would give back, from the last paid invoice.

        The prorated part is the unused share of the current period (read on
        the subscription's item) of what the invoice opening that period cost.
        """
        now = now or int(time.time())
        plan = {
            "refund_invoice_id": False,
            "refund_charge_id": False,
            "last_payment_amount": 0,
            "prorated_amount": 0,
            "unused_days": 0,
            "period_days": 0,
            "refund_unavailable": False,
        }
        invoice = gateway.last_paid_invoice(sub["id"])
        if invoice is None:
            plan["refund_unavailable"] = self.env._(
                "No paid invoice for this subscription: there is nothing to refund."
            )
            return plan
        charge_id = gateway.invoice_charge_id(invoice)
        if not charge_id:
            plan["refund_unavailable"] = self.env._(
                "Invoice %(invoice)s was not paid by a payment that can be refunded.",
                invoice=invoice["number"] or invoice["id"],
            )
            return plan
        charge = gateway.get_charge(charge_id)
        refundable = min(invoice["amount_paid"], charge["refundable"])
        plan.update(
            refund_invoice_id=invoice["id"],
            refund_charge_id=charge_id,
            last_payment_amount=refundable,
        )
        if refundable <= 0:
            plan["refund_unavailable"] = self.env._(
                "The last payment, %(charge)s, is already refunded.", charge=charge_id
            )
            return plan
        start, end = sub["current_period_start"], sub["current_period_end"]
        if invoice["id"] == sub["latest_invoice_id"] and start and end and end > start:
            unused = max(0, min(end - now, end - start))
            plan.update(
                prorated_amount=min(
                    refundable, invoice["amount_paid"] * unused // (end - start)
                ),
                unused_days=round(unused / 86400),
                period_days=round((end - start) / 86400),
            )
        return plan
