"""Views for tests/common/test_asgi.py: where a request runs, one that waits for the test, one that fails."""

import threading

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

entered: list[int] = []  # the thread of each request that reached ``wait``
release = threading.Event()


@csrf_exempt
def where(request):
    """The thread the view runs in, and the size of the body it received."""
    return HttpResponse(f"{threading.get_ident()} {len(request.body)}")


def wait(request):
    entered.append(threading.get_ident())
    if not release.wait(timeout=10):
        return HttpResponse("never released", status=504)
    return HttpResponse(str(threading.get_ident()))


def boom(request):
    raise RuntimeError("a view that fails")


urlpatterns = [path("ou/", where), path("attendre/", wait), path("panne/", boom)]
