"""Numbers and the AXE cursor are ASCII digits: "+86١٣٩…" (Arabic-Indic digits, which Python's "\\d" matches) is
refused with 1010002 naming the field, as the OpenAPI pattern ``^\\+[1-9][0-9]{2,29}$`` says; it was bound and
echoed back in queries."""

from __future__ import annotations

from huawei_client import AX_URI, AXB_URI, AXE_URI, AXYB_URI, HuaweiClient
from servers import Server, new_users

AREA = "0755"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def foreign_digits(number: str) -> str:
    return number[:3] + number[3:].translate(ARABIC_INDIC)


def refused_naming(client: HuaweiClient, method: str, uri: str, field: str, **kw: object) -> None:
    reply = client.request(method, uri, **kw)
    assert (reply.status, reply.code) == (403, "1010002"), (method, uri, kw, reply)
    assert field in reply.body["resultdesc"], reply


def test_numbers_of_other_digits_are_refused_in_every_mode(server: Server) -> None:
    a, b = new_users(2)
    odd = foreign_digits(a)
    axb, (x,) = server.app("AXB", 1, AREA)
    refused_naming(axb, "POST", AXB_URI, "callerNum", body={"relationNum": x, "callerNum": odd, "calleeNum": b})
    refused_naming(axb, "GET", AXB_URI, "relationNum", query={"relationNum": foreign_digits(x)})
    ax, (x,) = server.app("AX", 1, AREA)
    refused_naming(ax, "POST", AX_URI, "origNum", body={"origNum": odd, "privateNum": x})
    axe, (x,) = server.app("AXE", 1, AREA)
    refused_naming(axe, "POST", AXE_URI, "bindNum", body={"bindNum": odd, "virtualNum": x})
    refused_naming(axe, "GET", "/rest/caas/extendnumber/v2.0", "cursor",
                   query={"virtualNum": x, "cursor": "0000000000000_0".translate(ARABIC_INDIC)})
    axyb, _ = server.app("AXYB", 1, AREA)
    refused_naming(axyb, "POST", AXYB_URI, "origNum", body={"origNum": odd, "areaCode": AREA},
                   query={"app_key": axyb.app_key})
