"""Reminders: the nag policy (pure), the nag clock kept on each task, planning what is due, and the texts."""
