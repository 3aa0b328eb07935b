"""Settings.from_env(): the one frozen, typed configuration object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from polypub import languages as language_table

# Amazon Translate's output settings: register of address, and masking of profanity.
AWS_FORMALITIES = ("", "formal", "informal")
AWS_PROFANITY = ("mask", "off")
# Environment variable -> provider whose API key it holds.
API_KEY_VARIABLES = {
    "POLYPUB_DEEPL_API_KEY": "deepl",
    "POLYPUB_MICROSOFT_API_KEY": "microsoft",
    "POLYPUB_LIBRETRANSLATE_API_KEY": "libre",
}


class SettingsError(ValueError):
    """A configuration value is missing or malformed."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline needs to know about where it runs.

    Built once per process (``Settings.from_env()`` in the cloud, explicit
    construction in the CLI and tests) and passed down explicitly.
    """

    source_bucket: str = "polypub-source"
    site_bucket: str = "polypub-site"
    catalog_table: str = "polypub-catalog"
    translate_queue_url: str = ""
    # Where site-wide work is sent as bounded jobs (the render queue; blank: run inline,
    # as `polypub build` does).
    render_queue_url: str = ""
    distribution_id: str = ""
    # SNS topic that failure reports are also published to (blank: reports stay in the
    # bucket and `polypub status`).
    report_topic_arn: str = ""
    languages: tuple[str, ...] = language_table.DEFAULT_SITE_LANGUAGES
    translators: tuple[str, ...] = ("apertium",)
    site_url: str = "http://localhost:8000"
    site_name: str = "Polyglot Press"
    region: str = "us-east-1"
    endpoint_url: str | None = None
    google_base_url: str | None = None
    # Translation providers (see README, "Translation providers"). Endpoints can be
    # overridden for tests and self-hosted servers; LibreTranslate has no default.
    libretranslate_url: str | None = None
    deepl_base_url: str | None = None
    microsoft_base_url: str | None = None
    microsoft_region: str | None = None
    mymemory_base_url: str | None = None
    mymemory_email: str | None = None
    # A Secrets Manager secret (name or ARN) holding {"deepl": ..., "microsoft": ...,
    # "libre": ...}: how keys reach the Lambda functions.
    translator_secret: str | None = None
    # Keys given directly (POLYPUB_DEEPL_API_KEY ...), for local runs. Never printed.
    api_keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Apertium's Spanish/English -> Catalan mode: "central" Catalan or "valencia"n.
    catalan_variant: str = "central"
    # Amazon Translate: "informal" (tú/vosotros) suits a school blog's address to
    # students and families; "" leaves the register to the model. Profanity "mask"
    # replaces a profane word in the output with "?$#@$": on a school's site a
    # mistranslation into a swear word is worse than a grawlix.
    aws_formality: str = "informal"
    aws_profanity: str = "mask"
    request_timeout: float = 10.0
    max_post_bytes: int = 2 * 1024 * 1024
    # The queues' maxReceiveCount: the attempt after which a failed file is reported.
    max_receives: int = 5
    page_size: int = 10
    # Pages (or listing objects, or posts to retranslate) per site-wide job
    # (steps/jobs.py, MAX_JOB_PAGES says why 50).
    job_pages: int = 50
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.languages:
            raise SettingsError("POLYPUB_LANGUAGES names no language")
        unknown = [lang for lang in self.languages if not language_table.is_known(lang)]
        if unknown:
            raise SettingsError(
                f"unsupported site language(s) {', '.join(unknown)}; "
                f"choose from {', '.join(language_table.known_languages())}"
            )
        if len(set(self.languages)) != len(self.languages):
            raise SettingsError("POLYPUB_LANGUAGES names a language twice")
        if not self.translators:
            raise SettingsError("POLYPUB_TRANSLATOR names no provider")
        if self.job_pages < 1:
            raise SettingsError(f"POLYPUB_JOB_PAGES={self.job_pages}; it must be 1 or more")
        if self.aws_formality not in AWS_FORMALITIES:
            raise SettingsError(
                f"POLYPUB_AWS_FORMALITY={self.aws_formality!r}; choose formal, informal or empty"
            )
        if self.aws_profanity not in AWS_PROFANITY:
            raise SettingsError(f"POLYPUB_AWS_PROFANITY={self.aws_profanity!r}; choose mask or off")
        catalan_variants = tuple(language_table.CATALAN.variants)
        if self.catalan_variant not in catalan_variants:
            raise SettingsError(
                f"POLYPUB_CATALAN_VARIANT={self.catalan_variant!r}; "
                f"choose {' or '.join(catalan_variants)}"
            )

    @property
    def language_variants(self) -> dict[str, str]:
        """Language -> the regional variant chosen for it (polypub.languages' `variants`)."""
        return {language_table.CATALAN.code: self.catalan_variant}

    @property
    def default_language(self) -> str:
        """The first site language: where `/` sends readers with no preference."""
        return self.languages[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the POLYPUB_* variables (and AWS_ENDPOINT_URL / AWS_REGION)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}

        def text(name: str, attr: str) -> None:
            if env.get(name):
                values[attr] = env[name]

        text("POLYPUB_SOURCE_BUCKET", "source_bucket")
        text("POLYPUB_SITE_BUCKET", "site_bucket")
        text("POLYPUB_CATALOG_TABLE", "catalog_table")
        text("POLYPUB_TRANSLATE_QUEUE_URL", "translate_queue_url")
        text("POLYPUB_RENDER_QUEUE_URL", "render_queue_url")
        text("POLYPUB_DISTRIBUTION_ID", "distribution_id")
        text("POLYPUB_REPORT_TOPIC_ARN", "report_topic_arn")
        text("POLYPUB_SITE_URL", "site_url")
        text("POLYPUB_SITE_NAME", "site_name")
        text("POLYPUB_GOOGLE_BASE_URL", "google_base_url")
        text("POLYPUB_LIBRETRANSLATE_URL", "libretranslate_url")
        text("POLYPUB_DEEPL_BASE_URL", "deepl_base_url")
        text("POLYPUB_MICROSOFT_BASE_URL", "microsoft_base_url")
        text("POLYPUB_MICROSOFT_REGION", "microsoft_region")
        text("POLYPUB_MYMEMORY_BASE_URL", "mymemory_base_url")
        text("POLYPUB_MYMEMORY_EMAIL", "mymemory_email")
        text("POLYPUB_TRANSLATOR_SECRET", "translator_secret")
        text("POLYPUB_CATALAN_VARIANT", "catalan_variant")
        if "POLYPUB_AWS_FORMALITY" in env:  # set but empty means "the model's choice"
            values["aws_formality"] = env["POLYPUB_AWS_FORMALITY"].strip().lower()
        if env.get("POLYPUB_AWS_PROFANITY"):
            values["aws_profanity"] = env["POLYPUB_AWS_PROFANITY"].strip().lower()
        keys = {key: env[name] for name, key in API_KEY_VARIABLES.items() if env.get(name)}
        if keys:
            values["api_keys"] = keys
        text("AWS_ENDPOINT_URL", "endpoint_url")
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if region:
            values["region"] = region
        if env.get("POLYPUB_LANGUAGES"):
            values["languages"] = _split(env["POLYPUB_LANGUAGES"])
        if env.get("POLYPUB_TRANSLATOR"):
            values["translators"] = _split(env["POLYPUB_TRANSLATOR"])
        for name, attr, kind in (
            ("POLYPUB_REQUEST_TIMEOUT", "request_timeout", float),
            ("POLYPUB_MAX_POST_BYTES", "max_post_bytes", int),
            ("POLYPUB_MAX_RECEIVES", "max_receives", int),
            ("POLYPUB_PAGE_SIZE", "page_size", int),
            ("POLYPUB_JOB_PAGES", "job_pages", int),
        ):
            if env.get(name):
                try:
                    values[attr] = kind(env[name])
                except ValueError as exc:
                    raise SettingsError(f"{name}={env[name]!r} is not a number") from exc
        values["site_url"] = values.get("site_url", cls.site_url).rstrip("/")
        values.update(overrides)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)
