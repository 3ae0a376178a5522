# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the Stripe panel needs for the customer actions: rights, candidates, PDFs."""

from odoo import models
from odoo.exceptions import UserError

from ..const import CANDIDATES_SHOWN
from ..stripe_gateway import StripeGatewayError
from ..utils import format_ts_date, stripe_error_message


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def stripe_panel_data(self, refresh=False):
        """Override of ``stripe_panel_data`` to add the customer actions.

        :return: the panel data plus ``capabilities`` (``link``,
            ``update_customer``: which buttons to show), ``link_method_label``
            and, when several customers share the email, ``candidates_info``
        """
        data = super().stripe_panel_data(refresh=refresh)
        connected = data.get("state") != "not_connected"
        data.setdefault("capabilities", {}).update(
            link=connected and self._stripe_can_link(),
            update_customer=connected
            and data.get("state") == "ok"
            and self._stripe_can_update_customer(),
        )
        methods = dict(
            self._fields["stripe_link_method"]._description_selection(self.env)
        )
        data["link_method_label"] = methods.get(self.stripe_link_method, "")
        if data.get("state") == "ambiguous" and "candidates_info" not in data:
            data.update(self._stripe_panel_candidates(data["candidates"]))
        return data

    def _stripe_panel_candidates(self, candidate_ids):
        """Name, email and creation date of the customers sharing the email."""
        shown = candidate_ids[:CANDIDATES_SHOWN]
        try:
            customers = self._stripe_company_gateway().get_customers(shown)
        except (StripeGatewayError, UserError) as err:
            message = (
                stripe_error_message(self.env, err)
                if isinstance(err, StripeGatewayError)
                else str(err)
            )
            return {
                "candidates_info": [{"id": cid, "deleted": False} for cid in shown],
                "candidates_error": message,
            }
        rows = []
        for cid in shown:
            customer = customers.get(cid)
            rows.append(
                {
                    "id": cid,
                    "deleted": customer is None,
                    "name": customer["name"] if customer else "",
                    "email": customer["email"] if customer else "",
                    "created_display": format_ts_date(self.env, customer["created"])
                    if customer
                    else "",
                }
            )
        return {"candidates_info": rows, "candidates_error": ""}

    def _stripe_panel_invoice(self, invoice):
        """Override to add the download link, or why there is no PDF."""
        row = super()._stripe_panel_invoice(invoice)
        reason = self._stripe_invoice_no_pdf_reason(invoice)
        row["no_pdf_reason"] = reason
        row["download_url"] = (
            "" if reason else f"/helpdesk_stripe/invoice/{self.id}/{invoice['id']}/pdf"
        )
        return row
