"""The provider never imports the local Personalize service: each is an independent model of the AWS API,
so that a mistake in one is caught by the other (its tests, demo and benchmarks may use the emulator)."""

import grimp


def test_the_provider_imports_nothing_of_the_emulator() -> None:
    graph = grimp.build_graph("airflow_provider_personalize", include_external_packages=True, cache_dir=None)
    emulator = "personalize_emulator"
    importers = graph.find_modules_that_directly_import(emulator) if emulator in graph.modules else set()
    assert importers == set()
