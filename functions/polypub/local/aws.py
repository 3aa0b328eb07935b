"""start_embedded_aws(): moto's server on loopback holding the resources template.yaml declares."""

from __future__ import annotations

import dataclasses
import http.client
import ipaddress
import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3

from polypub.local.template import (
    BucketSpec,
    LocalStack,
    QueueSpec,
    Ref,
    TableSpec,
    TemplateError,
    describe,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

# moto accepts any credentials; these are the values its documentation uses, and they
# map to moto's default account 123456789012.
DUMMY_KEY = "testing"

# The handlers read the endpoint from os.environ, which belongs to the process: so only
# one embedded AWS may run per process (moto itself runs in a child, see MotoServer).
_active_lock = threading.Lock()
_active: list[EmbeddedAws] = []
_clients_lock = threading.Lock()


class EmbeddedAwsError(RuntimeError):
    """The embedded AWS could not be started."""


@dataclass(frozen=True)
class EmbeddedAws:
    """A running moto server and the names of what was created in it."""

    endpoint_url: str
    region: str
    source_bucket: str
    site_bucket: str
    catalog_table: str
    render_queue_url: str
    render_dlq_url: str
    translate_queue_url: str
    translate_dlq_url: str
    distribution_id: str
    # The functions' shared environment (template Globals) resolved to local values.
    variables: Mapping[str, str] = field(default_factory=dict)
    # What `!Ref` of each created resource gives locally (name, queue URL, distribution
    # id), for resolving the functions' policies (local/iam.py).
    resources: Mapping[str, str] = field(default_factory=dict)
    account_id: str = "123456789012"
    _server: Any = field(default=None, repr=False, compare=False)
    # False when the caller lent the server (start_embedded_aws(server=...)): stop() then
    # empties it and leaves it running for the next stack.
    _owns_server: bool = field(default=True, repr=False, compare=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def stop(self) -> None:
        """Drop everything the server held, and shut it down unless it was lent."""
        if self._server is None:
            return
        try:
            _reset_moto(self.endpoint_url)
        finally:
            if self._owns_server:
                self._server.stop()
            with _active_lock:
                if self in _active:
                    _active.remove(self)

    def env(self, *, site_url: str | None = None) -> dict[str, str]:
        """The variables the handlers read (Settings.from_env) to use this endpoint.

        POLYPUB_SITE_URL is the CloudFront domain in the cloud; locally only the preview
        server knows it, so the caller passes it.
        """
        values = dict(self.variables)
        values.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": DUMMY_KEY,
                "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
                "AWS_SESSION_TOKEN": DUMMY_KEY,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "POLYPUB_SOURCE_BUCKET": self.source_bucket,
                "POLYPUB_SITE_BUCKET": self.site_bucket,
                "POLYPUB_CATALOG_TABLE": self.catalog_table,
                "POLYPUB_TRANSLATE_QUEUE_URL": self.translate_queue_url,
                "POLYPUB_DISTRIBUTION_ID": self.distribution_id,
            }
        )
        if site_url is not None:
            values["POLYPUB_SITE_URL"] = site_url
        return values

    def to_json(self) -> str:
        """The endpoint and resource names, for printing or for another process."""
        public = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if not f.name.startswith("_")
        }
        public["variables"] = dict(self.variables)
        public["resources"] = dict(self.resources)
        return json.dumps(public, indent=2, sort_keys=True)

    def client(self, service_name: str) -> Any:
        """A boto3 client for this endpoint (dummy credentials, no global state).

        Cached per service: building a client costs ~0.2 s, and clients are thread-safe.
        """
        with _clients_lock:
            if service_name not in self._clients:
                self._clients[service_name] = _session(self.region).client(  # type: ignore[call-overload]
                    service_name, endpoint_url=self.endpoint_url
                )
            return self._clients[service_name]


# The child: moto's server (the [local] extra; not in the Lambda bundle) until its stdin
# closes, because the parent stopped it or died. werkzeug would log every request at
# INFO: one line per S3 call would bury what `polypub dev` prints.
_MOTO_CHILD = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.WARNING)
server = ThreadedMotoServer(ip_address=sys.argv[1], port=int(sys.argv[2]), verbose=False)
server.start()
print(*server.get_host_and_port(), flush=True)
sys.stdin.read()
server.stop()
"""


class MotoServer:
    """moto's server in a child process.

    In this process its request handling would take turns with the handlers for one
    interpreter lock; in a child it runs beside them on another core (upload to live in
    `polypub dev` goes from about 1.0 s to 0.7 s). Its own session: Ctrl-C reaches only
    `polypub dev`, which lets the handlers finish their batches before stopping it.
    Starting one costs about 1.5 s and stopping it as much, so a caller that builds many
    stacks one after another (the test suite) may keep one and lend it to each.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _MOTO_CHILD, host, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        answer = self._process.stdout.readline().split()
        if len(answer) != 2:
            self.stop()
            raise EmbeddedAwsError(
                f"moto's server did not start on {host}:{port} (see its error above)"
            )
        self.host, self.port = answer[0], int(answer[1])

    def stop(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def _session(region: str) -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        aws_session_token=DUMMY_KEY,
        region_name=region,
    )


def _reset_moto(endpoint_url: str) -> None:
    host_port = endpoint_url.split("://", 1)[1]
    connection = http.client.HTTPConnection(host_port, timeout=10)
    try:
        connection.request("POST", "/moto-api/reset")
        connection.getresponse().read()
    finally:
        connection.close()


def start_embedded_aws(
    port: int = 0,
    *,
    template: Path,
    host: str = "127.0.0.1",
    region: str = "us-east-1",
    prefix: str = "polypub",
    parameters: Mapping[str, str] | None = None,
    server: MotoServer | None = None,
) -> EmbeddedAws:
    """Start moto on `host:port` (0: any free port) and create the template's resources.

    `parameters` override the template's parameter defaults, like `sam deploy
    --parameter-overrides`. Nothing is written to os.environ: use `.env()`. With `server`,
    the resources are created in that running moto (emptied first; `host` and `port` are
    then its own) and stop() leaves it running.
    """
    stack = describe(template, prefix=prefix, parameters=parameters)
    with _active_lock:
        if _active:
            raise EmbeddedAwsError(
                f"an embedded AWS is already running at {_active[0].endpoint_url}; "
                "moto shares its state within a process, so stop it first"
            )
        lent = server is not None
        if server is None:
            server = MotoServer(host, port)
        bound_host, bound_port = server.host, server.port
        try:
            # A server bound to every interface is still reached through loopback here.
            address = ipaddress.ip_address(bound_host)
            if address.is_unspecified:
                address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
            netloc = f"[{address}]" if address.version == 6 else str(address)
            endpoint_url = f"http://{netloc}:{bound_port}"
            _reset_moto(endpoint_url)
            aws = _create(stack, endpoint_url, region, server, owns_server=not lent)
        except BaseException:
            if not lent:
                server.stop()
            raise
        _active.append(aws)
        return aws


def _create(
    stack: LocalStack, endpoint_url: str, region: str, server: Any, *, owns_server: bool
) -> EmbeddedAws:
    session = _session(region)
    s3: S3Client = session.client("s3", endpoint_url=endpoint_url)
    sqs: SQSClient = session.client("sqs", endpoint_url=endpoint_url)
    dynamodb: DynamoDBClient = session.client("dynamodb", endpoint_url=endpoint_url)
    cloudfront: CloudFrontClient = session.client("cloudfront", endpoint_url=endpoint_url)

    queue_urls = _create_queues(sqs, stack.queues)
    for table in stack.tables:
        _create_table(dynamodb, table)
    for bucket in stack.buckets:
        _create_bucket(s3, bucket, region)
    for bucket in stack.buckets:
        if bucket.notifications:
            _wire_notifications(s3, sqs, bucket, queue_urls)

    site_bucket = stack.bucket(stack.resource_for("POLYPUB_SITE_BUCKET"))
    distribution_logical = stack.resource_for("POLYPUB_DISTRIBUTION_ID")
    distribution_id = _create_distribution(cloudfront, site_bucket.name, distribution_logical)

    values: dict[str, str] = {bucket.logical_id: bucket.name for bucket in stack.buckets}
    values |= {table.logical_id: table.name for table in stack.tables}
    values |= queue_urls
    values[distribution_logical] = distribution_id
    # Where failure reports are e-mailed from: a topic in moto, so that the render
    # function's publish runs (and is checked against its policy) as in the cloud.
    sns: Any = session.client("sns", endpoint_url=endpoint_url)
    values |= {
        logical: sns.create_topic(Name=name)["TopicArn"] for logical, name in stack.topics.items()
    }
    variables: dict[str, str] = {}
    for name, value in stack.environment.items():
        if isinstance(value, Ref):
            if value.logical_id in values:
                variables[name] = values[value.logical_id]
        elif value is not None:
            variables[name] = value
    # A function's own variables that name a created resource (RenderFunction's report
    # topic). Both functions share one process environment locally, so it is the union;
    # literals and parameters of one function (its Powertools service name) stay its own.
    for function in stack.functions:
        for name, value in function.environment.items():
            if isinstance(value, Ref) and value.logical_id in values:
                variables.setdefault(name, values[value.logical_id])

    source = stack.bucket(stack.resource_for("POLYPUB_SOURCE_BUCKET"))
    render_queues = {n.queue for n in source.notifications}
    if len(render_queues) != 1:
        raise TemplateError(f"{source.logical_id} should notify exactly one queue")
    render_queue = stack.queue(render_queues.pop())
    translate_queue = stack.queue(stack.resource_for("POLYPUB_TRANSLATE_QUEUE_URL"))
    # moto's account for any credentials: the one in its queue URLs (/<account>/<name>).
    account_id = urlsplit(queue_urls[render_queue.logical_id]).path.strip("/").split("/")[0]
    return EmbeddedAws(
        endpoint_url=endpoint_url,
        region=region,
        source_bucket=source.name,
        site_bucket=site_bucket.name,
        catalog_table=stack.table(stack.resource_for("POLYPUB_CATALOG_TABLE")).name,
        render_queue_url=queue_urls[render_queue.logical_id],
        render_dlq_url=queue_urls[_dlq_of(render_queue)],
        translate_queue_url=queue_urls[translate_queue.logical_id],
        translate_dlq_url=queue_urls[_dlq_of(translate_queue)],
        distribution_id=distribution_id,
        variables=variables,
        resources=values,
        account_id=account_id,
        _server=server,
        _owns_server=owns_server,
    )


def _dlq_of(queue: QueueSpec) -> str:
    if queue.dead_letter_queue is None:
        raise TemplateError(f"{queue.logical_id} has no RedrivePolicy")
    return queue.dead_letter_queue


def _create_queues(sqs: SQSClient, queues: tuple[QueueSpec, ...]) -> dict[str, str]:
    urls: dict[str, str] = {}
    # Dead-letter queues first: a RedrivePolicy names its target's ARN.
    for spec in sorted(queues, key=lambda q: q.dead_letter_queue is not None):
        # CFN property names were already mapped to SQS attribute names in template.py.
        attributes: Any = dict(spec.attributes)
        if spec.dead_letter_queue is not None:
            target = urls[spec.dead_letter_queue]
            arn = sqs.get_queue_attributes(QueueUrl=target, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": spec.max_receive_count}
            )
        urls[spec.logical_id] = sqs.create_queue(QueueName=spec.name, Attributes=attributes)[
            "QueueUrl"
        ]
    return urls


def _create_table(dynamodb: DynamoDBClient, spec: TableSpec) -> None:
    dynamodb.create_table(
        TableName=spec.name,
        AttributeDefinitions=[
            {"AttributeName": k.name, "AttributeType": k.attribute_type}  # type: ignore[typeddict-item]
            for k in spec.key_schema
        ],
        KeySchema=[
            {"AttributeName": k.name, "KeyType": k.key_type}  # type: ignore[typeddict-item]
            for k in spec.key_schema
        ],
        BillingMode=spec.billing_mode,  # type: ignore[arg-type]
    )


def _create_bucket(s3: S3Client, spec: BucketSpec, region: str) -> None:
    if region == "us-east-1":
        s3.create_bucket(Bucket=spec.name)
    else:
        s3.create_bucket(
            Bucket=spec.name,
            CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
        )
    # moto gap: deleting from a *versioned* bucket adds a delete marker but sends no
    # s3:ObjectRemoved event (moto/s3/models.py delete_object notifies only when the
    # bucket is unversioned), while AWS sends ObjectRemoved:DeleteMarkerCreated. A
    # bucket that feeds a queue therefore stays unversioned locally, so a teacher's
    # delete from any S3 client reaches the pipeline as it does in the cloud.
    if spec.versioned and not spec.notifications:
        s3.put_bucket_versioning(Bucket=spec.name, VersioningConfiguration={"Status": "Enabled"})


def _wire_notifications(
    s3: S3Client, sqs: SQSClient, spec: BucketSpec, queue_urls: Mapping[str, str]
) -> None:
    arns: dict[str, str] = {}
    configurations: list[Any] = []
    for index, notification in enumerate(spec.notifications):
        if notification.queue not in arns:
            arns[notification.queue] = sqs.get_queue_attributes(
                QueueUrl=queue_urls[notification.queue], AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
        rules = [
            {"Name": name, "Value": value}
            for name, value in (("prefix", notification.prefix), ("suffix", notification.suffix))
            if value
        ]
        entry: dict[str, Any] = {
            "Id": f"{spec.logical_id}-{index}",
            "QueueArn": arns[notification.queue],
            "Events": [notification.event],
        }
        if rules:
            entry["Filter"] = {"Key": {"FilterRules": rules}}
        configurations.append(entry)
    # Like AWS, moto then posts an s3:TestEvent message to each queue; the render
    # handler skips it there as it does in the cloud.
    s3.put_bucket_notification_configuration(
        Bucket=spec.name,
        NotificationConfiguration={"QueueConfigurations": configurations},
    )


def _create_distribution(cloudfront: CloudFrontClient, site_bucket: str, logical_id: str) -> str:
    # Only a target for the handlers' invalidations: moto does not serve content, the
    # preview server does.
    origin_id = "site"
    response = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": f"polypub-{logical_id}",
            "Comment": f"local stand-in for {logical_id}",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": origin_id,
                        "DomainName": f"{site_bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": origin_id,
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )
    return response["Distribution"]["Id"]
