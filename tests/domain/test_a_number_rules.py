"""A-number registration rules (A号码报备), without I/O: the ID check character, number forms per type, masks."""

from __future__ import annotations

import pytest

from privnum.domain.a_numbers import (
    NumberType,
    check_registration,
    identity_card_is_valid,
    mask_identity_card,
    mask_name,
    mask_number,
)
from privnum.domain.management_errors import Invalid

ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_check_character_of_gb_11643():
    assert identity_card_is_valid(ID)
    assert identity_card_is_valid("440308199001011239")
    assert not identity_card_is_valid("440308199001011238")  # one digit off
    assert not identity_card_is_valid("11010519491231002")  # 17 characters
    assert not identity_card_is_valid("01010519491231002X")  # no region starts with 0
    assert not identity_card_is_valid("1101051949123100XX")


def test_a_mobile_registration_keeps_only_the_masked_id():
    registration = check_registration("+8613800000001", 1, " 张三 ", ID.lower(), "zhang.jpg", None)
    assert registration.number_type is NumberType.MOBILE and registration.name == "张三"
    assert registration.identity_card_masked == "110105********002X"
    assert ID not in repr(registration)


@pytest.mark.parametrize(("number", "kind", "operator", "field"), [
    ("+8675528000000", 1, None, "number"),  # a fixed line sent as a mobile
    ("+8613800000001", 2, "+8613900000002", "number"),  # a mobile sent as a fixed line
    ("+8675528000000", 2, None, "operator_number"),  # a fixed line needs its handler's mobile
    ("+8675528000000", 2, "+8675528000001", "operator_number"),
    ("+8613800000001", 3, None, "number_type"),
    ("8613800000001", 1, None, "number"),
])
def test_number_form_follows_the_number_type(number, kind, operator, field):
    with pytest.raises(Invalid) as refused:
        check_registration(number, kind, "李四", ID, "li.png", operator)
    assert refused.value.field == field


def test_a_fixed_line_is_registered_by_its_handler():
    registration = check_registration("+861088000000", 2, "王五", ID, "wang.PNG", "+8613900000002")
    assert registration.number_type is NumberType.FIXED and registration.operator_number == "+8613900000002"


@pytest.mark.parametrize(("name", "card", "image", "field"), [
    ("", ID, "a.jpg", "name"),
    ("x" * 51, ID, "a.jpg", "name"),
    ("a\x00b", ID, "a.jpg", "name"),
    ("赵六", "110105194912310021", "a.jpg", "identity_card"),
    ("赵六", ID, "a.gif", "live_face_image"),
    ("赵六", ID, "x" * 61 + ".jpg", "live_face_image"),
    ("赵六", ID, "../a.jpg", "live_face_image"),
])
def test_bad_fields_are_named(name, card, image, field):
    with pytest.raises(Invalid) as refused:
        check_registration("+8613800000001", 1, name, card, image, None)
    assert refused.value.field == field


def test_masks():
    assert mask_identity_card(ID) == "110105********002X"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_number("+8613800000021") == "+86138****0021"


def test_a_photo_is_the_jpeg_or_png_its_name_says_and_under_32_kb():
    from privnum.domain.a_numbers import photo_problem

    jpeg, png = b"\xff\xd8\xff\xe0rest", b"\x89PNG\r\n\x1a\nrest"
    assert photo_problem("a.jpg", jpeg) is None and photo_problem("B.PNG", png) is None
    assert "JPG" in (photo_problem("a.jpg", png) or "")
    assert "32 KB" in (photo_problem("a.jpg", jpeg + b"\0" * 32 * 1024) or "")
    assert photo_problem("a.jpg", b"") == "the file is empty"
    assert photo_problem("a.jpeg", jpeg) is not None and photo_problem("", jpeg) is not None
