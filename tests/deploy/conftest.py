"""One wheel build and one venv for every test here (about 15 s with a warm pip cache).
Tests that use it are marked `packaging`: `pytest -m 'not packaging'` leaves them out."""

import pytest

from tests.deploy.installed import Installed, build_and_install


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return build_and_install(tmp_path_factory.mktemp("installed"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "installed" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.packaging)
