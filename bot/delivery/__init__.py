"""Delivery: the outbox of posts recorded before they are sent, pacing, and catching up after downtime."""
