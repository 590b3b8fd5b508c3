import pytest
from django.contrib.auth import get_user_model

from certificates.models import Certificate
from certificates.tests.factories import issued_certificate
from demo.tests.test_seed_demo import seed


@pytest.mark.django_db
def test_the_demo_resets_with_a_certificate_issued():
    """Certificates protect their member and team: the demo's reset deletes them first."""
    seed()
    volunteer = get_user_model().objects.get(username="volunteer")
    issued_certificate(volunteer.member)
    seed(reset=True)
    assert not Certificate.objects.exists()
    assert get_user_model().objects.get(username="volunteer").member is not None
