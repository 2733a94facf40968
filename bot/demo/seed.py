"""`dibs demo`'s first minute: Ana watches both channels; with --seed, three posts of the kinds Dibs knows."""

from __future__ import annotations

from bot.demo.actions import Demo
from bot.demo.world import ADMIN, CHANNELS

RECIPIENTS = """name,company,email
Ana Lee,Acme,ana.lee@acme.example
Bo Chen,Globex,bo@globex.example
Carla Diaz,Initech,carla@initech.example
Dmitri Ivanov,Umbrella,dmitri@umbrella.example
Eve Okafor,Hooli,eve@hooli.example
"""


def set_up(demo: Demo) -> None:
    """What an admin does first: `/dibs watch` in each channel (Dibs joins them)."""
    for channel in CHANNELS:
        demo.command(ADMIN, channel, "/dibs watch")


def seed(demo: Demo) -> None:
    """A booth, a blog comment and a gift campaign (with its recipients' CSV shared in the thread)."""
    demo.post("U0BEN", "C0EVENTS", "We got a booth at the Springfield Expo on March 12! Who can staff it?")
    demo.post(
        "U0DEV",
        "C0MARKETING",
        "New blog comment on *Pricing for teams*: Pat Lee commented, asking whether the annual plan covers "
        "contractors. https://blog.example.com/pricing-for-teams#comment-42",
    )
    gifts = demo.post(
        "U0CHLOE",
        "C0MARKETING",
        "Holiday gifts go out to our five biggest customers next week. Who makes sure every gift arrives?",
    )
    demo.share_file("U0CHLOE", "C0MARKETING", gifts, "recipients.csv", RECIPIENTS)
