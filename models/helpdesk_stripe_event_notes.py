# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What each Stripe event says on a ticket: one internal note per event."""

from markupsafe import Markup

from odoo import models

from ..const import METADATA_TICKET_KEY
from ..stripe_gateway import format_amount, shapes
from ..utils import dashboard_url, format_ts_date

_HANDLERS = {
    "charge.refunded": "_stripe_describe_charge_refunded",
    "refund.created": "_stripe_describe_refund_created",
    "customer.subscription.updated": "_stripe_describe_subscription_updated",
    "customer.subscription.deleted": "_stripe_describe_subscription_deleted",
    "invoice.payment_failed": "_stripe_describe_invoice_failed",
    "invoice.paid": "_stripe_describe_invoice_paid",
    "invoice.payment_succeeded": "_stripe_describe_invoice_paid",
    "charge.dispute.created": "_stripe_describe_dispute",
}


class HelpdeskStripeEvent(models.Model):
    _inherit = "helpdesk.stripe.event"

    def _stripe_describe(self, event, gateway):
        """What the event means for the customer's tickets.

        :param dict event: a ``webhooks.parse_event`` result
        :param gateway: the company's ``StripeGateway`` (for follow-up reads)
        :return: a dict with ``customer_id``, ``key`` (one note per key),
            ``note`` (Markup) or ``skip`` (why nothing is noted), and for
            disputes ``due_by``, ``ticket_name`` and ``summary``
        :raise StripeGatewayError: when a follow-up read fails
        """
        return getattr(self, _HANDLERS[event["type"]])(event, gateway)

    # === RENDERING === #

    def _stripe_note(self, title, rows, link=None):
        """An internal note: a title and ``(label, value)`` rows, all escaped."""
        html = Markup("<p><strong>%s</strong></p><ul>") % title
        for label, value in rows:
            if value not in (None, ""):
                html += Markup("<li>%s: %s</li>") % (label, value)
        html += Markup("</ul>")
        if link:
            html += Markup('<p><a href="%s" target="_blank">%s</a></p>') % (
                link,
                self.env._("Open in Stripe"),
            )
        return html

    def _stripe_link(self, path):
        return dashboard_url(self.company_id.sudo().stripe_mode or "test", path)

    def _stripe_date(self, timestamp):
        return format_ts_date(self.env, timestamp)

    @staticmethod
    def _stripe_reason(code):
        return (code or "").replace("_", " ")

    # === REFUNDS === #

    def _stripe_refund_info(self, refund, charge):
        amount = format_amount(refund["amount"], refund["currency"])
        rows = [
            (self.env._("Amount"), amount),
            (
                self.env._("Payment"),
                f"{charge['id']} {charge['description']}".strip(),
            ),
            (self.env._("Reason"), self._stripe_reason(refund["reason"])),
            (self.env._("Status"), refund["status"]),
            (
                self.env._("Refunded in total"),
                self.env._(
                    "%(refunded)s of %(amount)s",
                    refunded=format_amount(
                        charge["amount_refunded"], charge["currency"]
                    ),
                    amount=format_amount(charge["amount"], charge["currency"]),
                ),
            ),
        ]
        return {
            "customer_id": charge["customer_id"],
            "key": f"refund:{refund['id']}",
            "note": self._stripe_note(
                self.env._("Stripe: refund of %(amount)s", amount=amount),
                rows,
                self._stripe_link(f"payments/{charge['id']}"),
            ),
        }

    def _stripe_describe_refund_created(self, event, gateway):
        refund = shapes.normalize_refund(event["object"])
        if not refund["charge_id"]:
            return {"skip": self.env._("The refund names no payment.")}
        return self._stripe_refund_info(refund, gateway.get_charge(refund["charge_id"]))

    def _stripe_describe_charge_refunded(self, event, gateway):
        charge = shapes.normalize_charge(event["object"])
        embedded = shapes._list_data(event["object"].get("refunds"))
        refunds = [shapes.normalize_refund(r) for r in embedded]
        if not refunds:
            refunds = gateway.list_refunds(charge["id"], limit=10)
        if not refunds:
            return {
                "customer_id": charge["customer_id"],
                "skip": self.env._("Stripe lists no refund for this payment."),
            }
        refund = max(refunds, key=lambda r: (r["created"] or 0, r["id"]))
        if METADATA_TICKET_KEY in refund["metadata"]:
            return {
                "customer_id": charge["customer_id"],
                "key": f"refund:{refund['id']}",
                "skip": self.env._("Made from Odoo: the ticket already has its note."),
            }
        return self._stripe_refund_info(refund, charge)

    # === SUBSCRIPTIONS === #

    def _stripe_plan_text(self, sub):
        amount = (
            format_amount(sub["amount"], sub["currency"])
            if sub["amount"] is not None
            else ""
        )
        interval = sub["interval"]
        if interval and sub["interval_count"] > 1:
            interval = f"{sub['interval_count']} {interval}s"
        price = f"{amount} / {interval}" if amount and interval else amount
        label = sub["label"] or sub["id"] or ""
        return f"{label} ({price})" if price else label

    def _stripe_previous_plan(self, event, sub):
        """The subscription before the update, if its plan or items changed."""
        previous = event["previous_attributes"]
        if not {"items", "plan", "quantity"} & set(previous):
            return None
        before = dict(event["object"])
        if "items" in previous:
            before["items"] = previous["items"]
        elif "plan" in previous or "quantity" in previous:  # single-plan API
            items = shapes._list_data(before.get("items"))
            item = dict(items[0]) if items else {}
            if "plan" in previous:
                item["plan"] = previous["plan"]
                item.pop("price", None)
            if "quantity" in previous:
                item["quantity"] = previous["quantity"]
            before["items"] = {"data": [item]}
        old = shapes.normalize_subscription(before)
        return (
            old if self._stripe_plan_text(old) != self._stripe_plan_text(sub) else None
        )

    def _stripe_describe_subscription_updated(self, event, gateway):
        obj, previous = event["object"], event["previous_attributes"]
        sub = shapes.normalize_subscription(obj)
        before_at_end = previous.get(
            "cancel_at_period_end", sub["cancel_at_period_end"]
        )
        before_cancel_at = (
            previous["cancel_at"] if "cancel_at" in previous else obj.get("cancel_at")
        )
        scheduled = sub["cancel_at_period_end"] or bool(sub["cancel_at"])
        was_scheduled = bool(before_at_end) or bool(before_cancel_at)
        ends = sub["cancel_at"] or sub["current_period_end"]
        rows = [(self.env._("Subscription"), self._stripe_plan_text(sub))]
        titles = []
        if scheduled and not was_scheduled:
            titles.append(self.env._("cancellation scheduled"))
            rows.append((self.env._("Ends on"), self._stripe_date(ends)))
        elif was_scheduled and not scheduled:
            titles.append(self.env._("cancellation undone"))
            rows.append((self.env._("Renews on"), self._stripe_date(ends)))
        elif scheduled and before_cancel_at and before_cancel_at != sub["cancel_at"]:
            titles.append(self.env._("cancellation date changed"))
            rows.append((self.env._("Ends on"), self._stripe_date(ends)))
        old = self._stripe_previous_plan(event, sub)
        if old:
            titles.append(self.env._("plan changed"))
            rows.append((self.env._("Previous plan"), self._stripe_plan_text(old)))
        if not titles:
            return {
                "customer_id": sub["customer_id"],
                "skip": self.env._("No cancellation or plan change in this update."),
            }
        title = self.env._(
            "Stripe: subscription %(changes)s", changes=", ".join(titles)
        )
        return {
            "customer_id": sub["customer_id"],
            "note": self._stripe_note(
                title, rows, self._stripe_link(f"subscriptions/{sub['id']}")
            ),
        }

    def _stripe_describe_subscription_deleted(self, event, gateway):
        obj = event["object"]
        sub = shapes.normalize_subscription(obj)
        details = obj.get("cancellation_details") or {}
        rows = [
            (self.env._("Subscription"), self._stripe_plan_text(sub)),
            (
                self.env._("Ended on"),
                self._stripe_date(obj.get("ended_at") or sub["canceled_at"]),
            ),
            (self.env._("Reason"), self._stripe_reason(details.get("reason"))),
            (self.env._("Feedback"), self._stripe_reason(details.get("feedback"))),
            (self.env._("Comment"), details.get("comment")),
        ]
        return {
            "customer_id": sub["customer_id"],
            "key": f"subscription_deleted:{sub['id']}",
            "note": self._stripe_note(
                self.env._("Stripe: subscription canceled"),
                rows,
                self._stripe_link(f"subscriptions/{sub['id']}"),
            ),
        }

    # === INVOICES === #

    def _stripe_invoice_rows(self, invoice):
        return [
            (self.env._("Invoice"), invoice["number"] or invoice["id"]),
            (self.env._("Total"), format_amount(invoice["total"], invoice["currency"])),
        ]

    def _stripe_describe_invoice_failed(self, event, gateway):
        obj = event["object"]
        invoice = shapes.normalize_invoice(obj)
        next_try = obj.get("next_payment_attempt")
        rows = self._stripe_invoice_rows(invoice) + [
            (
                self.env._("Amount due"),
                format_amount(invoice["amount_due"], invoice["currency"]),
            ),
            (self.env._("Attempt"), obj.get("attempt_count")),
            (
                self.env._("Next attempt"),
                self._stripe_date(next_try) if next_try else self.env._("none"),
            ),
        ]
        return {
            "customer_id": invoice["customer_id"],
            "key": f"invoice_failed:{invoice['id']}:{obj.get('attempt_count') or 0}",
            "note": self._stripe_note(
                self.env._("Stripe: invoice payment failed"),
                rows,
                self._stripe_link(f"invoices/{invoice['id']}"),
            ),
        }

    def _stripe_describe_invoice_paid(self, event, gateway):
        invoice = shapes.normalize_invoice(event["object"])
        if not invoice["amount_paid"]:
            return {
                "customer_id": invoice["customer_id"],
                "skip": self.env._("Nothing was paid on this invoice."),
            }
        paid = format_amount(invoice["amount_paid"], invoice["currency"])
        rows = self._stripe_invoice_rows(invoice) + [
            (self.env._("Paid"), paid),
            (self.env._("Paid on"), self._stripe_date(invoice["paid_at"])),
        ]
        return {
            "customer_id": invoice["customer_id"],
            "key": f"invoice_paid:{invoice['id']}",
            "note": self._stripe_note(
                self.env._("Stripe: invoice paid (%(amount)s)", amount=paid),
                rows,
                self._stripe_link(f"invoices/{invoice['id']}"),
            ),
        }

    # === DISPUTES === #

    def _stripe_describe_dispute(self, event, gateway):
        obj = event["object"]
        charge_id = shapes.object_id(obj.get("charge"))
        if not charge_id:
            return {"skip": self.env._("The dispute names no payment.")}
        charge = gateway.get_charge(charge_id)
        amount = format_amount(
            shapes._int(obj.get("amount")), (obj.get("currency") or "").lower()
        )
        due_by = shapes._int((obj.get("evidence_details") or {}).get("due_by"), None)
        reason = self._stripe_reason(obj.get("reason"))
        rows = [
            (self.env._("Amount"), amount),
            (self.env._("Reason"), reason),
            (self.env._("Evidence due by"), self._stripe_date(due_by)),
            (
                self.env._("Payment"),
                f"{charge['id']} {charge['description']}".strip(),
            ),
            (self.env._("Status"), self._stripe_reason(obj.get("status"))),
        ]
        title = self.env._("Stripe: payment disputed (%(amount)s)", amount=amount)
        return {
            "customer_id": charge["customer_id"],
            "key": f"dispute:{obj.get('id')}",
            "due_by": due_by,
            "ticket_name": self.env._(
                "Dispute: %(amount)s (%(reason)s)", amount=amount, reason=reason
            ),
            "note": self._stripe_note(
                title, rows, self._stripe_link(f"payments/{charge['id']}")
            ),
        }
