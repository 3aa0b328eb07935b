"""`polypub dev`: embedded AWS from template.yaml, real handlers on real queue messages, preview."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from polypub.handlers import render, runtime, translate
from polypub.local.aws import EmbeddedAws, MotoServer, start_embedded_aws
from polypub.local.devinfo import info_paths, remove_info, write_info
from polypub.local.iam import Denial, PolicyGuard, local_policies
from polypub.local.preview import PreviewServer, bucket_reader
from polypub.local.pump import InvocationLog, PumpResult, PumpWorkers, QueuePump, drain
from polypub.local.template import LANGUAGES_PARAMETER, describe
from polypub.local.watch import ContentWatcher, sync_folder
from polypub.model import PostEntry, SourceStatus
from polypub.settings import Settings
from polypub.site import urls
from polypub.wiring import cloud_services

# What the CLI may override on top of the template's defaults and the environment.
OVERRIDABLE = ("translators", "languages", "site_name")
# Translator settings and keys passed from the developer's environment to the handlers.
TRANSLATOR_VARIABLES = (
    "POLYPUB_GOOGLE_BASE_URL",
    "POLYPUB_LIBRETRANSLATE_URL",
    "POLYPUB_LIBRETRANSLATE_API_KEY",
    "POLYPUB_DEEPL_API_KEY",
    "POLYPUB_DEEPL_BASE_URL",
    "POLYPUB_MICROSOFT_API_KEY",
    "POLYPUB_MICROSOFT_BASE_URL",
    "POLYPUB_MICROSOFT_REGION",
    "POLYPUB_MYMEMORY_BASE_URL",
    "POLYPUB_MYMEMORY_EMAIL",
    "POLYPUB_CATALAN_VARIANT",
    "POLYPUB_AWS_FORMALITY",
    "POLYPUB_AWS_PROFANITY",
    "POLYPUB_REQUEST_TIMEOUT",
)
# A file that gets one JSON line per handler invocation (local/pump.py, InvocationLog).
INVOCATION_LOG_VARIABLE = "POLYPUB_INVOCATION_LOG"


@dataclass(frozen=True)
class DevOptions:
    content_dir: Path
    aws_port: int = 5000
    port: int = 8000
    once: bool = False
    watch: bool = True
    info_file: Path | None = None
    template: Path = Path("template.yaml")
    site_url: str | None = None  # canonical base URL; default: the preview server's own
    # Seconds before a failed message is delivered again (None: the queue's visibility
    # timeout, minutes, as in the cloud); tests set 0 to see retries and the DLQ at once.
    retry_after: int | None = None
    # Pollers per drain, like concurrent Lambda containers (1: one message batch at a time).
    workers: int = 1
    # A running moto to hold this stack's resources instead of starting one (aws_port is
    # then ignored); it outlives the session. The test suite lends one to every stack.
    aws_server: MotoServer | None = None
    # Where `polypub status` will look for this session (None: local/devinfo.info_paths()).
    dev_info_paths: list[Path] | None = None


class DevSession:
    """One local stack: start() it, upload(), drain() or serve(), then stop()."""

    def __init__(
        self,
        options: DevOptions,
        overrides: dict[str, Any] | None = None,
        *,
        out: TextIO | None = None,
    ) -> None:
        self.options = options
        self._overrides = overrides or {}
        self._out = out or sys.stdout
        self.aws: EmbeddedAws | None = None
        self.preview: PreviewServer | None = None
        self.settings: Settings | None = None
        self.guard: PolicyGuard | None = None
        self._pumps: list[QueuePump] = []
        self._seen: dict[str, tuple[str, str | None]] = {}
        self._versions: dict[str, tuple[str, ...]] = {}
        self._stop = threading.Event()
        self._workers: PumpWorkers | None = None
        # Set once serve() is watching and pumping, so callers can act knowing nothing is missed.
        self.ready = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DevSession:
        options = self.options
        self.aws = aws = start_embedded_aws(
            options.aws_port, template=options.template, server=options.aws_server
        )
        try:
            # The edge function routes the languages the site has, as a stack deployed
            # with the same SiteLanguages would.
            chosen = Settings.from_env(
                {"POLYPUB_LANGUAGES": os.environ.get("POLYPUB_LANGUAGES", "")}
            )
            parameters = {LANGUAGES_PARAMETER: ",".join(chosen.languages)}
            self.preview = PreviewServer.from_template(
                bucket_reader(aws.client("s3"), aws.site_bucket),
                options.template,
                port=options.port,
                parameters=parameters,
            ).start()
            env = aws.env(site_url=self.preview.url)
            # Locally the offline provider is the default; the environment or a flag may
            # choose another, as the SAM parameter does in the cloud.
            env["POLYPUB_TRANSLATOR"] = os.environ.get("POLYPUB_TRANSLATOR", "apertium")
            for name in ("POLYPUB_LANGUAGES", "POLYPUB_SITE_NAME", *TRANSLATOR_VARIABLES):
                if os.environ.get(name):
                    env[name] = os.environ[name]
            env.setdefault(
                "POWERTOOLS_LOG_LEVEL", os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING")
            )
            # The cost metric's EMF documents are for CloudWatch; on a console they are
            # noise. POWERTOOLS_METRICS_DISABLED=false shows them (the tests do).
            env.setdefault(
                "POWERTOOLS_METRICS_DISABLED", os.environ.get("POWERTOOLS_METRICS_DISABLED", "true")
            )
            # The handlers run in this process exactly as in Lambda: they read their
            # configuration and credentials from the environment.
            os.environ.update(env)
            # Powertools reads the level when the module is imported, before this runs.
            for module in (render, translate):
                module.logger.setLevel(env["POWERTOOLS_LOG_LEVEL"])
            overrides = {k: v for k, v in self._overrides.items() if k in OVERRIDABLE}
            if options.site_url:
                overrides["site_url"] = options.site_url.rstrip("/")
            self.settings = settings = Settings.from_env(env, **overrides)
            # The template's parameters as a deploy would set them for this configuration:
            # they decide, through its conditions, what the functions' policies grant.
            parameters = {"TranslationProvider": ",".join(settings.translators)}
            if settings.translator_secret:
                parameters["TranslatorApiKeysSecretArn"] = settings.translator_secret
            stack = describe(options.template, parameters=parameters)
            self.guard = guard = PolicyGuard(
                local_policies(
                    options.template,
                    physical=aws.resources,
                    region=aws.region,
                    account=aws.account_id,
                    parameters=stack.parameters,
                ),
                region=aws.region,
                account=aws.account_id,
                site_bucket=aws.site_bucket,
                on_denied=self._denied,
            )
            # Every client the handlers use is checked against the invoked function's policy.
            runtime.install(cloud_services(settings, client_hook=guard.attach))
            log_path = os.environ.get(INVOCATION_LOG_VARIABLE)
            invocation_log = InvocationLog(Path(log_path)) if log_path else None
            sqs = aws.client("sqs")
            timeouts = {function.logical_id: function.timeout for function in stack.functions}
            self._pumps = [
                QueuePump(
                    sqs,
                    url,
                    handler,
                    function_name=function,
                    region=aws.region,
                    retry_after=options.retry_after,
                    timeout_seconds=timeouts[function],
                    invocation_log=invocation_log,
                )
                for url, handler, function in (
                    (aws.render_queue_url, render.handler, "RenderFunction"),
                    (aws.translate_queue_url, translate.handler, "TranslateFunction"),
                )
            ]
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._stop.set()
        # The pumps finish their batches before the stack they write to goes away.
        if self._workers is not None:
            self._workers.stop()
        runtime.install(None)
        if self.preview is not None:
            self.preview.stop()
            self.preview = None
        if self.aws is not None:
            self.aws.stop()
            self.aws = None

    def __enter__(self) -> DevSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ work

    @property
    def info(self) -> dict[str, Any]:
        aws, preview = self._require()
        return {
            "endpoint_url": aws.endpoint_url,
            "region": aws.region,
            "source_bucket": aws.source_bucket,
            "site_bucket": aws.site_bucket,
            "catalog_table": aws.catalog_table,
            "render_queue_url": aws.render_queue_url,
            "render_dlq_url": aws.render_dlq_url,
            "translate_queue_url": aws.translate_queue_url,
            "translate_dlq_url": aws.translate_dlq_url,
            "distribution_id": aws.distribution_id,
            "site_url": preview.url + "/",
        }

    def _require(self) -> tuple[EmbeddedAws, PreviewServer]:
        if self.aws is None or self.preview is None:
            raise RuntimeError("DevSession is not started")
        return self.aws, self.preview

    def upload_content(self) -> int:
        aws, _ = self._require()
        return sync_folder(aws.client("s3"), aws.source_bucket, self.options.content_dir)

    def drain(self) -> PumpResult:
        """Process queued messages until both queues stay empty."""
        result = drain(self._pumps, workers=self.options.workers)
        self.report_changes()
        return result

    def wait_idle(self, timeout: float | None = None) -> bool:
        """While serve() runs: wait until no handler is running (False on timeout)."""
        workers = self._workers
        return workers is None or workers.wait_idle(timeout)

    def serve(self) -> None:
        """Pump the queues and watch the folder until interrupted."""
        aws, _ = self._require()
        watcher = None
        if self.options.watch:
            watcher = ContentWatcher(
                self.options.content_dir,
                aws.client("s3"),
                aws.source_bucket,
                on_sync=lambda action, key: self._say(f"  {action} {key}"),
            )
            watcher.start()
        changed = threading.Event()
        self._workers = workers = PumpWorkers(
            self._pumps,
            on_batch=lambda pump, result: changed.set(),
            on_error=lambda pump, exc: self._say(
                f"  queue poll failed: {type(exc).__name__}: {exc}"
            ),
        )
        workers.start()
        self.ready.set()
        try:
            # Each queue has its own thread; this one only prints what they did.
            while not self._stop.is_set():
                if changed.wait(0.2):
                    # Read the catalog once the handlers are done, not in their way.
                    workers.wait_idle(1.0)
                    changed.clear()
                    self.report_changes()
        finally:
            workers.stop()
            if watcher is not None:
                watcher.stop()

    # ------------------------------------------------------------------ output

    def _say(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    def _denied(self, denial: Denial) -> None:
        self._say(f"  ACCESS DENIED: {denial} (template.yaml does not grant it)")

    def report_changes(self) -> None:
        """Print what the handlers did since the last call, from the catalog."""
        services = runtime.services()
        for status in sorted(services.catalog.list_statuses(), key=lambda s: s.key):
            seen = (status.state, status.updated)
            if self._seen.get(status.key) == seen:
                continue
            self._seen[status.key] = seen
            self._say(_status_line(status))
        for entry in services.catalog.list_posts():
            versions = tuple(sorted(entry.versions))
            if self._versions.get(entry.slug) != versions:
                self._versions[entry.slug] = versions
                self._say(_entry_line(entry, self.info["site_url"]))

    def banner(self) -> str:
        info = self.info
        return "\n".join(
            [
                "Polyglot Press is running on embedded AWS (moto).",
                f"  Site:            {info['site_url']}",
                f"  S3 endpoint:     {info['endpoint_url']}  (region {info['region']}, "
                "any access key)",
                f"  Source bucket:   {info['source_bucket']}",
                f"  Site bucket:     {info['site_bucket']}",
                f"  Render queue:    {info['render_queue_url']}",
                f"  Translate queue: {info['translate_queue_url']}",
                "  Upload a post:   AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
                f"aws --endpoint-url {info['endpoint_url']} s3 cp post.md "
                f"s3://{info['source_bucket']}/posts/",
                f"  What happened:   {_own_command()} status   (another terminal, this folder)",
            ]
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _own_command() -> str:
    """How this `polypub` was started (".venv/bin/polypub" under `make demo`)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name != "polypub":
        return "polypub"
    relative = os.path.relpath(argv0)
    return relative if not relative.startswith("..") else argv0


def _status_line(status: SourceStatus) -> str:
    if status.state == "failed":
        return f"  FAILED {status.key}: [{status.error_code}] {status.message}"
    detail = f" ({status.message})" if status.message else ""
    return f"  {status.state} {status.key}{detail}"


def _entry_line(entry: PostEntry, site_url: str) -> str:
    langs = ", ".join(
        f"{lang} ({version.kind})" for lang, version in sorted(entry.versions.items())
    )
    page = site_url.rstrip("/") + urls.post_url(entry.source_lang, entry.slug)
    return f"  {entry.slug}: {langs} -> {page}"


def run_dev(options: DevOptions, settings: Settings) -> int:
    """The CLI's `dev` command."""
    overrides = {name: getattr(settings, name) for name in OVERRIDABLE}
    session = DevSession(options, overrides)
    try:
        session.start()
    except Exception as exc:
        print(f"polypub dev: could not start: {exc}", file=sys.stderr)
        return 2
    # Where `polypub status` finds this session without being told (removed at exit).
    found_at = write_info(session.info, options.dev_info_paths or info_paths())
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops as cleanly as Ctrl-C: the info file goes too.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        if options.info_file is not None:
            options.info_file.write_text(json.dumps(session.info, indent=2), encoding="utf-8")
        print(session.banner(), flush=True)
        started = time.perf_counter()
        count = session.upload_content()
        result = session.drain()
        print(
            f"Uploaded {count} files from {options.content_dir} and processed "
            f"{result.received} messages in {time.perf_counter() - started:.1f} s"
            + (f" ({result.failed} failed, will be retried)" if result.failed else "")
            + ".",
            flush=True,
        )
        if options.once:
            failed = any(s.state == "failed" for s in runtime.services().catalog.list_statuses())
            return 1 if failed or result.failed else 0
        print(
            f"Open {session.info['site_url']} . "
            + ("Watching " + str(options.content_dir) + " for changes. " if options.watch else "")
            + "Press Ctrl-C to stop.",
            flush=True,
        )
        session.serve()
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        remove_info(found_at)
        session.stop()
    return 0
