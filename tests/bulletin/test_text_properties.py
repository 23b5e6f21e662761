"""Whatever text a circular carries: never a 500, no control character stored, the rest kept."""

import pytest
from defusedxml import ElementTree as ET
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings

from bulletin.models import Circular
from common.text import has_control_characters, strip_control_characters
from tests.text_strategies import typed_text

from .conftest import publish

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(title=typed_text, body=typed_text, title_en=typed_text)
def test_any_circular_text_round_trips_without_its_control_characters(
    client, hq_user, title, body, title_en
):
    cleaned = {
        "title_ja": strip_control_characters(title).strip(),
        "title_en": strip_control_characters(title_en).strip(),
        "body_ja": strip_control_characters(body).strip(),
    }
    try:
        circular = publish(hq_user, title_ja=title, title_en=title_en, body_ja=body)
    except ValidationError as error:
        # Only what is empty once cleaned is refused, with a message for that field.
        assert set(error.message_dict) <= {"title_ja", "body_ja"}
        assert all(not cleaned[field] for field in error.message_dict)
        return
    stored = Circular.objects.get(pk=circular.pk)
    for field, value in cleaned.items():
        assert getattr(stored, field) == value
        assert not has_control_characters(getattr(stored, field))
    assert not has_control_characters(stored.body_html)
    assert client.get(f"/circulars/{stored.number}/").status_code == 200
    response = client.get("/circulars/feed/")
    assert response.status_code == 200
    ET.fromstring(response.content)
