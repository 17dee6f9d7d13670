"""Persistence: typed models, repositories and Alembic migrations."""
