from . import test_connection
from . import test_autolink
from . import test_panel
from . import test_tour_panel
from . import test_access_rpc
from . import test_link
from . import test_customer_update
from . import test_invoice_download
