"""Each function's IAM policy from template.yaml, enforced on every AWS call it makes locally.

moto's own IAM enforcement was measured and not used: its server authorises DynamoDB,
CloudFront, SNS, Translate and Secrets Manager calls against the resource "*" (only
S3, SQS, IAM and STS responses name the resource), so a statement scoped to the
catalog table's ARN never matches there, and it counts every call of the process,
set-up included, against one INITIAL_NO_AUTH_ACTION_COUNT. Instead, `PolicyGuard`
hooks the boto3 clients the handlers use: before each call it maps the operation and
its parameters to the IAM actions and resource ARNs AWS would authorise (see
`requested`), and evaluates them against the statements the template grants the
function being invoked (`handlers.runtime.current_invocation`), as IAM does: an
explicit Deny wins, then any Allow, else the call is refused.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from polypub.handlers.runtime import current_invocation
from polypub.local.intrinsics import NO_VALUE, Intrinsics
from polypub.local.template import TemplateError, load_template, local_name

log = logging.getLogger(__name__)

# Where the (function, action) pairs the guards allow are appended as JSON lines, for
# `python -m polypub.local.iam FILE` to report on (least privilege both ways).
EXERCISED_VARIABLE = "POLYPUB_IAM_EXERCISED"

# The managed policies SAM attaches to every function's role by itself (samtranslator:
# sam_resources.py and, for an SQS event source, eventsources/pull.py), with their
# documents. They are granted in AWS too, so they are granted here; the report leaves
# them out, since the template did not choose them.
SAM_MANAGED: dict[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
}

# The error code each service answers a refused call with.
_DENIED_CODES = {
    "s3": "AccessDenied",
    "sqs": "AccessDenied",
    "cloudfront": "AccessDenied",
    "sns": "AuthorizationError",
}


class AccessDeniedError(ClientError):
    """A call outside the function's policy, refused with the 403 AccessDenied AWS sends."""

    def __init__(self, function: str, action: str, resource: str, service: str, operation: str):
        self.function = function
        self.action = action
        self.resource = resource
        message = (
            f"{function} is not authorized to perform: {action} on resource: {resource} "
            f"because no statement of its policy in template.yaml allows it"
        )
        response: Any = {
            "Error": {
                "Code": _DENIED_CODES.get(service, "AccessDeniedException"),
                "Message": message,
            },
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        super().__init__(response, operation)


class UnmappedCallError(RuntimeError):
    """An AWS operation whose IAM actions this module does not know: add it to `requested`."""


# ------------------------------------------------------------------ statements


def _action_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's * and ? in an action name; actions match whatever their case."""
    text = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(text, re.IGNORECASE | re.DOTALL)


def _resource_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's * and ? in a resource ARN, segment by segment (IAM user guide, "Resource").

    In the first five segments a wildcard stays within its segment, except a * that
    ends one, which may run on past the colon; in the resource part (after the fifth
    colon) * matches anything, slashes and colons included.
    """
    if pattern == "*":
        return re.compile(".*", re.DOTALL)
    if not pattern.startswith("arn:"):
        raise TemplateError(f"policy resource {pattern!r} is not an ARN")
    out = []
    colons = 0
    for index, char in enumerate(pattern):
        in_resource = colons >= 5
        if char == ":":
            colons += 1
            out.append(":")
        elif char == "*":
            ends_segment = index + 1 == len(pattern) or pattern[index + 1] == ":"
            out.append(".*" if in_resource or ends_segment else "[^:]*")
        elif char == "?":
            out.append("." if in_resource else "[^:]")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


@dataclass(frozen=True)
class Statement:
    """One Allow or Deny of a function's policy, with its references resolved."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    implicit: bool = False  # attached by SAM rather than written in the template
    _action_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _resource_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.effect not in ("Allow", "Deny"):
            raise TemplateError(f"statement {self.sid}: Effect must be Allow or Deny")
        object.__setattr__(self, "_action_res", tuple(map(_action_pattern, self.actions)))
        object.__setattr__(self, "_resource_res", tuple(map(_resource_pattern, self.resources)))

    def matches(self, action: str, resource: str) -> bool:
        return any(p.fullmatch(action) for p in self._action_res) and any(
            p.fullmatch(resource) for p in self._resource_res
        )


@dataclass(frozen=True)
class FunctionPolicy:
    """Everything one function's role may do."""

    function: str
    statements: tuple[Statement, ...]

    def allowing(self, action: str, resource: str) -> tuple[str, ...] | None:
        """The Sids of the Allow statements that grant it, or None when IAM refuses it."""
        matched = [s for s in self.statements if s.matches(action, resource)]
        if not matched or any(s.effect == "Deny" for s in matched):
            return None
        return tuple(s.sid for s in matched)

    def granted(self) -> set[tuple[str, str]]:
        """(Sid, action) of every Allow the template wrote (SAM's own attachments left out)."""
        return {
            (s.sid, action)
            for s in self.statements
            if s.effect == "Allow" and not s.implicit
            for action in s.actions
        }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(document: Any, function: str, origin: str) -> list[Statement]:
    if not isinstance(document, dict) or not set(document) <= {"Statement", "Version"}:
        raise TemplateError(f"{function}: cannot read policy {document!r}")
    found = []
    for index, raw in enumerate(_as_list(document.get("Statement", []))):
        sid = str(raw.get("Sid") or f"{origin}#{index}")
        # Refuse what would need evaluating beyond actions and resources, rather than
        # grant more or less than AWS would.
        unsupported = sorted(set(raw) & {"Condition", "NotAction", "NotResource", "Principal"})
        if unsupported:
            raise TemplateError(
                f"{function}: statement {sid} uses {', '.join(unsupported)}, "
                "which the local IAM check cannot evaluate"
            )
        found.append(
            Statement(
                sid=sid,
                effect=str(raw.get("Effect")),
                actions=tuple(str(a) for a in _as_list(raw.get("Action", []))),
                resources=tuple(str(r) for r in _as_list(raw.get("Resource", []))),
            )
        )
    return found


def _policy_template(name: str, parameters: Any) -> Any:
    """A SAM policy template (DynamoDBCrudPolicy, S3ReadPolicy, ...) as SAM expands it."""
    # aws-sam-translator's own processor and template data: the expansion `sam deploy`
    # makes. Imported only when a template uses one (it costs most of a second).
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    processor = PolicyTemplatesProcessor(
        PolicyTemplatesProcessor.get_default_policy_templates_json()
    )
    if not processor.has(name):
        raise TemplateError(f"{name} is neither a SAM policy template nor a policy document")
    return processor.convert(name, parameters if isinstance(parameters, dict) else {})


def function_policies(data: Mapping[str, Any], intrinsics: Intrinsics) -> dict[str, FunctionPolicy]:
    """The policy of every AWS::Serverless::Function, its references resolved locally."""
    policies = {}
    for logical, resource in data["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties") or {}
        statements: list[Statement] = []
        for index, entry in enumerate(_as_list(props.get("Policies", []))):
            entry = intrinsics.resolve(entry)
            origin = f"{logical}.Policies[{index}]"
            if entry is NO_VALUE:
                continue  # an Fn::If that chose AWS::NoValue
            if isinstance(entry, str):
                raise TemplateError(
                    f"{logical}: managed policy {entry} cannot be evaluated locally; "
                    "write its statements inline"
                )
            if isinstance(entry, dict) and len(entry) == 1 and "Statement" not in entry:
                ((name, parameters),) = entry.items()
                expanded = intrinsics.resolve(_policy_template(str(name), parameters))
                statements += _statements(expanded, logical, f"{origin}:{name}")
            else:
                statements += _statements(entry, logical, origin)
        managed = ["AWSLambdaBasicExecutionRole"]
        if any(e.get("Type") == "SQS" for e in (props.get("Events") or {}).values()):
            managed.append("AWSLambdaSQSQueueExecutionRole")
        statements += [
            Statement(
                sid=name, effect="Allow", actions=SAM_MANAGED[name], resources=("*",), implicit=True
            )
            for name in managed
        ]
        policies[logical] = FunctionPolicy(logical, tuple(statements))
    return policies


def local_policies(
    template: Path,
    *,
    physical: Mapping[str, str],
    region: str,
    account: str,
    parameters: Mapping[str, str],
    prefix: str = "polypub",
) -> dict[str, FunctionPolicy]:
    """The functions' policies with the names and ARNs of the resources created locally.

    `physical` maps a logical id to its Ref value (bucket or table name, queue URL,
    distribution id). A policy naming a resource that is not created locally fails
    here, except SNS topics, whose ARN is known from their local name.
    """
    data = load_template(template)
    resources: dict[str, Any] = data["Resources"]

    def kind(logical: str) -> str:
        resource = resources.get(logical)
        if not isinstance(resource, dict):
            raise TemplateError(f"template.yaml has no resource {logical}")
        return str(resource.get("Type"))

    def ref(logical: str) -> str:
        if kind(logical) == "AWS::SNS::Topic":
            return f"arn:aws:sns:{region}:{account}:{local_name(prefix, logical)}"
        if logical not in physical:
            raise TemplateError(f"{logical} ({kind(logical)}) is not created locally")
        return physical[logical]

    def get_att(logical: str, attribute: str) -> str:
        resource_type = kind(logical)
        if resource_type == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:aws:s3:::{ref(logical)}"
        if resource_type == "AWS::DynamoDB::Table" and attribute == "Arn":
            return f"arn:aws:dynamodb:{region}:{account}:table/{ref(logical)}"
        if resource_type == "AWS::SQS::Queue" and attribute in ("Arn", "QueueName"):
            name = ref(logical).rstrip("/").rsplit("/", 1)[-1]
            return name if attribute == "QueueName" else f"arn:aws:sqs:{region}:{account}:{name}"
        if resource_type == "AWS::SNS::Topic" and attribute in ("TopicArn", "TopicName"):
            arn = ref(logical)
            return arn if attribute == "TopicArn" else arn.rsplit(":", 1)[-1]
        raise TemplateError(f"!GetAtt {logical}.{attribute} cannot be resolved locally")

    intrinsics = Intrinsics(
        parameters=parameters,
        conditions=data.get("Conditions") or {},
        pseudo={
            "AWS::Partition": "aws",
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::StackName": prefix,
            "AWS::URLSuffix": "amazonaws.com",
        },
        ref=ref,
        get_att=get_att,
    )
    return function_policies(data, intrinsics)


# ------------------------------------------------------------------ operations -> IAM


@dataclass(frozen=True)
class Request:
    """One IAM authorisation a call needs: an action on a resource."""

    action: str
    resource: str


_S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
}
_S3_VERSION_ACTIONS = {
    "s3:GetObject": "s3:GetObjectVersion",
    "s3:DeleteObject": "s3:DeleteObjectVersion",
}
_S3_BUCKET_ACTIONS = {
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "GetBucketLocation": "s3:GetBucketLocation",
}
_DYNAMODB_TABLE_OPERATIONS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "DescribeTable",
}
# In a transaction each item is authorised as its own operation (DynamoDB developer
# guide, "Using IAM with DynamoDB transactions"); there is no TransactWriteItems action.
_DYNAMODB_TRANSACT = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}
# A batch is authorised by the action of its single form (SQS developer guide).
_SQS_ACTIONS = {
    "SendMessage": "sqs:SendMessage",
    "SendMessageBatch": "sqs:SendMessage",
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessage": "sqs:DeleteMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
    "PurgeQueue": "sqs:PurgeQueue",
}
_CLOUDFRONT_OPERATIONS = {
    "CreateInvalidation",
    "GetInvalidation",
    "ListInvalidations",
    "GetDistribution",
}


def _s3(operation: str, params: Mapping[str, Any]) -> list[Request]:
    bucket = str(params.get("Bucket", ""))
    if operation in _S3_BUCKET_ACTIONS:
        return [Request(_S3_BUCKET_ACTIONS[operation], f"arn:aws:s3:::{bucket}")]
    if operation == "DeleteObjects":
        return [
            Request(
                "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject",
                f"arn:aws:s3:::{bucket}/{item['Key']}",
            )
            for item in params.get("Delete", {}).get("Objects", [])
        ]
    target = f"arn:aws:s3:::{bucket}/{params.get('Key', '')}"
    if operation == "CopyObject":
        source = params.get("CopySource")
        if isinstance(source, dict):
            origin = f"{source.get('Bucket')}/{source.get('Key')}"
        else:
            origin = unquote(str(source).lstrip("/").split("?versionId=", 1)[0])
        return [Request("s3:GetObject", f"arn:aws:s3:::{origin}"), Request("s3:PutObject", target)]
    if operation not in _S3_OBJECT_ACTIONS:
        raise UnmappedCallError(f"no IAM mapping for S3 {operation}")
    action = _S3_OBJECT_ACTIONS[operation]
    if params.get("VersionId"):
        action = _S3_VERSION_ACTIONS.get(action, action)
    requests = [Request(action, target)]
    if operation == "PutObject" and params.get("Tagging"):
        requests.append(Request("s3:PutObjectTagging", target))
    if operation == "PutObject" and params.get("ACL"):
        requests.append(Request("s3:PutObjectAcl", target))
    return requests


def _dynamodb(
    operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Request]:
    def table(name: Any) -> str:
        name = str(name)
        return (
            name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        )

    if operation in _DYNAMODB_TABLE_OPERATIONS:
        arn = table(params.get("TableName"))
        if params.get("IndexName"):
            arn += f"/index/{params['IndexName']}"
        return [Request(f"dynamodb:{operation}", arn)]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            Request(f"dynamodb:{operation}", table(name)) for name in params.get("RequestItems", {})
        ]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Request(_DYNAMODB_TRANSACT[kind], table(body.get("TableName")))
            for item in params.get("TransactItems", [])
            for kind, body in item.items()
        ]
    raise UnmappedCallError(f"no IAM mapping for DynamoDB {operation}")


def _queue_arn(url: str, region: str) -> str:
    # https://sqs.<region>.amazonaws.com/<account>/<name>, or moto's http://host/<account>/<name>
    account, name = urlsplit(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def requested(
    service: str, operation: str, params: Mapping[str, Any], *, region: str, account: str
) -> list[Request]:
    """The IAM authorisations AWS makes for one call (`service` as botocore names it)."""
    if service == "s3":
        return _s3(operation, params)
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account)
    if service == "sqs":
        if operation == "GetQueueUrl":
            return [
                Request(
                    "sqs:GetQueueUrl", f"arn:aws:sqs:{region}:{account}:{params.get('QueueName')}"
                )
            ]
        if operation in _SQS_ACTIONS:
            return [
                Request(_SQS_ACTIONS[operation], _queue_arn(str(params.get("QueueUrl")), region))
            ]
    if service == "sns" and operation in ("Publish", "PublishBatch"):
        return [Request("sns:Publish", str(params.get("TopicArn") or params.get("TargetArn")))]
    if service == "cloudfront" and operation in _CLOUDFRONT_OPERATIONS:
        distribution = params.get("DistributionId") or params.get("Id")
        return [
            Request(
                f"cloudfront:{operation}",
                f"arn:aws:cloudfront::{account}:distribution/{distribution}",
            )
        ]
    if service == "translate" and operation == "TranslateText":
        return [Request("translate:TranslateText", "*")]  # no resource-level permissions
    if service == "secretsmanager" and operation in ("GetSecretValue", "DescribeSecret"):
        secret = str(params.get("SecretId"))
        if not secret.startswith("arn:"):
            secret = f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}"
        return [Request(f"secretsmanager:{operation}", secret)]
    raise UnmappedCallError(f"no IAM mapping for {service} {operation}")


# ------------------------------------------------------------------ the guard


@dataclass(frozen=True)
class Denial:
    function: str
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.function} may not {self.action} on {self.resource}"


_guards: weakref.WeakSet[PolicyGuard] = weakref.WeakSet()
_exercised_lock = threading.Lock()
_exercised_written: set[tuple[str, str, str]] = set()


class PolicyGuard:
    """Checks every call of the clients it is attached to against the invoked function's policy.

    Calls made outside a handler invocation (the developer's, a test's, the queue pump's)
    are not a function's and pass unchecked, as they would with the operator's own
    credentials. A refused call raises AccessDeniedError from the client, so the adapters
    see what AWS would have answered; it is also kept in `denials` and passed to
    `on_denied`, so that a refusal the pipeline absorbs is still seen.
    """

    def __init__(
        self,
        policies: Mapping[str, FunctionPolicy],
        *,
        region: str,
        account: str,
        site_bucket: str | None = None,
        on_denied: Callable[[Denial], None] | None = None,
        exercised_file: Path | None = None,
    ) -> None:
        self.policies = dict(policies)
        self._region = region
        self._account = account
        self._site_prefix = f"arn:aws:s3:::{site_bucket}/" if site_bucket else None
        self.on_denied = on_denied
        self.denials: list[Denial] = []
        self.exercised: set[tuple[str, str, str]] = set()  # (function, action, sid)
        self._lock = threading.Lock()
        variable = os.environ.get(EXERCISED_VARIABLE)
        self._exercised_file = exercised_file or (Path(variable) if variable else None)
        if self._exercised_file is not None:
            _append(
                self._exercised_file,
                [
                    {"function": name, "granted": sorted(map(list, policy.granted()))}
                    for name, policy in sorted(self.policies.items())
                ],
            )
        _guards.add(self)

    def attach(self, client: Any) -> None:
        """Check this client's calls (registered on its own event emitter only)."""
        client.meta.events.register("before-parameter-build", self._before)
        client.meta.events.register("after-call.s3", self._after_s3)

    def take_denials(self) -> list[Denial]:
        """The refusals so far, forgotten once taken (a test that expects one takes it)."""
        with self._lock:
            taken, self.denials = self.denials, []
        return taken

    def _before(
        self, params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        invocation = current_invocation()
        if invocation is None:
            return
        invocation.aws_calls += 1
        service = model.service_model.service_name
        policy = self.policies.get(invocation.function)
        try:
            requests = requested(
                service, model.name, params, region=self._region, account=self._account
            )
        except UnmappedCallError:
            log.exception("%s made a call the local IAM check cannot map", invocation.function)
            raise
        for request in requests:
            sids = None if policy is None else policy.allowing(request.action, request.resource)
            if sids is None:
                self._deny(Denial(invocation.function, request.action, request.resource))
                raise AccessDeniedError(
                    invocation.function, request.action, request.resource, service, model.name
                )
            self._exercise(invocation.function, request.action, sids)
            if self._site_write(request):
                invocation.site_writes += 1
        if service == "s3" and model.name in ("GetObject", "HeadObject") and policy is not None:
            bucket = f"arn:aws:s3:::{params.get('Bucket')}"
            context["polypub_may_list"] = policy.allowing("s3:ListBucket", bucket) is not None
            context["polypub_function"] = invocation.function

    def _after_s3(
        self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        # S3 answers a missing key with 403, not 404, to a caller that may not list the
        # bucket: reading "deleted" for "forbidden" is exactly what a lost grant would do.
        if context.get("polypub_may_list") is False and http_response.status_code == 404:
            http_response.status_code = 403
            parsed.setdefault("Error", {}).update(
                {
                    "Code": "AccessDenied",
                    "Message": f"{context['polypub_function']} may not s3:ListBucket",
                }
            )
            parsed.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = 403

    def _site_write(self, request: Request) -> bool:
        return (
            self._site_prefix is not None
            and request.action in ("s3:PutObject", "s3:DeleteObject")
            and request.resource.startswith(self._site_prefix)
        )

    def _deny(self, denial: Denial) -> None:
        log.error("AccessDenied: %s", denial)
        with self._lock:
            self.denials.append(denial)
        if self.on_denied is not None:
            self.on_denied(denial)

    def _exercise(self, function: str, action: str, sids: Iterable[str]) -> None:
        new = [
            (function, action, sid) for sid in sids if (function, action, sid) not in self.exercised
        ]
        if not new:
            return
        with self._lock:
            self.exercised.update(new)
        if self._exercised_file is None:
            return
        with _exercised_lock:
            lines = [entry for entry in new if entry not in _exercised_written]
            _exercised_written.update(lines)
        if lines:
            _append(
                self._exercised_file,
                [{"function": f, "action": a, "sid": s} for f, a, s in lines],
            )


def live_guards() -> list[PolicyGuard]:
    """Every guard still referenced in this process (for a test's check of refusals)."""
    return list(_guards)


def _append(path: Path, entries: list[dict[str, Any]]) -> None:
    # One write of whole lines in append mode: processes that share the file (a test
    # run and the `polypub dev` it starts) never interleave within a line.
    text = "".join(json.dumps(entry, sort_keys=True) + "\n" for entry in entries)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


# ------------------------------------------------------------------ least-privilege report


def exercise_report(path: Path) -> str:
    """For each function: the (action, statement) pairs used, and the grants never used."""
    granted: dict[str, set[tuple[str, str]]] = {}
    used: dict[str, set[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if "granted" in entry:
            granted.setdefault(entry["function"], set()).update(
                (sid, action) for sid, action in entry["granted"]
            )
        else:
            used.setdefault(entry["function"], set()).add((entry["sid"], entry["action"]))
    lines = []
    for function in sorted(granted | used):
        actions = {action for _, action in used.get(function, set())}
        lines.append(f"{function}: {len(actions)} distinct actions exercised")
        for action in sorted(actions):
            sids = sorted(sid for sid, a in used[function] if a == action)
            lines.append(f"  used    {action}  ({', '.join(sids)})")
        for sid, action in sorted(granted.get(function, set()) - used.get(function, set())):
            lines.append(f"  UNUSED  {action}  (statement {sid})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"usage: python -m polypub.local.iam FILE  (the file {EXERCISED_VARIABLE} named)")
        return 2
    sys.stdout.write(exercise_report(Path(args[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
