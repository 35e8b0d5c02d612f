"""The portal's URLs plus ``/bench/bare``: a view that only answers 200, through the same stack."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns = [path("bench/bare", bare), *portal_urlpatterns]
