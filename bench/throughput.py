"""Audit throughput on the labelled policies, next to a bare keyword pass over the same files.

    python3 bench/throughput.py [--jobs N] [--repeat N] [--keep] [FOLDER ...]

Default folders: ../shared/eval/gdpr-dev/policies and ../shared/eval/ccpa-dev/policies (290 real policies).
Prints figures only (no pass or fail):

- gapcheck: `gapcheck audit FOLDERS --out TMP --jobs N --as-of 2026-11-23` (JSON reports, default all cores) as a
  user runs it, in a fresh process: wall seconds, documents/s, MB/s, CPU seconds of all its processes, and its
  peak memory: the largest sum of the resident sizes of the command's whole process tree, polled from /proc
  every 20 ms, beside the sum of every process's own high-water mark (an upper bound) and the largest single one.
- keyword pass: in this process, single-threaded: read each file, strip HTML with the standard library's
  html.parser.HTMLParser (script and style dropped), then one case-insensitive regular expression per
  requirement id of the bundled checklists (an alternation of a few obvious keywords), every match counted.
- ratio = gapcheck wall / keyword wall, since absolute times on a shared machine drift; the two are run one
  after the other in the same run, --repeat times, and the best of each is compared.

Targets (2-core machine): ratio <= 1.0 and peak memory < 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's gapcheck, not another installed one
EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_FOLDERS = [EVAL / "gdpr-dev" / "policies", EVAL / "ccpa-dev" / "policies"]
SUFFIXES = {".txt", ".md", ".html", ".htm"}
PAGE = os.sysconf("SC_PAGE_SIZE")

# What a person would type into a search box for each requirement: 3-6 obvious keywords.
KEYWORDS: dict[str, list[str]] = {
    "gdpr.controller_identity": ["controller", "we are", "operated by", "company"],
    "gdpr.controller_contact": ["contact us", "email", "address", "questions"],
    "gdpr.dpo_contact": ["data protection officer", "dpo"],
    "gdpr.purposes": ["purpose", "purposes", "we use", "use your"],
    "gdpr.legal_basis": ["legal basis", "lawful basis", "consent", "legitimate interest", "contract"],
    "gdpr.legitimate_interests": ["legitimate interest", "legitimate interests"],
    "gdpr.data_categories": ["personal data", "information we collect", "we collect", "name", "email address"],
    "gdpr.data_sources": ["third parties", "obtain", "source", "sources", "publicly available"],
    "gdpr.recipients": ["third parties", "share", "service providers", "partners", "disclose"],
    "gdpr.transfers": ["transfer", "transfers", "outside", "standard contractual clauses", "adequacy"],
    "gdpr.retention": ["retain", "retention", "keep", "as long as", "delete"],
    "gdpr.right_access": ["access", "right of access", "copy of"],
    "gdpr.right_rectification": ["rectify", "rectification", "correct", "update"],
    "gdpr.right_erasure": ["erase", "erasure", "delete", "deletion", "right to be forgotten"],
    "gdpr.right_restriction": ["restrict", "restriction", "limit processing"],
    "gdpr.right_object": ["object", "objection", "opt out"],
    "gdpr.right_portability": ["portability", "portable", "machine-readable"],
    "gdpr.withdraw_consent": ["withdraw", "withdrawal", "revoke", "consent"],
    "gdpr.complaint": ["complaint", "supervisory authority", "data protection authority", "lodge"],
    "gdpr.provision_requirement": ["required", "mandatory", "obligation", "unable to provide"],
    "gdpr.automated_decisions": ["automated decision", "profiling", "automated"],
    "gdpr.children": ["children", "child", "under 13", "under 16", "minors"],
    "gdpr.special_categories": ["health", "biometric", "racial", "religious", "sexual orientation", "special categories"],
    "gdpr.eu_representative": ["representative", "article 27", "eu representative"],
    "gdpr.policy_changes": ["changes", "update this policy", "modify", "amend", "notify you"],
    "ccpa.categories_collected": ["categories of personal information", "identifiers", "we collect", "collected"],
    "ccpa.categories_disclosed": ["disclosed", "business purpose", "categories of third parties", "share"],
    "ccpa.sale_sharing": ["sell", "sold", "sale", "share", "do not sell"],
    "ccpa.request_methods": ["toll-free", "submit a request", "web form", "email", "call"],
    "ccpa.right_know": ["right to know", "access", "request to know", "disclose to you"],
    "ccpa.right_know_sold_shared": ["sold", "shared", "disclosed for a business purpose", "right to know"],
    "ccpa.right_delete": ["delete", "deletion", "right to delete", "erase"],
    "ccpa.right_correct": ["correct", "correction", "inaccurate", "right to correct"],
    "ccpa.right_opt_out": ["opt out", "opt-out", "do not sell", "do not share"],
    "ccpa.right_limit_sensitive": ["limit the use", "sensitive personal information", "limit"],
    "ccpa.non_discrimination": ["discriminate", "discrimination", "non-discrimination"],
    "ccpa.last_updated": ["last updated", "effective date", "last revised", "updated"],
    "ccpa.sources": ["sources", "directly from you", "third parties", "obtain"],
    "ccpa.purposes": ["business purpose", "commercial purpose", "purposes", "we use"],
    "ccpa.verification": ["verify", "verification", "identity", "verifiable"],
    "ccpa.authorized_agent": ["authorized agent", "agent", "power of attorney"],
    "ccpa.retention": ["retain", "retention", "keep", "as long as"],
    "ccpa.minors": ["minors", "under 16", "children", "under 13"],
    "ccpa.opt_out_signals": ["global privacy control", "gpc", "opt-out preference signal", "do not track"],
    "ccpa.financial_incentives": ["financial incentive", "incentive", "loyalty", "price or service difference"],
    "ccpa.contact": ["contact us", "questions", "email", "toll-free"],
    "ccpa.sensitive_pi": ["sensitive personal information", "social security", "precise geolocation", "sensitive"],
}


class _TextOnly(HTMLParser):
    """The text of a page, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def policy_files(folders: list[Path]) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES]


def keyword_patterns() -> dict[str, re.Pattern[str]]:
    """One regular expression per requirement id of the bundled checklists (title words for an id not above)."""
    from gapcheck.checklist import resolve_checklists  # outside the timed part

    patterns = {}
    for checklist in resolve_checklists([]):
        for req in checklist.requirements:
            words = KEYWORDS.get(req.id) or [w for w in re.findall(r"[a-z]{4,}", req.title.lower())][:5]
            patterns[req.id] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return patterns


def keyword_pass(files: list[Path], patterns: dict[str, re.Pattern[str]]) -> tuple[float, float, int]:
    """Wall and CPU seconds of the bare keyword pass, and how many keyword matches it found."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix.lower() in (".html", ".htm"):
            parser = _TextOnly()
            parser.feed(text)
            parser.close()
            text = " ".join(parser.parts)
        for pattern in patterns.values():
            found += len(pattern.findall(text))
    return time.perf_counter() - wall, time.process_time() - cpu, found


def _tree(root: int) -> list[int]:
    """The process ids of `root` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryPoll(threading.Thread):
    """Polls a process tree's resident memory: the peak of the sum, and every process's own high-water mark."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_sum = 0
        self.high_water: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in _tree(self.pid):
                try:
                    with open(f"/proc/{pid}/statm") as statm:
                        total += int(statm.read().split()[1]) * PAGE // 1024
                except OSError:
                    continue
                self.high_water[pid] = max(self.high_water.get(pid, 0), _status_kb(pid, "VmHWM:"))
            self.peak_sum = max(self.peak_sum, total)
            self.done.wait(self.every)


def measured(command: list[str]) -> dict[str, float]:
    """Run a command in a fresh process: exit code, wall and CPU seconds of its whole tree, and its peak memory
    (MB: the polled sum over the tree, the sum of every process's own peak, and the largest single process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    poll = MemoryPoll(process.pid)
    poll.start()
    code = process.wait()
    wall = time.perf_counter() - started
    poll.done.set()
    poll.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"code": code, "wall": wall, "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak_sum_mb": poll.peak_sum / 1024, "hwm_sum_mb": sum(poll.high_water.values()) / 1024,
            "largest_mb": after.ru_maxrss / 1024, "processes": len(poll.high_water)}


def gapcheck_pass(folders: list[Path], jobs: int | None, keep: Path | None) -> dict[str, float]:
    """Run `gapcheck audit` over the folders to JSON in a fresh process; its times and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or Path(tmp) / "out"
        figures = measured([sys.executable, "-m", "gapcheck.cli", "audit", *map(str, folders), "--out", str(out),
                            "--as-of", "2026-11-23"] + (["--jobs", str(jobs)] if jobs else []))
        if figures["code"] not in (0, 3):
            raise SystemExit(f"gapcheck audit exited {figures['code']}")
        figures["written"] = len(list(out.glob("*.json")))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--jobs", type=int, default=None, help="gapcheck --jobs (default: its own, all cores)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pass; the best is compared")
    parser.add_argument("--keep", type=Path, default=None, help="write gapcheck's reports here instead of a temp folder")
    args = parser.parse_args()
    files = policy_files(args.folders)
    if not files:
        raise SystemExit("no policy files found: pass the folders (default: ../shared/eval/*-dev/policies)")
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    patterns = keyword_patterns()
    print(f"{len(files)} documents, {megabytes:.1f} MB, {len(patterns)} keyword expressions, "
          f"{os.cpu_count()} cores, gapcheck --jobs {args.jobs or 'default (all cores)'}")
    runs_g, runs_k = [], []
    for _ in range(args.repeat):
        runs_g.append(gapcheck_pass(args.folders, args.jobs, args.keep))
        runs_k.append(keyword_pass(files, patterns))
    g = min(runs_g, key=lambda r: r["wall"])
    k_wall, k_cpu, found = min(runs_k)
    print(f"gapcheck audit -> json: {g['wall']:7.2f} s wall  {g['cpu']:7.2f} s cpu  "
          f"{len(files) / g['wall']:7.1f} docs/s  {megabytes / g['wall']:6.2f} MB/s  ({g['written']} reports)")
    print(f"  peak memory: {g['peak_sum_mb']:.0f} MB (sum over its {g['processes']} processes, polled); "
          f"sum of per-process peaks {g['hwm_sum_mb']:.0f} MB; largest process {g['largest_mb']:.0f} MB"
          "   target < 1024 MB")
    print(f"keyword pass:           {k_wall:7.2f} s wall  {k_cpu:7.2f} s cpu  "
          f"{len(files) / k_wall:7.1f} docs/s  {megabytes / k_wall:6.2f} MB/s  ({found} keyword hits)")
    print(f"ratio gapcheck/keyword: {g['wall'] / k_wall:.2f} (wall)  {g['cpu'] / k_cpu:.2f} (cpu)   target <= 1.0 (wall)")
    if args.repeat > 1:
        print("all runs (gapcheck wall / keyword wall): "
              + ", ".join(f"{a['wall']:.1f}/{b[0]:.1f}" for a, b in zip(runs_g, runs_k)))


if __name__ == "__main__":
    main()
