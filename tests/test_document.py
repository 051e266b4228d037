"""Drawing documents: the terminal table (fitting a width, linear in rows), Markdown and LaTeX
escaping, and what `render` adds (the width, the latex format, schema_version in JSON)."""

import json
import re
import subprocess
import sys

import pytest

from mbcalc import api
from mbcalc.record import replace
from mbcalc.render import FORMATS, render
from mbcalc.render.compare import CompareView
from mbcalc.render.conv import ConvView
from mbcalc.render.diff import DiffView
from mbcalc.render.document import Document, Section
from mbcalc.render.draw import (
    cell_width,
    draw_latex,
    draw_markdown,
    draw_table,
    pieces,
    pipe_table,
    printable,
    wrap,
)
from mbcalc.render.model import ModelView
from mbcalc.render.reproduce import ReproduceView
from mbcalc.reproduce import reproduce

LAYERS = Section(
    "Layers",
    ("#", "layer", "input → output", "Mult-Adds"),
    (
        ("1", "block15.se.expand.hsigmoid", "7x7x1024 → 7x7x1024", "102.76M"),
        ("2", "conv1", "224x224x3 → 112x112x32", "10.84M"),
    ),
    right=(3,),
    wrap=(1, 2),
    optional=(2,),
)
FOOTNOTE = "[3] the exact count is 290.68M (the TF-Slim checkpoint table prints 291); the paper scaled the 224 total"
DOC = Document("A title that is long enough to wrap at forty columns of text", (LAYERS,), (FOOTNOTE,))
NUMBERS = re.compile(r"\d[\d.,x]*[KMG%]?")


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def footer_of(text: str) -> str:
    """The footer after the last blank line, its wrapped lines joined."""
    return " ".join(line.strip() for line in text.rstrip("\n").split("\n\n")[-1].split("\n"))


def numbers_in(text: str) -> set[str]:
    return set(NUMBERS.findall(text))


# -- the terminal table at unlimited width: the look it always had -------------------------------


def test_unlimited_width_draws_every_column_whole_in_the_usual_look():
    assert draw_table(DOC) == (
        "A title that is long enough to wrap at forty columns of text\n"
        "\n"
        "Layers\n"
        "# ┃ layer                      ┃ input → output         ┃ Mult-Adds\n"
        "━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━\n"
        "1 │ block15.se.expand.hsigmoid │ 7x7x1024 → 7x7x1024    │   102.76M\n"
        "2 │ conv1                      │ 224x224x3 → 112x112x32 │    10.84M\n"
        "\n"
        f"{FOOTNOTE}\n"
    )


def test_sections_without_title_or_rows_and_a_single_column():
    doc = Document("", (Section("", ("x",), (("1",), ("22",))), Section("Empty", ("a", "b"), (), (1,))))
    assert draw_table(doc) == "\nx\n━━\n1\n22\n\nEmpty\na ┃ b\n━━╇━━\n"
    assert draw_table(Document("", ())) == ""


def test_wide_characters_take_two_cells_and_stay_aligned():
    doc = Document("", (Section("", ("name", "n"), (("中文名", "1"), ("ab", "22"), ("é", "3")), (1,)),))
    body = lines_of(draw_table(doc))[1:]
    assert cell_width("中文名") == 6 and cell_width("é") == 1
    assert {cell_width(line) for line in body} == {11}
    assert body[2] == "中文名 │  1"


def test_a_row_with_the_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match="rows of \\[1\\] cells for 2 headers"):
        draw_table(Document("", (Section("bad", ("a", "b"), (("1",),)),)))


# -- fitting a width ------------------------------------------------------------------------------


def test_text_columns_wrap_at_sensible_places_to_fit():
    assert draw_table(DOC, 50) == (
        "A title that is long enough to wrap at forty\n"
        "columns of text\n"
        "\n"
        "Layers\n"
        "# ┃ layer       ┃ input → output      ┃ Mult-Adds\n"
        "━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━\n"
        "1 │ block15.se. │ 7x7x1024 → 7x7x1024 │   102.76M\n"
        "  │ expand.     │                     │\n"
        "  │ hsigmoid    │                     │\n"
        "2 │ conv1       │ 224x224x3 →         │    10.84M\n"
        "  │             │ 112x112x32          │\n"
        "\n"
        "[3] the exact count is 290.68M (the TF-Slim\n"
        "    checkpoint table prints 291); the paper scaled\n"
        "    the 224 total\n"
    )


def test_optional_columns_go_when_wrapping_is_not_enough_and_the_footer_says_so():
    out = draw_table(DOC, 40)
    assert max(map(cell_width, lines_of(out))) <= 40
    assert "input → output" not in out.split("\n\n")[1]  # the table
    assert "7x7x1024" not in out
    assert "1 │ block15.se.expand. │   102.76M" in out
    assert footer_of(out).endswith(
        "Layers: columns left out to fit 40 columns: input → output; widen the terminal or use -f markdown"
    )


def test_optional_columns_go_least_important_first_and_only_as_many_as_needed():
    section = Section("", ("id", "name", "note", "n"), (("x" * 10, "y" * 10, "z" * 10, "1"),), (3,), optional=(2, 0, 1))
    out = draw_table(Document("", (section,)), 28)
    assert lines_of(out)[1:3] == ["id         ┃ name       ┃ n", "━━━━━━━━━━━╇━━━━━━━━━━━━╇━━"]
    assert footer_of(out) == "columns left out to fit 28 columns: note; widen the terminal or use -f markdown"
    out = draw_table(Document("", (section,)), 15)
    assert lines_of(out)[1] == "name       ┃ n"
    assert footer_of(out).startswith("columns left out to fit 15 columns: note, id;")


def test_a_tiny_width_never_cuts_a_number_or_a_piece_of_text():
    out = draw_table(DOC, 10)
    assert numbers_in(out) >= {"102.76M", "10.84M", "290.68M", "224"}
    for piece in ("block15.", "se.", "expand.", "hsigmoid", "markdown", "checkpoint"):
        assert piece in out
    assert "…" not in out and "..." not in out
    widest = max(map(cell_width, lines_of(out)))
    assert widest == cell_width("1 │ hsigmoid │   102.76M")  # the narrowest the table can be


def test_columns_a_view_does_not_mark_are_never_wrapped_before_the_last_resort():
    section = replace(LAYERS, wrap=(1,), optional=())
    out = draw_table(Document("", (section,)), 60)
    assert "224x224x3 → 112x112x32" in out  # not wrapped: the layer column made room
    assert max(map(cell_width, lines_of(out))) <= 60


def test_right_aligned_columns_are_never_wrapped_even_if_marked():
    section = Section("", ("name", "value"), (("a long name to wrap here", "1,234,567.89"),), right=(1,), wrap=(0, 1))
    out = draw_table(Document("", (section,)), 24)
    assert "1,234,567.89" in out
    assert max(map(cell_width, lines_of(out))) <= 24


def test_pieces_break_names_but_never_numbers():
    assert pieces("block15.se.expand.hsigmoid") == ["block15.", "se.", "expand.", "hsigmoid"]
    assert pieces("conv_dw_13_pw.relu") == ["conv_", "dw_", "13_", "pw.", "relu"]
    assert pieces("squeezenet1_0@1.0/224") == ["squeezenet1_0@", "1.0/", "224"]
    assert pieces("v1-table10-0.75-192") == ["v1-", "table10-", "0.75-", "192"]
    assert pieces("14x14x512→512") == ["14x14x512→", "512"]
    assert pieces("f(x)") == ["f", "(x)"]
    for number in ("0.75", "1,024", "1_000", "-5", "x=-5", "1e-5", "568,740,352", "18.07%"):
        assert pieces(number) == [number]


def test_wrap_prefers_spaces_and_indents_continuations():
    assert wrap("224x224x3 → 112x112x32", 12) == ["224x224x3 →", "112x112x32"]
    assert wrap("one two three four", 9, indent=2) == ["one two", "  three", "  four"]
    assert wrap("short", 80) == ["short"]


def marked(doc: Document) -> Document:
    """The marks a view would give its sections: names and text wrap; shapes, Δ and ids may go."""
    wrap_headers = {"layer", "operator", "figure", "configuration", "quantity", "verdict", "type", "role", ""}
    optional_headers = ("input → output", "Δ", "figure")
    sections = tuple(
        replace(
            s,
            wrap=tuple(i for i, h in enumerate(s.headers) if h in wrap_headers),
            optional=tuple(s.headers.index(h) for h in optional_headers if h in s.headers),
        )
        for s in doc.sections
    )
    return replace(doc, sections=sections)


@pytest.mark.parametrize("model", ["v1", "v3-large"])
def test_per_layer_tables_fit_80_columns_with_every_number(model):
    doc = ModelView(api.analyze(model)).document()
    out = draw_table(marked(doc), 80)
    assert max(map(cell_width, lines_of(out))) <= 80
    cells = [tuple(cell.strip() for cell in line.split(" │ ")) for line in lines_of(out)]
    drawn = [row for row in cells if len(row) == 6 and row[0].isdigit()]
    assert drawn == [row[:3] + row[4:] for row in doc.sections[0].rows]  # one whole line per layer
    assert "columns left out to fit 80 columns: input → output" in " ".join(out.split())


def test_the_published_figures_table_fits_80_columns_with_its_footnotes():
    doc = ReproduceView(tuple(reproduce("v1")), sources=False).document()
    out = draw_table(marked(doc), 80)
    assert max(map(cell_width, lines_of(out))) <= 80
    assert all(row[3] in out and row[4] in out for row in doc.sections[0].rows)  # published, computed
    assert "documented [22]" in out
    footnote = next(line for line in lines_of(out) if line.startswith("[3] "))
    following = lines_of(out)[lines_of(out).index(footnote) + 1]
    assert following.startswith("    ") and not following.startswith("     ")


def test_huge_tables_draw_in_one_pass():
    """Not a timing: a table of 200,000 rows takes the fast path and keeps every row."""
    rows = tuple((str(i), f"n{i % 97}", str(i * 7 % 1000)) for i in range(200_000))
    out = draw_table(Document("", (Section("", ("#", "name", "value"), rows, (2,)),)), 80)
    lines = lines_of(out)
    assert len(lines) == 200_000 + 3
    assert lines[-1] == "199999 │ n82  │   993"


def test_drawing_a_table_does_not_import_rich():
    code = (
        "import sys; from mbcalc.render.document import Document, Section; from mbcalc.render.draw import draw_table; "
        "draw_table(Document('t', (Section('s', ('a',), (('1',),)),)), 80); print('rich' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- characters that must not reach a display raw ------------------------------------------------


def test_printable_escapes_control_format_and_bidirectional_characters():
    assert printable("conv1.relu") == "conv1.relu"
    assert printable("a\x00b") == "a\\x00b"
    assert printable("\x1b[31mred") == "\\x1b[31mred"
    assert printable("tab\there") == "tab\\x09here"
    assert printable("del\x7f c1\x85 \x9b") == "del\\x7f c1\\x85 \\x9b"
    assert printable("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert printable("\u2066iso\u2069") == "\\u2066iso\\u2069"
    assert printable("zero\u200bwidth\ufeff") == "zero\\u200bwidth\\ufeff"
    assert printable("tag\U000e0041") == "tag\\U000e0041"
    assert printable("line\u2028sep") == "line\\u2028sep"
    assert printable("two\r\nlines\rand\nmore") == "two lines and more"
    assert printable("α → Δ² 中文 é") == "α → Δ² 中文 é"


def hostile_doc() -> Document:
    section = Section("s\u202e", ("name", "n"), (("a|b\x00", "1"), ("x\\|y", "2"), ("one\ntwo", "3")), (1,))
    return Document("title\x1b[2J", (section,), ("foot\u202enote",))


def test_the_table_shows_hostile_characters_escaped_and_stays_aligned():
    out = draw_table(hostile_doc())
    assert "\x00" not in out and "\x1b" not in out and "\u202e" not in out and "one\ntwo" not in out
    assert out.startswith("title\\x1b[2J\n")
    assert "a|b\\x00 │ 1" in out and "one two │ 3" in out and "foot\\u202enote" in out
    body = lines_of(out)[4:7]
    assert len({cell_width(line) for line in body}) == 1


def test_markdown_cells_cannot_shift_columns():
    lines = pipe_table(hostile_doc().sections[0])
    assert lines[2] == "| a\\|b\\x00 | 1 |"
    assert lines[3] == "| x\\\\\\|y   | 2 |"  # the backslash stays text; the pipe is escaped
    assert lines[4] == "| one two  | 3 |"
    for line in lines:
        assert len(re.split(r"(?<!\\)\|", line.replace("\\\\", ""))) == 4  # two cells per row
    out = draw_markdown(hostile_doc())
    assert out.startswith("# title\\x1b[2J\n") and "## s\\u202e" in out and out.endswith("\n\nfoot\\u202enote\n")
    assert "\x00" not in out and "\x1b" not in out and "\u202e" not in out


# -- LaTeX ----------------------------------------------------------------------------------------


def test_latex_is_a_booktabs_table_per_section():
    doc = Document(
        "Demo: 50% cheaper",
        (Section("Costs", ("layer", "Mult-Adds"), (("conv_1 → pw", "10%"), ("[1] α×2", "3")), (1,)),),
        ("[1] a note",),
    )
    assert draw_latex(doc) == (
        "% Demo: 50% cheaper\n"
        "\n"
        "\\paragraph{Costs}\n"
        "\\begin{tabular}{lr}\n"
        "\\toprule\n"
        "layer & Mult-Adds \\\\\n"
        "\\midrule\n"
        "conv\\_1 $\\rightarrow$ pw & 10\\% \\\\\n"
        "{}[1] $\\alpha$$\\times$2 & 3 \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}\n"
        "\n"
        "% [1] a note\n"
    )


def test_latex_escapes_every_special_character():
    cell = "& % $ # _ { } ~ ^ \\ → × α Δ ²"
    row = draw_latex(Document("", (Section("", ("h",), ((cell,),)),))).split("\n")[4]
    assert row == (
        "\\& \\% \\$ \\# \\_ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} "
        "$\\rightarrow$ $\\times$ $\\alpha$ $\\Delta$ $^2$ \\\\"
    )
    out = draw_latex(hostile_doc())
    assert "\x00" not in out and "\u202e" not in out and "\x1b" not in out
    assert "a\\textbar{}b\\textbackslash{}x00" in out and "% foot\\u202enote" in out


# -- render ---------------------------------------------------------------------------------------


def views():
    return [
        ModelView(api.analyze("v1", alpha=0.5, resolution=128)),
        ConvView(api.compare_conv("14x14x512", 512, 3)),
        CompareView(api.compare(["v1", "v2"], [1.0], [224])),
        DiffView(api.diff("v1", "v1-shallow")),
        ReproduceView(tuple(reproduce("v1"))[:4]),
    ]


def test_every_json_output_starts_with_its_schema_version():
    for view in views():
        data = json.loads(render(view, "json"))
        assert next(iter(data)) == "schema_version" and data["schema_version"] == 1
        assert {k: v for k, v in data.items() if k != "schema_version"} == {
            k: v for k, v in json.loads(json.dumps(view.data())).items() if k != "schema_version"
        }


def test_render_draws_latex_and_fits_tables_to_a_width():
    assert "latex" in FORMATS
    view = ModelView(api.analyze("v1"))
    latex = render(view, "latex")
    assert latex.startswith("% v1: alpha 1.0") and "\\begin{tabular}{lllllrrr}" not in latex
    assert "\\begin{tabular}{llllrrr}" in latex and latex.count("\\toprule") == 4
    assert max(map(cell_width, lines_of(render(view, "table", 80)))) <= 80
    assert render(view, "table") == draw_table(view.document())
