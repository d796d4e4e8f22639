"""WTForms for every POST; Flask-WTF adds the CSRF token."""

from __future__ import annotations

import functools
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_FIELD_LENGTH,
    CardKind,
    LeechAction,
    field_too_long,
)
from flashcards.core.importplan import DuplicatePolicy
from flashcards.core.numbers import NotAWholeNumber, OutOfRange, whole_number
from flashcards.core.planner import (
    MAX_BUDGET_MINUTES,
    MAX_PLAN_DAYS,
    MAX_WEEKDAY_MINUTES,
    MIN_BUDGET_MINUTES,
    WEEKDAYS,
    interview_date_problem,
    later_rounds_problems,
    task_day_problem,
)
from flashcards.core.retention import MAX_RETENTION, MIN_RETENTION
from flashcards.core.taskformat import (
    MAX_DETAILS_LENGTH,
    MAX_TASK_MINUTES,
    MAX_TITLE_LENGTH,
    TaskKind,
    TaskPriority,
)
from flashcards.services.bulk import BulkAction
from flashcards.services.settings import valid_time_zones
from flashcards.web.numbers import id_number

E = TypeVar("E", bound=StrEnum)


def enum_choices(enum: type[E], labels: dict[E, str]) -> list[SelectChoice]:
    """A select's choices: every member of `enum`, in its order, with its label (a member
    without one fails here, when the forms are defined)."""
    return [SelectChoice(member.value, labels[member]) for member in enum]


class _DigitsField(IntegerField):
    """A number field read by the one parser (core/numbers.py): ASCII digits only, so
    "٥" is no number, and the field says so, naming itself. Left empty (or blank), its
    data is None: InputRequired or Optional says what that means."""

    data: Any  # an int once validated, as WTForms' IntegerField has it

    def read(self, text: str) -> int:
        raise NotImplementedError

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = self.read(str(valuelist[0]))
        except NotAWholeNumber as error:
            self.data = None
            raise ValueError(str(error)) from None


class WholeNumberField(_DigitsField):
    """A number within the bounds of the field's NumberRange (which every such field
    has): a number past them, however many digits it has, is just past them, and the
    range's own message says what the field takes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ranges = [v for v in self.validators if isinstance(v, NumberRange)
                  and isinstance(v.min, int) and isinstance(v.max, int)]
        if not ranges:
            raise TypeError(f"{self.name}: a whole number field needs a NumberRange with "
                            "both bounds")
        self.least, self.most = int(ranges[0].min), int(ranges[0].max)

    def read(self, text: str) -> int:
        try:
            return whole_number(text, str(self.label.text), least=self.least, most=self.most)
        except OutOfRange as error:
            return self.most + 1 if error.above else self.least - 1


class IdField(_DigitsField):
    """An id a page posts (a hidden field), read by web.numbers.id_number: a number that
    can be no id is 0, which no row has (the service then says there is none). A card's
    version, an INTEGER column too, is read the same way (0: a stale version)."""

    def read(self, text: str) -> int:
        return id_number(text, str(self.label.text))


def _optional_id(value: object) -> int | None:
    """An optional id in a select (whose first option, "Choose…", is empty)."""
    return None if value is None or value == "" else id_number(value)


# Epoch milliseconds past any real time (JavaScript's largest exact whole number).
MAX_EPOCH_MS = 2**53 - 1


class GradeForm(FlaskForm):
    card_id = IdField(validators=[InputRequired()])
    version = IdField(validators=[InputRequired()])
    rating = WholeNumberField(validators=[InputRequired(), NumberRange(min=1, max=4)])
    # Epoch milliseconds at which the server showed the card: gives the answer time.
    shown_at = WholeNumberField(validators=[Optional(), NumberRange(min=0, max=MAX_EPOCH_MS)])
    deck = IdField(validators=[Optional()])
    # Posted from the custom study page: back there afterwards.
    custom = BooleanField()


class CardActionForm(FlaskForm):
    card_id = IdField(validators=[InputRequired()])
    version = IdField(validators=[InputRequired()])
    deck = IdField(validators=[Optional()])
    custom = BooleanField()


class UndoForm(FlaskForm):
    deck = IdField(validators=[Optional()])
    custom = BooleanField()


class LearnMoreForm(FlaskForm):
    count = WholeNumberField("New cards", default=5, validators=[
        InputRequired(message="Say how many new cards to add, from 1 to 100."),
        NumberRange(min=1, max=100, message="Learn more adds 1 to 100 new cards at a time.")])
    next = HiddenField()


class CustomStudyForm(FlaskForm):
    deck = SelectField("Deck", coerce=_optional_id, validate_choice=False)
    tag = StringField("or tag", validators=[Optional(), Length(max=100)],
                      description="Cards with this tag, or a tag under it (tag::part).")
    count = WholeNumberField("How many cards (1 to 100)", default=20, validators=[
        InputRequired(message="Say how many cards to study, from 1 to 100."),
        NumberRange(min=1, max=100, message="Custom study takes 1 to 100 cards.")])


class FieldLength(Length):
    """A card field holds at most MAX_FIELD_LENGTH characters, as an imported one does,
    said as the importer says it (the input gets the same maxlength)."""

    def __init__(self) -> None:
        super().__init__(max=MAX_FIELD_LENGTH)

    def __call__(self, form: object, field: Field) -> None:
        length = len(field.data or "")
        if length > MAX_FIELD_LENGTH:
            raise ValidationError(field_too_long(field.label.text, length) + ".")


def _lf_line_breaks(value: str | None) -> str | None:
    """Browsers send a text area's line breaks as CRLF: keep them as LF, as the text area
    shows and counts them, so a field at the limit can be saved unchanged."""
    return value.replace("\r\n", "\n") if value else value


def _text(label: str, required: bool = True, **render_kw: object) -> TextAreaField:
    checks = [DataRequired(message=f"{label} cannot be empty.")] if required else [Optional()]
    return TextAreaField(label, validators=[*checks, FieldLength()],
                         filters=[_lf_line_breaks], render_kw=render_kw or None)


class CardEditForm(FlaskForm):
    deck = SelectField("Deck", coerce=id_number, validate_choice=True)
    front = _text("Front")
    back = _text("Back")
    weak_answer = _text("Weak answer", required=False)
    strong_answer = _text("Strong answer", required=False)
    tags = StringField("Tags", validators=[FieldLength()], description="Separated by spaces.")
    source = StringField("Source", validators=[FieldLength()])
    next = HiddenField()

    def require_answers(self) -> bool:
        """Answer-pair cards need both answers."""
        ok = True
        for field in (self.weak_answer, self.strong_answer):
            if not (field.data or "").strip():
                field.errors = [*field.errors, f"{field.label.text} cannot be empty."]
                ok = False
        return ok


class CardAddForm(CardEditForm):
    # After "Add card" the page comes back ready for the next card's front.
    front = _text("Front", autofocus=True)
    kind = SelectField("Kind", default=CardKind.BASIC.value, choices=enum_choices(CardKind, {
        CardKind.BASIC: "Basic (front and back)",
        CardKind.ANSWER_PAIR: "Answer pair (pick the strong answer)"}))


class DeckForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("A deck needs a name."),
                                           Length(max=MAX_DECK_NAME)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    lower_priority = BooleanField(
        "Lower priority", description="New cards from this deck are the first to be left "
        "out when the plan is short of time.")


BULK_CHOICES = enum_choices(BulkAction, {
    BulkAction.SUSPEND: "Suspend", BulkAction.UNSUSPEND: "Unsuspend",
    BulkAction.MOVE: "Move to deck…", BulkAction.ADD_TAG: "Add tag…",
    BulkAction.REMOVE_TAG: "Remove tag…", BulkAction.FORGET: "Reset to new (forget)",
    BulkAction.DELETE: "Delete…"})


class BulkForm(FlaskForm):
    action = SelectField("Action", choices=BULK_CHOICES,
                         validators=[InputRequired("Choose an action.")])
    scope = SelectField("Apply to", default="selected", choices=[
        SelectChoice("selected", "Selected cards"), SelectChoice("all", "All matching cards")])
    q = HiddenField()
    deck = SelectField("Deck", coerce=_optional_id, validators=[Optional()],
                       validate_choice=False)
    tag = StringField("Tag", validators=[Length(max=100)])
    confirm = HiddenField()


# The regions of the IANA names, in the order the time zone list shows them; every other
# name (UTC, Etc/GMT+5, old aliases such as US/Eastern) comes last, under "Other".
ZONE_REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
                "Europe", "Indian", "Pacific")


@functools.cache
def time_zone_options() -> tuple[tuple[str, str], ...]:
    """The zones this server knows, as (value, label) for a <datalist>, grouped by
    region: "America/Argentina/Buenos_Aires" is labelled "America · Argentina · Buenos
    Aires", so typing a city with spaces finds it too. Built once per process."""
    def key(name: str) -> tuple[int, str]:
        region = name.split("/", 1)[0]
        return (ZONE_REGIONS.index(region) if region in ZONE_REGIONS and "/" in name
                else len(ZONE_REGIONS), name)

    options = []
    for name in sorted(valid_time_zones(), key=key):
        parts = name.replace("_", " ").split("/")
        if parts[0] not in ZONE_REGIONS or len(parts) == 1:
            parts = ["Other", *parts]
        options.append((name, " · ".join(parts)))
    return tuple(options)


def _check_time_zone(field: Field) -> None:
    if field.data and field.data not in valid_time_zones():
        raise ValidationError(
            f"“{field.data}” is not a time zone this server knows: choose one from the "
            "list, e.g. Europe/London or America/New_York.")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# One optional field per weekday: its minutes, or blank for the daily budget.
_weekday_minutes = functools.partial(
    WholeNumberField, validators=[Optional(), NumberRange(
        min=0, max=MAX_WEEKDAY_MINUTES,
        message=f"Between 0 and {MAX_WEEKDAY_MINUTES} minutes, or blank for the daily "
                "budget.")],
    render_kw={"min": 0, "max": MAX_WEEKDAY_MINUTES, "inputmode": "numeric",
               "placeholder": "daily"})


def weekday_field_name(day: str) -> str:
    """The settings form's field of a weekday ("Monday" -> minutes_monday)."""
    return f"minutes_{day.lower()}"


class SettingsForm(FlaskForm):
    interview_date = DateField(
        "First interview round", validators=[InputRequired()],
        description=f"The plan aims every card at this day (at most {MAX_PLAN_DAYS} days ahead).")
    # The later rounds, each optional (core.planner.later_rounds_problems checks them).
    round_2 = DateField(
        "Round 2 (optional)", validators=[Optional()],
        description="If the interview has more rounds, their dates: the plan keeps your "
                    "cards at the target through the last one.")
    round_3 = DateField("Round 3 (optional)", validators=[Optional()])
    round_4 = DateField("Round 4 (optional)", validators=[Optional()])
    # Set by the view before validation: the user's study day and the stored dates.
    today: date | None = None
    stored_interview: date | None = None
    stored_rounds: tuple[date, ...] = ()

    @property
    def round_fields(self) -> tuple[DateField, ...]:
        return (self.round_2, self.round_3, self.round_4)

    @property
    def later_rounds(self) -> list[date | None]:
        """The later rounds' dates as given (None: left empty), round 2 first."""
        return [field.data for field in self.round_fields]

    def validate_interview_date(self, field: DateField) -> None:
        if field.data is not None and self.today is not None:
            problem = interview_date_problem(field.data, self.today, self.stored_interview)
            if problem:
                raise ValidationError(problem)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        first = self.interview_date.data
        if first is None or self.today is None or any(f.errors for f in self.round_fields):
            return valid
        problems = later_rounds_problems(self.later_rounds, first, self.today,
                                         self.stored_rounds)
        for index, problem in problems:
            field = self.round_fields[index]
            field.errors = [*field.errors, problem]
        return valid and not problems

    daily_minutes = WholeNumberField("Daily time budget (minutes)", validators=[
        InputRequired(), NumberRange(min=MIN_BUDGET_MINUTES, max=MAX_BUDGET_MINUTES)])
    interview_retention = FloatField(
        "Recall wanted on interview day",
        validators=[Optional(), NumberRange(min=MIN_RETENTION, max=MAX_RETENTION)],
        description="Leave empty to use the desired retention. Higher asks for a final "
                    "review of more cards just before the interview.")
    minutes_monday = _weekday_minutes("Monday")
    minutes_tuesday = _weekday_minutes("Tuesday")
    minutes_wednesday = _weekday_minutes("Wednesday")
    minutes_thursday = _weekday_minutes("Thursday")
    minutes_friday = _weekday_minutes("Friday")
    minutes_saturday = _weekday_minutes("Saturday")
    minutes_sunday = _weekday_minutes("Sunday")

    def weekday_fields(self) -> list[WholeNumberField]:
        """The seven weekday minute fields, Monday first."""
        return [getattr(self, weekday_field_name(day)) for day in WEEKDAYS]

    desired_retention = FloatField(
        "Desired retention",
        validators=[InputRequired(), NumberRange(min=MIN_RETENTION, max=MAX_RETENTION)],
        description="The share of cards you want to recall when they come due "
                    f"({MIN_RETENTION:.2f}-{MAX_RETENTION:.2f}). Higher means more reviews.")
    new_per_day = WholeNumberField("New cards per day",
                                   validators=[InputRequired(), NumberRange(min=0, max=9999)])
    max_reviews_per_day = WholeNumberField(
        "Maximum reviews per day", validators=[InputRequired(), NumberRange(min=0, max=99999)])
    timezone = StringField(
        "Time zone", validators=[DataRequired("Choose a time zone."), Length(max=64)],
        filters=[_strip],
        description="Type a city or a region to search, e.g. Europe/London.")

    def validate_timezone(self, field: StringField) -> None:
        _check_time_zone(field)

    rollover_hour = WholeNumberField(
        "Next day starts at (hour)", validators=[InputRequired(), NumberRange(min=0, max=23)],
        description="Reviews before this hour count for the previous day, as in Anki (default 4).")
    leech_threshold = WholeNumberField(
        "Leech threshold (lapses)", validators=[InputRequired(), NumberRange(min=1, max=99)],
        description="A card forgotten this many times is a leech (then again every half of "
                    "it), as in Anki (default 8).")
    leech_action = SelectField(
        "Leech action", default=LeechAction.SUSPEND.value, choices=enum_choices(LeechAction, {
            LeechAction.SUSPEND: "Tag “leech” and suspend",
            LeechAction.TAG: "Tag “leech” only"}))


class ImportForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")],
                     description="CSV with a header row (front, back, tags, deck, guid, ...) "
                                 "or an Anki text export (.txt / .csv), UTF-8.")
    deck = StringField("Deck", validators=[Length(max=MAX_DECK_NAME)],
                       description="For rows without a deck column. Leave empty to use the "
                                   "file's #deck: line, else the file's name (rows of "
                                   "“Python_terms.csv” go to the deck “Python terms”).")
    on_duplicate = SelectField(
        "When a card already exists", default=DuplicatePolicy.UPDATE.value,
        choices=enum_choices(DuplicatePolicy, {
            DuplicatePolicy.UPDATE: "Update it (keeps its schedule)",
            DuplicatePolicy.KEEP: "Keep the existing card",
            DuplicatePolicy.ADD: "Add the row as a new card"}))


class ConfirmForm(FlaskForm):
    pass


class LayoutForm(FlaskForm):
    """How to read an uploaded file: the header switch; the column choices come as a
    list of `column` values (one select per column), checked by the core."""

    header = BooleanField("The first row is a header (column names), not a card")


class LoginForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter your user name."),
                                           Length(max=100)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=1000)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class TaskDoneForm(FlaskForm):
    done = BooleanField()
    whole = BooleanField()  # the whole task, not just today's part of it


class _TaskDayForm(FlaskForm):
    """A form with a task's `day`, which must lie in the plan: the view sets today and
    interview (the plan's, see services.plans.plan_dates) before validating."""

    day = DateField("Day", validators=[InputRequired()])
    today: date | None = None
    interview: date | None = None

    def validate_day(self, field: DateField) -> None:
        if field.data is not None and self.today is not None and self.interview is not None:
            problem = task_day_problem(field.data, self.today, self.interview)
            if problem:
                raise ValidationError(problem)


class TaskMoveForm(_TaskDayForm):
    pass


_PRIORITY_CHOICES = enum_choices(TaskPriority, {
    TaskPriority.REQUIRED: "Required", TaskPriority.OPTIONAL: "Optional"})


def _needs_first() -> SelectMultipleField:
    """The tasks a task needs done first: the user's other tasks, as the view lists them;
    the service checks that each id is one of the user's tasks."""
    return SelectMultipleField("Needs first", coerce=id_number, validate_choice=False,
                               default=[])


class TaskAddForm(_TaskDayForm):
    title = StringField("Task", validators=[DataRequired("Give the task a title."),
                                            Length(max=MAX_TITLE_LENGTH)])
    details = StringField("Details", validators=[Length(max=MAX_DETAILS_LENGTH)])
    minutes = WholeNumberField("Minutes", default=30,
                               validators=[InputRequired(),
                                           NumberRange(min=1, max=MAX_TASK_MINUTES)])
    kind = SelectField("Kind", default=TaskKind.RESEARCH.value, choices=enum_choices(TaskKind, {
        TaskKind.STORIES: "Stories", TaskKind.WHITEBOARD: "Whiteboard",
        TaskKind.RESEARCH: "Research", TaskKind.MOCK: "Mock interview", TaskKind.REST: "Rest"}))
    # Left empty: by kind (mocks and the rest day are required).
    priority = SelectField("Priority", default="", validators=[Optional()], choices=[
        SelectChoice("", "Priority by kind"), *_PRIORITY_CHOICES])
    after = _needs_first()
    # Unticked: by kind (a mock interview is done in one sitting).
    sitting = BooleanField("One sitting")


class TaskEditForm(FlaskForm):
    title = StringField("Task", validators=[DataRequired("Give the task a title."),
                                            Length(max=MAX_TITLE_LENGTH)])
    details = StringField("Details", validators=[Length(max=MAX_DETAILS_LENGTH)])
    minutes = WholeNumberField("Minutes", validators=[InputRequired(),
                                                      NumberRange(min=1, max=MAX_TASK_MINUTES)])
    # Left out: the task keeps its priority.
    priority = SelectField("Priority", validators=[Optional()], choices=_PRIORITY_CHOICES)
    # The form has the task's order fields (after, sitting); left out: both are kept.
    with_order = HiddenField()
    after = _needs_first()
    sitting = BooleanField("One sitting")


class PlanAnywayForm(FlaskForm):
    """"Plan it anyway" for a task: on, or off again."""

    on = HiddenField(validators=[InputRequired(), AnyOf(("on", "off"))])


class SetupForm(FlaskForm):
    """The first-run set-up (see services.setup): the view sets `today` before
    validating; the service checks the date again in the chosen zone."""

    interview_date = DateField(
        "Interview date", validators=[InputRequired("Enter the interview date.")],
        description=f"Tomorrow at the earliest, at most {MAX_PLAN_DAYS} days ahead. Not "
                    "sure yet? Keep a month from now and change it in Settings later.")
    daily_minutes = WholeNumberField(
        "Minutes a day", validators=[InputRequired("Enter the minutes a day."),
                                     NumberRange(min=MIN_BUDGET_MINUTES, max=MAX_BUDGET_MINUTES,
                                                 message="Between 5 and 600 minutes.")],
        description="How long you can study on a normal day (5-600).")
    timezone = StringField(
        "Time zone", validators=[DataRequired("Choose a time zone."), Length(max=64)],
        filters=[_strip],
        description="Days start at 4 am here (changeable in Settings).")
    next = HiddenField()
    today: date | None = None

    def validate_interview_date(self, field: DateField) -> None:
        if field.data is not None and self.today is not None:
            problem = interview_date_problem(field.data, self.today)
            if problem:
                raise ValidationError(problem)

    def validate_timezone(self, field: StringField) -> None:
        _check_time_zone(field)


class SkipSetupForm(FlaskForm):
    # The browser's own zone, filled in by app.js: a skip keeps it over the server's.
    browser_zone = HiddenField()
    next = HiddenField()


class PlanFixForm(FlaskForm):
    """A fix the plan's pressure panel offers: a new daily budget or interview date
    (one of them; the service checks the date against today), with the new-card limit
    it needs when the limit keeps cards out too."""

    daily_minutes = WholeNumberField("Daily time budget (minutes)", validators=[
        Optional(), NumberRange(min=MIN_BUDGET_MINUTES, max=MAX_BUDGET_MINUTES)])
    interview_date = DateField("Interview date", validators=[Optional()])
    # The same bounds as the settings form's new_per_day.
    new_per_day = WholeNumberField("New cards per day",
                                   validators=[Optional(), NumberRange(min=0, max=9999)])
    # "Give Saturdays 3 hours": a weekday (0: Monday) and its own budget.
    weekday = WholeNumberField("Weekday", validators=[Optional(), NumberRange(min=0, max=6)])
    weekday_minutes = WholeNumberField("Minutes on that weekday", validators=[
        Optional(), NumberRange(min=0, max=MAX_BUDGET_MINUTES)])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        given = [self.daily_minutes.data is not None, self.interview_date.data is not None,
                 self.weekday.data is not None or self.weekday_minutes.data is not None]
        if sum(given) != 1:
            self.daily_minutes.errors = ["Give a new budget, a weekday's budget or a new "
                                         "interview date."]
            return False
        if given[2] and (self.weekday.data is None or self.weekday_minutes.data is None):
            self.weekday.errors = ["A weekday's budget needs the weekday and its minutes."]
            return False
        return True
