"""When the Home tab is published: on opening it, and again for the people concerned whenever a task
they see changes (the outbox row says only whose tab; `bot.editor.home_publish` draws it as it is sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.delivery.outbox import queue_home
from store.queries.home import opened_home

if TYPE_CHECKING:
    from bot.services import Services


def open_home(svc: Services, team_id: str, user_id: str) -> None:
    """The person opened the Home tab: remember it (changes refresh it from now on) and publish it."""
    with svc.transaction() as tx:
        opened_home(tx.session, team_id, user_id, tx.now)
        tx.forget(("homes", team_id))
        queue_home(tx, team_id, user_id)


def tell_on_home(svc: Services, team_id: str, user_id: str, notice: str) -> None:
    """Publish the person's Home tab with `notice` on top (what their click on it did, or why not)."""
    with svc.transaction() as tx:
        queue_home(tx, team_id, user_id, notice)
