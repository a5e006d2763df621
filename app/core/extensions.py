"""Flask extensions, created unbound here and bound in create_app (the init_app pattern).

Models subclass ``Model`` from here. At run time it is ``db.Model``, the class Flask-SQLAlchemy
builds from ``Base``; a type checker cannot follow that (``db.Model`` is an attribute set when
``db`` is made: python/mypy#8603), so it sees a class with the same bases instead.
"""

from __future__ import annotations

import logging
import secrets
import select
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model as FlaskModel
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

# Named constraints so Alembic can drop and alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:

    class Model(FlaskModel, Base):
        """What ``db.Model`` is at run time, spelled out for the type checker."""

else:
    Model = db.Model

log = logging.getLogger(__name__)

Found = TypeVar("Found")  # what insert_once's ``find`` finds

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
htmx = Htmx()
compress = Compress()


BUSY_TIMEOUT_MS = 10_000  # SQLite: how long a statement waits for the write lock
# How long a scrub's checkpoint waits for readers: it holds the write lock while it waits, so
# every text and answer waits with it. A reader still going then (a long export) leaves the
# checkpoint undone; the consumer's scrub_left_behind does it again a minute later.
CHECKPOINT_WAIT_MS = 100


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    """Embedded SQLite: WAL for concurrent readers, real foreign keys, wait rather than fail."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A deleted row's bytes are overwritten with zeros, so a deleted link (a conversation's
    # phone hash -> response, a completion notice) cannot be carved out of the file's free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@event.listens_for(Pool, "checkout")
def _server_still_there(dbapi_connection, _record, _proxy) -> None:
    """PostgreSQL: a connection the server has closed (restarted, or ended an idle session) is
    replaced at checkout, before a request uses it, never a 500; what pool_pre_ping does, but
    without its round trip on every checkout (a third of a question page's). A server that ends
    a connection first sends its reason and closes the socket, so an idle connection's socket
    then has something to read; a healthy idle one has nothing (we LISTEN for nothing). Any
    such data, or a connection libpq already knows is bad, and the pool connects afresh. SQLite
    (a file, no server) is left alone."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    if dbapi_connection.closed or pgconn.status != 0:  # libpq's CONNECTION_OK
        raise DisconnectionError("the server closed this connection")
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server sent something to an idle connection: its end")


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded.

    For a request that goes on reading what it has just written (the survey answer POST works
    out the next question from the questionnaire and answers it already holds): a plain commit
    expires every loaded object, and each is then read again, one statement at a time."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def reading_only() -> None:
    """Say, before a request's first statement, that it only reads. On PostgreSQL it then runs
    without a transaction of its own: no BEGIN and ROLLBACK round trips, and psycopg keeps the
    statements it has prepared on the connection (every ROLLBACK makes it drop them all). Only
    for requests that never write: each write would commit on its own. Nothing changes on
    SQLite, whose driver begins a transaction only at the first write anyway."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def rows_changed(statement: sa.Update | sa.Delete) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed. For a
    conditional write (``WHERE version = :seen``) that tells whether someone else got there
    first. (Session.execute is typed as Result; an UPDATE's is a CursorResult with rowcount.)"""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


def insert_ignoring_duplicates(model: type[Model], rows: list[dict], key: str) -> int:
    """Insert ``rows`` into ``model``'s table in the session's transaction, skipping any whose
    ``key`` (a unique column) is already there, committed or not: ``ON CONFLICT DO NOTHING`` on
    PostgreSQL and SQLite alike. For data several requests may create at the same moment; a
    plain insert would fail one of them, and with it whatever else its transaction held.
    ``key`` may be unique only among some rows (``partial_unique_index``): the conflict is then
    asked of that index, in its own words. Returns how many rows were added."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[key], index_where=_partial_condition(model, key))
    )
    # Counted by the rows RETURNING gives back (only those inserted): psycopg's row count for
    # an INSERT through SQLAlchemy is -1, and the count says whether this call added a row.
    returned = db.session.execute(statement.returning(model.__table__.c[key]))
    return len(returned.all())


def insert_once(
    model: type[Model], row: dict, key: str, find: Callable[[], Found | None]
) -> tuple[Found, bool]:
    """What ``find`` finds, and whether this call inserted it. Found, it is returned as it is;
    else ``row`` is inserted, unless another transaction has just inserted one with the same
    ``key`` (unique, or unique among the rows a ``partial_unique_index`` holds), and found
    again. For what a double click would begin twice: two requests that each find nothing at
    the same moment insert one row, and the later takes the earlier's."""
    found = find()
    if found is not None:
        return found, False
    added = insert_ignoring_duplicates(model, [row], key)
    found = find()
    assert found is not None  # inserted now, or by the request that got there first
    return found, bool(added)


def partial_unique_index(name: str, column: str, condition: str) -> sa.Index:
    """A unique index on ``column`` among the rows ``condition`` (SQL) holds for, on PostgreSQL
    and SQLite alike: e.g. one unfinished import per round, any number finished."""
    where = sa.text(condition)
    return sa.Index(name, column, unique=True, postgresql_where=where, sqlite_where=where)


def _partial_condition(model: type[Model], key: str) -> sa.TextClause | None:
    """The condition of ``model``'s ``partial_unique_index`` on ``key``, if it has one."""
    table = model.__table__
    assert isinstance(table, sa.Table)  # a mapped class's table (for the type checker)
    for index in table.indexes:
        if index.unique and [column.name for column in index.columns] == [key]:
            return index.dialect_options["postgresql"]["where"]
    return None


def configured_limit(name: str):
    """A Flask-Limiter limit read from the config when a request comes (tests change it)."""
    return lambda: current_app.config[name]


def random_key() -> int:
    """A primary key with no order: 53 random bits (a BIGINT, and exact as a spreadsheet number).

    The anonymous side uses these instead of counters, so a row's key cannot be matched to the
    order people answered, were invited or were texted (ARCHITECTURE.md, threat model).
    """
    return secrets.randbits(53) or 1


RandomKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


Modelled = TypeVar("Modelled", bound=type)


def scrubbed(model: Modelled) -> Modelled:
    """Mark a model whose deleted rows are links (``scrub_deleted`` is called after deleting
    them), so ``scrub_left_behind`` finishes the job wherever the first VACUUM could not."""
    model.__table__.info["scrubbed"] = True  # type: ignore[attr-defined]
    return model


def scrub_deleted(*tables: str) -> None:
    """After deleting links, leave nothing readable in the database files.

    SQLite: ``secure_delete`` (set on every connection) zeroes the rows in the pages, and a
    TRUNCATE checkpoint copies the pages home and empties the write-ahead log, which still holds
    the pages as they were before the delete. PostgreSQL: VACUUM removes the dead row versions
    of ``tables`` (it cannot run inside a transaction, so it uses an autocommit connection).
    Call it after the deleting transaction has committed.

    On PostgreSQL a VACUUM cannot remove a row version that a transaction begun before the
    delete may still see: another request's, a job's, or autovacuum's ANALYZE, still running.
    With other people using the service that is the usual case, not a rare one. Those rows stay
    until ``scrub_left_behind`` (the job consumer, every minute) vacuums again. On SQLite the
    checkpoint cannot finish while a reader is still on an older snapshot (a streamed export):
    it waits at most CHECKPOINT_WAIT_MS (holding the write lock, which every answer waits for),
    and ``scrub_left_behind`` checkpoints again.
    """
    # One list of link tables: what is scrubbed here is what scrub_left_behind looks at.
    unmarked = [t for t in tables if not db.metadata.tables[t].info.get("scrubbed")]
    assert not unmarked, f"mark the models of {unmarked} @scrubbed, so scrub_left_behind sees them"
    engine = db.engine
    if engine.dialect.name == "sqlite":
        _checkpoint(engine)
        return
    if engine.dialect.name == "postgresql" and tables:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            _vacuum(connection, tables)


def _vacuum(connection: sa.Connection, tables: Iterable[str]) -> None:
    """VACUUM each table (``connection`` in autocommit: it cannot run inside a transaction)."""
    for table in tables:
        connection.exec_driver_sql(f'VACUUM "{table}"')


def _checkpoint(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log's pages home and empty it (TRUNCATE), waiting at most
    CHECKPOINT_WAIT_MS; whether it finished (the pragma's first column says it was busy)."""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return row is not None and not row[0]


def scrub_left_behind() -> list[str]:
    """PostgreSQL: VACUUM each table marked ``scrubbed`` that still holds dead row versions
    (those ``scrub_deleted``'s VACUUM had to leave, as a transaction older than the delete was
    running), and return their names. SQLite: checkpoint the write-ahead log again, in case a
    reader kept the last one from finishing (a warning if this one could not finish either:
    the next run tries again), and return nothing. The job consumer runs it every
    minute (app/core/jobs.py). A table's count of dead row versions is the one VACUUM and the
    writers report (``pg_stat_user_tables.n_dead_tup``): a writer's deletes reach it up to a few
    seconds after its commit, so a run that misses them is followed by one that does not."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        if not _checkpoint(engine):
            log.warning("A reader kept the write-ahead log from being emptied: again in a minute")
        return []
    if engine.dialect.name != "postgresql":
        return []
    names = sorted(t.name for t in db.metadata.tables.values() if t.info.get("scrubbed"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        left = list(
            connection.execute(
                sa.text(
                    "SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 0"
                    " AND schemaname = current_schema() AND relname IN :names ORDER BY relname"
                ).bindparams(sa.bindparam("names", expanding=True)),
                {"names": names},
            ).scalars()
        )
        _vacuum(connection, left)
    return left
