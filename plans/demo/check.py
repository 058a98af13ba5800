"""Self-check of the demo data: ``python3 -m plans.demo.check`` (from the project root, no Django).

Prints, per plan and month, the counts by status, and asserts:
- July 2009 as seed 000 reports it (RED 0, AMBER 11, GREEN 67, REPRO 0, SUSP 5; ambers by priority
  CP1 4, CP3 2, FP3 1, PR3 1, PR5 1, HR & OD1 2; the approved suspensions and pending requests);
- every month of 2008/09 as Appendix 1 page 1 gives it;
- every priority, measure and action has the keys the loader reads, with well-formed values;
- an action has a status exactly in the months it is live (planned in the month, or due and not completed);
- seed_2007_08 holds as many actions as seed 001 has action-like rows, and as many planned-month marks.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from plans.demo import bromsgrove_2008_09, bromsgrove_2009_10, seed_2007_08

SEEDS = Path("/work/shared/seeds")
STATUSES = ("RED", "AMBER", "GREEN", "REPRO", "SUSP")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LEAD_SEPARATORS = re.compile(r"[/,&;]+|\s+")  # as plans.services.parse_lead_initials

PRIORITY_KEYS = {"code", "title", "expected_outcome", "measures"}
MEASURE_KEYS = {"ref", "title", "actions_required", "timescales", "lead", "resources", "actions"}
ACTION_KEYS = {"ref", "description", "leads", "planned", "corrective_action"}
TRACKED_KEYS = ACTION_KEYS | {"original_target", "revised_target", "statuses"}
OPTIONAL_KEYS = {"request", "completed"}
REQUEST_KEYS = {"kind", "state", "month", "new_target", "reason"}

EXPECTED_2008_09 = {
    "2008-07": (11, 3, 114, 0),
    "2008-08": (17, 4, 96, 1),
    "2008-09": (16, 8, 99, 11),
    "2008-10": (15, 7, 104, 15),
    "2008-11": (12, 8, 106, 12),
    "2008-12": (13, 5, 100, 13),
    "2009-01": (0, 4, 95, 11),
    "2009-02": (2, 3, 112, 13),
    "2009-03": (3, 5, 80, 14),
    "2009-04": (3, 5, 71, 14),
    "2009-05": (3, 3, 60, 12),
    "2009-06": (1, 0, 70, 14),
}
EXPECTED_TOTALS_2008_09 = [128, 118, 134, 141, 138, 131, 110, 130, 102, 93, 78, 85]
EXPECTED_AMBERS_2009_07 = {"CP1": 4, "CP3": 2, "FP3": 1, "PR3": 1, "PR5": 1, "HR & OD1": 2}
EXCEPTIONS_2009_07 = [
    "1.1.1", "1.2.1", "1.4.2", "1.4.5", "3.2.1", "3.2.2", "5.4.1", "5.4.2",
    "5.4.3", "5.4.7", "7.3.3", "8.3.4", "11.1.1", "13.4.4", "14.1.1", "14.2.5",
]  # fmt: skip


def month_index(first: str, month: str) -> int:
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, month.split("-")))
    return (y1 * 12 + m1) - (y0 * 12 + m0)


def plan_months(first: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    for i in range(12):
        total = y * 12 + (m - 1) + i
        out.append(f"{total // 12}-{total % 12 + 1:02d}")
    return out


def actions_of(module):
    for priority in module.PRIORITIES:
        for measure in priority["measures"]:
            for action in measure["actions"]:
                yield priority, measure, action


def check_shape(module, *, tracked: bool) -> None:
    name = module.__name__
    assert re.match(r"^\d{4}-\d{2}$", module.FIRST_MONTH), name
    assert module.TITLE, name
    months = set(plan_months(module.FIRST_MONTH))
    codes = [p["code"] for p in module.PRIORITIES]
    assert len(codes) == len(set(codes)), f"{name}: duplicate priority code"
    for priority in module.PRIORITIES:
        assert set(priority) == PRIORITY_KEYS, (name, priority["code"], set(priority) ^ PRIORITY_KEYS)
        for measure in priority["measures"]:
            assert set(measure) == MEASURE_KEYS, (name, measure["ref"], set(measure) ^ MEASURE_KEYS)
            assert all(isinstance(measure[k], str) for k in MEASURE_KEYS - {"actions"})
            for action in measure["actions"]:
                where = (name, measure["ref"], action["ref"])
                keys = set(action)
                required = TRACKED_KEYS if tracked else ACTION_KEYS
                assert required <= keys, (where, required - keys)
                assert keys <= required | (OPTIONAL_KEYS if tracked else set()), (where, keys - required)
                assert all(
                    isinstance(action[k], str) for k in ("ref", "description", "leads", "corrective_action")
                )
                planned = action["planned"]
                assert planned == sorted(set(planned)) and all(0 <= i <= 11 for i in planned), where
                if not tracked:
                    continue
                for key in ("original_target", "revised_target", "completed"):
                    value = action.get(key)
                    assert value is None or MONTH_RE.match(value), (where, key, value)
                for month, entry in action["statuses"].items():
                    assert month in months, (where, month)
                    assert set(entry) == {"status", "corrective_action"}, (where, month)
                    assert entry["status"] in STATUSES, (where, month, entry)
                request = action.get("request")
                if request:
                    assert set(request) == REQUEST_KEYS, (where, request)
                    assert request["kind"] in ("SUSPENSION", "REPROGRAMME"), where
                    assert request["state"] in ("APPROVED", "PENDING"), where
                    assert MONTH_RE.match(request["month"]), where
                    assert request["new_target"] is None or MONTH_RE.match(request["new_target"]), where
                    assert request["reason"], where
    tokens = {t for _, m, a in actions_of(module) for t in LEAD_SEPARATORS.split(a["leads"]) if t}
    tokens |= {
        t for p in module.PRIORITIES for m in p["measures"] for t in LEAD_SEPARATORS.split(m["lead"]) if t
    }
    missing = tokens - set(module.LEADS)
    assert not missing, f"{name}: lead tokens missing from LEADS: {missing}"
    assert all(isinstance(v, str) for v in module.LEADS.values())


def is_live(action: dict, first: str, month: str) -> bool:
    """As plans.status.is_live / ActionQuerySet.live_in: planned in the month, or its target
    (the re-programmed one once a re-programme is approved) has come and it was not completed
    before the month began."""
    index = month_index(first, month)
    if index in action["planned"]:
        return True
    request = action.get("request") or {}
    reprogrammed = request.get("kind") == "REPROGRAMME" and request.get("state") == "APPROVED"
    target = (
        request.get("new_target") if reprogrammed and request.get("new_target") else action["original_target"]
    )
    if target is None or target > month:
        return False
    completed = action.get("completed")
    return completed is None or completed >= month


def counts(module, month: str) -> Counter:
    return Counter(a["statuses"][month]["status"] for _, _, a in actions_of(module) if month in a["statuses"])


def report(module, label: str) -> dict[str, Counter]:
    print(f"\n{label} ({module.TITLE}, from {module.FIRST_MONTH})")
    print(f"  {'month':8} " + " ".join(f"{s:>11}" for s in STATUSES) + "  total")
    result = {}
    for month in plan_months(module.FIRST_MONTH):
        c = counts(module, month)
        total = sum(c.values())
        result[month] = c
        if not total:
            continue
        cells = " ".join(f"{c[s]:>4} {100 * c[s] / total:5.1f}%" for s in STATUSES)
        print(f"  {month:8} {cells}  {total:5}")
    return result


def check_liveness(module, months: list[str]) -> None:
    for _, _, action in actions_of(module):
        for month in months:
            live = is_live(action, module.FIRST_MONTH, month)
            has = month in action["statuses"]
            assert live == has, (module.__name__, action["ref"], month, "live" if live else "not live", has)


def check_2009_10() -> None:
    module = bromsgrove_2009_10
    check_shape(module, tracked=True)
    c = report(module, "2009/10")["2009-07"]
    assert (c["RED"], c["AMBER"], c["GREEN"], c["REPRO"], c["SUSP"]) == (0, 11, 67, 0, 5), c
    assert sum(c.values()) == 83
    ambers = Counter(
        p["code"]
        for p, _, a in actions_of(module)
        if a["statuses"].get("2009-07", {}).get("status") == "AMBER"
    )
    assert dict(ambers) == EXPECTED_AMBERS_2009_07, ambers
    print("  ambers by priority, July 2009:", dict(ambers))
    by_ref = {a["ref"]: a for _, _, a in actions_of(module)}
    refs = [a["ref"] for _, _, a in actions_of(module)]
    assert len(refs) == len(set(refs)), "duplicate refs in the demo plan"
    for ref in EXCEPTIONS_2009_07:
        a = by_ref[ref]
        assert a["original_target"] == "2009-07" and a["planned"] == [0], ref
        assert a["statuses"]["2009-07"]["status"] in ("AMBER", "SUSP"), ref
        assert a["statuses"]["2009-07"]["corrective_action"], ref
    suspended = sorted(
        a["ref"] for _, _, a in actions_of(module) if a["statuses"].get("2009-07", {}).get("status") == "SUSP"
    )
    assert suspended == ["5.4.1", "5.4.2", "5.4.3", "5.4.7", "8.3.4"], suspended
    for ref in suspended:
        assert (
            by_ref[ref]["request"]["kind"] == "SUSPENSION" and by_ref[ref]["request"]["state"] == "APPROVED"
        )
    pending = {
        a["ref"]: a["request"]["kind"]
        for _, _, a in actions_of(module)
        if a.get("request", {}).get("state") == "PENDING"
    }
    assert pending == {"7.3.3": "SUSPENSION", "14.1.1": "SUSPENSION", "13.4.4": "REPROGRAMME"}, pending
    assert by_ref["13.4.4"]["request"]["new_target"] == "2009-10"
    assert by_ref["14.1.1"]["revised_target"] == "2010-12"
    later = [a["ref"] for _, _, a in actions_of(module) if not a["statuses"]]
    assert 8 <= len(later) <= 14, later
    assert all(0 not in by_ref[ref]["planned"] for ref in later)
    assert not module.PRIORITIES[1]["measures"], "CP2 Housing: title only"
    positions = {p["code"]: i + 1 for i, p in enumerate(module.PRIORITIES)}
    for p, m, a in actions_of(module):
        section = str(positions[p["code"]])
        assert m["ref"].split(".")[0] == section and a["ref"].startswith(m["ref"] + "."), (m["ref"], a["ref"])
        if a["statuses"]:
            assert 0 in a["planned"], a["ref"]
        assert "2009-07" <= a["original_target"] <= "2010-06", a["ref"]
    check_liveness(module, ["2009-07"])
    seed = _seed_text("000")
    if seed:
        flat = " ".join(seed.split())
        for ref in EXCEPTIONS_2009_07:
            a = by_ref[ref]
            assert a["description"] in flat, ref
            assert a["statuses"]["2009-07"]["corrective_action"] in flat, ref
            assert a["corrective_action"] in flat or ref == "1.4.5", ref
        for p, m, a in actions_of(module):
            if a["ref"] in EXCEPTIONS_2009_07:
                assert f"{m['ref']} {m['title']}" in flat, m["ref"]
                assert f"{p['code']}: {p['title']}" in flat, p["code"]
        print("  exception actions match seed 000")
    print(f"  actions: {len(refs)} ({len(later)} with no July status)")


def check_2008_09() -> None:
    module = bromsgrove_2008_09
    check_shape(module, tracked=True)
    table = report(module, "2008/09")
    for (month, expected), total in zip(EXPECTED_2008_09.items(), EXPECTED_TOTALS_2008_09, strict=True):
        c = table[month]
        got = (c["RED"], c["AMBER"], c["GREEN"], c["REPRO"])
        assert got == expected and sum(c.values()) == total and not c["SUSP"], (month, got, expected)
    check_liveness(module, plan_months(module.FIRST_MONTH))
    ours = [(m["ref"], a["ref"], a["description"]) for _, m, a in actions_of(module)]
    seeds = [
        (m["ref"], a["ref"], a["description"]) for _, m, a in actions_of(seed_2007_08) if a["description"]
    ]
    assert ours == seeds, "2008/09 actions should be the 2007/08 ones"
    print(
        f"  actions: {len(ours)}, with a status in some month: {sum(1 for *_, a in actions_of(module) if a['statuses'])}"
    )


def _seed_text(number: str) -> str | None:
    found = sorted(SEEDS.glob(f"{number}_*.txt"))
    return found[0].read_text(encoding="utf-8") if found else None


def check_2007_08() -> None:
    module = seed_2007_08
    check_shape(module, tracked=False)
    actions = [a for _, _, a in actions_of(module)]
    n_measures = sum(len(p["measures"]) for p in module.PRIORITIES)
    marks = sum(len(a["planned"]) for a in actions)
    marked_rows = sum(1 for a in actions if a["planned"])
    print(
        f"\n2007/08 transcription: {len(module.PRIORITIES)} priorities, {n_measures} measures, {len(actions)} actions,"
        f" {marks} planned marks on {marked_rows} rows"
    )
    assert (len(module.PRIORITIES), n_measures, len(actions)) == (22, 67, 291)
    assert all(a["description"] for a in actions), "a ref alone is a blank row of the form, not an action"
    text = _seed_text("001")
    if text is None:
        print("  seed 001 not found; row count not checked")
        return
    rows = 0
    for line in text.split("\n"):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 15 or cells[1] == "Action" or (len(cells) > 2 and cells[2] == "Lead"):
            continue  # not an action-table row, or a table header
        three_part = re.match(r"^\d+\.\d+\.\d+\.?$", cells[0])
        # a numbered action with its text (a ref alone is a blank row of the printed form), or a row
        # with a lead (2.1 ... 2.6 under CP2, the un-numbered row under 18.2)
        if (three_part and cells[1]) or cells[2]:
            rows += 1
    seed_marks = text.count("■")
    seed_marked_rows = sum(1 for line in text.split("\n") if "■" in line)
    print(f"  seed 001: {rows} action-like rows, {seed_marks} marks on {seed_marked_rows} rows")
    assert rows == len(actions), (rows, len(actions))
    assert (seed_marks, seed_marked_rows) == (marks, marked_rows)


def main() -> None:
    check_2007_08()
    check_2008_09()
    check_2009_10()
    print("\nAll demo data checks passed.")


if __name__ == "__main__":
    main()
