"""Identifiers of the registry: unified social credit codes (USCC) and vehicle plates."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_LENGTH = 18
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_BODY_LENGTH = 8
ORG_CODE_SERIAL_LIMIT = 10**ORG_CODE_BODY_LENGTH

_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
_ORG_CODE_BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_SPECIAL_SUFFIXES = "挂学警港澳"
# A dot or a space between the issuing authority and the serial is how plates are printed.
_PLATE_SEPARATORS = "·•・‧. "

_P = f"[{PLATE_PROVINCES}]"
_L = f"[{PLATE_LETTERS}]"
_A = f"[0-9{PLATE_LETTERS}]"
_ORDINARY_PLATE = re.compile(f"{_P}{_L}{_A}{{4}}(?:{_A}|[{PLATE_SPECIAL_SUFFIXES}])")
_SMALL_NEW_ENERGY_PLATE = re.compile(f"{_P}{_L}[DF]{_A}[0-9]{{4}}")
_LARGE_NEW_ENERGY_PLATE = re.compile(f"{_P}{_L}[0-9]{{5}}[DF]")


def org_code_check_char(body: str) -> str:
    """Check character of a GB 11714 organisation code for its 8-character body."""
    if len(body) != ORG_CODE_BODY_LENGTH or any(c not in _ORG_CODE_BODY_CHARS for c in body):
        raise ValueError(f"organisation code body must be 8 digits or letters: {body!r}")
    total = sum(
        _ORG_CODE_BODY_CHARS.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def is_valid_org_code(code: str) -> bool:
    """Whether a 9-character organisation code carries its GB 11714 check character."""
    if len(code) != ORG_CODE_BODY_LENGTH + 1:
        return False
    body, check = code[:ORG_CODE_BODY_LENGTH], code[ORG_CODE_BODY_LENGTH]
    if any(c not in _ORG_CODE_BODY_CHARS for c in body):
        return False
    return org_code_check_char(body) == check


def uscc_check_char(first17: str) -> str:
    """Check character (18th) of a unified social credit code for its first 17 characters."""
    if len(first17) != USCC_LENGTH - 1 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError(f"need 17 characters of the USCC alphabet: {first17!r}")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised unified social credit code, or raise ValidationError."""
    code = str(value).strip().upper()
    params = {"value": code}
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            _("%(value)s is not a unified social credit code: it must have 18 characters."),
            code="uscc_length",
            params=params,
        )
    if any(c not in _USCC_VALUES for c in code):
        raise ValidationError(
            _(
                "%(value)s is not a unified social credit code: only digits and the letters "
                "A–Y except I, O, S, V and Z are allowed."
            ),
            code="uscc_charset",
            params=params,
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _(
                "%(value)s is not a unified social credit code: characters 3 to 8 are the "
                "region code and must be digits."
            ),
            code="uscc_charset",
            params=params,
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: the check character "
                "does not match (is there a typing error?)."
            ),
            code="uscc_checksum",
            params=params,
        )
    if not is_valid_org_code(code[8:17]):
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: its organisation code "
                "(characters 9 to 17) fails the GB 11714 check."
            ),
            code="uscc_org_code",
            params=params,
        )
    return code


def make_uscc(
    region_code: str, serial: int, *, registry_dept: str = "9", org_kind: str = "1"
) -> str:
    """Compose a valid unified social credit code for an organisation serial in a region."""
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"region code must be 6 digits: {region_code!r}")
    if not 0 <= serial < ORG_CODE_SERIAL_LIMIT:
        raise ValueError(f"serial must be in [0, {ORG_CODE_SERIAL_LIMIT}): {serial}")
    for part in (registry_dept, org_kind):
        if len(part) != 1 or part not in _USCC_VALUES:
            raise ValueError(f"registration department and kind are one USCC character: {part!r}")
    body = f"{serial:08d}"
    first17 = f"{registry_dept}{org_kind}{region_code}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def normalise_plate(value: str) -> str:
    """Plate in its stored form: no surrounding spaces, no dot after the authority letter."""
    plate = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if len(plate) > 2 and plate[2] in _PLATE_SEPARATORS:
        plate = plate[:2] + plate[3:]
    return plate


def validate_plate(value: str) -> str:
    """Return the normalised mainland vehicle plate, or raise ValidationError."""
    plate = normalise_plate(value)
    for pattern in (_ORDINARY_PLATE, _SMALL_NEW_ENERGY_PLATE, _LARGE_NEW_ENERGY_PLATE):
        if pattern.fullmatch(plate):
            return plate
    raise ValidationError(
        _(
            "%(value)s is not a mainland vehicle plate: expected a province abbreviation, "
            "an authority letter and 5 characters (6 for new-energy vehicles), e.g. 辽C12345."
        ),
        code="plate_format",
        params={"value": plate},
    )


def is_new_energy_plate(plate: str) -> bool:
    """Whether a normalised plate is an 8-character new-energy plate."""
    return bool(
        _SMALL_NEW_ENERGY_PLATE.fullmatch(plate) or _LARGE_NEW_ENERGY_PLATE.fullmatch(plate)
    )
