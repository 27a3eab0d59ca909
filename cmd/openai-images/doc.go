// Command openai-images generates and edits images with the OpenAI Images
// API (and varies them on servers that still offer variations), from the
// command line, through the wrapper package, one
// request at a time or a file of them at once (locally or with the Batch
// API). It can also run against a built-in offline emulator (package
// imagestest), or serve that emulator on loopback for any OpenAI SDK.
//
// Usage:
//
//	openai-images <command> [flags]
//	openai-images help <command>
//	openai-images help json
//	openai-images --version
//
// Commands:
//
//	openai-images generate [flags] [--prompt] PROMPT
//	openai-images edit --image PATH [--image PATH ...] [--mask PATH] [flags] [--prompt] PROMPT
//	openai-images vary --image PATH [flags]          (also: openai-images variation)
//	openai-images batch [flags] FILE
//	openai-images serve [--addr HOST:PORT] [--quiet]
//
// Flags may come before or after the prompt; "--" ends them. A mistyped
// flag or command is answered with the one meant ("unknown flag --modle;
// did you mean --model?").
//
// # Request parameters
//
// Flags are named after the API's parameters, with hyphens; the common ones
// have short forms. A flag that is not given is not sent, so the API's
// default applies. Name a model: without one the API picks its default and
// only the checks that hold for every model run.
//
//	-p, --prompt TEXT              generate, edit: what to draw or change (or the argument); - reads standard input
//	-m, --model NAME               any model name; the known ones are checked before sending
//	-n, --n N                      number of images, 1-10 (SVG output: 1)
//	-s, --size SIZE                WIDTHxHEIGHT or auto; gpt-image-2 and the gpt-image-2.5 models take custom sizes
//	--quality Q                    auto, low, medium, high; xhigh, max (gpt-image-2.5 models); standard, hd (retired DALL-E)
//	--complexity LEVEL             generate, edit: low, medium or high, the computation spent planning the image
//	--style STYLE                  generate: vivid or natural (the retired dall-e-3)
//	--background BG                auto, transparent or opaque (GPT image models)
//	--moderation LEVEL             generate: auto or low (GPT image models)
//	--output-format FORMAT         png, jpeg, webp, gif (animated) or svg (GPT image models)
//	--output-compression 0-100     jpeg and webp output (GPT image models)
//	--frame-count N                GIF output: frames, 2-16 (the API's default 9)
//	--frame-duration-ms MS         GIF output: each frame's delay in milliseconds (the API's default 200)
//	--svg-model NAME               SVG output: the model that writes the SVG (projects with SVG model selection)
//	--svg-reasoning-effort LEVEL   SVG output: the SVG author's reasoning effort (none, minimal, low, medium, high, xhigh, max)
//	--response-format FORMAT       url or b64_json (retired DALL-E models; the image is saved either way)
//	--safety-identifier ID         a stable, hashed ID of your end user, for OpenAI's safety monitoring
//	--user ID                      deprecated by the API in favour of --safety-identifier; still sent (with a warning)
//	--input-fidelity LEVEL         edit: high or low (gpt-image-1.5: both; gpt-image-1-mini: low; gpt-image-2: omit it)
//	--stream                       generate, edit: stream the image as it renders (not GIF or SVG output)
//	--partial-images N             generate, edit: partial images to stream, 0-3 (implies --stream)
//	-i, --image PATH               edit: an input image, repeatable (up to 16); vary: the image; - reads standard input
//	--mask PATH                    edit: png whose fully transparent pixels mark what to edit; - reads standard input
//	--markup PATH                  edit: a transparent png of the first image's size whose strokes guide the edit
//	                               (gpt-image-2.5 models; not with --mask); - reads standard input
//
// The flags for the API's newest parameters (--complexity, --frame-count,
// --frame-duration-ms, --svg-model, --svg-reasoning-effort, --markup,
// --safety-identifier, quality xhigh and max, output formats gif and svg)
// are typed: they are checked like the others and sent as the official SDKs
// send them (JSON in generations; in a multipart edit svg[model] and
// svg[reasoning][effort] parts, and the markup as a file part).
//
// Standard input can be read once: for the prompt, one image, the mask or
// the markup (or a batch file). Parameters are checked against the model
// before anything is sent: a model that does not take a value, a size it
// does not support, GIF or SVG output with what they exclude (a stream,
// partial images, a mask, output compression; several SVG images), an input
// image of the wrong format or size. All problems are listed, by flag, with
// the value meant when one looks like a typo of it ("--quality=hihg: ...;
// did you mean --quality high?"), and the command exits 2.
//
// Models are judged as the wrapper judges them (wrapper.SuggestModel): a
// name a small edit away from a known model, such as gpt-image-l or
// gpt-image-2.5-sunbrst, is refused with the model meant ("unknown model
// gpt-image-l; did you mean gpt-image-1?"), since a typo would otherwise be
// sent and paid for; a name that looks like a new model of a known family
// (gpt-image-2.7-nova, gpt-image-3, a new dated snapshot) is sent as given,
// with the checks every model shares, so that a model released after this
// version is never blocked.
//
// # Retired models
//
// OpenAI retired dall-e-2 and dall-e-3 on 2026-05-12 and shut gpt-image-1
// down on 2026-10-23, and the variations endpoint (vary) is retired with
// dall-e-2, its only model. On OpenAI's own API (no OPENAI_BASE_URL, or
// https://api.openai.com/v1) such a request is refused before sending, with
// the date and the models to use instead, and exits 2. To vary an image
// there, edit it with a GPT image model and a prompt:
//
//	openai-images edit -m gpt-image-1.5 -i otter.png -n 2 "the same scene, another take"
//
// With OPENAI_BASE_URL naming another server (an OpenAI-compatible one that
// may still serve them), retired models are sent, checked by the rules they
// had. --allow-retired sends them to OpenAI's API too (should OpenAI still
// serve them to your account, or this version's dates be wrong for it), and
// with --emulator makes the emulator serve them as such a server would
// (without it the emulator answers them as the API does now). Elsewhere it
// changes nothing.
//
//	--allow-retired                send retired models and the variations endpoint to api.openai.com too
//
// # Beyond the model table
//
// For what this version does not know yet (a parameter added to the API
// after it, a value a model takes that its table does not list):
//
//	--extra KEY=VALUE              generate, edit, vary, batch: one more body field, repeatable
//	--no-validate                  generate, edit, vary, batch: send the parameters without this version's checks
//
// --extra sends KEY with VALUE parsed as JSON when it is valid JSON (4,
// true, null, {"model":"gpt-5"}, "4" for the string 4), else as the string
// given: --extra quality=ultra --extra frame_count=4 --extra
// 'svg={"model":"gpt-5"}'. It is merged into a JSON body at the top level,
// replacing a field of the same name (a flag's value included), and added
// to a multipart edit as a form field (a string as it is, other values as
// JSON text), as wrapper.WithExtraBody does. Extra fields are not checked
// (--quality ultra is refused before sending, --extra quality=ultra is
// sent); --no-validate switches off the checks of the flags themselves,
// the typo and retired-model refusals included, and sends the request as
// given for the API to judge. Both are part of a batch item's parameters,
// so a rerun with other ones reports the items done before as changed.
//
// # Output
//
//	-o, --output FILE          the image file, replaced if it exists; - writes the image's bytes to stdout
//	--out-dir DIR              without -o: where images are written (default ./out, created if needed)
//	--json                     one JSON object on stdout when done, success or failure
//	-q, --quiet                no progress and no summary on stderr (errors still)
//
// Every image is checked before it is written: its bytes must be the
// output format the response declared (or, when it echoes none, the one
// asked for), a GIF must be a complete GIF stream and an SVG well-formed
// XML with an <svg> root (wrapper.CheckImageFormat). An image that is not
// is an error (exit 1, --json error kind "image"), and nothing of the
// response is written.
//
// With -o FILE, the image is written to FILE atomically (a temporary file
// renamed into place); a FILE without an extension gets the one of the
// image's format (png, jpg, webp, gif, svg). Several images are FILE-1.ext,
// FILE-2.ext, ..., or numbered where {n} stands in FILE (-o "cat-{n}.png");
// streamed partial images are FILE-partial-K.ext beside it. With -o -, the
// image's bytes are the whole of stdout (one image; refused when stdout is
// a terminal, or with --json); everything else goes to stderr:
//
//	echo "a paper crane" | openai-images generate -m gpt-image-1-mini -o - - > crane.png
//
// Without -o, each image is written atomically to
//
//	<out-dir>/<command>-<UTC time to the millisecond>-<N>.<ext>
//
// for example out/generate-20260512T143005.123Z-1.png, N counting the
// run's images from 1 and the extension following the image's format (png,
// jpg, webp, gif, svg). Streamed partial images are <...>-<N>-partial-<K>.<ext>, K from 0
// as the API numbers them. A run never replaces another's files: if any
// file in the directory already starts with the run's time stamp, the
// stamp is moved forward a millisecond at a time until none does. (--out
// is an older name of --out-dir.)
//
// The paths are printed on stdout, one a line, as the files are written,
// and a one-line account on stderr (count, time, model, size, format, a
// GIF's frames, tokens, request ID; dall-e-3's revised prompts after it). On a terminal a
// status line on stderr shows the time elapsed and the partial images
// received.
//
// With --json, stdout is exactly one JSON object whatever happens:
// success, a bad command line, a refused parameter, a missing key, an API,
// stream, network or file error, an interruption. Its schema is printed by
// "openai-images help json"; fields are added in later versions, never
// renamed or removed. For generate, edit and vary:
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
//	  "elapsed_ms": 41,
//	  "exit_code": 0
//	}
//
// A failed run has the same object, with the files kept so far, its
// exit_code, and an "error" object:
//
//	"error": {"kind": "validation", "message": "invalid parameters, nothing was sent:\n  --quality=hihg: ...",
//	          "problems": [{"field": "quality", "flag": "--quality", "value": "hihg",
//	                        "rule": "...", "allowed": "auto, low, medium, high", "suggestion": "high"}]}
//
// kind is usage or validation (exit 2, nothing sent), api, image (an image
// that is not what the response declared), stream, network, file, batch or
// other (exit 1), or interrupted (exit 130); an API error adds status,
// type, code, param and request_id; a missing key is code missing_api_key,
// an environment set for both OpenAI and Azure ambiguous_environment.
// A GIF file adds "frames"; an SVG's width and height are its own (0 when
// it gives none). SVG output adds "svg_usage", the tokens of the model that
// wrote the SVG ({"model": "gpt-5", "input_tokens": 258, "output_tokens":
// 1288, "reasoning_tokens": 1024, "total_tokens": 1546}), apart from usage;
// "safety_identifier" is the one the API used (--safety-identifier, else
// the deprecated --user), when it reports one.
//
// # Connection
//
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID and
// OPENAI_LOG are read from the environment, as the official SDKs read them.
// A key is required whatever the server, as the SDKs require one (a server
// that needs none takes any value); without one the command exits 2 with
// the same message for every server.
//
// OPENAI_LOG=debug, or -v (--verbose), logs on stderr what the library
// logs at debug level: each request, response (status, request ID,
// duration), retry and transport error, and a model the checks do not know
// ("model not in the table: only the checks that hold for every model
// ran"), one line each, starting with openai-images:. Keys and
// authentication headers are never logged. OPENAI_LOG takes the values of
// the official SDKs (npm openai: off, error, warn, info, debug; openai-python
// debug and info); only debug logs anything today, and any other value is
// warned about and ignored, as npm openai does.
//
//	--emulator                 use the built-in offline emulator: no key, no network
//	--timeout DURATION         limit each attempt: seconds (90) or with a unit (90s, 2m) (default: none)
//	--max-retries N            retries of connection errors, 408, 409, 429 and 5xx (default 2)
//	--allow-retired            send models OpenAI has retired to its API too (see Retired models)
//	-v, --verbose              log requests, responses, retries and model checks on stderr (OPENAI_LOG=debug)
//
// # Azure OpenAI
//
// The command talks to an Azure OpenAI resource, as the official SDKs'
// Azure clients do, when --azure-endpoint, --azure-deployment or
// --api-version is given, or AZURE_OPENAI_ENDPOINT is set (and
// OPENAI_BASE_URL is not). The key is AZURE_OPENAI_API_KEY, sent in the
// api-key header, or, without one, AZURE_OPENAI_AD_TOKEN, a Microsoft Entra
// ID token sent as a bearer token; the API version is OPENAI_API_VERSION.
// Like openai-python's module client, an environment holding both
// OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT is refused as ambiguous (exit 2,
// code ambiguous_environment) unless --azure-endpoint decides. -m names the
// deployment each call goes to (/openai/deployments/NAME/...), as in the
// official SDKs; with --azure-deployment, calls go to that deployment and
// -m names the model it runs. The checks before sending apply the model's
// rules when the model is known (a deployment named after its model, or
// -m with --azure-deployment), else only those that hold for every model;
// OpenAI's retirements do not apply on Azure.
//
//	--azure-endpoint URL       the resource, such as https://NAME.openai.azure.com (default AZURE_OPENAI_ENDPOINT)
//	--azure-deployment NAME    the deployment to call; -m then names its model
//	--api-version VERSION      the api-version query of every request (default OPENAI_API_VERSION)
//
// --emulator with --azure-deployment runs the built-in emulator as an Azure
// resource (the deployment running -m's model, gpt-image-1.5 without -m).
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
//	{"prompt": "a kite", "model": "gpt-image-2.5-flare", "output_format": "gif", "frame_count": 6, "frame_duration_ms": 120}
//	{"prompt": "a fox logo", "output_format": "svg", "svg": {"model": "gpt-5", "reasoning": {"effort": "low"}}}
//	{"id": "hat", "prompt": "add a hat", "images": ["otter.png"], "mask": "mask.png"}
//	{"prompt": "a bike lane", "model": "gpt-image-2.5-sunburst", "images": ["street.png"], "markup": "arrows.png"}
//
// Fields: id, prompt, model, n, size, quality, complexity, style,
// background, moderation, output_format, output_compression, frame_count,
// frame_duration_ms, svg (model, reasoning.effort), response_format,
// safety_identifier, user, input_fidelity; for edits images (local paths,
// relative to the file), image_urls, image_file_ids, mask, mask_url,
// mask_file_id, markup (a local path). In both forms
// blank lines and lines starting with # are skipped. Every line that does
// not parse (an unknown field, bad JSON, a bad id) is reported with its
// file:line, together with the problems of the other lines' items (see
// below), and the command exits 2 before anything is sent.
//
// Items are known by their content. An item without an id gets one made of
// the first words of its prompt and a hash of its prompt and parameters
// (a-sea-otter-kqzvbwem), so reordering, inserting or removing lines never
// changes another item's ID: a rerun skips exactly the items done and
// never rewrites their files. An id names the item's files too: letters,
// digits, '.', '_' and '-', not ending in '-' and a number (cat-1 is the
// first image of an item cat with several).
//
// The request flags (-m/--model, -n, -s/--size, --quality, --complexity,
// --style, --background, --moderation, --output-format,
// --output-compression, --frame-count, --frame-duration-ms, --svg-model,
// --svg-reasoning-effort, --response-format, --safety-identifier, --user)
// fill in the parameters an item does not set; --extra and --no-validate
// apply to every item. Every item is checked against its model, images
// included (and, on OpenAI's API, against the models it has retired),
// before the first request: when any cannot be sent, the command exits 2
// listing every item's problems with its file:line (with the value a
// mistyped one was probably meant to be: quality=hihg ...; did you mean
// high?), and sends nothing. A
// GIF item's images are written as <ID>.gif, an SVG item's as <ID>.svg,
// each checked as above.
//
//	-f, --file FILE            the batch file (or the argument); - for standard input
//	--concurrency N            requests in flight at once in a local run, 1-256 (default 4)
//	--batch-api                submit the items as a Batch API batch instead
//	--poll-interval DURATION   --batch-api: first wait between polls (default 5s; 100ms with --emulator)
//	--rerun-changed            run again the items an earlier run did with other parameters
//	--out-dir DIR              images and manifest.jsonl (default ./out)
//	--json                     one JSON object on stdout when done
//	-q, --quiet                no progress on stderr, failures only
//
// Each item's images are written atomically to <out-dir>/<ID>.<ext>, or
// <ID>-1.<ext>, <ID>-2.<ext>, ... for several, and its outcome is appended
// to <out-dir>/manifest.jsonl as it finishes (wrapper.BatchManifestEntry:
// id, status ok or error, files, request ID, error, prompt and
// parameters). Running the command again resumes: the items done, with the
// same request and their files present, are skipped (the count is
// printed), and the others run, failed ones included. An item an earlier
// run did with other parameters (another --model, say) is reported, with
// what changed ("model: dall-e-2 → dall-e-3"), and the command exits 2
// before sending anything; --rerun-changed runs such items again (an item
// without an id gets new files beside the earlier ones, an item with an id
// has its files replaced).
//
// A local run sends the requests itself, --concurrency at a time; when the
// server answers 429 the whole batch waits and then paces its requests to
// the rate the server takes. With --batch-api the items not done yet are
// uploaded as a Batch API input file and submitted as one batch (half the
// price; results within 24 hours). The command polls it, printing each
// status it goes through, once, whenever the polls fall (validating,
// in_progress with its number of requests, finalizing, then completed,
// failed, expired or cancelled with the requests done and failed), then
// downloads the results into --out-dir like a local run. A Batch API batch
// has one endpoint and no uploads: its items must be all generations or all
// edits whose images are image_urls or image_file_ids. The batch's ID is
// kept in <out-dir>/pending-batch.json until its results are downloaded:
// Ctrl-C stops the wait, not the batch, and rerunning the command waits for
// that batch instead of submitting the items again. --emulator serves the
// Batch API too (its batches end with the command).
//
// The paths written are printed on stdout as items finish, and per-item
// failures, briefly, on stderr with the item's ID and file:line. Progress
// counts every item of the file, those done by earlier runs included: on a
// terminal a status line
//
//	batch: 138/200 (69%), 67 skipped, 1 failed, 2.1 items/s, ETA 30s
//
// (with the rate-limit waits, or with --batch-api the batch's status);
// otherwise a plain line per item:
//
//	batch: [138/200 69%] a-sea-otter-kqzvbwem (prompts.txt:12) ok, 2.1 items/s, ETA 30s
//
// and nothing with --quiet but the failures. A last line sums the run up:
// items done, skipped as done earlier, failed, not run. With --json,
// stdout is one JSON object:
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
//	    {"id": "a-wide-harbour-qzkbnmwe", "line": 2, "status": "skipped", "files": ["out/a-wide-harbour-qzkbnmwe.png"]},
//	    {"id": "future", "line": 3, "status": "failed", "files": [],
//	     "error": {"kind": "api", "message": "createImage: 400 Bad Request ...", "status": 400, "param": "quality"}}
//	  ],
//	  "totals": {"items": 3, "succeeded": 1, "failed": 1, "skipped": 1, "not_run": 0},
//	  "elapsed_ms": 57,
//	  "exit_code": 1,
//	  "error": {"kind": "batch", "message": "batch items failed or were not run (see items)"}
//	}
//
// Item statuses are ok (done in this run), skipped (done by an earlier run),
// failed, not_run (interrupted, not reached by the batch, or the command
// ended before the items ran) and invalid (refused before the first
// request, with its problems in its error; a line that is not an item is
// an entry too, invalid, with the id ""). With
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
// default). Models OpenAI has retired, and the variations endpoint, are
// answered as the API answers them now; --allow-retired serves them with
// their old rules, as an OpenAI-compatible server may.
//
// With --azure the emulator is an Azure OpenAI resource instead, and serve
// prints AZURE_OPENAI_ENDPOINT=http://127.0.0.1:8089: image calls at
// /openai/deployments/NAME/images/..., the Responses API, files and
// batches at /openai/..., every request needing an api-version and an
// api-key header (any key) or an Entra ID token, and Azure's error bodies
// (imagestest.Azure). --azure-deployment NAME=MODEL (repeatable) names its
// deployments; without it, every model is a deployment named after it.
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
//	2    invalid command line or parameters, no API key, or batch items
//	     changed since an earlier run: nothing was sent
//	130  interrupted (SIGINT or SIGTERM)
//
// # Examples
//
//	openai-images generate --emulator -m gpt-image-1.5 -o otter.png "a sea otter holding a shell"
//	openai-images generate -m gpt-image-2.5-sunburst --quality xhigh -s 2560x1440 "a lighthouse at dusk"
//	openai-images generate -m gpt-image-2 -s 1536x864 --partial-images 2 "a harbour at dawn"
//	openai-images generate -m gpt-image-2.5-flare --output-format gif --frame-count 8 -o kite.gif "a kite in the wind"
//	openai-images generate -m gpt-image-2.6-sunburst --output-format svg -o fox.svg "a fox logo, flat colours"
//	echo "a paper crane" | openai-images generate -m gpt-image-1-mini -o - - > crane.png
//	openai-images edit -i room.png -i lamp.png --mask window.png -o garden.png "a garden outside the window"
//	openai-images edit -m gpt-image-2.5-sunburst -i street.png --markup arrows.png "a bike lane where the arrows are"
//	openai-images edit -m gpt-image-1.5 -i otter.png -n 2 "the same scene, another take"
//	openai-images generate -m gpt-image-2.7-nova --quality ultra --no-validate "a value from tomorrow"
//	openai-images generate -m gpt-image-2.6-flare --extra 'lighting="studio"' "a parameter from tomorrow"
//	openai-images batch --emulator -m gpt-image-1-mini -s 1024x1024 prompts.txt
//	openai-images batch --batch-api -m gpt-image-1.5 --out-dir nightly items.jsonl
//	OPENAI_BASE_URL=http://localhost:8000/v1 openai-images vary -i otter.png -n 2 -s 512x512
//	openai-images serve --addr 127.0.0.1:0
//	AZURE_OPENAI_ENDPOINT=https://NAME.openai.azure.com OPENAI_API_VERSION=2025-04-01-preview openai-images generate -m my-images "a kite"
//	openai-images serve --azure --azure-deployment images=gpt-image-1.5
package main
