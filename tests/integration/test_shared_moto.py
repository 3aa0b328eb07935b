"""A moto server lent to one stack after another: each starts empty, the server stays up."""

from __future__ import annotations

from pathlib import Path

from polypub.local.aws import MotoServer, start_embedded_aws

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def test_a_lent_server_is_emptied_for_each_stack_and_left_running(
    moto_server: MotoServer,
) -> None:
    first = start_embedded_aws(template=TEMPLATE, server=moto_server)
    first.client("s3").put_object(Bucket=first.source_bucket, Key="posts/left.md", Body=b"x")
    first.client("sqs").send_message(QueueUrl=first.translate_queue_url, MessageBody="{}")
    first.stop()

    second = start_embedded_aws(template=TEMPLATE, server=moto_server)
    try:
        assert second.endpoint_url == first.endpoint_url  # the same process, not a new one
        s3, sqs = second.client("s3"), second.client("sqs")
        assert s3.list_objects_v2(Bucket=second.source_bucket)["KeyCount"] == 0
        depth = sqs.get_queue_attributes(
            QueueUrl=second.translate_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        assert depth == "0"
        # What the template declares is there again, wired as before.
        assert s3.get_bucket_notification_configuration(Bucket=second.source_bucket)[
            "QueueConfigurations"
        ]
    finally:
        second.stop()
    # Stopping a stack on a lent server leaves the server answering for the next one.
    third = start_embedded_aws(template=TEMPLATE, server=moto_server)
    third.stop()
