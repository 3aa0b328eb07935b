"""The functions' IAM policies as a deploy of template.yaml would grant them, without moto.

Every bucket, table and queue the template declares gets its local physical name (the
names `polypub dev` creates), so a policy that names a resource added later resolves
without each test keeping its own list of resources.
"""

from __future__ import annotations

from pathlib import Path

from polypub.local.iam import FunctionPolicy, local_policies
from polypub.local.template import describe

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
DISTRIBUTION_ID = "E2EXAMPLE"


def deployed_policies(**parameters: str) -> dict[str, FunctionPolicy]:
    """Each function's policy, with these template parameters over the defaults."""
    stack = describe(TEMPLATE, parameters=parameters)
    physical = {spec.logical_id: spec.name for spec in (*stack.buckets, *stack.tables)}
    queues = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}"
    physical.update({q.logical_id: f"{queues}/{q.name}" for q in stack.queues})
    physical["Distribution"] = DISTRIBUTION_ID
    return local_policies(
        TEMPLATE,
        physical=physical,
        region=REGION,
        account=ACCOUNT,
        parameters=stack.parameters,
    )
