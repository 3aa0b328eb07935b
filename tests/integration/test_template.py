"""template.yaml: cfn-lint clean, and the properties the pipeline's safety relies on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from polypub.languages import DEFAULT_SITE_LANGUAGES
from polypub.local.iam import FunctionPolicy
from polypub.local.template import (
    TemplateError,
    describe,
    edge_source,
    load_template,
    parse_template,
    site_language_choices,
    sync_edge_function,
    with_function_code,
    with_parameter_values,
)
from polypub.translate.providers import PROVIDERS
from support.policies import ACCOUNT, REGION, deployed_policies

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


def test_source_notifications_cover_posts_assets_config_and_theme() -> None:
    stack = describe(TEMPLATE)
    source = stack.bucket(stack.resource_for("POLYPUB_SOURCE_BUCKET"))
    seen = {(n.event, n.prefix, n.suffix, n.queue) for n in source.notifications}
    expected = {
        (event, prefix, suffix, "RenderQueue")
        for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
        for prefix, suffix in (
            ("posts/", ""),  # *.MD too: it gets a report
            ("assets/", ""),
            ("config/", ""),
            ("theme/", ""),
        )
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
    assert globals_["Runtime"] == "python3.13"
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
        "POLYPUB_MAX_RECEIVES",
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
    match = re.search(r"var LANGUAGES = '([a-z,]*)'", EDGE_FUNCTION.read_text(encoding="utf-8"))
    assert match is not None
    parameter = template["Parameters"]["SiteLanguages"]
    assert parameter["Default"] == match.group(1) == ",".join(DEFAULT_SITE_LANGUAGES)
    assert "es,en" in parameter["AllowedValues"]
    assert "es,en,ca" in parameter["AllowedValues"]
    assert "es,es" not in parameter["AllowedValues"]


def test_generated_parts_are_up_to_date() -> None:
    # Fails when polypub/languages.py or the edge function changed without
    # scripts/sync-edge-function: a deploy would use a stale copy.
    assert sync_edge_function(TEMPLATE, check=True) == []


def test_the_deployed_edge_function_takes_its_languages_from_the_parameter() -> None:
    # A stack deployed with Catalan routes it with no code change: CloudFormation
    # substitutes SiteLanguages into the function's code.
    stack = describe(TEMPLATE, parameters={"SiteLanguages": "ca,es,en"})
    assert stack.edge_function is not None
    source = EDGE_FUNCTION.read_text(encoding="utf-8")
    assert stack.edge_function.code == edge_source(source, ("ca", "es", "en"))
    assert "var LANGUAGES = 'ca,es,en'.split(',');" in stack.edge_function.code
    assert stack.languages == ("ca", "es", "en")


def test_a_language_list_outside_the_table_cannot_deploy() -> None:
    with pytest.raises(TemplateError, match="SiteLanguages"):
        describe(TEMPLATE, parameters={"SiteLanguages": "es,fr"})
    with pytest.raises(TemplateError, match="SiteLanguages"):
        describe(TEMPLATE, parameters={"SiteLanguages": "es,es"})


def test_sync_writes_the_provider_pattern_from_the_registry(tmp_path: Path) -> None:
    # A new provider in PROVIDERS needs no hand edit of template.yaml.
    copy = tmp_path / "template.yaml"
    (tmp_path / "infra" / "cloudfront").mkdir(parents=True)
    (tmp_path / "infra" / "cloudfront" / "viewer-request.js").write_text(
        EDGE_FUNCTION.read_text(encoding="utf-8"), encoding="utf-8"
    )
    copy.write_text(
        with_parameter_values(
            TEMPLATE.read_text(encoding="utf-8"),
            "TranslationProvider",
            {"AllowedPattern": "^(google)$", "ConstraintDescription": "google"},
        ),
        encoding="utf-8",
    )
    assert sync_edge_function(copy, check=True) == [
        "parameter TranslationProvider (AllowedPattern, ConstraintDescription)"
    ]
    sync_edge_function(copy)
    assert copy.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    pattern = load_template(copy)["Parameters"]["TranslationProvider"]["AllowedPattern"]
    for name in PROVIDERS:
        assert re.fullmatch(pattern, f"{name},apertium" if name != "apertium" else name)


def test_site_language_choices_are_every_order_of_every_set() -> None:
    assert site_language_choices(["es", "en"]) == ["es", "en", "es,en", "en,es"]
    assert len(site_language_choices(["es", "en", "ca", "fr"])) == 4 + 12 + 24 + 24


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
    # What the pages use: their own stylesheet and lang.js, nothing inline, no framing.
    for directive in ("script-src 'self'", "style-src 'self'", "img-src 'self'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "includeSubDomains" in headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    "value",
    [
        "google",
        "apertium",
        "aws",
        "google,apertium",
        "aws,google,apertium",
        "deepl,microsoft,libre,mymemory",
    ],
)
def test_translation_provider_accepts_chains(template: dict[str, Any], value: str) -> None:
    assert re.fullmatch(template["Parameters"]["TranslationProvider"]["AllowedPattern"], value)


@pytest.mark.parametrize("value", ["", "google,", "bing", "google apertium", ",aws"])
def test_translation_provider_rejects_others(template: dict[str, Any], value: str) -> None:
    assert not re.fullmatch(template["Parameters"]["TranslationProvider"]["AllowedPattern"], value)


def test_sync_rewrites_a_stale_copy(tmp_path: Path) -> None:
    (tmp_path / "infra" / "cloudfront").mkdir(parents=True)
    copy = tmp_path / "template.yaml"
    stale = with_function_code(
        TEMPLATE.read_text(encoding="utf-8"), "ViewerRequestFunction", "var OLD = 1;\n"
    )
    copy.write_text(stale, encoding="utf-8")
    source = tmp_path / "infra" / "cloudfront" / "viewer-request.js"
    source.write_text(EDGE_FUNCTION.read_text(encoding="utf-8"), encoding="utf-8")

    assert sync_edge_function(copy, check=True) == ["ViewerRequestFunction FunctionCode"]
    assert copy.read_text(encoding="utf-8") == stale
    assert sync_edge_function(copy) == ["ViewerRequestFunction FunctionCode"]
    assert copy.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert sync_edge_function(copy) == []


def test_sync_rewrites_a_stale_language_list(tmp_path: Path) -> None:
    (tmp_path / "infra" / "cloudfront").mkdir(parents=True)
    copy = tmp_path / "template.yaml"
    stale = with_parameter_values(
        TEMPLATE.read_text(encoding="utf-8"),
        "SiteLanguages",
        {"Default": "es,en", "AllowedValues": ["es,en"]},
    )
    copy.write_text(stale, encoding="utf-8")
    source = tmp_path / "infra" / "cloudfront" / "viewer-request.js"
    code = EDGE_FUNCTION.read_text(encoding="utf-8")
    source.write_text(code.replace("'es,en'.split", "'en'.split"), encoding="utf-8")
    script = [sys.executable, str(ROOT / "scripts" / "sync-edge-function"), "--template", str(copy)]

    checked = subprocess.run([*script, "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 1
    assert "LANGUAGES line" in checked.stderr
    assert "parameter SiteLanguages" in checked.stderr
    assert copy.read_text(encoding="utf-8") == stale
    subprocess.run(script, capture_output=True, check=True)
    assert copy.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert source.read_text(encoding="utf-8") == code
    assert subprocess.run([*script, "--check"], check=False).returncode == 0


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


# ------------------------------------------------------------------ least privilege
# What each function may do is checked where it matters: on every AWS call, in
# `polypub dev` and every integration test (local/iam.py, tests/integration/test_iam.py).
# These tests ask the same evaluator the questions a deploy's safety rests on.

SOURCE = "arn:aws:s3:::polypub-source"
SITE = "arn:aws:s3:::polypub-site"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/polypub-catalog"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:polypub/keys-AbCdEf"
policies = deployed_policies


def allowed(policy: FunctionPolicy, action: str, resource: str) -> bool:
    return policy.allowing(action, resource) is not None


@pytest.mark.parametrize("function", ["RenderFunction", "TranslateFunction"])
def test_both_functions_may_forget_the_pending_entries_they_listed(function: str) -> None:
    # finish() runs in both and ends with remove_pending_entries() -> DeleteItem.
    assert allowed(policies()[function], "dynamodb:DeleteItem", TABLE)


@pytest.mark.parametrize("function", ["RenderFunction", "TranslateFunction"])
@pytest.mark.parametrize(
    "action", ["dynamodb:Scan", "dynamodb:DescribeTable", "dynamodb:DeleteTable", "dynamodb:*"]
)
def test_no_function_may_scan_or_administer_the_table(function: str, action: str) -> None:
    assert not allowed(policies()[function], action, TABLE)


def test_the_teachers_bucket_is_written_only_for_reports() -> None:
    render, translate = (policies()[f] for f in ("RenderFunction", "TranslateFunction"))
    for action in ("s3:PutObject", "s3:DeleteObject"):
        for policy in (render, translate):
            assert not allowed(policy, action, f"{SOURCE}/posts/mi-viaje.md")
            assert not allowed(policy, action, f"{SOURCE}/config/site.yml")
        assert allowed(render, action, f"{SOURCE}/posts/mi-viaje.md.error.txt")
        assert not allowed(translate, action, f"{SOURCE}/posts/mi-viaje.md.error.txt")
        assert allowed(render, action, f"{SITE}/es/posts/mi-viaje/index.html")
        assert allowed(translate, action, f"{SITE}/en/posts/mi-viaje/index.html")


def test_only_the_render_function_queues_site_jobs_and_only_on_its_own_queue() -> None:
    render, translate = (policies()[f] for f in ("RenderFunction", "TranslateFunction"))
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:polypub-render-queue"
    assert allowed(render, "sqs:SendMessage", queue)
    assert not allowed(translate, "sqs:SendMessage", queue)
    assert not allowed(render, "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:another")


def test_only_the_render_function_queues_translations_and_sends_reports() -> None:
    render, translate = (policies()[f] for f in ("RenderFunction", "TranslateFunction"))
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:polypub-translate-queue"
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:polypub-report-topic"
    assert allowed(render, "sqs:SendMessage", queue)
    assert not allowed(translate, "sqs:SendMessage", queue)
    assert allowed(render, "sns:Publish", topic)
    assert not allowed(translate, "sns:Publish", topic)
    assert not allowed(render, "sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:another-topic")


@pytest.mark.parametrize(
    ("provider", "may_translate"),
    [("google", False), ("apertium", False), ("aws", True), ("google,aws", True)],
)
def test_only_translate_function_may_call_amazon_translate_and_only_when_chosen(
    provider: str, may_translate: bool
) -> None:
    granted = policies(TranslationProvider=provider)
    assert allowed(granted["TranslateFunction"], "translate:TranslateText", "*") is may_translate
    assert not allowed(granted["RenderFunction"], "translate:TranslateText", "*")


def test_the_api_keys_secret_is_readable_by_the_translate_function_only_when_named() -> None:
    assert not allowed(policies()["TranslateFunction"], "secretsmanager:GetSecretValue", SECRET)
    granted = policies(TranslatorApiKeysSecretArn=SECRET)
    assert allowed(granted["TranslateFunction"], "secretsmanager:GetSecretValue", SECRET)
    assert not allowed(granted["RenderFunction"], "secretsmanager:GetSecretValue", SECRET)
    other = SECRET.replace("keys", "other")
    assert not allowed(granted["TranslateFunction"], "secretsmanager:GetSecretValue", other)


def test_functions_use_no_broad_policy_templates(template: dict[str, Any]) -> None:
    for function in ("RenderFunction", "TranslateFunction"):
        for policy in props(template, function)["Policies"]:
            if isinstance(policy, dict):
                # Inline statements or a condition around them; never SAM's *CrudPolicy
                # or *ReadPolicy templates, which grant Scan, DescribeTable and more.
                assert set(policy) <= {"Statement", "Fn::If"}, policy


@pytest.mark.parametrize("function", ["RenderFunction", "TranslateFunction"])
def test_functions_log_to_groups_with_retention(template: dict[str, Any], function: str) -> None:
    group = props(template, function)["LoggingConfig"]["LogGroup"]["Ref"]
    resource = template["Resources"][group]
    assert resource["Type"] == "AWS::Logs::LogGroup"
    assert resource["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30


@pytest.mark.parametrize("dlq", ["RenderDLQ", "TranslateDLQ"])
def test_every_dead_letter_queue_has_an_alarm_on_its_depth(
    template: dict[str, Any], dlq: str
) -> None:
    alarms = [
        a["Properties"]
        for a in resources_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}]
    ]
    assert len(alarms) == 1
    (alarm,) = alarms
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_reports_go_to_an_encrypted_topic_with_an_optional_subscription(
    template: dict[str, Any],
) -> None:
    assert props(template, "ReportTopic")["KmsMasterKeyId"] == "alias/aws/sns"
    environment = props(template, "RenderFunction")["Environment"]["Variables"]
    assert environment["POLYPUB_REPORT_TOPIC_ARN"] == {"Ref": "ReportTopic"}
    for subscription, parameter, topic in (
        ("ReportSubscription", "ReportEmail", "ReportTopic"),
        ("AlarmSubscription", "AlarmEmail", "AlarmTopic"),
    ):
        resource = template["Resources"][subscription]
        assert resource["Condition"] == f"Has{parameter}"
        assert resource["Properties"]["Protocol"] == "email"
        assert resource["Properties"]["Endpoint"] == {"Ref": parameter}
        assert resource["Properties"]["TopicArn"] == {"Ref": topic}
        pattern = template["Parameters"][parameter]["AllowedPattern"]
        assert re.fullmatch(pattern, "")
        assert re.fullmatch(pattern, "it@school.example")
        assert not re.fullmatch(pattern, "not an address")


def test_topics_refuse_plain_http_and_only_alarms_of_this_account_publish(
    template: dict[str, Any],
) -> None:
    statements = props(template, "NotificationTopicPolicy")["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Resource"] == {"Ref": "AlarmTopic"}
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


@pytest.mark.parametrize("bucket", ["SourceBucket", "SiteBucket"])
def test_lifecycle_never_expires_current_objects(template: dict[str, Any], bucket: str) -> None:
    # Expiring a current object sends no ObjectRemoved event: its pages would stay up.
    for rule in props(template, bucket)["LifecycleConfiguration"]["Rules"]:
        assert "ExpirationInDays" not in rule
        assert "ExpirationDate" not in rule
        assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 7
        assert rule["ExpiredObjectDeleteMarker"] is True


@pytest.mark.parametrize("bucket", ["SourceBucket", "SiteBucket"])
def test_buckets_enforce_the_owner_and_allow_no_acls(template: dict[str, Any], bucket: str) -> None:
    assert props(template, bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }


def test_no_policy_anywhere_grants_a_public_principal(template: dict[str, Any]) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("Effect") == "Allow" and "Principal" in node:
                assert node["Principal"] not in ("*", {"AWS": "*"}), node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template["Resources"])


def test_the_origin_access_control_always_signs(template: dict[str, Any]) -> None:
    config = props(template, "SiteOriginAccessControl")["OriginAccessControlConfig"]
    assert config["OriginAccessControlOriginType"] == "s3"
    assert config["SigningBehavior"] == "always"
    assert config["SigningProtocol"] == "sigv4"


def test_queues_and_table_are_encrypted_at_rest(template: dict[str, Any]) -> None:
    for queue in resources_of(template, "AWS::SQS::Queue").values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert props(template, "CatalogTable")["SSESpecification"] == {"SSEEnabled": True}


@pytest.mark.parametrize(
    ("function", "group"),
    [("RenderFunction", "RenderFunctionLogs"), ("TranslateFunction", "TranslateFunctionLogs")],
)
def test_failed_records_are_counted_from_what_run_batch_logs_and_alarm(
    template: dict[str, Any], function: str, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json
    import logging

    from aws_lambda_powertools import Logger

    from polypub.handlers import batch

    (metric_filter,) = [
        f["Properties"]
        for f in resources_of(template, "AWS::Logs::MetricFilter").values()
        if f["Properties"]["LogGroupName"] == {"Ref": group}
    ]
    counted = set(re.findall(r'\$\.message = "([^"]+)"', metric_filter["FilterPattern"]))
    # What the handlers really log when a record fails, and when a whole batch does.
    stream = io.StringIO()
    # Powertools keeps one logger per service name: a fresh name, so this stream gets it.
    logger = Logger(service=f"alarm-{function}", logger_handler=logging.StreamHandler(stream))
    event = {"Records": [{"messageId": "m", "body": "x"}]}

    def fail(*_: Any) -> Any:
        raise RuntimeError("down")

    class Deps:
        def forget(self) -> None:
            pass

    monkeypatch.setattr(batch, "finish", lambda outcomes, deps: None)
    batch.run_batch(event, fail, Deps(), logger)  # type: ignore[arg-type]
    monkeypatch.setattr(batch, "finish", fail)
    batch.run_batch(event, lambda record: [], Deps(), logger)  # type: ignore[arg-type]
    logged = {
        json.loads(line)["message"]
        for line in stream.getvalue().splitlines()
        if json.loads(line)["level"] == "ERROR"
    }
    assert len(logged) == 2
    assert logged == counted
    (transformation,) = metric_filter["MetricTransformations"]
    (alarm,) = [
        a["Properties"]
        for a in resources_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == transformation["MetricName"]
    ]
    assert alarm["Namespace"] == transformation["MetricNamespace"]
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 0)
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert alarm["TreatMissingData"] == "notBreaching"
    assert function in alarm["AlarmDescription"]


@pytest.mark.parametrize("queue", ["RenderQueue", "TranslateQueue"])
def test_each_work_queue_alarms_when_its_oldest_message_ages(
    template: dict[str, Any], queue: str
) -> None:
    (alarm,) = [
        a["Properties"]
        for a in resources_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "ApproximateAgeOfOldestMessage"
        and a["Properties"]["Dimensions"]
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    ]
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    visibility = props(template, queue)["VisibilityTimeout"]
    receives = props(template, queue)["RedrivePolicy"]["maxReceiveCount"]
    # Later than a normal wait, well before a stuck message would be dead-lettered.
    assert 0 < alarm["Threshold"] < visibility * receives


def test_the_functions_know_the_queues_last_delivery() -> None:
    """A file is reported as internal-error on the delivery after which it is dead-lettered."""
    stack = describe(TEMPLATE)
    counts = {q.max_receive_count for q in stack.queues if q.max_receive_count is not None}
    assert counts, "the work queues have redrive policies"
    assert {str(count) for count in counts} == {str(stack.environment["POLYPUB_MAX_RECEIVES"])}
