"""The portal's URLs plus two reference views through the same stack: ``/bench/bare`` only
answers 200; ``/bench/insert-only`` stores the body as one row (autocommit), the least any
persist-then-acknowledge endpoint must do."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


@csrf_exempt
def insert_only(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert_only (body) VALUES (%s)", [request.body.decode()])
    return HttpResponse(b'{"status": "stored"}', content_type="application/json")


urlpatterns = [
    path("bench/bare", bare),
    path("bench/insert-only", insert_only),
    *portal_urlpatterns,
]
