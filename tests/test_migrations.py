"""The one migration history builds exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from desktop.models import Base
from desktop.services.search import is_search_object


def test_migrations_match_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": False,
            # the full-text index (FTS5 table / GIN expression index) is not an ORM object
            "include_name": lambda name, type_, parent: not is_search_object(name)})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
