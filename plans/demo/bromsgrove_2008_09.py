"""The previous year of the demo: Bromsgrove District Council, Improvement Plan 2008/09.

Built from the 2007/08 transcription (``seed_2007_08``): the same priorities, measures, refs and texts,
less the ref-only placeholder rows (an empty row has nothing to report on). Each action gets a run of
months in which it is live, targets, and a status for each live month (July 2008 - June 2009), generated
here with deterministic code (a fixed-seed ``random.Random``) so that the monthly counts are exactly those
of seed 000, Appendix 1 page 1 ("July 2008 ... June 2009"). No SUSP in 2008/09.

How the statuses are made plausible:
- an action is live over one unbroken run of months; it stops being live only after a GREEN month (it was
  completed then, ``completed``), or at the end of the plan year;
- RED is given first to actions that were AMBER or RED the month before, AMBER first to actions that were
  GREEN (slipping), REPRO first to actions already re-programmed (it persists), then to late actions;
- ``original_target`` is the last planned month (an AMBER month is the month the action fell due; a RED
  one the month after); a re-programmed action has an approved REPROGRAMME request and a
  ``revised_target``; a late action that was then completed has its completion month as
  ``revised_target``;
- ``planned`` runs from the first live month to the original target (to the end of the run for a
  re-programmed action), so an action is live exactly in the months it has a status.
"""

from __future__ import annotations

import copy
import random

from plans.demo import seed_2007_08

FIRST_MONTH = "2008-07"
TITLE = "Improvement Plan 2008/09"

# Appendix 1, page 1 of seed 000: (RED, AMBER, GREEN, REPRO) for July 2008 ... June 2009.
MONTH_COUNTS = [
    (11, 3, 114, 0),
    (17, 4, 96, 1),
    (16, 8, 99, 11),
    (15, 7, 104, 15),
    (12, 8, 106, 12),
    (13, 5, 100, 13),
    (0, 4, 95, 11),
    (2, 3, 112, 13),
    (3, 5, 80, 14),
    (3, 5, 71, 14),
    (3, 3, 60, 12),
    (1, 0, 70, 14),
]

RED, AMBER, GREEN, REPRO = "RED", "AMBER", "GREEN", "REPRO"

_NOTES = {
    AMBER: [
        "Slipped by a month; lead expects to complete next month.",
        "Awaiting information from partners; to be completed next month.",
        "Delayed by competing priorities; back on track next month.",
    ],
    RED: [
        "Over one month behind; escalated to CMT with a recovery plan.",
        "Still outstanding; lead to report revised timetable to CMT.",
    ],
    REPRO: [
        "Re-programmed with CMT approval.",
        "Re-programmed to a later point in the year with approval.",
    ],
}


def month_key(index: int) -> str:
    """0 -> "2008-07", 6 -> "2009-01", 12 -> "2009-07"."""
    total = 2008 * 12 + 6 + index
    return f"{total // 12}-{total % 12 + 1:02d}"


def _take(status: dict[int, str], count: int, *groups: list[int]) -> list[int]:
    """The first ``count`` actions without a status yet, taken from the groups in order of preference."""
    chosen: list[int] = []
    for group in groups:
        for i in group:
            if len(chosen) == count:
                return chosen
            if i not in status and i not in chosen:
                chosen.append(i)
    if len(chosen) != count:
        raise ValueError(f"cannot find {count} actions for a status")
    return chosen


def _schedule(actions: list[dict], rng: random.Random) -> dict[int, dict[int, str]]:
    """Statuses by action index then month index, meeting MONTH_COUNTS exactly."""
    pool = list(range(len(actions)))
    rng.shuffle(pool)
    history: dict[int, dict[int, str]] = {}
    live: list[int] = []
    for m, (red, amber, green, repro) in enumerate(MONTH_COUNTS):
        n = red + amber + green + repro
        prev = {i: history[i][m - 1] for i in live}
        if m:
            behind = [i for i in live if prev[i] != GREEN]
            done_candidates = sorted(
                (i for i in live if prev[i] == GREEN), key=lambda i: (min(history[i]), i)
            )
            # Actions that may end now (completed last month): at least enough to come down to n;
            # beyond that some churn so that the whole pool gets used over the year.
            months_left = len(MONTH_COUNTS) - m
            want_starts = round(len(pool) / months_left)
            keep = max(len(behind), min(len(live), n - min(want_starts, len(pool))))
            n_end = len(live) - keep
            ended = set(done_candidates[:n_end])
            live = [i for i in live if i not in ended]
        starts = n - len(live)
        assert 0 <= starts <= len(pool), (m, starts, len(pool))
        new = [pool.pop() for _ in range(starts)]
        current = live + new
        status: dict[int, str] = {}

        was = {s: [i for i in live if prev.get(i) == s] for s in (RED, AMBER, GREEN, REPRO)}
        ever_behind = {i for i in live if any(s != GREEN for s in history[i].values())}
        steady = [i for i in was[GREEN] if i not in ever_behind]
        others = [i for i in was[GREEN] if i in ever_behind]
        for i in _take(status, repro, was[REPRO], was[RED], was[AMBER], steady, others, new):
            status[i] = REPRO
        for i in _take(status, red, was[AMBER], was[RED], steady, others, new):
            status[i] = RED
        for i in _take(status, amber, steady, new, others, was[RED], was[AMBER]):
            status[i] = AMBER
        for i in current:
            status.setdefault(i, GREEN)
        for i, s in status.items():
            history.setdefault(i, {})[m] = s
        live = current
    return history


def _build() -> list[dict]:
    rng = random.Random(200809)
    priorities = copy.deepcopy(seed_2007_08.PRIORITIES)
    actions = []
    for priority in priorities:
        for measure in priority["measures"]:
            measure["actions"] = [a for a in measure["actions"] if a["description"]]
            for action in measure["actions"]:
                action["corrective_action"] = ""
                action["planned"] = []
                action["original_target"] = None
                action["revised_target"] = None
                action["statuses"] = {}
                actions.append(action)
    history = _schedule(actions, rng)
    last = len(MONTH_COUNTS) - 1
    for index, action in enumerate(actions):
        months = history.get(index)
        if not months:
            continue
        first, end = min(months), max(months)
        sequence = [months[m] for m in range(first, end + 1)]
        assert len(sequence) == len(months)
        notes = {s: rng.choice(_NOTES[s]) for s in (AMBER, RED, REPRO)}  # one wording per action
        notes[GREEN] = ""
        for m, s in months.items():
            action["statuses"][month_key(m)] = {"status": s, "corrective_action": notes[s]}
        behind = [m for m in range(first, end + 1) if months[m] != GREEN]
        if behind:
            f = behind[0]
            target = f if months[f] in (AMBER, REPRO) or f == first else f - 1
        else:
            target = end
        action["original_target"] = month_key(target)
        repro_months = [m for m in range(first, end + 1) if months[m] == REPRO]
        finished = months[end] == GREEN
        if finished:
            action["completed"] = month_key(end)
        if repro_months:
            revised = end if finished else last + 3
            action["revised_target"] = month_key(revised)
            action["planned"] = list(range(first, end + 1))
            action["request"] = {
                "kind": "REPROGRAMME",
                "state": "APPROVED",
                "month": month_key(repro_months[0]),
                "new_target": month_key(revised),
                "reason": "Re-programmed to a later point in the year with CMT approval",
            }
        else:
            action["planned"] = list(range(first, target + 1))
            if finished and end > target:
                action["revised_target"] = month_key(end)
        if months[end] != GREEN:
            action["corrective_action"] = action["statuses"][month_key(end)]["corrective_action"]
    return priorities


PRIORITIES = _build()
LEADS = dict(seed_2007_08.LEADS)
