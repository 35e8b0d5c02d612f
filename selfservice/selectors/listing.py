"""Sorting, searching and paging a list the way every self-service list does it.

A list names its sort keys (what the column header sends, and the ORM ordering it means) and
its searchable columns; the search is partial and case-insensitive on each (``icontains``), and
a number also matches an id column exactly. Pages are read one row beyond their size instead
of counted, so a list over millions of rows never runs ``COUNT(*)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

PER_PAGE = 50
MAX_SEARCH = 100


@dataclass(frozen=True)
class ListSpec:
    """How one list sorts and searches: ``sorts`` maps a key to its ORM ordering (the first key
    is the default); ``text_fields`` are searched with ``icontains``, ``number_fields`` exactly."""

    sorts: Mapping[str, Sequence[str]]
    text_fields: Sequence[str] = ()
    number_fields: Sequence[str] = ()

    @property
    def default_sort(self) -> str:
        return next(iter(self.sorts))


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    number: int
    has_next: bool
    sort: str
    q: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def clean_query(q: str | None) -> str:
    return " ".join((q or "").split())[:MAX_SEARCH]


def clean_sort(spec: ListSpec, sort: str | None) -> str:
    return sort if sort in spec.sorts else spec.default_sort


def clean_page(page: Any) -> int:
    try:
        return max(1, min(int(page), 10_000))
    except (TypeError, ValueError):
        return 1


def search(queryset: QuerySet, spec: ListSpec, q: str) -> QuerySet:
    """Rows where any searchable column contains ``q`` (case-insensitive), or a number column
    equals it."""
    if not q:
        return queryset
    condition = Q()
    for name in spec.text_fields:
        condition |= Q(**{f"{name}__icontains": q})
    if q.isdigit() and len(q) <= 18:
        for name in spec.number_fields:
            condition |= Q(**{name: int(q)})
    return queryset.filter(condition)


def list_page(
    queryset: QuerySet,
    spec: ListSpec,
    *,
    q: str | None = None,
    sort: str | None = None,
    page: Any = 1,
    per_page: int = PER_PAGE,
) -> ListPage:
    """One page of the searched and sorted list (``per_page + 1`` rows read, none counted)."""
    q = clean_query(q)
    sort = clean_sort(spec, sort)
    number = clean_page(page)
    rows = list(
        search(queryset, spec, q).order_by(*spec.sorts[sort])[
            (number - 1) * per_page : number * per_page + 1
        ]
    )
    return ListPage(
        rows=rows[:per_page], number=number, has_next=len(rows) > per_page, sort=sort, q=q
    )
