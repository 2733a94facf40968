"""Who and where the demo is: a workspace with two channels, four people and the Dibs bot."""

from __future__ import annotations

from dataclasses import dataclass

TEAM = "T0DEMO"
TEAM_NAME = "Dibs demo"
WORKSPACE_URL = "https://dibs-demo.slack.com/"
BOT_USER = "U0DIBS"
BOT_ID = "B0DIBS"
APP_ID = "A0DIBS"
BOT_TOKEN = "xoxb-dibs-demo"


@dataclass(frozen=True)
class Person:
    """Someone the visitor can be."""

    id: str
    name: str
    title: str


PEOPLE = (
    Person("U0ANA", "Ana", "Marketing lead"),
    Person("U0BEN", "Ben", "Events"),
    Person("U0CHLOE", "Chloe", "Content"),
    Person("U0DEV", "Dev", "Customer success"),
)
CHANNELS = {"C0MARKETING": "marketing", "C0EVENTS": "events"}
ADMIN = PEOPLE[0].id  # the one who typed `/dibs watch` in both channels


def name_of(user_id: str) -> str:
    """A user id as the page shows it."""
    if user_id == BOT_USER:
        return "Dibs"
    return next((p.name for p in PEOPLE if p.id == user_id), user_id)
