"""Read template.yaml into a pure description of the resources to create locally."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from polypub import languages as language_table


class TemplateError(ValueError):
    """template.yaml does not say something the local stack needs, or says it wrongly."""


# The parameter that names the site languages (the first is the default); the Lambda
# functions read it as POLYPUB_LANGUAGES, the edge function's inline copy through !Sub.
LANGUAGES_PARAMETER = "SiteLanguages"
# The parameter that names the translation providers (POLYPUB_TRANSLATOR).
PROVIDER_PARAMETER = "TranslationProvider"


# ------------------------------------------------------------------ YAML loading


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that also understands CloudFormation's short tags (!Ref, !Sub, ...)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    # The short form `!X v` is sugar for the long form `{"Fn::X": v}`; keeping the
    # long form means the rest of this module reads one shape only.
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - PyYAML has no other node kinds
        raise TemplateError(f"cannot read !{suffix} on {node!r}")
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def parse_template(text: str, *, source: str = "template") -> dict[str, Any]:
    """Template text as plain data, short tags turned into their long form."""
    try:
        data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise TemplateError(f"cannot parse {source}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{source} has no Resources")
    return data


def load_template(path: Path) -> dict[str, Any]:
    """The template file as plain data (see parse_template)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc}") from exc
    return parse_template(text, source=str(path))


# ------------------------------------------------------------------ description


@dataclass(frozen=True)
class Ref:
    """A reference to another resource of the description, by logical id."""

    logical_id: str


# What an environment variable resolves to locally: a literal, a resource (whose local
# name or URL only the creator knows), or None when only the cloud knows it
# (e.g. the distribution's domain name).
EnvValue = str | Ref | None


@dataclass(frozen=True)
class BucketNotification:
    """One S3 event type on a key filter, delivered to a queue."""

    queue: str
    event: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class BucketSpec:
    logical_id: str
    name: str
    versioned: bool
    notifications: tuple[BucketNotification, ...] = ()


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    name: str
    # SQS attribute names and values, as CreateQueue takes them (RedrivePolicy apart).
    attributes: Mapping[str, str] = field(default_factory=dict)
    dead_letter_queue: str | None = None
    max_receive_count: int | None = None


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    attribute_type: str  # S, N or B
    key_type: str  # HASH or RANGE


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    name: str
    key_schema: tuple[KeyAttribute, ...]
    billing_mode: str = "PAY_PER_REQUEST"


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str
    timeout: int
    memory_size: int
    queue: str | None
    batch_size: int
    reports_batch_item_failures: bool
    environment: Mapping[str, EnvValue] = field(default_factory=dict)


@dataclass(frozen=True)
class EdgeFunctionSpec:
    logical_id: str
    runtime: str
    code: str
    source_file: Path | None  # the file FunctionCode is a copy of, when Metadata names one


@dataclass(frozen=True)
class ErrorPage:
    path: str
    status: int


@dataclass(frozen=True)
class LocalStack:
    """What template.yaml declares, with local physical names."""

    template: Path
    parameters: Mapping[str, str]
    buckets: tuple[BucketSpec, ...]
    queues: tuple[QueueSpec, ...]
    tables: tuple[TableSpec, ...]
    functions: tuple[FunctionSpec, ...]
    edge_function: EdgeFunctionSpec | None
    security_headers: Mapping[str, str]
    error_pages: Mapping[int, ErrorPage]
    environment: Mapping[str, EnvValue]  # Globals: what every function reads
    topics: Mapping[str, str] = field(default_factory=dict)  # SNS topics: logical id -> name

    @property
    def languages(self) -> tuple[str, ...]:
        value = self.parameters.get(LANGUAGES_PARAMETER, "")
        return tuple(p.strip() for p in value.split(",") if p)

    def bucket(self, logical_id: str) -> BucketSpec:
        return _find(self.buckets, logical_id, "bucket")

    def queue(self, logical_id: str) -> QueueSpec:
        return _find(self.queues, logical_id, "queue")

    def table(self, logical_id: str) -> TableSpec:
        return _find(self.tables, logical_id, "table")

    def resource_for(self, variable: str) -> str:
        """The logical id of the resource a Globals variable refers to (e.g. POLYPUB_SITE_BUCKET).

        The functions' environment is what says which bucket is the source and which the
        site, so the local stack asks it instead of guessing from logical ids.
        """
        value = self.environment.get(variable)
        if not isinstance(value, Ref):
            raise TemplateError(f"Globals variable {variable} does not !Ref a resource")
        return value.logical_id


def _find[Spec: (BucketSpec, QueueSpec, TableSpec)](
    items: tuple[Spec, ...], logical_id: str, kind: str
) -> Spec:
    for item in items:
        if item.logical_id == logical_id:
            return item
    raise TemplateError(f"template.yaml declares no {kind} {logical_id}")


def local_name(prefix: str, logical_id: str) -> str:
    """SourceBucket -> polypub-source, RenderDLQ -> polypub-render-dlq.

    "-bucket" and "-table" are dropped so the names match Settings' defaults.
    """
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", logical_id).lower()
    kebab = re.sub(r"-(bucket|table)$", "", kebab)
    return f"{prefix}-{kebab}"


def describe(
    template: Path, *, prefix: str = "polypub", parameters: Mapping[str, str] | None = None
) -> LocalStack:
    """Everything `polypub dev` creates, read from `template` (parameters override defaults)."""
    template = template.resolve()
    data = load_template(template)
    resources: dict[str, Any] = data["Resources"]
    params = _parameters(data.get("Parameters") or {}, parameters or {})

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (logical, res.get("Properties") or {})
            for logical, res in resources.items()
            if isinstance(res, dict) and res.get("Type") == kind
        ]

    buckets = tuple(
        BucketSpec(
            logical_id=logical,
            name=local_name(prefix, logical),
            versioned=(props.get("VersioningConfiguration") or {}).get("Status") == "Enabled",
            notifications=_notifications(logical, props),
        )
        for logical, props in of_type("AWS::S3::Bucket")
    )
    queues = tuple(_queue(prefix, logical, props) for logical, props in of_type("AWS::SQS::Queue"))
    tables = tuple(
        _table(prefix, logical, props) for logical, props in of_type("AWS::DynamoDB::Table")
    )
    known = set(resources)
    globals_env = (
        ((data.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
    ).get("Variables") or {}
    environment = {name: _env_value(value, params, known) for name, value in globals_env.items()}
    functions = tuple(
        _function(logical, props, environment, params, known)
        for logical, props in of_type("AWS::Serverless::Function")
    )
    return LocalStack(
        template=template,
        parameters=params,
        buckets=buckets,
        queues=queues,
        tables=tables,
        functions=functions,
        edge_function=_edge_function(template, resources, params),
        security_headers=_security_headers(resources),
        error_pages=_error_pages(resources),
        environment=environment,
        topics={logical: local_name(prefix, logical) for logical, _ in of_type("AWS::SNS::Topic")},
    )


def _parameters(declared: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise TemplateError(f"template.yaml has no parameter {', '.join(unknown)}")
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            value = given[name]
        elif "Default" in spec:
            value = str(spec["Default"])
        else:
            raise TemplateError(f"parameter {name} has no default; pass a value")
        # Fail like CloudFormation would, rather than run locally what cannot deploy.
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(v) for v in allowed]:
            raise TemplateError(f"parameter {name}={value!r}: {spec.get('ConstraintDescription')}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise TemplateError(f"parameter {name}={value!r}: {spec.get('ConstraintDescription')}")
        values[name] = value
    return values


def _logical_of_arn(value: Any) -> str:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical, attribute = value["Fn::GetAtt"]
        if attribute == "Arn":
            return str(logical)
    raise TemplateError(f"expected !GetAtt <Resource>.Arn, found {value!r}")


def _notifications(bucket: str, props: Mapping[str, Any]) -> tuple[BucketNotification, ...]:
    config = props.get("NotificationConfiguration") or {}
    if config.get("LambdaConfigurations") or config.get("TopicConfigurations"):
        raise TemplateError(f"{bucket}: only queue notifications can be run locally")
    found = []
    for entry in config.get("QueueConfigurations") or []:
        rules = {
            rule["Name"].lower(): rule["Value"]
            for rule in ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
        }
        found.append(
            BucketNotification(
                queue=_logical_of_arn(entry["Queue"]),
                event=entry["Event"],
                prefix=rules.get("prefix", ""),
                suffix=rules.get("suffix", ""),
            )
        )
    return tuple(found)


# CloudFormation property -> SQS attribute, for the attributes that matter locally.
_QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "VisibilityTimeout",
    "MessageRetentionPeriod": "MessageRetentionPeriod",
    "DelaySeconds": "DelaySeconds",
    "MaximumMessageSize": "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled": "SqsManagedSseEnabled",
}


def _queue(prefix: str, logical: str, props: Mapping[str, Any]) -> QueueSpec:
    if props.get("FifoQueue"):
        raise TemplateError(f"{logical}: FIFO queues are not supported locally")
    attributes = {
        attribute: _attribute_text(props[prop])
        for prop, attribute in _QUEUE_ATTRIBUTES.items()
        if prop in props
    }
    redrive = props.get("RedrivePolicy")
    if redrive is None:
        return QueueSpec(logical, local_name(prefix, logical), attributes)
    return QueueSpec(
        logical,
        local_name(prefix, logical),
        attributes,
        dead_letter_queue=_logical_of_arn(redrive["deadLetterTargetArn"]),
        max_receive_count=int(redrive["maxReceiveCount"]),
    )


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    raise TemplateError(f"queue attribute {value!r} is not a literal")


def _table(prefix: str, logical: str, props: Mapping[str, Any]) -> TableSpec:
    types = {a["AttributeName"]: a["AttributeType"] for a in props.get("AttributeDefinitions", [])}
    try:
        keys = tuple(
            KeyAttribute(k["AttributeName"], types[k["AttributeName"]], k["KeyType"])
            for k in props["KeySchema"]
        )
    except KeyError as exc:
        raise TemplateError(f"{logical}: key schema names undefined attribute {exc}") from exc
    return TableSpec(
        logical, local_name(prefix, logical), keys, props.get("BillingMode", "PROVISIONED")
    )


def _env_value(value: Any, params: Mapping[str, str], known: set[str]) -> EnvValue:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict) and set(value) == {"Ref"}:
        target = str(value["Ref"])
        if target in params:
            return params[target]
        if target in known:
            return Ref(target)
    return None


def _function(
    logical: str,
    props: Mapping[str, Any],
    shared: Mapping[str, EnvValue],
    params: Mapping[str, str],
    known: set[str],
) -> FunctionSpec:
    queue: str | None = None
    batch_size = 10
    reports_failures = False
    for event in (props.get("Events") or {}).values():
        if event.get("Type") == "SQS":
            source = event.get("Properties") or {}
            queue = _logical_of_arn(source["Queue"])
            batch_size = int(source.get("BatchSize", 10))
            reports_failures = "ReportBatchItemFailures" in (
                source.get("FunctionResponseTypes") or []
            )
    own = ((props.get("Environment") or {}).get("Variables")) or {}
    environment = dict(shared) | {
        name: _env_value(value, params, known) for name, value in own.items()
    }
    return FunctionSpec(
        logical_id=logical,
        handler=str(props.get("Handler", "")),
        timeout=int(props.get("Timeout", 3)),
        memory_size=int(props.get("MemorySize", 128)),
        queue=queue,
        batch_size=batch_size,
        reports_batch_item_failures=reports_failures,
        environment=environment,
    )


def _edge_resource(resources: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for logical, res in resources.items():
        if isinstance(res, dict) and res.get("Type") == "AWS::CloudFront::Function":
            return logical, res
    return None


def _edge_function(
    template: Path, resources: Mapping[str, Any], params: Mapping[str, str]
) -> EdgeFunctionSpec | None:
    found = _edge_resource(resources)
    if found is None:
        return None
    logical, res = found
    props = res.get("Properties") or {}
    code = props.get("FunctionCode")
    if isinstance(code, dict) and isinstance(code.get("Fn::Sub"), str):
        code = resolve_sub(code["Fn::Sub"], params)
    if not isinstance(code, str):
        raise TemplateError(f"{logical}: FunctionCode must be inline text or !Sub of it")
    source = (res.get("Metadata") or {}).get("SourceFile")
    return EdgeFunctionSpec(
        logical_id=logical,
        runtime=str((props.get("FunctionConfig") or {}).get("Runtime", "")),
        code=code,
        source_file=template.parent / source if source else None,
    )


def _security_headers(resources: Mapping[str, Any]) -> dict[str, str]:
    """The HTTP headers CloudFront adds from the distribution's response headers policy."""
    policy_id = None
    for res in resources.values():
        if isinstance(res, dict) and res.get("Type") == "AWS::CloudFront::Distribution":
            behaviour = res["Properties"]["DistributionConfig"].get("DefaultCacheBehavior", {})
            policy_id = (behaviour.get("ResponseHeadersPolicyId") or {}).get("Ref")
    if policy_id is None:
        return {}
    config = resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config.get("SecurityHeadersConfig") or {}
    headers: dict[str, str] = {}
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        if hsts.get("IncludeSubdomains"):
            value += "; includeSubDomains"
        if hsts.get("Preload"):
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    if "XSSProtection" in security:
        xss = security["XSSProtection"]
        value = "1" if xss.get("Protection") else "0"
        if xss.get("ModeBlock"):
            value += "; mode=block"
        headers["X-XSS-Protection"] = value
    for item in ((config.get("CustomHeadersConfig") or {}).get("Items")) or []:
        headers[item["Header"]] = item["Value"]
    return headers


def _error_pages(resources: Mapping[str, Any]) -> dict[int, ErrorPage]:
    pages: dict[int, ErrorPage] = {}
    for res in resources.values():
        if isinstance(res, dict) and res.get("Type") == "AWS::CloudFront::Distribution":
            for entry in res["Properties"]["DistributionConfig"].get("CustomErrorResponses", []):
                if "ResponsePagePath" in entry:
                    pages[int(entry["ErrorCode"])] = ErrorPage(
                        entry["ResponsePagePath"],
                        int(entry.get("ResponseCode", entry["ErrorCode"])),
                    )
    return pages


# ------------------------------------------------------------------ edge function sync

# The one line of the edge function that names the site languages.
_LANGUAGES_LINE = re.compile(r"^var LANGUAGES = .*;$", re.MULTILINE)
_SUB_REFERENCE = re.compile(r"\$\{(!?)([^}]*)\}")


def resolve_sub(text: str, params: Mapping[str, str]) -> str:
    """`Fn::Sub` of parameters, as CloudFormation does it: `${Name}` -> value, `${!x}` -> `${x}`."""

    def value(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        name = match.group(2)
        if name not in params:
            raise TemplateError(f"!Sub names ${{{name}}}, which is no parameter")
        return params[name]

    return _SUB_REFERENCE.sub(value, text)


def _with_languages_line(code: str, line: str) -> str:
    if len(_LANGUAGES_LINE.findall(code)) != 1:
        raise TemplateError("the edge function must have exactly one `var LANGUAGES = ...;` line")
    return _LANGUAGES_LINE.sub(lambda _: line, code)


def edge_source(code: str, languages: Sequence[str]) -> str:
    """The edge function with its language list set to `languages` (the first is the default).

    A comma-separated string split at load, so that the template's copy can take the
    same list from the SiteLanguages parameter (edge_template_code).
    """
    if not languages or any(not re.fullmatch(r"[a-z]{2,3}", lang) for lang in languages):
        raise TemplateError(f"not a list of language codes: {list(languages)}")
    return _with_languages_line(code, f"var LANGUAGES = '{','.join(languages)}'.split(',');")


def edge_template_code(code: str) -> str:
    """template.yaml's `!Sub` copy of the edge function: its list is the parameter's value.

    CloudFront Functions cannot read parameters, but CloudFormation substitutes them
    into FunctionCode at deploy time, so a stack deployed with `es,en,ca` routes
    Catalan with no code change. AllowedValues keeps quotes out of the value.
    """
    escaped = code.replace("${", "${!")
    return _with_languages_line(
        escaped, f"var LANGUAGES = '${{{LANGUAGES_PARAMETER}}}'.split(',');"
    )


def site_language_choices(codes: Sequence[str]) -> list[str]:
    """Every value SiteLanguages may take: each order of each non-empty set of `codes`.

    Settings accepts any list of distinct known languages; the first is the default,
    so order matters (`es,en` and `en,es` are different sites).
    """
    return [
        ",".join(choice)
        for size in range(1, len(codes) + 1)
        for choice in itertools.permutations(codes, size)
    ]


def with_function_code(template_text: str, logical_id: str, code: str, *, sub: bool = False) -> str:
    """`template_text` with the FunctionCode block of `logical_id` replaced by `code`.

    Edits the text rather than dumping YAML so comments and layout survive. With `sub`,
    the block is a `!Sub` (CloudFormation substitutes `${Parameter}` in it).
    """
    lines = template_text.splitlines(keepends=True)
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if re.fullmatch(rf"  {re.escape(logical_id)}:\s*", line)
        ),
        None,
    )
    if start is None:
        raise TemplateError(f"template has no resource {logical_id}")
    key = None
    for i in range(start + 1, len(lines)):
        if re.match(r"  \S", lines[i]):  # the next resource
            break
        if re.fullmatch(r"\s+FunctionCode:\s*(!Sub\s+)?\|[-+]?\s*", lines[i]):
            key = i
            break
    if key is None:
        raise TemplateError(f"{logical_id} has no `FunctionCode: |` block")
    indent = len(lines[key]) - len(lines[key].lstrip())
    end = key + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    # Blank lines at the block's end belong to the layout, not to the code.
    while end > key + 1 and not lines[end - 1].strip():
        end -= 1
    if code.startswith((" ", "\n")):
        raise TemplateError("edge function code must not start with a blank or indented line")
    # Chomping indicator so the block's value ends exactly as the file does.
    stripped = code.rstrip("\n")
    newlines = len(code) - len(stripped)
    chomp = "-" if newlines == 0 else "" if newlines == 1 else "+"
    pad = " " * (indent + 2)
    body = [f"{pad}{line}\n" if line else "\n" for line in stripped.split("\n")]
    body += ["\n"] * max(newlines - 1, 0)
    tag = "!Sub " if sub else ""
    header = f"{' ' * indent}FunctionCode: {tag}|{chomp}\n"
    rest = lines[end:]
    if chomp == "+":
        # "Keep" would swallow the blank lines that separate the next resource.
        while rest and not rest[0].strip():
            rest.pop(0)
    return "".join([*lines[:key], header, *body, *rest])


def with_parameter_values(
    template_text: str, name: str, values: Mapping[str, str | Sequence[str]]
) -> str:
    """`template_text` with some fields of parameter `name` replaced (comments kept).

    A string is written as a one-line scalar (JSON-quoted when YAML would misread it
    plain), a list as a block sequence; each field must already be there.
    """
    lines = template_text.splitlines(keepends=True)
    try:
        params = lines.index("Parameters:\n")
        start = next(i for i in range(params + 1, len(lines)) if lines[i] == f"  {name}:\n")
    except (ValueError, StopIteration):
        raise TemplateError(f"template has no parameter {name}") from None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("   ")):
        end += 1
    block = lines[start + 1 : end]
    for key, value in values.items():
        at = next((i for i, line in enumerate(block) if line.startswith(f"    {key}:")), None)
        if at is None:
            raise TemplateError(f"parameter {name} has no {key} to replace")
        # The field's old value: its line and any deeper-indented lines under it.
        stop = at + 1
        while stop < len(block) and block[stop].startswith("      "):
            stop += 1
        if isinstance(value, str):
            plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9,._-]*", value)
            block[at:stop] = [f"    {key}: {value if plain else json.dumps(value)}\n"]
        else:
            block[at:stop] = [f"    {key}:\n", *(f"      - {item}\n" for item in value)]
    return "".join([*lines[: start + 1], *block, *lines[end:]])


def generated_parameters() -> dict[str, dict[str, str | list[str]]]:
    """The parameter fields made from the language table and the provider registry."""
    from polypub.translate.providers import PROVIDERS

    names = list(PROVIDERS)
    alternatives = "|".join(names)
    return {
        LANGUAGES_PARAMETER: {
            "Default": ",".join(language_table.DEFAULT_SITE_LANGUAGES),
            "AllowedValues": site_language_choices(language_table.known_languages()),
        },
        PROVIDER_PARAMETER: {
            "AllowedPattern": f"^({alternatives})(,({alternatives}))*$",
            "ConstraintDescription": (
                f"one of {', '.join(names)}, or a comma-separated chain of them "
                "such as deepl,google,apertium"
            ),
        },
    }


def sync_edge_function(template: Path, *, check: bool = False) -> list[str]:
    """Write what is generated from the language table; the names of what was stale.

    From `polypub.languages`: the edge function's language list (the default site
    languages), template.yaml's `!Sub` copy of the edge function, and the
    SiteLanguages parameter's Default and AllowedValues; from the provider registry,
    TranslationProvider's AllowedPattern and ConstraintDescription. With `check`, nothing is
    written (for CI and tests): a non-empty answer means run scripts/sync-edge-function.
    """
    data = load_template(template)
    found = _edge_resource(data["Resources"])
    source = ((found[1].get("Metadata") or {}).get("SourceFile")) if found else None
    if found is None or not source:
        raise TemplateError("no AWS::CloudFront::Function with Metadata SourceFile")
    source_file = template.parent / source
    stale: list[str] = []

    code = source_file.read_text(encoding="utf-8")
    wanted_code = edge_source(code, language_table.DEFAULT_SITE_LANGUAGES)
    if code != wanted_code:
        stale.append(f"{source} (its LANGUAGES line)")
        if not check:
            source_file.write_text(wanted_code, encoding="utf-8")

    text = template.read_text(encoding="utf-8")
    wanted_text = text
    embedded = edge_template_code(wanted_code)
    current = found[1].get("Properties", {}).get("FunctionCode")
    if current != {"Fn::Sub": embedded}:
        stale.append(f"{found[0]} FunctionCode")
        wanted_text = with_function_code(wanted_text, found[0], embedded, sub=True)
    declared = data.get("Parameters") or {}
    for name, fields in generated_parameters().items():
        spec = declared.get(name) or {}
        current_fields = {
            key: [str(v) for v in spec.get(key) or []]
            if isinstance(want, list)
            else str(spec.get(key))
            for key, want in fields.items()
        }
        if current_fields != fields:
            stale.append(f"parameter {name} ({', '.join(fields)})")
            wanted_text = with_parameter_values(wanted_text, name, fields)
    if check or wanted_text == text:
        return stale
    reread = parse_template(wanted_text, source=str(template))
    if reread["Resources"][found[0]]["Properties"]["FunctionCode"] != {"Fn::Sub": embedded}:
        raise TemplateError("could not embed the edge function exactly; check its whitespace")
    template.write_text(wanted_text, encoding="utf-8")
    return stale
