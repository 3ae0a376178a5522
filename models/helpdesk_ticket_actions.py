# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing actions from a ticket: who may act, the ticket lock, the dialogs."""

from decimal import ROUND_DOWN, Decimal

from psycopg2.errors import LockNotAvailable

from odoo import models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..stripe_gateway import currency_exponent, format_amount

BILLING_GROUP = "helpdesk_stripe.group_stripe_billing"
MANAGER_GROUP = "helpdesk_mgmt.group_helpdesk_manager"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # === ACTION METHODS (public: called by the Stripe panel) === #

    def action_stripe_refund(self, charge_id):
        """Open the refund dialog for one of the customer's payments."""
        self.ensure_one()
        wizard = self.env["helpdesk.stripe.refund.wizard"].create(
            {"ticket_id": self.id, "charge_id": charge_id}
        )
        return wizard._stripe_dialog_action(self.env._("Refund a payment"))

    def action_stripe_cancel_subscription(self, subscription_id):
        """Open the cancel dialog for one of the customer's subscriptions."""
        self.ensure_one()
        wizard = self.env["helpdesk.stripe.cancel.wizard"].create(
            {"ticket_id": self.id, "subscription_id": subscription_id}
        )
        return wizard._stripe_dialog_action(self.env._("Cancel a subscription"))

    def action_stripe_undo_cancel(self, subscription_id):
        """Open the dialog undoing a cancellation scheduled at period end."""
        self.ensure_one()
        wizard = self.env["helpdesk.stripe.cancel.wizard"].create(
            {"ticket_id": self.id, "subscription_id": subscription_id, "is_undo": True}
        )
        return wizard._stripe_dialog_action(self.env._("Undo a scheduled cancellation"))

    # === BUSINESS METHODS === #

    def _stripe_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _stripe_is_billing_agent(self):
        return self.env.su or self.env.user.has_group(BILLING_GROUP)

    def _stripe_is_billing_manager(self):
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def _stripe_can(self, action):
        """Whether the current user may ``action`` (``refund``, ``cancel``) here.

        Decides which buttons the panel shows; :meth:`_stripe_check_action`
        enforces the same rules on the server.
        """
        self.ensure_one()
        company = self._stripe_company()
        enabled = {
            "refund": company.stripe_refunds_enabled,
            "cancel": company.stripe_cancel_enabled,
        }[action]
        return bool(
            enabled
            and company.stripe_connected
            and self.stripe_customer_id
            and self._stripe_is_billing_agent()
            and self.has_access("write")
        )

    def _stripe_check_action(self, action):
        """Raise unless the current user may ``action`` on this ticket now.

        :param str action: ``refund`` or ``cancel``
        :return: the ticket's company
        :raise AccessError: without write access or the billing group
        :raise UserError: when the company turned the action off, or the
            ticket has no Stripe customer
        """
        self.ensure_one()
        self.check_access("write")
        if not self._stripe_is_billing_agent():
            raise AccessError(
                self.env._(
                    "Refunds and cancellations in Stripe need the "
                    "“Stripe: billing actions” access right."
                )
            )
        company = self._stripe_company()
        if action == "refund" and not company.stripe_refunds_enabled:
            raise UserError(
                self.env._(
                    "Refunds from tickets are turned off for %(company)s.",
                    company=company.name,
                )
            )
        if action == "cancel" and not company.stripe_cancel_enabled:
            raise UserError(
                self.env._(
                    "Cancelling subscriptions from tickets is turned off for "
                    "%(company)s.",
                    company=company.name,
                )
            )
        if not self.stripe_customer_id:
            raise UserError(self.env._("Link the ticket to a Stripe customer first."))
        return company

    def _stripe_check_refund_cap(self, amount, currency):
        """Refuse a refund above the company's cap, unless a manager makes it.

        The cap is read in the payment's own currency (see ``stripe_refund_cap``).
        """
        self.ensure_one()
        cap = self._stripe_company().stripe_refund_cap
        if cap <= 0 or self._stripe_is_billing_manager():
            return
        cap_minor = int(
            Decimal(str(cap))
            .scaleb(currency_exponent(currency))
            .to_integral_value(rounding=ROUND_DOWN)
        )
        if amount > cap_minor:
            raise UserError(
                self.env._(
                    "You can refund at most %(cap)s at once; %(amount)s needs a "
                    "Helpdesk manager.",
                    cap=format_amount(cap_minor, currency),
                    amount=format_amount(amount, currency),
                )
            )

    def _stripe_lock(self):
        """Lock the tickets' rows until the transaction ends, or fail at once.

        Two agents (or a double click) acting on one ticket run one after the
        other, never side by side.

        :raise UserError: when another transaction holds the lock
        """
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        tuple(self.ids),
                    ),
                    log_exceptions=False,
                )
        except LockNotAvailable as err:
            raise UserError(
                self.env._(
                    "Another agent is acting on ticket %(ticket)s in Stripe right "
                    "now. Wait a moment, reload the ticket and try again.",
                    ticket=", ".join(self.mapped("number")),
                )
            ) from err
