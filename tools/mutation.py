"""Mutation testing of the money and consensus modules: how much of their behaviour the tests hold.

    nice -n 19 .venv/bin/python tools/mutation.py [TARGET ...] [--survivors] [--report]

Each target is a set of modules mutated by mutmut 3 and run against its own test folder only
(TARGETS below), in its own work folder `.mutation/<target>/`, with one worker process (the machine
is shared). A plain run starts from scratch; `--survivors` re-runs only the mutants that were not
killed last time (after adding tests: mutmut keeps old verdicts otherwise); `--report` prints the
figures of the last run without running anything.

A mutant that survives but cannot change behaviour (an equivalent mutant) is listed, with a one-line
reason, in tools/mutation_equivalent.toml; it is matched by its function and by the exact line it
changes (not by mutmut's number, which shifts when the function changes). The score is
killed / (mutants - equivalent); timeouts count as killed (the test run noticed an endless loop).
Every other survivor is printed with its diff: either a test is missing or the list is.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
EQUIVALENT_FILE = ROOT / "tools" / "mutation_equivalent.toml"
GOAL = 95.0
DESCRIPTION_VERSION = 11  # bump when only_message_text changes: cached descriptions are redone


@dataclass(frozen=True)
class Target:
    modules: tuple[str, ...]  # glob patterns of the files mutated, relative to the repo
    tests: str  # the test folder run against them
    packages: tuple[str, ...]  # packages copied into the mutants folder (the code the tests import)
    ignore: tuple[str, ...] = ()  # subfolders of `tests` left out (see the consensus target)


TARGETS: dict[str, Target] = {
    "splits": Target(("ledger/splits/*.py",), "tests/ledger/splits", ("ledger",)),
    "collectives": Target(("ledger/collectives/*.py",), "tests/ledger/collectives", ("ledger",)),
    "treasury": Target(("ledger/treasury/*.py",), "tests/ledger/treasury", ("ledger",)),
    "governance": Target(
        ("ledger/governance/tally.py", "ledger/governance/lifecycle.py"),
        "tests/ledger/governance",
        ("ledger",),
    ),
    # Left out: tests/consensus/sim (hundreds of seeded whole-network simulations) and
    # test_wal_bound.py (two long crash-and-gossip runs, 3/4 of the rest's time per mutant of
    # algorithm.py). Each would run in full for every surviving mutant, while the machine's own
    # stories (tests/consensus/test_machine_*.py) pin each rule of Algorithm 1 directly.
    # The state tree: the flat 16-ary tree's update, records and proofs, built in memory.
    "flat": Target(
        (
            "ledger/merkle/flat/tree.py",
            "ledger/merkle/flat/proof.py",
            "ledger/merkle/flat/record.py",
        ),
        "tests/ledger/merkle/flat",
        ("ledger",),
    ),
    "consensus": Target(
        ("consensus/vote_set.py", "consensus/commit.py", "consensus/algorithm.py"),
        "tests/consensus",
        ("ledger", "consensus"),
        ignore=("tests/consensus/sim", "tests/consensus/test_wal_bound.py"),
    ),
}

# mutmut's verdicts by the exit code of the mutant's test run (mutmut.stats.status_by_exit_code)
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's name: module.function__mutmut_N
    exit_code: int | None
    removed: str  # the original line(s) the mutant changes, stripped
    added: str  # the mutated line(s), stripped
    message: bool  # it changes only the text of an error message (see only_message_text)

    @property
    def function(self) -> str:
        return self.name.rsplit("__mutmut_", 1)[0]


def prepare(name: str, target: Target, *, fresh: bool) -> Path:
    """The work folder of a target: links to the code and tests, and mutmut's config for it."""
    work = WORK / name
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for package in (*target.packages, "tests"):
        link = work / package
        if not link.exists():
            link.symlink_to(ROOT / package)
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")  # pytest's settings
    lines = [
        "[mutmut]",
        "source_paths =",
        *(f"    {p}" for p in target.packages),
        "only_mutate =",
        *(f"    {m}" for m in target.modules),
        "pytest_add_cli_args_test_selection =",
        f"    {target.tests}",
        *(f"    --ignore={folder}" for folder in target.ignore),
        "pytest_add_cli_args =",
        "    -n",
        "    0",
        "    -p",
        "    no:cacheprovider",
    ]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n")
    return work


def mutmut(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), *args],
        cwd=work,
        text=True,
        capture_output=True,
        check=False,
    )


def run(name: str, target: Target, *, survivors_only: bool, resume: bool, only: list[str]) -> None:
    if resume:
        work = prepare(name, target, fresh=False)
        names = []
    elif survivors_only:
        work = prepare(name, target, fresh=False)
        listed = equivalents()
        names = [
            m.name
            for m in load(work)
            if m.exit_code not in KILLED | TIMEOUT
            and not m.message  # no test is meant to kill these: not worth a re-run
            and not any(matches(e, m) for e in listed)
        ]
        if only:
            names = [n for n in names if any(fnmatch.fnmatch(n, g) for g in only)]
        if not names:
            return
    else:
        work = prepare(name, target, fresh=not only)
        names = only
    left_out = "".join(f" without {folder}" for folder in target.ignore)
    print(
        f"== {name}: mutmut run over {', '.join(target.modules)} against {target.tests}{left_out}"
    )
    sys.stdout.flush()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "1", *names],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"mutmut failed on {name} (exit {done.returncode}):\n{done.stderr[-3000:]}")


def load(work: Path) -> list[Mutant]:
    """Every mutant of the last run in `work`, with its verdict and the line it changes."""
    codes: dict[str, int | None] = {}
    hashes: dict[str, str] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        codes.update(data["exit_code_by_key"])
        module = str(meta.relative_to(work / "mutants")).removesuffix(".py.meta")
        for function, digest in data.get("hash_by_function_name", {}).items():
            hashes[module.replace("/", ".") + "." + function] = digest
    cache_file = work / "described.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}

    def key(mutant_name: str) -> str:
        function = mutant_name.rsplit("__mutmut_", 1)[0]
        return f"{mutant_name}:{hashes.get(function, '')}:{DESCRIPTION_VERSION}"

    todo = [n for n, c in codes.items() if c is not None and key(n) not in cache]
    for name, description in diffs_of(work, todo).items():
        cache[key(name)] = description
    cache_file.write_text(json.dumps(cache))
    mutants = []
    for mutant_name, code in sorted(codes.items()):
        removed, added, message = cache.get(key(mutant_name), ("", "", False))
        mutants.append(Mutant(mutant_name, code, removed, added, message))
    return mutants


def diffs_of(work: Path, names: list[str]) -> dict[str, tuple[str, str, bool]]:
    """The changed lines of each named mutant and whether it only changes message text, read
    with mutmut's own functions in a child process run in the work folder."""
    if not names:
        return {}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--describe"],
        cwd=work,
        input=json.dumps(names),
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"describing mutants failed:\n{done.stderr[-3000:]}")
    return {k: (v[0], v[1], v[2]) for k, v in json.loads(done.stdout).items()}


def describe() -> None:
    """Child side of `diffs_of`: names on stdin, {name: [removed, added, message]} on stdout."""
    import libcst as cst
    from mutmut.mutation.diff_apply import (
        find_mutant,
        read_functions_from_index,
        read_mutant_function,
        read_mutants_module,
        read_original_function,
    )

    out = {}
    for name in json.load(sys.stdin):
        try:
            path = find_mutant(name).path
            functions = read_functions_from_index(name, path)
            if functions is None:
                module = read_mutants_module(path)
                functions = (
                    read_original_function(module, name),
                    read_mutant_function(module, name),
                )
        except Exception as error:  # a file mutmut is rewriting right now: described next time
            print(f"cannot read {name}: {error!r}", file=sys.stderr)
            continue
        orig, mutant = (cst.Module([f]).code.strip() for f in functions)
        diff = list(difflib.unified_diff(orig.split("\n"), mutant.split("\n"), lineterm=""))[2:]
        minus = [line[1:].strip() for line in diff if line.startswith("-")]
        plus = [line[1:].strip() for line in diff if line.startswith("+")]
        out[name] = (" / ".join(minus), " / ".join(plus), only_message_text(orig, mutant))
    json.dump(out, sys.stdout)


# Calls whose label argument (by position) only ever reaches an error message: codec.Fields
# names its fields only in the MalformedError it raises, and so do the decoders that pass a
# label down to it (fieldcodec.address among them); vesting's `_bad(reason)` only raises.
# Field readers (`f.int(label, ...)` on a one-letter Fields, or on `Fields(...)` itself) take
# it first.
LABEL_ARGUMENT = {
    "Fields": 2,
    "_int": 1,
    "optional_party": 1,
    "from_fields": 1,
    "pairs": 1,
    "address": 1,
    "_bad": 0,
}
LABEL_READERS = {"int", "bytes", "str", "list", "raw", "bool", "optional"}
# ledger/collectives/fieldcodec.py's readers pass their field name on to Fields only
LABEL_ARGUMENT.update({"u64_list": 1, "address_list": 1, "str_list": 1})
# ledger/collectives/params.py's `_check(ok, what)` names the parameter only in its TxError (the
# code, INVALID_PARAMS, is the same for every check and is pinned by tests/ledger/collectives)
LABEL_ARGUMENT["_check"] = 1


def changed_nodes(x: ast.AST, y: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """The smallest subtrees where two trees differ."""
    if type(x) is not type(y):
        return [(x, y)]
    pairs: list[tuple[ast.AST, ast.AST]] = []
    for (_, u), (_, v) in zip(ast.iter_fields(x), ast.iter_fields(y), strict=True):
        if isinstance(u, ast.AST) and isinstance(v, ast.AST):
            pairs.append((u, v))
        elif isinstance(u, list) and isinstance(v, list):
            if len(u) != len(v):
                return [(x, y)]
            for a, b in zip(u, v, strict=True):
                if isinstance(a, ast.AST) and isinstance(b, ast.AST):
                    pairs.append((a, b))
                elif a != b:
                    return [(x, y)]
        elif u != v or type(u) is not type(v):
            return [(x, y)]
    return [change for a, b in pairs for change in changed_nodes(a, b)]


def only_message_text(orig: str, mutant: str) -> bool:
    """True when the mutant changes nothing but text that only ends up in an error message.

    The two functions must differ in one place only, where a string, f-string or label name
    became another string or None, and that place must be inside a `raise` statement or be the
    label argument of a decoder (LABEL_ARGUMENT, LABEL_READERS)."""
    try:
        a, b = ast.parse(textwrap.dedent(orig)), ast.parse(textwrap.dedent(mutant))
    except SyntaxError:
        return False
    changes = changed_nodes(a, b)
    if len(changes) != 1:
        return False
    x, y = changes[0]
    parents: dict[ast.AST, ast.AST] = {}
    for item in ast.walk(a):
        for child in ast.iter_child_nodes(item):
            parents[child] = item
    above = [x]
    while not isinstance(above[-1], ast.stmt) and above[-1] in parents:
        above.append(parents[above[-1]])
    if isinstance(above[-1], ast.Raise) and any(isinstance(n, ast.JoinedStr) for n in above):
        return True  # anything inside the f-string of a raised error's message
    statement = above[-1]
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func  # a log line: `log.warning(...)` and its arguments
        owner = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(owner, ast.Name) and owner.id == "log":
            if x is not statement.value:
                return True
            same_call = isinstance(y, ast.Call) and ast.dump(y.func) == ast.dump(func)
            if same_call:
                return True  # an argument of the log line dropped
    if isinstance(x, ast.Call) and isinstance(y, ast.Call) and len(y.args) == len(x.args) - 1:
        callee = x.func.id if isinstance(x.func, ast.Name) else getattr(x.func, "attr", "")
        last = len(x.args) - 1  # a label or message passed last, dropped
        kept = all(ast.dump(u) == ast.dump(v) for u, v in zip(x.args, y.args, strict=False))
        if kept and len(above) > 1 and isinstance(above[1], ast.Raise) and last >= 1:
            return True  # the raised error's own message (not its code, which comes first)
        return kept and LABEL_ARGUMENT.get(callee) == last
    if (
        isinstance(above[-1], ast.Raise)
        and isinstance(x, ast.BinOp)
        and isinstance(y, ast.Constant)
    ):
        return y.value is None or isinstance(y.value, str)  # a message built with + became None
    if not isinstance(y, ast.Constant) or not (y.value is None or isinstance(y.value, str)):
        return False
    if not (
        isinstance(x, ast.JoinedStr | ast.Name)
        or (isinstance(x, ast.Constant) and isinstance(x.value, str))
    ):
        return False
    node: ast.AST = x
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Raise):
            return True
        if isinstance(parent, ast.Call) and node in parent.args:
            index = parent.args.index(node)
            func = parent.func
            callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if LABEL_ARGUMENT.get(callee) == index:
                return True
            if isinstance(func, ast.Attribute) and func.attr in LABEL_READERS and index == 0:
                reader = func.value  # `f.int(...)` or `Fields(raw, n, label).int(...)`
                if isinstance(reader, ast.Call) and isinstance(reader.func, ast.Name):
                    return reader.func.id == "Fields"
                return isinstance(reader, ast.Name) and len(reader.id) == 1
            if callee == "decode" and index == 1 and isinstance(func, ast.Attribute):
                return isinstance(func.value, ast.Name) and func.value.id == "cls"
        if isinstance(parent, ast.stmt):
            return False
        node = parent
    return False


def equivalents() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = tomllib.loads(EQUIVALENT_FILE.read_text()).get("equivalent", [])
    for entry in entries:
        missing = {"function", "from", "to", "reason"} - set(entry)
        if missing:
            sys.exit(f"{EQUIVALENT_FILE.name}: entry {entry} lacks {sorted(missing)}")
    return entries


def matches(entry: dict[str, str], mutant: Mutant) -> bool:
    """Same function, same changed line, same mutation (`to = "*"`: any mutation of the line,
    for code that cannot run at all)."""
    return (
        entry["function"] == mutant.function
        and entry["from"] == mutant.removed
        and entry["to"] in ("*", mutant.added)
    )


def report(name: str, target: Target) -> float | None:
    work = WORK / name
    if not (work / "mutants").exists():
        print(f"== {name}: not run yet")
        return None
    mutants = load(work)
    mine = [e for e in equivalents() if any(e["function"].startswith(p) for p in prefixes(target))]
    dead = KILLED | TIMEOUT
    listed = [m for m in mutants if any(matches(e, m) for e in mine)]
    equivalent = [m for m in listed if m.exit_code not in dead]  # a killed one counts as killed
    wrongly_listed = [  # entries that match only killed mutants: not equivalent after all
        e
        for e in mine
        if any(matches(e, m) for m in listed)
        and all(m.exit_code in dead for m in listed if matches(e, m))
    ]
    not_run = [m for m in mutants if m.exit_code is None]
    message = [m for m in mutants if m.message and m not in equivalent]
    counted = [
        m for m in mutants if m not in equivalent and not m.message and m.exit_code is not None
    ]
    killed = [m for m in counted if m.exit_code in KILLED | TIMEOUT]
    left = [m for m in counted if m.exit_code not in KILLED | TIMEOUT]
    score = 100.0 * len(killed) / len(counted) if counted else 100.0
    ran = [m for m in mutants if m.exit_code is not None]
    raw = 100.0 * sum(m.exit_code in KILLED | TIMEOUT for m in ran) / max(len(ran), 1)
    print(
        f"== {name}: {score:.1f} % killed of {len(counted)} mutants "
        f"({len(equivalent)} equivalent and {len(message)} message-text mutants set aside; "
        f"{raw:.1f} % of all {len(ran)} run"
        + (f"; {len(not_run)} not run yet)" if not_run else ")")
    )
    for module, total, killed_here in per_module(counted, []):
        print(f"   {module:<40} {100.0 * killed_here / max(total, 1):5.1f} % of {total}")
    for m in left:
        code = m.exit_code
        verdict = {0: "survived", 5: "no tests", 33: "no tests"}.get(code or 0, f"exit {code}")
        print(f"   {verdict}: {m.name}\n      - {m.removed}\n      + {m.added}")
    for e in wrongly_listed:
        print(f"   listed as equivalent but killed (drop it from the list): {e['function']}")
        print(f"      - {e['from']}\n      + {e['to']}")
    stale = [] if not_run else [e for e in mine if not any(matches(e, m) for m in mutants)]
    for e in stale:
        print(
            f"   equivalent entry matches no mutant (code changed?): {e['function']}: {e['from']}"
        )
    return score


def prefixes(target: Target) -> list[str]:
    return [m.removesuffix(".py").removesuffix("*").replace("/", ".") for m in target.modules]


def per_module(mutants: list[Mutant], equivalent: list[Mutant]) -> list[tuple[str, int, int]]:
    rows: dict[str, list[int]] = {}
    for m in mutants:
        if m in equivalent:
            continue
        module = m.function.rsplit(".", 1)[0]
        row = rows.setdefault(module, [0, 0])
        row[0] += 1
        row[1] += m.exit_code in KILLED | TIMEOUT
    return [(k, v[0], v[1]) for k, v in sorted(rows.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    parser.add_argument("--survivors", action="store_true", help="re-run only the survivors")
    parser.add_argument("--report", action="store_true", help="print the last run's figures")
    parser.add_argument("--resume", action="store_true", help="go on with an interrupted run")
    parser.add_argument(
        "--mutants",
        action="append",
        default=[],
        metavar="GLOB",
        help="run only the mutants matching GLOB (e.g. 'consensus.vote_set.*'), keep the rest",
    )
    parser.add_argument("--describe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.describe:
        describe()
        return
    os.nice(max(0, 19 - os.nice(0)))  # the machine is shared: run at the lowest priority
    names = args.targets or list(TARGETS)
    unknown = set(names) - set(TARGETS)
    if unknown:
        parser.error(f"unknown target(s) {sorted(unknown)}: choose among {', '.join(TARGETS)}")
    scores: dict[str, float | None] = {}
    for name in names:
        if not args.report:
            run(
                name,
                TARGETS[name],
                survivors_only=args.survivors,
                resume=args.resume,
                only=args.mutants,
            )
        scores[name] = report(name, TARGETS[name])
        sys.stdout.flush()
    print(f"== scores (goal: {GOAL:.0f} % killed once equivalent mutants are set aside)")
    for name, score in scores.items():
        print(f"   {name:<12} {'not run' if score is None else f'{score:.1f} %'}")


if __name__ == "__main__":
    main()
