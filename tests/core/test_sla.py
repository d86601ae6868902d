"""SLA targets and clocks: the default table, policy files, pauses, first response and warnings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import sla
from core.business_calendar import BusinessCalendar
from core.model import Criticality, Plan, TicketStatus
from core.sla import DEFAULT_POLICY, SlaPolicy, SlaTarget

SP = ZoneInfo("America/Sao_Paulo")
H = timedelta(hours=1)
M = timedelta(minutes=1)
OPEN, ANSWERED, FORWARDED, CLOSED = (
    TicketStatus.OPEN,
    TicketStatus.ANSWERED,
    TicketStatus.FORWARDED,
    TicketStatus.CLOSED,
)
PLANS_STRICT_FIRST = (Plan.VIP, Plan.OURO, Plan.PRATA)
URGENT_FIRST = (Criticality.CRITICA, Criticality.ALTA, Criticality.MEDIA, Criticality.BAIXA)


def sp(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SP)


MONDAY = sp(2025, 11, 24, 9)  # an ordinary week: no holiday until Thursday 20/11 of the week before
VIP_ALTA = DEFAULT_POLICY.target(Plan.VIP, Criticality.ALTA)  # 1h first response, 8h resolution


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar()


class TestDefaultPolicy:
    @pytest.mark.parametrize("criticality", list(Criticality))
    def test_vip_is_stricter_than_ouro_than_prata(self, criticality: Criticality) -> None:
        vip, ouro, prata = (DEFAULT_POLICY.target(plan, criticality) for plan in PLANS_STRICT_FIRST)
        assert vip.first_response < ouro.first_response < prata.first_response
        assert vip.resolution < ouro.resolution < prata.resolution

    @pytest.mark.parametrize("plan", list(Plan))
    def test_critica_is_stricter_than_alta_than_media_than_baixa(self, plan: Plan) -> None:
        targets = [DEFAULT_POLICY.target(plan, crit) for crit in URGENT_FIRST]
        assert [t.first_response for t in targets] == sorted(t.first_response for t in targets)
        assert [t.resolution for t in targets] == sorted(t.resolution for t in targets)
        assert len({t.first_response for t in targets}) == len({t.resolution for t in targets}) == 4

    def test_the_table(self) -> None:
        table = {
            (plan.value, crit.value): (
                sla.format_duration(DEFAULT_POLICY.target(plan, crit).first_response),
                sla.format_duration(DEFAULT_POLICY.target(plan, crit).resolution),
            )
            for plan in Plan
            for crit in Criticality
        }
        assert table[("VIP", "CRITICA")] == ("30m", "4h")
        assert table[("VIP", "BAIXA")] == ("4h", "40h")
        assert table[("OURO", "MEDIA")] == ("4h", "24h")
        assert table[("PRATA", "BAIXA")] == ("16h", "80h")
        assert DEFAULT_POLICY.warn_at == 0.8

    def test_targets_are_looked_up_by_enum_or_text(self) -> None:
        assert DEFAULT_POLICY.target("VIP", "ALTA") == DEFAULT_POLICY.target(Plan.VIP, Criticality.ALTA)

    def test_a_policy_must_cover_every_plan_and_criticality(self) -> None:
        with pytest.raises(ValueError, match="no target for"):
            SlaPolicy({(Plan.VIP, Criticality.ALTA): VIP_ALTA})

    def test_a_target_answers_first_within_the_resolution(self) -> None:
        with pytest.raises(ValueError, match="longer than"):
            SlaTarget(first_response=5 * H, resolution=4 * H)
        with pytest.raises(ValueError, match="positive"):
            SlaTarget(first_response=timedelta(0), resolution=4 * H)


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("30m", 30 * M),
            ("2h", 2 * H),
            ("1h30m", 90 * M),
            ("1h 30min", 90 * M),
            ("3d", 30 * H),  # three business days of 10h
            ("1d4h", 14 * H),
            ("2H", 2 * H),
        ],
    )
    def test_parse(self, text: str, expected: timedelta) -> None:
        assert sla.parse_duration(text) == expected

    def test_a_day_is_a_business_day_of_the_calendar(self) -> None:
        assert sla.parse_duration("3d", day_length=timedelta(hours=9)) == 27 * H

    @pytest.mark.parametrize("text", ["", "abc", "30", "0m", "-1h", "2x", "1.5h", "30m2h"])
    def test_refuse(self, text: str) -> None:
        with pytest.raises(ValueError):
            sla.parse_duration(text)

    @pytest.mark.parametrize(("value", "text"), [(30 * M, "30m"), (2 * H, "2h"), (90 * M, "1h30m"), (40 * H, "40h")])
    def test_format(self, value: timedelta, text: str) -> None:
        assert sla.format_duration(value) == text
        assert sla.parse_duration(text) == value


class TestPolicyFile:
    def write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "sla.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def test_a_partial_file_overrides_only_what_it_names(self, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            """
warn_at: 0.75
targets:
  VIP:
    CRITICA: {first_response: "15m"}
  prata:
    média: {first_response: "1d", resolution: "5d"}
""",
        )
        policy = sla.load_policy(path)
        assert policy.warn_at == 0.75
        assert policy.target(Plan.VIP, Criticality.CRITICA) == SlaTarget(15 * M, 4 * H)
        assert policy.target(Plan.PRATA, Criticality.MEDIA) == SlaTarget(10 * H, 50 * H)
        untouched = [
            (p, c)
            for p in Plan
            for c in Criticality
            if (p, c) not in {(Plan.VIP, Criticality.CRITICA), (Plan.PRATA, Criticality.MEDIA)}
        ]
        assert all(policy.target(p, c) == DEFAULT_POLICY.target(p, c) for p, c in untouched)

    def test_days_follow_the_calendar_day_length(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, "targets: {OURO: {BAIXA: {resolution: 2d}}}")
        policy = sla.load_policy(path, day_length=timedelta(hours=8))
        assert policy.target(Plan.OURO, Criticality.BAIXA).resolution == 16 * H

    def test_an_empty_file_keeps_the_defaults(self, tmp_path: Path) -> None:
        assert sla.load_policy(self.write(tmp_path, "")) == DEFAULT_POLICY

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("targets: {GOLD: {ALTA: {first_response: 1h}}}", "unknown plan 'GOLD'"),
            ("targets: {OURO: {URGENTE: {first_response: 1h}}}", "unknown criticality 'URGENTE'"),
            ("targets: {OURO: {ALTA: {first_response: 1x}}}", r"targets\.OURO\.ALTA\.first_response: '1x'"),
            ("targets: {OURO: {ALTA: {first_response: 30}}}", "with a unit"),
            ("targets: {OURO: {ALTA: {first_reply: 1h}}}", "unknown keys"),
            ("targets: {OURO: {ALTA: {first_response: 20h}}}", "longer than the resolution"),
            ("targets: [VIP, OURO]", "expected a mapping"),
            ("warn_at: 1.5", "warn_at"),
            ("warn_at: yes", "warn_at"),
            ("sla: {}", "unknown keys"),
            ("- just a list", "expected a mapping"),
            ("targets: {VIP: [unclosed", "not valid YAML"),
        ],
    )
    def test_a_bad_file_is_refused_with_the_place_of_the_mistake(self, tmp_path: Path, text: str, message: str) -> None:
        path = self.write(tmp_path, text)
        with pytest.raises(ValueError, match=message) as raised:
            sla.load_policy(path)
        assert str(path) in str(raised.value)


class TestRunningTime:
    def test_clock_runs_while_open(self, cal: BusinessCalendar) -> None:
        assert sla.running_time([(MONDAY, OPEN)], sp(2025, 11, 24, 11, 30), cal) == 150 * M

    def test_clock_pauses_while_answered_and_resumes_when_the_client_replies(self, cal: BusinessCalendar) -> None:
        history = [
            (MONDAY, OPEN),
            (sp(2025, 11, 24, 10), ANSWERED),  # waiting for the client overnight
            (sp(2025, 11, 25, 9), OPEN),
        ]
        assert sla.running_time(history, sp(2025, 11, 25, 11), cal) == 3 * H

    def test_clock_pauses_while_forwarded(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 9, 30), FORWARDED)]
        assert sla.running_time(history, sp(2025, 11, 27, 17), cal) == 30 * M
        history.append((sp(2025, 11, 28, 8), OPEN))
        assert sla.running_time(history, sp(2025, 11, 28, 10), cal) == 150 * M

    def test_clock_stops_when_closed_and_resumes_on_reopening(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 12), CLOSED)]
        assert sla.running_time(history, sp(2025, 12, 1, 12), cal) == 3 * H
        history.append((sp(2025, 12, 1, 9), OPEN))
        assert sla.running_time(history, sp(2025, 12, 1, 12), cal) == 6 * H

    def test_client_messages_while_open_do_not_count_twice(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 10), OPEN)]
        assert sla.running_time(history, sp(2025, 11, 24, 11), cal) == 2 * H

    def test_transitions_after_now_are_ignored(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 15), ANSWERED)]
        assert sla.running_time(history, sp(2025, 11, 24, 10), cal) == H

    def test_history_must_be_chronological_and_known(self, cal: BusinessCalendar) -> None:
        with pytest.raises(ValueError, match="chronological"):
            sla.running_time([(MONDAY, OPEN), (MONDAY - H, ANSWERED)], MONDAY + H, cal)
        with pytest.raises(ValueError):
            sla.running_time([(MONDAY, "PENDING")], MONDAY + H, cal)

    def test_naive_datetimes_are_refused(self, cal: BusinessCalendar) -> None:
        naive = datetime(2025, 11, 24, 10)
        with pytest.raises(ValueError, match="naive"):
            sla.running_time([(MONDAY, OPEN)], naive, cal)
        with pytest.raises(ValueError, match="naive"):
            sla.running_time([(naive, OPEN)], MONDAY + H, cal)
        with pytest.raises(ValueError, match="naive"):
            sla.evaluate([], MONDAY, None, None, VIP_ALTA, cal, naive)


def evaluate(
    cal: BusinessCalendar,
    now: datetime,
    history: Sequence[tuple[datetime, str]] | None = None,
    first_response_at: datetime | None = None,
    closed_at: datetime | None = None,
    target: SlaTarget = VIP_ALTA,
    warn_at: float = 0.8,
) -> sla.SlaStatus:
    return sla.evaluate(history or [(MONDAY, OPEN)], MONDAY, first_response_at, closed_at, target, cal, now, warn_at)


class TestFirstResponse:
    def test_met_when_the_analyst_replies_in_time(self, cal: BusinessCalendar) -> None:
        reply = sp(2025, 11, 24, 9, 50)
        status = evaluate(cal, sp(2025, 11, 24, 15), [(MONDAY, OPEN), (reply, ANSWERED)], first_response_at=reply)
        assert status.first_response_met is True
        assert status.first_response_breached is False
        assert status.first_response_due is None
        assert status.first_response_elapsed == 50 * M

    def test_breached_when_the_reply_is_late(self, cal: BusinessCalendar) -> None:
        reply = sp(2025, 11, 24, 10, 30)
        status = evaluate(cal, sp(2025, 11, 24, 15), [(MONDAY, OPEN), (reply, ANSWERED)], first_response_at=reply)
        assert status.first_response_met is False
        assert status.first_response_breached is True
        assert status.first_response_fraction == 1.5

    def test_pending_and_overdue(self, cal: BusinessCalendar) -> None:
        status = evaluate(cal, sp(2025, 11, 24, 10, 30))
        assert status.first_response_met is None
        assert status.first_response_breached is True
        assert status.first_response_due == sp(2025, 11, 24, 10)
        assert status.first_response_remaining == timedelta(0)

    def test_counted_in_business_hours_across_the_night(self, cal: BusinessCalendar) -> None:
        created = sp(2025, 11, 24, 17, 30)
        status = sla.evaluate([(created, OPEN)], created, None, None, VIP_ALTA, cal, sp(2025, 11, 25, 8), 0.8)
        assert status.first_response_elapsed == 30 * M
        assert status.first_response_due == sp(2025, 11, 25, 8, 30)
        assert not status.first_response_breached

    def test_closed_without_any_reply_stops_the_clock(self, cal: BusinessCalendar) -> None:
        closed = sp(2025, 11, 24, 9, 20)
        status = evaluate(cal, sp(2025, 11, 25, 15), [(MONDAY, OPEN), (closed, CLOSED)], closed_at=closed)
        assert status.first_response_elapsed == 20 * M
        assert status.first_response_met is None
        assert status.first_response_due is None
        assert not status.first_response_breached


class TestResolution:
    def test_running_ticket_is_due_now_plus_the_remaining_business_time(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 10), ANSWERED), (sp(2025, 11, 25, 9), OPEN)]
        status = evaluate(cal, sp(2025, 11, 25, 11), history, first_response_at=sp(2025, 11, 24, 10))
        assert status.resolution_running
        assert status.resolution_elapsed == 3 * H
        assert status.resolution_due == sp(2025, 11, 25, 16)  # 5h left of 8h
        assert status.resolution_remaining == 5 * H

    def test_paused_ticket_has_no_due_instant(self, cal: BusinessCalendar) -> None:
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 10), ANSWERED)]
        status = evaluate(cal, sp(2025, 11, 26, 11), history, first_response_at=sp(2025, 11, 24, 10))
        assert not status.resolution_running
        assert status.resolution_due is None
        assert status.resolution_elapsed == H
        assert status.resolution_met is None

    def test_due_moves_later_by_the_time_spent_waiting_for_the_client(self, cal: BusinessCalendar) -> None:
        before = evaluate(cal, sp(2025, 11, 24, 9, 30)).resolution_due
        history = [(MONDAY, OPEN), (sp(2025, 11, 24, 10), ANSWERED), (sp(2025, 11, 24, 14), OPEN)]
        after = evaluate(cal, sp(2025, 11, 24, 15), history).resolution_due
        assert before == sp(2025, 11, 24, 17)
        assert after == sp(2025, 11, 25, 11)  # four paused hours later

    def test_breached_while_running_reports_when_it_was_due(self, cal: BusinessCalendar) -> None:
        status = evaluate(cal, sp(2025, 11, 25, 10))
        assert status.resolution_breached
        assert status.resolution_due == sp(2025, 11, 24, 17)
        assert status.resolution_fraction == 11 / 8

    def test_closed_ticket_is_met_or_not(self, cal: BusinessCalendar) -> None:
        closed = sp(2025, 11, 24, 16)
        history = [(MONDAY, OPEN), (closed, CLOSED)]
        status = evaluate(cal, sp(2025, 12, 10, 9), history, first_response_at=MONDAY + M, closed_at=closed)
        assert status.resolution_met is True
        assert not status.resolution_running
        assert status.resolution_due is None
        assert status.resolution_elapsed == 7 * H

    def test_closed_at_stops_the_clock_even_if_history_lags(self, cal: BusinessCalendar) -> None:
        status = evaluate(cal, sp(2025, 11, 25, 16), closed_at=sp(2025, 11, 24, 12))
        assert status.resolution_elapsed == 3 * H
        assert not status.resolution_running


class TestWarnings:
    def test_first_response_warns_at_eighty_percent(self, cal: BusinessCalendar) -> None:
        assert not evaluate(cal, sp(2025, 11, 24, 9, 47)).first_response_warn
        status = evaluate(cal, sp(2025, 11, 24, 9, 48))
        assert status.first_response_fraction == pytest.approx(0.8)
        assert status.first_response_warn
        assert not status.first_response_breached

    def test_resolution_warns_at_eighty_percent_of_open_time(self, cal: BusinessCalendar) -> None:
        reply = sp(2025, 11, 24, 9, 30)
        history = [(MONDAY, OPEN), (reply, ANSWERED), (sp(2025, 11, 25, 8), OPEN)]
        # 30m Monday + 5h53m Tuesday = 6h23m of 8h: not yet; one minute later 6h24m = 80%
        assert not evaluate(cal, sp(2025, 11, 25, 13, 53), history, reply).resolution_warn
        status = evaluate(cal, sp(2025, 11, 25, 13, 54), history, reply)
        assert status.resolution_warn
        assert status.resolution_fraction == pytest.approx(0.8)
        assert not status.resolution_breached

    def test_warn_threshold_comes_from_the_policy(self, cal: BusinessCalendar) -> None:
        assert evaluate(cal, sp(2025, 11, 24, 9, 30), warn_at=0.5).first_response_warn
        assert not evaluate(cal, sp(2025, 11, 24, 9, 30), warn_at=0.8).first_response_warn


class TestDueAtOpen:
    def test_opened_friday_afternoon_is_due_after_the_weekend(self, cal: BusinessCalendar) -> None:
        target = DEFAULT_POLICY.target(Plan.OURO, Criticality.MEDIA)  # 4h / 24h
        first, resolution = sla.due_at_open(sp(2025, 11, 28, 17), target, cal)
        assert first == sp(2025, 12, 1, 11)  # 1h Friday + 3h Monday
        assert resolution == sp(2025, 12, 3, 11)  # 1h Fri + 10h Mon + 10h Tue + 3h Wed
        assert cal.format_local(first, sp(2025, 11, 28, 17)) == "segunda-feira, 01/12, às 11:00"

    def test_opened_on_saturday_counts_from_monday_morning(self, cal: BusinessCalendar) -> None:
        first, resolution = sla.due_at_open(sp(2025, 11, 29, 11), VIP_ALTA, cal)
        assert first == sp(2025, 12, 1, 9)
        assert resolution == sp(2025, 12, 1, 16)

    def test_agrees_with_evaluate_at_creation(self, cal: BusinessCalendar) -> None:
        first, resolution = sla.due_at_open(MONDAY, VIP_ALTA, cal)
        status = evaluate(cal, MONDAY)
        assert (status.first_response_due, status.resolution_due) == (first, resolution)
