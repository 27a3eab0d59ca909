// Command openai-images generates, edits and varies images with the OpenAI
// Images API, from the command line, through the wrapper package, one
// request at a time or a file of them at once (locally or with the Batch
// API). It can also run against a built-in offline emulator (package
// imagestest), or serve that emulator on loopback for any OpenAI SDK.
//
// Usage:
//
//	openai-images <command> [flags]
//	openai-images help <command>
//	openai-images --version
//
// Commands:
//
//	openai-images generate [flags] [--prompt] PROMPT
//	openai-images edit --image PATH [--image PATH ...] [--mask PATH] [flags] [--prompt] PROMPT
//	openai-images variation --image PATH [flags]
//	openai-images batch [flags] FILE
//	openai-images serve [--addr HOST:PORT] [--quiet]
//
// Flags may come before or after the prompt; "--" ends them.
//
// # Request parameters
//
// Flags are named after the API's parameters, with hyphens. A flag that is
// not given is not sent, so the API's default applies (generate and
// variation: dall-e-2; edit: gpt-image-1.5).
//
//	--prompt TEXT              generate, edit: what to draw or change (or the argument)
//	--model NAME               any model name; the known ones are checked before sending
//	--n N                      number of images, 1-10 (dall-e-3: 1)
//	--size SIZE                WIDTHxHEIGHT or auto; gpt-image-2 takes custom sizes
//	--quality Q                auto, low, medium, high; standard, hd (DALL-E)
//	--style STYLE              generate: vivid or natural (dall-e-3)
//	--background BG            auto, transparent or opaque (GPT image models)
//	--moderation LEVEL         generate: auto or low (GPT image models)
//	--output-format FORMAT     png, jpeg or webp (GPT image models)
//	--output-compression 0-100 jpeg and webp output (GPT image models)
//	--response-format FORMAT   url or b64_json (DALL-E; the image is saved either way)
//	--user ID                  your end user's ID
//	--input-fidelity LEVEL     edit: high or low
//	--stream                   generate, edit: stream the image as it renders
//	--partial-images N         generate, edit: partial images to stream, 0-3 (implies --stream)
//	--image PATH               edit: an input image, repeatable (up to 16); variation: the image
//	--mask PATH                edit: png whose fully transparent pixels mark what to edit
//
// Parameters are checked against the model before anything is sent: a
// model that does not take a value, a size it does not support, an input
// image of the wrong format or size. All problems are listed, by flag, and
// the command exits 2.
//
// # Output
//
//	--out DIR                  where images are written (default ./out, created if needed)
//	--json                     print a JSON summary on stdout instead of the paths
//
// Each image is written atomically (a temporary file renamed into place) to
//
//	<out>/<command>-<UTC time to the millisecond>-<N>.<ext>
//
// for example out/generate-20260512T143005.123Z-1.png, N counting the
// run's images from 1 and the extension following the bytes (png, jpg,
// webp). Streamed partial images are <...>-<N>-partial-<K>.<ext>, K from 0
// as the API numbers them. A run never replaces another's files: if any
// file in the directory already starts with the run's time stamp, the
// stamp is moved forward a millisecond at a time until none does.
//
// The paths are printed on stdout, one a line, as the files are written,
// and a one-line account on stderr (count, time, model, size, format,
// tokens, request ID; dall-e-3's revised prompts after it). On a terminal a
// status line on stderr shows the time elapsed and the partial images
// received. With --json, stdout is one JSON object:
//
//	{
//	  "command": "generate",
//	  "model": "gpt-image-2",
//	  "size": "256x256",
//	  "quality": "medium",
//	  "background": "opaque",
//	  "output_format": "png",
//	  "stream": true,
//	  "created": "2026-05-12T14:30:05Z",
//	  "request_id": "req_...",
//	  "files": [
//	    {"path": "out/generate-20260512T143005.123Z-1-partial-0.png", "image": 1,
//	     "partial_image_index": 0, "format": "png", "width": 256, "height": 256, "bytes": 9120},
//	    {"path": "out/generate-20260512T143005.123Z-1.png", "image": 1,
//	     "format": "png", "width": 256, "height": 256, "bytes": 10871}
//	  ],
//	  "revised_prompts": ["..."],
//	  "usage": {"input_tokens": 3, "input_text_tokens": 3, "input_image_tokens": 0,
//	            "output_tokens": 16, "total_tokens": 19},
//	  "elapsed_ms": 41
//	}
//
// After a failure that followed the request, the object is printed too,
// with the files kept so far and an "error" object (message, status, type,
// code, param, request_id).
//
// # Connection
//
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID are
// read from the environment. A key is required for OpenAI's API; without
// one, a server at another OPENAI_BASE_URL is sent requests with no key, and
// answers as it sees fit (the emulator of openai-images serve takes any key
// but wants one).
//
//	--emulator                 use the built-in offline emulator: no key, no network
//	--timeout DURATION         limit each attempt (default: none)
//	--max-retries N            retries of connection errors, 408, 409, 429 and 5xx (default 2)
//
// # Batch
//
// openai-images batch runs every item of a batch file (FILE, or --file
// FILE; - reads standard input), read by wrapper.ParseBatch, in one of two
// forms. Plain text: one prompt a line, each a generation. JSONL (the first
// item line starts with '{'): one object a line with the item's parameters
// by their API names:
//
//	{"id": "otter", "prompt": "a sea otter", "model": "gpt-image-2", "size": "1024x768"}
//	{"prompt": "a red fox", "model": "dall-e-3", "style": "natural"}
//	{"id": "hat", "prompt": "add a hat", "images": ["otter.png"], "mask": "mask.png"}
//
// Fields: id, prompt, model, n, size, quality, style, background,
// moderation, output_format, output_compression, response_format, user,
// input_fidelity; for edits images (local paths, relative to the file),
// image_urls, image_file_ids, mask, mask_url, mask_file_id. In both forms
// blank lines and lines starting with # are skipped. A line that does not
// parse (an unknown field, bad JSON) exits 2 with its file:line, before
// anything is sent. IDs name the files: letters, digits, '.', '_' and '-';
// an item without one is item-00001, item-00002, ... by its position.
//
// The request flags (--model, --n, --size, --quality, --style,
// --background, --moderation, --output-format, --output-compression,
// --response-format, --user) fill in the parameters an item does not set.
// Items are checked against their models before anything is sent. An item
// a model cannot take fails on its own (it is not sent) and the others run;
// but when every item is invalid the command exits 2 and sends nothing,
// listing the problems (by flag when they all come from flags).
//
//	--file FILE                the batch file (or the argument); - for standard input
//	--concurrency N            requests in flight at once in a local run, 1-256 (default 4)
//	--batch-api                submit the items as a Batch API batch instead
//	--poll-interval DURATION   --batch-api: first wait between polls (default 5s; 100ms with --emulator)
//	--out DIR                  images and manifest.jsonl (default ./out)
//	--json                     a JSON summary on stdout instead of the paths
//
// Each item's images are written atomically to <out>/<ID>.<ext>, or
// <ID>-1.<ext>, <ID>-2.<ext>, ... for several, and its outcome is appended
// to <out>/manifest.jsonl as it finishes (wrapper.BatchManifestEntry: id,
// status ok or error, files, request ID, error). Running the same command
// again resumes: the items the manifest records as done, with the same
// request and their files present, are skipped (the count is printed), and
// the others run, failed ones included.
//
// A local run sends the requests itself, --concurrency at a time; when the
// server answers 429 the whole batch waits and then paces its requests to
// the rate the server takes. With --batch-api the items not done yet are
// uploaded as a Batch API input file and submitted as one batch (half the
// price; results within 24 hours). The command polls it, printing each
// status change (validating, in_progress, finalizing, completed), then
// downloads the results into --out like a local run. A Batch API batch has
// one endpoint and no uploads: its items must be all generations or all
// edits whose images are image_urls or image_file_ids, and all valid (any
// invalid item exits 2, nothing sent). The batch's ID is kept in
// <out>/pending-batch.json until its results are downloaded: Ctrl-C stops
// the wait, not the batch, and rerunning the command waits for that batch
// instead of submitting the items again. --emulator serves the Batch API
// too (its batches end with the command).
//
// The paths written are printed on stdout as items finish, and per-item
// failures, briefly, on stderr with the item's ID and file:line. On a
// terminal a status line shows the items done of the total, the failures
// and the rate-limit waits (with --batch-api: the batch's status and
// counts); otherwise stderr gets a plain line per item. A last line sums
// the run up: items done, skipped as done earlier, failed, not run. With
// --json, stdout is one JSON object:
//
//	{
//	  "command": "batch",
//	  "file": "items.jsonl",
//	  "mode": "local",
//	  "out": "out",
//	  "manifest": "out/manifest.jsonl",
//	  "items": [
//	    {"id": "otter", "line": 1, "status": "ok", "files": ["out/otter.png"],
//	     "request_id": "req_...", "attempts": 1},
//	    {"id": "wide", "line": 2, "status": "skipped", "files": ["out/wide.png"]},
//	    {"id": "bad", "line": 3, "status": "failed", "files": [],
//	     "error": {"message": "openai-images: invalid parameters: n=2: ..."}}
//	  ],
//	  "totals": {"items": 3, "succeeded": 1, "failed": 1, "skipped": 1, "not_run": 0},
//	  "elapsed_ms": 57
//	}
//
// Item statuses are ok (done in this run), skipped (done by an earlier run),
// failed, and not_run (interrupted, or not reached by the batch). With
// --batch-api, "mode" is "batch_api" and "batch_id" and "batch_status" name
// the batch. The batch exits 0 when every item is done, 1 when any failed
// or did not run, 2 as above, and 130 when interrupted: requests in flight
// are cancelled, no new ones start, and what finished stays in the
// manifest for the rerun.
//
// # Serve
//
// openai-images serve runs the emulator on a loopback address (--addr,
// default 127.0.0.1:8089; port 0 picks a free one; other addresses are
// refused) and prints
//
//	OPENAI_BASE_URL=http://127.0.0.1:8089/v1
//
// on stdout for any SDK (with any API key; sk-invalid is refused as a wrong
// key is), then logs requests on stderr (--quiet turns that off) until
// SIGINT or SIGTERM, when it shuts down cleanly and exits 0.
// http://127.0.0.1:8089/ shows the newest requests in a browser, with
// thumbnails of the images returned; GET /v1/emulator/requests returns the
// log as JSON and DELETE empties it (--log-size requests are kept, 1000 by
// default). --refuse-retired answers retired models as the API does.
//
// Flags make the emulator a hard server for a client's retry code: --rpm
// and --burst limit image requests per minute (429 with Retry-After and
// x-ratelimit-* headers); --latency delays every first byte and
// --partial-latency each partial image; --fail STATUS=RATE (repeatable)
// answers a fraction of requests with an error status, --drop-rate resets
// connections, --drop-stream-rate and --truncate-stream-rate cut event
// streams before their first event (--seed repeats the draws); --batch-delay
// is how long each status of a Batch API batch lasts (500ms by default, so
// a poller sees validating, in_progress and finalizing).
//
// # Exit status
//
//	0    success
//	1    the API answered with an error (its message is shown), a network
//	     error, or a file could not be read or written; batch: an item failed
//	     or was not run
//	2    invalid command line or parameters, or no API key: nothing was sent
//	130  interrupted (SIGINT or SIGTERM)
//
// # Examples
//
//	openai-images generate --emulator --model gpt-image-1.5 "a sea otter holding a shell"
//	openai-images generate --model dall-e-3 --style natural --quality hd "a lighthouse at dusk"
//	openai-images generate --model gpt-image-2 --size 1536x864 --stream --partial-images 2 "a harbour at dawn"
//	openai-images edit --image room.png --image lamp.png --mask window.png "a garden outside the window"
//	openai-images variation --image otter.png --n 2 --size 512x512
//	openai-images batch --emulator --model dall-e-2 --size 256x256 prompts.txt
//	openai-images batch --batch-api --model gpt-image-1.5 --out nightly items.jsonl
//	openai-images serve --addr 127.0.0.1:0
package main
