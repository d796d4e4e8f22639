"""Whole numbers from text a browser sent (a query argument, a path, a form field): the
one parser every id and number from a URL or a form goes through.

int() alone is not that parser: it reads other scripts' digits ("١" is 1), spaces, "_"
and "+" (str.isdigit() also passes "²", which int() then refuses), and it refuses more
than 4,300 digits with a ValueError that names no field. Here only ASCII digits count
(with a "-": a negative number is out of range where the range holds none), and a
number with more digits than the range's bounds is out of range before anything
converts it."""

from __future__ import annotations

# How much of a bad value a message repeats.
SHOWN_CHARACTERS = 20


def shown(text: str) -> str:
    """`text` as an error message repeats it: at most SHOWN_CHARACTERS, then "…"."""
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


class NumberError(ValueError):
    """Text that is not a whole number in the range asked for. The message names the
    value (by the name the caller gave it) and the problem, and is safe to show."""

    def __init__(self, message: str, name: str, text: str) -> None:
        super().__init__(message)
        self.name = name
        self.text = text


class NotAWholeNumber(NumberError):
    """Not a number at all: a bad argument (400)."""


class OutOfRange(NumberError):
    """A whole number outside the range; `above`: too large (else too small). For an id
    it names nothing (404)."""

    def __init__(self, message: str, name: str, text: str, *, above: bool) -> None:
        super().__init__(message, name, text)
        self.above = above


def whole_number(text: str, name: str, *, least: int, most: int) -> int:
    """The whole number `text` writes in ASCII digits (leading zeros allowed, and a "-",
    never a "+"), from `least` to `most`. Raises NotAWholeNumber or OutOfRange, whose
    message names `name`: "deck must be a whole number, not “abc”.", "deck is too small:
    at least 1, not -3.", "range is too large: at most 365, not 99999999999999999999…"."""
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not (digits.isascii() and digits.isdigit()):  # isdigit alone takes "²" and "١"
        raise NotAWholeNumber(f"{name} must be a whole number, not “{shown(text)}”.", name,
                              text)
    significant = digits.lstrip("0") or "0"
    # More digits than either bound has: out of range, without converting it.
    if len(significant) > max(len(str(abs(least))), len(str(abs(most)))):
        above = not negative
    else:
        value = -int(significant) if negative else int(significant)
        if least <= value <= most:
            return value
        above = value > most
    if above:
        raise OutOfRange(f"{name} is too large: at most {most}, not {shown(text)}.", name, text,
                         above=True)
    raise OutOfRange(f"{name} is too small: at least {least}, not {shown(text)}.", name, text,
                     above=False)
