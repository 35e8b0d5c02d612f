"""Object links: one per origin id, per company and item type, enforced by the database."""

import pytest
from django.db import IntegrityError, transaction

from integrations.models import ItemType
from tests.factories import ObjectLinkFactory

pytestmark = pytest.mark.django_db


def test_second_object_link_with_same_origin_is_refused_by_the_database():
    link = ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="V-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectLinkFactory(company=link.company, item_type=ItemType.VENDOR, origin_id="V-1")


def test_same_origin_id_is_fine_for_another_type_or_company():
    link = ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="X-1")
    ObjectLinkFactory(company=link.company, item_type=ItemType.PROJECT, origin_id="X-1")
    ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="X-1")
