"""Merge or check *_counts.py output against tests/data/implementations.json.

  python tests/harness/merge.py --check out/*.jsonl   # compare only; exit 1 on any difference
  python tests/harness/merge.py out/*.jsonl           # write the new counts into the file

Records are keyed by (profile, model, alpha, resolution). Merging replaces the counts of a
known key in place and appends unknown keys at the end; it keeps every other record and the
header strings as they are (edit the header by hand when the measured versions change).
Input files hold one JSON record a line, as the scripts print them; other lines are ignored.
"""

import argparse
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "implementations.json"


def read_records(paths):
    records = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            line = line.strip()
            if not line.startswith("["):
                continue
            r = json.loads(line)
            if len(r) != 6:
                sys.exit("%s: not a 6-field record: %s" % (path, line))
            records.append(r)
    return records


def key(r):
    return (r[0], r[1], float(r[2]), int(r[3]))


def dump(data):
    """The file's own layout: header keys as json.dumps(indent=2) writes them, one record a line."""
    lines = ["{"]
    items = list(data.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k == "records":
            body = ",\n".join("    " + json.dumps(r) for r in v)
            lines.append('  "records": [\n%s\n  ]%s' % (body, comma))
        else:
            text = json.dumps(v, indent=2).replace("\n", "\n  ")
            lines.append("  %s: %s%s" % (json.dumps(k), text, comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", help="files of records printed by the *_counts.py scripts")
    p.add_argument("--check", action="store_true", help="only compare with the committed records")
    p.add_argument("--data", default=str(DATA), help="the implementations.json to read (and write)")
    args = p.parse_args()

    data = json.loads(Path(args.data).read_text())
    committed = {key(r): i for i, r in enumerate(data["records"])}
    new = read_records(args.files)

    same, changed, added = 0, [], []
    for r in new:
        i = committed.get(key(r))
        if i is None:
            added.append(r)
        elif data["records"][i][4:] == r[4:]:
            same += 1
        else:
            changed.append((data["records"][i], r))
    for old, r in changed:
        print("changed: %s -> macs %d, params %d" % (json.dumps(old), r[4], r[5]))
    for r in added:
        print("new:     %s" % json.dumps(r))
    print("%d records read: %d equal to the committed ones, %d changed, %d new"
          % (len(new), same, len(changed), len(added)))

    if args.check:
        sys.exit(1 if changed or added else 0)
    for old, r in changed:
        data["records"][committed[key(r)]] = [old[0], old[1], old[2], old[3], r[4], r[5]]
    data["records"].extend(added)
    Path(args.data).write_text(dump(data))
    print("wrote %s (%d records)" % (args.data, len(data["records"])))


if __name__ == "__main__":
    main()
