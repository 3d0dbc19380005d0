"""Every third-party package the code imports is declared in pyproject.toml and pinned, with hashes, in the locks."""

from __future__ import annotations

import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DIRS = {"tests", "bench"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: list[str]) -> set[str]:
    return {canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group()) for requirement in requirements}


IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import[ \t]|import[ \t]+([A-Za-z_]\w*))", re.M)
PROVIDERS = cache(packages_distributions)


@cache
def imported_distributions(*, tests: bool) -> set[str]:
    """The distributions that provide the top-level modules imported by the app's code (or by tests and benches)."""
    local = {path.stem for path in ROOT.iterdir() if path.suffix == ".py" or path.is_dir()}
    tops = [top for top in ROOT.iterdir() if not top.name.startswith(".") and (top.name in TEST_DIRS) == tests]
    modules = {
        module
        for top in tops
        for path in ([top] if top.is_file() else top.rglob("*.py"))
        if path.suffix == ".py"
        for match in IMPORT.findall(path.read_text(encoding="utf-8"))
        for module in match
        if module
    }
    third_party = modules - local - set(sys.stdlib_module_names) - {"__future__"}
    return {canonical(name) for module in third_party for name in PROVIDERS().get(module, [module])}


def pinned(lock: str) -> dict[str, bool]:
    """Each package the lock pins exactly, and whether it carries a hash."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9._-]+)==\S+(?: ;[^\\\n]*)?((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", text, re.M
    )
    return {canonical(name): bool(hashes) for name, hashes in entries}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = requirement_names(PROJECT["dependencies"])
DEV = requirement_names(PROJECT["optional-dependencies"]["dev"])


def test_the_app_imports_only_declared_runtime_packages():
    assert imported_distributions(tests=False) - RUNTIME == set(), "declare them in pyproject.toml and `make lock`"


def test_tests_import_only_declared_packages():
    assert imported_distributions(tests=True) - RUNTIME - DEV == set(), "declare them in the dev extra"


def test_the_locks_pin_every_declared_package_with_hashes():
    runtime, dev = pinned("requirements.txt"), pinned("requirements-dev.txt")
    assert RUNTIME - runtime.keys() == set(), "run `make lock`"
    assert (RUNTIME | DEV) - dev.keys() == set(), "run `make lock`"
    assert all(runtime.values()) and all(dev.values()), "every pin carries its hashes"
    assert DEV.isdisjoint(runtime), "the runtime lock holds no dev tools"
