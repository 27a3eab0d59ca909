package main

import (
	"fmt"
	"strings"
)

// mainUsage is the help of the program.
func mainUsage() string {
	var b strings.Builder
	b.WriteString(`openai-images: generate, edit and vary images with the OpenAI Images API.

Usage:
  openai-images <command> [flags]
  openai-images help <command>
  openai-images --version

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-10s %s\n", "help", "show this help, or a command's flags and examples")
	b.WriteString(`
Images are written to --out (default ./out) as
<command>-<UTC time>-<N>.<ext>, e.g. out/generate-20260512T143005.123Z-1.png,
and streamed partial images as ...-<N>-partial-<K>.<ext>. Their paths are
printed on stdout, one a line; --json prints a summary object instead.
batch runs a file of prompts (or JSONL items) and writes <out>/<ID>.<ext>
and <out>/manifest.jsonl; rerunning it resumes, skipping the items done.

The key is read from OPENAI_API_KEY; OPENAI_BASE_URL, OPENAI_ORG_ID and
OPENAI_PROJECT_ID are honoured. --emulator runs against a built-in offline
emulator instead: no key, no network.

Exit status: 0 success, 1 API, network or file error (batch: an item failed),
2 invalid command line or parameters (nothing was sent), 130 interrupted.

Examples:
  openai-images generate --emulator --model gpt-image-1.5 "a sea otter holding a shell"
  openai-images generate --model gpt-image-2 --size 1536x864 --stream --partial-images 2 "a harbour at dawn"
  openai-images edit --image room.png --mask window.png "a garden outside the window"
  openai-images variation --image otter.png --n 2 --size 512x512
  openai-images batch --model dall-e-2 --size 256x256 --concurrency 8 prompts.txt
  openai-images batch --batch-api --model gpt-image-1.5 items.jsonl
  openai-images serve          # prints OPENAI_BASE_URL=http://127.0.0.1:8089/v1
`)
	return b.String()
}
