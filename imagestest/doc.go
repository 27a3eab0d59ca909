// Package imagestest is an offline emulator of the OpenAI Images API, for
// tests and demos: no key, no network.
//
// It validates every request against the effective spec (openapi.yaml with
// newer.yaml) with the contract harness and against the wrapper's model
// table ([wrapper.CheckGenerate], [wrapper.CheckEdit],
// [wrapper.CheckVariation]), answering invalid ones as the API does, in its
// shape and wording: type invalid_request_error, the parameter, a code
// (invalid_value, unknown_parameter, unsupported_value,
// integer_above_max_value, missing_required_parameter, ...) and a message
// naming the value and what is allowed, such as "Invalid value: 'xhigh'.
// Supported values are: 'low', 'medium', 'high', and 'auto'."
//
// It returns real, deterministic images of the requested size and format,
// drawn from the prompt (seeded colours and shapes with the prompt written
// on them), so a person can look at them: PNG, JPEG and WebP; GIF
// (output_format gif) as an animation of frame_count frames (9 by default)
// in which the shapes move, each shown frame_duration_ms (200 by default,
// rounded to 10 ms); SVG (output_format svg) as a standalone document of the
// requested size written from the same picture, with svg_usage for its
// author (svg.model). complexity sets how many shapes a picture has. Edits
// honour the mask (only its transparent areas change), combine several input
// images and draw a markup's strokes over the result; variations perturb the
// input; response_format=url serves the image from the emulator itself.
// Streams send partial_images partial frames and then the completed event.
// Responses and completed events echo the effective safety_identifier (else
// the deprecated user). The Responses API's
// image_generation tool is emulated for multi-turn editing sessions: input
// images and the tool's mask make a turn an edit, GET /v1/responses/{id}
// retrieves a turn, and a request without the tool gets a text answer.
//
// Tests point a client at a [Server]:
//
//	srv := imagestest.NewServer()
//	defer srv.Close()
//	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"))
//
// Inside a testing/synctest bubble, where no socket can be used, a client
// reaches an [Emulator] in memory through [Emulator.Transport]; its waits
// (latency, batch pacing, polling) then take no real time.
//
// It answers like the API where a client can tell: a missing key is 401
// with the API's message (and the key [InvalidAPIKey] is refused as a wrong
// one), an unknown path 404 "Invalid URL (METHOD PATH)", an unknown model
// (a typo included) 400 invalid_value listing the supported ones (from the
// wrapper's model table, through [wrapper.LookupModel]), and every answer
// carries x-request-id. Models OpenAI has retired (dall-e-2, dall-e-3,
// gpt-image-1) and the variations endpoint are answered as the API answers
// them now: 400 model_not_found naming model, with the retirement date and
// the replacements. [AllowRetiredModels] serves them with their old rules
// instead, for testing code written for an OpenAI-compatible server that
// still has them. Responses echo the real size (custom sizes and auto
// resolved). File and batch lists page with limit, after and has_more.
//
// Every request is recorded ([Emulator.Requests]; the newest
// [DefaultRequestLog], see [WithRequestLog]) with its status, request id and
// duration. GET / is an inspector page of the recent requests with
// thumbnails of the images returned, kept current through server-sent
// events; GET /v1/emulator/requests returns the log as JSON and DELETE
// empties it. Faults can be injected on demand ([Emulator.InjectFault]):
// 429 with Retry-After, 5xx, a slow first byte, a connection dropped before
// the response or in the middle of a stream, a stream cut short; or at
// random rates ([WithFaultRates]), with latency on every response
// ([WithLatency]).
//
// The Files and Batches endpoints are emulated too, so batch generation
// through the Batch API runs offline ([WithBatchDelay] makes a batch's
// statuses last long enough to observe), and [RateLimit] puts a token
// bucket in front of an emulator, answering 429 with Retry-After.
//
// [WithAzure] makes an emulator an Azure OpenAI resource instead: image
// calls at /openai/deployments/{deployment}/images/..., the Responses API,
// files and batches at /openai/..., every request needing the api-version
// query and an api-key header or a Microsoft Entra ID token, each
// deployment running its model whatever the request's body says, and
// Azure's own answers where they differ from OpenAI's (its 401 and 404
// bodies, DeploymentNotFound, apim-request-id). Point a client at
// [Server].Endpoint:
//
//	srv := imagestest.NewServer(imagestest.WithAzure(imagestest.Azure{Deployments: map[string]string{"images": "gpt-image-1.5"}}))
//	client, _ := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{Endpoint: srv.Endpoint, APIVersion: "2025-04-01-preview", APIKey: "any-key"}))
//
// The openai-images command's serve subcommand runs an Emulator on
// loopback, so any SDK can point OPENAI_BASE_URL at it (or, with --azure,
// AZURE_OPENAI_ENDPOINT).
package imagestest
