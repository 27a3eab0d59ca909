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
  openai-images help json
  openai-images --version

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-10s %s\n", "help", "show this help, a command's flags and examples, or the --json schema")
	b.WriteString(`
-o FILE names the image file (several: FILE-1.png, FILE-2.png, or {n} in
FILE), and -o - writes the image to stdout, everything else going to stderr.
Without -o, images go to --out-dir (default ./out) as
<command>-<UTC time>-<N>.<ext>, e.g. out/generate-20260512T143005.123Z-1.png.
The paths written are printed on stdout, one a line; --json prints one JSON
object instead, on success and on failure ('openai-images help json').
- reads standard input for --prompt (or the prompt argument), --image,
--mask and the batch file. batch runs a file of prompts (or JSONL items)
and writes <out-dir>/<ID>.<ext> and <out-dir>/manifest.jsonl; rerunning it
resumes, skipping the items done.

Short flags: -p --prompt, -m --model, -n, -s --size, -i --image,
-o --output, -q --quiet, -f --file. Durations take seconds (90) or a unit
(90s, 2m).

The key is read from OPENAI_API_KEY, as the official SDKs do; OPENAI_BASE_URL,
OPENAI_ORG_ID and OPENAI_PROJECT_ID are honoured. --emulator runs against a
built-in offline emulator instead: no key, no network. Azure OpenAI: set
AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION (or pass
--azure-endpoint and --api-version); -m then names a deployment.

Exit status: 0 success, 1 API, network or file error (batch: an item failed),
2 invalid command line or parameters, or no API key (nothing was sent),
130 interrupted.

Examples:
  openai-images generate --emulator -m gpt-image-1.5 -o otter.png "a sea otter holding a shell"
  openai-images generate -m gpt-image-2 -s 1536x864 --partial-images 2 "a harbour at dawn"
  echo "a paper crane" | openai-images generate -m gpt-image-1-mini -o - - > crane.png
  openai-images edit -i room.png --mask window.png -o garden.png "a garden outside the window"
  openai-images vary -i otter.png -n 2 -s 512x512
  openai-images batch -m gpt-image-2 -s 256x256 --concurrency 8 prompts.txt
  openai-images batch --batch-api -m gpt-image-1.5 items.jsonl
  openai-images serve          # prints OPENAI_BASE_URL=http://127.0.0.1:8089/v1
`)
	return b.String()
}
