# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Agent actions on the ticket's Stripe customer: link, unlink, update, invoices."""

import re

from odoo import models
from odoo.exceptions import AccessError, UserError

from ..utils import stripe_user_errors

INVOICE_ID_PATTERN = re.compile(r"^in_[A-Za-z0-9_]{1,250}$")
HELPDESK_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"
BILLING_GROUP = "helpdesk_stripe.group_stripe_billing"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # === ACCESS === #

    def _stripe_can_link(self):
        """True when the user may search Stripe and link this ticket."""
        self.ensure_one()
        return self.env.user.has_group(HELPDESK_GROUP) and self.has_access("write")

    def _stripe_can_update_customer(self):
        """True when the user may change the Stripe customer's details."""
        return self._stripe_can_link() and self.env.user.has_group(BILLING_GROUP)

    def _stripe_check_can_link(self):
        self.ensure_one()
        self.check_access("write")
        if not self.env.user.has_group(HELPDESK_GROUP):
            raise AccessError(
                self.env._("Only helpdesk agents can link tickets to Stripe.")
            )

    def _stripe_check_can_update_customer(self):
        self._stripe_check_can_link()
        if not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(
                self.env._(
                    "Changing a customer's details in Stripe needs the "
                    "'Stripe: billing actions' group."
                )
            )

    def _stripe_company_gateway(self):
        return (self.company_id or self.env.company)._stripe_gateway()

    def _stripe_fetch_customer_or_fail(self):
        """The linked customer as Stripe has it now.

        :raise UserError: when it was deleted in Stripe, or Stripe fails
        """
        self.ensure_one()
        with stripe_user_errors(self.env):
            customer = self._stripe_company_gateway().get_customer(
                self.stripe_customer_id
            )
        if customer is None:
            raise UserError(
                self.env._(
                    "Stripe customer %(customer)s no longer exists in Stripe: it "
                    "was deleted. Link the ticket to another customer.",
                    customer=self.stripe_customer_id,
                )
            )
        return customer

    def _stripe_customer_metadata(self):
        """Metadata for Stripe writes about the customer: back to the ticket."""
        self.ensure_one()
        return {
            "helpdesk_ticket_id": str(self.id),
            "helpdesk_ticket": self.number or "",
            "odoo_user": self.env.user.login,
        }

    # === ACTION METHODS (public: panel buttons and server actions) === #

    def action_stripe_link_wizard(self):
        """Open the dialog that searches Stripe customers and links one."""
        self.ensure_one()
        self._stripe_check_can_link()
        self._stripe_company_gateway()  # fails clearly when not connected
        wizard = self.env["helpdesk.stripe.link.wizard"].create({"ticket_id": self.id})
        wizard._stripe_search_now(raise_errors=False)
        return wizard._reopen()

    def action_stripe_update_customer(self):
        """Open the dialog that changes the linked customer's details."""
        self.ensure_one()
        self._stripe_check_can_update_customer()
        wizard = self.env["helpdesk.stripe.customer.wizard"]._stripe_prefill(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Update the Stripe customer"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def stripe_link_customer(self, customer_id):
        """Link the ticket to ``customer_id`` by hand, replacing any link.

        :param str customer_id: a customer of the company's Stripe account
        :raise UserError: when Stripe has no such customer (deleted, mistyped)
        """
        self.ensure_one()
        self._stripe_check_can_link()
        customer_id = (customer_id or "").strip()
        if not customer_id.startswith("cus_"):
            raise UserError(self.env._("Choose a Stripe customer to link."))
        with stripe_user_errors(self.env):
            customer = self._stripe_company_gateway().get_customer(customer_id)
        if customer is None:
            raise UserError(
                self.env._(
                    "Stripe customer %(customer)s no longer exists in Stripe: "
                    "it was deleted. Search again.",
                    customer=customer_id,
                )
            )
        if customer_id != self.stripe_customer_id:
            self._stripe_set_link(customer_id, "manual", customer=customer)
        return True

    def stripe_unlink_customer(self):
        """Remove the ticket's link to its Stripe customer."""
        self.ensure_one()
        self._stripe_check_can_link()
        if self.stripe_customer_id:
            self._stripe_set_link(False, False)
        return True

    # === INVOICES === #

    def _stripe_invoice_no_pdf_reason(self, invoice):
        """Why the invoice has no PDF to download, or ``""`` when it has one."""
        if invoice["status"] == "draft":
            return self.env._(
                "No PDF: draft invoices have none until they are finalized."
            )
        if not invoice["invoice_pdf"]:
            return self.env._("No PDF: Stripe offers none for this invoice.")
        return ""

    def _stripe_invoice_pdf(self, invoice_id):
        """The PDF of one of the linked customer's invoices.

        :param str invoice_id: the Stripe invoice id (``in_…``)
        :return: ``(content, filename)``
        :raise AccessError: when the user may not read the ticket
        :raise UserError: when the invoice is not the customer's or has no PDF
        :raise StripeGatewayError: when Stripe fails
        """
        self.ensure_one()
        self.check_access("read")
        if not self.env.user.has_group(HELPDESK_GROUP):
            raise AccessError(self.env._("Only helpdesk agents download invoices."))
        if not self.stripe_customer_id:
            raise UserError(self.env._("This ticket is not linked to Stripe."))
        if not INVOICE_ID_PATTERN.match(invoice_id or ""):
            raise UserError(self.env._("This is not a Stripe invoice."))
        gateway = self._stripe_company_gateway()
        invoice = gateway.get_invoice(invoice_id)
        if invoice["customer_id"] != self.stripe_customer_id:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s does not belong to this ticket's "
                    "Stripe customer.",
                    invoice=invoice_id,
                )
            )
        reason = self._stripe_invoice_no_pdf_reason(invoice)
        if reason:
            raise UserError(reason)
        content = gateway.download_invoice_pdf(invoice)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", invoice["number"] or invoice["id"])
        return content, f"{name}.pdf"
