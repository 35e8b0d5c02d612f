"""Lists page lazily through Link and Total headers, or by cursor for webhook deliveries."""

from __future__ import annotations

import json

import pytest
import responses

from tests.integrations.procore.conftest import API, add_tokens, api_requests

pytestmark = pytest.mark.django_db


def _page_callback(pages: list[list[dict]], *, with_links: bool, total: int | None):
    def answer(request):
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(request.url).query)
        page = int(query["page"][0])
        per_page = int(query["per_page"][0])
        headers = {"Per-Page": str(per_page)}
        if total is not None:
            headers["Total"] = str(total)
        if with_links:
            base = f"{API}/companies?per_page={per_page}"
            links = [f'<{base}&page=1>; rel="first"', f'<{base}&page={len(pages)}>; rel="last"']
            if page < len(pages):
                links.append(f'<{base}&page={page + 1}>; rel="next"')
            headers["Link"] = ", ".join(links)
        return (200, headers, json.dumps(pages[page - 1]))

    return answer


@pytest.mark.parametrize("with_links,total", [(True, 5), (False, 5), (False, None)])
def test_lists_page_through_link_and_total_headers(rsps, clock, make_client, with_links, total):
    add_tokens(rsps, clock, "tok-1")
    pages = [[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}], [{"id": 5}]]
    rsps.add_callback(
        responses.GET,
        f"{API}/companies",
        callback=_page_callback(pages, with_links=with_links, total=total),
    )

    items = list(make_client().list_companies(per_page=2))

    assert [i["id"] for i in items] == [1, 2, 3, 4, 5]
    assert len(api_requests(rsps)) == 3


def test_pages_are_fetched_only_as_far_as_the_caller_reads(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    pages = [[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}], [{"id": 5}]]
    rsps.add_callback(
        responses.GET,
        f"{API}/companies",
        callback=_page_callback(pages, with_links=True, total=5),
    )
    iterator = make_client().list_companies(per_page=2)
    assert [next(iterator)["id"], next(iterator)["id"]] == [1, 2]
    assert len(api_requests(rsps)) == 1


def test_deliveries_page_by_cursor(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    seen_starts = []

    def answer(request):
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(request.url).query)
        start = int(query.get("page_start", ["0"])[0])
        seen_starts.append(start)
        assert query["page_size"] == ["2"]
        assert query["filters[status]"] == ["failing"]
        ids = [i for i in (101, 102, 103) if i > start][:2]
        return (200, {}, json.dumps([{"id": i, "outcome": "failed"} for i in ids]))

    rsps.add_callback(responses.GET, f"{API}/webhooks/hooks/11/deliveries", callback=answer)
    items = list(make_client().iter_deliveries(11, status="failing", page_size=2))
    assert [i["id"] for i in items] == [101, 102, 103]
    assert seen_starts == [0, 102]
