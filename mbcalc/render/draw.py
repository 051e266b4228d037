"""Drawing a document (document.py) for a terminal, as Markdown or as LaTeX. Everything here is
layout: the strings arrive formatted. Only the formats that draw documents load this module (JSON
and CSV start without it).

The terminal table is drawn here with plain string padding: one pass over the rows measures the
columns, one more draws them, so a table of a million rows costs time and memory in proportion to
its size. Given a width, the table fits it by wrapping the text columns a view allows to wrap, then
by leaving out the columns it marks optional; numbers are never wrapped or cut.

Every format shows each string through `printable`: no control or bidirectional character reaches
a terminal or a file raw, whatever a spec named its layers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain, islice, starmap

from ..record import Record, record
from .document import Document, Section

# -- characters that must not reach a display raw -------------------------------------------------

LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control (C0, DEL, C1), format (zero-width, bidirectional overrides and isolates), lone surrogates,
# and the Unicode line and paragraph separators.
HIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` as it may be shown: a line break becomes a space; control, format (zero-width,
    bidirectional) and surrogate characters become escapes such as \\x00 or \\u202e, so a name
    can neither reorder nor hide what is drawn around it."""
    if text.isprintable():  # almost every string: one check in C
        return text
    text = LINE_BREAK.sub(" ", text)
    return "".join(escape_char(c) if unicodedata.category(c) in HIDDEN else c for c in text)


# -- display width --------------------------------------------------------------------------------

NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Terminal cells of one printable character: 2 for East Asian wide, 0 for combining marks."""
    if unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + sum(char_width(c) - 1 for c in NON_ASCII.findall(text))


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * (width - cell_width(text))
    return fill + text if right else text + fill


# -- wrapping -------------------------------------------------------------------------------------

BREAKS = re.compile(r"[/@→.,_(-]")  # where a word may break; `pieces` decides which ones do
SEPARATORS = frozenset("/@→")  # between two names or numbers (3x3/2, v1@1.0): a line may break after
IN_NUMBERS = frozenset(".,_")  # also inside a number (0.75, 1,024, 1_000): no break between two digits


LONG_PIECE = 16  # cells: longer runs without a break (a 64-character name) break anyway


def pieces(word: str) -> list[str]:
    """`word` split where a line may break inside it: after '/', '@', '→', after '.', ',', '_' unless
    a digit is on both sides, after a hyphen (not a minus sign: x=-5, 1e-5), and before '('.
    A break character that starts or ends the word stays with it; a piece longer than LONG_PIECE
    characters with no such place (a long name) breaks every LONG_PIECE characters."""
    out, start = [], 0
    for match in BREAKS.finditer(word, 1):
        at = match.start()
        char, before, after = word[at], word[at - 1], word[at + 1 : at + 2]
        if char == "(":
            cut = at
        elif not after or (char in IN_NUMBERS and before.isdigit() and after.isdigit()):
            continue
        elif char == "-" and after.isdigit():
            exponent = before in "eE" and at >= 2 and word[at - 2].isdigit()
            if exponent or not before.isalnum():  # 1e-5, x=-5: a sign, not a hyphen
                continue
            cut = at + 1
        else:
            cut = at + 1
        if cut > start:
            out.append(word[start:cut])
            start = cut
    out.append(word[start:])
    if all(len(piece) <= LONG_PIECE for piece in out):
        return out
    return [chunk for piece in out for chunk in _chunks(piece)]


def _chunks(piece: str) -> Iterator[str]:
    """`piece` in runs of at most LONG_PIECE cells (a wide character takes two)."""
    start, used = 0, 0
    for i, char in enumerate(piece):
        size = char_width(char) if not char.isascii() else 1
        if used + size > LONG_PIECE:
            yield piece[start:i]
            start, used = i, 0
        used += size
    yield piece[start:]


def longest_piece(text: str, measure: Callable[[str], int] = cell_width) -> int:
    """The width below which `text` cannot wrap without cutting a piece."""
    return max((measure(p) for word in text.split() for p in pieces(word)), default=0)


def wrap(text: str, width: int, indent: int = 0, measure: Callable[[str], int] = cell_width) -> list[str]:
    """`text` in lines of at most `width` cells: broken at spaces, and inside a word (see `pieces`)
    only when the word alone is too wide for a line. Lines after the first start with `indent`
    spaces. A piece wider than a line is never cut: it overflows on a line of its own. `measure`
    is `len` when every character is known to be one cell wide."""
    if measure(text) <= width:
        return [text]
    lines: list[str] = []
    line, used, room = "", 0, width

    def flush() -> None:
        nonlocal line, used, room
        lines.append(line)
        line, used, room = "", 0, width - indent

    for word in text.split():
        size = measure(word)
        if line and used + 1 + size <= room:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            flush()
        if size <= room:
            line, used = word, size
            continue
        for piece in pieces(word):
            size = measure(piece)
            if line and used + size > room:
                flush()
            line, used = line + piece, used + size
    if line or not lines:
        lines.append(line)
    return lines[:1] + [" " * indent + rest for rest in lines[1:]]


FOOTNOTE = re.compile(r"\[\d+\] ")


def hanging_indent(line: str, width: int) -> int:
    """Continuation lines of a footnote '[3] ...' align after its marker; other lines indent by 2."""
    marker = FOOTNOTE.match(line)
    return min(marker.end() if marker else 2, width // 3)


# -- the terminal table ---------------------------------------------------------------------------

MIN_WRAP = 12  # a wrapped column stays this wide to stay readable, unless its cells are all narrower
GAP = 3  # " │ " between two columns


@record(slots=True)
class Column(Record):
    header: str
    cells: Sequence[str]
    right: bool
    width: int  # the widest cell, header included
    plain: bool  # every character is one cell wide: str padding (and str.format) is exact

    @property
    def measure(self) -> Callable[[str], int]:
        return len if self.plain else cell_width


def columns_of(section: Section) -> list[Column]:
    """The columns of `section`, their cells made printable, measured in one pass."""
    count = len(section.headers)
    lengths = set(map(len, section.rows))
    if lengths - {count}:
        raise ValueError(f"section {section.title!r}: rows of {sorted(lengths - {count})} cells for {count} headers")
    columns: Sequence[Sequence[str]] = list(zip(*section.rows, strict=True)) if section.rows else [()] * count
    measured = []
    for i, (header, cells) in enumerate(zip(section.headers, columns, strict=True)):
        header = printable(header)
        joined = "".join(cells)
        if not joined.isprintable():
            cells = [printable(c) for c in cells]
            joined = "".join(cells)
        joined += header
        plain = joined.isascii() or all(char_width(c) == 1 for c in set(NON_ASCII.findall(joined)))
        widest = max(map(len if plain else cell_width, cells), default=0)
        measured.append(Column(header, cells, i in section.right, max(widest, cell_width(header)), plain))
    return measured


def table_width(widths: Iterable[int]) -> int:
    widths = list(widths)
    return sum(widths) + GAP * max(len(widths) - 1, 0)


def shrink(
    natural: dict[int, int], floors: dict[int, int], sizes: dict[int, Counter[int]], width: int
) -> dict[int, int] | None:
    """Widths for the columns of `natural` that fit `width`, narrowing only the columns in `floors`
    (never below their floor), chosen to add as few wrapped lines as possible; None if they cannot fit.
    `sizes` counts the cells of each narrowable column by width."""
    budget = width - table_width(natural.values()) + sum(natural[i] for i in floors)
    if sum(floors.values()) > budget:
        return None
    if sum(natural[i] for i in floors) <= budget:
        return dict(natural)
    # A cell `size` wide takes about ceil(size / w) lines at width w; the cost of a width is the
    # lines it adds over the column. best[used] = the fewest added lines of widths, one per column
    # so far, that add up to `used`: exact over the columns' widths, linear in the rows.
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for i, floor in floors.items():
        candidates = range(floor, min(natural[i], budget) + 1)
        added = {w: sum(n * (-(-size // w) - 1) for size, n in sizes[i].items() if size > w) for w in candidates}
        step: dict[int, tuple[int, tuple[int, ...]]] = {}
        for used, (cost, widths) in best.items():
            for w in candidates:
                if used + w > budget:
                    break
                if used + w not in step or cost + added[w] < step[used + w][0]:
                    step[used + w] = (cost + added[w], (*widths, w))
        best = step
    used = min(best, key=lambda total: (best[total][0], -total))  # the fewest added lines, then the widest
    chosen = dict(zip(floors, best[used][1], strict=True))
    spare = budget - used
    while spare > 0:  # the room left widens the narrowest wrapped columns: fewer lines per cell
        narrow = [i for i in chosen if chosen[i] < natural[i]]
        if not narrow:
            break
        chosen[min(narrow, key=chosen.__getitem__)] += 1
        spare -= 1
    return {i: chosen.get(i, w) for i, w in natural.items()}


def longest_pieces(column: Column) -> int:
    measure = column.measure
    best = longest_piece(column.header, measure)
    for cell in column.cells:
        if measure(cell) > best:  # a cell no wider than the best cannot hold a longer piece
            best = max(best, longest_piece(cell, measure))
    return best


def count_sizes(column: Column) -> Counter[int]:
    sizes = Counter(map(column.measure, column.cells))
    sizes[cell_width(column.header)] += 1
    return sizes


def layout(section: Section, columns: list[Column], width: int | None) -> tuple[dict[int, int], list[int]]:
    """The width of each column drawn (by index) and the columns left out, to fit `width`:
    (a) wrap the wrap columns, down to MIN_WRAP or their longest piece; (b) leave out the optional
    columns, least important first; (c) failing that, narrow every text column to its longest
    piece, the narrowest the table can be without cutting a word or a number."""
    natural = {i: c.width for i, c in enumerate(columns)}
    if width is None or table_width(natural.values()) <= width:
        return natural, []
    count = len(columns)
    texts = [i for i in range(count) if not columns[i].right]
    longest = {i: longest_pieces(columns[i]) for i in texts if i in section.wrap}
    sizes = {i: count_sizes(columns[i]) for i in longest}
    floors = {i: min(natural[i], max(MIN_WRAP, piece)) for i, piece in longest.items()}
    optional = [i for i in dict.fromkeys(section.optional) if 0 <= i < count]
    dropped: list[int] = []
    while True:
        widths = shrink(natural, floors, sizes, width)
        if widths is not None:
            return widths, dropped
        if not optional or len(natural) == 1:
            break
        gone = optional.pop(0)
        dropped.append(gone)
        del natural[gone]
        floors.pop(gone, None)
    for i in texts:
        if i in natural and i not in longest:
            longest[i], sizes[i] = longest_pieces(columns[i]), count_sizes(columns[i])
    floors = {i: longest[i] for i in texts if i in natural}
    widths = shrink(natural, floors, sizes, width)
    return (widths if widths is not None else {i: floors.get(i, w) for i, w in natural.items()}), dropped


def wrapped_width(column: Column, width: int) -> int:
    """How wide `column` is once its cells wrap at `width` (wrapping can leave it narrower). `width`
    is never below the column's longest piece, so no wrapped line is wider than it."""
    measure, widest = column.measure, 0
    for cell in (column.header, *column.cells):
        size = measure(cell)
        if size > width:
            size = max(map(measure, wrap(cell, width, 0, measure)))
        if size == width:  # as wide as it can be: the other cells cannot change that
            return width
        widest = max(widest, size)
    return widest


def table_lines(columns: list[Column], widths: dict[int, int]) -> Iterator[str]:
    drawn = [columns[i] for i in widths]
    sizes = list(widths.values())
    rights = [c.right for c in drawn]
    narrowed = [k for k, c in enumerate(drawn) if sizes[k] < c.width]

    def drawer(separator: str) -> Callable[..., str]:
        if all(c.plain for c in drawn):  # str.format pads every cell in C: fast for a million rows
            aligned = (f"{{:{'>' if right else '<'}{size}}}" for right, size in zip(rights, sizes, strict=True))
            return separator.join(aligned).format
        return lambda *cells: separator.join(starmap(pad, zip(cells, sizes, rights, strict=True)))

    def wrapped(cells: Sequence[str], draw: Callable[..., str]) -> Iterator[str]:
        stacks = [
            wrap(cells[k], sizes[k], 0, drawn[k].measure) if k in narrowed else [cells[k]] for k in range(len(cells))
        ]
        for n in range(max(map(len, stacks))):
            yield draw(*(stack[n] if n < len(stack) else "" for stack in stacks))

    yield from wrapped([c.header for c in drawn], drawer(" ┃ "))
    if len(sizes) == 1:
        yield "━" * sizes[0]
    else:
        yield "╇".join("━" * (size + 1 + (0 < k < len(sizes) - 1)) for k, size in enumerate(sizes))
    draw = drawer(" │ ")
    rows = zip(*(c.cells for c in drawn), strict=True)
    if not narrowed:
        yield from starmap(draw, rows)
        return
    measures = [drawn[k].measure for k in narrowed]
    for row in rows:
        if all(measure(row[k]) <= sizes[k] for k, measure in zip(narrowed, measures, strict=True)):
            yield draw(*row)
        else:
            yield from wrapped(row, draw)


def section_lines(section: Section, width: int | None) -> tuple[Iterator[str], str]:
    """The lines of one section, drawn as they are read, and the note that names the columns left
    out to fit `width` (or "")."""
    columns = columns_of(section)
    widths, dropped = layout(section, columns, width)
    for i, size in widths.items():
        if size < columns[i].width:
            widths[i] = wrapped_width(columns[i], size)
    head: list[str] = []
    if section.title:
        title, across = printable(section.title), table_width(widths.values())
        # padded to the table's width as before; a title wider than its table wraps only at `width`
        head = [pad(title, across)] if cell_width(title) <= across else wrap(title, width or cell_width(title))
    note = ""
    if dropped:
        names = ", ".join(columns[i].header or f"column {i + 1}" for i in dropped)
        note = f"columns left out to fit {width} columns: {names}; widen the terminal or use -f markdown"
        if section.title:
            note = f"{printable(section.title)}: {note}"
    return chain(head, table_lines(columns, widths) if columns else ()), note


def draw_table(doc: Document, width: int | None = None) -> str:
    """The document for a terminal `width` cells wide (None: unlimited, every table drawn whole).
    No line is wider than `width` unless a number or a word alone is; numbers are never cut."""
    chunks: list[str] = []  # lines joined a few thousand at a time: no list of every line

    def add(lines: Iterable[str]) -> None:
        lines = iter(lines)
        while batch := list(islice(lines, 4096)):
            chunks.append("\n".join(line.rstrip(" ") for line in batch))  # no padding after the last cell

    if doc.title:
        title = printable(doc.title)
        add(wrap(title, width) if width is not None else [title])
    notes = []
    for section in doc.sections:
        lines, note = section_lines(section, width)
        add([""])
        add(lines)
        if note:
            notes.append(note)
    footer = [printable(line) for line in doc.footer] + notes
    if footer:
        add([""])
    for line in footer:
        add(wrap(line, width, hanging_indent(line, width)) if width is not None else [line])
    return "\n".join([*chunks, ""]) if chunks else ""


# -- Markdown -------------------------------------------------------------------------------------

MARKUP = re.compile(r"(\\*)(\|)")  # a cell separator, with the backslashes before it
ANGLES = str.maketrans({"<": "&lt;", ">": "&gt;"})  # not HTML tags
SPECIAL = frozenset("|<>")


def markdown_text(text: str) -> str:
    """Text that cannot change a Markdown page's structure: '|' is escaped (the backslashes before
    it doubled, so they stay text) and '<', '>' are entities, so no cell splits a pipe table and no
    name opens an HTML tag. Emphasis and `code` stay Markdown: the generated docs use them."""
    text = printable(text)
    if SPECIAL.isdisjoint(text):
        return text
    return MARKUP.sub(lambda m: m[1] * 2 + "\\" + m[2], text).translate(ANGLES)


def pipe_table(section: Section) -> list[str]:
    """A GitHub pipe table with padded, aligned columns (numbers right-aligned)."""
    count = len(section.headers)
    columns: list[Sequence[str]] = list(zip(*section.rows, strict=True)) if section.rows else [()] * count
    for i, cells in enumerate(columns):
        joined = "".join(cells)
        if not SPECIAL.isdisjoint(joined) or not joined.isprintable():  # escape only the columns that need it
            columns[i] = [markdown_text(c) for c in cells]
    headers = [markdown_text(h) for h in section.headers]
    widths = [max(len(h), max(map(len, cells), default=0)) for h, cells in zip(headers, columns, strict=True)]
    right = [i in section.right for i in range(count)]
    line = "| " + " | ".join(f"{{:{'>' if r else '<'}{w}}}" for r, w in zip(right, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 1) + ":" if r else "-" * (w + 2) for r, w in zip(right, widths, strict=True)) + "|"
    return [line.format(*headers), rule, *starmap(line.format, zip(*columns, strict=True))]


def draw_markdown(doc: Document) -> str:
    out = [f"# {markdown_text(doc.title)}", ""] if doc.title else []
    for section in doc.sections:
        out += ([f"## {markdown_text(section.title)}", ""] if section.title else []) + pipe_table(section) + [""]
    out += [f"{markdown_text(line)}  " for line in doc.footer]
    return "\n".join(out).rstrip() + "\n"


# -- LaTeX ----------------------------------------------------------------------------------------

LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        # without T1 font encoding these print as other glyphs
        "<": r"\textless{}",
        ">": r"\textgreater{}",
        "|": r"\textbar{}",
        # symbols the default input encoding does not cover: as math
        "→": r"$\rightarrow$",
        "×": r"$\times$",
        "α": r"$\alpha$",
        "β": r"$\beta$",
        "γ": r"$\gamma$",
        "ρ": r"$\rho$",
        "Δ": r"$\Delta$",
        "²": r"$^2$",
        "−": r"$-$",
        "≤": r"$\leq$",
        "≥": r"$\geq$",
        "≈": r"$\approx$",
        "≠": r"$\neq$",
        "…": r"\ldots{}",
    }
)


def latex_text(text: str) -> str:
    text = printable(text).translate(LATEX)
    # after \\ or a rule, a leading '[' or '*' would be read as that command's argument
    return "{}" + text if text[:1] in ("[", "*") else text


def draw_latex(doc: Document) -> str:
    """Each section as a booktabs tabular (\\usepackage{booktabs}), titled by a \\paragraph; the
    document title and footer as comments, to paste into a paper draft."""
    out = [f"% {printable(doc.title)}", ""] if doc.title else []
    for section in doc.sections:
        if section.title:
            out.append(f"\\paragraph{{{latex_text(section.title)}}}")
        spec = "".join("r" if i in section.right else "l" for i in range(len(section.headers)))
        out += [f"\\begin{{tabular}}{{{spec}}}", "\\toprule"]
        out.append(" & ".join(map(latex_text, section.headers)) + " \\\\")
        out.append("\\midrule")
        out += (" & ".join(map(latex_text, row)) + " \\\\" for row in section.rows)
        out += ["\\bottomrule", "\\end{tabular}", ""]
    out += [f"% {printable(line)}" for line in doc.footer]
    return "\n".join(out).rstrip() + "\n"
