"""The package's import graph: no cycle between modules, and the layers' direction.

The graph is grimp's (the engine of import-linter): it reads every import statement of every module,
those inside functions and under ``if TYPE_CHECKING`` included, so that a cycle moved into a function body
is still a cycle here. Layers, from the top: ``harness`` (moto plumbing, ways to run the service) ->
``service`` (the moto service) -> ``engine`` (pure data work). The engine imports no moto, and nothing of the
package imports Airflow or the provider: the emulator is an independent model of the AWS service.
"""

import ast
import graphlib
from pathlib import Path

import grimp
import pytest

PACKAGE = "personalize_emulator"
LAYERS = ("harness", "service", "engine")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


def package_modules(graph: grimp.ImportGraph) -> set[str]:
    return {module for module in graph.modules if module == PACKAGE or module.startswith(f"{PACKAGE}.")}


def test_no_module_imports_its_way_back_to_itself(graph: grimp.ImportGraph) -> None:
    modules = package_modules(graph)
    imports = {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail(f"import cycle: {' <- '.join(cycle.args[1])}")


def test_layers_import_downwards_only(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={PACKAGE})
    described = [
        f"{dependency.importer} -> {dependency.imported}, as "
        + "; ".join(
            " -> ".join([min(route.heads), *route.middle, min(route.tails)]) for route in dependency.routes
        )
        for dependency in illegal
    ]
    assert described == []


def test_the_engine_imports_no_moto(graph: grimp.ImportGraph) -> None:
    engine = [module for module in package_modules(graph) if module.startswith(f"{PACKAGE}.engine")]
    assert engine, "no engine modules found"
    assert [module for module in engine if "moto" in graph.find_upstream_modules(module)] == []


@pytest.mark.parametrize("forbidden", ["airflow", "airflow_provider_personalize"])
def test_nothing_imports_airflow_or_the_provider(graph: grimp.ImportGraph, forbidden: str) -> None:
    importers = graph.find_modules_that_directly_import(forbidden) if forbidden in graph.modules else set()
    assert importers == set()


def test_the_tests_import_neither_airflow_nor_the_provider() -> None:
    offenders = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.name}:{getattr(node, 'lineno', '?')} {name}"
                for name in names
                if name.split(".")[0] in ("airflow", "airflow_provider_personalize")
            ]
    assert offenders == []
