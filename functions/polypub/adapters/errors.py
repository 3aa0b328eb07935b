"""Our named errors for infrastructure faults; adapters translate ClientError into these."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "TooManyInvalidationsInProgress",
        "TransactionConflictException",
    }
)


class InfrastructureError(Exception):
    """An AWS call failed. `retryable` says whether trying again later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def translate_client_error(action: str, exc: ClientError | BotoCoreError) -> InfrastructureError:
    """Map a botocore failure to InfrastructureError, without leaking request details."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        retryable = code in RETRYABLE_CODES or status == 429 or status >= 500
        return InfrastructureError(f"{action} failed: {code}", retryable=retryable)
    # Connection errors, timeouts, endpoint resolution: all worth another try.
    return InfrastructureError(f"{action} failed: {type(exc).__name__}", retryable=True)
