"""The command line, driven in-process with click's CliRunner."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mbcalc import __version__
from mbcalc.cli import cli
from mbcalc.models import bundled as bundled_specs
from mbcalc.models import references_path

ROOT = Path(__file__).parent.parent


def test_v1_table_shows_layers_totals_and_shares(run):
    result = run("v1", "--alpha", "0.75", "--res", "192")
    assert result.exit_code == 0
    out = result.output
    assert "v1: alpha 0.75, 192x192" in out
    assert "239.3M" in out and "2.57M" in out  # totals
    assert "block13.pw" in out and "fc" in out
    assert "pointwise conv (1x1)" in out and "93.18%" in out  # share by type


def test_v1_table2_shares_at_1_0_224(run):
    out = run("v1", "--exact").output
    for share in ("94.86%", "3.06%", "1.91%", "0.18%", "74.59%", "1.06%", "24.33%"):
        assert share in out
    assert "568,740,352" in out and "4,209,088" in out


def test_json_has_the_stable_keys_and_rows_sum(run):
    data = json.loads(run("v1", "--alpha", "0.5", "--res", "160", "-f", "json").output)
    for key in ("model", "alpha", "resolution", "macs", "params", "layers", "by_type"):
        assert key in data
    assert (data["model"], data["alpha"], data["resolution"]) == ("v1", 0.5, 160)
    assert data["macs"] == 76_524_800 and data["params"] == 1_319_648
    assert sum(layer["macs"] for layer in data["layers"]) == data["macs"]
    assert sum(layer["params"] for layer in data["layers"]) == data["params"]
    first = data["layers"][0]
    assert {k: first[k] for k in ("name", "op", "input", "output")} == {
        "name": "conv1",
        "op": "conv",
        "input": [3, 160, 160],
        "output": [16, 80, 80],
    }
    assert set(data["by_type"]["pointwise"]) >= {"macs", "params", "macs_share", "params_share"}


def test_csv_rows_are_exact_and_sum(run):
    rows = list(csv.DictReader(io.StringIO(run("v1", "-f", "csv").output)))
    assert sum(int(r["macs"]) for r in rows) == 568_740_352
    assert rows[0]["name"] == "conv1" and rows[0]["macs"] == "10838016"


def test_markdown_is_a_pipe_table(run):
    out = run("v1", "-f", "markdown").output
    assert out.startswith("# v1: alpha 1.0")
    assert "| 1  | conv1" in out and "|----" in out


def test_rho_sets_the_resolution(run):
    data = json.loads(run("v1", "--rho", "0.714", "-f", "json").output)
    assert data["resolution"] == 160


def test_counting_options_are_echoed(run):
    data = json.loads(run("v1", "--biases", "--bn", "all", "-f", "json").output)
    assert data["params"] == 4_253_864
    assert "biases" in data["convention"] and "moving" in data["convention"]
    assert "no biases" in run("v1").output


def test_output_file_is_written_atomically(run, tmp_path):
    target = tmp_path / "v1.json"
    assert run("v1", "-f", "json", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["macs"] == 568_740_352
    missing = tmp_path / "no-such-dir" / "v1.json"
    result = run("v1", "-o", str(missing))
    assert result.exit_code == 2 and not missing.exists()
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_failed_run_leaves_no_file(run, tmp_path):
    target = tmp_path / "out.txt"
    assert run("v1", "--alpha", "0", "-o", str(target)).exit_code == 2
    assert not target.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["v3-larg"], "unknown model or command 'v3-larg'; did you mean 'v3-large'?"),
        (["v1", "--alpha", "abc"], "'abc' is not a valid float"),
        (["v1", "--alpha", "-1"], "--alpha must be a number in (0, 4], got -1.0"),
        (["v1", "--alpha", "5"], "--alpha must be a number in (0, 4]"),
        (["v1", "--res", "0"], "--res must be a whole number from 1 to 100,000, got 0"),
        (
            ["v1", "--res", "1" + "0" * 160],
            "--res must be a whole number from 1 to 100,000, got a number of 161 digits",
        ),
        (
            ["v1", "--classes", "10000000000000000"],
            "--classes must be a whole number from 1 to 1,000,000,000, got a number of 17 digits",
        ),
        (["v1", "--rho", "1e-300"], "--rho 1e-300 leaves no pixel of the 224-pixel input"),
        (["v1", "--res", "160", "--rho", "0.5"], "give --res or --rho, not both"),
        (["missing.yaml"], "missing.yaml: no such spec file"),
        (["v1", "--profile", "caffe"], "Invalid value for '--profile'"),
        (["conv", "--in", "14x14", "--out", "5"], "--in must be a size like 14x14x512"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith("mbcalc: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_unreadable_spec_is_a_clean_error(run, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_bytes(b"\xff\xfe not utf-8")
    result = run(str(spec))
    assert result.exit_code == 2
    assert result.stderr == f"mbcalc: error: {spec}:1:1: byte 0xff is not UTF-8 text (save the spec as UTF-8)\n"


def test_list_version_and_help(run):
    listing = run("list").output
    names = [line.split()[0] for line in listing.splitlines()]
    assert names == sorted(names) and {"v1", "v1-conv", "v1-shallow", "v2", "v3-large", "vgg16"} <= set(names)
    assert run("--version").output.strip() == f"mbcalc, version {__version__}"
    assert "Usage" in run().output


@pytest.mark.parametrize("command", ["list", "conv", "v1", "v1-conv", "v1-shallow"])
def test_every_command_has_help_with_an_example(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


def test_every_command_is_listed_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for command in cli.list_commands(None):
        assert f"mbcalc {command}" in readme, command


def test_conv_reproduces_table3_and_the_worked_example(run):
    out = run("conv", "--in", "14x14x512", "--out", "512", "-k", "3").output
    assert "462.4M" in out and "2.36M" in out and "52.28M" in out and "266.8K" in out
    assert "1/512 + 1/9 = 0.1131" in out
    data = json.loads(run("conv", "--in", "5x5x3", "--out", "4", "-k", "3", "--padding", "valid", "-f", "json").output)
    assert data["standard"]["macs"] == 972 and data["standard"]["params"] == 108
    assert [layer["macs"] for layer in data["separable"]["layers"]] == [243, 108]
    assert [layer["params"] for layer in data["separable"]["layers"]] == [27, 12]


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "mbcalc", "v1", "-f", "json"], capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout)["macs"] == 568_740_352


def test_count_and_flops_are_labelled_and_exact(run):
    data = json.loads(run("v2", "--flops", "-f", "json").output)
    assert data["macs"] == 300_774_272
    assert data["flops"] == 2 * data["macs"] + data["elementwise_ops"]
    assert sum(layer["elementwise_ops"] for layer in data["layers"]) == data["elementwise_ops"]
    table = run("v2", "--flops").output
    assert "FLOPs = 2 × Mult-Adds + element-wise ops" in table and "element-wise ops (not Mult-Adds)" in table


@pytest.mark.parametrize("profile, params", [("torchvision", "3,504,872"), ("keras", "3,538,984")])
def test_profiles_from_the_cli(run, profile, params):
    out = run("v2", "--profile", profile, "--exact").output
    assert params in out and f"profile '{profile}'" in out


def test_an_output_that_is_an_input_is_refused_before_any_work(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "net.yaml"
    spec.write_text((ROOT / "specs" / "v2.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(spec)
    original = spec.read_bytes()
    cases = [
        (["net.yaml", "-o", "net.yaml"], "-o net.yaml is the input file net.yaml: choose another output file"),
        (["net.yaml", "-o", "link.yaml"], "-o link.yaml is the input file net.yaml: choose another output file"),
        (["compare", "v1", "net.yaml", "-o", "./net.yaml"], "-o ./net.yaml is the input file net.yaml"),
        (["diff", "v2", "net.yaml@0.5/224", "-o", "net.yaml"], "-o net.yaml is the input file net.yaml"),
        (["compare", "v1", "-o", "x.png", "--plot", "x.png"], "-o and --plot both name x.png"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2 and message in result.stderr, args
        assert spec.read_bytes() == original and not (tmp_path / "x.png").exists()


def test_one_rule_for_spec_arguments_in_every_command(run, tmp_path, monkeypatch):
    """NET.YAML, a file without the suffix, and - (standard input) are specs for every command."""
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "specs" / "v1-shallow.yaml").read_text(encoding="utf-8")
    for name in ("NET.YAML", "base.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert json.loads(run(name, "-f", "json").output)["macs"] == 307_323_392
        assert run("diff", name, "v1").output.startswith("A = v1-shallow@1.0/224, B = v1@1.0/224")
        assert run("validate", name).exit_code == 0
    result = CliRunner().invoke(cli, ["-", "-f", "json"], input=text)
    assert result.exit_code == 0 and json.loads(result.output)["macs"] == 307_323_392
    result = CliRunner().invoke(cli, ["compare", "-", "v1", "v1-shallow", "-f", "csv"], input=text)
    labels = [line.split(",")[0] for line in result.output.splitlines()]
    assert labels == ["model", "<stdin>", "v1", "v1-shallow"]  # a name two models share: the source tells them apart
    assert "unknown model or command 'nosuch.txt'" in run("nosuch.txt").stderr


def test_errors_in_a_bundled_spec_say_it_is_the_bundled_model(run):
    result = run("googlenet", "--res", "8")
    assert result.exit_code == 2
    assert result.stderr.startswith("mbcalc: error: bundled googlenet.yaml:37:5: layer 'maxpool3' gets a 1x1x480")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_or_closed_stdout_is_an_io_error_and_a_closed_pipe_is_silent():
    command = [sys.executable, "-m", "mbcalc", "v1"]
    with open("/dev/full", "w") as full:
        result = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 2
    assert result.stderr == (
        "mbcalc: error: cannot write to standard output: No space left on device "
        "(free some space, or write elsewhere with -o FILE)\n"
    )
    closed = subprocess.run(f"{sys.executable} -m mbcalc v1 -f json >&-", shell=True, stderr=subprocess.PIPE, text=True)
    assert closed.returncode == 2 and "cannot write to standard output" in closed.stderr
    reader = subprocess.Popen(
        [sys.executable, "-m", "mbcalc", "reproduce", "all"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # as `| head` does once it has its lines
    assert reader.wait() == 1 and reader.stderr.read() == b""


def test_a_specs_own_input_size_is_the_default_everywhere_and_rho_is_relative_to_it(run, tmp_path):
    spec = tmp_path / "cifar.yaml"
    spec.write_text(
        "name: cifar\nform: graph\ninput: 32x32x3\nclasses: 10\nlayers:\n  - conv: {out: 16, k: 3}\n", encoding="utf-8"
    )
    assert json.loads(run(str(spec), "-f", "json").output)["resolution"] == 32
    assert json.loads(run("compare", str(spec), "v1", "-f", "json").output)["rows"][0]["resolution"] == 32
    assert json.loads(run("compare", str(spec), "v1", "-f", "json").output)["rows"][1]["resolution"] == 224
    assert json.loads(run(str(spec), "--rho", "0.5", "-f", "json").output)["resolution"] == 16
    assert json.loads(run("v1", "--rho", "0.714", "-f", "json").output)["resolution"] == 160
    assert "give --res or --rho, not both" in run(str(spec), "--rho", "0.5", "--res", "8").stderr


@pytest.mark.parametrize(
    "command",
    [
        ["v1"],
        ["v3-large"],
        ["reproduce", "v1"],
        ["v2", "--by", "row"],
        ["diff", "v1", "v1-conv"],
        ["compare", "v1", "v2", "v3-large", "--alpha", "1,0.5", "--baseline", "v2@1.0/224", "--count", "--flops"],
        ["efficientnet-b7", "--count", "--flops", "--exact"],
    ],
)
def test_tables_fit_an_80_column_terminal_without_cutting_numbers(command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = CliRunner().invoke(cli, command).output
    assert max(map(len, narrow.splitlines())) <= 80
    monkeypatch.delenv("COLUMNS")
    wide = CliRunner().invoke(cli, command).output  # not a terminal: as wide as the cells
    assert max(map(len, wide.splitlines())) > 80
    if command == ["v1"]:  # only the shapes are left out: every number is there, whole
        assert "columns left out to fit 80 columns: input → output" in narrow

        def numbers(text: str) -> list[str]:
            return sorted(re.findall(r"(?<![\w.])\d[\d,.]*[KMG%]?(?=\s|$)", text.split("Counting:")[0]))

        assert numbers(narrow) == numbers(wide) and "568.7M" in numbers(narrow)


def test_latex_is_a_booktabs_table(run):
    out = run("v1", "--alpha", "0.75", "-f", "latex").output
    assert "\\toprule" in out and "\\bottomrule" in out and "\\begin{tabular}{llllrrr}" in out
    assert "1 & conv1 & conv 3x3/2 & 224x224x3 $\\rightarrow$ 112x112x24 & 8.13M & 648 & 2.50\\% \\\\" in out
    assert (
        run("compare", "v1", "v2", "-f", "latex").exit_code == 0
        and run("reproduce", "v1", "-f", "latex").exit_code == 0
    )


def test_shell_completion_offers_models_and_choices():
    def complete(words: str, index: int) -> list[str]:
        env = {"_MBCALC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(index)}
        return CliRunner().invoke(cli, [], prog_name="mbcalc", env=env).output.split()

    assert complete("mbcalc v2 --by ", 3) == ["plain,layer", "plain,block", "plain,row"]
    assert "plain,v3-small" in complete("mbcalc v3-s", 1)


def test_outputs_never_replace_standard_input_or_package_data_and_are_checked_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "net.yaml"
    text = (ROOT / "specs" / "v2.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    with open(spec, "rb") as stdin:  # `mbcalc - -o net.yaml < net.yaml`
        result = subprocess.run(
            [sys.executable, "-m", "mbcalc", "-", "-o", "net.yaml"], stdin=stdin, capture_output=True, text=True
        )
    assert result.returncode == 2 and "-o net.yaml is the spec read from standard input" in result.stderr
    assert spec.read_text(encoding="utf-8") == text
    runner = CliRunner()

    bundled = str(bundled_specs()["v1"])  # the spec this mbcalc reads (a checkout's, or the installed package's)
    result = runner.invoke(cli, ["v1", "-o", bundled])
    assert result.exit_code == 2 and "is the bundled spec v1.yaml" in result.stderr
    result = runner.invoke(cli, ["reproduce", "v1", "-o", str(references_path())])
    assert result.exit_code == 2 and "is the references file" in result.stderr
    result = runner.invoke(cli, ["compare", "v1", "--plot", "missing/x.png", "-o", "out.txt"])
    assert result.exit_code == 2 and "cannot write --plot missing/x.png: there is no folder missing" in result.stderr
    (tmp_path / "DIR.png").mkdir()
    result = runner.invoke(cli, ["compare", "v1", "--plot", "DIR.png"])
    assert result.exit_code == 2 and result.stdout == "" and "it is a folder" in result.stderr
    assert not (tmp_path / "out.txt").exists()


def test_standard_input_named_twice_is_read_once():
    text = (ROOT / "specs" / "v1-shallow.yaml").read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mbcalc", "compare", "-", "--baseline", "-", "-f", "json"],
        input=text,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["baseline"]["macs"] == 307_323_392


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_an_output_folder_that_cannot_be_written_is_refused_before_any_output(run, tmp_path):
    result = run("compare", "v1", "--plot", "/proc/x.png", "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 2 and result.stdout == "" and "cannot write --plot /proc/x.png" in result.stderr
    assert not (tmp_path / "out.txt").exists()


def test_a_models_help_example_runs(run):
    """Each bundled model's --help shows an example it accepts (alexnet is built at width 1.0 only)."""
    for name in bundled_specs():
        example = next(line for line in run(name, "--help").output.splitlines() if "Example:" in line)
        args = example.split("mbcalc ", 1)[1].split()
        assert run(*args).exit_code == 0, example


def test_an_alias_that_names_a_width_keeps_it(run):
    """timm's mobilenetv2_100 and TF-Slim's mobilenet_v2_1.0_224 say width 1.0 (and 224): another
    --alpha (or --res) is refused with the model's own name to use; a plain alias takes any."""
    result = run("mobilenetv2_100", "--alpha", "0.5")
    assert (
        result.exit_code == 2
        and "mobilenetv2_100 names v2 at width 1.0; for another width, use v2 --alpha 0.5" in result.stderr
    )
    result = run("mobilenet_v2_1.0_224", "--res", "192")
    assert result.exit_code == 2 and "use v2 --res 192" in result.stderr
    assert run("mobilenetv2_100", "--alpha", "1.0").exit_code == 0
    assert run("mobilenet_v2", "--alpha", "0.5").exit_code == 0


def test_width_naming_aliases_everywhere(run):
    """Hyphens spell the same alias; the same size written otherwise is the same size; every
    command refuses another width (review findings)."""
    assert run("mobilenet-v2-1.0-224", "--res", "192").exit_code == 2
    assert run("mobilenet_v2_1.0_224", "--res", "224x224").exit_code == 0
    assert run("mobilenet_v2_1.0_224", "--rho", "0.5").exit_code == 2
    for args in (
        ["compare", "mobilenetv2_100", "--alpha", "0.5"],
        ["diff", "mobilenetv2_100@0.5", "v2"],
        ["memory", "mobilenetv2_100", "--alpha", "0.5"],
    ):
        result = run(*args)
        assert result.exit_code == 2 and "names v2 at width 1.0" in result.stderr, args
    assert run("compare", "v2", "--res", "2_24").exit_code == 2  # Python's int() reads 2_24 as 224
