"""Constructor arguments for a model that no file builds with them.

``constructor_arguments`` is the one place that chooses them: a value given for the parameter
(``--args``, ``[tool.shapecheck.args]``, an instantiation found in another file) wins; each
parameter still without a value or a default becomes, where it may be an integer, a named
symbol (``n_class``), and the model is checked with it as H and W are for the input.  Where
such a symbol decides the model's structure (a loop count, a branch), the interpreter raises
``ArgumentNotGiven`` and the model stops there, with the argument named and how to give it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

from ..rules import shapes as S

# annotations under which a parameter may hold an integer size
_INTEGER_ANNOTATIONS = {"int", "Optional[int]", "int | None", "Union[int, None]"}


@dataclass(frozen=True)
class ConstructorArguments:
    """The keyword arguments to build a model with, and the names of those that are symbols."""

    kwargs: Dict[str, object]
    symbols: Tuple[str, ...]


def constructor_arguments(init: Optional[ast.AST], defaults: Mapping[str, object],
                          given: Mapping[str, object]) -> ConstructorArguments:
    """``init`` is the class's ``__init__`` (a FunctionDef, or None for no ``__init__``),
    ``defaults`` its parameters' evaluated defaults, ``given`` the values known for some of its
    parameters by name.  Parameters after ``self`` get the given value, else keep their default,
    else become the symbol of their name when they may be an integer (else they stay unknown)."""
    if init is None:
        return ConstructorArguments({}, ())
    spec = init.args
    parameters = (spec.posonlyargs + spec.args)[1:] + spec.kwonlyargs
    kwargs: Dict[str, object] = {}
    symbols = []
    for parameter in parameters:
        name = parameter.arg
        if name in given:
            kwargs[name] = given[name]
        elif name not in defaults and _may_be_integer(parameter.annotation):
            kwargs[name] = S.sym(symbol_name(name))
            symbols.append(symbol_name(name))
    return ConstructorArguments(kwargs, tuple(symbols))


def given_symbols(init: ast.FunctionDef, defaults: Mapping[str, object], args: list, kwargs: dict,
                  unknown: object) -> Tuple[list, dict, Tuple[str, ...]]:
    """A call ``Net(3, len(train_data.classes))`` gives an argument whose value is not known, and
    ``ResNet(**kwargs)`` in ``def resnet(**kwargs)`` none for ``depth``: each such argument that
    may be an integer becomes the symbol of its parameter's name (``num_classes``, ``depth``).
    ``args`` and ``kwargs`` exclude ``self``; returns them with the symbols in, and their names."""
    spec = init.args
    positional = (spec.posonlyargs + spec.args)[1:]
    by_name = {p.arg: p for p in positional + spec.kwonlyargs}
    args, kwargs, symbols = list(args), dict(kwargs), []
    for i, parameter in enumerate(positional[:len(args)]):
        if args[i] is unknown and _may_be_integer(parameter.annotation):
            args[i] = S.sym(symbol_name(parameter.arg))
            symbols.append(symbol_name(parameter.arg))
    for name, value in kwargs.items():
        if value is unknown and name in by_name and _may_be_integer(by_name[name].annotation):
            kwargs[name] = S.sym(symbol_name(name))
            symbols.append(symbol_name(name))
    rest = constructor_arguments(init, defaults, {p.arg: None for p in positional[:len(args)]} | kwargs)
    kwargs.update({name: value for name, value in rest.kwargs.items() if name not in kwargs and value is not None})
    return args, kwargs, tuple(symbols) + rest.symbols


def symbol_name(parameter: str) -> str:
    """The symbol of a parameter: its name, unless that is one of the input's (B, H, W, ...)."""
    return f"{parameter}_arg" if parameter in S.INPUT_SYMBOLS else parameter


def _may_be_integer(annotation: Optional[ast.AST]) -> bool:
    return annotation is None or ast.unparse(annotation).replace("typing.", "") in _INTEGER_ANNOTATIONS


class ArgumentNotGiven(Exception):
    """A constructor-argument symbol decides what the code does (how often a loop runs, which
    branch is taken): the model cannot be checked past this line without a value for it."""

    def __init__(self, names: Tuple[str, ...], line: int, column: int, what: str):
        super().__init__(f"{what} at line {line} depends on {', '.join(names)}")
        self.names, self.line, self.column, self.what = names, line, column, what

    def reason(self, model: str) -> str:
        """The sentence a report gives: which argument, and the three ways to give it."""
        names = " and ".join(f"`{n}`" for n in self.names)
        example = ", ".join(f"{n}=..." for n in self.names)
        them = "arguments" if len(self.names) > 1 else "argument"
        return (f"{self.what} at line {self.line} depends on the constructor {them} {names}, "
                f"whose {'values' if len(self.names) > 1 else 'value'} no file gives: "
                f"give {'them' if len(self.names) > 1 else 'it'} with --args, with `\"{model}\" = \"{example}\"` under [tool.shapecheck.args] "
                f"in pyproject.toml, or with an instantiation such as `{model}({example})`")
