"""What to do for each ``request_name`` of Procore's events dictionary.

A handler is a function of a :class:`HandlerContext` that does the ERP-side work and returns an
:class:`Outcome`; the ERP request service around it claims, fetches, classifies errors and
closes out the Request Details. Adding an entity means adding a module here, never touching the
machinery. Importing this package registers every handler module.
"""

from integrations.handlers import cost_codes, metadata, vendor_imports, vendors  # noqa: F401
from integrations.handlers.registry import (
    KNOWN_REQUEST_NAMES,
    HandlerContext,
    Outcome,
    handler_for,
    register,
)

__all__ = ["KNOWN_REQUEST_NAMES", "HandlerContext", "Outcome", "handler_for", "register"]
