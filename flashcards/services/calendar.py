"""The plan as an iCalendar file: one all-day event a day, with stable UIDs so that
importing it again updates the events instead of adding copies."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from flashcards.services.plans import PlanView


def plan_calendar(view: PlanView, host: str, stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//flashcards//interview plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Interview preparation")
    for day in view.plan.days:
        tasks = [v.task for v in view.tasks.get(day.day, [])]
        lines = [f"About {day.reviews:.0f} reviews and {day.new} new cards "
                 f"({day.review_minutes + day.new_minutes:.0f} min)"]
        lines += [f"{'[x]' if t.done_at else '[ ]'} {t.title} ({t.minutes} min)" for t in tasks]
        event = Event()
        event.add("uid", f"plan-{day.day.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day.day)
        event.add("dtend", day.day + timedelta(days=1))
        summary = ("Interview day" if day.day == view.interview
                   else f"Prep: {day.minutes:.0f} min" + (f", {len(tasks)} task"
                                                        f"{'s' if len(tasks) != 1 else ''}"
                                                        if tasks else ""))
        event.add("summary", summary)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()

