"""The one parser of whole numbers from a URL or a form (issue 24: no number can crash
a page)."""

import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashcards.core.numbers import NotAWholeNumber, NumberError, OutOfRange, whole_number

MAX_ID = 2**31 - 1


@pytest.mark.parametrize(("text", "value"), [
    ("1", 1), ("2147483647", MAX_ID), ("007", 7), ("0" * 5000 + "42", 42)])
def test_ascii_digits_are_read_as_their_number(text: str, value: int) -> None:
    assert whole_number(text, "deck", least=1, most=MAX_ID) == value


@pytest.mark.parametrize("text", [
    "", "-", "abc", "1.0", "1e3", "3e2", " 1", "1 ", "1_000", "+1", "- 1", "--1", "0x10",
    "²", "١", "٣٠", "１", "1\x00", "¹²³"])
def test_anything_but_ascii_digits_is_not_a_whole_number(text: str) -> None:
    with pytest.raises(NotAWholeNumber, match="^deck must be a whole number"):
        whole_number(text, "deck", least=1, most=MAX_ID)


def test_a_negative_number_is_out_of_range_where_the_range_holds_none() -> None:
    assert whole_number("-5", "offset", least=-10, most=10) == -5
    assert whole_number("-0", "offset", least=-10, most=10) == 0
    for text in ("-", "--5", "+5", "-²", "5-", "-+5"):
        with pytest.raises(NotAWholeNumber, match="offset must be a whole number"):
            whole_number(text, "offset", least=-10, most=10)
    with pytest.raises(OutOfRange, match=r"^offset is too small: at least -10, not -11\.$"):
        whole_number("-11", "offset", least=-10, most=10)
    with pytest.raises(OutOfRange, match=r"^deck is too small: at least 1, not -3\.$"):
        whole_number("-3", "deck", least=1, most=MAX_ID)


@pytest.mark.parametrize("digits", [11, 4300, 4301, 5000, 100_000, 1_000_000])
def test_a_huge_number_is_too_large_without_converting_it(digits: int) -> None:
    """int() refuses more than 4,300 digits with a ValueError: the length is checked
    first, so a huge number is "too large", at once."""
    started = time.perf_counter()
    with pytest.raises(OutOfRange, match=r"^deck is too large: at most 2147483647, "
                                         r"not 9{11,20}…?\.$") as caught:
        whole_number("9" * digits, "deck", least=1, most=MAX_ID)
    assert caught.value.above
    assert time.perf_counter() - started < 0.1
    with pytest.raises(OutOfRange, match="too small: at least -10, not -9999") as caught:
        whole_number("-" + "9" * digits, "offset", least=-10, most=10)
    assert not caught.value.above
    assert sys.get_int_max_str_digits() in (0, 4300)  # the limit stays as Python sets it


@pytest.mark.parametrize(("text", "above"), [
    ("2147483648", True), (str(2**63), True), (str(2**64), True), ("0", False)])
def test_numbers_outside_the_range_say_which_side(text: str, above: bool) -> None:
    with pytest.raises(OutOfRange) as caught:
        whole_number(text, "deck", least=1, most=MAX_ID)
    assert caught.value.above is above
    assert str(caught.value) == (f"deck is too large: at most 2147483647, not {text}." if above
                                 else "deck is too small: at least 1, not 0.")


def test_the_errors_are_value_errors_that_show_a_short_value() -> None:
    """A 100,000-character value is not echoed back whole."""
    with pytest.raises(ValueError, match=r"^range must be a whole number, not “x{20}…”\.$"):
        whole_number("x" * 100_000, "range", least=7, most=365)


@given(st.integers(min_value=-(10**30), max_value=10**30), st.integers(0, 3),
       st.integers(-1000, 1000), st.integers(0, 10**12))
def test_a_written_number_is_read_as_itself_or_refused_as_out_of_range(
        number: int, zeros: int, least: int, width: int) -> None:
    text = ("-" if number < 0 else "") + "0" * zeros + str(abs(number))
    most = least + width
    if least <= number <= most:
        assert whole_number(text, "n", least=least, most=most) == number
    else:
        with pytest.raises(OutOfRange) as caught:
            whole_number(text, "n", least=least, most=most)
        assert caught.value.above is (number > most)


@given(st.text(max_size=30))
def test_any_text_is_a_number_int_reads_the_same_or_a_clear_refusal(text: str) -> None:
    try:
        value = whole_number(text, "n", least=-(10**9), most=10**9)
    except NumberError as error:
        assert str(error).startswith("n ")
    else:
        assert value == int(text) and text.isascii() and text.lstrip("-").isdigit()
