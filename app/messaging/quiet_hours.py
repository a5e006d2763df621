"""Quiet hours: no texts the system starts between sms_quiet_start and sms_quiet_end (21:00 to
09:00 by default) in the authority's time zone (Europe/London by default).

Times are worked out with zoneinfo on the local wall clock, so the quiet hours move with the
clocks at both daylight-saving changes. A reply inside a live conversation is not held back: the
person has just texted us. The end of quiet hours is found on the local calendar and converted
back to UTC, so "09:00" is 08:00 UTC in summer and 09:00 UTC in winter.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.staff.authority.services import get_settings


def _local(instant_utc: datetime, zone: str) -> datetime:
    aware = instant_utc if instant_utc.tzinfo else instant_utc.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def is_quiet(instant_utc: datetime, start: time, end: time, zone: str) -> bool:
    """Whether ``instant_utc`` (naive UTC or aware) falls in the quiet hours."""
    now = _local(instant_utc, zone).time().replace(tzinfo=None)
    if start == end:
        return False
    if start > end:  # across midnight, e.g. 21:00-09:00
        return now >= start or now < end
    return start <= now < end


def quiet_until(instant_utc: datetime, start: time, end: time, zone: str) -> datetime:
    """The first instant (naive UTC) at or after ``instant_utc`` outside the quiet hours."""
    if not is_quiet(instant_utc, start, end, zone):
        return instant_utc.replace(tzinfo=None) if instant_utc.tzinfo else instant_utc
    local = _local(instant_utc, zone)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)
    tz = ZoneInfo(zone)
    # fold=0: if the end time falls in a repeated hour, take its first occurrence.
    resume = datetime.combine(day, end, tzinfo=tz)
    return resume.astimezone(UTC).replace(tzinfo=None)


def settings_window() -> tuple[time, time, str]:
    settings = get_settings()
    return settings.sms_quiet_start, settings.sms_quiet_end, settings.timezone
