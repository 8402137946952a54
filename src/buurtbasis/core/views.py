from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from buurtbasis.areas import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"municipalities": list(selectors.municipalities())})


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Even geduld"),
            "message": _("Te veel pogingen. Probeer het over een kwartier opnieuw."),
        },
        status=429,
    )
