# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tickets and Stripe events: notes, dispute tickets, company checks."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..utils import ts_to_datetime


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    stripe_dispute_due_date = fields.Datetime(
        string="Dispute evidence due",
        copy=False,
        readonly=True,
        tracking=True,
        help="Stripe's deadline to submit evidence for the customer's dispute.",
    )

    # === ACCESS === #

    def _stripe_check_access(self, operation="read"):
        """Refuse tickets the user may not ``operation``, or of another company.

        Record rules already hide other companies' tickets; this also refuses
        a ticket of a company that is not among the user's active companies,
        whatever the context says, before any Stripe data is read or changed.

        :raise AccessError: when the user may not work on one of the tickets
        """
        self.check_access(operation)
        if self.env.su:
            return
        allowed = self.env.companies & self.env.user.company_ids
        foreign = self.filtered(lambda t: t.company_id not in allowed)
        if foreign:
            raise AccessError(
                self.env._(
                    "You cannot see Stripe data of %(company)s.",
                    company=foreign[0].company_id.name,
                )
            )

    # === STRIPE EVENTS === #

    @api.model
    def _stripe_open_tickets(self, company, customer_id, limit):
        """The customer's open tickets in ``company``, most recent first."""
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("stripe_customer_id", "=", customer_id),
                ("stage_id.closed", "=", False),
            ],
            order="create_date desc, id desc",
            limit=limit,
        )

    def _stripe_post_event_note(self, body):
        """Post a Stripe event's note (already escaped Markup) on the tickets."""
        for ticket in self:
            ticket.message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note"
            )

    def _stripe_set_dispute_deadline(self, due_by):
        """Show the evidence deadline and remind the agent with an activity.

        The activity goes to the ticket's agent, else the team leader; the
        due date is shown on the ticket in any case.
        """
        due = ts_to_datetime(due_by)
        for ticket in self:
            if not due:
                continue
            ticket.stripe_dispute_due_date = due
            user = ticket.user_id or ticket.team_id.user_id
            if user:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=due.date(),
                    summary=self.env._("Submit the dispute evidence in Stripe"),
                    user_id=user.id,
                )

    @api.model
    def _stripe_open_dispute_ticket(self, company, customer_id, info, gateway):
        """Open a ticket for a dispute of a customer who has none open.

        The ticket is linked to the customer, and to the contact that has this
        Stripe customer in ``company`` if any; else it carries the customer's
        name and email from Stripe.

        :raise StripeGatewayError: when the customer cannot be read
        """
        partner = (
            self.env["res.partner"]
            .with_company(company)
            .sudo()
            .search([("stripe_customer_id", "=", customer_id)], limit=1)
        )
        vals = {
            "name": info["ticket_name"],
            "description": info["note"],
            "team_id": company.stripe_dispute_team_id.id,
            "user_id": False,  # in the team's queue, not the cron's user
            "company_id": company.id,
            "stripe_customer_id": customer_id,
            "stripe_link_state": "linked",
            "stripe_link_method": "stripe_event",
        }
        if partner:
            vals.update(
                partner_id=partner.id,
                partner_name=partner.name,
                partner_email=partner.email,
            )
        else:
            customer = gateway.get_customer(customer_id) or {}
            vals.update(
                partner_name=customer.get("name") or customer_id,
                partner_email=customer.get("email") or False,
            )
        ticket = self.with_company(company).sudo().create(vals)
        ticket.message_post(
            body=Markup("%s") % self.env._("Opened from a Stripe dispute."),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        ticket._stripe_set_dispute_deadline(info.get("due_by"))
        return ticket
