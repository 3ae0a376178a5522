from . import res_company
from . import res_config_settings
from . import res_partner
from . import helpdesk_ticket
from . import helpdesk_ticket_panel
from . import helpdesk_ticket_customer
from . import helpdesk_ticket_panel_customer
from . import helpdesk_ticket_actions
