"""Business time: hand-checked dates on the Brazilian calendar, then properties for any instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_calendar import BusinessCalendar

SP = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
US = timedelta(microseconds=1)


def sp(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SP)


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar()


class TestWorkingHours:
    def test_friday_afternoon_plus_two_hours_is_monday_nine(self, cal: BusinessCalendar) -> None:
        assert cal.add(sp(2025, 11, 28, 17), 2 * H) == sp(2025, 12, 1, 9)

    def test_ticket_opened_on_saturday_starts_monday_at_eight(self, cal: BusinessCalendar) -> None:
        saturday = sp(2025, 11, 29, 10, 15)
        assert not cal.is_open(saturday)
        assert cal.next_open(saturday) == sp(2025, 12, 1, 8)
        assert cal.add(saturday, timedelta(0)) == sp(2025, 12, 1, 8)
        assert cal.add(saturday, H) == sp(2025, 12, 1, 9)

    def test_before_opening_waits_for_eight_the_same_day(self, cal: BusinessCalendar) -> None:
        assert cal.next_open(sp(2025, 12, 2, 6, 30)) == sp(2025, 12, 2, 8)

    def test_window_is_half_open(self, cal: BusinessCalendar) -> None:
        assert cal.is_open(sp(2025, 12, 2, 8))
        assert cal.is_open(sp(2025, 12, 2, 18) - US)
        assert not cal.is_open(sp(2025, 12, 2, 18))
        assert cal.next_open(sp(2025, 12, 2, 18)) == sp(2025, 12, 3, 8)

    def test_a_duration_ending_at_closing_is_due_at_closing_not_next_morning(self, cal: BusinessCalendar) -> None:
        assert cal.add(sp(2025, 11, 28, 16), 2 * H) == sp(2025, 11, 28, 18)

    def test_open_instant_is_its_own_next_opening(self, cal: BusinessCalendar) -> None:
        assert cal.next_open(sp(2025, 12, 2, 14, 30)) == sp(2025, 12, 2, 14, 30)
        assert cal.add(sp(2025, 12, 2, 14, 30), timedelta(0)) == sp(2025, 12, 2, 14, 30)

    def test_two_hundred_business_hours_are_twenty_days_skipping_black_awareness_day(
        self, cal: BusinessCalendar
    ) -> None:
        # Nov 2025: 3-7, 10-14, 17-19 + 21 (20/11 is a holiday), 24-28, then Dec 1.
        assert cal.add(sp(2025, 11, 3, 8), 200 * H) == sp(2025, 12, 1, 18)
        assert cal.between(sp(2025, 11, 3, 8), sp(2025, 12, 1, 18)) == 200 * H

    def test_years_of_business_time_add_up_without_minute_loops(self, cal: BusinessCalendar) -> None:
        end = cal.add(sp(2025, 1, 2, 8), 20_000 * H)
        assert cal.between(sp(2025, 1, 2, 8), end) == 20_000 * H

    def test_between_counts_only_open_hours(self, cal: BusinessCalendar) -> None:
        assert cal.between(sp(2025, 11, 28, 17), sp(2025, 12, 1, 9)) == 2 * H
        assert cal.between(sp(2025, 11, 29, 9), sp(2025, 11, 30, 17)) == timedelta(0)
        assert cal.between(sp(2025, 12, 1, 9), sp(2025, 11, 28, 17)) == timedelta(0)

    def test_day_length_is_closing_minus_opening(self) -> None:
        assert BusinessCalendar().day_length == 10 * H
        assert BusinessCalendar(opens=time(9), closes=time(17, 30)).day_length == timedelta(hours=8, minutes=30)

    def test_custom_hours_and_workdays(self) -> None:
        saturdays_too = BusinessCalendar(workdays=frozenset(range(6)), opens=time(9), closes=time(13))
        assert saturdays_too.add(sp(2025, 11, 28, 12), 2 * H) == sp(2025, 11, 29, 10)


class TestHolidays:
    @pytest.mark.parametrize(
        "holiday",
        [
            date(2025, 4, 21),  # Tiradentes
            date(2025, 4, 18),  # Sexta-feira Santa
            date(2025, 11, 20),  # Consciência Negra, national since 2024
            date(2025, 12, 25),  # Natal
            date(2026, 1, 1),  # Confraternização Universal
        ],
    )
    def test_national_holidays_are_closed(self, cal: BusinessCalendar, holiday: date) -> None:
        assert holiday.weekday() < 5
        assert not cal.is_business_day(holiday)
        assert not cal.is_open(datetime.combine(holiday, time(10), tzinfo=SP))

    def test_easter_long_weekend_skips_good_friday_and_tiradentes(self, cal: BusinessCalendar) -> None:
        # Thu 17/04/2025 17:00 + 2h: Fri 18 (Good Friday), the weekend and Mon 21 (Tiradentes) are closed.
        assert cal.add(sp(2025, 4, 17, 17), 2 * H) == sp(2025, 4, 22, 9)

    def test_christmas_is_skipped(self, cal: BusinessCalendar) -> None:
        assert cal.add(sp(2025, 12, 24, 17), 2 * H) == sp(2025, 12, 26, 9)

    def test_new_year_is_skipped(self, cal: BusinessCalendar) -> None:
        assert cal.next_open(sp(2025, 12, 31, 18, 30)) == sp(2026, 1, 2, 8)

    def test_carnival_and_corpus_christi_are_optional_in_the_package_so_open_by_default(
        self, cal: BusinessCalendar
    ) -> None:
        carnival, corpus_christi = date(2026, 2, 17), date(2026, 6, 4)
        public = holidays.country_holidays("BR", years=2026)
        optional = holidays.country_holidays("BR", years=2026, categories=("optional",))
        assert carnival not in public and corpus_christi not in public
        assert carnival in optional and corpus_christi in optional
        assert cal.is_business_day(carnival)
        assert cal.is_business_day(corpus_christi)

    def test_a_team_closing_on_carnival_lists_it_as_extra_holidays(self) -> None:
        cal = BusinessCalendar(extra_holidays=[date(2026, 2, 16), date(2026, 2, 17)])
        assert not cal.is_business_day(date(2026, 2, 16))
        assert cal.add(sp(2026, 2, 13, 17), 2 * H) == sp(2026, 2, 18, 9)

    def test_sao_paulo_state_holiday_only_with_the_sp_subdivision(self, cal: BusinessCalendar) -> None:
        revolution = date(2025, 7, 9)  # a Wednesday
        assert cal.is_business_day(revolution)
        assert not BusinessCalendar(subdivision="SP").is_business_day(revolution)
        assert BusinessCalendar(subdivision="RJ").is_business_day(revolution)

    def test_holidays_are_computed_once_per_year(self, cal: BusinessCalendar) -> None:
        assert cal.holidays_of(2025) is cal.holidays_of(2025)
        assert date(2025, 12, 25) in cal.holidays_of(2025)

    def test_is_business_day_reads_an_aware_datetime_on_the_calendar_zone(self, cal: BusinessCalendar) -> None:
        # 02:00 UTC on Saturday is still Friday evening in São Paulo.
        assert cal.is_business_day(datetime(2025, 11, 29, 2, tzinfo=UTC))


class TestWhatClientsRead:
    def test_describe_next_open_in_portuguese(self, cal: BusinessCalendar) -> None:
        assert cal.describe_next_open(sp(2025, 12, 2, 6, 30)) == "hoje às 08:00"
        assert cal.describe_next_open(sp(2025, 12, 2, 19)) == "amanhã às 08:00"
        assert cal.describe_next_open(sp(2025, 11, 28, 18, 5)) == "segunda-feira, 01/12, às 08:00"

    def test_describe_next_open_in_english(self, cal: BusinessCalendar) -> None:
        assert cal.describe_next_open(sp(2025, 12, 2, 6, 30), "en") == "today at 08:00"
        assert cal.describe_next_open(sp(2025, 12, 2, 19), "en_US") == "tomorrow at 08:00"
        assert cal.describe_next_open(sp(2025, 11, 28, 18, 5), "en") == "Monday, 12/01, at 08:00"

    def test_describe_next_open_while_open_is_now(self, cal: BusinessCalendar) -> None:
        assert cal.describe_next_open(sp(2025, 12, 2, 14, 37)) == "hoje às 14:37"

    def test_describe_next_open_reads_the_calendar_zone_not_the_input_zone(self, cal: BusinessCalendar) -> None:
        # 23:30 UTC on Tuesday is 20:30 in São Paulo: back "tomorrow", Wednesday.
        assert cal.describe_next_open(datetime(2025, 12, 2, 23, 30, tzinfo=UTC)) == "amanhã às 08:00"

    def test_format_local_in_both_locales(self, cal: BusinessCalendar) -> None:
        now = sp(2025, 11, 25, 10)  # a Tuesday
        assert cal.format_local(sp(2025, 11, 25, 14, 30), now) == "hoje às 14:30"
        assert cal.format_local(sp(2025, 11, 26, 9), now) == "amanhã às 09:00"
        assert cal.format_local(sp(2025, 11, 28, 10), now) == "sexta-feira, 28/11, às 10:00"
        assert cal.format_local(sp(2025, 11, 24, 17), now) == "ontem às 17:00"
        assert cal.format_local(sp(2025, 11, 25, 14, 30), now, "en") == "today at 14:30"
        assert cal.format_local(sp(2025, 11, 26, 9), now, "en") == "tomorrow at 09:00"
        assert cal.format_local(sp(2025, 11, 28, 10), now, "en") == "Friday, 11/28, at 10:00"
        assert cal.format_local(sp(2025, 11, 24, 17), now, "en") == "yesterday at 17:00"

    def test_format_local_adds_the_year_when_it_changes(self, cal: BusinessCalendar) -> None:
        now = sp(2025, 12, 30, 10)
        assert cal.format_local(sp(2026, 1, 2, 8), now) == "sexta-feira, 02/01/2026, às 08:00"
        assert cal.format_local(sp(2026, 1, 2, 8), now, "en") == "Friday, 01/02/2026, at 08:00"

    def test_format_local_converts_utc_to_the_calendar_zone(self, cal: BusinessCalendar) -> None:
        now = datetime(2025, 11, 25, 13, tzinfo=UTC)
        assert cal.format_local(datetime(2025, 11, 25, 17, 30, tzinfo=UTC), now) == "hoje às 14:30"


class TestRefusals:
    def test_naive_datetimes_are_refused_everywhere(self, cal: BusinessCalendar) -> None:
        naive = datetime(2025, 12, 2, 10)
        aware = sp(2025, 12, 2, 10)
        calls: list[Callable[[], object]] = [
            lambda: cal.is_open(naive),
            lambda: cal.next_open(naive),
            lambda: cal.add(naive, H),
            lambda: cal.between(naive, aware),
            lambda: cal.between(aware, naive),
            lambda: cal.describe_next_open(naive),
            lambda: cal.format_local(naive, aware),
            lambda: cal.format_local(aware, naive),
            lambda: cal.is_business_day(naive),
        ]
        for call in calls:
            with pytest.raises(ValueError, match="naive"):
                call()

    def test_negative_duration_is_refused(self, cal: BusinessCalendar) -> None:
        with pytest.raises(ValueError, match="negative"):
            cal.add(sp(2025, 12, 2, 10), -H)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"tz": "America/Nowhere"}, "time zone"),
            ({"opens": time(18), "closes": time(8)}, "before"),
            ({"opens": time(8), "closes": time(8)}, "before"),
            ({"workdays": frozenset()}, "workdays"),
            ({"workdays": frozenset({7})}, "workdays"),
            ({"country": "XX"}, "country"),
            ({"subdivision": "ZZ"}, "subdivision"),
            ({"extra_holidays": [datetime(2026, 2, 17, tzinfo=SP)]}, "dates"),
        ],
    )
    def test_misconfigured_calendars_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            BusinessCalendar(**kwargs)  # type: ignore[arg-type]


class TestDaylightSavingTime:
    """Brazil dropped DST in 2019; the arithmetic still follows wall-clock days of any zone."""

    @pytest.fixture
    def ny(self) -> BusinessCalendar:
        return BusinessCalendar(
            tz="America/New_York", country="US", workdays=frozenset(range(7)), opens=time(1), closes=time(23)
        )

    def test_spring_forward_day_has_one_real_hour_less(self, ny: BusinessCalendar) -> None:
        day = date(2025, 3, 9)
        assert ny.between(datetime(2025, 3, 9, tzinfo=NEW_YORK), datetime(2025, 3, 10, tzinfo=NEW_YORK)) == 21 * H
        assert ny.add(datetime.combine(day, time(1), tzinfo=NEW_YORK), 21 * H) == datetime(
            2025, 3, 9, 23, tzinfo=NEW_YORK
        )

    def test_fall_back_day_has_one_real_hour_more(self, ny: BusinessCalendar) -> None:
        assert ny.between(datetime(2025, 11, 2, tzinfo=NEW_YORK), datetime(2025, 11, 3, tzinfo=NEW_YORK)) == 23 * H
        assert ny.add(datetime(2025, 11, 2, 22, tzinfo=NEW_YORK), 2 * H) == datetime(2025, 11, 3, 2, tzinfo=NEW_YORK)

    def test_old_brazilian_dst_still_opens_at_eight_local(self, cal: BusinessCalendar) -> None:
        # 2018-11-05 (Monday) was in Brazilian summer time, UTC-2.
        opening = cal.next_open(datetime(2018, 11, 5, 9, tzinfo=UTC))
        assert opening == datetime(2018, 11, 5, 10, tzinfo=UTC)
        assert opening.astimezone(SP).time() == time(8)


# --- properties ------------------------------------------------------------

ZONES = [UTC, SP, MANAUS, NEW_YORK, ZoneInfo("Asia/Tokyo")]
CALENDARS = {
    "br": BusinessCalendar(),
    "br-sp-custom-hours": BusinessCalendar(subdivision="SP", opens=time(9, 30), closes=time(17, 45)),
    "new-york-with-dst-every-day": BusinessCalendar(
        tz="America/New_York", country="US", workdays=frozenset(range(7)), opens=time(1, 30), closes=time(22)
    ),
}
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

instants = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.sampled_from(ZONES)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=500 * H)
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120))
calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)


def is_closing(cal: BusinessCalendar, at: datetime) -> bool:
    """``at`` is exactly the end of a business day's window."""
    return not cal.is_open(at) and cal.is_open(at - US) and at.astimezone(cal.zone).time() == cal.closes


def is_utc(at: datetime) -> bool:
    return at.tzinfo is UTC


class TestProperties:
    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, d=durations)
    def test_between_undoes_add(self, cal: BusinessCalendar, a: datetime, d: timedelta) -> None:
        assert cal.between(a, cal.add(a, d)) == d

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, d=durations.filter(bool))
    def test_add_is_the_earliest_such_instant(self, cal: BusinessCalendar, a: datetime, d: timedelta) -> None:
        assert cal.between(a, cal.add(a, d) - US) < d

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, d1=durations, d2=durations)
    def test_add_is_monotonic(self, cal: BusinessCalendar, a: datetime, d1: timedelta, d2: timedelta) -> None:
        low, high = sorted((d1, d2))
        assert cal.add(a, low) <= cal.add(a, high)
        if low < high:
            assert cal.add(a, low) < cal.add(a, high)

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, d1=durations, d2=durations)
    def test_add_composes(self, cal: BusinessCalendar, a: datetime, d1: timedelta, d2: timedelta) -> None:
        stepwise = cal.add(cal.add(a, d1), d2)
        if d2:
            assert stepwise == cal.add(a, d1 + d2)
        else:
            # adding nothing moves a closing instant to the next opening
            assert stepwise == cal.next_open(cal.add(a, d1))

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, gap1=gaps, gap2=gaps, zone=st.sampled_from(ZONES))
    def test_between_is_additive(
        self, cal: BusinessCalendar, a: datetime, gap1: timedelta, gap2: timedelta, zone: ZoneInfo
    ) -> None:
        # arithmetic in UTC: wall-clock arithmetic in a DST zone could step backwards out of a repeated hour
        b = (a.astimezone(UTC) + gap1).astimezone(zone)
        c = (b.astimezone(UTC) + gap2).astimezone(a.tzinfo)
        assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
        assert cal.between(c, a) == timedelta(0)

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, d=durations)
    def test_add_lands_open_or_exactly_on_a_closing(self, cal: BusinessCalendar, a: datetime, d: timedelta) -> None:
        result = cal.add(a, d)
        assert is_utc(result)
        if not d:
            assert result == cal.next_open(a)
            assert cal.is_open(result)
        else:
            assert cal.is_open(result) or is_closing(cal, result)
            assert result > cal.next_open(a)

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants)
    def test_next_open_is_open_and_nothing_open_comes_before_it(self, cal: BusinessCalendar, a: datetime) -> None:
        opening = cal.next_open(a)
        assert is_utc(opening)
        assert opening >= a
        assert cal.is_open(opening)
        assert cal.between(a, opening) == timedelta(0)
        # compared in UTC: Python never calls an instant in a DST-repeated hour (fold=1) equal to
        # a datetime of another zone
        assert (opening == a.astimezone(UTC)) == cal.is_open(a)

    @PROPERTY_SETTINGS
    @given(cal=calendars, a=instants, gap=gaps, d=durations, zone=st.sampled_from(ZONES))
    def test_the_input_zone_does_not_matter(
        self, cal: BusinessCalendar, a: datetime, gap: timedelta, d: timedelta, zone: ZoneInfo
    ) -> None:
        b = a + gap
        moved_a, moved_b = a.astimezone(zone), b.astimezone(zone)
        assert cal.add(moved_a, d) == cal.add(a, d)
        assert is_utc(cal.add(moved_a, d))
        assert cal.between(moved_a, moved_b) == cal.between(a, b)
        assert cal.is_open(moved_a) == cal.is_open(a)
        assert cal.next_open(moved_a) == cal.next_open(a)
        assert cal.format_local(moved_a, moved_b) == cal.format_local(a, b)
