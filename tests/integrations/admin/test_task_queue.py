"""django-q2's models are for superusers only: a schedule can make the worker call any function."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db

Q_MODELS = ("schedule", "success", "failure")


@pytest.fixture
def staff_with_every_django_q_permission(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="django_q"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", Q_MODELS)
def test_staff_with_django_q_permissions_cannot_see_or_change_its_models(
    staff_with_every_django_q_permission, model
):
    client = staff_with_every_django_q_permission
    assert client.get(reverse(f"admin:django_q_{model}_changelist")).status_code == 403
    assert client.get(reverse(f"admin:django_q_{model}_add")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "django_q" not in index and "Task queue" not in index


def test_staff_cannot_schedule_a_function_for_the_worker(staff_with_every_django_q_permission):
    from django_q.models import Schedule

    before = Schedule.objects.count()
    response = staff_with_every_django_q_permission.post(
        reverse("admin:django_q_schedule_add"),
        {"func": "os.system", "args": "'touch /tmp/owned'", "schedule_type": "O", "repeats": "-1"},
    )
    assert response.status_code == 403
    assert Schedule.objects.count() == before


@pytest.mark.parametrize("model", Q_MODELS)
def test_superusers_keep_django_q_pages_for_diagnosis(admin_client_logged_in, model):
    assert (
        admin_client_logged_in.get(reverse(f"admin:django_q_{model}_changelist")).status_code == 200
    )
