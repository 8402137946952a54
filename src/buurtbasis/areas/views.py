from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Area


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code.upper())
    return render(request, "areas/area_detail.html", {"area": area})
