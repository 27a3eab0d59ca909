#!/bin/sh
# demo.sh (make demo): the openai-images command end to end against its
# built-in offline emulator (--emulator): no API key and no network beyond
# the Go module proxy for the build. On current models only, it generates
# with gpt-image-1.5 and at quality xhigh with gpt-image-2.5-sunburst,
# streams a generation with partial images, edits two of the generated
# images with the mask in docs/demo-inputs/, makes two more takes of the
# result with an edit and a prompt (what replaces the retired variations
# endpoint), generates an animated GIF and an SVG, shows two requests
# refused before sending, runs a prompts file as a Batch API batch, then
# runs it again reordered with a prompt added, sends the first generation
# again as Azure OpenAI shapes it (to a deployment, with api-version and
# api-key; the emulator as an Azure resource), and lists the files written
# under ./out (OUT=dir to change it).
#
# It can run any number of times and prints the same each time (but for
# times and IDs): the files it writes are named (-o), replaced on each run,
# and the batch directory, $OUT/batch, starts empty each time.
set -eu
cd "$(dirname "$0")/.."

OUT=${OUT:-out}
GO=${GO:-go}
MASK=docs/demo-inputs/mask-1024.png

BIN_DIR=$(mktemp -d)
trap 'rm -rf "$BIN_DIR"' EXIT
printf '== building openai-images\n'
"$GO" build -o "$BIN_DIR/openai-images" ./cmd/openai-images
oi() { "$BIN_DIR/openai-images" "$@"; }

mkdir -p "$OUT/batch"
rm -f "$OUT/batch/manifest.jsonl" "$OUT"/batch/*.png "$OUT"/batch/*.webp "$OUT"/batch/*.jpg
start=$(date +%s)

# step TITLE: a heading.
step() { printf '\n== %s\n' "$1"; }

# run ARGS...: run the command with --emulator; its stdout (the paths
# written, one a line) is shown.
run() { oi "$@" --emulator; }

# refused ARGS...: run a request that must be refused before sending
# (exit status 2).
refused() {
	status=0
	run "$@" || status=$?
	echo "exit status $status"
	if [ "$status" -ne 2 ]; then
		echo "demo: the invalid request was not refused" >&2
		exit 1
	fi
}

step "1. generate with gpt-image-1.5"
run generate -m gpt-image-1.5 -s 1024x1024 --quality high -o "$OUT/lighthouse.png" \
	"a lighthouse on a rocky coast at sunset"

step "2. generate at quality xhigh with gpt-image-2.5-sunburst"
run generate -m gpt-image-2.5-sunburst -s 1024x1024 --quality xhigh -o "$OUT/boat.png" \
	"a small red sailing boat"

step "3. streamed generation with gpt-image-2: 2 partial images, then the final webp"
run generate -m gpt-image-2 -s 1536x864 --output-format webp --partial-images 2 -o "$OUT/harbour.webp" \
	"a harbour town at dawn"

step "4. edit both images with a mask: only its transparent rectangle changes"
run edit -m gpt-image-1.5 -s 1024x1024 -i "$OUT/lighthouse.png" -i "$OUT/boat.png" --mask "$MASK" \
	-o "$OUT/edit.png" "the red sailing boat in the bay below the lighthouse"

step "5. two more takes of the edit: an edit with a prompt (variations are retired), read from standard input"
run edit -m gpt-image-1.5 -i - -n 2 -s 1024x1024 -o "$OUT/take.png" \
	"the same scene, another take: vary the light and the boat's position" <"$OUT/edit.png"

step "6. an animated GIF with gpt-image-2.5-flare: 6 frames of 120 ms"
run generate -m gpt-image-2.5-flare -s 512x512 --output-format gif --frame-count 6 --frame-duration-ms 120 \
	-o "$OUT/kite.gif" "a red kite looping in the wind"

step "7. an SVG with gpt-image-2.6-sunburst"
run generate -m gpt-image-2.6-sunburst -s 1024x1024 --output-format svg -o "$OUT/fox.svg" \
	"a fox logo in flat colours"

step "8. requests a model cannot take are refused before anything is sent"
refused generate -m gpt-image-2.6-sunburst --quality max --output-format svg -n 2 -o "$OUT/refused.svg" "two fox logos"
refused generate -m gpt-image-2.5-sunbrust -o "$OUT/refused.png" "a fox"

step "9. a file of prompts as one Batch API batch (the emulator serves it)"
printf '%s\n' "a lighthouse at night" "a boat in a storm" "a harbour in fog" >"$OUT/batch/prompts.txt"
run batch --batch-api -m gpt-image-1-mini -s 1024x1024 --quality low --out-dir "$OUT/batch" "$OUT/batch/prompts.txt"

step "10. the file reordered, with a prompt added: only the new prompt runs"
printf '%s\n' "a kingfisher on a post" "a harbour in fog" "a lighthouse at night" "a boat in a storm" >"$OUT/batch/prompts.txt"
run batch -m gpt-image-1-mini -s 1024x1024 --quality low --out-dir "$OUT/batch" "$OUT/batch/prompts.txt"

step "11. step 1's request to Azure OpenAI: deployment \"images\", api-version and api-key (the emulator as a resource)"
run generate --azure-deployment images -m gpt-image-1.5 -s 1024x1024 --quality high -o "$OUT/azure.png" \
	"a lighthouse on a rocky coast at sunset"

printf '\n== files under %s/ after about %ss:\n' "$OUT" "$(($(date +%s) - start))"
for f in "$OUT"/lighthouse.png "$OUT"/azure.png "$OUT"/boat.png "$OUT"/harbour*.webp "$OUT"/edit.png "$OUT"/take-*.png \
	"$OUT"/kite.gif "$OUT"/fox.svg "$OUT"/batch/*.png; do
	printf '%8s bytes  %s\n' "$(wc -c <"$f" | tr -d ' ')" "$f"
done
echo "Open them with any image viewer or browser; the emulator draws shapes and the prompt from a seed."
