// Package wrapper is the Go client for the OpenAI Images API: generate, edit
// and vary images, stream partial images, and check parameters against each
// model's rules before anything is sent.
//
// It is a thin, handwritten layer over the client generated from the vendored
// OpenAPI document (package gen, an implementation detail): every call goes
// through the generated ImagesApi, while this package adds typed parameters,
// streamed multipart uploads, retries, typed errors and validation.
//
// # Quick start
//
//	client, err := wrapper.New() // OPENAI_API_KEY, OPENAI_BASE_URL, ...
//	if err != nil {
//		log.Fatal(err)
//	}
//	res, err := client.Generate(ctx, wrapper.GenerateParams{
//		Model:  wrapper.ModelGPTImage15,
//		Prompt: "A cute baby sea otter",
//		Size:   wrapper.Size1024x1024,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := res.Data[0].Save(ctx, "otter.png"); err != nil {
//		log.Fatal(err)
//	}
//
// Edits take one image or up to 16, from paths, bytes or readers, plus an
// optional mask:
//
//	res, err := client.Edit(ctx, wrapper.EditParams{
//		Model:  wrapper.ModelGPTImage15,
//		Prompt: "Put both items in a gift basket",
//		Images: []wrapper.Image{
//			wrapper.ImageFromPath("lotion.png"),
//			wrapper.ImageFromPath("soap.png"),
//		},
//	})
//
// # Uploads
//
// Multipart bodies are written while they are sent (an io.Pipe), so memory
// does not grow with image size. A retry re-sends identical bytes by reading
// each source again; an image from a plain io.Reader ([ImageFromReader]) can
// be read once, so a request carrying one is not retried.
//
// # Downloads
//
// Responses are read as they arrive, never whole: a base64 image is found in
// the JSON (data[].b64_json, a stream event's b64_json, a Responses API
// result) and kept as one right-sized string while every other field is
// parsed through the generated types. With [WithImageFiles] (and in
// [ImageStream.SaveTo] and [Client.RunBatch]) it is instead decoded straight
// into its file, so memory does not grow with image size either.
//
// # Errors
//
// Failures are typed and found with errors.As: *[APIError] for error
// responses (status, type, code, param, message, request id),
// *[ValidationError] for parameters a model does not accept (returned before
// any request), *[StreamError] for error events in a stream, and
// *[OperationError] wrapping transport and context errors. No error, and no
// log line, ever contains the API key or request headers.
//
// # Retries
//
// Connection errors, timed-out attempts, 408, 409, 429 and 5xx responses are
// retried (default twice; [WithMaxRetries]), honouring the server's
// x-should-retry, Retry-After-Ms and Retry-After headers, otherwise waiting
// 0.5 s doubled per retry up to 8 s, with jitter. A wait that would pass the
// context's deadline is not started: the error is returned at once.
//
// # Streams and editing sessions
//
// [Client.GenerateStream] and [Client.EditStream] return an [ImageStream] of
// partial images and the completed image ([ImageStream.All] for a range
// loop, or Next/Current/Err; [ImageStream.SaveTo] writes each image as it
// arrives). [Client.NewEditSession] edits an image across turns through the
// Responses API's image_generation tool, chaining previous_response_id.
//
// # Batches
//
// [Client.RunBatch] runs many generations or edits concurrently on one
// machine: results in input order, a shared gate that paces requests from
// the server's rate-limit answers, and a manifest.jsonl written as items
// finish so that a rerun skips what is done. [Client.SubmitBatch],
// [Client.WaitBatch] and [Client.DownloadBatchResults] do the same at scale
// through the OpenAI Batch API. [ReadBatchFile] reads prompt lists and JSONL.
//
// # Parameters the vendored spec does not know yet
//
// Models and sizes are open strings, and per-request options add anything
// else: [WithExtraBody] (e.g. quality "xhigh", safety_identifier),
// [WithExtraHeader], [WithExtraQuery]. Validation knows only the models in
// its table; an unknown model gets only the universal checks, and
// [WithRequestValidation](false) turns it off.
package wrapper
