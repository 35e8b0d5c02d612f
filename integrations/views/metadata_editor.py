"""The metadata editor: one page, mounted by the admin and by the self-service portal.

The caller decides who may be here and what they may do, and passes it in an
:class:`EditorPlace` (the admin: staff permissions; the portal: the membership selector and the
company admin role); this module checks nothing beyond that. It reads through the metadata
selectors and writes only through the metadata services: saving makes a new immutable version
(``metadata_config_create``: schema and handled flows checked, audited), publishing pushes a
version to Procore (``metadata_config_publish``).

``GET`` shows the form generated from our schema beside the raw JSON, opened on the newest
version (``?version=N`` for another); ``?compare=A&with=B`` shows two versions side by side with
the changed paths highlighted. ``POST action=save`` saves, ``POST action=publish`` publishes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode

from integrations.models import Company
from integrations.selectors.metadata import (
    MetadataChange,
    metadata_config_in_procore,
    metadata_config_live,
    metadata_config_of_company,
    metadata_configs_of_company,
    metadata_documents_diff,
)
from integrations.services.metadata import (
    MetadataInvalid,
    MetadataProblem,
    metadata_config_create,
    metadata_config_ensure,
    metadata_form_schema,
)
from integrations.services.metadata_publishing import metadata_config_publish

MAX_VERSIONS_LISTED = 50


@dataclass(frozen=True)
class EditorPlace:
    """Where the editor is mounted and what the caller allows there.

    ``template`` extends the caller's layout and includes ``integrations/metadata_editor/
    _editor.html``; ``url`` is this page's own URL; ``context`` is the layout's own context.
    """

    company: Company
    url: str
    template: str
    can_edit: bool
    can_publish: bool
    context: Mapping[str, Any] = field(default_factory=dict)
    actor_label: str = ""


def metadata_editor(request: HttpRequest, place: EditorPlace) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "save" and place.can_edit:
            return _save(request, place)
        if action == "publish" and place.can_publish:
            return _publish(request, place)
        messages.error(request, "That action is not available here.")
        return HttpResponseRedirect(place.url)
    if "compare" in request.GET:
        return _compare(request, place)
    return _show(request, place)


# -- Showing and saving --------------------------------------------------------------------


def _show(
    request: HttpRequest,
    place: EditorPlace,
    *,
    text: str | None = None,
    problems: list[MetadataProblem] = (),
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    company = place.company
    live = metadata_config_ensure(company=company) if place.can_edit else None
    live = live or metadata_config_live(company=company)
    shown = live
    if "version" in request.GET:
        shown = metadata_config_of_company(company=company, version=request.GET["version"])
        if shown is None:
            messages.error(request, f"There is no version {request.GET['version']}.")
            shown = live
    if text is None:
        text = _pretty(shown.document) if shown is not None else ""
    versions = list(metadata_configs_of_company(company=company)[:MAX_VERSIONS_LISTED])
    in_procore = metadata_config_in_procore(company=company)
    config = {
        "schema": metadata_form_schema(),
        "problems": [_problem_json(problem) for problem in problems],
        "readonly": not place.can_edit,
    }
    context = {
        **place.context,
        "company": company,
        "place": place,
        "shown": shown,
        "live": live,
        "in_procore": in_procore,
        "versions": versions,
        "text": text,
        "comment": comment,
        "problems": problems,
        "editor_config": config,
        "title": f"Metadata of {company}",
    }
    return TemplateResponse(request, place.template, context, status=status)


def _save(request: HttpRequest, place: EditorPlace) -> HttpResponse:
    text = request.POST.get("document", "")
    comment = request.POST.get("comment", "").strip()
    try:
        saved = metadata_config_create(
            company=place.company,
            document=text,
            actor=request.user,
            actor_label=place.actor_label,
            comment=comment,
        )
    except MetadataInvalid as invalid:
        count = len(invalid.problems)
        messages.error(
            request,
            f"Not saved: the document has {count} problem{'s' if count != 1 else ''}, each "
            "shown at its path beside the JSON and at its field in the form. Fix them and save "
            "again; nothing you typed is lost.",
        )
        return _show(
            request, place, text=text, problems=invalid.problems, comment=comment, status=400
        )
    messages.success(
        request,
        f"Saved as version {saved.version}. Procore still has the version published before; "
        "publish this one to make it live there.",
    )
    return HttpResponseRedirect(f"{place.url}?{urlencode({'version': saved.version})}")


def _publish(request: HttpRequest, place: EditorPlace) -> HttpResponse:
    config = metadata_config_of_company(
        company=place.company, version=request.POST.get("version", "")
    )
    if config is None:
        messages.error(request, "Choose a version of this company to publish.")
        return HttpResponseRedirect(place.url)
    result = metadata_config_publish(
        company=place.company, config=config, actor=request.user, actor_label=place.actor_label
    )
    (messages.success if result.ok else messages.error)(request, result.message)
    shown = result.config or config
    return HttpResponseRedirect(f"{place.url}?{urlencode({'version': shown.version})}")


def _problem_json(problem: MetadataProblem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "parts": list(problem.parts),
        "message": problem.message,
        "line": problem.line,
    }


# -- Comparing two versions ----------------------------------------------------------------


def _compare(request: HttpRequest, place: EditorPlace) -> HttpResponse:
    company = place.company
    left = metadata_config_of_company(company=company, version=request.GET.get("compare"))
    right = metadata_config_of_company(company=company, version=request.GET.get("with"))
    if left is None or right is None:
        messages.error(request, "Choose two versions of this company to compare.")
        return HttpResponseRedirect(place.url)
    if left.version > right.version:
        left, right = right, left
    changes = metadata_documents_diff(left.document, right.document)
    context = {
        **place.context,
        "company": company,
        "place": place,
        "comparing": True,
        "left": left,
        "right": right,
        "changes": changes,
        "left_lines": _marked_lines(left.document, changes, side="left"),
        "right_lines": _marked_lines(right.document, changes, side="right"),
        "versions": list(metadata_configs_of_company(company=company)[:MAX_VERSIONS_LISTED]),
        "in_procore": metadata_config_in_procore(company=company),
        "title": f"Metadata of {company}: version {left.version} and version {right.version}",
    }
    return TemplateResponse(request, place.template, context)


@dataclass(frozen=True)
class Line:
    text: str
    path: str
    kind: str  # "", "added", "removed" or "changed"


def _pretty(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _document_lines(value: Any, path: tuple = (), key: str | None = None, depth: int = 0):
    """The document as ``json.dumps(indent=2)`` prints it, each line with the path it shows."""
    pad = "  " * depth
    label = f"{json.dumps(key, ensure_ascii=False)}: " if key is not None else ""
    if isinstance(value, dict) and value:
        yield pad + label + "{", path
        items = list(value.items())
        for index, (name, item) in enumerate(items):
            lines = list(_document_lines(item, (*path, name), name, depth + 1))
            if index < len(items) - 1:
                lines[-1] = (lines[-1][0] + ",", lines[-1][1])
            yield from lines
        yield pad + "}", path
    elif isinstance(value, list) and value:
        yield pad + label + "[", path
        for index, item in enumerate(value):
            lines = list(_document_lines(item, (*path, index), None, depth + 1))
            if index < len(value) - 1:
                lines[-1] = (lines[-1][0] + ",", lines[-1][1])
            yield from lines
        yield pad + "]", path
    else:
        yield pad + label + json.dumps(value, ensure_ascii=False), path


def _marked_lines(document: Any, changes: list[MetadataChange], *, side: str) -> list[Line]:
    """Lines of one side, each marked when it shows a changed path or lies inside one."""
    shown = {"left": ("removed", "changed"), "right": ("added", "changed")}[side]
    marks = {change.path: change.kind for change in changes if change.kind in shown}
    lines = []
    for text, path in _document_lines(document):
        kind = ""
        for depth in range(len(path), -1, -1):
            if path[:depth] in marks:
                kind = marks[path[:depth]]
                break
        lines.append(Line(text, ".".join(str(part) for part in path), kind))
    return lines
