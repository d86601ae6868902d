"""Persistence: SQLAlchemy 2.x mappings, the unit of work and Alembic migrations."""
