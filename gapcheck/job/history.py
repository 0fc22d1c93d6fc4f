"""The job's history in SQLite: runs, policy versions, audits, findings, scores, flags and reviews.

The file is created and migrated on first use: `schema_version` holds how many of MIGRATIONS have
been applied, and each migration runs in its own transaction. Every write goes through
`transaction()`, so a crash leaves the database as it was before the interrupted change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gapcheck.errors import GapcheckError
from gapcheck.job.diff import Snapshot
from gapcheck.job.serialize import audit_from_dict, audit_to_record
from gapcheck.models import GAP_STATUSES, Audit, Document
from gapcheck.scoring import effective_status

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,            -- sortable by time: 20261123T020000Z
        started_at TEXT NOT NULL,
        finished_at TEXT,               -- NULL while running, or when the run was interrupted
        config TEXT NOT NULL,
        gapcheck_version TEXT NOT NULL,
        engine_key TEXT NOT NULL,       -- what an audit depends on besides the policy
        out_dir TEXT NOT NULL,
        exit_code INTEGER,
        portfolio_key TEXT,
        portfolio_files TEXT,           -- JSON list of the portfolio files written in out_dir
        summary TEXT                    -- the run's summary.json
    );
    CREATE TABLE policy_versions (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        media_type TEXT NOT NULL,
        content_type TEXT NOT NULL DEFAULT '',
        fetched_at TEXT NOT NULL,
        raw BLOB NOT NULL,              -- exactly the bytes that were read or fetched
        text TEXT NOT NULL,
        UNIQUE (provider, sha256)
    );
    CREATE TABLE audits (
        id INTEGER PRIMARY KEY,
        policy_version INTEGER NOT NULL REFERENCES policy_versions(id),
        engine_key TEXT NOT NULL,
        audited_at TEXT NOT NULL,
        audit TEXT NOT NULL,            -- audit_to_record JSON, without reviews
        text TEXT NOT NULL              -- the text every offset in the audit refers to
    );
    CREATE TABLE run_providers (
        run_id TEXT NOT NULL REFERENCES runs(id),
        provider TEXT NOT NULL,
        source TEXT NOT NULL,
        change TEXT NOT NULL CHECK (change IN ('new', 'changed', 'unchanged', 'error')),
        error TEXT,
        audit_id INTEGER REFERENCES audits(id),
        sha256 TEXT,
        reaudited INTEGER NOT NULL DEFAULT 0,
        render_key TEXT,                -- what the reports were rendered from (reused while equal)
        reports TEXT,                   -- JSON {format: path inside the run folder}
        PRIMARY KEY (run_id, provider)
    );
    CREATE TABLE scores (
        run_id TEXT NOT NULL REFERENCES runs(id),
        provider TEXT NOT NULL,
        checklist TEXT NOT NULL,
        version TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (run_id, provider, checklist)
    );
    CREATE TABLE findings (
        run_id TEXT NOT NULL REFERENCES runs(id),
        provider TEXT NOT NULL,
        checklist TEXT NOT NULL,
        requirement TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        effective_status TEXT NOT NULL, -- after a current reviewer decision
        decision TEXT,
        decision_current INTEGER,
        PRIMARY KEY (run_id, provider, checklist, requirement)
    );
    CREATE TABLE flags (
        run_id TEXT NOT NULL REFERENCES runs(id),
        provider TEXT NOT NULL,
        flag TEXT NOT NULL,
        severity TEXT NOT NULL,
        checklist TEXT NOT NULL,
        PRIMARY KEY (run_id, provider, flag)
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        checklist TEXT NOT NULL,
        requirement TEXT NOT NULL,
        sha256 TEXT NOT NULL,           -- the policy version the decision was made on
        decision TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        workbook TEXT NOT NULL
    );
    CREATE INDEX audits_by_version ON audits (policy_version, engine_key, id);
    CREATE INDEX run_providers_by_provider ON run_providers (provider, run_id);
    CREATE INDEX reviews_by_finding ON reviews (provider, requirement, id);
    """,
)


class HistoryError(GapcheckError):
    """A history database that cannot be used."""


@dataclass(frozen=True)
class StoredAudit:
    """An audit kept in the history, with the policy version it was made on."""

    id: int
    sha256: str
    audit: Audit


@dataclass(frozen=True)
class PreviousResult:
    """A provider's last successful result in a finished run."""

    run_id: str
    out_dir: Path
    audit_id: int
    sha256: str
    render_key: str
    reports: dict[str, str]
    snapshot: Snapshot


@dataclass(frozen=True)
class StoredReview:
    """A reviewer's decision on one finding, bound to the policy version it was made on."""

    provider: str
    checklist: str
    requirement: str
    sha256: str
    decision: str
    note: str
    reviewer: str
    at: str


@dataclass(frozen=True)
class LastPortfolio:
    """The portfolio files of the last finished run and what they were rendered from."""

    out_dir: Path
    key: str
    files: tuple[str, ...]


class History:
    """An open history database; use `History.open` and close it (or use it as a context manager)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: Path) -> History:
        """Open (creating and migrating as needed) the database at path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA schema_version").fetchone()  # fails at once on a file that is not SQLite
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: not a usable gapcheck history database ({exc})") from exc
        history = cls(connection, path)
        try:
            history._migrate()
        except BaseException:
            connection.close()
            raise
        return history

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all; a database failure becomes a HistoryError."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: {exc}") from exc
        try:
            yield self.connection
        except BaseException as exc:
            self.connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise HistoryError(f"{self.path}: {exc}") from exc
            raise
        try:
            self.connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: {exc}") from exc

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
        version = self.schema_version()
        if version > len(MIGRATIONS):
            raise HistoryError(f"{self.path}: written by a newer gapcheck (schema {version}, "
                               f"this one knows {len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as db:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (number,))

    def schema_version(self) -> int:
        return int(self.connection.execute("SELECT version FROM schema_version").fetchone()[0])

    # ------------------------------------------------------------------ runs

    def run_exists(self, run_id: str) -> bool:
        return self.connection.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None

    def start_run(self, run_id: str, started_at: str, config: str, version: str, engine_key: str,
                  out_dir: Path) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO runs (id, started_at, config, gapcheck_version, engine_key, out_dir) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (run_id, started_at, config, version, engine_key, str(out_dir)))

    def unfinished_runs(self) -> set[str]:
        """The ids of runs that started but never finished (killed or interrupted)."""
        return {row[0] for row in self.connection.execute("SELECT id FROM runs WHERE finished_at IS NULL")}

    def finish_run(self, run_id: str, finished_at: str, exit_code: int, summary: dict[str, Any],
                   portfolio_key: str, portfolio_files: Iterable[str]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished_at = ?, exit_code = ?, summary = ?, portfolio_key = ?, "
                       "portfolio_files = ? WHERE id = ?",
                       (finished_at, exit_code, json.dumps(summary), portfolio_key,
                        json.dumps(list(portfolio_files)), run_id))

    def last_portfolio(self) -> LastPortfolio | None:
        row = self.connection.execute(
            "SELECT out_dir, portfolio_key, portfolio_files FROM runs WHERE finished_at IS NOT NULL "
            "ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
        if row is None or not row[1]:
            return None
        return LastPortfolio(Path(row[0]), row[1], tuple(json.loads(row[2] or "[]")))

    # ------------------------------------------------------------------ policies and audits


    def find_audit(self, provider: str, sha256: str, engine_key: str) -> StoredAudit | None:
        """The latest stored audit of this policy version by this engine, if there is one."""
        row = self.connection.execute(
            "SELECT a.id, a.audit, a.text FROM audits a JOIN policy_versions p ON p.id = a.policy_version "
            "WHERE p.provider = ? AND p.sha256 = ? AND a.engine_key = ? ORDER BY a.id DESC LIMIT 1",
            (provider, sha256, engine_key)).fetchone()
        return None if row is None else StoredAudit(row[0], sha256, audit_from_dict(json.loads(row[1]), row[2]))

    def store_audit(self, document: Document, content_type: str, engine_key: str, audit: Audit) -> int:
        """Store an audit with the policy version it was made on (its bytes and text); return the audit's id."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO policy_versions (provider, sha256, source, media_type, content_type, "
                       "fetched_at, raw, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (document.provider, document.sha256, document.source, document.media_type, content_type,
                        audit.audited_at.isoformat(), document.raw, document.text))
            policy_id = db.execute("SELECT id FROM policy_versions WHERE provider = ? AND sha256 = ?",
                                   (document.provider, document.sha256)).fetchone()[0]
            cursor = db.execute(
                "INSERT INTO audits (policy_version, engine_key, audited_at, audit, text) VALUES (?, ?, ?, ?, ?)",
                (policy_id, engine_key, audit.audited_at.isoformat(), json.dumps(audit_to_record(audit)), audit.text))
            return int(cursor.lastrowid)

    def audits_of(self, provider: str) -> list[tuple[StoredAudit, str]]:
        """Every audit of a provider used in a run, with the start of the first run that used it, newest first."""
        rows = self.connection.execute(
            "SELECT a.id, p.sha256, a.audit, a.text, MIN(r.started_at) AS first_used "
            "FROM run_providers rp JOIN runs r ON r.id = rp.run_id JOIN audits a ON a.id = rp.audit_id "
            "JOIN policy_versions p ON p.id = a.policy_version WHERE rp.provider = ? "
            "GROUP BY a.id ORDER BY first_used DESC, a.id DESC", (provider,)).fetchall()
        return [(StoredAudit(r[0], r[1], audit_from_dict(json.loads(r[2]), r[3])), r[4]) for r in rows]

    # ------------------------------------------------------------------ per-run results

    def record_result(self, run_id: str, provider: str, source: str, change: str, audit: Audit, audit_id: int,
                      reaudited: bool, render_key: str, reports: dict[str, str]) -> None:
        """A provider's successful result in a run, with its scores, findings and flags."""
        with self.transaction() as db:
            db.execute("INSERT INTO run_providers (run_id, provider, source, change, audit_id, sha256, reaudited, "
                       "render_key, reports) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, provider, source, change, audit_id, audit.sha256, int(reaudited), render_key,
                        json.dumps(reports)))
            db.executemany("INSERT INTO scores (run_id, provider, checklist, version, score) VALUES (?, ?, ?, ?, ?)",
                           [(run_id, provider, c.id, c.version, c.score) for c in audit.checklists])
            db.executemany(
                "INSERT INTO findings (run_id, provider, checklist, requirement, severity, status, effective_status, "
                "decision, decision_current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, provider, c.id, f.requirement, f.severity, f.status, effective_status(f),
                  f.review.decision if f.review else None, int(f.review.current) if f.review else None)
                 for c in audit.checklists for f in c.findings])
            db.executemany("INSERT INTO flags (run_id, provider, flag, severity, checklist) VALUES (?, ?, ?, ?, ?)",
                           [(run_id, provider, f.id, f.severity, f.checklist) for f in audit.flags])

    def record_error(self, run_id: str, provider: str, source: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO run_providers (run_id, provider, source, change, error) VALUES (?, ?, ?, ?, ?)",
                       (run_id, provider, source, "error", reason))

    def last_success(self, provider: str) -> PreviousResult | None:
        """The provider's result in the latest finished run where it was audited."""
        row = self.connection.execute(
            "SELECT rp.run_id, r.out_dir, rp.audit_id, rp.sha256, rp.render_key, rp.reports, a.text "
            "FROM run_providers rp JOIN runs r ON r.id = rp.run_id JOIN audits a ON a.id = rp.audit_id "
            "WHERE rp.provider = ? AND rp.change != 'error' AND r.finished_at IS NOT NULL "
            "ORDER BY r.started_at DESC, r.id DESC LIMIT 1", (provider,)).fetchone()
        if row is None:
            return None
        run_id = row[0]
        scores = dict(self.connection.execute(
            "SELECT checklist, score FROM scores WHERE run_id = ? AND provider = ?", (run_id, provider)).fetchall())
        gaps = frozenset(r[0] for r in self.connection.execute(
            f"SELECT requirement FROM findings WHERE run_id = ? AND provider = ? "
            f"AND effective_status IN ({', '.join('?' * len(GAP_STATUSES))})",
            (run_id, provider, *sorted(GAP_STATUSES))))
        flags = frozenset(r[0] for r in self.connection.execute(
            "SELECT flag FROM flags WHERE run_id = ? AND provider = ?", (run_id, provider)))
        return PreviousResult(run_id, Path(row[1]), row[2], row[3], row[4] or "", json.loads(row[5] or "{}"),
                              Snapshot(row[3], scores, gaps, flags, row[6]))

    # ------------------------------------------------------------------ reviews

    def latest_reviews(self) -> dict[tuple[str, str], StoredReview]:
        """The latest decision on every (provider, requirement)."""
        rows = self.connection.execute(
            "SELECT provider, checklist, requirement, sha256, decision, note, reviewer, at FROM reviews "
            "ORDER BY id").fetchall()
        return {(r[0], r[2]): StoredReview(*r) for r in rows}

    def add_reviews(self, reviews: Iterable[StoredReview], imported_at: str, workbook: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO reviews (provider, checklist, requirement, sha256, decision, note, reviewer, at, "
                "imported_at, workbook) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.provider, r.checklist, r.requirement, r.sha256, r.decision, r.note, r.reviewer, r.at,
                  imported_at, workbook) for r in reviews])
