"""Staffing: claims (at once or queued), seats and roles, offers of a freed seat, swaps and the roster, and the
owners' calendar entries."""
