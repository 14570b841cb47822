import pytest

from jardam import Jardam, Receiver


@pytest.fixture
def make_jardam():
    made = []

    def make(**overrides):
        j = Jardam(**overrides)
        made.append(j)
        return j

    yield make
    for j in made:
        j.stop()


@pytest.fixture
def jardam(make_jardam):
    return make_jardam()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
