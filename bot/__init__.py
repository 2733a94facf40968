"""Dibs: every marketing follow-up gets an owner."""
