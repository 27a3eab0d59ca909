package main

import (
	"fmt"
	"strings"
)

// mainUsage is the help of the program.
func mainUsage() string {
	var b strings.Builder
	b.WriteString(`openai-images: generate and edit images with the OpenAI Images API.

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
-o --output, -q --quiet, -v --verbose, -f --file. Durations take seconds
(90) or a unit (90s, 2m).

Flags are named after the API's parameters: --quality (xhigh and max on the
gpt-image-2.5 models), --complexity, --output-format gif with --frame-count
and --frame-duration-ms, --output-format svg with --svg-model and
--svg-reasoning-effort, --markup (edit), --safety-identifier. Parameters are
checked against the model before anything is sent; a mistyped model is
refused with the one meant, a new one is sent. GIF and SVG results are
checked and saved as .gif and .svg. For what this version does not know yet:
--extra KEY=VALUE (repeatable) and --no-validate.

OpenAI has retired dall-e-2, dall-e-3, gpt-image-1 and the variations
endpoint: requests for them are refused before sending on OpenAI's API
(--allow-retired sends them), and sent to any other OPENAI_BASE_URL.

The key is read from OPENAI_API_KEY, as the official SDKs do; OPENAI_BASE_URL,
OPENAI_ORG_ID and OPENAI_PROJECT_ID are honoured. OPENAI_LOG=debug, as in the
official SDKs, or -v (--verbose), logs each request, response, retry and model
check on stderr, never the key. --emulator runs against a
built-in offline emulator instead: no key, no network. Azure OpenAI: set
AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION (or pass
--azure-endpoint and --api-version); -m then names a deployment.

Exit status: 0 success, 1 API, network or file error (batch: an item failed),
2 invalid command line or parameters, or no API key (nothing was sent),
130 interrupted.

Examples:
  openai-images generate --emulator -m gpt-image-1.5 -o otter.png "a sea otter holding a shell"
  openai-images generate -m gpt-image-2.5-sunburst --quality xhigh "a harbour at dawn"
  openai-images generate -m gpt-image-2.5-flare --output-format gif --frame-count 8 -o kite.gif "a kite"
  openai-images generate -m gpt-image-2.6-sunburst --output-format svg -o fox.svg "a fox logo"
  echo "a paper crane" | openai-images generate -m gpt-image-1-mini -o - - > crane.png
  openai-images edit -m gpt-image-1.5 -i room.png --mask window.png -o garden.png "a garden outside"
  openai-images edit -m gpt-image-1.5 -i otter.png -n 2 "the same scene, another take"
  openai-images batch -m gpt-image-1-mini -s 1024x1024 --concurrency 8 prompts.txt
  openai-images batch --batch-api -m gpt-image-1.5 items.jsonl
  openai-images serve          # prints OPENAI_BASE_URL=http://127.0.0.1:8089/v1
`)
	return b.String()
}
