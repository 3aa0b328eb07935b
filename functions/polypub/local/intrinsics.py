"""CloudFormation's intrinsic functions and conditions, evaluated against a local stack's values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from polypub.local.template import TemplateError


class _NoValue:
    """AWS::NoValue: the property or list item it stands for is left out."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Intrinsics:
    """Resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Split, Fn::Select and Fn::If.

    Parameters and pseudo parameters come from mappings; a resource's Ref and attributes
    from callbacks, because only the caller knows what was created locally and under
    which name. Anything else fails with a TemplateError rather than guess.
    """

    def __init__(
        self,
        *,
        parameters: Mapping[str, str],
        conditions: Mapping[str, Any],
        pseudo: Mapping[str, str],
        ref: Callable[[str], str],
        get_att: Callable[[str, str], str],
    ) -> None:
        self._parameters = parameters
        self._conditions = conditions
        self._pseudo = pseudo
        self._ref = ref
        self._get_att = get_att
        self._evaluated: dict[str, bool] = {}

    def resolve(self, node: Any) -> Any:
        """`node` with every intrinsic replaced by its value; NO_VALUE items dropped."""
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((name, argument),) = node.items()
            if name == "Ref":
                return self._reference(str(argument))
            if name.startswith("Fn::") or name == "Condition":
                return self._function(name, argument)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}

    def condition(self, name: str) -> bool:
        """The value of one entry of the template's Conditions section."""
        if name not in self._evaluated:
            if name not in self._conditions:
                raise TemplateError(f"template.yaml has no condition {name}")
            self._evaluated[name] = self._truth(self._conditions[name])
        return self._evaluated[name]

    def _reference(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        return self._ref(name)

    def _truth(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            ((name, argument),) = node.items()
            if name == "Condition":
                return self.condition(str(argument))
            if name == "Fn::Equals":
                left, right = (self.resolve(value) for value in argument)
                return bool(str(left) == str(right))
            if name == "Fn::Not":
                (inner,) = argument
                return not self._truth(inner)
            if name == "Fn::And":
                return all(self._truth(inner) for inner in argument)
            if name == "Fn::Or":
                return any(self._truth(inner) for inner in argument)
        raise TemplateError(f"not a condition: {node!r}")

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::GetAtt":
            logical, attribute = (
                argument.split(".", 1) if isinstance(argument, str) else [str(a) for a in argument]
            )
            return self._get_att(logical, attribute)
        if name == "Fn::Sub":
            if isinstance(argument, str):
                return self._sub(argument, {})
            text, variables = argument
            return self._sub(text, {k: self.resolve(v) for k, v in variables.items()})
        if name == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(item) for item in self.resolve(items))
        if name == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(str(separator))
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(str(condition)) else when_false)
        if name in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"):
            return self._truth({name: argument})
        raise TemplateError(f"{name} cannot be evaluated locally")

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is written out as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] not in self._pseudo:
                logical, attribute = name.split(".", 1)
                return self._get_att(logical, attribute)
            return str(self._reference(name))

        return _SUB_VARIABLE.sub(value, text)
