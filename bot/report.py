"""What the policy owner reads: how the advisor is used and what went unanswered.

The report is computed from the query log for a period; its JSON form is stable (``version``)
and is what the web dashboard reads.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import yaml
from rapidfuzz import fuzz

from .querylog import QueryLog, QuestionRecord
from .text import normalize

__all__ = ["Cluster", "Report", "build_report"]

VERSION = 1
LOW_CONFIDENCE = 0.15
SIMILAR = 70.0
MAX_CLUSTERED = 5000
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
        }

    def to_text(self) -> str:
        lines = [f"Advisor report {self.since:%Y-%m-%d} to {self.until:%Y-%m-%d}: {self.questions} questions"]
        if self.questions:
            lines.append(
                "Outcomes: "
                + ", ".join(f"{o} {self.outcomes.get(o, 0)} ({self.share(o):.0%})" for o in OUTCOMES)
            )
            lines.append("Channels: " + ", ".join(f"{c} {n}" for c, n in sorted(self.per_channel.items())))
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
        return "\n".join(lines)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["section", "key", "count", "extra"])
        for day, count in self.per_day.items():
            writer.writerow(["per_day", day, count, ""])
        for channel, count in sorted(self.per_channel.items()):
            writer.writerow(["per_channel", channel, count, ""])
        for outcome in OUTCOMES:
            writer.writerow(["outcome", outcome, self.outcomes.get(outcome, 0), f"{self.share(outcome):.4f}"])
        for t in self.topics:
            rate = "" if t["helpful_rate"] is None else f"{t['helpful_rate']:.4f}"
            writer.writerow(["topic", t["topic"], t["questions"], rate])
        for c in self.clusters:
            writer.writerow(["unanswered", c.examples[0], c.count, c.nearest_topic or ""])
        for run in self.checklists:
            writer.writerow(["checklist", run["checklist"], run["finished"], run["complete"]])
        for m in self.missed_items:
            writer.writerow(["missed_item", f"{m['checklist']}/{m['item']}", m["count"], ""])
        return out.getvalue()

    def suggestions(self) -> str:
        return "\n".join(c.snippet() for c in self.clusters)


def _is_unanswered(q: QuestionRecord) -> bool:
    return q.outcome != "answered" or q.confidence < LOW_CONFIDENCE


def _nearest(group: list[QuestionRecord]) -> str | None:
    votes = Counter(q.runners_up[0][0] for q in group if q.runners_up)
    return votes.most_common(1)[0][0] if votes else None


def cluster(questions: list[QuestionRecord]) -> list[Cluster]:
    """Group alike wordings greedily: each question joins the first group it is close to."""
    groups: list[tuple[str, list[QuestionRecord]]] = []
    for q in questions[-MAX_CLUSTERED:]:
        key = normalize(q.text)
        if not key:
            continue
        for head, members in groups:
            if members[0].lang == q.lang and fuzz.token_set_ratio(key, head) >= SIMILAR:
                members.append(q)
                break
        else:
            groups.append((key, [q]))
    clusters = [
        Cluster(
            len(members), members[0].lang, _nearest(members), list(dict.fromkeys(m.text for m in members))[:5]
        )
        for _, members in groups
    ]
    return sorted(clusters, key=lambda c: (-c.count, c.examples[0]))


def build_report(log: QueryLog, since: datetime, until: datetime) -> Report:
    questions = log.questions(since, until)
    feedback = log.feedback(since - timedelta(days=1), until + timedelta(days=1))
    runs = log.checklists(since, until)
    report = Report(since=since, until=until, questions=len(questions))

    day = since.date()
    per_day: dict[date, int] = {}
    while day <= (until - timedelta(microseconds=1)).date():
        per_day[day] = 0
        day += timedelta(days=1)
    for q in questions:
        per_day[q.asked_at.date()] = per_day.get(q.asked_at.date(), 0) + 1
    report.per_day = {d.isoformat(): n for d, n in sorted(per_day.items())}
    report.per_channel = dict(Counter(q.channel for q in questions))
    report.outcomes = dict(Counter(q.outcome for q in questions))
    report.languages = dict(Counter(q.lang for q in questions))

    by_id = {q.id: q for q in questions}
    ratings: dict[str, list[bool]] = defaultdict(list)
    for f in feedback:
        if f.question_id in by_id and f.helpful is not None and by_id[f.question_id].topic:
            ratings[by_id[f.question_id].topic or ""].append(f.helpful)
        if f.picked and f.question_id in by_id:
            report.picks[f.picked] = report.picks.get(f.picked, 0) + 1
    topic_counts = Counter(q.topic for q in questions if q.topic and q.outcome == "answered")
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
    report.clusters = cluster([q for q in questions if _is_unanswered(q)])

    finished = Counter(r.checklist for r in runs)
    complete = Counter(r.checklist for r in runs if not r.missed)
    report.checklists = [
        {"checklist": c, "finished": n, "complete": complete.get(c, 0)} for c, n in finished.most_common()
    ]
    missed = Counter((r.checklist, item) for r in runs for item in r.missed)
    report.missed_items = [{"checklist": c, "item": i, "count": n} for (c, i), n in missed.most_common()]
    return report
