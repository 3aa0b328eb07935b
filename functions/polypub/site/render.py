"""Jinja2 rendering: autoescaped and strict; a theme's templates go first, sandboxed and bounded."""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import (
    ChoiceLoader,
    DictLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    nodes,
    select_autoescape,
)
from jinja2.loaders import BaseLoader
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

log = logging.getLogger(__name__)

# (template name, source) pairs of a theme, sorted; see polypub.site.config.ThemeTemplates.
Theme = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Limits:
    """What one render of a theme template may cost.

    A page of the packaged templates costs a few thousand operations and well under
    100 KB (tests/unit/test_theme_limits.py measures the largest listing); these leave
    a theme two orders of magnitude of room, and stop a hostile or mistaken one in
    about a second, long before a Lambda's time or memory runs out.
    """

    # Loop items, calls and attribute lookups.
    operations: int = 1_000_000
    # Characters of the page, and of any one value made on the way (a string, a list
    # about to be printed): memory is bounded by a small multiple of this.
    output: int = 4_000_000
    seconds: float = 2.0


LIMITS = Limits()


class ThemeTooExpensive(Exception):
    """A theme template went past its Limits; the page is made with the packaged one."""


class _Budget:
    """The cost of one render so far; checked on every counted step, without signals.

    SIGALRM would only work in the main thread, and a Lambda or a build worker renders
    where it may not be; counting in the sandbox holds everywhere.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.operations = 0
        self.deadline = time.monotonic() + limits.seconds

    def charge(self, count: int = 1) -> None:
        before = self.operations
        self.operations += count
        if self.operations > self.limits.operations:
            raise ThemeTooExpensive(
                f"it takes more than {self.limits.operations:,} steps (loops, calls, "
                "lookups) to make one page"
            )
        # The clock is read every 1,024 steps: cheap, and at most a few ms late.
        if before >> 10 != self.operations >> 10 and time.monotonic() > self.deadline:
            raise ThemeTooExpensive(
                f"it takes more than {self.limits.seconds:g} seconds to make one page"
            )

    def check_size(self, size: int, what: str = "a value") -> None:
        if size > self.limits.output:
            raise ThemeTooExpensive(
                f"it makes {what} of more than {self.limits.output:,} characters"
            )


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "polypub_theme_budget", default=None
)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    # Outside render_bounded (Jinja folding a constant while it compiles) each step is
    # judged alone: sizes are still checked, and nothing leaks into the next render.
    return _Budget(LIMITS) if budget is None else budget


# ------------------------------------------------------------------ sizes before they exist

_CONTAINERS = (list, tuple, dict, set, frozenset)
# A width or precision in a format ("%9999999s", "{:>9999999}") builds its padding at once.
_BIG_WIDTH = re.compile(r"\d{7,}")
# Methods and filters whose integer argument is the size of what they make.
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})


def _printed_size(value: Any, budget: _Budget) -> int:
    """About how many characters ``value`` becomes as text; stops past the output limit.

    Containers are walked (shared references counted each time, as str() prints them):
    ``[[l]*10]*10`` is cheap to build but a hundred copies of ``l`` to print.
    """
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, _CONTAINERS):
        return 8
    total = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        budget.charge()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            total += 2
            stack.extend(item)
        else:
            total += 8
        if total > budget.limits.output:
            break
    return total


def _check_value(value: Any, budget: _Budget) -> Any:
    budget.check_size(_printed_size(value, budget))
    return value


def _check_arguments(name: str, args: Iterable[Any], budget: _Budget) -> None:
    for arg in args:
        if isinstance(arg, str) and _BIG_WIDTH.search(arg) and name in ("format", "format_map"):
            raise ThemeTooExpensive(f"it formats with a width of millions ({name})")
        if isinstance(arg, _CONTAINERS):
            budget.check_size(_printed_size(arg, budget))
        elif isinstance(arg, int) and name in _WIDTH_METHODS | _WIDTH_FILTERS:
            budget.check_size(abs(arg), f"a '{name}' result")


def _replace_size(text: Any, old: Any, new: Any) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    count = text.count(old) if old else len(text) + 1
    return len(text) + count * max(0, len(new) - len(old))


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps jinja_pass_arg (pass_context & co.)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.charge()
        # pass_context / pass_eval_context / pass_environment filters get those first.
        values = [a for a in args if not isinstance(a, Context | nodes.EvalContext | Environment)]
        _check_arguments(name, [*values, *kwargs.values()], budget)
        if name == "replace" and len(values) >= 3:
            budget.check_size(_replace_size(values[0], values[1], values[2]))
        if name == "sum" and values and not _numbers_only(values[0], budget):
            raise ThemeTooExpensive("it adds up lists or texts with 'sum' (it adds numbers)")
        return _check_value(func(*args, **kwargs), budget)

    return guarded


def _numbers_only(value: Any, budget: _Budget) -> bool:
    if not isinstance(value, Iterable) or isinstance(value, str):
        return True
    items = list(value) if not isinstance(value, _CONTAINERS) else value
    budget.charge(len(items))
    return all(isinstance(item, int | float) and not isinstance(item, bool) for item in items)


def _bounded_iter(value: Any) -> Iterator[Any]:
    """What a theme's {% for %} loops over: every item is one counted step."""
    budget = _budget()
    for item in value:
        budget.charge()
        yield item


def _bounded_text(value: Any) -> Any:
    """An operand of ~ or a printed value: checked before str() spells it out."""
    return _check_value(value, _budget())


# Filter names no template can write (a hyphen ends a name in Jinja's syntax), so a
# theme can neither call nor shadow them.
_ITER_FILTER = "polypub-bounded-iter"
_TEXT_FILTER = "polypub-bounded-text"


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus a budget: loops, calls, sizes and time of one render are counted.

    Immutable: a theme cannot append to the lists pages pass it (or to itself). The
    parsed template is rewritten so that every loop iterates through a counting
    generator and every ``~`` operand is sized before it is turned into text; output
    is joined through a size-checking ``concat``; ``*``, ``**``, ``%`` and ``+`` are
    checked before they run (``'x' * 10**10`` is refused, not allocated).
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, finalize=_bounded_text, **kwargs)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters[_ITER_FILTER] = _bounded_iter
        self.filters[_TEXT_FILTER] = _bounded_text
        # lipsum(n) makes n paragraphs of filler at once; no theme needs it.
        self.globals.pop("lipsum", None)
        # Templates whose render went past the limits: never tried again in this process.
        self.refused: set[str] = set()

    @staticmethod
    def concat(parts: Iterable[str]) -> str:
        budget = _budget()
        collected: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            budget.check_size(size, "a page or a block")
            budget.charge()
            collected.append(part)
        return "".join(collected)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _ITER_FILTER, [], [], None, None)
        for concat in tree.find_all(nodes.Concat):
            concat.nodes = [
                nodes.Filter(part, _TEXT_FILTER, [], [], None, None) for part in concat.nodes
            ]
        return tree

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        spec = value.__self__
        if _BIG_WIDTH.search(spec):
            raise ThemeTooExpensive("it formats with a width of millions (str.format)")

        def checked(*args: Any, **kwargs: Any) -> str:
            # "{:>{w}}".format("x", w=10**9): the width comes as an argument.
            budget = _budget()
            for arg in (*args, *kwargs.values()):
                if isinstance(arg, int):
                    budget.check_size(abs(arg), "a formatted text")
            return _check_value(wrapped(*args, **kwargs), budget)  # type: ignore[no-any-return]

        return checked

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().charge()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().charge()
        return super().getitem(obj, argument)

    def call(
        __self,
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        budget = _budget()
        budget.charge()
        name = getattr(__obj, "__name__", "")
        _check_arguments(name, [getattr(__obj, "__self__", None), *args, *kwargs.values()], budget)
        if name == "replace" and len(args) >= 2:
            budget.check_size(_replace_size(getattr(__obj, "__self__", None), args[0], args[1]))
        return _check_value(super().call(__context, __obj, *args, **kwargs), budget)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.charge()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    budget.check_size(_printed_size(seq, budget) * max(0, times))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right > 0 and right * abs(left).bit_length() > 100_000:
                raise ThemeTooExpensive("it computes a number hundreds of thousands of bits long")
        elif operator == "%" and isinstance(left, str) and _BIG_WIDTH.search(left):
            raise ThemeTooExpensive("it formats with a width of millions (%)")
        return _check_value(super().call_binop(context, operator, left, right), budget)


@lru_cache(maxsize=8)
def environment(theme: Theme = ()) -> Environment:
    """Built once per process and theme: a Lambda reuses it across invocations.

    With a theme it is sandboxed and bounded, because theme templates come from the
    source bucket: they may read the values the pages pass, but never reach Python
    internals nor take unbounded time or memory. The packaged templates alone are ours
    and render without the sandbox's cost (about twice as fast for a full listings
    rebuild).
    """
    loaders: list[BaseLoader] = [DictLoader(dict(theme))] if theme else []
    loaders.append(PackageLoader("polypub", "site/templates"))
    kind = BoundedSandbox if theme else Environment
    return kind(
        loader=ChoiceLoader(loaders),
        # On for every template and string, not only .html/.xml: a teacher's title must
        # never become markup, whatever the template is called.
        autoescape=select_autoescape(
            enabled_extensions=("html", "xml"), default_for_string=True, default=True
        ),
        # A misspelt variable fails the build instead of silently publishing a blank.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render_bounded(template: Template, limits: Limits | None = None, **context: Any) -> str:
    """``template`` rendered within ``limits`` (default LIMITS), or ThemeTooExpensive.

    Streamed: the page is counted while it is made, never built whole first.
    """
    budget = _Budget(limits or LIMITS)
    token = _BUDGET.set(budget)
    try:
        parts: list[str] = []
        size = 0
        for part in template.generate(**context):
            # Not charged: every part comes from a step (a loop item, a call) or is
            # the template's own text, whose length the size check covers.
            size += len(part)
            budget.check_size(size, "a page")
            parts.append(part)
        return "".join(parts)
    finally:
        _BUDGET.reset(token)


def render(template: str, *, theme: Theme = (), strict: bool = False, **context: Any) -> str:
    """Render with the theme's templates first; a failing theme falls back to the package.

    A theme that breaks must never stop a post from being published: the check made
    when the theme is uploaded reports the error (strict=True raises it instead). A
    theme template that went past its limits once is not tried again in this process.
    """
    if theme:
        env = environment(theme)
        refused = env.refused if isinstance(env, BoundedSandbox) else set()
        if template not in refused or strict:
            try:
                return render_bounded(env.get_template(template), **context)
            except ThemeTooExpensive as exc:
                refused.add(template)
                if strict:
                    raise
                log.warning(
                    "theme too expensive for %s (%s); using the packaged one", template, exc
                )
            except Exception:
                if strict:
                    raise
                log.warning("theme failed to render %s; using the packaged template", template)
    return environment().get_template(template).render(**context)
