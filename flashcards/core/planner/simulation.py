"""The Monte Carlo forecast's state and its steps: replicas of the collection stepped
day by day, each due card reviewed (recalled with FSRS's own probability), each new
card introduced, and every card rescheduled as the live scheduler would (load balancer,
Easy Days, exam mode)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flashcards.core.fsrs_vector import AGAIN, GOOD, BoolArray, FloatArray, FsrsModel, IntArray
from flashcards.core.planner.data import PlanInput
from flashcards.core.planner.exam import exam_due_day

# The forecast's learner fails a brand-new card's first showing this often.
FIRST_SIGHT_AGAIN = 0.2
# Card states the forecast steps through: replicas of the collection up to this many
# (at most 32, at least 1).
MONTE_CARLO_STATES = 200_000


@dataclass
class ForecastState:
    """Every replica's cards (replica r of card i sits at r * n + i), the expected
    reviews per day so far (`scheduled`), and what stepping them needs."""

    model: FsrsModel
    n: int  # cards in the collection
    replicas: int
    horizon: int  # the interview's day (its first round)
    target: float
    stability_factor: float
    easy: FloatArray  # Easy Days factors per day from today
    rng: np.random.Generator
    stability: FloatArray
    difficulty: FloatArray
    due: IntArray
    last: IntArray
    active: BoolArray  # introduced (not new)
    scheduled: FloatArray  # expected reviews per day, over the replicas
    later_rounds: tuple[int, ...] = ()  # the later rounds' days, in order
    # Each card's recall at the end of each round's day (every replica), once stepped.
    round_recall: dict[int, FloatArray] = field(default_factory=dict)

    @property
    def rounds(self) -> tuple[int, ...]:
        """Every round's day, the first round (the horizon) first."""
        return (self.horizon, *self.later_rounds)

    @property
    def last_day(self) -> int:
        """The last round's day: the forecast steps up to it."""
        return self.rounds[-1]

    @classmethod
    def start(cls, data: PlanInput, easy: FloatArray,
              rng: np.random.Generator) -> ForecastState:
        """The cards as they stand today, replicated."""
        n = data.cards.count
        horizon = data.horizon
        replicas = data.replicas or int(min(32, max(1, MONTE_CARLO_STATES // max(n, 1))))
        active = np.tile(~data.cards.is_new, replicas)
        due = np.tile(data.cards.due_day, replicas).astype(np.int64)
        scheduled = np.zeros(data.last_day + 400, dtype=np.float64)
        np.add.at(scheduled, np.clip(due[active], 0, scheduled.size - 1), 1.0 / replicas)
        return cls(
            model=data.model, n=n, replicas=replicas, horizon=horizon, target=data.target,
            stability_factor=data.stability_factor, easy=easy, rng=rng,
            stability=np.tile(np.nan_to_num(data.cards.stability, nan=1.0), replicas),
            difficulty=np.tile(np.nan_to_num(data.cards.difficulty, nan=5.0), replicas),
            due=due, last=np.tile(data.cards.last_day, replicas).astype(np.int64),
            active=active, scheduled=scheduled, later_rounds=data.round_days)

    def load(self, day: int) -> float:
        """The expected reviews on `day` so far."""
        return float(self.scheduled[day]) if 0 <= day < self.scheduled.size else 0.0

    def due_on(self, d: int, limit: int) -> IntArray:
        """The cards to review on day `d`: every due one, up to `limit` (over the
        replicas), earliest due first; the rest wait a day."""
        due_now = np.flatnonzero(self.active & (self.due <= d))
        if due_now.size > limit:
            due_now = due_now[np.argsort(self.due[due_now], kind="stable")[:max(limit, 0)]]
            waiting = self.active & (self.due <= d)
            waiting[due_now] = False
            self.due[waiting] = d + 1
        return due_now

    def review(self, idx: IntArray, d: int) -> int:
        """Review cards `idx` on day `d`; returns the answers (a lapse counts twice)."""
        if idx.size == 0:
            return 0
        model = self.model
        elapsed = d - self.last[idx]
        recall = model.retrievability(elapsed, self.stability[idx])
        success = self.rng.random(idx.size) < recall
        rating = np.where(success, GOOD, AGAIN)
        new_s, new_d = model.review(self.stability[idx], self.difficulty[idx], elapsed, rating)
        # A lapse is relearned the same day: one more review, graded Good (the formulas
        # run on the lapsed cards alone; both arrays are new, so changed in place).
        lapsed = np.flatnonzero(~success)
        if lapsed.size:
            good = np.full(lapsed.size, GOOD)
            new_s[lapsed] = model.short_term_stability(new_s[lapsed], good)
            new_d[lapsed] = model.next_difficulty(new_d[lapsed], good)
        self.reschedule(idx, d, new_s, new_d)
        return int(idx.size + lapsed.size)

    def introduce(self, chosen: IntArray, d: int) -> int:
        """Introduce `chosen` new cards on day `d` in every replica; returns the answers
        their learning takes."""
        model = self.model
        idx = (chosen[None, :] + self.n * np.arange(self.replicas)[:, None]).ravel()
        first = np.where(self.rng.random(idx.size) < FIRST_SIGHT_AGAIN, AGAIN, GOOD)
        s = model.initial_stability(first)
        diff = model.initial_difficulty(first)
        good = np.full(idx.size, GOOD)
        # Learning steps on the same day: Again -> Good -> Good, or Good -> Good (the
        # second Good on the cards failed first alone; s and diff are new arrays).
        again = np.flatnonzero(first == AGAIN)
        s = model.short_term_stability(s, good)
        diff = model.next_difficulty(diff, good)
        if again.size:
            s[again] = model.short_term_stability(s[again], good[again])
            diff[again] = model.next_difficulty(diff[again], good[again])
        self.active[idx] = True
        self.reschedule(idx, d, s, diff)
        return int(2 * idx.size + again.size)

    def reschedule(self, idx: IntArray, d: int, new_s: FloatArray, new_d: FloatArray) -> None:
        """Cards `idx`, answered on day `d` into states `new_s`/`new_d`: their next day,
        added to the load."""
        model, scheduled, horizon = self.model, self.scheduled, self.horizon
        weight = 1.0 / max(1, self.due.size // max(self.n, 1))  # one replica's share
        # The day inside the fuzz window by load and Easy Days, as the live scheduler
        # does; past the last round the exact day changes nothing the plan shows.
        intervals = model.next_interval(new_s)
        next_due = d + intervals
        inside = np.flatnonzero(next_due <= self.last_day + 1)
        if inside.size:
            next_due[inside] = d + model.balanced(intervals[inside], d, scheduled,
                                                  self.easy, self.rng.random(inside.size))
        crossing = np.zeros(0, dtype=np.int64)
        ahead = [r for r in self.rounds if r > d]
        if ahead:
            # Exam mode, the same function the live scheduler calls, one card at a time
            # for those whose interval crosses a round with too little recall left.
            crossing_mask = np.zeros(next_due.size, dtype=bool)
            for round_day in ahead:
                crossing_mask |= ((next_due > round_day)
                                  & (model.retrievability(round_day - d,
                                                          new_s * self.stability_factor)
                                     < self.target))
            crossing = np.flatnonzero(crossing_mask)
            for k in crossing:
                chosen = exam_due_day(review_day=d, due_day=int(next_due[k]),
                                      stability=float(new_s[k]), interview_day=horizon,
                                      target=self.target, model=model, load=self.load,
                                      stability_factor=self.stability_factor,
                                      later_rounds=self.later_rounds)
                next_due[k] = chosen
                if 0 <= chosen < scheduled.size:
                    scheduled[chosen] += weight
        others = np.ones(next_due.size, dtype=bool)
        others[crossing] = False
        np.add.at(scheduled, np.clip(next_due[others], 0, scheduled.size - 1), weight)
        self.stability[idx] = new_s
        self.difficulty[idx] = new_d
        self.due[idx] = next_due
        self.last[idx] = d

    def end_day(self, d: int) -> None:
        """Day `d` is stepped: on a round's day, note each card's recall at its end."""
        if d in self.rounds:
            self.round_recall[d] = np.where(
                self.active, self.model.retrievability(d - self.last, self.stability), 0.0)

    def recall_on_interview(self) -> FloatArray:
        """Each card's predicted recall on interview day (the first round), the mean
        over the replicas (0 for a card never introduced)."""
        return self.recall_on_round(self.horizon)

    def recall_on_round(self, round_day: int) -> FloatArray:
        """recall_on_interview for the round on `round_day`: as noted at the end of that
        day, or as the cards stand now when it was not stepped through."""
        recall = self.round_recall.get(round_day)
        if recall is None:
            recall = np.where(self.active,
                              self.model.retrievability(round_day - self.last,
                                                        self.stability), 0.0)
        return recall.reshape(self.replicas, self.n).mean(axis=0) if self.n else recall
