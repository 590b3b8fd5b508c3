import pytest

from volunteer_site.ids import posted_ids


def test_ascii_ids_are_read_in_order_without_repeats():
    assert posted_ids(["12", "3", "12", "007"]) == ([12, 3, 7], [])


@pytest.mark.parametrize(
    "value", ["²", "¹²", "٣", "١٢", "①", "１", "", " 1", "1.0", "-1", "9" * 19, "9" * 5000, "1\x00"]
)
def test_anything_else_is_set_aside(value):
    assert posted_ids(["5", value]) == ([5], [value])
