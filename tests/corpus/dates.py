"""Dates: `from datetime import date, datetime, timedelta`, ISO parsing, weekdays, differences."""

import calendar
from datetime import date, datetime, timedelta
from typing import Optional

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOLIDAYS = {(1, 1): "New Year's Day", (7, 4): "Independence Day", (12, 25): "Christmas Day"}


def days_between(start: str, end: str) -> int:
    """Days from one ISO date to another (negative when end is earlier).

    Args:
        start: e.g. "2024-01-31".
        end: e.g. "2024-03-01".
    """
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def weekday_name(day: str) -> str:
    """The weekday of an ISO date, e.g. "2000-01-01" -> "Saturday".

    Args:
        day: An ISO date.
    """
    return WEEKDAYS[date.fromisoformat(day).weekday()]


def add_days(day: str, days: int) -> dict:
    """The date `days` after an ISO date, with its weekday and whether it is a holiday.

    Args:
        day: An ISO date.
        days: How many days to add (negative goes back).
    """
    result = date.fromisoformat(day) + timedelta(days=days)
    return {
        "date": result.isoformat(),
        "weekday": result.strftime("%A"),
        "holiday": HOLIDAYS.get((result.month, result.day)),
        "day_of_year": result.timetuple().tm_yday,
    }


def age_on(birthday: str, on: str) -> int:
    """A person's age in whole years on a given date.

    Args:
        birthday: ISO date of birth.
        on: ISO date to compute the age at.
    """
    born, today = date.fromisoformat(birthday), date.fromisoformat(on)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def business_days(start: str, end: str) -> int:
    """Weekdays (Monday to Friday) from start up to and including end.

    Args:
        start: ISO date.
        end: ISO date, not before start.
    """
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first:
        raise ValueError("end is before start")
    if (last - first).days > 100_000:
        raise ValueError("range too long")
    count = 0
    day = first
    while day <= last:
        if day.weekday() < 5:
            count += 1
        day += timedelta(days=1)
    return count


def parse_timestamp(stamp: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> dict:
    """Parse a timestamp and describe it.

    Args:
        stamp: The timestamp text.
        fmt: Its strptime format.
    """
    moment = datetime.strptime(stamp, fmt)
    return {
        "iso": moment.isoformat(),
        "date": str(moment.date()),
        "hour": moment.hour,
        "pretty": moment.strftime("%a %d %b %Y, %I:%M %p"),
        "week": moment.isocalendar()[1],
        "midnight_seconds": (moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds(),
    }


def duration_text(seconds: int) -> str:
    """A duration as "2 days, 3:04:05", as str(timedelta) writes it.

    Args:
        seconds: The duration in seconds (may be negative).
    """
    return str(timedelta(seconds=seconds))


def month_calendar(year: int, month: int) -> dict:
    """Length of a month, its first weekday and whether the year is a leap year.

    Args:
        year: e.g. 2024.
        month: 1 to 12.
    """
    first_weekday, length = calendar.monthrange(year, month)
    return {
        "days": length,
        "first_weekday": WEEKDAYS[first_weekday],
        "leap_year": calendar.isleap(year),
        "last_day": date(year, month, length).isoformat(),
    }


def next_weekday(day: str, weekday: str = "Monday") -> Optional[str]:
    """The next given weekday strictly after an ISO date, or null for an unknown weekday name.

    Args:
        day: ISO date.
        weekday: A weekday name such as "Friday".
    """
    if weekday.capitalize() not in WEEKDAYS:
        return None
    start = date.fromisoformat(day)
    ahead = (WEEKDAYS.index(weekday.capitalize()) - start.weekday() - 1) % 7 + 1
    return (start + timedelta(days=ahead)).isoformat()


def timeline(events: dict[str, str]) -> list[dict]:
    """Events (name -> ISO date) in date order, each with the days since the previous one.

    Args:
        events: Event names and their dates.
    """
    ordered = sorted(events.items(), key=lambda item: date.fromisoformat(item[1]))
    result = []
    previous = None
    for name, when in ordered:
        day = date.fromisoformat(when)
        result.append({"event": name, "date": when, "gap": (day - previous).days if previous else None})
        previous = day
    return result
