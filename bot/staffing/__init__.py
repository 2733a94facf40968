"""Staffing events: the owners' calendar entries (and, in time, roles, seats and the roster)."""
