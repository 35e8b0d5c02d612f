"""``POST /oauth/token`` with the client-credentials grant (``oauth/oauth_client_credentials.md``):
credentials as form fields, as a JSON body, or as HTTP Basic auth (what requests-oauthlib sends
by default); Procore's (Doorkeeper's) error bodies."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from django.http import HttpRequest
from django.utils import timezone

from procore_sandbox.api.base import ApiContext, ApiResult, bearer_token, json_body, procore_api
from procore_sandbox.services.tenants import token_issue, token_lookup, token_revoke

INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": (
        "Client authentication failed due to unknown client, no client authentication "
        "included, or unsupported authentication method."
    ),
}


def _credentials(request: HttpRequest) -> dict[str, str]:
    content_type = request.content_type or ""
    if "json" in content_type:
        body = json_body(request)
        fields = {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    else:
        fields = {k: v for k, v in request.POST.items()}
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and "client_id" not in fields:
        try:
            decoded = base64.b64decode(value.strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
        fields["client_id"] = unquote(client_id)
        fields["client_secret"] = unquote(client_secret)
    return fields


@procore_api("POST", authenticated=False, company_scoped=False)
def token(request: HttpRequest, ctx: ApiContext) -> ApiResult:
    fields = _credentials(request)
    grant_type = fields.get("grant_type")
    if not grant_type:
        return ApiResult(
            {
                "error": "invalid_request",
                "error_description": "The request is missing a required parameter: grant_type.",
            },
            status=400,
        )
    if grant_type != "client_credentials":
        return ApiResult(
            {
                "error": "unsupported_grant_type",
                "error_description": (
                    "The authorization grant type is not supported by the authorization server."
                ),
            },
            status=400,
        )
    issued = token_issue(
        client_id=fields.get("client_id", ""), client_secret=fields.get("client_secret", "")
    )
    if issued is None:
        return ApiResult(INVALID_CLIENT, status=401)
    return ApiResult(
        {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "expires_in": issued.expires_in,
            "created_at": int(issued.created_at.timestamp()),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@procore_api("GET", authenticated=False, company_scoped=False)
def token_info(request: HttpRequest, ctx: ApiContext) -> ApiResult:
    row = token_lookup(token=bearer_token(request))
    now = timezone.now()
    if row is None:
        return ApiResult(
            {"error": "invalid_token", "error_description": "The access token is invalid"},
            status=401,
        )
    return ApiResult(
        {
            "resource_owner_id": row.app.user_id,
            "scope": [],
            "expires_in_seconds": int((row.expires_at - now).total_seconds()),
            "application": {"uid": row.app.client_id},
            "created_at": int(row.created_at.timestamp()),
        }
    )


@procore_api("POST", authenticated=False, company_scoped=False)
def revoke(request: HttpRequest, ctx: ApiContext) -> ApiResult:
    """Revokes the token when it is known; answers 200 either way, as Procore documents."""
    token_revoke(token=_credentials(request).get("token"))
    return ApiResult({})
