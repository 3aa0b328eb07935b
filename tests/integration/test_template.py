"""template.yaml: cfn-lint clean, and the properties the pipeline's safety relies on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from polypub.local.template import (
    describe,
    load_template,
    parse_template,
    sync_edge_function,
    with_function_code,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
EDGE_FUNCTION = ROOT / "infra" / "cloudfront" / "viewer-request.js"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return properties


def test_cfn_lint_reports_nothing() -> None:
    matches = lint_file(TEMPLATE)
    assert [str(match) for match in matches] == []


@pytest.mark.parametrize("bucket", ["SourceBucket", "SiteBucket"])
def test_buckets_are_private_versioned_and_encrypted(template: dict[str, Any], bucket: str) -> None:
    properties = props(template, bucket)
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


@pytest.mark.parametrize("bucket", ["SourceBucket", "SiteBucket"])
def test_bucket_policies_deny_plain_http(template: dict[str, Any], bucket: str) -> None:
    (policy,) = [
        p
        for p in resources_of(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


def test_only_the_distribution_reads_the_site_bucket(template: dict[str, Any]) -> None:
    (policy,) = [
        p
        for p in resources_of(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "SiteBucket"}
    ]
    allows = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source_arn.endswith(":distribution/${Distribution}")
    # ...and the distribution reaches it through the OAC, not a public website endpoint.
    (origin,) = props(template, "Distribution")["DistributionConfig"]["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}


def test_source_bucket_name_matches_the_queue_policy_condition(template: dict[str, Any]) -> None:
    # The queue policy cannot GetAtt the bucket (a cycle), so both build the same name.
    bucket_name = props(template, "SourceBucket")["BucketName"]["Fn::Sub"]
    (allow,) = [
        s
        for s in props(template, "RenderQueuePolicy")["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    condition = allow["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"]
    assert condition[0] == "arn:${AWS::Partition}:s3:::" + bucket_name[0]
    assert condition[1] == bucket_name[1]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert template["Resources"]["SourceBucket"]["DependsOn"] == "RenderQueuePolicy"


def test_source_notifications_cover_posts_assets_and_config() -> None:
    stack = describe(TEMPLATE)
    source = stack.bucket(stack.resource_for("POLYPUB_SOURCE_BUCKET"))
    seen = {(n.event, n.prefix, n.suffix, n.queue) for n in source.notifications}
    expected = {
        (event, prefix, suffix, "RenderQueue")
        for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
        for prefix, suffix in (("posts/", ".md"), ("assets/", ""), ("config/", ""))
    }
    assert seen == expected


@pytest.mark.parametrize(
    ("queue", "dlq", "function"),
    [
        ("RenderQueue", "RenderDLQ", "RenderFunction"),
        ("TranslateQueue", "TranslateDLQ", "TranslateFunction"),
    ],
)
def test_queues_have_dlqs_and_long_enough_visibility(
    template: dict[str, Any], queue: str, dlq: str, function: str
) -> None:
    properties = props(template, queue)
    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
        "maxReceiveCount": 5,
    }
    # Lambda's guidance: at least six times the function timeout.
    assert properties["VisibilityTimeout"] >= 6 * props(template, function)["Timeout"]
    assert properties["SqsManagedSseEnabled"] is True
    assert props(template, dlq)["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert props(template, dlq)["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize(
    ("function", "queue", "handler", "memory", "timeout"),
    [
        ("RenderFunction", "RenderQueue", "polypub.handlers.render.handler", 512, 60),
        ("TranslateFunction", "TranslateQueue", "polypub.handlers.translate.handler", 1024, 300),
    ],
)
def test_functions_use_partial_batch_responses(
    template: dict[str, Any], function: str, queue: str, handler: str, memory: int, timeout: int
) -> None:
    properties = props(template, function)
    assert properties["Handler"] == handler
    assert properties["MemorySize"] == memory
    assert properties["Timeout"] == timeout
    (source,) = properties["Events"].values()
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert source["Properties"]["BatchSize"] == 10
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_function_globals(template: dict[str, Any]) -> None:
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.11"
    assert globals_["Architectures"] == ["arm64"]
    assert globals_["CodeUri"] == "functions/"
    assert set(globals_["Environment"]["Variables"]) == {
        "POLYPUB_SOURCE_BUCKET",
        "POLYPUB_SITE_BUCKET",
        "POLYPUB_CATALOG_TABLE",
        "POLYPUB_TRANSLATE_QUEUE_URL",
        "POLYPUB_DISTRIBUTION_ID",
        "POLYPUB_LANGUAGES",
        "POLYPUB_TRANSLATOR",
        "POLYPUB_SITE_URL",
        "POLYPUB_SITE_NAME",
    }


def test_catalog_table(template: dict[str, Any]) -> None:
    properties = props(template, "CatalogTable")
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_edge_function_in_template_is_the_file() -> None:
    stack = describe(TEMPLATE)
    assert stack.edge_function is not None
    assert stack.edge_function.source_file == EDGE_FUNCTION
    assert stack.edge_function.code == EDGE_FUNCTION.read_text(encoding="utf-8"), (
        "template.yaml's FunctionCode is stale: run scripts/sync-edge-function"
    )
    assert stack.edge_function.runtime == "cloudfront-js-2.0"


def test_edge_function_runs_on_viewer_request_without_a_root_object(
    template: dict[str, Any],
) -> None:
    config = props(template, "Distribution")["DistributionConfig"]
    assert "DefaultRootObject" not in config
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {
                "Fn::GetAtt": ["ViewerRequestFunction", "FunctionMetadata.FunctionARN"]
            },
        }
    ]
    assert {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"])
        for e in config["CustomErrorResponses"]
    } == {
        (403, 404, "/404.html"),
        (404, 404, "/404.html"),
    }


def test_site_languages_parameter_matches_the_edge_function(template: dict[str, Any]) -> None:
    match = re.search(r"var LANGUAGES = \[([^\]]*)\];", EDGE_FUNCTION.read_text(encoding="utf-8"))
    assert match is not None
    languages = ",".join(re.findall(r"'([a-z]+)'", match.group(1)))
    parameter = template["Parameters"]["SiteLanguages"]
    assert parameter["Default"] == languages
    assert parameter["AllowedValues"] == [languages]


def test_security_headers() -> None:
    headers = describe(TEMPLATE).security_headers
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "data:" not in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize(
    "value", ["google", "apertium", "aws", "google,apertium", "aws,google,apertium"]
)
def test_translation_provider_accepts_chains(template: dict[str, Any], value: str) -> None:
    assert re.fullmatch(template["Parameters"]["TranslationProvider"]["AllowedPattern"], value)


@pytest.mark.parametrize("value", ["", "google,", "deepl", "google apertium", ",aws"])
def test_translation_provider_rejects_others(template: dict[str, Any], value: str) -> None:
    assert not re.fullmatch(template["Parameters"]["TranslationProvider"]["AllowedPattern"], value)


def test_only_translate_function_may_call_amazon_translate(template: dict[str, Any]) -> None:
    def actions(function: str) -> set[str]:
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "Action" in node:
                    action = node["Action"]
                    found.update([action] if isinstance(action, str) else action)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(props(template, function)["Policies"])
        return found

    assert "translate:TranslateText" in actions("TranslateFunction")
    assert "translate:TranslateText" not in actions("RenderFunction")
    assert not any(
        a.endswith("*") for a in actions("RenderFunction") | actions("TranslateFunction")
    )


def test_sync_rewrites_a_stale_copy(tmp_path: Path) -> None:
    (tmp_path / "infra" / "cloudfront").mkdir(parents=True)
    copy = tmp_path / "template.yaml"
    stale = with_function_code(
        TEMPLATE.read_text(encoding="utf-8"), "ViewerRequestFunction", "var OLD = 1;\n"
    )
    copy.write_text(stale, encoding="utf-8")
    source = tmp_path / "infra" / "cloudfront" / "viewer-request.js"
    source.write_text(EDGE_FUNCTION.read_text(encoding="utf-8"), encoding="utf-8")

    assert sync_edge_function(copy, check=True) is True
    assert copy.read_text(encoding="utf-8") == stale
    assert sync_edge_function(copy) is True
    assert copy.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert sync_edge_function(copy) is False


@pytest.mark.parametrize(
    "code",
    [
        "var a = 1;\n",
        "var a = 1;",
        "var a = 1;\n\n\n",
        "function f() {\n    return '#: not a comment';\n}\n\n// end\n",
    ],
    ids=["one-newline", "no-newline", "extra-newlines", "indented-and-blank-lines"],
)
def test_function_code_embeds_exactly(code: str) -> None:
    text = with_function_code(TEMPLATE.read_text(encoding="utf-8"), "ViewerRequestFunction", code)
    reread = parse_template(text)
    assert reread["Resources"]["ViewerRequestFunction"]["Properties"]["FunctionCode"] == code
    # Everything else is untouched.
    assert (
        reread["Resources"]["SecurityHeadersPolicy"]
        == load_template(TEMPLATE)["Resources"]["SecurityHeadersPolicy"]
    )
