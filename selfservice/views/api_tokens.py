"""The signed-in user's own API tokens: create one (its text shown once, on the answer to the
creation, never again) and revoke one. Another user's token is 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from integrations.selectors.api_tokens import api_tokens_of_user
from integrations.services.api_tokens import api_token_create, api_token_revoke
from selfservice.access import signed_in
from selfservice.forms import ApiTokenForm


def _page(request: HttpRequest, form: ApiTokenForm, *, new=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "selfservice/api_tokens.html",
        {"tokens": api_tokens_of_user(user=request.user), "form": form, "new": new},
        status=status,
    )


@never_cache
@signed_in
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        new = api_token_create(user=request.user, name=form.cleaned_data["name"])
    except ValueError as exc:
        form.add_error("name", str(exc))
        return _page(request, form, status=400)
    # Rendered, not redirected: the token's text exists only in this answer.
    return _page(request, ApiTokenForm(), new=new, status=201)


@require_POST
@signed_in
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_tokens_of_user(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    if api_token_revoke(token=token, actor=request.user):
        messages.success(request, f"“{token.name}” is revoked: scripts using it are refused now.")
    else:
        messages.info(request, f"“{token.name}” was revoked already.")
    return redirect("selfservice:api-tokens")
