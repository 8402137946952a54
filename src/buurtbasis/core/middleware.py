from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import current_origin


class RequestOriginMiddleware:
    """Remember where the current request comes from, for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_origin.set(f"web:{request.META.get('REMOTE_ADDR', '')}")
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
