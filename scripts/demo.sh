#!/bin/sh
# demo.sh (make demo): the openai-images command end to end against its
# built-in offline emulator (--emulator): no API key and no network beyond
# the Go module proxy for the build. It generates with two models, streams
# a generation with partial images, edits two of the generated images with
# the mask in docs/demo-inputs/, shows the retired variations endpoint
# answered as the API answers it now and a request refused before sending,
# runs a prompts file as a Batch API batch, and lists the files written
# under ./out (OUT=dir to change it).
set -eu
cd "$(dirname "$0")/.."

OUT=${OUT:-out}
GO=${GO:-go}
MASK=docs/demo-inputs/mask-1024.png
WRITTEN=""

oi() { "$GO" run ./cmd/openai-images "$@"; }

# step TITLE: a heading.
step() { printf '\n== %s\n' "$1"; }

# run ARGS...: run the command; its stdout (the paths written, one a line)
# is shown, added to WRITTEN and left in PATHS.
run() {
	PATHS=$(oi "$@" --emulator --out "$OUT")
	printf '%s\n' "$PATHS"
	WRITTEN="$WRITTEN$PATHS
"
}

last() { printf '%s\n' "$1" | tail -n 1; }

printf '== building: '
oi --version
start=$(date +%s)

step "1. generate with gpt-image-1.5"
run generate --model gpt-image-1.5 --size 1024x1024 --quality high \
	"a lighthouse on a rocky coast at sunset"
lighthouse=$(last "$PATHS")

step "2. generate with gpt-image-2.5-sunburst at quality xhigh"
run generate --model gpt-image-2.5-sunburst --size 1024x1024 --quality xhigh \
	"a small red sailing boat"
boat=$(last "$PATHS")

step "3. streamed generation with gpt-image-2: 2 partial images, then the final webp"
run generate --model gpt-image-2 --size 1536x864 --output-format webp \
	--stream --partial-images 2 "a harbour town at dawn"

step "4. edit both images with a mask: only its transparent rectangle changes"
run edit --model gpt-image-1.5 --size 1024x1024 \
	--image "$lighthouse" --image "$boat" --mask "$MASK" \
	"the red sailing boat in the bay below the lighthouse"
edited=$(last "$PATHS")

step "5. the variations endpoint is retired: the emulator answers as the API does"
# (the wrapper sends it: the emulator is not OpenAI's host; serve
# --allow-retired serves it as an OpenAI-compatible server may.)
if oi variation --emulator --out "$OUT" --image "$edited" --n 2 --size 512x512; then
	echo "demo: the retired endpoint was served" >&2
	exit 1
fi

step "6. a request the model cannot take is refused before anything is sent"
# (go run reports the command's exit status 2 as "exit status 2" and exits 1.)
if oi generate --emulator --out "$OUT" --model gpt-image-2 --quality xhigh "two boats"; then
	echo "demo: the invalid request was not refused" >&2
	exit 1
fi

step "7. a file of prompts as one Batch API batch (the emulator serves it; a rerun skips the items done)"
printf '%s\n' "a lighthouse at night" "a boat in a storm" "a harbour in fog" >"$OUT/prompts.txt"
run batch --batch-api --model gpt-image-2 --size 256x256 "$OUT/prompts.txt"

files=$(printf '%s' "$WRITTEN" | grep -c .)
printf '\n== %s files written under %s/ in about %ss:\n' "$files" "$OUT" "$(($(date +%s) - start))"
printf '%s' "$WRITTEN" | while IFS= read -r f; do
	[ -n "$f" ] && printf '%8s bytes  %s\n' "$(wc -c <"$f" | tr -d ' ')" "$f"
done
echo "Open them with any image viewer; the emulator draws shapes and the prompt from a seed."
