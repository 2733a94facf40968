"""Slack's side of Dibs: typed `/dibs` commands, Block Kit helpers, text helpers, and every id Dibs uses."""
