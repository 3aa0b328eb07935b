"""The local IAM evaluator: statements, SAM's expansions, and operations mapped to IAM actions."""

from __future__ import annotations

from typing import Any

import pytest

from polypub.local.iam import (
    FunctionPolicy,
    Request,
    Statement,
    UnmappedCallError,
    function_policies,
    requested,
)
from polypub.local.intrinsics import Intrinsics
from polypub.local.template import TemplateError

REGION = "eu-west-1"
ACCOUNT = "111122223333"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/catalog"


def statement(actions: list[str], resources: list[str], effect: str = "Allow") -> Statement:
    return Statement(sid="S", effect=effect, actions=tuple(actions), resources=tuple(resources))


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("arn:aws:s3:::site/*", "arn:aws:s3:::site/en/posts/a/index.html", True),
        ("arn:aws:s3:::site/*", "arn:aws:s3:::site", False),
        ("arn:aws:s3:::site/*", "arn:aws:s3:::site-old/x", False),
        ("arn:aws:s3:::src/*.error.txt", "arn:aws:s3:::src/posts/a.md.error.txt", True),
        ("arn:aws:s3:::src/*.error.txt", "arn:aws:s3:::src/posts/a.md", False),
        ("arn:aws:s3:::src/posts/?.md", "arn:aws:s3:::src/posts/a.md", True),
        ("arn:aws:s3:::src/posts/?.md", "arn:aws:s3:::src/posts/ab.md", False),
        # Within a segment * stops at a colon, unless it ends the segment.
        ("arn:aws:dynamodb:*:*:table/catalog", TABLE, True),
        ("arn:aws:dynamodb:eu-*1:*:table/catalog", TABLE, True),
        ("arn:aws:dynamodb:eu-*:table/catalog", TABLE, True),
        ("arn:aws:dynamodb:e*t-1:*:table/catalog", TABLE, True),
        ("arn:aws:dynamodb:*:*:table/catalog", TABLE + "/index/byDate", False),
        ("*", "arn:aws:anything:::at/all", True),
        # Resources are case-sensitive.
        ("arn:aws:s3:::Site/*", "arn:aws:s3:::site/x", False),
    ],
)
def test_resource_wildcards_follow_iam(pattern: str, resource: str, matches: bool) -> None:
    assert statement(["s3:GetObject"], [pattern]).matches("s3:GetObject", resource) is matches


def test_actions_are_case_insensitive_and_may_use_wildcards() -> None:
    allow = statement(["dynamodb:Get*", "S3:putobject"], ["*"])
    assert allow.matches("dynamodb:GetItem", "*")
    assert allow.matches("s3:PutObject", "*")
    assert not allow.matches("dynamodb:PutItem", "*")


def test_an_explicit_deny_wins_over_any_allow() -> None:
    policy = FunctionPolicy(
        "F",
        (
            Statement("All", "Allow", ("s3:*",), ("arn:aws:s3:::b/*",)),
            Statement("NoSecrets", "Deny", ("s3:GetObject",), ("arn:aws:s3:::b/secret/*",)),
        ),
    )
    assert policy.allowing("s3:GetObject", "arn:aws:s3:::b/public/x") == ("All",)
    assert policy.allowing("s3:GetObject", "arn:aws:s3:::b/secret/x") is None
    assert policy.allowing("s3:ListBucket", "arn:aws:s3:::b") is None  # implicit deny


def intrinsics(**parameters: str) -> Intrinsics:
    return Intrinsics(
        parameters=parameters,
        conditions={
            "UsesAws": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Provider"}, "google"]}]},
        },
        pseudo={"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT},
        ref=lambda logical: {"Table": "catalog", "Bucket": "site"}[logical],
        get_att=lambda logical, attribute: f"arn:aws:s3:::{logical.lower()}",
    )


def template(*policies: Any, events: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Policies": list(policies), "Events": events or {}},
            }
        }
    }


def test_sam_policy_templates_expand_as_sam_expands_them() -> None:
    (policy,) = function_policies(
        template({"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}}), intrinsics()
    ).values()
    # The CRUD template grants more than its name says: Scan and DescribeTable too.
    for action in ("GetItem", "PutItem", "DeleteItem", "Scan", "DescribeTable"):
        assert policy.allowing(f"dynamodb:{action}", TABLE) is not None
    assert policy.allowing("dynamodb:Query", TABLE + "/index/byDate") is not None
    assert policy.allowing("dynamodb:DeleteTable", TABLE) is None
    assert policy.allowing("dynamodb:GetItem", TABLE.replace("catalog", "other")) is None


def test_conditional_statements_follow_the_parameters() -> None:
    translate = {
        "Fn::If": [
            "UsesAws",
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "translate:TranslateText", "Resource": "*"}
                ]
            },
            {"Ref": "AWS::NoValue"},
        ]
    }
    for provider, granted in (("aws", True), ("google", False)):
        (policy,) = function_policies(template(translate), intrinsics(Provider=provider)).values()
        assert (policy.allowing("translate:TranslateText", "*") is not None) is granted


def test_sam_attaches_the_queue_execution_role_for_an_sqs_event() -> None:
    (policy,) = function_policies(
        template(events={"Jobs": {"Type": "SQS", "Properties": {}}}), intrinsics()
    ).values()
    assert policy.allowing("sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:1:q") is not None
    assert policy.granted() == set()  # nothing the template itself chose
    (plain,) = function_policies(template(), intrinsics()).values()
    assert plain.allowing("sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:1:q") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("AmazonS3FullAccess", "managed policy"),
        ({"NoSuchPolicy": {}}, "neither a SAM policy template"),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": "*",
                        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                    }
                ]
            },
            "Condition",
        ),
        ({"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}, "NotAction"),
    ],
)
def test_what_cannot_be_evaluated_faithfully_is_refused(entry: Any, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        function_policies(template(entry), intrinsics())


def test_sub_resolves_variables_attributes_and_pseudo_parameters() -> None:
    resolve = intrinsics().resolve
    assert resolve({"Fn::Sub": "${Bucket.Arn}/*"}) == "arn:aws:s3:::bucket/*"
    assert resolve({"Fn::Sub": "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:t"}) == (
        f"arn:aws:x:{REGION}:{ACCOUNT}:t"
    )
    assert resolve({"Fn::Sub": ["table/${name}", {"name": {"Ref": "Table"}}]}) == "table/catalog"
    assert resolve({"Fn::Sub": "${!Literal}"}) == "${Literal}"
    assert resolve({"Fn::Select": [1, {"Fn::Split": ["-", "a-b-c"]}]}) == "b"
    assert resolve([{"Ref": "AWS::NoValue"}, "kept"]) == ["kept"]
    with pytest.raises(TemplateError, match="Fn::FindInMap"):
        resolve({"Fn::FindInMap": ["M", "k", "v"]})


def calls(service: str, operation: str, **params: Any) -> list[Request]:
    return requested(service, operation, params, region=REGION, account=ACCOUNT)


def test_s3_operations_map_to_the_actions_s3_authorises() -> None:
    assert calls("s3", "HeadObject", Bucket="b", Key="k") == [
        Request("s3:GetObject", "arn:aws:s3:::b/k")
    ]
    assert calls("s3", "GetObject", Bucket="b", Key="k", VersionId="v") == [
        Request("s3:GetObjectVersion", "arn:aws:s3:::b/k")
    ]
    assert calls("s3", "ListObjectsV2", Bucket="b", Prefix="en/") == [
        Request("s3:ListBucket", "arn:aws:s3:::b")
    ]
    assert calls("s3", "DeleteObjects", Bucket="b", Delete={"Objects": [{"Key": "x"}]}) == [
        Request("s3:DeleteObject", "arn:aws:s3:::b/x")
    ]
    assert calls("s3", "CopyObject", Bucket="b", Key="to", CopySource="src/from%20here") == [
        Request("s3:GetObject", "arn:aws:s3:::src/from here"),
        Request("s3:PutObject", "arn:aws:s3:::b/to"),
    ]


def test_dynamodb_transactions_and_batches_are_authorised_per_item_and_table() -> None:
    assert calls(
        "dynamodb",
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "catalog"}},
            {"Delete": {"TableName": "catalog"}},
            {"ConditionCheck": {"TableName": "catalog"}},
        ],
    ) == [
        Request("dynamodb:PutItem", TABLE),
        Request("dynamodb:DeleteItem", TABLE),
        Request("dynamodb:ConditionCheckItem", TABLE),
    ]
    assert calls("dynamodb", "BatchWriteItem", RequestItems={"catalog": []}) == [
        Request("dynamodb:BatchWriteItem", TABLE)
    ]
    assert calls("dynamodb", "Query", TableName="catalog", IndexName="byDate") == [
        Request("dynamodb:Query", TABLE + "/index/byDate")
    ]


def test_queues_topics_distributions_and_unmapped_calls() -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs"
    assert calls("sqs", "SendMessageBatch", QueueUrl=url, Entries=[]) == [
        Request("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs")
    ]
    assert calls("cloudfront", "CreateInvalidation", DistributionId="E1") == [
        Request("cloudfront:CreateInvalidation", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1")
    ]
    assert calls("translate", "TranslateText") == [Request("translate:TranslateText", "*")]
    with pytest.raises(UnmappedCallError, match="PutBucketPolicy"):
        calls("s3", "PutBucketPolicy", Bucket="b")
