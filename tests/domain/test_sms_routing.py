"""SMS routing, every row of docs/contract/sms.md "Rules" (checks in order, the first that applies decides):
no app 2, suspended 4, frozen 1, not available 3, no SMS (AXE, app switch, number, binding) 11; AXB A↔B from
X, others 2; AX A ``@B`` to B (suffix stripped, counted), A without a suffix asks the customer, others reach A
marked ``[From…]``, no binding 2; AXYB B→X reaches A from B's Y (X without one), A→Y reaches B from X, else 2;
X mode always asks. Directions: 0 someone → A, 1 A → someone, 2 unknown."""

from __future__ import annotations

import dataclasses

import pytest

from builders import A2, B2, OTHER_APP_ID, X2, A, B, C, X, Y, app, binding, private_number
from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole, NumberState, PrivateNumber
from privnum.domain.sms.results import SendResult
from privnum.domain.sms.routing import AskCustomer, Deliver, Drop, SmsDecision, SmsFacts, route_sms
from privnum.domain.sms.segments import segment_count

TEXT = "hello"


def sms_app(mode: Mode, *, sms: bool = True, suspended: bool = False) -> App:
    return dataclasses.replace(app(mode, suspended=suspended), sms_enabled=sms)


def route(sender: str, *, mode: Mode, text: str = TEXT, to: str = X, the_app: App | None = None,
          number: PrivateNumber | None = None, bindings: list[Binding] | None = None,
          related: dict[str, list[Binding]] | None = None, parents: dict[str, Binding] | None = None) -> SmsDecision:
    """``sender`` texts ``to`` (an available, SMS-capable number of an SMS-enabled ``mode`` app unless given)."""
    return route_sms(SmsFacts(sender=sender, x=to, text=text, app=the_app if the_app is not None else sms_app(mode),
                              number=number if number is not None else private_number(to), bindings=bindings or [],
                              yb_relations_of_x=related or {}, x_relations_of_y=parents or {}))


def sent(receiver: str, direction: int, binding: Binding | None, *, text: str = TEXT, from_number: str = X,
         segments: int = 1, user_data: str | None = None) -> Deliver:
    return Deliver(receiver=receiver, from_number=from_number, text=text, direction=direction, segments=segments,
                   binding=binding, user_data=user_data)


# --- before the mode: who owns X and in what state ------------------------------------------------------------

def test_an_unknown_number_is_2() -> None:
    assert route_sms(SmsFacts(A, X, TEXT, sms_app(Mode.AXB), None)) == Drop(SendResult.NO_BINDING)


def test_a_number_without_an_app_is_2() -> None:
    assert route_sms(SmsFacts(A, X, TEXT, None, private_number(app_id=None))) == Drop(SendResult.NO_BINDING)


def test_a_number_of_another_app_is_2() -> None:
    number = private_number(app_id=OTHER_APP_ID)
    assert route_sms(SmsFacts(A, X, TEXT, sms_app(Mode.AXB), number)) == Drop(SendResult.NO_BINDING)


def test_a_suspended_app_is_4() -> None:
    axb = binding(Mode.AXB, X, A, B)
    assert route(A, mode=Mode.AXB, the_app=sms_app(Mode.AXB, suspended=True), bindings=[axb]) == Drop(
        SendResult.APP_NOT_COMMERCIAL)


def test_suspension_is_checked_before_the_number_state() -> None:
    assert route(A, mode=Mode.AXB, the_app=sms_app(Mode.AXB, suspended=True),
                 number=private_number(state=NumberState.FROZEN)) == Drop(SendResult.APP_NOT_COMMERCIAL)


def test_a_frozen_number_is_1() -> None:
    axb = binding(Mode.AXB, X, A, B)
    assert route(A, mode=Mode.AXB, number=private_number(state=NumberState.FROZEN), bindings=[axb]) == Drop(
        SendResult.ACCOUNT_FROZEN)


def test_frozen_is_checked_before_sms_capability() -> None:
    assert route(A, mode=Mode.AXE, number=private_number(state=NumberState.FROZEN)) == Drop(
        SendResult.ACCOUNT_FROZEN)


@pytest.mark.parametrize("state", [NumberState.UNAVAILABLE, NumberState.BLACKLISTED])
def test_a_number_not_available_is_3(state: NumberState) -> None:
    axb = binding(Mode.AXB, X, A, B)
    assert route(A, mode=Mode.AXB, number=private_number(state=state), bindings=[axb]) == Drop(
        SendResult.NUMBER_SUSPENDED)


def test_unavailable_is_checked_before_sms_capability() -> None:
    assert route(A, mode=Mode.AXB, the_app=sms_app(Mode.AXB, sms=False),
                 number=private_number(state=NumberState.UNAVAILABLE)) == Drop(SendResult.NUMBER_SUSPENDED)


# --- no SMS: 11 --------------------------------------------------------------------------------------------------

def test_axe_has_no_sms() -> None:
    axe = binding(Mode.AXE, X, A, extension="1234")
    assert route(C, mode=Mode.AXE, bindings=[axe]) == Drop(SendResult.NO_SMS_CAPABILITY)


@pytest.mark.parametrize("mode", [Mode.AXB, Mode.AX, Mode.AXYB, Mode.X])
def test_an_app_with_sms_switched_off_is_11(mode: Mode) -> None:
    assert route(A, mode=mode, the_app=sms_app(mode, sms=False), bindings=[binding(mode, X, A, B)]) == Drop(
        SendResult.NO_SMS_CAPABILITY)


@pytest.mark.parametrize("mode", [Mode.AXB, Mode.AX, Mode.AXYB, Mode.X])
def test_a_number_without_sms_capability_is_11(mode: Mode) -> None:
    number = dataclasses.replace(private_number(), sms_capable=False)
    assert route(A, mode=mode, number=number, bindings=[binding(mode, X, A, B)]) == Drop(
        SendResult.NO_SMS_CAPABILITY)


def test_an_axb_binding_without_private_sms_is_11_both_ways() -> None:
    axb = binding(Mode.AXB, X, A, B, private_sms=False)
    assert route(A, mode=Mode.AXB, bindings=[axb]) == Drop(SendResult.NO_SMS_CAPABILITY, axb)
    assert route(B, mode=Mode.AXB, bindings=[axb]) == Drop(SendResult.NO_SMS_CAPABILITY, axb)


@pytest.mark.parametrize(("sender", "text"), [(A, "hi @13900000002"), (A, "no suffix"), (C, TEXT)])
def test_an_ax_binding_without_private_sms_is_11_whoever_sends(sender: str, text: str) -> None:
    ax = binding(Mode.AX, X, A, private_sms=False)
    assert route(sender, mode=Mode.AX, text=text, bindings=[ax]) == Drop(SendResult.NO_SMS_CAPABILITY, ax)


def test_private_sms_true_or_unset_allows_sms() -> None:
    for axb in (binding(Mode.AXB, X, A, B, private_sms=True), binding(Mode.AXB, X, A, B)):
        assert route(A, mode=Mode.AXB, bindings=[axb]) == sent(B, 1, axb)


# --- AXB -----------------------------------------------------------------------------------------------------------

def test_axb_a_reaches_b_from_x_direction_1() -> None:
    axb = binding(Mode.AXB, X, A, B)
    assert route(A, mode=Mode.AXB, bindings=[axb]) == sent(B, 1, axb)


def test_axb_b_reaches_a_from_x_direction_0() -> None:
    axb = binding(Mode.AXB, X, A, B)
    assert route(B, mode=Mode.AXB, bindings=[axb]) == sent(A, 0, axb)


def test_axb_a_stranger_is_2() -> None:
    assert route(C, mode=Mode.AXB, bindings=[]) == Drop(SendResult.NO_BINDING)
    assert route(C, mode=Mode.AXB, bindings=[binding(Mode.AXB, X, A, B)]) == Drop(SendResult.NO_BINDING)


def test_axb_the_text_is_forwarded_unchanged_and_counted() -> None:
    axb = binding(Mode.AXB, X, A, B)
    text = "中" * 71
    assert route(A, mode=Mode.AXB, text=text, bindings=[axb]) == sent(B, 1, axb, text=text, segments=2)


def test_axb_user_data_comes_from_the_binding() -> None:
    axb = binding(Mode.AXB, X, A, B, user_data="order-42")
    assert route(B, mode=Mode.AXB, bindings=[axb]) == sent(A, 0, axb, user_data="order-42")


def test_axb_the_sender_is_matched_among_its_bindings() -> None:
    other = binding(Mode.AXB, X, A2, B2)
    mine = binding(Mode.AXB, X, A, B)
    assert route(B, mode=Mode.AXB, bindings=[other, mine]) == sent(A, 0, mine)


def test_axb_the_number_texted_is_the_sender() -> None:
    axb = binding(Mode.AXB, X2, A, B)
    assert route(A, mode=Mode.AXB, to=X2, bindings=[axb]) == sent(B, 1, axb, from_number=X2)


# --- AX ------------------------------------------------------------------------------------------------------------

def test_ax_a_with_a_suffix_reaches_that_number_without_it() -> None:
    ax = binding(Mode.AX, X, A, user_data="ax-data")
    assert route(A, mode=Mode.AX, text="see you @13900000002", bindings=[ax]) == sent(
        "+8613900000002", 1, ax, text="see you ", user_data="ax-data")


def test_ax_the_stripped_suffix_is_counted() -> None:
    ax = binding(Mode.AX, X, A)
    text = "a" * 150
    decision = route(A, mode=Mode.AX, text=text + "@13900000002", bindings=[ax])
    assert decision == sent("+8613900000002", 1, ax, text=text, segments=2)  # 162 characters as received
    assert segment_count(text) == 1


def test_ax_a_without_a_suffix_asks_the_customer() -> None:
    ax = binding(Mode.AX, X, A)
    assert route(A, mode=Mode.AX, text="no suffix", bindings=[ax]) == AskCustomer(1, ax)


@pytest.mark.parametrize("text", ["hi ＠13900000002", "hi @123", "hi @abc", "@13900000002", "a@b.com"])
def test_ax_a_with_a_malformed_suffix_asks_the_customer(text: str) -> None:
    ax = binding(Mode.AX, X, A)
    assert route(A, mode=Mode.AX, text=text, bindings=[ax]) == AskCustomer(1, ax)


def test_ax_anyone_else_reaches_a_marked_from() -> None:
    ax = binding(Mode.AX, X, A, user_data="ax-data")
    assert route(C, mode=Mode.AX, text=TEXT, bindings=[ax]) == sent(
        A, 0, ax, text=f"{TEXT}[From{C}]", user_data="ax-data")


def test_ax_a_suffix_from_anyone_else_is_text() -> None:
    ax = binding(Mode.AX, X, A)
    text = "hi @13900000002"
    assert route(C, mode=Mode.AX, text=text, bindings=[ax]) == sent(A, 0, ax, text=f"{text}[From{C}]")


def test_ax_the_from_mark_is_counted() -> None:
    ax = binding(Mode.AX, X, A)
    text = "a" * 150  # 1 segment alone, 2 with "[From+8613700000001]"
    assert route(C, mode=Mode.AX, text=text, bindings=[ax]) == sent(A, 0, ax, text=f"{text}[From{C}]", segments=2)


def test_ax_without_a_binding_is_2() -> None:
    assert route(C, mode=Mode.AX, bindings=[]) == Drop(SendResult.NO_BINDING)
    assert route(A, mode=Mode.AX, text="hi @13900000002", bindings=[]) == Drop(SendResult.NO_BINDING)


# --- AXYB ----------------------------------------------------------------------------------------------------------

def ax_relation(**options: object) -> Binding:
    return binding(Mode.AXYB, X, A, **options)


def yb_relation(ax: Binding, b: str = B, y: str = Y) -> Binding:
    return binding(Mode.AXYB, y, ax.party_a, b, parent_id=ax.id)


def test_axyb_b_with_a_y_reaches_a_from_its_y() -> None:
    ax = ax_relation(user_data="ax-data")
    yb = yb_relation(ax)
    assert route(B, mode=Mode.AXYB, bindings=[ax], related={ax.id: [yb]}) == sent(
        A, 0, ax, from_number=Y, user_data="ax-data")


def test_axyb_b_is_matched_among_the_yb_relations() -> None:
    ax = ax_relation()
    other, mine = yb_relation(ax, B2, "+8675500000102"), yb_relation(ax, B, Y)
    assert route(B, mode=Mode.AXYB, bindings=[ax], related={ax.id: [other, mine]}) == sent(
        A, 0, ax, from_number=Y)


def test_axyb_b_without_a_y_reaches_a_from_x() -> None:
    ax = ax_relation()
    assert route(B, mode=Mode.AXYB, bindings=[ax]) == sent(A, 0, ax)
    assert route(B, mode=Mode.AXYB, bindings=[ax], related={ax.id: [yb_relation(ax, B2)]}) == sent(A, 0, ax)


def test_axyb_a_texting_a_y_of_its_own_reaches_that_b_from_x() -> None:
    ax = ax_relation(user_data="ax-data")
    yb = yb_relation(ax)
    assert route(A, mode=Mode.AXYB, to=Y, number=private_number(Y, role=NumberRole.Y), bindings=[yb],
                 parents={ax.id: ax}) == sent(B, 1, ax, from_number=X, user_data="ax-data")


def test_axyb_a_texting_its_x_is_2() -> None:
    ax = ax_relation()
    assert route(A, mode=Mode.AXYB, bindings=[ax], related={ax.id: [yb_relation(ax)]}) == Drop(
        SendResult.NO_BINDING, ax)


def test_axyb_someone_else_texting_a_y_is_2() -> None:
    ax = ax_relation()
    yb = yb_relation(ax)
    number = private_number(Y, role=NumberRole.Y)
    assert route(C, mode=Mode.AXYB, to=Y, number=number, bindings=[yb], parents={ax.id: ax}) == Drop(
        SendResult.NO_BINDING)
    assert route(B, mode=Mode.AXYB, to=Y, number=number, bindings=[yb], parents={ax.id: ax}) == Drop(
        SendResult.NO_BINDING)


def test_axyb_a_y_whose_ax_relation_is_gone_is_2() -> None:
    yb = yb_relation(ax_relation())
    assert route(A, mode=Mode.AXYB, to=Y, number=private_number(Y, role=NumberRole.Y), bindings=[yb]) == Drop(
        SendResult.NO_BINDING)


def test_axyb_an_unbound_number_is_2() -> None:
    assert route(B, mode=Mode.AXYB, bindings=[]) == Drop(SendResult.NO_BINDING)


# --- X mode --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sender", "text"), [(A, TEXT), (C, "hi @13900000002"), (B, "")])
def test_x_mode_asks_the_customer_for_every_text(sender: str, text: str) -> None:
    assert route(sender, mode=Mode.X, text=text) == AskCustomer(2)
