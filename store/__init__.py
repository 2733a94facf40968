"""Persistence for Dibs: engine and session factory, typed models, Alembic migrations."""
