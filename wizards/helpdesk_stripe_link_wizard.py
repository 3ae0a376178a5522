# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import ACTIVE_SUBSCRIPTION_STATUSES, CUSTOMER_SEARCH_LIMIT
from ..stripe_gateway import StripeGatewayError
from ..stripe_gateway.client import SEARCH_UNAVAILABLE, customer_search_query
from ..utils import stripe_error_message, ts_to_datetime

# What a Stripe customer ID looks like (typed or pasted into the search).
CUSTOMER_ID_PATTERN = re.compile(r"^cus_[A-Za-z0-9]{4,64}$")


class HelpdeskStripeLinkWizard(models.TransientModel):
    _name = "helpdesk.stripe.link.wizard"
    _description = "Search Stripe customers and link one to a ticket"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    current_customer_id = fields.Char(
        related="ticket_id.stripe_customer_id", string="Linked to"
    )
    query = fields.Char(
        string="Name, email or customer ID",
        help="Part of the customer's name or email, or a customer ID (cus_…). "
        "Where Stripe's customer search is not available, the full email address "
        "or the customer ID.",
    )
    search_method = fields.Selection(
        [
            ("search", "Customer Search"),
            ("email", "Exact email"),
            ("id", "Customer ID"),
        ],
        readonly=True,
    )
    searched = fields.Boolean(readonly=True)
    notice = fields.Char(readonly=True)
    search_error = fields.Char(readonly=True)
    line_ids = fields.One2many(
        "helpdesk.stripe.link.wizard.line", "wizard_id", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for wizard in records.filtered(lambda w: not w.query):
            wizard.query = wizard.ticket_id._stripe_email()
        return records

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Search / change Stripe customer"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # === ACTION METHODS === #

    def action_search(self):
        """Search Stripe for the typed name or email; the dialog stays open."""
        self.ensure_one()
        self._stripe_search_now(raise_errors=True)
        return self._reopen()

    def action_unlink(self):
        self.ensure_one()
        self.ticket_id.stripe_unlink_customer()
        return {"type": "ir.actions.act_window_close"}

    # === SEARCH === #

    def _stripe_search_now(self, raise_errors):
        """Fill the result lines for ``query``.

        :param bool raise_errors: raise Stripe failures as ``UserError``
            (a click on Search) rather than showing them in the dialog
        """
        self.ensure_one()
        self.ticket_id._stripe_check_can_link()
        query = (self.query or "").strip()
        if not query:
            if raise_errors:
                raise UserError(self.env._("Type a name or an email to search."))
            return
        gateway = self.ticket_id._stripe_company_gateway()
        try:
            method, customers, notice = self._stripe_find(gateway, query)
            customers = customers[:CUSTOMER_SEARCH_LIMIT]
            subscriptions = gateway.list_subscriptions_many(
                [c["id"] for c in customers]
            )
        except StripeGatewayError as err:
            message = stripe_error_message(self.env, err)
            if raise_errors:
                raise UserError(message) from err
            self.line_ids.unlink()
            self.write({"searched": False, "notice": False, "search_error": message})
            return
        current = self.ticket_id.stripe_customer_id
        lines = []
        for customer in customers:
            active = [
                s
                for s in subscriptions.get(customer["id"], [])
                if s["status"] in ACTIVE_SUBSCRIPTION_STATUSES
            ]
            labels = [f"{s['label'] or s['id']} ({s['status']})" for s in active]
            lines.append(
                {
                    "wizard_id": self.id,
                    "customer_id": customer["id"],
                    "name": customer["name"],
                    "email": customer["email"],
                    "created": ts_to_datetime(customer["created"]),
                    "subscription_count": len(active),
                    "subscription_labels": ", ".join(labels),
                    "is_current": customer["id"] == current,
                }
            )
        self.line_ids.unlink()
        self.env["helpdesk.stripe.link.wizard.line"].create(lines)
        self.write(
            {
                "searched": True,
                "search_method": method,
                "notice": notice,
                "search_error": False,
            }
        )

    def _stripe_find(self, gateway, query):
        """Customers for ``query``: Customer Search, else exact email listing.

        :return: ``(method, customers, notice)``
        """
        if CUSTOMER_ID_PATTERN.match(query):
            customer = gateway.get_customer(query)
            return "id", [customer] if customer else [], ""
        try:
            found = gateway.search_customers(
                customer_search_query(query), limit=CUSTOMER_SEARCH_LIMIT
            )
            return "search", found, ""
        except StripeGatewayError as err:
            if err.kind not in SEARCH_UNAVAILABLE:
                raise
        notice = self.env._(
            "Stripe's customer search is not available for this account (local "
            "Stripe servers and some regions lack it): only customers whose email "
            "is exactly the one typed are listed."
        )
        if "@" not in query:
            return (
                "email",
                [],
                notice + " " + self.env._("Type the customer's full email address."),
            )
        found = {c["id"]: c for c in gateway.list_customers_by_email(query)}
        if query.lower() != query:
            for customer in gateway.list_customers_by_email(query.lower()):
                found.setdefault(customer["id"], customer)
        return "email", list(found.values()), notice


class HelpdeskStripeLinkWizardLine(models.TransientModel):
    _name = "helpdesk.stripe.link.wizard.line"
    _description = "Stripe customer found by the link dialog"
    _order = "is_current desc, id"

    wizard_id = fields.Many2one(
        "helpdesk.stripe.link.wizard", required=True, ondelete="cascade"
    )
    customer_id = fields.Char(string="Stripe id", readonly=True)
    name = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    created = fields.Datetime(string="Customer since", readonly=True)
    subscription_count = fields.Integer(string="Active subscriptions", readonly=True)
    subscription_labels = fields.Char(string="Subscriptions", readonly=True)
    is_current = fields.Boolean(string="Linked now", readonly=True)

    def action_link(self):
        """Link the ticket to this customer (replacing any link) and close."""
        self.ensure_one()
        self.wizard_id.ticket_id.stripe_link_customer(self.customer_id)
        return {"type": "ir.actions.act_window_close"}
