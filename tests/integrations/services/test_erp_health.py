import pytest

from integrations.models import Connection
from integrations.services.erp_health import erp_health_check
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_erp_check_is_stored_with_its_time():
    connection = factories.ConnectionFactory(adapter_key="demo", adapter_settings={"tenant": "t"})
    status = erp_health_check(connection=connection)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.erp_health == str(status.state) != "unknown"
    assert stored.erp_health_message == status.message and stored.erp_health_checked_at


def test_an_offline_or_missing_adapter_is_failing_with_the_reason():
    offline = factories.ConnectionFactory(adapter_key="demo", adapter_settings={"offline": True})
    assert erp_health_check(connection=offline).message.startswith("The demo ERP is offline")
    assert Connection.objects.get(pk=offline.pk).erp_health == "failing"
    unknown = factories.ConnectionFactory(adapter_key="no-such-erp")
    assert erp_health_check(connection=unknown).state == "failing"
    none = factories.ConnectionFactory(adapter_key="")
    assert "No ERP adapter" in erp_health_check(connection=none).message
