"""django-q2's own models (schedules, task results, the ORM queue), for superusers only.

A schedule names any importable function for the worker to call with any arguments, so whoever
may add or change one may run code as the worker: that is not a permission to hand to support
staff. Every schedule the portal needs is derived from our own rows (``ImportSchedule``, the
sweeper) and never edited by hand; superusers keep django-q2's pages for diagnosis.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success


class SuperuserOnly:
    """Every permission, the module's included, only for active superusers."""

    def _superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request) and super().has_delete_permission(request, obj)


def _superuser_only(model: type, base: type[admin.ModelAdmin]) -> None:
    """Replace django-q2's registration of ``model`` (it registers the ORM queue only with the
    ORM broker)."""
    if not admin.site.is_registered(model):
        return
    admin.site.unregister(model)
    admin.site.register(model, type(f"SuperuserOnly{base.__name__}", (SuperuserOnly, base), {}))


_superuser_only(Schedule, q_admin.ScheduleAdmin)
_superuser_only(Success, q_admin.TaskAdmin)
_superuser_only(Failure, q_admin.FailAdmin)
_superuser_only(OrmQ, q_admin.QueueAdmin)
