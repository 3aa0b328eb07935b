"""CloudFrontCdn: the Cdn port, one invalidation per change with exactly its paths."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import translate_client_error

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient

# CloudFront accepts at most 3,000 paths in progress per distribution; above a
# smaller threshold one wildcard is cheaper (each path is billed after 1,000/month).
MAX_EXPLICIT_PATHS = 500
# CloudFront refuses new invalidations while too many are in progress; they finish in
# seconds to minutes. A few short waits here, then the error goes up: the pipeline keeps
# the paths as pending and the next run (the SQS retry) invalidates them.
RETRY_DELAYS = (1.0, 2.0, 4.0)
_BUSY = "TooManyInvalidationsInProgress"


class CloudFrontCdn:
    """Invalidates paths on one distribution; a blank distribution id disables it."""

    def __init__(
        self,
        client: CloudFrontClient,
        distribution_id: str,
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self.distribution_id = distribution_id
        self._retry_delays = tuple(retry_delays)
        self._sleep = sleep

    def invalidate(self, paths: Sequence[str]) -> None:
        unique = sorted({quote(p, safe="/*-._~") for p in paths if p})
        if not unique or not self.distribution_id:
            return
        if len(unique) > MAX_EXPLICIT_PATHS:
            unique = ["/*"]
        # Same paths within the same second -> same reference: CloudFront then treats a
        # redelivered event's invalidation as the one already made instead of a new one.
        digest = hashlib.sha256("\n".join(unique).encode()).hexdigest()[:24]
        reference = f"polypub-{digest}-{int(time.time())}"
        for delay in (*self._retry_delays, None):
            try:
                self._client.create_invalidation(
                    DistributionId=self.distribution_id,
                    InvalidationBatch={
                        "Paths": {"Quantity": len(unique), "Items": unique},
                        "CallerReference": reference,
                    },
                )
            except ClientError as exc:
                if delay is not None and exc.response.get("Error", {}).get("Code") == _BUSY:
                    self._sleep(delay)
                    continue
                raise translate_client_error("invalidating CloudFront paths", exc) from exc
            except BotoCoreError as exc:
                raise translate_client_error("invalidating CloudFront paths", exc) from exc
            return
