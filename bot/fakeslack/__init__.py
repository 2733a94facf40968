"""A fake of Slack's Web API, shared by `dibs demo` (its stand-in for Slack) and the tests (tests/support/fakeslack.py).

`workspace` is what Slack holds (messages, threads, channels joined, Home tabs, modals, files), `webapi` and
`people` answer each method from and into it, `request` reads a call as slack_sdk sends it. Serving it over HTTP,
recording calls and injecting failures are each user's own.
"""

from bot.fakeslack.request import bearer, parse_request
from bot.fakeslack.webapi import WebAPI, workspace_identity
from bot.fakeslack.workspace import Directory, Message, Workspace, dm_channel, ts_key

__all__ = ["Directory", "Message", "WebAPI", "Workspace", "bearer", "dm_channel", "parse_request", "ts_key",
           "workspace_identity"]  # fmt: skip
