"""What happens to Dibs's world in Slack: a post deleted, a channel archived, Dibs uninstalled,
the admins group changed. Each is recorded in one transaction; what follows goes out after."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.installs.lifecycle import uninstalled
from bot.intake.channels import set_archived
from bot.services import Services
from bot.services.groups import group_changed


def handle_channel_archived(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """An archived channel gets no reminders and no digest until it is unarchived."""
    archived = event.get("type") in ("channel_archive", "group_archive")
    set_archived(services, str(body.get("team_id") or ""), str(event.get("channel") or ""), archived)


def handle_uninstalled(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """Dibs was uninstalled, or its bot token revoked: nothing more goes to that workspace, its tokens are
    deleted; its data stays."""
    if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
        return  # only user tokens were revoked: Dibs acts as its bot
    team_id = str(body.get("team_id") or "")
    uninstalled(services, team_id, f"Slack sent {event.get('type')}")


def handle_admins_changed(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """Someone joined or left a user group: if it is the admins group, or one who may claim a kind, Dibs knows at
    once."""
    team_id, group = str(body.get("team_id") or ""), str(event.get("subteam_id") or "")
    added, removed = event.get("added_users") or [], event.get("removed_users") or []
    if group == services.admins.group:
        services.admins.change(team_id, added, removed)
    group_changed(services, team_id, group, added, removed)


def handle_group_updated(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    """A user group changed (`subteam_updated`, with all its members): the claim rule reads them at once."""
    subteam = event.get("subteam") or {}
    users = subteam.get("users")
    if isinstance(users, list):
        team_id, group = str(body.get("team_id") or ""), str(subteam.get("id") or "")
        if group == services.admins.group:
            services.admins.set_members(team_id, [str(u) for u in users])
        group_changed(services, team_id, group, users=[str(u) for u in users])


def register(app: App) -> None:
    """Listen for archived channels, uninstalls and user group changes."""
    for archive in ("channel_archive", "channel_unarchive", "group_archive", "group_unarchive"):
        app.event(archive)(handle_channel_archived)
    app.event("app_uninstalled")(handle_uninstalled)
    app.event("tokens_revoked")(handle_uninstalled)
    app.event("subteam_members_changed")(handle_admins_changed)
    app.event("subteam_updated")(handle_group_updated)
