// Package imagestest is an offline emulator of the OpenAI Images API, for
// tests and demos: no key, no network.
//
// It validates every request against the vendored openapi.yaml with the
// contract harness and against the wrapper's model table, answering invalid
// ones with the API's error shape; it returns real, deterministic images of
// the requested size and format, drawn from the prompt (seeded colours and
// shapes with the prompt written on them), so a person can look at them.
// Edits honour the mask (only its transparent areas change) and combine
// several input images; variations perturb the input; response_format=url
// serves the image from the emulator itself. Streams send partial_images
// partial frames and then the completed event. The Responses API's
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
// It answers like the API where a client can tell: a missing key is 401
// with the API's message (and the key [InvalidAPIKey] is refused as a wrong
// one), an unknown path 404 "Invalid URL (METHOD PATH)", an unknown model
// 400 invalid_value listing the supported ones (from the wrapper's model
// table, through [wrapper.LookupModel]), and every answer carries
// x-request-id. Responses echo the real size (custom sizes and auto
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
