"""Every third-party package the service imports is a runtime dependency.

`scripts/serve` and the Dockerfile install only `[project].dependencies`; a package that only the
dev extras bring (the tests' tools) would let the whole suite pass and the service fail to start.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PACKAGES = ("engine", "api")


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalised(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0])
        for requirement in project["dependencies"]
    }


def _third_party_imports() -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for package in SERVICE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name in _top_level_imports(path):
                if name in sys.stdlib_module_names or name in SERVICE_PACKAGES:
                    continue
                found.setdefault(name, set()).add(path.relative_to(ROOT))
    return found


def test_every_package_the_service_imports_is_a_runtime_dependency() -> None:
    distributions_of = importlib.metadata.packages_distributions()
    runtime = _runtime_distributions()
    # Packages that arrive with a runtime dependency (e.g. starlette with fastapi) are installed too.
    installed_with_runtime = set(runtime)
    for requirement in list(runtime):
        try:
            needed = importlib.metadata.requires(requirement) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        installed_with_runtime.update(
            _normalised(re.split(r"[\[<>=!~; ]", item, maxsplit=1)[0])
            for item in needed
            if "extra ==" not in item
        )
    missing = {
        module: sorted(str(path) for path in paths)
        for module, paths in _third_party_imports().items()
        if not {_normalised(d) for d in distributions_of.get(module, [module])} & installed_with_runtime
    }
    assert not missing, f"imported by the service but not a runtime dependency: {missing}"
