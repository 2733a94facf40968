"""A workspace installs Dibs (again), or uninstalls it: what Dibs records and stops at once.

Uninstalled (`app_uninstalled`, `tokens_revoked`, or Slack answering `token_revoked` to a call):
every pending call to the workspace is called off, its schedules stop (the planners skip it), and
its tokens are deleted through the installation store's own `delete_all`. Its tasks stay, for
`dibs export`, until `dibs purge TEAM_ID`. A new install of the same workspace clears the mark: the
reminders, digests and feeds go on from where they stopped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from store.queries.workspaces import mark_gone, mark_installed

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def uninstalled(svc: Services, team_id: str, why: str) -> None:
    """Stop everything for the workspace and delete its tokens; its data stays."""
    with svc.transaction() as tx:
        mark_gone(tx.session, team_id, tx.now)
    svc.installs.forget(team_id)
    log.warning("workspace %s: %s; Dibs sends it nothing more (its data stays until `dibs purge`)", team_id, why)


def installed(svc: Services, team_id: str) -> None:
    """The workspace installed Dibs (or installed it again): Dibs may speak there, with its new token."""
    with svc.transaction() as tx:
        mark_installed(tx.session, team_id)
    svc.installs.evict([team_id])
    log.info("workspace %s installed Dibs", team_id)
