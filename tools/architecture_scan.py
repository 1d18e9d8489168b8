"""Scan the packages' imports and sizes: imports against the layers, import circles, the largest
modules and functions. Run from a project root: `python tools/architecture_scan.py [ROOT]`; exit 1 when
an import runs against the layers, a circle exists, or a limit is passed.

Every import counts, also those inside functions (a deferred import dodges a circle at run time, not in
the design). Tests, benchmarks and tools are left out: they may reach any layer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGES = ("citeline", "dashboard", "flows", "evaluation", "expectations", "warehouse", "extract", "transform")
# Rank of each layer, top (shell) to bottom (core); a module may import its own layer's package or lower.
# Packages sharing a rank are independent peers: neither may import the other.
SHELL, RUN, GATE, WAREHOUSE, PARTS, CORE = 5, 4, 3, 2, 1, 0
# Before issue 25 the core's modules sat directly in citeline/: counted as core under either layout.
CORE_MODULES = ("citeline.core", "citeline.errors", "citeline.paths", "citeline.progress", "citeline.stage_clock")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def layer_of(module: str) -> tuple[int, str]:
    """(rank, package) of a module of the project."""
    if module == "citeline" or any(module == core or module.startswith(core + ".") for core in CORE_MODULES):
        return CORE, "core"
    package = module.split(".")[0]
    rank = {"citeline": SHELL, "dashboard": SHELL, "flows": RUN, "evaluation": RUN, "expectations": GATE,
            "warehouse": WAREHOUSE, "extract": PARTS, "transform": PARTS}[package]
    return rank, package


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: dict[str, Path]) -> list[tuple[int, str]]:
    """(line, imported project module) for every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.append((node.lineno, name))
                break  # `from a.b import c`: the submodule c if it is one, else a.b
    return found


def against_layers(graph: dict[str, list[tuple[int, str]]], known: dict[str, Path], root: Path) -> list[str]:
    wrong = []
    for module, imported in graph.items():
        rank, package = layer_of(module)
        for line, target in imported:
            to_rank, to_package = layer_of(target)
            if to_rank > rank or (to_rank == rank and to_package != package and rank != CORE):
                wrong.append(f"{known[module].relative_to(root)}:{line} {module} -> {target}")
    return wrong


def circles(graph: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _line, target in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def longest_functions(known: dict[str, Path], root: Path, top: int = 5) -> list[tuple[int, str]]:
    sizes = []
    for path in known.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                sizes.append((node.end_lineno - node.lineno + 1, f"{path.relative_to(root)}:{node.lineno} {node.name}"))
    return sorted(sizes, reverse=True)[:top]


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    sys.setrecursionlimit(10_000)
    known = modules(root)
    graph = {module: imports_of(module, path, known) for module, path in known.items()}
    wrong = against_layers(graph, known, root)
    loops = circles(graph)
    largest = sorted(((len(path.read_text(encoding="utf-8").splitlines()), str(path.relative_to(root))) for path in known.values()),
                     reverse=True)[:5]
    functions = longest_functions(known, root)
    print(f"imports against the layers: {len(wrong)}")
    for line in wrong:
        print(f"  {line}")
    print(f"import circles: {len(loops)}")
    for loop in loops:
        print("  " + " <-> ".join(loop))
    print("largest modules (lines): " + ", ".join(f"{path} {n}" for n, path in largest))
    print("longest functions (lines): " + ", ".join(f"{where} {n}" for n, where in functions))
    over = largest[0][0] > MAX_MODULE_LINES or functions[0][0] > MAX_FUNCTION_LINES
    return 1 if wrong or loops or over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
