"""S3Storage: the Storage port over one S3 bucket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import translate_client_error
from polypub.ports import ObjectInfo

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3Storage:
    """Reads and writes one bucket; a missing object reads as None."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def get(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key)
            body: bytes = response["Body"].read()
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise translate_client_error(f"reading s3://{self.bucket}/{key}", exc) from exc
        except BotoCoreError as exc:
            raise translate_client_error(f"reading s3://{self.bucket}/{key}", exc) from exc
        return body

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise translate_client_error(f"inspecting s3://{self.bucket}/{key}", exc) from exc
        except BotoCoreError as exc:
            raise translate_client_error(f"inspecting s3://{self.bucket}/{key}", exc) from exc
        return ObjectInfo(
            key=key,
            size=int(response.get("ContentLength", 0)),
            digest=str(response.get("ETag", "")).strip('"'),
        )

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None:
        extra: dict[str, Any] = {"ContentType": content_type}
        if cache_control:
            extra["CacheControl"] = cache_control
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"writing s3://{self.bucket}/{key}", exc) from exc

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"deleting s3://{self.bucket}/{key}", exc) from exc

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        for info in self.list_objects(prefix):
            yield info.key

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"],
                        size=int(item.get("Size", 0)),
                        digest=str(item.get("ETag", "")).strip('"'),
                    )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"listing s3://{self.bucket}/{prefix}", exc) from exc
