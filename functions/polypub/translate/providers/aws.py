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
from polypub.translate.retry import RetryPolicy

# TranslateText takes at most 10,000 bytes of UTF-8 per request.
MAX_BYTES = 10_000
LANGUAGES = frozenset({"es", "en", "ca"})
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
    "tags" approach, with no custom terminology to create and keep in sync). Not packed:
    paid per character. botocore's own retries are off, so the retry policy (bounded
    by the Lambda's remaining time) is the only one.
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
    ) -> None:
        super().__init__(timeout=timeout, max_chars=max_chars, retry=retry)
        self._make_client = client
        self._client: Any = None

    def _open(self, source: str, target: str) -> Any:
        if source not in LANGUAGES or target not in LANGUAGES:
            raise ProviderRejected(f"aws does not translate {source}->{target}", provider=self.name)
        if self._client is None:
            self._client = self._make_client()
        return self._client, source, target

    def _request(self, client: Any, text: str, timeout: float) -> str:
        boto, source, target = client
        try:
            response = boto.translate_text(
                Text=text, SourceLanguageCode=source, TargetLanguageCode=target
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
