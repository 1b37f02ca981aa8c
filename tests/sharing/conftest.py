"""The lending structure, its lender and a tablet kit shared by the sharing tests."""

import pytest

from tests.factories import OrganisationFactory
from tests.sharing.factories import lender, make_item


@pytest.fixture
def org():
    return OrganisationFactory(name="Médiathèque des Tilleuls")


@pytest.fixture
def owner(org):
    return lender(org)


@pytest.fixture
def item(org):
    return make_item(org)
