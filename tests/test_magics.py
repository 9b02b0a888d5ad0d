"""The magics in an `InteractiveShell`, without a notebook: a failing cell fails the test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from conduit.bench import BenchResult
from conduit.errors import ServerError, ToolDefinitionError, UsageError
from conduit_magics.magics import parse_call

WEATHER = '''%%conduit_tool
def weather(city: str) -> dict:
    """Current weather for a city."""
    return {"city": city, "temp": 21}
'''


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config)


@pytest.fixture
def ip(shell: InteractiveShell) -> Iterator[InteractiveShell]:
    """The shell with the extension loaded, python backend, waiting for each build."""
    run(shell, "%load_ext conduit")
    run(shell, "%config Conduit.backend = 'python'")
    run(shell, "%config Conduit.wait = True")
    yield shell
    run(shell, "%unload_ext conduit")
    shell.user_ns.pop("weather", None)


def run(shell: InteractiveShell, code: str, cell_id: str | None = None):
    result = shell.run_cell(code, store_history=True, cell_id=cell_id)
    result.raise_error()
    return result.result


def test_import_conduit_does_not_import_ipython() -> None:
    code = "import sys, conduit; assert 'IPython' not in sys.modules, 'IPython imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_tool_cell_defines_the_function_and_serves_it(ip: InteractiveShell, capsys) -> None:
    run(ip, WEATHER, cell_id="a")
    assert run(ip, "weather('Paris')") == {"city": "Paris", "temp": 21}  # plain Python in the notebook
    assert "serving 1 tool at http://127.0.0.1:" in capsys.readouterr().out
    assert run(ip, "%conduit_call weather city=Paris") == {"city": "Paris", "temp": 21}
    assert run(ip, 'r = %conduit_call weather {"city": "Oslo"}\nr["city"]') == "Oslo"
    status = run(ip, "%conduit_status")
    assert status.state == "serving" and status.tools == ("weather",) and status.pid
    assert "weather(city: string)" in repr(run(ip, "%conduit_tools"))


def test_rerunning_a_cell_with_a_renamed_function_leaves_nothing_behind(ip: InteractiveShell) -> None:
    run(ip, "%%conduit_tool --no-serve\ndef one() -> int:\n    return 1\n", cell_id="a")
    run(ip, "%%conduit_tool --no-serve\ndef two() -> int:\n    return 2\n", cell_id="b")
    run(ip, "%%conduit_tool --no-serve\ndef uno() -> int:\n    return 1\n", cell_id="a")
    assert [row[0] for row in run(ip, "%conduit_tools").rows] == ["two", "uno"]
    assert run(ip, "%conduit_status").state == "idle"  # --no-serve: nothing built


def test_options_and_settings(ip: InteractiveShell) -> None:
    run(ip, '%%conduit_tool --name answer --title "The answer"\ndef f() -> int:\n    return 42\n', cell_id="a")
    assert run(ip, "%conduit_call answer") == 42
    run(ip, "%config Conduit.call_timeout = 5.0")
    run(ip, "%config Conduit.interim = False")
    magics = ip.magics_manager.registry["ConduitMagics"]
    assert magics.settings.call_timeout == 5.0 and magics.session.interim is False
    assert magics.session.tools["answer"].title == "The answer"


def test_stop_serve_reset(ip: InteractiveShell) -> None:
    run(ip, WEATHER, cell_id="a")
    run(ip, "%conduit_stop")
    assert run(ip, "%conduit_status").url is None
    run(ip, "%conduit_serve --port 0")
    assert run(ip, "%conduit_status").state == "serving"
    run(ip, "%conduit_reset")
    assert run(ip, "%conduit_tools").rows == ()


def test_an_error_in_the_cell_is_the_cells_own(ip: InteractiveShell) -> None:
    with pytest.raises(ToolDefinitionError, match=r"parameter 'x' needs a type annotation"):
        run(ip, "%%conduit_tool\ndef f(x) -> int:\n    return 1\n")
    with pytest.raises(ZeroDivisionError):  # the cell's Python runs first, as any cell would
        run(ip, "%%conduit_tool\n1 / 0\n")


@pytest.mark.native
def test_a_tool_codon_rejects_runs_in_cpython_and_the_table_says_why(ip: InteractiveShell) -> None:
    run(ip, "%config Conduit.backend = 'native'")
    run(ip, "%config Conduit.wait = True")
    run(ip, "%%conduit_tool\ndef answer() -> int:\n    return 42\n", cell_id="a")
    number = ip.execution_count
    run(ip, '%%conduit_tool\ndef bad(x: int) -> int:\n    y = "a"\n    return x + y if x < 0 else x\n', cell_id="b")
    assert run(ip, "%conduit_call answer") == 42
    assert run(ip, "%conduit_call bad x=3") == 3
    table = repr(run(ip, "%conduit_tools"))
    assert "answer" in table and "python: Codon cannot compile it" in table and f"cell[{number}]:3" in table


def test_without_wait_the_build_error_raises_on_the_next_magic(ip: InteractiveShell) -> None:
    run(ip, "%config Conduit.wait = False")
    run(ip, "%%conduit_tool\ndef one() -> int:\n    return 1\n", cell_id="a")
    magics = ip.magics_manager.registry["ConduitMagics"]
    magics.session._unreported = RuntimeError("the build failed")  # as a failed background build leaves it
    with pytest.raises(RuntimeError, match="the build failed"):
        run(ip, "%conduit_status")
    assert run(ip, "%conduit_call one") == 1  # reported once; the server still serves


@pytest.mark.native  # the load generator is a Codon program
def test_bench_measures_the_running_server_and_keeps_the_result(ip: InteractiveShell, capsys) -> None:
    run(ip, WEATHER, cell_id="a")
    run(ip, """%conduit_bench weather --args '{"city": "Paris"}' --requests 200 --connections 4 -o first""")
    first = ip.user_ns["first"]
    assert isinstance(first, BenchResult)
    assert (first.requests, first.errors, first.connections) == (200, 0, 4)
    assert first.label == "weather (python)" and first.url == run(ip, "%conduit_status").url
    assert 0 < first.p50 <= first.p99 and first.baselines == ()
    assert "weather (python): 200 requests, 0 errors" in capsys.readouterr().out  # displayed, not only kept

    run(ip, "%conduit_bench --requests 200 --connections 2 --compare -o listed")  # tools/list, over the call
    listed = ip.user_ns["listed"]
    assert listed.label == "tools/list (python)" and listed.requests == 200
    assert [b.label for b in listed.baselines] == ["weather (python)"]
    assert listed.baselines[0].latencies_ns is first.latencies_ns
    page = listed._repr_html_()
    assert page.count("<tr") == 3 and "data:image/png;base64," in page  # header, two runs, the plots

    run(ip, "%conduit_bench --requests 200 --connections 2 --compare -o again")  # same label: the old one says so
    assert [b.label for b in ip.user_ns["again"].baselines] == ["tools/list (python), before"]


@pytest.mark.native
def test_bench_without_compare_or_output_displays_one_run(ip: InteractiveShell, capsys) -> None:
    run(ip, WEATHER, cell_id="a")
    assert run(ip, "%conduit_bench --requests 200 --connections 2 --compare") is None
    out = capsys.readouterr().out
    assert "no earlier %conduit_bench in this session" in out
    assert "tools/list (python): 200 requests, 0 errors" in out


def test_bench_says_what_is_missing(ip: InteractiveShell) -> None:
    with pytest.raises(ServerError, match="no server is running"):
        run(ip, "%conduit_bench --requests 200")
    run(ip, "%%conduit_tool --no-serve\ndef one() -> int:\n    return 1\n", cell_id="a")
    with pytest.raises(ValueError, match="must be a JSON object"):
        run(ip, "%conduit_bench one --args '[1, 2]'")
    with pytest.raises(ValueError, match="give a variable name"):
        run(ip, "%conduit_bench one -o 1x")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("weather city=Paris days=3", ("weather", {"city": "Paris", "days": 3})),
        ('weather city="New York" ok=true', ("weather", {"city": "New York", "ok": True})),
        ('weather {"city": "Paris", "days": [1, 2]}', ("weather", {"city": "Paris", "days": [1, 2]})),
        ("ping", ("ping", {})),
    ],
)
def test_parse_call(line: str, expected) -> None:
    assert parse_call(line) == expected


def test_parse_call_says_how_to_write_arguments() -> None:
    with pytest.raises(ValueError, match="key=value"):
        parse_call("weather Paris")


@pytest.mark.parametrize("line", ["weather city", 'weather city="unclosed', "weather {not json", "weather [1, 2]", ""])
def test_a_malformed_call_is_a_one_line_usage_error(ip: InteractiveShell, line: str) -> None:
    with pytest.raises(UsageError) as raised:
        run(ip, f"%conduit_call {line}")
    shown = raised.value._render_traceback_()  # what IPython prints instead of a traceback
    assert len(shown) == 1 and shown[0].startswith("UsageError: ")
