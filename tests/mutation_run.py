"""``make mutation``: run mutmut on the modules in ``[tool.mutmut]`` and print a score per module.

Arguments are mutant globs passed to ``mutmut run`` (``'follicle.trials.staging.*'``);
none runs every mutant of every configured module (hours: docs/testing.md). Environment:
``MUTATION_TESTS`` (space-separated test paths) replaces the configured test selection for
this run, ``MUTATION_MODULES`` (space-separated globs such as
``src/follicle/treatments/*``) replaces the configured modules to mutate (generating the
mutants of every module takes minutes), ``MUTATION_JOBS`` sets mutmut's worker processes
(default 2). ``--sample FRACTION SEED`` reads mutant names (``mutmut results --all true``)
on stdin and prints a seeded sample per function instead of running. Not a test file:
pytest does not collect it.
"""

from __future__ import annotations

import math
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict

KILLED = ("killed", "timeout")  # a mutant that makes the tests time out is detected too

# mutmut 3 skips every decorated function (a decorator may have side effects when the
# function is copied). That would leave out every plan rule (registered by
# ``@plan_rule("MN-1")``) and the journal's transactions (``@contextmanager``). Such a
# function is mutated here anyway: its trampoline keeps the decorator (so the rule is
# registered once and the context manager wraps whichever version runs), the original's
# copy and the mutants go without it. Other decorators (``property``, pydantic
# validators, ``cached_property``) stay skipped.
REGISTRATION_DECORATORS = {"plan_rule", "contextmanager"}


def _decorator_name(decorator) -> str:
    import libcst as cst

    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    return node.value if isinstance(node, cst.Name) else ""


def _registered(function) -> bool:
    import libcst as cst

    return (
        isinstance(function, cst.FunctionDef)
        and bool(function.decorators)
        and all(_decorator_name(d) in REGISTRATION_DECORATORS for d in function.decorators)
    )


def mutate_registered_functions() -> None:
    from mutmut.mutation import file_mutation

    skip = file_mutation.MutationVisitor._skip_node_and_children
    arrange = file_mutation.function_trampoline_arrangement

    def skip_registered(self, node):
        if _registered(node):
            return skip(self, node.with_changes(decorators=()))
        return skip(self, node)

    def arrange_registered(function, mutants, class_name):
        declarations, methods, assignments, names = arrange(function, mutants, class_name)
        if _registered(function):  # methods[0] is the trampoline
            methods = [methods[0], *(m.with_changes(decorators=()) for m in methods[1:])]
        return declarations, methods, assignments, names

    file_mutation.MutationVisitor._skip_node_and_children = skip_registered
    file_mutation.function_trampoline_arrangement = arrange_registered


def module_of(mutant: str) -> str:
    """``follicle.trials.staging.x_stage__mutmut_3`` -> ``follicle.trials.staging``."""
    return mutant.rsplit(".x", 1)[0]


def scores(results_text: str) -> dict[str, Counter]:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in results_text.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            by_module[module_of(name)][status] += 1
    return dict(by_module)


def report(by_module: dict[str, Counter]) -> str:
    lines = [f"{'module':40} {'killed':>7} {'survived':>9} {'no tests':>9} {'score':>7}"]
    for module, counts in sorted(by_module.items()):
        checked = sum(n for status, n in counts.items() if status != "not checked")
        if not checked:
            continue
        killed = sum(counts[s] for s in KILLED)
        lines.append(
            f"{module:40} {killed:7d} {counts['survived']:9d} {counts['no tests']:9d} "
            f"{100 * killed / checked:6.1f}%"
        )
    return "\n".join(lines)


def sample(names: list[str], *, fraction: float, seed: int) -> list[str]:
    """A seeded random sample of mutant names per function: ``ceil(fraction x n)`` of each
    function's ``n`` mutants, at least one (functions in name order, mutants by number).
    For runs too long to check every mutant (docs/testing.md, fifth round)."""
    by_function: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_function[re.sub(r"__mutmut_\d+$", "", name)].append(name)
    rng = random.Random(seed)
    chosen = []
    for function in sorted(by_function):
        members = sorted(by_function[function], key=lambda n: int(n.rsplit("_", 1)[1]))
        picked = rng.sample(members, max(1, math.ceil(fraction * len(members))))
        chosen.extend(sorted(picked, key=lambda n: int(n.rsplit("_", 1)[1])))
    return chosen


def main(argv: list[str]) -> int:
    if argv[:1] == ["--sample"]:  # --sample FRACTION SEED < names (mutmut results --all true)
        names = [line.strip().rpartition(": ")[0] or line.strip() for line in sys.stdin]
        print(
            "\n".join(sample([n for n in names if n], fraction=float(argv[1]), seed=int(argv[2])))
        )
        return 0
    from mutmut import configuration
    from mutmut.__main__ import cli

    tests = os.environ.get("MUTATION_TESTS", "").split()
    if tests:
        configuration.config().pytest_add_cli_args_test_selection = tests
    modules = os.environ.get("MUTATION_MODULES", "").split()
    if modules:
        configuration.config().only_mutate = modules
    jobs = os.environ.get("MUTATION_JOBS", "2")
    mutate_registered_functions()
    try:
        cli.main(["run", "--max-children", jobs, *argv], standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            return int(stop.code)
    results = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(report(scores(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
