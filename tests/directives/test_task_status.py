"""derive_status on every edge: deadline today, done on the deadline, a day late, reopened,
not accepted, reporting rhythms."""
from datetime import date, timedelta

from portal.directives.status import Rhythm, Status, TaskFacts, derive_status, is_due_soon, missing_periods

DEADLINE = date(2021, 9, 15)


def test_not_done_on_the_deadline_day_is_still_within_the_deadline():
    assert derive_status(TaskFacts(deadline=DEADLINE), DEADLINE) is Status.IN_PROGRESS


def test_not_done_the_day_after_the_deadline_is_overdue():
    assert derive_status(TaskFacts(deadline=DEADLINE), DEADLINE + timedelta(days=1)) is Status.OVERDUE


def test_done_on_the_deadline_is_on_time():
    facts = TaskFacts(deadline=DEADLINE, completed_on=DEADLINE)
    assert derive_status(facts, date(2026, 1, 1)) is Status.DONE_ON_TIME


def test_done_a_day_late_is_done_late():
    facts = TaskFacts(deadline=DEADLINE, completed_on=DEADLINE + timedelta(days=1))
    assert derive_status(facts, DEADLINE + timedelta(days=1)) is Status.DONE_LATE


def test_done_early_stays_on_time_for_ever():
    assert derive_status(TaskFacts(deadline=DEADLINE, completed_on=date(2021, 9, 1)), date(2030, 1, 1)) \
        is Status.DONE_ON_TIME


def test_reopened_task_after_the_deadline_is_overdue_again():
    # Reopening clears completed_on: the task is judged as not done.
    reopened = TaskFacts(deadline=DEADLINE, completed_on=None)
    assert derive_status(reopened, date(2021, 9, 20)) is Status.OVERDUE


def test_reopened_task_within_the_deadline_is_in_progress():
    assert derive_status(TaskFacts(deadline=DEADLINE), date(2021, 9, 10)) is Status.IN_PROGRESS


def test_not_accepted_within_the_deadline_shows_not_accepted():
    assert derive_status(TaskFacts(deadline=DEADLINE, accepted=False), DEADLINE) is Status.NOT_ACCEPTED


def test_not_accepted_past_the_deadline_is_overdue():
    assert derive_status(TaskFacts(deadline=DEADLINE, accepted=False), DEADLINE + timedelta(days=1)) is Status.OVERDUE


def test_no_deadline_never_overdue():
    assert derive_status(TaskFacts(deadline=None), date(2030, 1, 1)) is Status.IN_PROGRESS
    assert derive_status(TaskFacts(deadline=None, completed_on=date(2021, 1, 1)), date(2030, 1, 1)) \
        is Status.DONE_ON_TIME


def test_due_soon_window_includes_today_and_n_days_ahead():
    facts = TaskFacts(deadline=DEADLINE)
    assert is_due_soon(facts, DEADLINE, 3)
    assert is_due_soon(facts, DEADLINE - timedelta(days=3), 3)
    assert not is_due_soon(facts, DEADLINE - timedelta(days=4), 3)
    assert not is_due_soon(facts, DEADLINE + timedelta(days=1), 3)  # overdue, not "soon"
    assert not is_due_soon(TaskFacts(deadline=DEADLINE, completed_on=DEADLINE), DEADLINE, 3)


def _daily(days, **kw):
    return TaskFacts(deadline=date(2021, 9, 30), rhythm=Rhythm.DAILY, starts_on=date(2021, 9, 6),
                     report_days=frozenset(days), **kw)


def test_daily_rhythm_with_every_past_day_reported_is_in_progress():
    days = [date(2021, 9, 6) + timedelta(days=i) for i in range(4)]
    assert derive_status(_daily(days), date(2021, 9, 10)) is Status.IN_PROGRESS


def test_daily_rhythm_today_not_yet_reported_is_not_missing():
    days = [date(2021, 9, 6) + timedelta(days=i) for i in range(4)]  # 6..9; today is 10
    assert missing_periods(_daily(days), date(2021, 9, 10)) == []


def test_daily_rhythm_missing_yesterday_is_overdue():
    days = [date(2021, 9, 6), date(2021, 9, 7), date(2021, 9, 8)]  # 9 missing
    facts = _daily(days)
    assert missing_periods(facts, date(2021, 9, 10)) == [(date(2021, 9, 9), date(2021, 9, 9))]
    assert derive_status(facts, date(2021, 9, 10)) is Status.OVERDUE


def _weekly(days, starts=date(2021, 9, 8)):  # a Wednesday
    return TaskFacts(deadline=date(2021, 10, 10), rhythm=Rhythm.WEEKLY, starts_on=starts,
                     report_days=frozenset(days))


def test_weekly_rhythm_first_week_is_cut_at_the_start_day():
    facts = _weekly([])
    assert missing_periods(facts, date(2021, 9, 13)) == [(date(2021, 9, 8), date(2021, 9, 12))]


def test_weekly_rhythm_one_report_per_week_is_enough():
    facts = _weekly([date(2021, 9, 10), date(2021, 9, 13)])
    assert derive_status(facts, date(2021, 9, 20)) is Status.IN_PROGRESS  # week of 13–19 reported on 13


def test_weekly_rhythm_a_missing_week_is_overdue():
    facts = _weekly([date(2021, 9, 10), date(2021, 9, 21)])
    assert derive_status(facts, date(2021, 9, 27)) is Status.OVERDUE


def test_rhythm_periods_stop_at_the_end_date():
    facts = _weekly([date(2021, 9, 10), date(2021, 9, 13), date(2021, 9, 20), date(2021, 9, 27), date(2021, 10, 4)])
    assert missing_periods(facts, date(2021, 12, 1)) == []


def test_rhythm_task_done_ignores_missing_reports():
    facts = TaskFacts(deadline=date(2021, 10, 10), rhythm=Rhythm.WEEKLY, starts_on=date(2021, 9, 8),
                      completed_on=date(2021, 10, 10))
    assert derive_status(facts, date(2022, 1, 1)) is Status.DONE_ON_TIME


def test_rhythm_missing_report_makes_even_an_unaccepted_task_overdue():
    facts = TaskFacts(deadline=date(2021, 10, 10), rhythm=Rhythm.DAILY, starts_on=date(2021, 9, 8), accepted=False)
    assert derive_status(facts, date(2021, 9, 10)) is Status.OVERDUE
