"""`gapcheck review import`: reviewer decisions that stick to a policy version and count in later runs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from gapcheck.cli import main
from gapcheck.job.config import load_config
from gapcheck.job.lock import database_lock
from gapcheck.render import RENDERERS
from jobkit import (COMPLAINT, POLICIES, by_provider, finding, latest_summary, make_workbook, mark_workbook, report,
                    review_rows, run, score_of, write_job)

GAP = "gdpr.complaint"


def review_import(workbook: Path, config: Path, *args: str) -> int:
    return main(["review", "import", str(workbook), "--config", str(config), *args])


def reviewed_workbook(config: Path, target: Path, provider: str, requirement: str, decision: str,
                      note: str) -> Path:
    """The run's own workbook when the xlsx renderer is there (as a reviewer gets it), else one in its columns."""
    own = config.parent / "reports" / "latest" / "providers" / f"{provider}.xlsx"
    if own.is_file():
        return mark_workbook(own, target, provider, requirement, decision, note)
    return make_workbook(target, review_rows(config, provider, {requirement: (decision, note)}),
                         modified_by="Dana Reviewer")


@pytest.fixture
def job(tmp_path: Path) -> Path:
    formats = ("json", "xlsx") if "xlsx" in RENDERERS else ("json",)
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"], "bravo": POLICIES["bravo"]}, formats=formats)
    assert run(config) == 0
    return config


def test_false_positive_sticks_and_raises_the_score(job: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = report(job, "alpha")
    assert finding(before, GAP)["status"] == "missing"
    workbook = reviewed_workbook(job, tmp_path / "REVIEWED.xlsx", "alpha", GAP, "False positive",
                                 "Section 9 covers complaints <b>elsewhere</b>")
    assert review_import(workbook, job) == 0
    assert "1 decision(s) stored" in capsys.readouterr().out

    assert run(job) == 0
    after = report(job, "alpha")
    review = finding(after, GAP)["review"]
    assert review["decision"] == "False positive" and review["current"] is True
    assert review["note"] == "Section 9 covers complaints <b>elsewhere</b>"
    assert review["reviewer"] == "Dana Reviewer" and review["at"]
    assert finding(after, GAP)["effective_status"] == "met"
    assert score_of(after) > score_of(before)
    entry = by_provider(latest_summary(job))["alpha"]
    assert entry["change"] == "unchanged" and GAP in entry["resolved_gaps"]
    assert entry["scores"]["gdpr"]["change"] > 0 and entry["reviews"] == {"current": 1, "earlier_version": 0}
    assert finding(report(job, "bravo"), GAP).get("review") is None  # bound to its provider only

    if "xlsx" in RENDERERS:  # the next workbook comes pre-filled
        import openpyxl

        book = openpyxl.load_workbook(job.parent / "reports" / "latest" / "providers" / "alpha.xlsx", read_only=True)
        rows = list(book["Findings"].iter_rows(values_only=True))
        header = next(r for r in rows if r and "Requirement" in r)
        row = next(r for r in rows if r and r[header.index("Requirement")] == GAP)
        assert row[header.index("Reviewer decision")] == "False positive"
        book.close()


def test_decision_on_an_earlier_policy_version_is_shown_but_not_applied(job: Path, tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path / "r.xlsx", review_rows(job, "alpha", {GAP: ("False positive", "")}),
                             modified_by="Dana Reviewer")
    assert review_import(workbook, job) == 0
    assert run(job) == 0
    reviewed = score_of(report(job, "alpha"))

    policy = tmp_path / "policies" / "alpha.txt"
    policy.write_text(POLICIES["alpha"] + "We may update this policy and will post changes on this page.\n",
                      encoding="utf-8")
    assert run(job) == 0
    changed = report(job, "alpha")
    review = finding(changed, GAP)["review"]
    assert review["decision"] == "False positive" and review["current"] is False
    assert finding(changed, GAP)["effective_status"] == "missing"
    entry = by_provider(latest_summary(job))["alpha"]
    assert entry["change"] == "changed" and GAP in entry["new_gaps"]
    assert entry["reviews"] == {"current": 0, "earlier_version": 1}

    own = job.parent / "reports" / "latest" / "providers" / "alpha.xlsx"
    if own.is_file():  # the next workbook quotes the earlier decision but does not pre-fill it
        untouched = tmp_path / "untouched.xlsx"
        untouched.write_bytes(own.read_bytes())
        assert review_import(untouched, job) == 0
        assert run(job) == 0
        assert finding(report(job, "alpha"), GAP)["review"]["current"] is False

    # confirmed again for the new version: applied again
    again = reviewed_workbook(job, tmp_path / "r2.xlsx", "alpha", GAP, "False positive", "still fine")
    assert review_import(again, job) == 0
    assert run(job) == 0
    confirmed = report(job, "alpha")
    assert finding(confirmed, GAP)["review"]["current"] is True
    assert finding(confirmed, GAP)["review"]["note"] == "still fine"
    assert score_of(confirmed) > score_of(changed)
    assert reviewed > 0


def test_reimporting_the_same_decisions_stores_nothing_new(job: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    workbook = make_workbook(tmp_path / "r.xlsx", review_rows(job, "alpha", {GAP: ("Confirmed", "ok")}))
    assert review_import(workbook, job, "--reviewer", "Lee") == 0
    assert review_import(workbook, job, "--reviewer", "Lee") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 decision(s) stored") and "by Lee" in out[0]
    assert out[1].startswith("0 decision(s) stored") and "1 unchanged" in out[1]
    assert run(job) == 0
    review = finding(report(job, "alpha"), GAP)["review"]
    assert review["reviewer"] == "Lee" and review["decision"] == "Confirmed"


def test_old_workbook_binds_to_the_policy_version_it_shows(job: Path, tmp_path: Path) -> None:
    """A workbook from before a policy change binds its decisions to the old version."""
    old_rows = review_rows(job, "alpha", {GAP: ("False positive", "")})
    (tmp_path / "policies" / "alpha.txt").write_text(POLICIES["alpha"] + COMPLAINT + "\n", encoding="utf-8")
    assert run(job) == 0
    assert finding(report(job, "alpha"), GAP)["status"] == "met"
    assert review_import(make_workbook(tmp_path / "old.xlsx", old_rows), job) == 0
    assert run(job) == 0
    review = finding(report(job, "alpha"), GAP)["review"]
    assert review["current"] is False and finding(report(job, "alpha"), GAP)["effective_status"] == "met"


def test_combined_workbook_covers_several_providers(job: Path, tmp_path: Path) -> None:
    rows = (review_rows(job, "alpha", {GAP: ("Risk accepted", "accepted by DPO")})
            + review_rows(job, "bravo", {GAP: ("needs FOLLOW-UP", "")}))
    assert review_import(make_workbook(tmp_path / "all.xlsx", rows, modified_by="Kim"), job) == 0
    assert run(job) == 0
    assert finding(report(job, "alpha"), GAP)["review"]["decision"] == "Risk accepted"
    assert finding(report(job, "bravo"), GAP)["review"]["decision"] == "Needs follow-up"
    assert score_of(report(job, "alpha")) == by_provider(latest_summary(job))["alpha"]["scores"]["gdpr"]["previous"]


def test_unknown_decision_names_the_row(job: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = review_rows(job, "alpha", {GAP: ("Maybe", "")})
    row_number = 2 + next(i for i, r in enumerate(rows) if r["Requirement"] == GAP)
    assert review_import(make_workbook(tmp_path / "r.xlsx", rows), job) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"Findings row {row_number}" in err[0] and "'Maybe'" in err[0]
    assert run(job) == 0
    assert finding(report(job, "alpha"), GAP).get("review") is None  # nothing stored


def test_unknown_provider_or_requirement_is_refused(job: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"Provider": "zulu", "Requirement": GAP, "Reviewer decision": "Confirmed"}]
    assert review_import(make_workbook(tmp_path / "a.xlsx", rows), job) == 2
    assert "provider 'zulu'" in capsys.readouterr().err
    rows = [{"Provider": "alpha", "Requirement": "gdpr.nonsense", "Reviewer decision": "Confirmed"}]
    assert review_import(make_workbook(tmp_path / "b.xlsx", rows), job) == 2
    assert "Findings row 2: requirement 'gdpr.nonsense'" in capsys.readouterr().err


def _refused(workbook: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert review_import(workbook, config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_file_that_is_not_a_workbook_is_refused(job: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Provider,Requirement\n", encoding="utf-8")
    assert "not an Excel workbook" in _refused(fake, job, capsys)
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as package:
        package.writestr("hello.txt", "hi")
    assert "no workbook inside" in _refused(other_zip, job, capsys)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("[Content_Types].xml", "<nonsense")
        package.writestr("xl/workbook.xml", "<nonsense")
    assert "not a readable Excel workbook" in _refused(broken, job, capsys)
    no_sheet = tmp_path / "nosheet.xlsx"
    import openpyxl

    openpyxl.Workbook().save(no_sheet)
    assert "no 'Findings' sheet" in _refused(no_sheet, job, capsys)
    assert "no such file" in _refused(tmp_path / "missing.xlsx", job, capsys)


def test_a_huge_file_is_refused_before_reading(job: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as stream:
        stream.truncate(21 * 1024 * 1024)  # sparse: nothing is really written
    assert "over the 20 MB limit" in _refused(huge, job, capsys)


def test_a_zip_bomb_is_refused_before_unpacking(job: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.xlsx"
    make_workbook(bomb, [])
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as package:
        with package.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(210):
                member.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    assert "zip bomb" in _refused(bomb, job, capsys)


def test_import_waits_for_no_one_while_a_run_holds_the_lock(job: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    workbook = make_workbook(tmp_path / "r.xlsx", review_rows(job, "alpha", {GAP: ("Confirmed", "")}))
    with database_lock(load_config(job).database):
        assert "another gapcheck run" in _refused(workbook, job, capsys)


def test_the_quote_of_an_earlier_decision_is_not_kept_as_the_note() -> None:
    from gapcheck.job.workbook import own_note
    from gapcheck.render.xlsx import EARLIER_VERSION

    assert own_note(f"{EARLIER_VERSION}: False positive. Section 9 covers it") == "Section 9 covers it"
    assert own_note(f"{EARLIER_VERSION}: Confirmed.") == ""
    assert own_note("A note of my own") == "A note of my own"
