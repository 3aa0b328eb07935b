"""Item 6, the child side: run one handler on one SQS event file; print its peak RSS as JSON.

    python -m bench.handler_rss render|translate EVENT.json

The environment names the embedded AWS (moto's server, started by bench/run.py) exactly
as Lambda's environment names the real resources, so this process holds what a Lambda
container holds: the handler module, boto3 clients and one batch of work.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import uuid
from pathlib import Path


def _peak_kb() -> int:
    """This process's peak RSS in KB: VmHWM, the high-water mark of its own memory map.

    ru_maxrss is not used for the figure: Linux carries the parent's peak into a child
    across fork and exec (signal->maxrss), so a child started by a big process reports
    at least the parent's size. VmHWM belongs to the exec'd image alone.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: best effort


def main(argv: list[str]) -> int:
    name, event_file = argv
    event = json.loads(Path(event_file).read_text("utf-8"))
    started = time.perf_counter()
    module = importlib.import_module(f"polypub.handlers.{name}")
    imported = time.perf_counter() - started
    after_import = _peak_kb()
    from polypub.local.pump import LocalContext

    function = {"render": "RenderFunction", "translate": "TranslateFunction"}[name]
    context = LocalContext(
        function_name=function,
        memory_limit_in_mb=128,
        timeout_seconds=900,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
    )
    started = time.perf_counter()
    response = module.handler(event, context)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "handler": name,
                "peak_rss_mb": round(_peak_kb() / 1024, 1),
                "rss_after_import_mb": round(after_import / 1024, 1),
                "import_seconds": round(imported, 3),
                "handler_seconds": round(seconds, 3),
                # Both include this process's size when it forked (see _peak_kb).
                "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "children_ru_maxrss_mb": round(children.ru_maxrss / 1024, 1),
                "failures": len(response.get("batchItemFailures", [])),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
