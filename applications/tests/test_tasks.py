"""The retention job through a real Celery worker on Redis (the body: test_services.py)."""

import datetime

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from applications.tasks import erase_rejected_applications
from applications.tests.factories import ApplicationFactory


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_retention_task_through_a_real_worker_on_redis(celery_worker):
    old = ApplicationFactory(
        status=ApplicationStatus.REJECTED,
        reject_reason="不符合条件",
        decided_at=timezone.now() - datetime.timedelta(days=181),
    )
    pending = ApplicationFactory()
    assert erase_rejected_applications.delay().get(timeout=60) == 1
    assert erase_rejected_applications.delay().get(timeout=60) == 0
    assert Application.objects.get(pk=old.pk).name == ""
    assert Application.objects.get(pk=pending.pk).name == pending.name
