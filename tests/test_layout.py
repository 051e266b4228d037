"""The package's shape: stages import only downstream of themselves (no cycles, deferred imports
included), and the library works without click."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "mbcalc"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """Every mbcalc module `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("mbcalc")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            if not base.startswith("mbcalc"):
                continue
            for alias in node.names:  # `from . import api` imports the module mbcalc.api
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


def test_no_module_imports_one_that_imports_it_back():
    graph = {name: imports(name) - {"mbcalc"} for name in MODULES}  # the package itself only re-exports
    cycles = []

    def visit(name: str, path: list[str], done: set[str]) -> None:
        for target in sorted(graph[name]):
            if target in path:
                cycles.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target], done)
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name], done)
    assert cycles == []


def test_the_finder_sees_deferred_imports():
    assert "mbcalc.api" in imports("mbcalc.cli.shared")  # imported inside the model commands


def test_the_library_works_without_click():
    code = "import sys; sys.modules['click'] = None; import mbcalc; print(mbcalc.analyze('v1').macs)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "568740352"


def test_json_and_csv_start_without_the_drawing_code():
    code = (
        "import sys; from mbcalc.cli import cli\n"
        "try:\n    cli.main(['v1', '-f', 'json', '-o', '/dev/null'])\nexcept SystemExit:\n    pass\n"
        "print('mbcalc.render.draw' in sys.modules, 'mbcalc.render.model' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False True"  # the view was made, the drawing code not loaded


def test_a_model_command_starts_without_the_named_commands():
    from mbcalc.cli import COMMANDS
    from mbcalc.cli.commands import COMMANDS as defined

    assert sorted(defined) == sorted(COMMANDS)
    code = (
        "import sys; from mbcalc.cli import cli\n"
        "try:\n    cli.main(['v1', '-f', 'json'])\nexcept SystemExit:\n    pass\n"
        "print('mbcalc.cli.commands' in sys.modules, 'pathlib' in sys.modules, 'fractions' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "False False False"  # each would cost start-up time
