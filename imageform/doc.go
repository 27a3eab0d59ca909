// Package imageform builds the multipart/form-data bodies of the Images
// API's two upload requests, image edits (POST /images/edits) and
// variations (POST /images/variations), for code that calls the generated
// client (package gen) directly.
//
// The generated client sends JSON requests itself, but its multipart
// methods (CreateImageEditWithBody, CreateImageVariationWithBody) take a
// content type and a body and leave the encoding to the caller. An [Edit]
// or a [Variation] encodes one: fields under the API's names, one input
// image as an "image" part and several as repeated "image[]" parts (as the
// official SDKs send them), each part with the content type sniffed from
// its bytes. The body is written as it is read, files streamed from disk,
// so memory does not grow with the images:
//
//	api, _ := gen.NewClientWithResponses("https://api.openai.com/v1",
//		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
//			r.Header.Set("Authorization", "Bearer "+os.Getenv("OPENAI_API_KEY"))
//			return nil
//		}))
//	body, err := imageform.Edit{
//		Model:  "gpt-image-1.5",
//		Prompt: "Put both items in a gift basket",
//		Images: []imageform.File{imageform.Path("lotion.png"), imageform.Path("soap.png")},
//	}.Encode()
//	if err != nil {
//		return err
//	}
//	resp, err := api.CreateImageEditWithBodyWithResponse(ctx, body.ContentType(), body, body.SetLength)
//
// An Edit has every field of the multipart edit (CreateImageEditRequest),
// sent as package wrapper sends the same parameters: among them Markup, a
// transparent PNG guiding the edit on gpt-image-2.5 models (the file part
// "markup", streamed like the images), Complexity, FrameCount and
// FrameDuration (frame_count and frame_duration_ms, for GIF output), SVG
// (the author of SVG output, as the parts svg[model] and
// svg[reasoning][effort]) and SafetyIdentifier. Extra sends a field the
// type does not have, such as moderation, which the API documents for
// generations and JSON edits only.
//
// A Body can be read once: a retry needs a new one from Encode.
//
// Package wrapper is the other way to call the API: typed parameters,
// validation against each model's rules, retries and typed errors, on top
// of the same generated client.
package imageform
