"""Evaluating a checklist against one document's statements: pure and deterministic."""

from __future__ import annotations

import re
from functools import lru_cache

from gapcheck.checklist import Checklist, FlagRule, Outcome, Requirement
from gapcheck.matchers import Corpus, Hit, sample_terms
from gapcheck.models import Evidence, Finding, Flag, Statement

MAX_EVIDENCE = 3
# Sentences about the document itself or definitions of terms (also under a "Definitions" heading) make weak evidence.
META_STATEMENT = re.compile(
    r"\b(this|our) (privacy )?(policy|page|notice|statement|document)\b.{0,40}\b(describes?|explains?|is used|informs?|"
    r"sets? out|applies|outlines?|intends?|covers?)\b|\b(means|refers to|shall mean|is defined as)\b"
    r"|\bexcept as (described|set out|provided|explained) in this\b"
    # cross-references: "see the section below", "Part 8 contains information on ..."
    r"|\b(see|visit|refer to|described in|set out in|found in)\b.{0,60}\b(section|part|paragraph)\b"
    r"|\b(section|part) [\dIVX]+\w*,? (below |above )?(contains|describes|explains|sets out)\b"
    # a quoted section title summarised: "“Necessary Processing” describes how we ..."
    r"|[\"“][^\"”]{3,60}[\"”] (describes|explains|sets out|covers)\b"
    # a lead-in that only announces what follows: "The following details which categories ... and whether we sell"
    r"|^(the )?(following|below|table below|chart below|table|chart) (\w+ ){0,2}(details|describes|explains|sets out|"
    r"outlines|summari[sz]es|shows|identifies)\b",
    re.IGNORECASE)
DEFINITIONS_SECTION = re.compile(r"\b(definitions?|interpretation|glossary)\b", re.IGNORECASE)
SELF_DEFINITION = re.compile(r"\((referred to|hereinafter)|[\"“](we|us|company|the company)[\"”]", re.IGNORECASE)
QUOTE_CHARS = 110


def evaluate_checklist(checklist: Checklist, corpus: Corpus) -> tuple[list[Finding], list[Flag]]:
    """Every requirement's finding and every raised flag of one checklist."""
    corpus.excluded = set(matches(checklist.out_of_scope, corpus)) if checklist.out_of_scope else set()
    corpus.narrow = set(matches(checklist.quote_last, corpus)) if checklist.quote_last else set()
    try:
        findings = [evaluate_requirement(req, corpus) for req in checklist.requirements]
        flags = [flag for rule in checklist.flags if (flag := evaluate_flag(rule, corpus, checklist.id)) is not None]
    finally:
        corpus.excluded, corpus.narrow = set(), set()
    return findings, flags


def evaluate_requirement(req: Requirement, corpus: Corpus) -> Finding:
    """One requirement's status, evidence and rationale. A statement that meets the requirement
    counts even where the requirement would not apply: the policy addresses the topic anyway."""

    def finding(status: str, rationale: str, evidence: list[Evidence] = ()) -> Finding:
        return Finding(requirement=req.id, title=req.title, citation=req.citation, article=req.article,
                       severity=req.severity, status=status, rationale=rationale, evidence=tuple(evidence),
                       looked_for=req.met.text, remediation=req.remediation, weight=req.weight)

    quoted_last = set(matches(req.quote_last, corpus)) if req.quote_last else set()
    met_hits = matches(req.met, corpus)
    applicable = req.applies_when is None or bool(matches(req.applies_when, corpus))
    if not applicable and not met_hits:
        return finding("not_applicable", f"Not applicable: {req.not_applicable_because}")
    if req.applies_unless is not None and not met_hits:
        exempt = matches(req.applies_unless, corpus)
        if exempt:
            evidence = gather(exempt, corpus, quoted_last)
            return finding("not_applicable", f"Not applicable: {req.not_applicable_because} {_quoted(evidence)}.",
                           evidence)
    if req.conflict is not None and (hits := matches(req.conflict, corpus)):
        evidence = gather(hits, corpus, quoted_last)
        return finding("conflict", f"Conflict: {req.conflict.text} {_quoted(evidence)}.", evidence)
    if met_hits:
        evidence = gather(met_hits, corpus, quoted_last)
        if applicable and req.requires is not None and not matches(req.requires, corpus):
            return finding("partial", f"Partial: {req.requires.text} Found {_quoted(evidence)}; "
                                      f"looked for phrases such as {_looked_for(req.requires)}.", evidence)
        return finding("met", f"Met: {_says(met_hits, evidence)} {_quoted(evidence)}.", evidence)
    if req.partial is not None and (hits := matches(req.partial, corpus)):
        evidence = gather(hits, corpus, quoted_last)
        return finding("partial", f"Partial: {req.partial.text} {_quoted(evidence)}; "
                                  f"looked for {req.met.text}.", evidence)
    if req.near_miss is not None and (hits := matches(req.near_miss, corpus)):
        evidence = gather(hits, corpus, quoted_last)
        return finding("missing", f"Missing: {req.near_miss.text}: {_quoted(evidence)}; looked for {req.met.text}.",
                       evidence)
    examples = _looked_for(req.met)
    return finding("missing", f"Missing: no statement found; looked for {req.met.text}"
                              + (f" (phrases such as {examples})." if examples else "."))


def evaluate_flag(rule: FlagRule, corpus: Corpus, checklist_id: str) -> Flag | None:
    """A raised flag with its evidence, or None when the policy does not contain the clause."""
    hits = matches(rule.when, corpus)
    if not hits or (rule.unless is not None and matches(rule.unless, corpus)):
        return None
    evidence = gather(hits, corpus)
    return Flag(id=rule.id, title=rule.title, severity=rule.severity, citation=rule.citation,
                rationale=f"{rule.why} {_quoted(evidence)}.", evidence=tuple(evidence),
                checklist=checklist_id, remediation=rule.remediation)


# A match: statement index -> (rule order, hit, what the rule says)
Matches = dict[int, tuple[int, Hit, str]]


def matches(outcome: Outcome, corpus: Corpus) -> Matches:
    """The statements any rule of the outcome holds for, keeping the first rule that does."""
    found: Matches = {}
    for order, rule in enumerate(outcome.rules):
        for index, hit in rule.matcher.hits(corpus).items():
            if index not in found and index not in corpus.excluded:
                found[index] = (order, hit, rule.says)
    return found


def gather(found: Matches, corpus: Corpus, quoted_last: frozenset[int] | set[int] = frozenset()) -> list[Evidence]:
    """The best evidence: the checklist's narrower statements (quote_last, e.g. about children only) and the
    requirement's weaker ones (its own quote_last) after all others; then earliest rule first; statements about
    the policy itself or definitions last; own-text matches before list-lead matches; more distinct cues first;
    then document order."""

    weak = corpus.weak

    def rank(item: tuple[int, tuple[int, Hit, str]]) -> tuple:
        index, (order, hit, _) = item
        generic = weak.get(index)
        if generic is None:
            generic = weak[index] = _is_weak(corpus.statements[index])
        cues = len({c.lower() for c in hit.cues})
        return index in corpus.narrow or index in quoted_last, order, generic, not hit.own, -min(cues, 4), index

    ranked = sorted(found.items(), key=rank)
    evidence: list[Evidence] = []
    used: set[int] = set()
    for index, (_, hit, says) in ranked:
        if len(evidence) >= MAX_EVIDENCE:
            break
        for shown in _with_lead(index, hit, corpus):
            if shown in used:
                continue
            used.add(shown)
            statement = corpus.statements[shown]
            cue = " … ".join(dict.fromkeys(c.strip() for c in hit.cues if c.strip()))
            evidence.append(Evidence(statement.text, statement.start, statement.end,
                                     statement.section_label, cue, says))
    return evidence[:MAX_EVIDENCE]


def _is_weak(statement: Statement) -> bool:
    """A statement about the policy itself, a cross-reference or a definition: quoted after real disclosures."""
    about_policy = META_STATEMENT.search(statement.text) is not None and not SELF_DEFINITION.search(statement.text)
    return about_policy or any(DEFINITIONS_SECTION.search(heading) for heading in statement.section)


def _with_lead(index: int, hit: Hit, corpus: Corpus) -> list[int]:
    lead = corpus.lead_index.get(index)
    return [index, lead] if lead is not None and not hit.own else [index]


def _quoted(evidence: list[Evidence]) -> str:
    if not evidence:
        return ""
    first = evidence[0]
    text = " ".join(first.text.split())
    quote = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    where = f" under “{first.section}”" if first.section else ""
    more = f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else ""
    return f"“{quote}”{where}{more}"


def _says(found: Matches, evidence: list[Evidence]) -> str:
    return (evidence[0].rule if evidence and evidence[0].rule else "the policy addresses this") + ":"


@lru_cache(maxsize=4096)
def _looked_for(outcome: Outcome) -> str:
    """Example phrases from an outcome's rules, as a reader would search for them (the same for every
    document: worked out once per outcome)."""
    examples: list[str] = []
    for rule in outcome.rules:
        examples += [t for t in sample_terms(rule.matcher) if t not in examples]
    return ", ".join(f"“{t}”" for t in examples[:6])
