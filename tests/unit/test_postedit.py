"""translate/postedit.py through TranslationEngine.learn: what a person's edit teaches memory."""

from __future__ import annotations

from polypub.content.post import Post, parse_post
from polypub.translate.engine import TranslationEngine
from polypub.translate.glossary import DEFAULT_GLOSSARY
from polypub.translate.memory import PERSON, DictMemory
from support.translators import FakeTranslator, upper


def _post(key: str, title: str, body: str, lang: str = "es") -> Post:
    return parse_post(key, f"---\ntitle: {title}\nlang: {lang}\n---\n{body}".encode())


def _engine(memory: DictMemory | None = None) -> tuple[TranslationEngine, FakeTranslator]:
    translator = FakeTranslator("fake", lambda text, _: upper(text))
    return TranslationEngine(
        translator, memory or DictMemory(), glossary=DEFAULT_GLOSSARY
    ), translator


def _person(body: str, title: str = "OUR VISIT") -> Post:
    return _post("posts/visita.en.md", title, body, lang="en")


ORIGINAL = _post(
    "posts/visita.md",
    "Nuestra visita",
    "Fuimos al [museo](https://example.org/museo) en autobús.\n\n"
    "Comimos en el parque.\n\n"
    "Volvimos a las cinco.\n",
)
# The draft of ORIGINAL's body, as the machine (FakeTranslator upper-cases) wrote it.
MACHINE = (
    "FUIMOS AL [MUSEO](https://example.org/museo) EN AUTOBÚS.\n\n"
    "COMIMOS EN EL PARQUE.\n\n"
    "VOLVIMOS A LAS CINCO.\n"
)
BUS = "We went to the [museum](https://example.org/museo) by bus"


def test_an_unedited_draft_teaches_nothing() -> None:
    engine, _ = _engine()
    result = engine.translate_post(ORIGINAL, "es", "en")
    learned = engine.learn(ORIGINAL, _person(MACHINE, result.title), "es", "en")
    assert learned.corrections == []
    assert learned.unchanged == 4
    assert not any(key.startswith(PERSON) for key in engine.memory.items)  # type: ignore[attr-defined]


def test_a_corrected_sentence_is_translated_as_the_person_wrote_it_in_a_later_post() -> None:
    engine, translator = _engine()
    result = engine.translate_post(ORIGINAL, "es", "en")
    edited = MACHINE.replace("COMIMOS EN EL PARQUE", "We had lunch in the park").replace(
        "FUIMOS AL [MUSEO](https://example.org/museo) EN AUTOBÚS", BUS
    )
    learned = engine.learn(ORIGINAL, _person(edited, result.title), "es", "en")
    # The link's sentence keeps its placeholder around the words the person linked.
    assert sorted(c.text for c in learned.corrections) == [
        "We had lunch in the park.",
        "We went to the <g1>museum</g1> by bus.",
    ]
    calls = translator.calls
    later = _post("posts/otra.md", "Otra", "Comimos en el parque.\n")
    again = engine.translate_post(later, "es", "en")
    assert "<p>We had lunch in the park.</p>" in again.body_html
    assert translator.calls == calls + 1
    assert translator.batches[-1] == ["Otra"]  # only the new title went to the translator
    assert again.from_memory == 1
    assert PERSON in again.provider.split(",")


def test_a_sentence_whose_markup_the_person_changed_is_skipped() -> None:
    engine, _ = _engine()
    result = engine.translate_post(ORIGINAL, "es", "en")
    # The link dropped: the sentence cannot be put back with its link, so it is not kept.
    edited = MACHINE.replace(
        "FUIMOS AL [MUSEO](https://example.org/museo)", "We went to the museum"
    )
    learned = engine.learn(ORIGINAL, _person(edited, result.title), "es", "en")
    assert learned.corrections == []
    assert learned.skipped == 1
    # A link to somewhere else is not this sentence's translation either.
    elsewhere = MACHINE.replace("https://example.org/museo", "https://example.org/zoo")
    assert engine.learn(ORIGINAL, _person(elsewhere, result.title), "es", "en").corrections == []


def test_a_glossary_term_stays_a_term_in_what_is_learned() -> None:
    engine, translator = _engine()
    original = _post("posts/e.md", "Erasmus+", "Viajamos a Valencia con Erasmus+.\n")
    result = engine.translate_post(original, "es", "en")
    assert "VIAJAMOS A Valencia CON Erasmus+." in result.body_html
    person = _person("We travelled to Valencia with Erasmus+.\n", "Erasmus+")
    learned = engine.learn(original, person, "es", "en")
    assert [c.text for c in learned.corrections] == ["We travelled to <x1/> with <x2/>."]
    # Without the term, the sentence is not this segment's translation.
    dropped = engine.learn(original, _person("We travelled with Erasmus+.\n"), "es", "en")
    assert dropped.corrections == []
    assert translator.calls == 1


def test_when_the_structure_differs_only_anchored_blocks_are_learned() -> None:
    engine, _ = _engine()
    result = engine.translate_post(ORIGINAL, "es", "en")
    # First paragraph corrected, a paragraph added before the corrected last one: the
    # first pairs with its original (its neighbours are unchanged); the stretch with
    # the new paragraph has no safe partner.
    edited = (
        f"{BUS}.\n\nCOMIMOS EN EL PARQUE.\n\nA paragraph the teacher added.\n\n"
        "We came back at five.\n"
    )
    learned = engine.learn(ORIGINAL, _person(edited, result.title), "es", "en")
    assert [c.text for c in learned.corrections] == ["We went to the <g1>museum</g1> by bus."]
    assert learned.skipped == 1
    # Two paragraphs merged into one: neither is learned.
    engine, _ = _engine()
    engine.translate_post(ORIGINAL, "es", "en")
    merged = MACHINE.replace("PARQUE.\n\nVOLVIMOS", "PARQUE and we came back")
    learned = engine.learn(ORIGINAL, _person(merged, result.title), "es", "en")
    assert learned.corrections == []
    assert learned.skipped == 2


def test_undoing_a_correction_brings_the_machines_words_back() -> None:
    engine, _ = _engine()
    result = engine.translate_post(ORIGINAL, "es", "en")
    fixed = MACHINE.replace("COMIMOS EN EL PARQUE", "We had lunch in the park")
    engine.learn(ORIGINAL, _person(fixed, result.title), "es", "en")
    assert "We had lunch" in engine.translate_post(ORIGINAL, "es", "en").body_html
    engine.learn(ORIGINAL, _person(MACHINE, result.title), "es", "en")
    assert "COMIMOS EN EL PARQUE." in engine.translate_post(ORIGINAL, "es", "en").body_html


def test_a_translation_left_in_the_source_language_teaches_nothing() -> None:
    engine, _ = _engine()
    engine.translate_post(ORIGINAL, "es", "en")
    learned = engine.learn(ORIGINAL, _person(ORIGINAL.body, ORIGINAL.title), "es", "en")
    assert learned.corrections == []


def test_a_heading_of_glossary_terms_alone_keeps_the_structures_in_step() -> None:
    engine, _ = _engine()
    original = _post("posts/e.md", "Hola", "## eTwinning\n\nFuimos al museo.\n\nComimos.\n")
    result = engine.translate_post(original, "es", "en")
    edited = _person("## eTwinning\n\nWe went to the museum.\n\nCOMIMOS.\n", result.title)
    learned = engine.learn(original, edited, "es", "en")
    assert [c.text for c in learned.corrections] == ["We went to the museum."]
    assert learned.skipped == 0
