"""Golden audits of the five seed policies: the whole JSON report, reviewed by a person when it changes.

To accept a deliberate change, run `GAPCHECK_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py`
and review the diff of tests/golden/ line by line before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gapcheck.audit import audit_source
from gapcheck.checklist import resolve_checklists
from gapcheck.render.json_report import audit_to_dict

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
AS_OF = datetime(2026, 11, 23, tzinfo=timezone.utc)


def current(seed: Path) -> dict:
    audit = audit_source(str(seed.relative_to(ROOT)), resolve_checklists([]), audited_at=AS_OF)
    data = audit_to_dict(audit)
    data["gapcheck_version"] = "<version>"
    return data


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_golden(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    data = current(seed)
    golden = GOLDEN / f"{seed.stem}.json"
    if os.environ.get("GAPCHECK_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    for got, want in zip(data["checklists"], expected["checklists"]):
        assert [(f["requirement"], f["status"]) for f in got["findings"]] == \
               [(f["requirement"], f["status"]) for f in want["findings"]], f"{seed.stem} {got['id']} statuses"
    assert [f["id"] for f in data["flags"]] == [f["id"] for f in expected["flags"]]
    assert data == expected


def test_golden_evidence_quotes_the_seed_exactly() -> None:
    for golden in sorted(GOLDEN.glob("*.json")):
        text = (ROOT / "seeds" / f"{golden.stem}.txt").read_text(encoding="utf-8")
        data = json.loads(golden.read_text(encoding="utf-8"))
        items = [e for c in data["checklists"] for f in c["findings"] for e in f["evidence"]]
        items += [e for flag in data["flags"] for e in flag["evidence"]]
        assert items, golden.name
        for item in items:
            assert text[item["start"]:item["end"]] == item["text"], (golden.name, item)
