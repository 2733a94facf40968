"""Background work that calls Slack, done workspace by workspace, each in a thread of a small pool:
one workspace's 429 (waited out by slack_sdk in its own thread) or failure holds up no other."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKERS = 4


def per_workspace(
    items: Iterable[T], team_of: Callable[[T], str], work: Callable[[str, list[T]], int], workers: int = WORKERS
) -> int:
    """Run `work(team_id, its items)` for every workspace among `items`, at most `workers` at once;
    returns the sum of what each returned (a workspace whose work failed counts 0 and is logged)."""
    teams: dict[str, list[T]] = {}
    for item in items:
        teams.setdefault(team_of(item), []).append(item)
    if not teams:
        return 0

    def one(team_id: str) -> int:
        try:
            return work(team_id, teams[team_id])
        except Exception:
            log.exception("background work for workspace %s failed; the others go on", team_id)
            return 0

    with ThreadPoolExecutor(min(workers, len(teams)), thread_name_prefix="dibs-workspace") as pool:
        return sum(pool.map(one, teams))
