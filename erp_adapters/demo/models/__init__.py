"""The demo ERP's tables (app label ``demo_erp``), one module per part of the books.

``core`` holds the shared bases (``TenantRow``, ``LineFields``) and the books the first sections
built; the sections that came later have their own modules, which import ``core`` and nothing
here. Every model is re-exported so ``from erp_adapters.demo.models import X`` keeps working and
Django registers them all. ``DocumentStatus`` is the payment applications' and direct costs' one
(as before the split); prime contracts have their own in ``models.prime_contracts``.
"""

from erp_adapters.demo.models import payapps_direct_costs as _payapps
from erp_adapters.demo.models.core import *  # noqa: F403
from erp_adapters.demo.models.core import _tenant_pk_index, _tenant_unique  # noqa: F401
from erp_adapters.demo.models.payapps_direct_costs import *  # noqa: F403
from erp_adapters.demo.models.prime_contracts import *  # noqa: F403

# Both sections declare a ``DocumentStatus``; the package's stays the payment applications' one.
DocumentStatus = _payapps.DocumentStatus
