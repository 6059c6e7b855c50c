"""What the policy owner reads: how the advisor is used and what went unanswered.

The report is computed from the query log for a period; its JSON form is stable (``version``)
and is what the web dashboard reads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from ..nudge.store import NudgeStore
from ..text import normalize
from .csvexport import to_csv
from .records import QueryLog, QuestionRecord, Rating

__all__ = ["Cluster", "Report", "build_report"]

VERSION = 1
LOW_CONFIDENCE = 0.15
SIMILAR = 70.0
MAX_CLUSTERED = 5000
MAX_CANDIDATES = 40
OUTCOMES = ("answered", "clarify", "declined")


@dataclass
class Cluster:
    """Unanswered or unsure questions that read alike, and the topic they came closest to."""

    count: int
    lang: str
    nearest_topic: str | None
    examples: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "lang": self.lang,
            "nearest_topic": self.nearest_topic,
            "examples": self.examples,
        }

    def snippet(self) -> str:
        """YAML the policy owner can paste under the nearest topic's examples."""
        target = f"knowledge/topics/{self.nearest_topic}.yaml" if self.nearest_topic else "a new topic"
        head = f"# {self.count} question(s) like these; nearest topic: {self.nearest_topic or 'none'}\n"
        head += f"# add to {target}, under examples.{self.lang}:\n"
        body = yaml.safe_dump({"examples": {self.lang: self.examples}}, allow_unicode=True, sort_keys=False)
        return head + body


@dataclass
class Report:
    since: datetime
    until: datetime
    questions: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    per_channel: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    topics: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    checklists: list[dict[str, Any]] = field(default_factory=list)
    missed_items: list[dict[str, Any]] = field(default_factory=list)
    picks: dict[str, int] = field(default_factory=dict)
    nudges: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: int = 0
    """Questions answered in their conversation's context ("and on Instagram?", "why?")."""

    def share(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.questions if self.questions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "questions": self.questions,
            "per_day": self.per_day,
            "per_channel": self.per_channel,
            "outcomes": {
                o: {"count": self.outcomes.get(o, 0), "share": round(self.share(o), 4)} for o in OUTCOMES
            },
            "languages": self.languages,
            "topics": self.topics,
            "unanswered": [c.to_dict() for c in self.clusters],
            "checklists": self.checklists,
            "missed_items": self.missed_items,
            "did_you_mean_picks": self.picks,
            "nudges": self.nudges,
            "follow_ups": self.follow_ups,
        }

    def to_text(self) -> str:
        lines = [f"Advisor report {self.since:%Y-%m-%d} to {self.until:%Y-%m-%d}: {self.questions} questions"]
        if self.questions:
            lines.append(
                "Outcomes: "
                + ", ".join(f"{o} {self.outcomes.get(o, 0)} ({self.share(o):.0%})" for o in OUTCOMES)
            )
            lines.append("Channels: " + ", ".join(f"{c} {n}" for c, n in sorted(self.per_channel.items())))
            lines.append(f"Follow-ups answered in their conversation's context: {self.follow_ups}")
        lines.append("Per day:")
        lines += [f"  {day}  {count}" for day, count in self.per_day.items()]
        lines.append("Top topics (questions, helpful rate):")
        for t in self.topics:
            rate = "n/a" if t["helpful_rate"] is None else f"{t['helpful_rate']:.0%}"
            lines.append(
                f"  {t['topic']:<24} {t['questions']:>5}  helpful {rate} ({t['helpful']}/{t['rated']})"
            )
        lines.append("Unanswered or unsure, grouped:")
        for c in self.clusters:
            lines.append(f"  {c.count:>4} x [{c.lang}] nearest: {c.nearest_topic or '-'}: {c.examples[0]}")
        lines.append("Checklists finished (most often left unticked):")
        for run in self.checklists:
            lines.append(
                f"  {run['checklist']:<24} {run['finished']:>4} finished, {run['complete']} complete"
            )
        for m in self.missed_items[:10]:
            lines.append(f"    {m['checklist']}/{m['item']}: left unticked {m['count']} time(s)")
        if self.nudges:
            lines.append("Link nudges (kind of link, network or app):")
            lines += [f"  {n['kind']:<12} {n['subject']:<16} {n['count']:>5}" for n in self.nudges]
        return "\n".join(lines)

    def to_csv(self) -> str:
        """The figures as CSV; questions people typed are neutralized for spreadsheets."""
        rows: list[list[str | int]] = [["section", "key", "count", "extra"]]
        rows += [["per_day", day, count, ""] for day, count in self.per_day.items()]
        rows += [["per_channel", channel, count, ""] for channel, count in sorted(self.per_channel.items())]
        rows += [
            ["outcome", outcome, self.outcomes.get(outcome, 0), f"{self.share(outcome):.4f}"]
            for outcome in OUTCOMES
        ]
        for t in self.topics:
            rate = "" if t["helpful_rate"] is None else f"{t['helpful_rate']:.4f}"
            rows.append(["topic", t["topic"], t["questions"], rate])
        rows += [["unanswered", c.examples[0], c.count, c.nearest_topic or ""] for c in self.clusters]
        rows += [["checklist", r["checklist"], r["finished"], r["complete"]] for r in self.checklists]
        rows += [["missed_item", f"{m['checklist']}/{m['item']}", m["count"], ""] for m in self.missed_items]
        rows += [["nudge", f"{n['kind']}/{n['subject']}", n["count"], ""] for n in self.nudges]
        return to_csv(rows)

    def suggestions(self) -> str:
        return "\n".join(c.snippet() for c in self.clusters)


def _nearest(group: list[QuestionRecord]) -> str | None:
    votes = Counter(q.runners_up[0][0] for q in group if q.runners_up)
    return votes.most_common(1)[0][0] if votes else None


def cluster(questions: list[QuestionRecord]) -> list[Cluster]:
    """Group alike wordings of the newest ``MAX_CLUSTERED`` questions in near-linear time.

    Identical wordings (after normalization) are merged first; then each distinct wording,
    the most frequent first, joins the closest group whose first wording it reads like. It is
    compared only with groups that share one of its words (rarest words first), at most
    ``MAX_CANDIDATES`` of them, instead of with every group: the report stays fast however
    many different questions went unanswered.
    """
    wordings: dict[tuple[str, str], list[QuestionRecord]] = {}
    for q in questions[-MAX_CLUSTERED:]:
        key = normalize(q.text)
        if key:
            wordings.setdefault((q.lang, key), []).append(q)
    heads: list[str] = []
    groups: list[list[QuestionRecord]] = []
    having: dict[tuple[str, str], list[int]] = {}  # (language, word) -> groups whose head has it
    for (lang, key), members in sorted(wordings.items(), key=lambda item: -len(item[1])):
        words = sorted(set(key.split()), key=lambda w: len(having.get((lang, w), ())))
        candidates: dict[int, str] = {}
        for word in words:
            for number in having.get((lang, word), ())[:MAX_CANDIDATES]:
                candidates.setdefault(number, heads[number])
            if len(candidates) >= MAX_CANDIDATES:
                break
        best = process.extractOne(key, candidates, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR)
        if best is not None:
            groups[best[2]].extend(members)
            continue
        for word in words:
            having.setdefault((lang, word), []).append(len(groups))
        heads.append(key)
        groups.append(list(members))
    clusters = [
        Cluster(
            len(members), members[0].lang, _nearest(members), list(dict.fromkeys(m.text for m in members))[:5]
        )
        for members in groups
    ]
    return sorted(clusters, key=lambda c: (-c.count, c.examples[0]))


def _rated(ratings: list[Rating]) -> tuple[dict[str, list[bool]], dict[str, int]]:
    """Helpful votes per topic and "did you mean" picks: one of each per answer and person
    (the first), however often the same feedback was sent."""
    votes: dict[str, list[bool]] = defaultdict(list)
    picks: dict[str, int] = {}
    seen: set[tuple[str, str, str | None]] = set()
    for r in ratings:
        if r.helpful is not None and r.topic and ("helpful", r.question_id, r.user) not in seen:
            seen.add(("helpful", r.question_id, r.user))
            votes[r.topic].append(r.helpful)
        if r.picked and ("picked", r.question_id, r.user) not in seen:
            seen.add(("picked", r.question_id, r.user))
            picks[r.picked] = picks.get(r.picked, 0) + 1
    return votes, picks


def build_report(log: QueryLog, since: datetime, until: datetime, nudges: NudgeStore | None = None) -> Report:
    """``nudges``: the nudge's store, for how many notes about shared links went out."""
    tallies = log.tally(since, until)
    report = Report(since=since, until=until, questions=sum(t.count for t in tallies))

    per_day: Counter[date] = Counter()
    day, last = since.date(), (until - timedelta(microseconds=1)).date()
    while day <= last:
        per_day[day] = 0
        if day == date.max:
            break
        day += timedelta(days=1)
    per_channel: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    topic_counts: Counter[str] = Counter()
    for t in tallies:
        per_day[t.day] += t.count
        per_channel[t.channel] += t.count
        outcomes[t.outcome] += t.count
        languages[t.lang] += t.count
        if t.topic and t.outcome == "answered":
            topic_counts[t.topic] += t.count
    report.per_day = {d.isoformat(): n for d, n in sorted(per_day.items())}
    report.per_channel, report.outcomes, report.languages = dict(per_channel), dict(outcomes), dict(languages)

    ratings, report.picks = _rated(log.ratings(since, until))
    report.topics = [
        {
            "topic": topic,
            "questions": count,
            "rated": len(ratings[topic]),
            "helpful": sum(ratings[topic]),
            "helpful_rate": round(sum(ratings[topic]) / len(ratings[topic]), 4) if ratings[topic] else None,
        }
        for topic, count in topic_counts.most_common()
    ]
    report.clusters = cluster(log.unanswered(since, until, LOW_CONFIDENCE, MAX_CLUSTERED))
    report.follow_ups = log.follow_ups(since, until)

    runs = log.checklists(since, until)
    finished = Counter(r.checklist for r in runs)
    complete = Counter(r.checklist for r in runs if not r.missed)
    report.checklists = [
        {"checklist": c, "finished": n, "complete": complete.get(c, 0)} for c, n in finished.most_common()
    ]
    missed = Counter((r.checklist, item) for r in runs for item in r.missed)
    report.missed_items = [{"checklist": c, "item": i, "count": n} for (c, i), n in missed.most_common()]
    if nudges is not None:
        report.nudges = [
            {"kind": n.kind, "subject": n.subject, "count": n.count} for n in nudges.counts(since, until)
        ]
    return report
