"""Phrases of posts tracked by hand: recorded, counted per kind over 30 days into suggestions, and once an admin
adds one, part of the workspace's kinds (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.cli import main
from bot.installs.phrases import decide, remember
from bot.intake.classify import classify
from bot.intake.phrases import AT_LEAST, candidates
from bot.intake.phrases import suggested as suggestions
from bot.services import Services
from bot.settings import Settings
from store.models import utcnow
from store.queries.phrases import added_phrases, often_tracked
from tests.store.test_claim_rules import OTHER_TEAM, TEAM, new_task
from tests.support.services import services_on

POST = "Ana left a comment under the pricing page: the SSO question again"


@pytest.fixture
def svc(database_url: str) -> Iterator[Services]:
    with services_on(database_url, Settings()) as services:
        yield services


def tracked(svc: Services, text: str, kind: str = "blog_comment", team: str = TEAM, days_ago: int = 0) -> None:
    """A post tracked by hand as `kind`, `days_ago` days ago: its task and its phrases."""
    task = new_task(svc, team=team, kind=kind, title=text)
    with svc.transaction(now=utcnow() - timedelta(days=days_ago)) as tx:
        remember(tx, team, task.id, kind, [words for _, words in candidates(text)])


def suggested(svc: Services, team: str = TEAM) -> list[tuple[str, str, int]]:
    with svc.read() as session:
        return [
            (s.kind, s.words, s.posts) for s in suggestions(session, svc.settings_for(team, session), team, svc.now())
        ]


def test_a_phrase_in_three_hand_tracked_posts_of_a_kind_within_30_days_is_suggested(svc):
    tracked(svc, POST, days_ago=31)  # too long ago
    tracked(svc, "Pricing page: Ana left comments about SSO", days_ago=2)
    tracked(svc, "Pricing page question", kind="event")  # another kind
    tracked(svc, "pricing page left a comment", team=OTHER_TEAM)  # another workspace
    assert suggested(svc) == []
    tracked(svc, "Bob left a comment on the pricing page")
    assert suggested(svc) == []
    tracked(svc, POST.upper())
    # "pricing page" in three recent blog_comment posts; "left a comment" is one of blog_comment's phrases already.
    assert suggested(svc) == [("blog_comment", "pricing page", AT_LEAST)]
    assert suggested(svc, OTHER_TEAM) == []
    with svc.read() as session:
        assert {(s.kind, s.phrase) for s in often_tracked(session, TEAM, utcnow() - timedelta(days=40), 2)} >= {
            ("blog_comment", "price page"),
            ("blog_comment", "left a comment"),
        }


def test_an_added_phrase_is_the_workspaces_own_and_a_dismissed_one_is_not_suggested_again(
    svc, database_url, monkeypatch, capsys
):
    for text in ("pricing page asks about SSO", "SSO question on the pricing page", "pricing page: SSO?"):
        tracked(svc, text)
    assert [words for _, words, _ in suggested(svc)] == ["pricing page"]
    assert classify("A question on the pricing pages", svc.settings_for(TEAM).kinds) is None

    assert "become Blog comment tasks" in decide(svc, TEAM, "U1", "blog_comment", '"Pricing  page"', add=True)
    assert suggested(svc) == []
    with svc.read() as session:
        assert added_phrases(session, TEAM) == {"blog_comment": ("pricing page",)}
    assert classify("A question on the pricing pages", svc.settings_for(TEAM).kinds).name == "blog_comment"
    assert classify("A question on the pricing pages", svc.settings_for(OTHER_TEAM).kinds) is None
    assert "already one of" in decide(svc, TEAM, "U1", "blog_comment", "pricing pages", add=True)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("DIBS_CONFIG", raising=False)
    assert main(["classify", "--team", TEAM, "A question on the pricing pages"]) == 0
    assert capsys.readouterr().out.startswith(
        "Blog comment (blog_comment): phrase 'pricing page' (as 'pricing pages')\n"
    )

    assert "not suggest it again" in decide(svc, TEAM, "U1", "blog_comment", "pricing page", add=False)
    assert classify("A question on the pricing pages", svc.settings_for(TEAM).kinds) is None
    assert suggested(svc) == []
