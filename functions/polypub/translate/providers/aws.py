"""Amazon Translate through boto3: byte-limited texts, our retries, errors by code, never text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from polypub.settings import Settings
from polypub.translate.errors import ProviderRejected, ProviderUnavailable
from polypub.translate.providers.base import ChunkedTranslator
from polypub.translate.providers.codes import pair_codes
from polypub.translate.retry import RetryPolicy

# TranslateText takes at most 10,000 bytes of UTF-8 per request.
MAX_BYTES = 10_000
# Of our languages, the targets whose register Amazon Translate can set (its
# "Setting formality" page: nl, fr, fr-CA, de, hi, it, ja, ko, pt-PT, es, es-MX).
# English has no tú/usted to choose, and Catalan is not on the list.
FORMALITY_TARGETS = frozenset({"es"})
# Error codes that mean "not now" (our retry policy, then the queue, try again).
_RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalServerException",
        "LimitExceededException",
        "RequestTimeoutException",
    }
)


def translate_client(settings: Settings, hook: Callable[[Any], None] | None = None) -> Any:
    """A boto3 Translate client: our timeout, and no retries of its own (ours are bounded)."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 1},
        connect_timeout=min(5.0, settings.request_timeout),
        read_timeout=settings.request_timeout,
    )
    client = boto3.client(
        "translate", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config
    )
    if hook is not None:
        hook(client)
    return client


class AmazonTranslator(ChunkedTranslator):
    """The Translator port over Amazon Translate's TranslateText (IAM; paid per character).

    Glossary terms never reach it: the segmenter has already replaced them with
    placeholder tags, which Amazon Translate keeps as markup (the do-not-translate
    "tags" approach). Custom terminology was the alternative; placeholders keep the
    structure safer: the engine checks that every placeholder comes back exactly once
    and in the same link, and falls back piecewise when not, while a terminology only
    biases the model (a term may still be inflected, split or dropped, and nobody can
    tell). They also work the same with every provider, need no ImportTerminology
    permission or resource kept in sync with config/glossary.yml, and keep memory keys
    as they are. The price: the words around a placeholder cannot agree with it.

    ``formality`` ("formal", "informal", "" for none) is sent only for targets in
    FORMALITY_TARGETS; ``profanity`` "mask" always (unsupported targets ignore it).
    Not packed: paid per character. botocore's own retries are off, so the retry
    policy (bounded by the Lambda's remaining time) is the only one.
    """

    name: str = "aws"
    max_chars: ClassVar[int] = MAX_BYTES
    counts_bytes: ClassVar[bool] = True

    def __init__(
        self,
        client: Callable[[], Any],
        *,
        timeout: float = 10.0,
        max_chars: int | None = None,
        retry: RetryPolicy | None = None,
        formality: str = "",
        profanity: str = "off",
    ) -> None:
        super().__init__(timeout=timeout, max_chars=max_chars, retry=retry)
        self._make_client = client
        self._client: Any = None
        self.formality = formality
        self.profanity = profanity

    def settings_for(self, target: str) -> dict[str, str]:
        """TranslateText's Settings for one target language (empty: send none)."""
        settings: dict[str, str] = {}
        if self.formality and target in FORMALITY_TARGETS:
            settings["Formality"] = self.formality.upper()
        if self.profanity == "mask":
            settings["Profanity"] = "MASK"
        return settings

    def _open(self, source: str, target: str) -> Any:
        source_code, target_code = pair_codes(self.name, source, target)
        if self._client is None:
            self._client = self._make_client()
        return self._client, source_code, target_code

    def _request(self, client: Any, text: str, timeout: float) -> str:
        boto, source, target = client
        extra: dict[str, Any] = {}
        if settings := self.settings_for(target):
            extra["Settings"] = settings
        try:
            response = boto.translate_text(
                Text=text, SourceLanguageCode=source, TargetLanguageCode=target, **extra
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "error"))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            # The code only: AWS messages may quote the request.
            message = f"aws: Amazon Translate answered {code} (HTTP {status})"
            if code in _RETRYABLE or status == 429 or status >= 500:
                raise ProviderUnavailable(message, provider=self.name, status=status) from None
            raise ProviderRejected(message, provider=self.name, status=status) from None
        except (ReadTimeoutError, ConnectTimeoutError):
            raise ProviderUnavailable(
                f"aws: Amazon Translate did not answer within {self.timeout:g}s",
                provider=self.name,
            ) from None
        except (BotoConnectionError, HTTPClientError) as exc:
            raise ProviderUnavailable(
                f"aws: Amazon Translate could not be reached ({type(exc).__name__})",
                provider=self.name,
            ) from None
        except BotoCoreError as exc:
            # No credentials, no region, a bad parameter: trying again will not help.
            raise ProviderRejected(
                f"aws: could not call Amazon Translate ({type(exc).__name__})", provider=self.name
            ) from None
        return str(response["TranslatedText"])
