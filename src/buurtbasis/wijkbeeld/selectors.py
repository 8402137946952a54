"""Reading the wijkbeeld for pages, print, the BuurtTop briefing and the API."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from buurtbasis.areas import selectors as area_selectors
from buurtbasis.areas.models import Area

from .models import Comment, ConversationRound, Part, PartKind, PartVersion, Presence, Wijkbeeld


def wijkbeeld_for(area: Area) -> Wijkbeeld | None:
    return Wijkbeeld.objects.filter(area=area).select_related("area", "created_by").first()


def parts_with_comments(wijkbeeld: Wijkbeeld) -> QuerySet[Part]:
    """The parts in order, with author, and their comments (with round) prefetched."""
    comments = Comment.objects.select_related("round", "author").order_by("created_at", "pk")
    return (
        wijkbeeld.parts.select_related("author")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("position", "pk")
    )


def rounds(wijkbeeld: Wijkbeeld) -> list[ConversationRound]:
    return list(wijkbeeld.rounds.annotate(comment_count=Count("comments")).order_by("number"))


def open_rounds(wijkbeeld: Wijkbeeld) -> list[ConversationRound]:
    return list(wijkbeeld.rounds.filter(is_open=True).order_by("number"))


def presences(wijkbeeld: Wijkbeeld) -> list[Presence]:
    return list(wijkbeeld.presences.select_related("organisation").order_by("organisation_name"))


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass
class VersionView:
    version: PartVersion
    diff: list[DiffLine] = field(default_factory=list)


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line-by-line differences between two texts (unchanged lines kept for context)."""
    result: list[DiffLine] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "+ ":
            result.append(DiffLine("added", text))
        elif code == "- ":
            result.append(DiffLine("removed", text))
        elif code == "  ":
            result.append(DiffLine("same", text))
    return result


def history(part: Part) -> list[VersionView]:
    """Every version of a part, newest first, each with what changed against the one before."""
    versions = list(part.versions.select_related("author", "saved_by").order_by("number"))
    views: list[VersionView] = []
    previous: PartVersion | None = None
    for version in versions:
        if previous is None:
            diff = [DiffLine("added", line) for line in version.body.splitlines()]
        else:
            diff = diff_lines(previous.body, version.body)
            if previous.title != version.title:
                diff.insert(0, DiffLine("added", f"# {version.title}"))
                diff.insert(0, DiffLine("removed", f"# {previous.title}"))
        views.append(VersionView(version, diff))
        previous = version
    return list(reversed(views))


def timeline(wijkbeeld: Wijkbeeld, limit: int = 50) -> list[PartVersion]:
    """The latest changes across all parts, newest first: how the picture changed over time."""
    return list(
        PartVersion.objects.filter(part__wijkbeeld=wijkbeeld)
        .select_related("part", "author")
        .order_by("-saved_at", "-pk")[:limit]
    )


def figures(area: Area) -> area_selectors.FigureGroups:
    """Strengths beside needs, with source and year (shared with the area pages)."""
    return area_selectors.figures(area)


@dataclass
class Briefing:
    """The statistics briefing for a BuurtTop, generated from the wijkbeeld."""

    area: Area
    wijkbeeld: Wijkbeeld | None
    figures: area_selectors.FigureGroups
    parts: list[Part]
    place_count: int
    presence_minutes: int
    presence_count: int
    rounds: list[ConversationRound]
    comment_count: int
    sources: list[tuple[str, int]]


def briefing(area: Area) -> Briefing:
    """Figures (strengths beside needs, each with source and year), the written parts of the
    wijkbeeld, and what the conversation rounds gave — for the BuurtTop working groups."""
    from buurtbasis.places.selectors import places_in

    wijkbeeld = wijkbeeld_for(area)
    groups = figures(area)
    parts: list[Part] = []
    presence_list: list[Presence] = []
    round_list: list[ConversationRound] = []
    comment_count = 0
    if wijkbeeld is not None:
        parts = list(
            wijkbeeld.parts.select_related("author")
            .exclude(kind=PartKind.KEY_PEOPLE)
            .order_by("position", "pk")
        )
        presence_list = presences(wijkbeeld)
        round_list = rounds(wijkbeeld)
        comment_count = Comment.objects.filter(part__wijkbeeld=wijkbeeld).count()
    sources: dict[tuple[str, int], None] = {}
    for figure in (*groups.strengths, *groups.needs, *groups.neutral):
        sources[(figure.indicator.source_table, figure.own.year)] = None
    return Briefing(
        area=area,
        wijkbeeld=wijkbeeld,
        figures=groups,
        parts=parts,
        place_count=places_in(area).count(),
        presence_minutes=sum(p.minutes_per_week for p in presence_list),
        presence_count=len(presence_list),
        rounds=round_list,
        comment_count=comment_count,
        sources=sorted(sources),
    )


def initiatives(area: Area, limit: int) -> tuple[list[Any], int]:
    """The initiatives in the area (from the initiatives app): the first ``limit`` and the
    total."""
    from buurtbasis.initiatives.selectors import initiatives_in

    qs = initiatives_in(area).order_by("name", "pk")
    return list(qs[:limit]), qs.count()


def part_as_dict(part: Part) -> dict[str, Any]:
    return {
        "id": part.pk,
        "kind": part.kind,
        "title": part.title,
        "body": part.body,
        "author": part.author.display_name if part.author else "",
        "written_on": part.written_on.isoformat(),
        "version": part.version,
    }
