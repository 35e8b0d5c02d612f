"""The Procore API client: the only code in the portal that speaks HTTP to Procore.

Services build a :class:`ProcoreClient` from a Connection and catch :class:`ProcoreError`,
whose ``kind`` and ``retryable`` say what to do next (see ``errors.py``).
"""

from integrations.procore.batching import SyncResult
from integrations.procore.client import (
    BulkTriggerResult,
    ErpConnection,
    ErpRequest,
    ProcoreClient,
    RequestDetailClosure,
)
from integrations.procore.errors import (
    ErrorKind,
    PermanentError,
    ProcoreError,
    RetryableError,
    SyncItemError,
    is_retryable,
)
from integrations.procore.transport import RetryPolicy

__all__ = [
    "BulkTriggerResult",
    "ErpConnection",
    "ErpRequest",
    "ErrorKind",
    "PermanentError",
    "ProcoreClient",
    "ProcoreError",
    "RequestDetailClosure",
    "RetryPolicy",
    "RetryableError",
    "SyncItemError",
    "SyncResult",
    "is_retryable",
]
