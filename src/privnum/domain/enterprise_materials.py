"""An enterprise's qualification materials (企业资质材料) as files: which kinds there are, which a submission
needs, and what each kind accepts (Huawei: licence and ID images jpg/bmp/png/gif/pdf ≤ 2 MB; other materials
also zip/rar, ≤ 20 MB). A file's type is read from its first bytes, never from its name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.management_errors import Invalid

MB = 1024 * 1024


class MaterialKind(StrEnum):
    LICENCE = "licence"  # 营业执照
    LEGAL_ID_FRONT = "legal_id_front"  # 法人身份证人像面
    LEGAL_ID_BACK = "legal_id_back"  # 法人身份证国徽面
    HANDLER_HOLDING_ID = "handler_holding_id"  # 经办人手持身份证
    CARRIER_AUTHORIZATION = "carrier_authorization"  # 业务承载方授权委托书 (carrier of a third party)
    BUSINESS_AUTHORIZATION = "business_authorization"  # 业务办理授权书 (has a validity date)
    APPLICATION_LETTER = "application_letter"  # 申请函
    OTHER = "other"  # 其他材料 (several files merged into one archive)


REQUIRED = (MaterialKind.LICENCE, MaterialKind.LEGAL_ID_FRONT, MaterialKind.LEGAL_ID_BACK,
            MaterialKind.HANDLER_HOLDING_ID, MaterialKind.BUSINESS_AUTHORIZATION)

# file type -> (content type, the first bytes of such a file)
SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "bmp": ("image/bmp", (b"BM",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "zip": ("application/zip", (b"PK\x03\x04", b"PK\x05\x06")),
    "rar": ("application/vnd.rar", (b"Rar!\x1a\x07",)),
}
DOCUMENT_TYPES = ("jpg", "bmp", "png", "gif", "pdf")


@dataclass(frozen=True)
class MaterialRule:
    types: tuple[str, ...]
    max_bytes: int


def rule_for(kind: MaterialKind) -> MaterialRule:
    if kind is MaterialKind.OTHER:
        return MaterialRule((*DOCUMENT_TYPES, "zip", "rar"), 20 * MB)
    return MaterialRule(DOCUMENT_TYPES, 2 * MB)


def parse_kind(value: str) -> MaterialKind:
    try:
        return MaterialKind(value)
    except ValueError:
        raise Invalid("invalid_material_kind", f"a material kind is one of {', '.join(MaterialKind)}",
                      field="kind") from None


def sniff(head: bytes) -> str | None:
    """The file type whose signature ``head`` starts with, or None."""
    for file_type, (_content_type, signatures) in SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            return file_type
    return None


def check_material(kind: MaterialKind, data: bytes) -> str:
    """The content type of an acceptable file of ``kind``, or Invalid (too large, empty, or of a type the kind
    does not take)."""
    rule = rule_for(kind)
    if len(data) > rule.max_bytes:
        raise Invalid("file_too_large", f"a {kind.value} file has at most {rule.max_bytes // MB} MB; compress it or "
                      "scan it at a lower resolution", field="file")
    if not data:
        raise Invalid("file_empty", "the file is empty", field="file")
    file_type = sniff(data[:16])
    if file_type not in rule.types:
        raise Invalid("file_type_not_allowed", f"a {kind.value} file is one of {', '.join(rule.types)} (read from "
                      "its content, not its name)", field="file")
    return SIGNATURES[file_type][0]


def missing_materials(present: Iterable[MaterialKind], carrier_is_third_party: bool) -> list[MaterialKind]:
    """The kinds a submission still needs, in the order of Huawei's list."""
    needed = [*REQUIRED, MaterialKind.CARRIER_AUTHORIZATION] if carrier_is_third_party else list(REQUIRED)
    have = set(present)
    return [kind for kind in needed if kind not in have]
