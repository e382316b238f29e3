"""The language of a text is reported, so that a report with no figures says why."""

from __future__ import annotations

import time

import pytest

from notifier.extract import extract, language


def test_english_report_is_english_without_loading_the_model() -> None:
    language._model.cache_clear()
    report = extract("Landslides buried a village on Tuesday and 45 people died, officials said.")
    assert report.language == "en"
    assert language._model.cache_info().currsize == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Les pluies torrentielles ont fait au moins 45 morts dans le nord du pays, "
            "selon la protection civile, et des milliers de familles sont sans abri.",
            "fr",
        ),
        (
            "Las lluvias torrenciales dejaron al menos 45 muertos en el norte del país, "
            "según la defensa civil, y miles de familias perdieron sus casas.",
            "es",
        ),
        ("أدت الأمطار الغزيرة إلى مقتل 45 شخصا على الأقل في شمال البلاد وفق الدفاع المدني", "ar"),
    ],
)
def test_other_languages_are_reported(text: str, code: str) -> None:
    report = extract(text)
    assert report.language == code
    assert report.to_json()["language"] == code


def test_too_short_to_tell() -> None:
    assert language.detect("12 345") is None
    assert extract("").language is None


def test_without_the_identifier_nothing_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_model", lambda: None)
    assert language.detect("Les pluies ont fait au moins 45 morts dans le nord du pays.") is None


def test_model_loads_fast() -> None:
    language._model.cache_clear()
    began = time.perf_counter()
    assert language._model() is not None
    assert time.perf_counter() - began < 2.0  # about 30 ms on a laptop


def test_language_names() -> None:
    assert language.language_name("fr") == "French"
    assert language.language_name("zz") == "zz"
