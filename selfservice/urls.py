"""The self-service portal's URLs, mounted at ``/``. Every page under ``c/<company_id>/`` is a
``company_page`` (404 for non-members); ``tests/selfservice/test_isolation.py`` visits each."""

from django.urls import path

from selfservice.views import (
    account,
    api_tokens,
    connection,
    dashboard,
    errors,
    health,
    home,
    members,
    metadata,
    objects,
    runs,
)

app_name = "selfservice"

urlpatterns = [
    path("", home.home, name="home"),
    # Signing in and out
    path("accounts/login/", account.LoginView.as_view(), name="login"),
    path("accounts/logout/", account.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", account.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", account.two_factor_setup, name="two-factor-setup"),
    path("accounts/password-reset/", account.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        account.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        account.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    # The signed-in user's own API tokens
    path("accounts/api-tokens/", api_tokens.api_tokens, name="api-tokens"),
    path(
        "accounts/api-tokens/<int:pk>/revoke/",
        api_tokens.api_token_revoke_view,
        name="api-token-revoke",
    ),
    # One company's pages
    path("c/<int:company_id>/", dashboard.dashboard, name="dashboard"),
    path("c/<int:company_id>/check/", health.check_now, name="check-now"),
    path("c/<int:company_id>/connection/", connection.connection, name="connection"),
    path("c/<int:company_id>/errors/", errors.errors_queue, name="errors"),
    path(
        "c/<int:company_id>/errors/requests/<int:pk>/retry/",
        errors.retry_request,
        name="retry-request",
    ),
    path("c/<int:company_id>/errors/items/resend/", errors.resend_items, name="resend-items"),
    path("c/<int:company_id>/imports/", runs.runs, name="runs"),
    path("c/<int:company_id>/imports/start/", runs.run_start, name="run-start"),
    path("c/<int:company_id>/imports/<int:pk>/", runs.run_detail, name="run"),
    path("c/<int:company_id>/imports/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("c/<int:company_id>/objects/", objects.objects, name="objects"),
    path("c/<int:company_id>/metadata/", metadata.metadata, name="metadata"),
    path("c/<int:company_id>/members/", members.members, name="members"),
    path("c/<int:company_id>/members/invite/", members.invite, name="invite"),
]
