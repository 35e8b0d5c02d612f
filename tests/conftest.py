import pytest


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("support", "support@example.com", "pw")
    client.force_login(user)
    return client
