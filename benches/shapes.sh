#!/bin/sh
# Time and peak memory of `paperlint check --offline` on large lists of hostile shapes
# (about 15 MB each): one table of short rows, bullets under headings, rows full of
# escaped pipes, a table of 5,000 columns, one paragraph of bare URLs, deeply indented
# bullets, a line of pipes, a line of opening brackets.
#
#   benches/shapes.sh [paperlint binary] [baseline binary]
#
# Needs python3 and /usr/bin/time (GNU). Prints: shape, bytes, seconds, peak KB, peak as
# a multiple of the input.
set -eu
bin=${1:-target/release/paperlint}
base=${2:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'EOF'
import sys
d = sys.argv[1]
N = 15 * 1024 * 1024
def write(name, parts):
    out, n = [], 0
    for p in parts:
        if n >= N:
            break
        out.append(p)
        n += len(p)
    open(f"{d}/{name}.md", "w").write("".join(out))
def forever(f):
    i = 0
    while True:
        yield f(i)
        i += 1
write("short", ["# Short rows\n\n| Year | Title |\n|---|---|\n"]
      + [f"| 2024 | [Paper {i}](https://example.org/p/{i}) |\n" for i in range(400000)])
write("bullets", forever(lambda i: f"## Topic {i}\n\n" + "".join(
    f"- [Paper {i}.{j}](https://example.org/{i}/{j}) - NeurIPS 2023\n" for j in range(20)) + "\n"))
write("escaped", ["| a | b |\n|---|---|\n"]
      + ["| x \\| y \\| z | [t](https://e.org/a\\|b) |\n"] * 400000)
cols = 5000
write("wide", ["|" + "|".join(f"c{i}" for i in range(cols)) + "|\n|" + "|".join("-" * cols) + "|\n"]
      + ["|" + "|".join(f"[x](https://e.org/{i})" for i in range(cols)) + "|\n"] * 100)
write("bare", forever(lambda i: f"https://example.org/p/{i} "))
write("nested", forever(lambda i: "  " * min(i, 400) + f"- [p{i}](https://e.org/{i})\n"))
write("pipes", ["|" * N])
write("brackets", ["[" * N])
EOF
printf '[check]\nmax_file_size = 100000000\n' > "$dir/big.toml"
for shape in short bullets escaped wide bare nested pipes brackets; do
  f="$dir/$shape.md"
  size=$(wc -c < "$f")
  for b in "$bin" $base; do
    /usr/bin/time -f "%e %M" -o "$dir/time" "$b" check --offline --quiet --config "$dir/big.toml" \
      --format json "$f" > /dev/null 2>&1 || true
    read -r secs kb < "$dir/time"
    echo "$shape $size $b: ${secs} s, ${kb} KB, $(python3 -c "print(round($kb * 1024 / $size, 1))")x"
  done
done
