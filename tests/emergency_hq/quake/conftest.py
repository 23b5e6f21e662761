import pytest

from tests.emergency_hq.quake.helpers import build_quake_market


@pytest.fixture
def quake_market(db):
    return build_quake_market()


@pytest.fixture
def reporter_tokyo(quake_market):
    from tests import factories

    return factories.user("reporter_tokyo", role="reporter", organization=quake_market["TOKYO-A"])


@pytest.fixture
def reporter_osaka(quake_market):
    from tests import factories

    return factories.user("reporter_osaka", role="reporter", organization=quake_market["OSAKA-C"])
