"""A commitment's status as an ERP writes it (a free text column, a CSV cell), read the same way
by the adapters that do not keep their own state machine (``sql``, ``files``).

Procore needs two answers from it: whether the document still binds anyone (``unlink_commitment``
unsyncs only one that is void or gone; ``DocumentState``), and which of Procore's commitment
statuses to stage it with. ERPs spell statuses their own way, so the words are matched without
case, and a word nobody listed counts as open (live): refusing an unlink by mistake is undone by
voiding the document in the ERP, unlinking one that still binds money is not.
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import DocumentState

# What ERPs write for a cancelled document, and for one that is signed and binding.
VOID_WORDS = frozenset({"void", "voided", "cancelled", "canceled"})
APPROVED_WORDS = frozenset({"approved", "executed", "complete", "completed", "closed"})
# Procore's commitment statuses, as Procore spells them.
PROCORE_STATUSES = {
    status.lower(): status
    for status in (
        "Draft",
        "Out For Bid",
        "Out For Signature",
        "Approved",
        "Complete",
        "Terminated",
        "Void",
    )
}


def _word(status: Any) -> str:
    return " ".join(str(status or "").split()).lower()


def document_state(status: Any) -> DocumentState:
    """``VOID``, ``APPROVED`` or ``OPEN`` (anything else, a blank included)."""
    word = _word(status)
    if word in VOID_WORDS:
        return DocumentState.VOID
    if word in APPROVED_WORDS:
        return DocumentState.APPROVED
    return DocumentState.OPEN


def is_void(status: Any) -> bool:
    """A void document is history: listings leave it out (the demo ERP does the same)."""
    return document_state(status) is DocumentState.VOID


def procore_status(status: Any) -> str:
    """The Procore status to stage the document with: the ERP's own word when it is one of
    Procore's, else ``Approved`` for a binding one and ``Draft`` for the rest."""
    word = _word(status)
    if word in PROCORE_STATUSES:
        return PROCORE_STATUSES[word]
    return "Approved" if document_state(status) is DocumentState.APPROVED else "Draft"
