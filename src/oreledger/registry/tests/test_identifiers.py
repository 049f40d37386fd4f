"""Unified social credit codes and vehicle plates are checked the way GB 32100 and GA 36 say."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from oreledger.registry.identifiers import (
    is_new_energy_plate,
    is_valid_org_code,
    make_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_plate,
    validate_uscc,
)

# Hand computation of the cases below (USCC weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,
# 30,28; alphabet values 0-9 → 0-9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23
# Q24 R25 T26 U27 W28 X29 Y30; organisation code weights 3,7,9,10,5,8,4,2, letters = ord - 55):
#
# A. 9121038112345678 8 + check
#    organisation body 12345678: 1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2
#      = 3 + 14 + 27 + 40 + 25 + 48 + 28 + 16 = 201; 201 mod 11 = 3; 11 - 3 = 8 → '8'.
#    USCC: 9·1 + 1·3 + 2·9 + 1·27 + 0·19 + 3·26 + 8·16 + 1·17 (= 280 for "91210381")
#      + 1·20 + 2·29 + 3·25 + 4·13 + 5·8 + 6·24 + 7·10 + 8·30 + 8·28
#      = 280 + 20 + 58 + 75 + 52 + 40 + 144 + 70 + 240 + 224 = 1203;
#    1203 mod 31 = 1203 - 38·31 = 25; (31 - 25) mod 31 = 6 → '6'.  Code 912103811234567886.
# B. 91210381 00000000 + org check + check
#    organisation body 00000000: sum 0; 11 - 0 = 11 → '0'.
#    USCC: 280 + 0 = 280; 280 mod 31 = 280 - 9·31 = 1; 31 - 1 = 30 → 'Y'.  91210381000000000Y.
# C. 91210381 00000012 + org check + check
#    organisation body 00000012: 1·4 + 2·2 = 8; 11 - 8 = 3 → '3'.
#    USCC: 280 + 1·10 + 2·30 + 3·28 = 280 + 10 + 60 + 84 = 434 = 14·31; (31 - 0) mod 31 = 0
#    → '0'.  Code 912103810000001230.
# D. 91210882 00000006 + org check + check
#    organisation body 00000006: 6·2 = 12; 12 mod 11 = 1; 11 - 1 = 10 → 'X'.
#    USCC: 9·1 + 1·3 + 2·9 + 1·27 + 0·19 + 8·26 + 8·16 + 2·17 = 9+3+18+27+0+208+128+34 = 427;
#      + 6·30 + X(29)·28 = 427 + 180 + 812 = 1419; 1419 mod 31 = 1419 - 45·31 = 24;
#      31 - 24 = 7 → '7'.  Code 9121088200000006X7.
# E. 91110000 60003734 1 + check (the example in python-stdnum's documentation)
#    organisation body 60003734: 6·3 + 0 + 0 + 0 + 3·5 + 7·8 + 3·4 + 4·2 = 18+15+56+12+8 = 109;
#      109 mod 11 = 10; 11 - 10 = 1 → '1'.
#    USCC: 9 + 3 + 9 + 27 + 0 + 0 + 0 + 0 + 6·20 + 0 + 0 + 0 + 3·8 + 7·24 + 3·10 + 4·30 + 1·28
#      = 48 + 120 + 24 + 168 + 30 + 120 + 28 = 538; 538 mod 31 = 538 - 17·31 = 11;
#      31 - 11 = 20 → 'L'.  Code 91110000600037341L.
# F. organisation body MA0Q1234: M22·3 + A10·7 + 0·9 + Q26·10 + 1·5 + 2·8 + 3·4 + 4·2
#      = 66 + 70 + 0 + 260 + 5 + 16 + 12 + 8 = 437; 437 mod 11 = 437 - 39·11 = 8; 11 - 8 = 3 → '3'.


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91210381123456788", "6"),
        ("91210381000000000", "Y"),
        ("91210381000000123", "0"),
        ("9121088200000006X", "7"),
        ("91110000600037341", "L"),
    ],
)
def test_uscc_check_char_matches_hand_computation(first17: str, check: str) -> None:
    # given the first 17 characters of a code computed by hand above
    # when the check character is computed
    # then it is the hand-computed one
    assert uscc_check_char(first17) == check


@pytest.mark.parametrize(
    ("body", "check"),
    [("12345678", "8"), ("00000000", "0"), ("00000012", "3"), ("00000006", "X"),
     ("60003734", "1"), ("MA0Q1234", "3")],
)  # fmt: skip
def test_org_code_check_char_matches_hand_computation(body: str, check: str) -> None:
    # given an organisation code body computed by hand above
    # when its GB 11714 check character is computed
    # then it is the hand-computed one, including the 10 → X and 11 → 0 cases
    assert org_code_check_char(body) == check
    assert is_valid_org_code(body + check) is True


def test_org_code_rejects_wrong_check_and_wrong_length() -> None:
    # given organisation codes with a wrong check character or length
    # when they are checked
    # then they are not valid
    assert is_valid_org_code("123456789") is False
    assert is_valid_org_code("12345678") is False
    assert is_valid_org_code("1234-5678") is False


@pytest.mark.parametrize(
    ("region", "serial", "expected"),
    [
        ("210381", 12345678, "912103811234567886"),
        ("210381", 0, "91210381000000000Y"),
        ("210381", 12, "912103810000001230"),
        ("210882", 6, "9121088200000006X7"),
    ],
)
def test_make_uscc_composes_hand_computed_codes(region: str, serial: int, expected: str) -> None:
    # given a county code and an organisation serial
    # when a code is made
    # then it is the hand-computed one and passes validation unchanged
    code = make_uscc(region, serial)
    assert code == expected
    assert validate_uscc(code) == expected


def test_make_uscc_places_registration_department_and_kind() -> None:
    # given a non-default registration department and organisation kind
    # when a code is made
    # then positions 1 and 2 carry them and the code is valid
    code = make_uscc("210300", 42, registry_dept="5", org_kind="2")
    assert code[:8] == "52210300"
    assert code[8:17] == "00000042" + org_code_check_char("00000042")
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("region", "serial", "dept"),
    [("21038", 1, "9"), ("2103A1", 1, "9"), ("210381", -1, "9"), ("210381", 10**8, "9"),
     ("210381", 1, "I"), ("210381", 1, "99")],
)  # fmt: skip
def test_make_uscc_refuses_impossible_parts(region: str, serial: int, dept: str) -> None:
    # given a malformed region, an out-of-range serial or a bad department character
    # when a code is made
    # then it is a programming error
    with pytest.raises(ValueError):
        make_uscc(region, serial, registry_dept=dept)


def test_uscc_check_char_refuses_wrong_input() -> None:
    # given inputs that are not 17 USCC characters
    # when a check character is asked for
    # then it is a programming error
    with pytest.raises(ValueError):
        uscc_check_char("9121038112345678")
    with pytest.raises(ValueError):
        uscc_check_char("9121038112345678I")


def test_validate_uscc_normalises_case_and_spaces() -> None:
    # given a valid code typed in lower case with surrounding spaces
    # when it is validated
    # then the upper-case, stripped code is returned
    assert validate_uscc("  91110000600037341l \n") == "91110000600037341L"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9121038112345678", "uscc_length"),
        ("9121038112345678860", "uscc_length"),
        ("", "uscc_length"),
        ("91210381I23456788E", "uscc_charset"),
        ("91210381123456788Z", "uscc_charset"),
        ("912103-1123456788E", "uscc_charset"),
        ("91A10381123456788E", "uscc_charset"),
        ("912103811234567887", "uscc_checksum"),
        ("912103811234567786", "uscc_checksum"),
    ],
)
def test_validate_uscc_reports_stable_codes(value: str, code: str) -> None:
    # given a malformed code
    # when it is validated
    # then the error carries the stable code for what is wrong
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    assert caught.value.code == code


def test_validate_uscc_rejects_a_broken_organisation_code() -> None:
    # given a code whose 18th character is right for its first 17, but whose organisation
    # code 12345678 carries check 7 instead of 8
    first17 = "91210381123456787"
    value = first17 + uscc_check_char(first17)
    # when it is validated
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    # then the organisation code check is what fails
    assert caught.value.code == "uscc_org_code"
    assert caught.value.params == {"value": value}


def test_validate_uscc_message_is_english_with_the_value() -> None:
    # given a code with a typing error
    # when it is validated in English
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_uscc("912103811234567887")
        message = caught.value.messages[0]
    # then the message names the code and the reason
    assert message.startswith("912103811234567887 is not a valid unified social credit code")
    assert "check character" in message


@pytest.mark.parametrize(
    ("value", "plate"),
    [
        ("辽C12345", "辽C12345"),
        ("辽CA1B23", "辽CA1B23"),
        ("辽C·12345", "辽C12345"),
        ("辽H 8K563", "辽H8K563"),
        ("  辽k58a12 ", "辽K58A12"),
        ("辽C1234挂", "辽C1234挂"),
        ("辽F·3386挂", "辽F3386挂"),
        ("吉A1234学", "吉A1234学"),
        ("京AD12345", "京AD12345"),
        ("辽CDA1234", "辽CDA1234"),
        ("辽CF12345", "辽CF12345"),
        ("辽C12345D", "辽C12345D"),
        ("辽H·12345F", "辽H12345F"),
    ],
)
def test_validate_plate_accepts_and_normalises(value: str, plate: str) -> None:
    # given a plate as an operator or a camera may type it
    # when it is validated
    # then the stored form has no separator, upper-case letters and no surrounding space
    assert validate_plate(value) == plate


def test_validate_plate_folds_full_width_characters() -> None:
    # given a plate typed with a full-width IME (full-width letter and digits)
    # when it is validated
    # then it is stored in ASCII
    assert validate_plate("辽Ｃ１２３４５") == "辽C12345"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "辽C1234",  # too short
        "辽C123456",  # 6 characters but not a new-energy pattern
        "辽CI2345",  # I is not used
        "辽C12O45",  # O is not used
        "辽I12345",  # nor as authority letter
        "辽112345",  # authority must be a letter
        "台A12345",  # not a mainland province abbreviation
        "AC12345",  # no province at all
        "辽C123挂4",  # 挂 only in last place
        "辽C12345挂",  # trailer plates have 5 characters
        "辽CD1A234",  # small NEV: 4 digits after the second place
        "辽C1234D5",  # large NEV: D/F last
        "辽C12345G",  # G is not a new-energy marker
        "辽C··12345",  # one separator only
        "辽C1234 5",  # a separator only after the authority letter
    ],
)
def test_validate_plate_rejects(value: str) -> None:
    # given a string that is not a mainland plate
    # when it is validated
    # then the error carries code plate_format
    with pytest.raises(ValidationError) as caught:
        validate_plate(value)
    assert caught.value.code == "plate_format"


def test_validate_plate_message_is_english_with_the_value() -> None:
    # given a plate that is too short
    # when it is validated in English
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_plate("辽C·1234")
        message = caught.value.messages[0]
    # then the message names the normalised value
    assert message.startswith("辽C1234 is not a mainland vehicle plate")
    assert caught.value.params == {"value": "辽C1234"}


def test_is_new_energy_plate() -> None:
    # given ordinary and new-energy plates
    # when asked whether they are new-energy plates
    # then only the 8-character D/F forms are
    assert is_new_energy_plate("辽C12345D") is True
    assert is_new_energy_plate("辽CD12345") is True
    assert is_new_energy_plate("辽C12345") is False
    assert is_new_energy_plate("辽C1234挂") is False
