"""Coverage arithmetic on hand-made cases: zones, rounds, deadlines, pooled results."""
from collections import Counter
from datetime import date, datetime

from portal.coverage import arithmetic as a
from portal.coverage.arithmetic import SampleFact as S

DEADLINE = date(2021, 9, 15)
THREE = a.Target(3, DEADLINE)
ONE = a.Target(1, DEADLINE)


def test_default_targets_follow_the_seeds_three_rounds_in_risk_zones_one_elsewhere():
    targets = a.default_targets(DEADLINE)
    assert targets["lockdown"] == targets["high_risk"] == THREE
    assert targets["other"] == ONE


def test_lockdown_person_with_rounds_1_2_3_by_the_deadline_meets_the_target():
    state = a.person_state([S(1, date(2021, 9, 1), "negative"), S(2, date(2021, 9, 6), "negative"),
                            S(3, date(2021, 9, 11), "negative")], THREE)
    assert state.rounds == 0b111 and a.meets(state.rounds_on_time, THREE)
    assert a.contribution(state, THREE) == Counter({"round:1": 1, "round:2": 1, "round:3": 1, "sampled": 1, "met": 1})


def test_lockdown_person_missing_round_2_does_not_meet_even_with_two_samples_in_round_3():
    state = a.person_state([S(1, date(2021, 9, 1)), S(3, date(2021, 9, 11)), S(3, date(2021, 9, 12))], THREE)
    assert not a.meets(state.rounds_on_time, THREE)
    assert a.contribution(state, THREE)["round:3"] == 1  # a person counts once per round


def test_round_sampled_after_the_deadline_counts_as_sampled_but_not_towards_the_target():
    late = a.Target(3, date(2021, 9, 10))
    state = a.person_state([S(1, date(2021, 9, 1), "negative"), S(2, date(2021, 9, 6), "negative"),
                            S(3, date(2021, 9, 11), "negative")], late)
    assert state.rounds == 0b111 and state.rounds_on_time == 0b011
    assert "met" not in a.contribution(state, late)


def test_other_zone_needs_round_1_only():
    assert a.meets(a.person_state([S(1, date(2021, 9, 2))], ONE).rounds_on_time, ONE)
    assert not a.meets(a.person_state([S(2, date(2021, 9, 7))], ONE).rounds_on_time, ONE)


def test_no_target_for_a_zone_means_nobody_meets_it():
    assert not a.meets(0b111, None)


def test_pool_negative_members_are_negative_and_not_pending():
    state = a.person_state([S(1, date(2021, 9, 1), "negative", pooled=True)], ONE)
    assert (state.pending, state.positive, state.retest) == (0, False, False)


def test_pool_positive_member_needs_retest_until_an_individual_result():
    t0 = datetime(2021, 9, 1, 8)
    pooled = S(1, date(2021, 9, 1), "pool_positive", pooled=True, taken_at=t0)
    state = a.person_state([pooled], ONE)
    assert state.retest and not state.positive
    waiting = a.person_state([pooled, S(1, date(2021, 9, 2), "pending", taken_at=datetime(2021, 9, 2, 8))], ONE)
    assert waiting.retest and waiting.pending == 1
    cleared = a.person_state([pooled, S(1, date(2021, 9, 2), "negative", taken_at=datetime(2021, 9, 2, 8))], ONE)
    assert not cleared.retest and not cleared.positive
    confirmed = a.person_state([pooled, S(1, date(2021, 9, 2), "positive", taken_at=datetime(2021, 9, 2, 8))], ONE)
    assert confirmed.positive and not confirmed.retest


def test_individual_result_before_a_later_positive_pool_does_not_clear_the_retest():
    state = a.person_state([S(1, date(2021, 9, 1), "negative", taken_at=datetime(2021, 9, 1, 8)),
                            S(2, date(2021, 9, 6), "pool_positive", pooled=True, taken_at=datetime(2021, 9, 6, 8))], THREE)
    assert state.retest


def test_one_new_pending_sample_moves_the_state_as_a_full_rederivation_would():
    """The sampling point adds a sample to the stored state (with_new_sample) instead of re-reading
    every sample of the person: both ways must agree, whatever came before, in or after the deadline."""
    import itertools

    history = [S(1, date(2021, 9, 1), "negative", taken_at=datetime(2021, 9, 1, 8)),
               S(2, date(2021, 9, 6), "pool_positive", pooled=True, taken_at=datetime(2021, 9, 6, 8)),
               S(2, date(2021, 9, 7), "positive", taken_at=datetime(2021, 9, 7, 8)),
               S(3, date(2021, 9, 20), "pending", taken_at=datetime(2021, 9, 20, 8))]
    new_samples = [S(1, date(2021, 9, 2), taken_at=datetime(2021, 9, 2, 9)),
                   S(3, date(2021, 9, 15), pooled=True, taken_at=datetime(2021, 9, 15, 23)),
                   S(4, date(2021, 9, 21), taken_at=datetime(2021, 9, 21, 7))]
    for target in (ONE, THREE, None):
        for size in range(len(history) + 1):
            for before in itertools.combinations(history, size):
                for new in new_samples:
                    state = a.person_state(list(before), target, doses=1)
                    expected = a.person_state([*before, new], target, doses=1)
                    assert a.with_new_sample(state, new.round_number, new.taken_on, target) == expected


def test_doses_count_by_priority_group():
    assert a.contribution(a.PersonState(doses=2), None, "Nhóm 1") == Counter({"dose1:Nhóm 1": 1, "dose2:Nhóm 1": 1})
    assert a.contribution(a.PersonState(doses=1), None, "") == Counter({"dose1:": 1})


def test_delta_moves_counters_by_the_change_only():
    old = a.contribution(a.PersonState(rounds=1, rounds_on_time=1, pending=1), ONE)
    new = a.contribution(a.PersonState(rounds=1, rounds_on_time=1, pending=0), ONE)
    assert a.delta(old, new) == {"pending": -1, "pending_samples": -1}


def test_figures_roll_up_by_addition_and_percentages_use_people():
    one = a.figures({"round:1": 8, "met": 5, "positive": 1, "day:2021-09-01": 8}, people=10)
    two = a.figures({"round:1": 2, "round:2": 2, "met": 1, "pending": 2}, people=10)
    total = a.rollup([one, two])
    assert (total.people, total.rounds, total.met, total.met_pct) == (20, {1: 10, 2: 2}, 6, 30.0)
    assert total.days == {"2021-09-01": 8} and total.pending == 2 and total.positive == 1


def test_empty_commune_is_zero_percent_and_never_behind():
    empty = a.figures({}, people=0)
    assert empty.met_pct == 0.0
    assert not a.is_behind(empty, date(2021, 9, 20), date(2021, 9, 1), DEADLINE)


def test_behind_when_below_even_progress_or_short_with_deadline_close():
    f = a.figures({"met": 50}, people=100)
    assert a.expected_pct(date(2021, 9, 8), date(2021, 9, 1), DEADLINE) == 50.0
    assert not a.is_behind(f, date(2021, 9, 8), date(2021, 9, 1), DEADLINE)
    assert a.is_behind(f, date(2021, 9, 10), date(2021, 9, 1), DEADLINE)
    almost = a.figures({"met": 99}, people=100)
    assert a.is_behind(almost, date(2021, 9, 14), date(2021, 9, 1), DEADLINE)  # deadline tomorrow
    assert not a.is_behind(a.figures({"met": 100}, people=100), date(2021, 9, 20), date(2021, 9, 1), DEADLINE)


def test_dose_figures_filter_by_group():
    f = a.figures({"dose1:Nhóm 1": 3, "dose1:Nhóm 2": 4, "dose2:Nhóm 2": 1}, vacc_people=10, group="Nhóm 2")
    assert (f.dose1, f.dose2, f.dose1_pct) == (4, 1, 40.0)
