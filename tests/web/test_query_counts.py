"""The area pages and the API run a fixed number of queries, whatever the size of the data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from .conftest import Town, build_town

# Anonymous visitor: the page itself, without session or user queries.
MAX_QUERIES = {"neighbourhood": 2, "district": 3, "municipality": 5, "home": 1}


def urls(town: Town) -> dict[str, str]:
    return {
        "home": "/",
        "municipality": town.municipality.get_absolute_url(),
        "district": town.districts[-1].get_absolute_url(),
        "neighbourhood": town.neighbourhoods[-1].get_absolute_url(),
        "filtered": town.municipality.get_absolute_url() + "?q=Buurt",
        "api_area": f"/api/v1/areas/{town.districts[-1].code}",
        "api_statistics": f"/api/v1/areas/{town.neighbourhoods[-1].code}/statistics",
    }


def count(client: Client, url: str) -> int:
    client.get(url)  # warm up (first-request work such as the catalogue of messages)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_neighbourhoods(
    client: Client, django_assert_max_num_queries: Callable[..., DjangoAssertNumQueries]
) -> None:
    small = build_town("9101", "Klein", districts=2, per_district=5)
    counts_small = {name: count(client, url) for name, url in urls(small).items()}
    # 200 neighbourhoods in another municipality, plus many other areas in the database
    big = build_town("9102", "Groot", districts=4, per_district=50)
    counts_big = {name: count(client, url) for name, url in urls(big).items()}
    assert counts_small == counts_big
    for name, limit in MAX_QUERIES.items():
        with django_assert_max_num_queries(limit):
            client.get(urls(big)[name])


@pytest.mark.django_db
def test_signed_in_neighbourhood_page_adds_only_session_and_user(
    client: Client, django_assert_max_num_queries: Callable[..., DjangoAssertNumQueries]
) -> None:
    from django.contrib.auth import get_user_model

    town = build_town("9103", "Ingelogd", districts=1, per_district=3)
    user = get_user_model().objects.create_user("web@example.org", "x" * 20, display_name="Web")
    client.force_login(user)
    with django_assert_max_num_queries(MAX_QUERIES["neighbourhood"] + 2):
        response = client.get(town.neighbourhoods[0].get_absolute_url())
    assert response.status_code == 200
