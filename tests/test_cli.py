"""The command line as a user runs it: a real process, the sandbox in process or over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx2
import pytest

from esim_orders.cli import main
from esim_orders.sandbox import SandboxConfig, create_app

from .helpers import free_port

CLEAN_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("PRESSONE_", "ZIM_", "ESIM_ORDERS_"))
}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esim_orders", *args],
        env={**CLEAN_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def sandbox_process(port: int, *knobs: str):
    proc = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "sandbox", "--port", str(port), *knobs],
        env=CLEAN_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(f"http://127.0.0.1:{port}/nothing", timeout=1)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("sandbox did not start") from None
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_orders_list_json_with_no_configuration_lists_both_sandbox_providers():
    result = run("orders", "list", "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert {o["ref"].split(":")[0] for o in page["orders"]} == {"pressone", "zim"}
    assert page["returned"] == 100 and page["total"] >= 1000
    assert "embedded sandbox" in result.stderr
    assert result.stderr.count("embedded sandbox") == 1


def test_orders_list_over_http_matches_the_in_process_sandbox():
    port = free_port()
    env = {
        "PRESSONE_BASE_URL": f"http://127.0.0.1:{port}/pressone",
        "PRESSONE_CLIENT_ID": "sandbox",
        "PRESSONE_CLIENT_SECRET": "sandbox-secret",
    }
    with sandbox_process(port) as proc:
        over_http = run("orders", "list", "--json", "--limit", "100", env=env)
        wrong = run("orders", "list", env={**env, "PRESSONE_CLIENT_SECRET": "nope"})
    in_process = run("orders", "list", "--json", "--limit", "100", "--provider", "pressone")
    assert over_http.returncode == 0, over_http.stderr
    refs_http = [o["ref"] for o in json.loads(over_http.stdout)["orders"]]
    refs_local = [o["ref"] for o in json.loads(in_process.stdout)["orders"]]
    assert refs_http == refs_local and len(refs_http) == 100
    assert "sandbox-secret" in proc.stderr.read()  # the sandbox prints its credentials
    assert wrong.returncode == 1
    assert "PRESSONE_CLIENT_SECRET" in wrong.stderr and "nope" not in wrong.stderr


def test_orders_get_shows_a_card_and_json():
    card = run("orders", "get", "zim:ordr_FaiL1234567890abcdEFG")
    assert card.returncode == 0, card.stderr
    assert 'Failure reason (provider data): "PLAN_NOT_FOUND"' in card.stdout
    as_json = json.loads(run("orders", "get", "ordr_FaiL1234567890abcdEFG", "--json").stdout)
    assert as_json["ref"] == "zim:ordr_FaiL1234567890abcdEFG" and "raw" not in as_json


def test_configuration_errors_are_one_line_not_a_traceback():
    result = run("orders", "list", env={"PRESSONE_BASE_URL": "https://p.test"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PRESSONE_CLIENT_ID" in result.stderr and "Traceback" not in result.stderr


def test_unknown_order_and_bad_arguments_are_clear_errors():
    missing = run("orders", "get", "pressone:99999999")
    assert missing.returncode == 1 and "`esim-orders orders list`" in missing.stderr
    bad = run("orders", "list", "--limit", "1000")
    assert bad.returncode == 2 and "limit" in bad.stderr and "Traceback" not in bad.stderr


def test_orders_explain_a_failed_order_and_a_bare_code():
    failed = run("orders", "explain", "zim:ordr_FaiL1234567890abcdEFG")
    assert failed.returncode == 0, failed.stderr
    assert "Plan not found" in failed.stdout and "Next steps" in failed.stdout
    code = json.loads(
        run("orders", "explain", "--provider", "pressone", "--code", "4008", "--json").stdout
    )
    assert code["confidence"] == "known_code" and code["next_steps"]
    neither = run("orders", "explain")
    assert neither.returncode == 2
    assert "REF: give an order REF, or --provider with --code" in neither.stderr


def test_sandbox_fault_knobs_from_the_command_line_take_one_provider_down():
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        "PRESSONE_BASE_URL": origin + "/pressone",
        "PRESSONE_CLIENT_ID": "sandbox",
        "PRESSONE_CLIENT_SECRET": "sandbox-secret",
        "ZIM_BASE_URL": origin + "/zim",
        "ZIM_TOKEN_URL": origin + "/zim/oauth2/token",
        "ZIM_CLIENT_ID": "sandbox",
        "ZIM_CLIENT_SECRET": "sandbox-secret",
        # Zim stays down: its 503s are retried until this deadline, then named.
        "ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS": "2",
    }
    knobs = ("--fault-rate", "1", "--faults", "503", "--fault-providers", "zim")
    with sandbox_process(port, *knobs):
        result = run("orders", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert {o["ref"].split(":")[0] for o in page["orders"]} == {"pressone"}
    assert page["provider_errors"][0]["provider"] == "zim"
    assert "HTTP 503" in page["provider_errors"][0]["error"]


def test_unknown_sandbox_knob_values_are_one_line_errors():
    result = run("sandbox", "--faults", "404")
    assert result.returncode == 2 and "unknown fault kinds" in result.stderr
    result = run("sandbox", "--fault-providers", "zim,acme")
    assert result.returncode == 2 and "unknown fault providers ['acme']" in result.stderr
    assert "Traceback" not in result.stderr


def test_sandbox_on_a_busy_port_says_so_in_one_line_like_serve():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = str(busy.getsockname()[1])
        sandbox = run("sandbox", "--port", port)
        serve = run("serve", "--http", "--port", port)
    expected = f"esim-orders: configuration error: cannot listen on 127.0.0.1:{port}: "
    for result in (sandbox, serve):
        assert result.returncode == 2
        assert result.stderr.startswith(expected) and "in use" in result.stderr
        assert result.stderr.count("\n") == 1, result.stderr  # no banner, no traceback


def test_sandbox_serves_pressone_oldest_first_when_asked():
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with sandbox_process(port, "--orders", "30", "--pressone-list-order", "oldest-first"):
        form = {
            "client_id": "sandbox",
            "client_secret": "sandbox-secret",
            "grant_type": "client_credentials",
        }
        token = httpx2.post(f"{origin}/pressone/customer/v2/token", data=form).json()
        page = httpx2.get(
            f"{origin}/pressone/customer/v2/orders",
            params={"limit": "10"},
            headers={"Authorization": f"Bearer {token['data']['access_token']}"},
        ).json()
    stamps = [order["created_at"] for order in page["data"]]
    assert len(stamps) == 10 and stamps == sorted(stamps)
    result = run("sandbox", "--pressone-list-order", "sideways")
    assert result.returncode == 2 and "invalid choice" in result.stderr


# ---- every user mistake in one line, in the command line's own terms (in process: fast) ----


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err.replace(SANDBOX_BANNER, "")


SANDBOX_BANNER = (
    "esim-orders: no provider is configured; using the embedded sandbox (demo data, "
    "no credentials)\n"
)


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith(("PRESSONE_", "ZIM_", "ESIM_ORDERS_")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--status", "FAILD"), "--status: 'FAILD' is not a status; use one of PENDING, "),
        (("--provider", "acme"), "--provider: 'acme' is not a provider; use one of pressone, zim"),
        (("--type", "sim"), "--type: 'sim' is not an order type; use one of ONE_OFF, "),
        (("--limit", "abc"), "--limit: 'abc' is not a whole number"),
        (("--after", "2026-13-01"), "--after: '2026-13-01' is not a day written YYYY-MM-DD"),
        (("--before", "tomorrow"), "--before: 'tomorrow' is not a day written YYYY-MM-DD"),
    ],
)
def test_a_wrong_flag_value_is_one_line_naming_the_flag_and_its_values(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["orders", "list", *args])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1 and says in err, err
    assert "usage:" not in err and "fromisoformat" not in err


def test_statuses_and_providers_in_any_case_are_accepted(
    capsys: pytest.CaptureFixture[str], sandbox_env: None
) -> None:
    code, out, err = cli(
        capsys, "orders", "list", "--json", "--status", "failed", "--provider", "PressOne"
    )
    assert code == 0, err
    page = json.loads(out)
    assert page["orders"] and {o["status"] for o in page["orders"]} == {"FAILED"}
    assert {o["ref"].split(":")[0] for o in page["orders"]} == {"pressone"}


def test_errors_and_hints_name_flags_and_commands_not_tool_arguments(
    capsys: pytest.CaptureFixture[str], sandbox_env: None
) -> None:
    code, out, _ = cli(capsys, "orders", "list", "--limit", "2")
    assert code == 0
    more = out.splitlines()[-1]
    assert "run the same command with --cursor " in more and "list_orders" not in more
    crossed = cli(capsys, "orders", "list", "--after", "2026-11-02", "--before", "2026-11-01")
    assert crossed == (2, "", "esim-orders: --before: must be a later day than --after\n")
    code, _, err = cli(capsys, "orders", "list", "--cursor", "abc")
    assert code == 2 and err.startswith("esim-orders: --cursor: it is not a cursor from ")
    assert "`esim-orders orders list`" in err and "Omit --cursor" in err
    code, _, err = cli(capsys, "orders", "get", "pressone:99999999")
    assert code == 1 and "Use `esim-orders orders list` to find order refs." in err
    code, _, err = cli(capsys, "orders", "list", "--limit", "1000")
    assert code == 2 and err.startswith("esim-orders: --limit: ")
    for said in (out, err):
        assert "list_orders" not in said and "cursor=" not in said


def test_refs_are_stripped_and_an_empty_ref_is_named(
    capsys: pytest.CaptureFixture[str], sandbox_env: None
) -> None:
    code, out, err = cli(capsys, "orders", "get", "zim:ordr_FaiL1234567890abcdEFG ", "--json")
    assert code == 0, err
    assert json.loads(out)["ref"] == "zim:ordr_FaiL1234567890abcdEFG"
    assert cli(capsys, "orders", "get", "") == (2, "", "esim-orders: REF: is empty\n")
    spaced = "esim-orders: REF: may hold only letters, digits, ':', '_' and '-' (refs look like "
    assert cli(capsys, "orders", "get", "pressone: 12") == (
        2,
        "",
        spaced + "pressone:9666 or zim:ordr_…)\n",
    )


def test_a_refused_argument_is_the_only_line_and_the_sandbox_is_said_when_it_answers() -> None:
    """A command refused for its arguments never reaches the sandbox, so it does not say it is
    using one; a command that does reach it says so, once, before its answer."""
    refused = run("orders", "get", "")
    assert (refused.returncode, refused.stderr) == (2, "esim-orders: REF: is empty\n")
    answered = run("orders", "get", "zim:ordr_FaiL1234567890abcdEFG")
    assert answered.returncode == 0 and answered.stderr == SANDBOX_BANNER


def test_output_cut_short_by_the_reader_is_no_error() -> None:
    # As `orders list --json | head -1` does, deterministically: the reader is gone before
    # the command writes, so its write meets a closed pipe.
    proc = subprocess.Popen(
        [sys.executable, "-m", "esim_orders", "orders", "list", "--json"],
        env=CLEAN_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Error" not in err and "Traceback" not in err, err


def test_a_provider_that_cannot_be_reached_is_said_once_pointing_at_its_address() -> None:
    env = {
        # Nothing listens there; a password in the URL is never repeated.
        "PRESSONE_BASE_URL": f"http://someone:hunter2@127.0.0.1:{free_port()}/pressone",
        "PRESSONE_CLIENT_ID": "sandbox",
        "PRESSONE_CLIENT_SECRET": "sandbox-secret",
        "ESIM_ORDERS_PROVIDER_DEADLINE_SECONDS": "0.5",
    }
    result = run("orders", "list", env=env)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()  # no WARNING log line besides the message
    assert line.startswith("esim-orders: PressOne could not be reached (no connection to ")
    assert "check PRESSONE_BASE_URL; if it is right, the provider is down" in line
    assert "hunter2" not in result.stderr


def test_esims_get_by_ref_and_by_iccid_and_the_order_card_shows_the_esim_state():
    # The embedded sandbox the command line opens: its ids do not depend on its clock.
    data = create_app(SandboxConfig()).state.sandbox.data
    order = next(o for o in data.pressone.orders if o.status == "completed" and o.iccids)
    ref, iccid = f"pressone:{order.id}", order.iccids[0]
    by_ref = run("esims", "get", ref, "--json")
    assert by_ref.returncode == 0, by_ref.stderr
    answer = json.loads(by_ref.stdout)
    assert answer["ref"] == ref and answer["esims"][0]["iccid"] == iccid
    by_iccid = run("esims", "get", iccid)
    assert by_iccid.returncode == 0, by_iccid.stderr
    assert by_iccid.stdout.startswith(f"eSIM {iccid}: ") and "Data" in by_iccid.stdout
    card = run("orders", "get", ref)
    assert card.returncode == 0, card.stderr
    assert f"eSIM state {iccid}: {answer['esims'][0]['status']}" in card.stdout
