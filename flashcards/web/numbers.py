"""Ids and numbers from the request (the path, the query string, a form): the one parser
(core/numbers.py) with the bounds the database sets, and the answer to a bad one. A
value that is no whole number is a 400 that names it; a number that can be no id (0,
negative, or past MAX_ID, which PostgreSQL's INTEGER cannot hold and PostgreSQL would
refuse to compare with one) names nothing, as a missing id does: a 404."""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter, ValidationError

from flashcards.core.numbers import NotAWholeNumber, NumberError, OutOfRange, shown, whole_number
from flashcards.db import MAX_ID
from flashcards.services.browse import MAX_PAGE


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: an id from 1 to MAX_ID in ASCII digits (werkzeug's own
    reads "١" as 1); anything else matches no route (404)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value, "id", least=1, most=MAX_ID)
        except NumberError:
            raise ValidationError() from None


def id_number(value: object, name: str = "id") -> int:
    """An id from a form: ASCII digits, else NotAWholeNumber (a ValueError) naming
    `name`. A number that can be no id is 0, which no row has: the service then says
    there is no such thing, as for any other missing id."""
    try:
        return whole_number(str(value), name, least=1, most=MAX_ID)
    except OutOfRange:
        return 0


def query_id(name: str, *, may_be_gone: bool = False) -> int | None:
    """The id in query argument `name` ("deck"); None when absent or empty. No whole
    number: 400. A number that can be no id: 404 "There is no deck N.", as for a missing
    deck; with `may_be_gone` (an id the page may still name after its row has gone, and
    then passes over, such as the card a study page showed) None, as for a missing one."""
    text = request.args.get(name, "")
    if text == "":
        return None
    try:
        return whole_number(text, name, least=1, most=MAX_ID)
    except NotAWholeNumber as error:
        abort(400, description=str(error))
    except OutOfRange:
        if may_be_gone:
            return None
        abort(404, description=f"There is no {name} {shown(text)}.")


def query_page(name: str = "page") -> int:
    """A page number from the query string, 1 when absent: below 1 the first page, past
    MAX_PAGE (however long) the last, which the search shows for any page past its end;
    no whole number: 400."""
    text = request.args.get(name, "")
    if text == "":
        return 1
    try:
        return whole_number(text, name, least=1, most=MAX_PAGE)
    except NotAWholeNumber as error:
        abort(400, description=str(error))
    except OutOfRange as error:
        return MAX_PAGE if error.above else 1
