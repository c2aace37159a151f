"""An https:// NPSLOOP_BASE_URL turns on what HTTPS needs — Secure cookies, HSTS, a redirect
from plain HTTP — and `npsloop manage check --deploy` is then clean; an http:// one (the
laptop default) changes nothing. npsloop runs as a real process here: these settings are read
from the environment when it starts."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

PUBLIC = "https://nps.example.com"
YEAR = 365 * 24 * 3600
ADMIN = "ops@example.com"
PASSWORD = "a long passphrase 42"
WaitFor = Callable[[str, float], bool]


def deployed(env: dict[str, str]) -> dict[str, str]:
    """Without what the browser tests set for themselves (tests/chromium.py), which a
    deployment never has and `check --deploy` rightly reports."""
    return {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def npsloop(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "npsloop", *args],
        env=deployed(env),
        capture_output=True,
        text=True,
        input=PASSWORD + "\n",
        timeout=120,
    )


def warnings_of(check: subprocess.CompletedProcess[str]) -> set[str]:
    return set(re.findall(r"\(([a-z_.]+\.[WE]\d+)\)", check.stdout + check.stderr))


def test_check_deploy_is_clean_with_an_https_base_url(process_env: dict[str, str]) -> None:
    """A generated secret key, debug off, behind one TLS-terminating proxy."""
    env = {**process_env, "NPSLOOP_BASE_URL": PUBLIC, "NPSLOOP_PROXIES": "1"}
    check = npsloop(env, "manage", "check", "--deploy")
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues (2 silenced)." in check.stdout
    assert warnings_of(check) == set()


def test_check_deploy_with_http_warns_only_about_https(process_env: dict[str, str]) -> None:
    """The laptop default: docs/security.md names these four as expected there."""
    check = npsloop(process_env, "manage", "check", "--deploy")
    assert check.returncode == 0, check.stderr
    assert warnings_of(check) == {
        "security.W004",  # no HSTS
        "security.W008",  # no redirect to https
        "security.W012",  # session cookie not Secure
        "security.W016",  # CSRF cookie not Secure
    }


def test_the_operator_opts_in_to_subdomains_and_preload(process_env: dict[str, str]) -> None:
    env = {
        **process_env,
        "NPSLOOP_BASE_URL": PUBLIC,
        "NPSLOOP_PROXIES": "1",
        "NPSLOOP_HSTS_INCLUDE_SUBDOMAINS": "1",
        "NPSLOOP_HSTS_PRELOAD": "1",
    }
    check = npsloop(env, "manage", "check", "--deploy")
    assert "System check identified no issues (0 silenced)." in check.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"NPSLOOP_BASE_URL": PUBLIC},
            "NPSLOOP_BASE_URL is https://, but npsloop serves plain HTTP: behind the proxy "
            "that terminates TLS, set NPSLOOP_PROXIES to the number of proxies in front "
            "(1 for one), so that npsloop believes the X-Forwarded-Proto they set",
        ),
        (
            {"NPSLOOP_BASE_URL": PUBLIC, "NPSLOOP_PROXIES": "1", "NPSLOOP_HSTS_PRELOAD": "1"},
            "NPSLOOP_HSTS_PRELOAD needs NPSLOOP_HSTS_INCLUDE_SUBDOMAINS=1 and "
            "NPSLOOP_HSTS_SECONDS of at least 31536000 (a year), as the browsers' preload "
            "list requires",
        ),
        (
            {"NPSLOOP_BASE_URL": PUBLIC, "NPSLOOP_PROXIES": "1", "NPSLOOP_HSTS_SECONDS": "-1"},
            "NPSLOOP_HSTS_SECONDS must be 0 (no HSTS) or more seconds, got -1",
        ),
        (
            {"NPSLOOP_HSTS_INCLUDE_SUBDOMAINS": "1"},
            "NPSLOOP_HSTS_INCLUDE_SUBDOMAINS applies only to an https:// NPSLOOP_BASE_URL, "
            "and it is 'http://127.0.0.1:8000'",
        ),
    ],
)
def test_a_setting_that_cannot_work_is_refused_with_the_fix(
    process_env: dict[str, str], env: dict[str, str], message: str
) -> None:
    check = npsloop({**process_env, **env}, "manage", "check")
    assert check.returncode != 0
    assert message in check.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with an admin, shared by the servers below."""
    path = tmp_path_factory.mktemp("https") / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NPSLOOP_")}
    env["NPSLOOP_HOME"] = str(path)
    assert npsloop(env, "migrate", "-v", "0").returncode == 0
    made = npsloop(env, "createadmin", "--email", ADMIN, "--password-stdin")
    assert made.returncode == 0, made.stderr
    return path


class Server:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer

    def post(self, path: str, body: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", path, body=body, headers={**headers, **form})
        answer = connection.getresponse()
        answer.read()
        return answer


@pytest.fixture
def serve(
    home: Path, process_env: dict[str, str], port: int, wait_for: WaitFor
) -> Iterator[Callable[[dict[str, str]], Server]]:
    started: list[subprocess.Popen[str]] = []

    def start(env: dict[str, str]) -> Server:
        process = subprocess.Popen(
            [sys.executable, "-m", "npsloop", "web", "--port", str(port), "--workers", "1"],
            env=deployed({**process_env, "NPSLOOP_HOME": str(home), **env}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started.append(process)
        assert wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        return Server(port)

    yield start
    for process in started:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def cookies_of(answer: http.client.HTTPResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def sign_in(server: Server, headers: dict[str, str]) -> tuple[SimpleCookie, SimpleCookie]:
    """The sign-in page's cookies, then those of signing in."""
    page = server.get("/login/", headers)
    assert page.status == 200
    page_cookies = cookies_of(page)
    token = page_cookies["csrftoken"].value
    body = f"username={ADMIN}&password={PASSWORD.replace(' ', '+')}&csrfmiddlewaretoken={token}"
    signed_in = server.post(
        "/login/", body, {**headers, "Cookie": f"csrftoken={token}", "Origin": headers["Origin"]}
    )
    assert signed_in.status == 302, signed_in.status
    return page_cookies, cookies_of(signed_in)


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(
    serve: Callable[[dict[str, str]], Server],
) -> None:
    server = serve({"NPSLOOP_BASE_URL": PUBLIC, "NPSLOOP_PROXIES": "1"})
    through_proxy = {
        "Host": "nps.example.com",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "Origin": PUBLIC,
    }
    page_cookies, signed_in = sign_in(server, through_proxy)
    assert page_cookies["csrftoken"]["secure"] is True
    assert signed_in["sessionid"]["secure"] is True
    answer = server.get("/login/", through_proxy)
    assert answer.headers["Strict-Transport-Security"] == f"max-age={YEAR}"
    # Plain HTTP is sent to the public https address, whatever Host the request named...
    plain = server.get("/login/?next=/w/", {"Host": "elsewhere.example"})
    assert plain.status == 301
    assert plain.headers["Location"] == f"{PUBLIC}/login/?next=/w/"
    # ...except the load balancer's health check.
    assert server.get("/healthz", {}).status == 200


def test_on_http_cookies_are_plain_and_no_hsts_is_sent(
    serve: Callable[[dict[str, str]], Server], port: int
) -> None:
    server = serve({})
    direct = {"Origin": f"http://127.0.0.1:{port}", "Host": f"127.0.0.1:{port}"}
    page_cookies, signed_in = sign_in(server, direct)
    assert page_cookies["csrftoken"]["secure"] == ""
    assert signed_in["sessionid"]["secure"] == ""
    answer = server.get("/login/", direct)
    assert answer.status == 200
    assert "Strict-Transport-Security" not in answer.headers
