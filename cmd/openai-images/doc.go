// Command openai-images generates, edits and varies images with the OpenAI
// Images API, from the command line, through the wrapper package. It can
// also run against a built-in offline emulator (package imagestest), or
// serve that emulator on loopback for any OpenAI SDK.
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
// # Serve
//
// openai-images serve runs the emulator on a loopback address (--addr,
// default 127.0.0.1:8089; port 0 picks a free one; other addresses are
// refused) and prints
//
//	OPENAI_BASE_URL=http://127.0.0.1:8089/v1
//
// on stdout for any SDK (with any API key), then logs requests on stderr (--quiet turns that off) until
// SIGINT or SIGTERM, when it shuts down cleanly and exits 0.
//
// # Exit status
//
//	0    success
//	1    the API answered with an error (its message is shown), a network
//	     error, or a file could not be read or written
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
//	openai-images serve --addr 127.0.0.1:0
package main
