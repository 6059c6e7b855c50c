"""``advisor tune``: thresholds chosen on labelled questions by a fixed procedure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot import Advisor, ConfigError, load_settings
from bot.config import MATCHER_THRESHOLDS, Thresholds
from bot.decision import Decider
from bot.evaluation import read_labelled
from bot.testing import shipped_advisor
from bot.tuning import effect, rank_all, tune
from tests.conftest import DATA


@pytest.fixture(scope="module")
def light() -> Advisor:
    return shipped_advisor(matcher="lexical")


def test_the_chosen_thresholds_keep_to_the_cap_and_do_no_worse(light: Advisor) -> None:
    rows = rank_all(light, read_labelled(DATA / "devset.jsonl"))
    loose = Thresholds(decline_below=0.0, decline_below_in_domain=0.0, decline_ratio=10.0)
    result = tune(Advisor(light.knowledge, matcher=light.matcher, thresholds=loose), rows, 0.02)
    assert result.after.wrongly_declined_rate <= 0.02
    assert result.after.utility(0.75) >= result.before.utility(0.75)
    # With (almost) no decline rule fewer questions are declined right than with the chosen one.
    assert result.before.declined_right < result.after.declined_right
    again = tune(Advisor(light.knowledge, matcher=light.matcher, thresholds=loose), rows, 0.02)
    assert again.chosen == result.chosen


def test_the_shipped_thresholds_are_what_tune_chooses_on_dev(light: Advisor) -> None:
    rows = rank_all(light, read_labelled(DATA / "devset.jsonl"))
    chosen = tune(light, rows).chosen
    shipped = Thresholds.for_matcher("lexical")
    for name, value in MATCHER_THRESHOLDS["lexical"].items():
        assert getattr(chosen, name) == value == getattr(shipped, name), name


def test_an_effect_counts_answers_ask_backs_and_declines(light: Advisor) -> None:
    rows = rank_all(light, read_labelled(DATA / "holdout.jsonl"))
    kinds = {t.id: t.kind for t in light.knowledge.topics.values()}
    counted = effect(Decider(light.thresholds, kinds), rows)
    assert counted.in_scope + counted.out_of_scope == len(rows)
    assert counted.answered_right + counted.clarified_right <= counted.in_scope
    assert counted.declined_right <= counted.out_of_scope
    never = effect(Decider(Thresholds(decline_below=1.0, decline_below_in_domain=1.0), kinds), rows)
    assert never.wrongly_declined == never.in_scope and never.declined_right == never.out_of_scope


def test_each_matcher_has_its_own_defaults_and_a_setting_still_wins(tmp_path: Path) -> None:
    hybrid = load_settings(env="development", data_dir=tmp_path)
    light = load_settings(env="development", data_dir=tmp_path, matcher="lexical")
    assert hybrid.matcher == "hybrid" and hybrid.thresholds == Thresholds()
    assert light.thresholds == Thresholds.for_matcher("lexical")
    chosen = load_settings(
        env="development", data_dir=tmp_path, matcher="lexical", thresholds={"decline_ratio": 0.9}
    )
    assert chosen.thresholds.decline_ratio == 0.9
    assert chosen.thresholds.clarify_ratio == MATCHER_THRESHOLDS["lexical"]["clarify_ratio"]
    with pytest.raises(ConfigError):
        load_settings(env="development", data_dir=tmp_path, matcher="neural")


def test_the_command_prints_the_chosen_values_and_their_effect(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ADVISOR_MATCHER": "lexical",
        "ADVISOR_ENV": "development",
        "ADVISOR_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(app, ["tune", str(DATA / "devset.jsonl")], env=env)
    assert result.exit_code == 0, result.output
    assert "194 labelled questions, matcher lexical" in result.output
    assert "ADVISOR_THRESHOLDS__DECLINE_BELOW=" in result.output
    assert "fusion weights by language group" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    failed = CliRunner().invoke(app, ["tune", str(bad)], env=env)
    assert failed.exit_code == 2 and "not a labelled question" in failed.output
