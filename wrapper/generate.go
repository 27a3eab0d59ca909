package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/gen"
)

// Generate creates images from a prompt.
//
// API: POST /images/generations
func (c *Client) Generate(ctx context.Context, p GenerateParams, opts ...RequestOption) (*ImagesResponse, error) {
	const op = "createImage"
	rc, err := c.prepare(opts, p.Model, func() error { return validateGenerate(&p, false, c.policy()) })
	if err != nil {
		return nil, err
	}
	body, err := jsonBody(generateRequest(&p, false), rc.body)
	if err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	var out *ImagesResponse
	err = c.do(ctx, call{
		op: op, path: "POST /images/generations", replayable: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.CreateImageWithBody(ctx, "application/json", bytes.NewReader(body), editors...)
		},
	}, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		out, err = c.parseImages(op, resp, rc.files, true, p.OutputFormat)
		return err
	})
	return out, err
}

func generateRequest(p *GenerateParams, stream bool) gen.CreateImageRequest {
	r := gen.CreateImageRequest{
		Prompt:            p.Prompt,
		Model:             optString[string](p.Model),
		N:                 optInt(p.N),
		Size:              optString[string](p.Size),
		Quality:           optString[gen.CreateImageRequestQuality](p.Quality),
		Complexity:        optString[gen.CreateImageRequestComplexity](p.Complexity),
		Style:             optString[gen.CreateImageRequestStyle](p.Style),
		Background:        optString[gen.CreateImageRequestBackground](p.Background),
		Moderation:        optString[gen.CreateImageRequestModeration](p.Moderation),
		OutputFormat:      optString[gen.CreateImageRequestOutputFormat](p.OutputFormat),
		OutputCompression: p.OutputCompression,
		FrameCount:        optInt(p.FrameCount),
		FrameDurationMs:   optInt(milliseconds(p.FrameDuration)),
		ResponseFormat:    optString[gen.CreateImageRequestResponseFormat](p.ResponseFormat),
		SafetyIdentifier:  optString[string](p.SafetyIdentifier),
		User:              optString[string](p.User),
	}
	if p.SVG != nil {
		r.Svg = &gen.CreateImageSvg{Model: p.SVG.Model}
		if p.SVG.ReasoningEffort != "" {
			r.Svg.Reasoning = &gen.CreateImageSvgReasoning{Effort: optString[gen.CreateImageSvgReasoningEffort](p.SVG.ReasoningEffort)}
		}
	}
	if stream {
		r.Stream = Ptr(true)
		r.PartialImages = p.PartialImages
	}
	return r
}

// optString converts a possibly empty string-like value to an optional
// field: empty means unset (omitted from the body).
func optString[T ~string, S ~string](v S) *T {
	if v == "" {
		return nil
	}
	t := T(v)
	return &t
}

// milliseconds is a duration in whole milliseconds, as the API's *_ms
// parameters take it.
func milliseconds(d time.Duration) int { return int(d.Milliseconds()) }

func optInt(v int) *int {
	if v == 0 {
		return nil
	}
	return &v
}

// jsonBody marshals v and merges extra fields in at the top level. Text
// that is not valid UTF-8 is refused (see checkUTF8).
func jsonBody(v any, extra map[string]any) ([]byte, error) {
	if err := checkUTF8(v); err != nil {
		return nil, err
	}
	if err := checkUTF8(extra); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	for k, v := range extra {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("extra body field %q: %w", k, err)
		}
		fields[k] = raw
	}
	return json.Marshal(fields)
}

// parseImages reads a JSON images response as it arrives (parseJSONStreamed):
// its images are kept as base64 text, or with files set decoded into files;
// every other field goes through the generated ImagesResponse. want is the
// output format the request asked for, which the images must be in when the
// response declares none. strict parses as the generated Parse*Response
// functions do (JSON200: a 200 with a JSON content type, json.Unmarshal of
// the body); otherwise, for a JSON answer to a stream request, the body is
// read as json.NewDecoder(body).Decode reads it. A response that holds no
// image is an error: the API answers a request with its images or with an
// error status.
func (c *Client) parseImages(op string, resp *http.Response, files *imageFiles, strict bool, want OutputFormat) (*ImagesResponse, error) {
	doc := getImageDoc(&imagesDocs, files)
	defer putImageDoc(&imagesDocs, doc)
	r, err := parseJSONStreamed(op, resp, c.cfg.maxResponseSize, func(r *http.Response) (*gen.ImagesResponse, error) {
		return readImagesResponse(r, doc, strict)
	})
	if err != nil {
		return nil, err
	}
	out := c.imagesResponse(r, resp.Header.Get("x-request-id")).expect(want)
	if len(out.Data) == 0 {
		return nil, &NoImagesError{Operation: op, RequestID: out.RequestID}
	}
	var items []saveItem
	images := 0
	for i, d := range *r.Data {
		if out.Data[i].URL != "" {
			images++
		}
		if d.B64Json == nil {
			continue
		}
		img := doc.image(*d.B64Json)
		out.Data[i].B64JSON = img.text
		if img.file != nil || img.text != "" {
			images++
			if files != nil {
				items = append(items, saveItem{img: img, info: ImageFile{Index: i, Count: len(*r.Data)}, format: out.Data[i].format})
			}
		}
	}
	if images == 0 {
		// "data": [{}], [{"b64_json": ""}], [{"revised_prompt": ...}]:
		// entries, but no image in any of them.
		return nil, &NoImagesError{Operation: op, RequestID: out.RequestID}
	}
	if len(items) > 0 {
		paths, err := doc.save(items)
		if err != nil {
			return nil, err
		}
		for k, it := range items {
			out.Data[it.info.Index].B64JSON, out.Data[it.info.Index].Path = "", paths[k]
		}
	}
	return out, nil
}

// readImagesResponse parses an images response through doc (see
// parseImages for strict).
func readImagesResponse(r *http.Response, doc *imageDoc, strict bool) (*gen.ImagesResponse, error) {
	defer r.Body.Close()
	if strict && (!strings.Contains(r.Header.Get("Content-Type"), "json") || r.StatusCode != http.StatusOK) {
		_, err := io.Copy(io.Discard, r.Body)
		return nil, err
	}
	if _, err := doc.sc.ReadFrom(r.Body); err != nil {
		return nil, err
	}
	if err := doc.finish(); err != nil {
		return nil, err
	}
	var out gen.ImagesResponse
	decode := doc.sc.Decode
	if strict {
		decode = doc.sc.Unmarshal
	}
	if err := decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ErrNoImages matches (errors.Is) a *[NoImagesError].
var ErrNoImages = errors.New("openai-images: the response holds no images")

// NoImagesError is a successful (2xx) images response that holds no image
// ("data": null, [] or missing, or entries none of which carries b64_json
// or a url). It is not retried: the request may have
// been charged.
type NoImagesError struct {
	Operation string
	// RequestID is the x-request-id header, for OpenAI support.
	RequestID string
}

func (e *NoImagesError) Error() string {
	msg := "openai-images: " + e.Operation + ": the response holds no images"
	if e.RequestID != "" {
		msg += " [request " + e.RequestID + "]"
	}
	return msg
}

func (e *NoImagesError) Is(target error) bool { return target == ErrNoImages }

// parseJSON reads a JSON response of at most limit bytes (after
// decompression) with a generated parser; a response of another type, or
// one the parser finds no body in, is an *APIError, and a larger one a
// *TooLargeError, returned before any of it is parsed.
func parseJSON[T any](op string, resp *http.Response, limit int64, parse func(*http.Response) (*T, error)) (*T, error) {
	requestID := resp.Header.Get("x-request-id")
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		resp.Body.Close()
		return nil, &APIError{Operation: op, StatusCode: resp.StatusCode, RequestID: requestID,
			Message: fmt.Sprintf("unexpected response content type %q", resp.Header.Get("Content-Type"))}
	}
	hint := resp.ContentLength
	if resp.Uncompressed {
		hint = -1
	}
	b, err := readCapped(resp.Body, limit, hint, "response body", "WithMaxResponseSize")
	resp.Body.Close()
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			tl.Operation = op
			return nil, tl
		}
		return nil, opError(op, fmt.Errorf("read response: %w", err))
	}
	resp.Body = b.reader()
	v, err := parse(resp)
	if err != nil {
		return nil, opError(op, fmt.Errorf("read response: %w", err))
	}
	if v == nil {
		return nil, &APIError{Operation: op, StatusCode: resp.StatusCode, RequestID: requestID, Message: "unexpected response body"}
	}
	return v, nil
}
