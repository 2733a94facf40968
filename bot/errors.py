"""The one exception Dibs answers people with: a rule they broke, in a sentence meant for them."""

from __future__ import annotations


class DibsError(Exception):
    """A rule the user broke; `str(error)` is the sentence to show them."""
