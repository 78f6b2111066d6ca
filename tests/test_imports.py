"""The modules of zarr/ form a tree: no module imports, even lazily, one that imports it."""

import ast
import os

import zarr

PACKAGE = os.path.dirname(zarr.__file__)


def _module_name(path):
    rel = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].replace(os.sep, ".")
    return rel[:-len(".__init__")] if rel.endswith(".__init__") else rel


def _modules():
    found = {}
    for dirpath, dirnames, filenames in os.walk(PACKAGE):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
        for name in filenames:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                found[_module_name(path)] = path
    return found


def _imports(path, name, modules):
    """The modules of the package that ``path`` imports, anywhere in its code."""
    is_package = path.endswith("__init__.py")
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [module + "." + alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            # The closest module of the package that the name is or is in.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != "zarr" and target != name:
                found.add(target)
    return found


def import_graph():
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()
            if name != "zarr"}


def _cycle(graph):
    """One cycle of the graph as a list of modules, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            # A package's __init__ importing its own submodules, and they the
            # package's other submodules, is the package, not a cycle.
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_modules_form_a_tree():
    graph = import_graph()
    assert "zarr.core" in graph and "zarr.storage" in graph["zarr.core"]
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _cycle({"p": {"p.x"}, "p.x": {"p.y"}, "p.y": set()}) is None
