"""The Apertium adapter's case repair after a standalone placeholder (no Apertium needed)."""

from __future__ import annotations

from polypub.translate.providers.apertium import _repair_case_after_breaks


def test_a_capital_apertium_puts_after_a_placeholder_is_taken_back() -> None:
    source = "Trabajamos con <x1/> también y <x2/> Valencia."
    answer = "We work with <x1/> Also and <x2/> Valencia."
    assert _repair_case_after_breaks(source, answer, "en") == (
        "We work with <x1/> also and <x2/> Valencia."
    )


def test_no_capital_is_invented_and_the_pronoun_i_stays() -> None:
    assert _repair_case_after_breaks("<x1/> yo voy", "<x1/> I go", "en") == "<x1/> I go"
    assert _repair_case_after_breaks("<x1/> Ana va", "<x1/> ana goes", "en") == "<x1/> ana goes"


def test_only_the_text_right_after_the_placeholder_counts() -> None:
    source = "con <x1/><g1>Todo</g1> hecho"
    answer = "with <x1/><g1>All</g1> Done"
    assert _repair_case_after_breaks(source, answer, "en") == answer
