"""Whose rows a statement may touch, enforced by the data layer for every statement.

A session works for one user (`session.info["user_id"]`, set by
`services.users.for_user`). From then on:

- every ORM statement run through the session (select, `session.get`, lazy loads, bulk
  UPDATE/DELETE) gets the criterion "belongs to that user" added for every owned model
  (`with_loader_criteria`), so another user's row is simply not there;
- a flush refuses to insert, change or delete an owned row of anyone else;
- a Core statement on an owned table, run on the session's connection, must say
  `<table>.user_id == OWNER` (settings: `settings.id == OWNER`) in the WHERE clause of
  every SELECT, UPDATE and DELETE that reads the table; the value of OWNER is filled in
  here from the session, never by the caller. A Core INSERT must carry the session's user.

A statement on an owned table without a user to scope it to is an error, not a query
of every user's rows. Work that is about every user on purpose (migrations, first-run
seeding of all users, creating a user, the benchmarks' builders) says so with
`all_users(session)` or the execution option `{ALL_USERS: True}`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, Integer, bindparam, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, with_loader_criteria
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnElement,
)
from sqlalchemy.sql.selectable import Alias, FromClause, Join, Select, TableClause

USER_KEY = "user_id"
ALL_USERS = "flashcards_all_users"
# Execution option set on ORM statements that got the owner criteria from this module.
_SCOPED = "flashcards_owner_scoped"
# Execution option: this search reads most of the user's cards; on SQLite a plain scan
# beats walking them through an index on user_id, which "user_id + 0" keeps it off.
SCAN = "flashcards_owner_scan"
_SESSION = "flashcards.session"

# The value of the owner criterion in Core statements, filled in from the session.
OWNER = bindparam("owner", type_=Integer())

# Owned tables and the column that names their user.
OWNER_COLUMNS = {
    "decks": "user_id",
    "cards": "user_id",
    "review_logs": "user_id",
    "plan_tasks": "user_id",
    "card_actions": "user_id",
    "seeded_bundles": "user_id",
    "calendar_feeds": "user_id",
    "fsrs_fits": "user_id",
    "jobs": "user_id",

    "readiness_history": "user_id",
    "settings": "id",
}


class UnscopedQuery(RuntimeError):
    """A statement on owned rows without the user it works for."""


def for_user(session: Session, user_id: int) -> Session:
    """Make `session` work for `user_id` (and return it)."""
    session.info[USER_KEY] = user_id
    session.info.pop(ALL_USERS, None)
    return session


def all_users(session: Session) -> Session:
    """Let `session` work across users, on purpose (seeding, creating users)."""
    session.info[ALL_USERS] = True
    session.info.pop(USER_KEY, None)
    return session


def session_owner(session: Session) -> int | None:
    user_id = session.info.get(USER_KEY)
    return None if user_id is None else int(user_id)


# -- the ORM: criteria on every statement, a check on every flush ----------------------


def install(owned: list[type], settings_model: type) -> None:
    """Listen on every Session (once): `owned` are the models with a user_id column,
    `settings_model` the one keyed by the user's id."""

    @event.listens_for(Session, "do_orm_execute")
    def _scope(state: Any) -> None:
        if not state.is_orm_statement or state.is_insert or state.execution_options.get(
                ALL_USERS):
            return  # Core statements and inserts: checked in before_execute
        session = state.session
        user_id = session_owner(session)
        if user_id is None:
            if session.info.get(ALL_USERS) or not _touches(state.all_mappers, owned,
                                                            settings_model):
                return
            raise UnscopedQuery("this session works for no user: use "
                                "users.for_user(session, id) (or scoping.all_users)")
        scan = bool(state.execution_options.get(SCAN))
        state.statement = state.statement.options(*_criteria(user_id, scan))
        state.update_execution_options(**{_SCOPED: True})

    @event.listens_for(Session, "before_flush")
    def _check_flush(session: Session, _context: Any, _instances: Any) -> None:
        if session.info.get(ALL_USERS):
            return
        user_id = session_owner(session)
        for instance in (*session.new, *session.dirty, *session.deleted):
            if isinstance(instance, settings_model):
                whose = instance.id  # type: ignore[attr-defined]
            elif isinstance(instance, tuple(owned)):
                whose = instance.user_id  # type: ignore[attr-defined]
            else:
                continue
            if user_id is None or whose != user_id:
                raise UnscopedQuery(f"refusing to write {type(instance).__name__} of user "
                                    f"{whose} in a session working for {user_id}")

    @event.listens_for(Session, "after_begin")
    def _remember(session: Session, _transaction: Any, connection: Connection) -> None:
        connection.info[_SESSION] = weakref.ref(session)


    # Built once per user (and scan flag): making the options costs more than the query.
    options_of: dict[tuple[int, bool], tuple[Any, ...]] = {}

    def _criteria(user_id: int, scan: bool) -> tuple[Any, ...]:
        key = (user_id, scan)
        options = options_of.get(key)
        if options is None:
            options = (*(with_loader_criteria(model, _owner_criterion(scan, user_id),
                                              include_aliases=True) for model in owned),
                       with_loader_criteria(settings_model, _settings_criterion(user_id),
                                            include_aliases=True))
            options_of[key] = options
        return options


def _settings_criterion(user_id: int) -> Any:
    return lambda cls: cls.id == user_id


def _owner_criterion(scan: bool, user_id: int) -> Any:
    if scan:
        return lambda cls: cls.user_id + 0 == user_id
    return lambda cls: cls.user_id == user_id


def _touches(mappers: Any, owned: list[type], settings_model: type) -> bool:
    kinds = (*owned, settings_model)
    return any(issubclass(mapper.class_, kinds) for mapper in mappers)


# -- Core: the owner criterion checked, its value filled in ----------------------------


def install_engine(engine: Engine, unit_of_work_caches: Callable[[], list[Any]]) -> None:
    """Check and fill in OWNER on every Core statement `engine` runs. The unit of work's
    own statements (flush, by primary key, checked in before_flush) are recognised by
    the compiled caches of the mappers (`unit_of_work_caches()`, asked each time: the
    mappers make new ones when they are configured again)."""

    @event.listens_for(engine, "checkin")
    def _forget_session(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool the connection works for nobody until a session begins on it.
        record.info.pop(_SESSION, None)

    @event.listens_for(engine, "before_execute", retval=True)
    def _before_execute(connection: Connection, statement: Any, multiparams: Any,
                        params: Any, options: Any) -> tuple[Any, Any, Any]:
        if options.get(ALL_USERS) or not isinstance(statement, ClauseElement):
            return statement, multiparams, params
        if options.get(_SCOPED):
            # An ORM statement, scoped by its criteria; it may use OWNER too.
            user_id = connection_owner(connection)
            if user_id is not None:
                multiparams, params = _with_owner(multiparams, params, user_id)
            return statement, multiparams, params
        cache = options.get("compiled_cache")
        if (cache is not None and any(cache is c for c in unit_of_work_caches())) or (
                connection_is_for_all_users(connection)):
            return statement, multiparams, params
        needs_owner, inserts_into = check(statement)
        if not needs_owner and inserts_into is None:
            return statement, multiparams, params
        user_id = connection_owner(connection)
        if user_id is None:
            raise UnscopedQuery(f"a statement on {inserts_into or 'owned rows'} in a session "
                                "that works for no user")
        if inserts_into is not None:
            column = OWNER_COLUMNS[inserts_into]
            for values in _param_sets(multiparams, params):
                whose = values[column] if column in values else _inline_value(
                    statement, connection, values, column)
                if whose != user_id:
                    raise UnscopedQuery(f"refusing to insert into {inserts_into} for user "
                                        f"{whose} in a session working for {user_id}")
        if needs_owner:
            multiparams, params = _with_owner(multiparams, params, user_id)
        return statement, multiparams, params


def _inline_value(statement: Any, connection: Connection, values: dict[str, Any],
                  column: str) -> Any:
    """The value an INSERT gives `column` in its own VALUES (not among the parameters)."""
    compiled = statement.compile(dialect=connection.dialect)
    return compiled.construct_params(values).get(column)


def connection_owner(connection: Connection) -> int | None:
    reference = connection.info.get(_SESSION)
    session = reference() if reference is not None else None
    if session is None or session.info.get(ALL_USERS):
        return None
    return session_owner(session)


def connection_is_for_all_users(connection: Connection) -> bool:
    reference = connection.info.get(_SESSION)
    session = reference() if reference is not None else None
    return bool(session is not None and session.info.get(ALL_USERS))


def _param_sets(multiparams: Any, params: Any) -> Iterator[dict[str, Any]]:
    if multiparams:
        for values in multiparams:
            if isinstance(values, dict):
                yield values
    if isinstance(params, dict) and (params or not multiparams):
        yield params


def _with_owner(multiparams: Any, params: Any, user_id: int) -> tuple[Any, Any]:
    def filled(values: dict[str, Any]) -> dict[str, Any]:
        given = values.get("owner", user_id)
        if given != user_id:
            raise UnscopedQuery(f"a statement asked for user {given}'s rows in a session "
                                f"working for {user_id}")
        return {**values, "owner": user_id}

    if multiparams:
        return [filled(values) for values in multiparams], params
    return multiparams, filled(params or {})


# Statements are checked once: the hot paths reuse statements built at import time.
_CHECKED: weakref.WeakKeyDictionary[ClauseElement, tuple[bool, str | None]] = (
    weakref.WeakKeyDictionary())


def check(statement: ClauseElement) -> tuple[bool, str | None]:
    """(whether the statement reads owned rows, and so needs OWNER; the owned table it
    inserts into, if any). Raises UnscopedQuery when a SELECT, UPDATE or DELETE reads
    an owned table without `owner column == OWNER` among its top-level conditions."""
    try:
        return _CHECKED[statement]
    except (KeyError, TypeError):
        pass
    result = _check(statement)
    try:
        _CHECKED[statement] = result
    except TypeError:
        pass
    return result


def _check(statement: ClauseElement) -> tuple[bool, str | None]:
    needs_owner = False
    inserts_into = None
    for node in visitors.iterate(statement):
        if isinstance(node, Insert):
            name = _table_name(node.table)
            if name in OWNER_COLUMNS:
                inserts_into = name
            continue
        if isinstance(node, Select):
            tables = [t for f in node.get_final_froms() for t in _tables(f)]
            where = node.whereclause
        elif isinstance(node, Update | Delete):
            tables = list(_tables(node.table))
            where = node.whereclause
        else:
            continue
        for table in tables:
            name = _table_name(table)
            if name not in OWNER_COLUMNS:
                continue
            if not _has_owner_condition(where, table, OWNER_COLUMNS[name]):
                raise UnscopedQuery(
                    f"a statement reads {name} without `{name}.{OWNER_COLUMNS[name]} == "
                    f"OWNER` among its conditions: {_shorten(statement)}")
            needs_owner = True
    return needs_owner, inserts_into


def _tables(from_: FromClause) -> Iterator[FromClause]:
    if isinstance(from_, Join):
        yield from _tables(from_.left)
        yield from _tables(from_.right)
    elif isinstance(from_, TableClause | Alias):
        yield from_


def _table_name(table: Any) -> str | None:
    if isinstance(table, Alias):
        table = table.element
    return table.name if isinstance(table, TableClause) else None


def _conditions(where: ColumnElement[Any] | None) -> Iterator[ColumnElement[Any]]:
    if where is None:
        return
    if isinstance(where, BooleanClauseList) and where.operator is operators.and_:
        for clause in where.clauses:
            yield from _conditions(clause)
    else:
        yield where


def _has_owner_condition(where: ColumnElement[Any] | None, table: Any, column: str) -> bool:
    for condition in _conditions(where):
        if not (isinstance(condition, BinaryExpression) and condition.operator is operators.eq
                and isinstance(condition.right, BindParameter)
                and condition.right.key == OWNER.key):
            continue
        left = condition.left
        # "user_id + 0": the same column, kept off its index (see SCAN).
        if isinstance(left, BinaryExpression) and left.operator is operators.add:
            left = left.left
        if getattr(left, "name", None) == column and _same_table(
                getattr(left, "table", None), table):
            return True
    return False


def _same_table(a: Any, b: Any) -> bool:
    # ORM attributes bring annotated copies of the table: the same table by name.
    if a is b:
        return True
    if isinstance(a, Alias) or isinstance(b, Alias):
        return False
    return isinstance(a, TableClause) and isinstance(b, TableClause) and a.name == b.name


def _shorten(statement: ClauseElement) -> str:
    text = " ".join(str(statement).split())
    return text if len(text) < 300 else text[:299] + "…"
