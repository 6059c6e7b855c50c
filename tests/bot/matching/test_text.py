from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import clean, detect_lang, has_words, hebrew_variants, normalize, stem, tokens


def test_niqqud_and_final_letters_are_folded() -> None:
    assert normalize("הַצְטָרְפוּת לַקְּבוּצָה") == normalize("הצטרפות לקבוצה")
    assert normalize("חשבון") == "חשבונ"
    assert tokens("ךםןףץ") == ["כמנפצ"]


def test_case_punctuation_and_joiners() -> None:
    assert tokens("May I INSTALL the LinkedIn-App?!") == ["may", "i", "install", "the", "linkedinapp"]
    assert tokens("e-mail, don't; לינקד-אין") == ["email", "dont", "לינקדאינ"]


def test_clean_drops_controls_and_invisible_marks() -> None:
    assert clean("a\x00b\u200f c\u202e\td\n\ne") == "ab c d e"


def test_language_detection_handles_mixed_text() -> None:
    assert detect_lang("should I join this Facebook group?") == "en"
    assert detect_lang("אפשר להתקין LinkedIn app?") == "he"
    assert detect_lang("מה דעתך על LinkedIn Sales Navigator?") == "he"
    assert detect_lang("is בלינקדאין a good place for groups") == "en"
    assert detect_lang("123 ???") == "en"


def test_hebrew_prefix_variants() -> None:
    assert list(hebrew_variants("ולפייסבוק")) == ["לפייסבוק", "פייסבוק"]
    assert list(hebrew_variants("כשהקבוצה")) == ["שהקבוצה", "הקבוצה", "קבוצה"]
    assert list(hebrew_variants("רשת")) == []
    # Where Latin letters follow, the prefixes end whatever is left: "ובX", "לIG".
    assert list(hebrew_variants("ובx")) == ["x"]
    assert list(hebrew_variants("ובx", min_rest=2)) == ["בx", "x"]
    assert list(hebrew_variants("לig")) == ["ig"]
    assert list(hebrew_variants("בית", min_rest=2)) == ["ית"]
    assert list(hebrew_variants("בי")) == []


def test_stems_fold_plural_and_construct_forms() -> None:
    assert stem("קבוצה") == stem("קבוצות") == stem("קבוצת")
    assert stem("אפליקציות") == stem("אפליקציה")
    assert stem("installing") == stem("installs")


def test_has_words() -> None:
    assert has_words("a")
    assert has_words("שלום")
    assert not has_words("🙂🙂 !!")


@given(st.text())
def test_normalization_never_fails_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
