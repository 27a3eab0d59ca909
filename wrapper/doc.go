// Package wrapper is the Go client for the OpenAI Images API: generate, edit
// and vary images, stream partial images, and check parameters against each
// model's rules before anything is sent.
//
// It is a thin, handwritten layer over the client generated from the vendored
// OpenAPI document (package gen): every call goes through the generated
// ImagesApi, while this package adds typed parameters, streamed multipart
// uploads, retries, typed errors and validation. To use the generated client
// directly instead, see package imageform, which builds its multipart
// bodies.
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
//	if err := res.Data[0].WriteFile(ctx, "otter.png"); err != nil {
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
// # Azure OpenAI and OpenAI-compatible servers
//
// [WithAzure] sends every call to an Azure OpenAI resource as Azure shapes
// it, with the environment variables of the official SDKs' Azure clients:
//
//	client, err := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{
//		// Endpoint, APIKey and APIVersion default to AZURE_OPENAI_ENDPOINT,
//		// AZURE_OPENAI_API_KEY and OPENAI_API_VERSION.
//		DeploymentModels: map[string]wrapper.Model{"images": wrapper.ModelGPTImage15},
//	}))
//	res, err := client.Generate(ctx, wrapper.GenerateParams{Model: "images", Prompt: "a lighthouse"})
//
// Image calls (generations, edits with uploads or references, variations,
// their streams) go to {endpoint}/openai/deployments/{deployment}/...,
// where the deployment is [AzureConfig].Deployment or else the call's
// Model (as in the official SDKs); the Responses API (editing sessions),
// files and batches go to {endpoint}/openai/..., a session naming its image
// deployment in the x-ms-oai-image-generation-deployment header and a batch
// its deployment in every line. Every request carries the api-version
// query and the api-key header, or a Microsoft Entra ID token from a
// [TokenSource] (cached until shortly before it expires, replaced once on a
// 401). docs/azure-wire.md compares each request with what the official
// Node SDK's AzureOpenAI client sends.
//
// Validation applies the model table to the model a deployment runs, when
// the client knows it ([AzureConfig].DeploymentModels, or a deployment
// named after its model), and otherwise only the rules that hold for every
// model; a deployment's name is never refused as a misspelt model.
// OpenAI's retirements do not apply on Azure; Azure's own dates, where its
// documentation gives them, are in [ModelInfo].AzureRetirement and are
// enforced only with [WithRetiredModels](false).
//
// For other OpenAI-compatible servers, [WithBaseURL] takes the API's root;
// a query in it is sent with every request, as are [WithQuery]'s
// parameters, and [WithTokenSource] authenticates with rotating bearer
// tokens. Azure's v1 API (https://RESOURCE.openai.azure.com/openai/v1) is
// such a server. A base URL that cannot work is refused by [New] with the
// reason: https://api.openai.com without /v1, an operation's URL, an Azure
// resource outside its v1 API.
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
// [ImageStream.WriteFiles] and [Client.RunBatch]) it is instead decoded straight
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
// # Hostile servers and untrusted input
//
// Everything a server sends is treated as hostile:
//
//   - Credentials: the API key (Azure's api-key included), the tokens of a
//     [TokenSource], headers set with [WithSecretHeader], and headers and
//     query parameters whose names say they carry one are cut out of every
//     response before anything reads it: headers (x-request-id, Content-Type, ...), bodies as they
//     stream (JSON, its \u-escaped, percent-encoded and HTML-escaped
//     forms, stream event names and data, Batch API files) and transport
//     errors. None is sent to another origin on a redirect.
//   - Size: JSON bodies are read up to [WithMaxResponseSize] after
//     decompression, stream events up to [WithMaxEventSize], images from
//     URLs up to [WithMaxDownloadSize], each failing with a
//     *[TooLargeError] that names the option; a gzip bomb costs at most
//     the limit in memory.
//   - Time: [WithTimeout] also bounds each wait for a stream's next event
//     (keep-alive comments do not count) and for the next byte of a
//     download.
//   - Image URLs are fetched under a [DownloadPolicy]: https and public
//     addresses only, checked on the URL, every redirect and at dial time,
//     unless the API's own base URL is loopback or private. Image bytes
//     must be the format the response declared (or the request asked
//     for), else an *[ImageFormatError]; a 2xx with no image is a
//     *[NoImagesError].
//
// Inputs are checked before anything is sent: text that is not valid UTF-8
// is a *[ValidationError] in JSON and multipart bodies alike; an image path
// that is not a regular file (a FIFO, a device) is refused before it is
// opened ([ErrNotRegularFile]). Files are saved atomically, without
// reading the file they replace, with its mode (or the umask's for a new
// one); a batch rerun removes the temporary files of a killed run. A nil
// context is an error, not a panic.
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
// loop, or Next/Current/Err; [ImageStream.WriteFiles] writes each image as
// it arrives). [Client.NewEditSession] edits an image across turns through
// the Responses API's image_generation tool, chaining previous_response_id.
//
// Every image the API returns, whichever call returned it, is an
// [OutputImage]: a [GeneratedImage], a [PartialImageEvent] or
// [CompletedEvent], or a [TurnImage] has Content (its bytes), WriteFile
// (saved atomically) and Decode, each taking a context.
//
// # Batches
//
// [Client.RunBatch] runs many generations or edits concurrently on one
// machine: results in input order, a shared gate that paces requests from
// the server's rate-limit answers, and a manifest.jsonl written as items
// finish so that a rerun skips what is done. Items are keyed by their
// content (prompt and parameters), so reordering, adding or removing items
// never reruns or overwrites finished work; [Client.PlanBatch] says, before
// anything is sent, which items are done and which changed since an earlier
// run. [Client.SubmitBatch],
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
//
// # Names
//
// The API follows one naming scheme. Calls are named by their verb
// (Generate, Edit, Vary; SubmitBatch, WaitBatch), streamed forms add Stream
// (GenerateStream, EditSession.CreateStream), and a call's parameters and
// options are named after it (GenerateParams, VaryParams, RunBatchOptions,
// CheckVary). Methods that may block on the network take a context first;
// an [ImageStream]'s methods do not, as the stream runs under the context of
// the call that opened it (as in openai-go). Where openai-go names a call
// differently, the doc comment says so (Vary is openai-go's
// Images.NewVariation). Renamed API keeps its old name as a deprecated alias
// that does the same thing: CreateVariation, VariationParams, CheckVariation,
// OpVariation, BatchOptions, BatchDone, GeneratedImage.Bytes and Save,
// ImagesResponse.SaveAll, ImageStream.SaveTo, and the events' and
// TurnImage's Bytes and Save.
package wrapper
