"""The steps' unit tier: each step over the local adapters (folders, JSON), no sockets."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub import pipeline
from polypub.adapters.localfs import CollectingQueue
from polypub.model import TranslationJob
from polypub.site import urls
from polypub.steps.context import Outcome, Services
from support.local import folder_services
from support.posts import post as shared_post
from support.translators import FakeTranslator, echo


class Site:
    """One school's source bucket, site bucket and catalog, and the steps run over them."""

    def __init__(self, services: Services, queue: list[TranslationJob]) -> None:
        self.services = services
        self.queue = queue

    def upload(self, key: str, text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.services.source.put(key, data, "text/markdown")

    def delete(self, key: str) -> None:
        self.services.source.delete(key)

    def run(self, key: str) -> Outcome:
        """What the render function does for one event on `key`."""
        outcome = pipeline.process_source_key(key, self.services)
        pipeline.finish([outcome], self.services)
        return outcome

    def translate_all(self) -> list[Outcome]:
        """What the translate function does for every job queued so far."""
        outcomes = []
        while self.queue:
            job = self.queue.pop(0)
            outcomes.append(pipeline.run_translation(job, self.services))
        pipeline.finish(outcomes, self.services)
        return outcomes

    def page(self, lang: str, slug: str) -> str | None:
        data = self.services.site.get(urls.object_key(urls.post_url(lang, slug)))
        return None if data is None else data.decode("utf-8")

    def status(self, key: str) -> tuple[str, str | None] | None:
        found = self.services.catalog.get_status(key)
        return None if found is None else (found.state, found.error_code)

    def report(self, key: str) -> str | None:
        data = self.services.source.get(key + ".error.txt")
        return None if data is None else data.decode("utf-8")


@pytest.fixture
def translator() -> FakeTranslator:
    return echo("tag")


@pytest.fixture
def site(tmp_path: Path, translator: FakeTranslator) -> Site:
    services = folder_services(tmp_path, translator=translator)
    assert isinstance(services.jobs, CollectingQueue)
    return Site(services, services.jobs.jobs)


def post(title: str, body: str = "Body of the post.", **fields: str) -> bytes:
    """A post's bytes with its front matter (English unless `lang` says otherwise)."""
    fields.setdefault("lang", "en")
    return shared_post(title, body, **fields)
