"""Task fitting (core.fitting): the budget is a promise, chains keep their order, a
sitting is never split, and the same input gives the same plan."""

from flashcards.core.fitting import (
    MIN_PART,
    Change,
    TaskToFit,
    TaskWeeks,
    Unplanned,
    card_room,
    fit_tasks,
    headroom,
    task_ranges,
    to_fit,
    week_range,
)


def fit_task(id_: int, minutes: int, *, required: bool = False, pinned: bool = False,
             day: int | None = None, first: int = 0, last: int = 0,
             reach: tuple[int, int] | None = None, rank: int = 0,
             after: tuple[int, ...] = (), sitting: bool = False,
             anyway: bool = False) -> TaskToFit:
    reach_first, reach_last = reach or (first, last)
    return TaskToFit(id_, minutes, required, pinned, day, first, last, reach_first, reach_last,
                     rank, after, sitting, anyway)


def fitted(room, tasks, reserve=None) -> dict[int, tuple]:
    return {f.id: (f.parts, f.change.value) for f in fit_tasks(room, tasks, reserve)}


def test_an_optional_task_goes_whole_in_its_weeks_then_outside_then_shortened_else_not() -> None:
    room = [60.0, 50.0, 20.0, 0.0]
    tasks = [fit_task(1, 45, first=0, last=2),                # the roomiest day of its weeks
             fit_task(2, 40, first=0, last=2),                # day 0 is full now: day 1
             fit_task(3, 30, first=1, last=2, reach=(1, 3)),  # 20 min left anywhere: cut
             fit_task(4, 40, first=2, last=2)]                # nothing left: not planned
    assert fitted(room, tasks) == {1: (((0, 45),), "kept"), 2: (((1, 40),), "kept"),
                                   3: (((2, 20),), "shortened"), 4: ((), "dropped")}
    # With a day of room outside its weeks, it goes there whole rather than be cut.
    moved = fit_task(5, 30, first=0, last=0, reach=(0, 2))
    assert fitted([20.0, 0.0, 40.0], [moved]) == {5: (((2, 30),), "moved")}


def test_an_optional_task_is_not_shortened_below_half() -> None:
    assert fitted([20.0], [fit_task(1, 45)]) == {1: ((), "dropped")}
    assert fitted([23.0], [fit_task(1, 45)]) == {1: (((0, 23),), "shortened")}


def test_pinned_and_required_tasks_come_before_optional_ones() -> None:
    room = [60.0, 60.0]
    tasks = [fit_task(1, 40, first=0, last=1),                     # optional
             fit_task(2, 50, required=True, first=0, last=0),      # required
             fit_task(3, 70, pinned=True, day=1, first=0, last=1)]  # the user's day: stays
    assert fitted(room, tasks) == {2: (((0, 50),), "kept"), 3: (((1, 70),), "kept"),
                                   1: ((), "dropped")}
    # The pinned task runs its day over: the user chose it, and the fitting says so.
    assert [f.over for f in fit_tasks(room, tasks)] == [False, False, True]


def test_a_required_task_slips_out_of_its_weeks_to_the_nearest_day_with_room() -> None:
    room = [30.0, 30.0, 60.0, 60.0]
    task = fit_task(1, 45, required=True, first=0, last=1, reach=(0, 3))
    assert fitted(room, [task]) == {1: (((2, 45),), "moved")}


def test_a_required_task_no_day_holds_is_split_and_new_cards_give_way_last() -> None:
    # 180 min against 60-minute days: over the fewest days, parts of MIN_PART or more.
    room = [50.0, 10.0, 60.0, 60.0, 60.0]
    task = fit_task(1, 180, required=True, first=0, last=4)
    assert fitted(room, [task])[1] == (((2, 60), (3, 60), (4, 60)), "split")
    # The roomiest days first; no part under MIN_PART, the last one included.
    room = [50.0, 10.0, 60.0, 60.0, 25.0]
    assert fitted(room, [task])[1] == (((0, 45), (2, 60), (3, 60), (4, 15)), "split")
    # 25 min on a 30-minute day that keeps 10 for new cards: rather than split it, the
    # new cards give way (the reserve is used whole).
    small = fit_task(1, 25, required=True, first=0, last=0, reach=(0, 1))
    assert fitted([30.0, 30.0], [small], reserve=[10.0, 10.0]) == {1: (((0, 25),), "kept")}
    # With room for it outside the reserve on the next day, it slips there instead.
    assert fitted([30.0, 40.0], [small], reserve=[10.0, 10.0]) == {1: (((1, 25),), "moved")}


def test_a_required_task_nothing_holds_is_not_planned_and_no_day_runs_over() -> None:
    [fit] = fit_tasks([10.0, 40.0], [fit_task(1, 90, required=True, first=0, last=1)])
    assert (fit.parts, fit.change, fit.reason, fit.over) == ((), Change.DROPPED,
                                                             Unplanned.ROOM, False)
    # Its roomiest day, day 1, lacks 50 of its 90 minutes to hold it whole.
    assert (fit.best_day, fit.short_by) == (1, 50.0)


def test_a_sitting_is_never_split_nor_shortened() -> None:
    mock = fit_task(1, 180, required=True, first=0, last=4, sitting=True)
    [fit] = fit_tasks([60.0] * 5, [mock])
    assert (fit.parts, fit.reason) == ((), Unplanned.ROOM)
    # The roomiest day lacks 120 minutes: the fix is a day with 180 free.
    assert (fit.best_day, fit.short_by) == (0, 120.0)
    assert fitted([60.0, 185.0, 60.0, 60.0, 60.0], [mock]) == {1: (((1, 180),), "kept")}
    optional = fit_task(2, 45, first=0, last=0, sitting=True)
    assert fitted([30.0], [optional]) == {2: ((), "dropped")}


def test_plan_it_anyway_puts_the_task_whole_on_the_roomiest_day_which_runs_over() -> None:
    mock = fit_task(1, 180, required=True, first=0, last=2, sitting=True, anyway=True)
    [fit] = fit_tasks([50.0, 70.0, 60.0], [mock])
    assert (fit.parts, fit.change, fit.over) == (((1, 180),), Change.KEPT, True)


def test_rank_decides_which_required_tasks_keep_their_place_when_not_all_fit() -> None:
    # Room for one of the two: the earlier in the list (rank) is kept, whatever its id.
    tasks = [fit_task(1, 50, required=True, rank=2), fit_task(2, 50, required=True, rank=1)]
    assert fitted([60.0], tasks) == {1: ((), "dropped"), 2: (((0, 50),), "kept")}


def test_a_task_never_goes_on_or_before_the_day_of_a_task_it_needs() -> None:
    # Story 3 has the most room on day 0, but it needs stories 1 and 2; the rewrite
    # needs story 3. Each goes on a later day than what it needs, in its weeks.
    room = [120.0, 60.0, 60.0, 60.0, 60.0]
    tasks = [fit_task(4, 30, required=True, first=0, last=4, after=(3,), rank=4),
             fit_task(3, 45, required=True, first=0, last=4, after=(2,), rank=3),
             fit_task(2, 45, required=True, first=0, last=4, after=(1,), rank=2),
             fit_task(1, 45, required=True, first=0, last=4, rank=1)]
    result = {f.id: f.parts for f in fit_tasks(room, tasks)}
    assert result == {1: ((0, 45),), 2: ((1, 45),), 3: ((2, 45),), 4: ((3, 30),)}


def test_a_chain_leaves_room_for_what_comes_after_it() -> None:
    # Both in days 0-1: the first may not take day 1, the only day its follower has.
    room = [30.0, 100.0]
    tasks = [fit_task(1, 20, required=True, first=0, last=1, rank=1),
             fit_task(2, 20, required=True, first=0, last=1, after=(1,), rank=2)]
    assert fitted(room, tasks) == {1: (((0, 20),), "kept"), 2: (((1, 20),), "kept")}


def test_an_optional_task_a_required_one_needs_goes_before_it() -> None:
    # The rehearsal (optional) must come before the mock (required, placed first on the
    # roomiest day, day 2): it goes on a day before, not on the roomier day 3.
    room = [40.0, 40.0, 90.0, 100.0]
    tasks = [fit_task(1, 45, required=True, first=0, last=3, after=(2,), sitting=True),
             fit_task(2, 30, first=0, last=3)]
    result = {f.id: f.parts for f in fit_tasks(room, tasks)}
    assert result[2][0][0] < result[1][0][0]


def test_a_task_that_needs_a_task_not_planned_is_not_planned_either() -> None:
    tasks = [fit_task(1, 180, required=True, first=0, last=2, sitting=True, rank=1),
             fit_task(2, 45, required=True, first=0, last=2, after=(1,), rank=2)]
    fits = {f.id: f for f in fit_tasks([60.0, 60.0, 60.0], tasks)}
    assert fits[1].reason == Unplanned.ROOM
    assert (fits[2].parts, fits[2].reason, fits[2].blocked_by) == ((), Unplanned.NEEDS, (1,))


def test_a_chain_longer_than_its_days_is_not_planned_past_what_fits_in_order() -> None:
    # Three tasks in a chain, two days: the third has no day after the second.
    tasks = [fit_task(k, 10, required=True, first=0, last=1, after=(k - 1,) if k > 1 else (),
                      rank=k) for k in (1, 2, 3)]
    fits = {f.id: f for f in fit_tasks([60.0, 60.0], tasks)}
    assert [fits[k].parts for k in (1, 2)] == [((0, 10),), ((1, 10),)]
    assert (fits[3].parts, fits[3].reason) == ((), Unplanned.ORDER)


def test_a_pinned_task_bounds_the_tasks_around_it() -> None:
    # The mock is pinned to day 1: what it needs goes on day 0, what needs it on day 2+.
    tasks = [fit_task(1, 45, pinned=True, day=1, required=True, first=0, last=3),
             fit_task(2, 30, required=True, first=0, last=3, rank=1),
             fit_task(3, 30, required=True, first=0, last=3, after=(1, 2), rank=2)]
    tasks[0] = TaskToFit(1, 45, True, True, 1, 0, 3, 0, 3, 0, (2,))
    result = {f.id: f.parts for f in fit_tasks([60.0, 60.0, 60.0, 60.0], tasks)}
    assert result[1] == ((1, 45),)
    assert result[2][0][0] == 0
    assert result[3][0][0] >= 2


def test_the_same_input_gives_the_same_fitting() -> None:
    tasks = [fit_task(k, 20 + 7 * k, required=k % 2 == 0, first=k % 3, last=5,
                      reach=(0, 6), after=(k - 2,) if k > 2 else (), rank=k)
             for k in range(1, 12)]
    room = [55.0, 30.0, 80.0, 10.0, 60.0, 45.0, 70.0]
    assert fit_tasks(room, tasks) == fit_tasks(list(room), list(tasks))


def test_card_room_keeps_the_headroom_of_the_tasks_beside_the_cards() -> None:
    # 60 min with 40 of tasks: 16.5 min of cards, and 16.5 + 40 + headroom(16.5) = 60.
    cards = card_room(60.0, 40)
    assert cards + 40 + headroom(cards) == 60.0
    assert card_room(60.0, 0) == 60.0
    assert MIN_PART == 15


def test_the_light_day_stays_on_the_eve_and_weeks_scale_with_the_plan() -> None:
    rest = TaskWeeks(1, 20, True, False, None, 4, 4, True)
    story = TaskWeeks(2, 30, False, False, None, 2, 2, False)
    assert task_ranges(rest, 0, 30) == (29, 29, 29, 29)
    assert task_ranges(story, 0, 30) == (7, 14, 0, 28)
    assert task_ranges(story, -7, 23) == (0, 7, 0, 21)  # the plan began a week ago
    assert week_range(0, 30, 1) == (0, 6)


def test_what_is_left_of_a_task_a_part_of_which_was_done_today_goes_on_a_later_day() -> None:
    # Week 1 of a 30-day plan is days 0-6; with not_before=1 neither its weeks nor the
    # days it may slip to include today, even when today has the most room.
    task = TaskWeeks(1, 15, True, False, 0, 1, 1, False, not_before=1)
    assert task_ranges(task, 0, 30) == (1, 6, 1, 28)
    room = [60.0] + [20.0] * 30
    [fit] = fit_tasks(room, to_fit([task], 0, 30))
    assert fit.parts == ((1, 15),)
    optional = TaskWeeks(2, 15, False, False, 0, 1, 1, False, not_before=1)
    [fit] = fit_tasks(room, to_fit([optional], 0, 30))
    assert fit.parts and fit.parts[0][0] >= 1
    # The light day keeps to the eve; on the eve itself the rest waits for the next day.
    rest = TaskWeeks(3, 20, True, False, 29, 4, 4, True, not_before=1)
    assert task_ranges(rest, 0, 30) == (29, 29, 29, 29)
    assert task_ranges(rest, 0, 1)[0] == 1


def test_a_stored_day_counts_only_when_the_user_pinned_the_task() -> None:
    # The plan chose day 3 before; nothing pins it, so the roomiest day wins again.
    placed_before = TaskWeeks(1, 30, False, False, 3, 1, 1, False)
    [fit] = fit_tasks([20.0, 50.0, 40.0, 40.0, 40.0, 40.0, 40.0, 40.0, 40.0, 40.0],
                      to_fit([placed_before], 0, 10))
    assert fit.parts == ((1, 30),)
