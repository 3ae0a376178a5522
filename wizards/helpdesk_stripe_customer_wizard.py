# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import phonenumbers
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.mail import single_email_re

from ..stripe_gateway.client import idempotency_key
from ..utils import stripe_user_errors

# Stripe customer key -> wizard field; address keys live under "address".
CUSTOMER_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "description": "description",
}
ADDRESS_FIELDS = {
    "line1": "line1",
    "line2": "line2",
    "postal_code": "zip",
    "city": "city",
    "state": "state_name",
    "country": "country_id",
}
# Stripe key -> res.partner field, for "update the contact too".
PARTNER_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "line1": "street",
    "line2": "street2",
    "postal_code": "zip",
    "city": "city",
}


class HelpdeskStripeCustomerWizard(models.TransientModel):
    _name = "helpdesk.stripe.customer.wizard"
    _description = "Update a Stripe customer's details from a ticket"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    customer_id = fields.Char(string="Stripe customer", readonly=True)
    partner_id = fields.Many2one(related="ticket_id.partner_id", string="Contact")
    name = fields.Char()
    email = fields.Char()
    phone = fields.Char(help="Stored in international format (+14155550101).")
    description = fields.Text()
    line1 = fields.Char(string="Address line 1")
    line2 = fields.Char(string="Address line 2")
    zip = fields.Char()
    city = fields.Char()
    state_name = fields.Char(string="State / province")
    country_id = fields.Many2one("res.country")
    update_partner = fields.Boolean(
        string="Update the contact too",
        help="Also write the changed details on the ticket's contact in Odoo.",
    )
    snapshot = fields.Json(help="The details as Stripe had them in the dialog.")
    done = fields.Boolean(readonly=True)

    # === PREFILL === #

    @api.model
    def _stripe_prefill(self, ticket):
        """A dialog for ``ticket``'s customer, filled with what Stripe has.

        :raise UserError: when the ticket is not linked, the customer was
            deleted in Stripe, or Stripe fails
        """
        if not ticket.stripe_customer_id:
            raise UserError(self.env._("This ticket is not linked to Stripe."))
        customer = ticket._stripe_fetch_customer_or_fail()
        address = customer["address"]
        country = self.env["res.country"].search(
            [("code", "=", address["country"].upper())], limit=1
        )
        values = {
            "ticket_id": ticket.id,
            "customer_id": customer["id"],
            "line1": address["line1"],
            "line2": address["line2"],
            "zip": address["postal_code"],
            "city": address["city"],
            "state_name": address["state"],
            "country_id": country.id if address["country"] else False,
        }
        values.update({field: customer[key] for key, field in CUSTOMER_FIELDS.items()})
        wizard = self.create(values)
        wizard.snapshot = wizard._stripe_form_values()
        return wizard

    def _stripe_form_values(self):
        """The dialog's values keyed like Stripe's customer, as stripped text."""
        self.ensure_one()
        values = {
            key: (self[field] or "").strip() for key, field in CUSTOMER_FIELDS.items()
        }
        for key, field in ADDRESS_FIELDS.items():
            if key == "country":
                values[key] = self.country_id.code or ""
            else:
                values[key] = (self[field] or "").strip()
        return values

    # === VALIDATION === #

    def _stripe_clean(self, key, value):
        """``value`` checked and normalized for Stripe; raise when invalid."""
        if key == "email" and not value:
            # Tickets find their Stripe customer by it: a change, not a removal.
            raise UserError(
                self.env._(
                    "The customer's email cannot be removed from here: type the new "
                    "address."
                )
            )
        if key == "email" and not single_email_re.match(value):
            raise UserError(
                self.env._("%(email)s is not a valid email address.", email=value)
            )
        if key == "phone" and value:
            return self._stripe_phone_e164(value)
        return value

    def _stripe_phone_e164(self, value):
        ticket = self.ticket_id
        country = (
            ticket.partner_id.country_id
            or (ticket.company_id or self.env.company).country_id
        )
        region = country.code or None
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            if region and not value.startswith("+"):
                raise UserError(
                    self.env._(
                        "%(phone)s is not a valid phone number in %(country)s. "
                        "Type it with its country code, for example "
                        "+1 415 555 0101.",
                        phone=value,
                        country=country.name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(phone)s is not a valid phone number. Type it with its "
                    "country code, for example +1 415 555 0101.",
                    phone=value,
                )
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    # === ACTION METHODS === #

    def action_apply(self):
        """Send the changed details to Stripe, note them on the ticket.

        Only the fields the agent changed are sent, and only when Stripe does
        not already have them. The write carries an idempotency key derived
        from the ticket, the customer, the changes and this dialog, and
        metadata pointing back to the ticket.
        """
        self.ensure_one()
        ticket = self.ticket_id
        ticket._stripe_check_can_update_customer()
        # A second submission of this dialog waits here, then is refused.
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(self._table),
                self.id,
            )
        )
        self.invalidate_recordset(["done"])
        if self.done:
            raise UserError(self.env._("These changes were already sent to Stripe."))
        # Another agent's dialog on the same ticket waits its turn.
        ticket._stripe_lock()
        snapshot = self.snapshot or {}
        edited = {
            key: self._stripe_clean(key, value)
            for key, value in self._stripe_form_values().items()
            if value != snapshot.get(key, "")
        }
        if not edited:
            raise UserError(self.env._("Nothing was changed."))
        partner = ticket.partner_id
        if self.update_partner:
            if not partner:
                raise UserError(self.env._("The ticket has no contact to update."))
            partner.check_access("write")
        customer = ticket._stripe_fetch_customer_or_fail()
        params, changes = self._stripe_update_params(customer, edited)
        if not params:
            raise UserError(self.env._("Stripe already has these details."))
        params["metadata"] = ticket._stripe_customer_metadata()
        key = idempotency_key(
            "customer_update", ticket.id, customer["id"], params, self.id
        )
        with stripe_user_errors(self.env):
            ticket._stripe_company_gateway().update_customer(
                customer["id"], params, idempotency_key=key
            )
        self.done = True
        partner_note = (
            self._stripe_update_partner(edited) if self.update_partner else ""
        )
        self._stripe_post_update_note(changes, partner_note)
        return {"type": "ir.actions.act_window_close"}

    def _stripe_update_params(self, customer, edited):
        """Stripe's update parameters and ``(label, old, new)`` changes."""
        params, changes = {}, []
        for key in CUSTOMER_FIELDS:
            if key in edited and edited[key] != customer[key]:
                params[key] = edited[key]
                changes.append((self._stripe_label(key), customer[key], edited[key]))
        address = dict(customer["address"])
        for key in ADDRESS_FIELDS:
            if key in edited and edited[key] != address[key]:
                changes.append((self._stripe_label(key), address[key], edited[key]))
                address[key] = edited[key]
        if address != customer["address"]:
            params["address"] = address  # whole, so no part is left behind
        return params, changes

    def _stripe_label(self, key):
        field = CUSTOMER_FIELDS.get(key) or ADDRESS_FIELDS[key]
        return self._fields[field]._description_string(self.env)

    def _stripe_update_partner(self, edited):
        """Write the changes on the contact; a failure is reported, not raised.

        :return: a sentence for the note
        """
        partner = self.ticket_id.partner_id
        values = {
            PARTNER_FIELDS[key]: value or False
            for key, value in edited.items()
            if key in PARTNER_FIELDS and (key != "name" or value)
        }
        if "country" in edited:
            values["country_id"] = self.country_id.id
        if "state" in edited or "country" in edited:
            state = self._stripe_partner_state(edited.get("state", self.state_name))
            if state or "country" in edited:
                values["state_id"] = state.id
        try:
            with self.env.cr.savepoint():
                partner.write(values)
        except UserError as err:  # Stripe is updated already: report, go on
            return self.env._(
                "The contact could not be updated: %(error)s", error=str(err)
            )
        return self.env._(
            "The contact %(partner)s was updated too.", partner=partner.name
        )

    def _stripe_partner_state(self, state_name):
        state_name = (state_name or "").strip()
        if not state_name or not self.country_id:
            return self.env["res.country.state"]
        return self.env["res.country.state"].search(
            [
                ("country_id", "=", self.country_id.id),
                "|",
                ("code", "=ilike", state_name),
                ("name", "=ilike", state_name),
            ],
            limit=1,
        )

    def _stripe_post_update_note(self, changes, partner_note):
        empty = self.env._("(empty)")
        items = Markup("").join(
            Markup("<li>%s: %s → %s</li>") % (label, old or empty, new or empty)
            for label, old, new in changes
        )
        body = (
            self.env._(
                "Stripe customer %(customer)s updated by %(user)s:",
                customer=Markup("<code>%s</code>") % self.customer_id,
                user=self.env.user.name,
            )
            + Markup("<ul>%s</ul>") % items
        )
        if partner_note:
            body += Markup("<p>%s</p>") % partner_note
        self.ticket_id._stripe_post_internal_note(body)
