#!/usr/bin/env bash
# Fill fuzz/corpus/{front_end,parser}/ with seed inputs (the corpus itself is
# git-ignored; this script is what is committed). Idempotent.
#   - every .stone file of generator/tests/fixtures/**/ as a one-file input
#   - each fixture directory's .stone files (sorted, first 3) joined with NUL
#     bytes as one multi-file input (the front_end target splits on NUL)
#   - /work/shared/dropbox-api-spec/*.stone and /work/shared/spec-history/**/*.stone
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
main="$(dirname "$here")"
shared="${SHARED:-$(dirname "$main")/shared}"
fe="$here/corpus/front_end"
pa="$here/corpus/parser"
mkdir -p "$fe" "$pa"

n=0
copy() { # src dest-name
    cp "$1" "$fe/$2"
    cp "$1" "$pa/$2"
    n=$((n + 1))
}

fixtures="$main/generator/tests/fixtures"
while IFS= read -r -d '' f; do
    rel="${f#"$fixtures"/}"
    copy "$f" "fixture_${rel//\//_}"
done < <(find "$fixtures" -name '*.stone' -print0)

# Multi-file seeds: each fixture directory that holds 2+ .stone files.
m=0
while IFS= read -r -d '' d; do
    mapfile -t files < <(find "$d" -maxdepth 1 -name '*.stone' | LC_ALL=C sort | head -n 3)
    [ "${#files[@]}" -ge 2 ] || continue
    rel="${d#"$fixtures"/}"
    out="$fe/multi_${rel//\//_}"
    : > "$out"
    for i in "${!files[@]}"; do
        [ "$i" -gt 0 ] && printf '\0' >> "$out"
        cat "${files[$i]}" >> "$out"
    done
    m=$((m + 1))
done < <(find "$fixtures" -type d -print0)

for f in "$shared"/dropbox-api-spec/*.stone; do
    [ -e "$f" ] && copy "$f" "spec_$(basename "$f")"
done
if [ -d "$shared/spec-history" ]; then
    while IFS= read -r -d '' f; do
        rel="${f#"$shared/spec-history"/}"
        copy "$f" "hist_${rel//\//_}"
    done < <(find "$shared/spec-history" -name '*.stone' -print0)
fi

# Known crashers stay in the corpus so they are re-checked on every run.
for f in "$here"/regressions/*; do
    [ -f "$f" ] && cp "$f" "$fe/regression_$(basename "$f")"
done

echo "seeded $n single-file and $m multi-file inputs into $fe (single-file ones also into $pa)"

# wire_decode: each spec example of the types the target decodes, as
# [selector byte][JSON], the byte being the type's index in the target.
wd="$here/corpus/wire_decode"
mkdir -p "$wd"
python3 - "$shared/reference/expected/dropbox-api-spec.examples.jsonl" "$wd" <<'PY'
import json, sys
types = ["files.Metadata", "files.ListFolderResult", "files.LookupError",
         "files.GetMetadataError", "files.UploadSessionFinishError",
         "files.SearchV2Result", "files.RelocationBatchV2JobStatus",
         "auth.AuthError", "auth.RateLimitError", "files.FileMetadata"]
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    name = e["namespace"] + "." + e["type"]
    if name in types:
        with open(f"{sys.argv[2]}/example_{n}", "wb") as f:
            f.write(bytes([types.index(name)]) + json.dumps(e["value"]).encode())
        n += 1
print(f"wire_decode: {n} seeds")
PY
