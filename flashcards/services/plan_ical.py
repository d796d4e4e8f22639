"""The plan as an iCalendar file, for the download and the private subscription.

All-day events with stable UIDs, so that importing the file again, or a calendar app
polling the subscription, updates the events instead of adding copies:

- `plan-<day>@host`: the day's card work (reviews and new cards, in minutes);
- `task-<id>@host`: each task on the day it is planned for, named by its title, so a
  moved task moves in the calendar;
- `interview-<user>@host`: interview day (its first round), wherever the settings put
  it, and `interview-<user>-round-<n>@host`: each later round, "Interview round n of N".

With a reminder time set (Settings.calendar_reminder), each plan day from today on gets
one alarm (VALARM) at that time, on the first of its events still to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

from flashcards.services.plans import PlanView, TaskView

# Calendar apps that honour it poll a subscription this often (Apple, Outlook; Google
# chooses its own interval).
REFRESH_INTERVAL = timedelta(hours=1)


def _minutes(value: float) -> str:
    return f"{value:.0f} min"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _all_day(uid: str, day: date, summary: str, description: str,
             stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _alarm(minute: int, what: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", what)
    # Relative to the start of an all-day event: that day's midnight, local time.
    alarm.add("trigger", timedelta(minutes=minute))
    return alarm


# An event and whether it is still to do (the day's reminder goes on the first such).
_DayEvent = tuple[Event, bool]


def plan_calendar(view: PlanView, host: str, stamp: datetime) -> bytes:
    calendar = _new_calendar()
    by_day: dict[date, list[_DayEvent]] = {}
    for day, event in _interview_events(view, host, stamp):
        by_day.setdefault(day, []).append((event, True))
    for day, event in _card_events(view, host, stamp):
        by_day.setdefault(day, []).append((event, True))
    for day_, task_views in sorted(view.tasks.items()):
        for task_view in task_views:
            for event_day, day_event in _task_events(task_view, day_, host, stamp):
                by_day.setdefault(event_day, []).append(day_event)

    reminder = view.settings.calendar_reminder
    for day_, day_events in sorted(by_day.items(), key=lambda item: item[0]):
        if reminder is not None and day_ >= view.today:
            _remind(day_events, reminder)
        for event, _open in day_events:
            calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar is untyped: to_ical returns bytes
    return ical


def _new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//flashcards//interview plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Interview preparation")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    return calendar


def _interview_events(view: PlanView, host: str,
                      stamp: datetime) -> Iterator[tuple[date, Event]]:
    """Interview day, or each round of an interview of several, as its own event."""
    rounds = view.rounds
    if len(rounds) == 1:
        yield view.interview, _all_day(f"interview-{view.settings.id}@{host}", view.interview,
                                       "Interview day", "The day the plan prepares you for.",
                                       stamp)
        return
    for number, day in enumerate(rounds, start=1):
        # The first round keeps the one-day interview's uid: adding rounds updates it.
        uid = (f"interview-{view.settings.id}@{host}" if number == 1
               else f"interview-{view.settings.id}-round-{number}@{host}")
        yield day, _all_day(uid, day, f"Interview round {number} of {len(rounds)}",
                            f"Round {number} of the interview the plan prepares you for.",
                            stamp)


def _card_events(view: PlanView, host: str, stamp: datetime) -> Iterator[tuple[date, Event]]:
    """Each plan day's card work, on the days that have any."""
    for day in view.plan.days:
        card_minutes = day.review_minutes + day.new_minutes
        if round(day.reviews) <= 0 and day.new <= 0:
            continue
        yield day.day, _all_day(
            f"plan-{day.day.isoformat()}@{host}", day.day,
            f"Cards: {_minutes(card_minutes)}",
            f"About {_count(round(day.reviews), 'review')} and "
            f"{_count(day.new, 'new card')} ({_minutes(card_minutes)}).", stamp)


def _task_events(task_view: TaskView, day: date, host: str,
                 stamp: datetime) -> Iterator[tuple[date, _DayEvent]]:
    """A task's events, by day: one, or one per part of a task split over days."""
    task = task_view.task
    description = task.details
    if task_view.rolled_from is not None:
        description = (f"Planned for {task_view.rolled_from:%a %-d %b}, not done yet."
                       + (f"\n\n{description}" if description else ""))
    still_to_do = task.done_at is None and not task_view.part_done
    for uid, event_day, summary in _task_summaries(task_view, day, host):
        event = _all_day(uid, event_day, summary, description, stamp)
        event.add("categories", [task.kind])
        yield event_day, (event, still_to_do)


def _task_summaries(task_view: TaskView, day: date,
                    host: str) -> list[tuple[str, date, str]]:
    """(uid, day, summary) of each of a task's events."""
    task = task_view.task
    done = task.done_at is not None
    if task_view.part_done:  # today's part is done, the rest is on a later day
        return [(f"task-{task.id}-{day.isoformat()}@{host}", day,
                 f"Done: {task.title} ({task.part_minutes} of {task.minutes} min)")]
    if len(task_view.parts) > 1 and not done:  # split over days: one event each
        return [(f"task-{task.id}@{host}" if k == 0
                 else f"task-{task.id}-{part_day.isoformat()}@{host}", part_day,
                 f"{task.title} ({minutes} of {task.minutes} min)")
                for k, (part_day, minutes) in enumerate(task_view.parts)]
    minutes = task_view.day_minutes
    length = (f"{task.minutes} min" if done or minutes >= task.minutes
              else f"{task.minutes} min, dropped from the plan" if minutes <= 0
              else f"{minutes} of {task.minutes} min")
    return [(f"task-{task.id}@{host}", day, f"{'Done: ' if done else ''}{task.title} ({length})")]


def _remind(day_events: list[_DayEvent], reminder: int) -> None:
    """One reminder a day, not one per event: on the first thing still to do."""
    first = next((event for event, open_ in day_events if open_), None)
    if first is not None:
        todo = [str(event["summary"]) for event, open_ in day_events if open_]
        first.add_component(_alarm(reminder, "Today: " + "; ".join(todo)))
