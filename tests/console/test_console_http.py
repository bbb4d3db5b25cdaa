"""The console over HTTP (no browser): languages, security headers, CSP-clean pages, error pages, the
login page's redirects and checks."""

from __future__ import annotations

import re

import httpx
import pytest

from privnum.entrypoints.security_headers import CONTENT_SECURITY_POLICY as CSP


@pytest.fixture
def http(console_url: str) -> httpx.Client:
    with httpx.Client(base_url=console_url, follow_redirects=False, timeout=10) as client:
        yield client


def heading(html: str) -> str:
    found = re.search(r'<h1 data-testid="[\w-]+">([^<]*)</h1>', html)
    assert found, html
    return found.group(1)


def test_login_page_is_chinese_by_default_and_english_on_request(http: httpx.Client) -> None:
    assert heading(http.get("/console/login").text) == "登录控制台"
    assert heading(http.get("/console/login", headers={"Accept-Language": "en-US,en;q=0.9"}).text) == \
        "Sign in to the console"
    switched = http.get("/console/login?lang=en", headers={"Accept-Language": "zh-CN"})
    assert heading(switched.text) == "Sign in to the console"
    assert switched.cookies.get("privnum_lang") == "en"
    assert heading(http.get("/console/login").text) == "Sign in to the console"  # the cookie remembers


def test_console_pages_carry_the_security_headers(http: httpx.Client) -> None:
    for path in ("/console/login", "/console/nowhere"):
        answer = http.get(path)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["cache-control"] == "no-store"
    css = http.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_style_or_handler(http: httpx.Client) -> None:
    for path in ("/console/login", "/console/login?lang=en", "/console/nowhere"):
        html = http.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"<style\b|\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert not re.search(r"\shx-on", html), path


def test_unknown_console_path_is_an_html_page_elsewhere_huaweis_json(http: httpx.Client) -> None:
    page = http.get("/console/nowhere", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert heading(page.text) == "Page not found"
    assert heading(http.get("/console/nowhere").text) == "页面不存在"
    api = http.get("/rest/nowhere")
    assert api.status_code == 404 and api.json()["resultcode"]


def test_pages_need_a_session_and_come_back_after_login(http: httpx.Client) -> None:
    answer = http.get("/console")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    answer = http.get("/console?lang=en")  # the language chosen on the way in stays for the login page
    assert answer.headers["location"] == "/console/login?next=%2Fconsole%3Flang%3Den"
    assert heading(http.get("/console/login").text) == "Sign in to the console"
    answer = http.get("/console/apps?page=2")
    if answer.status_code == 303:  # the apps area may not exist yet
        assert answer.headers["location"] == "/console/login?next=%2Fconsole%2Fapps%3Fpage%3D2"
    login = http.get("/console/login", params={"next": "/console/apps?page=2"})
    assert 'name="next" value="/console/apps?page=2"' in login.text


def test_login_refuses_foreign_next_targets_and_forms_without_their_token(http: httpx.Client) -> None:
    login = http.get("/console/login", params={"next": "https://evil.example/"})
    assert 'name="next" value="/console"' in login.text
    answer = http.post("/console/login", data={"login": "a", "password": "b", "_csrf": "forged"})
    assert answer.status_code == 400
    assert 'data-testid="login-alert"' in answer.text


def test_empty_login_fields_are_answered_next_to_the_field(http: httpx.Client) -> None:
    token = http.get("/console/login").cookies["privnum_login_csrf"]
    answer = http.post("/console/login", data={"login": " ", "password": "", "_csrf": token})
    assert answer.status_code == 422
    assert 'data-testid="error-login">请输入登录名。<' in answer.text
    assert 'data-testid="error-password">请输入密码。<' in answer.text
