"""Intake: where follow-ups come from. Watched channels, and posts in them that become tasks."""
