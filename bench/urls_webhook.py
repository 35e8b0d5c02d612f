"""The portal's URLs plus three reference views through the same stack: ``/bench/bare`` only
answers 200; ``/bench/insert-only`` stores the body as one row (autocommit), the least any
persist-then-acknowledge endpoint must do; ``/bench/no-store/<company>/`` is the webhook
endpoint itself (DRF, secret check, body checks) with the storing left out, so the run shows
how much of the gap to the bare view is the database and how much the rest."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from integrations.api.webhooks import ProcoreWebhookView
from integrations.services.webhooks import Delivery, WebhookReceipt
from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


@csrf_exempt
def insert_only(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert_only (body) VALUES (%s)", [request.body.decode()])
    return HttpResponse(b'{"status": "stored"}', content_type="application/json")


class NoStore(ProcoreWebhookView):
    @staticmethod
    def receive(delivery: Delivery) -> WebhookReceipt:
        return WebhookReceipt(event_pk=0, duplicate=False)


urlpatterns = [
    path("bench/bare", bare),
    path("bench/insert-only", insert_only),
    path("bench/no-store/<int:procore_company_id>/", NoStore.as_view()),
    *portal_urlpatterns,
]
