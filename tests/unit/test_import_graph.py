"""The provider's import graph: no cycle between modules, and the direction of its layers.

The graph is grimp's: every import statement of every module, those inside functions and under
``if TYPE_CHECKING`` included, so that a cycle moved into a function body is still a cycle. Layers, from
the top: operators and sensors (independent of each other) -> lineage -> the trigger -> hooks -> the wait
contract (``waits``) -> the table of kinds (``resources``). A module imports only from the layers below.
"""

import graphlib

import grimp
import pytest

PACKAGE = "airflow_provider_personalize"
LAYERS = (
    grimp.Layer(f"{PACKAGE}.operators", f"{PACKAGE}.sensors", independent=True),
    grimp.Layer(f"{PACKAGE}.lineage"),
    grimp.Layer(f"{PACKAGE}.triggers"),
    grimp.Layer(f"{PACKAGE}.hooks"),
    grimp.Layer(f"{PACKAGE}.waits"),
    grimp.Layer(f"{PACKAGE}.resources"),
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail(f"import cycle: {' <- '.join(cycle.args[1])}")


def test_layers_import_downwards_only(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS)
    assert sorted(f"{dependency.importer} -> {dependency.imported}" for dependency in illegal) == []
