package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/wrapper/internal/imagejson"
	"github.com/imagegen-go/openai-images/wrapper/internal/sse"
)

// StreamEvent is one event of an image stream: *[PartialImageEvent],
// *[CompletedEvent] or *[UnknownEvent]; streams of an [EditSession] turn
// also yield *[TurnCompletedEvent]. The set is sealed; event types the
// vendored spec does not know yet arrive as *UnknownEvent.
type StreamEvent interface {
	// EventType is the event's type, e.g. "image_generation.partial_image".
	EventType() string
	isStreamEvent()
}

// PartialImageEvent is a partial image sent while the final image renders.
type PartialImageEvent struct {
	Type string
	// Index is the partial image's 0-based index.
	Index        int
	B64JSON      string
	Size         Size
	Quality      Quality
	Background   Background
	OutputFormat OutputFormat
	CreatedAt    time.Time
	// Path is the file the image was written to as it arrived, when the
	// stream saves its images (WriteFiles, WithImageFiles); B64JSON is empty
	// then.
	Path string
}

// CompletedEvent carries a final image and the usage of the request.
type CompletedEvent struct {
	Type         string
	B64JSON      string
	Size         Size
	Quality      Quality
	Background   Background
	OutputFormat OutputFormat
	CreatedAt    time.Time
	Usage        *Usage
	// SafetyIdentifier is the effective safety identifier the API used
	// (the request's SafetyIdentifier, else the deprecated User).
	SafetyIdentifier string
	// Path is the file the image was written to as it arrived, when the
	// stream saves its images (WriteFiles, WithImageFiles); B64JSON is empty
	// then.
	Path string
}

// UnknownEvent is an event whose type this version does not know.
type UnknownEvent struct {
	Type string
	// Raw is the event's JSON data. When the stream saves its images
	// (WriteFiles, WithImageFiles), a base64 image in it is never held, and
	// its string is empty here.
	Raw json.RawMessage
}

func (e *PartialImageEvent) EventType() string { return e.Type }
func (e *CompletedEvent) EventType() string    { return e.Type }
func (e *UnknownEvent) EventType() string      { return e.Type }
func (*PartialImageEvent) isStreamEvent()      {}
func (*CompletedEvent) isStreamEvent()         {}
func (*UnknownEvent) isStreamEvent()           {}

// decodeB64 decodes as base64.StdEncoding.DecodeString, into one buffer of
// the image's size.
func decodeB64(s string) ([]byte, error) {
	b, err := imagejson.DecodeString(s)
	if err != nil {
		return nil, b64Error(err)
	}
	return b, nil
}

// ErrTruncatedStream is returned by a stream that ended before its
// completed event, or in the middle of an event. Events delivered before the
// end stay delivered.
var ErrTruncatedStream = errors.New("openai-images: stream ended before the image was completed")

// EventDecodeError is returned for an event whose data is not the JSON its
// type calls for. Events delivered before it stay delivered.
type EventDecodeError struct {
	EventType string
	Err       error
}

func (e *EventDecodeError) Error() string {
	return fmt.Sprintf("openai-images: malformed %q event: %v", e.EventType, e.Err)
}

func (e *EventDecodeError) Unwrap() error { return e.Err }

// EventTooLargeError is returned, wrapped in a *[TooLargeError] naming
// [WithMaxEventSize], when one event exceeds the client's maximum event
// size.
type EventTooLargeError = sse.EventTooLargeError

// ImageStream is a stream of image events from GenerateStream or
// EditStream. Read it with Next/Current/Err, or with All:
//
//	for ev, err := range stream.All() {
//		if err != nil { ... }
//		switch ev := ev.(type) {
//		case *wrapper.PartialImageEvent: ...
//		case *wrapper.CompletedEvent: ...
//		}
//	}
//
// Close releases the connection; it is safe to call more than once, and
// cancelling the request's context closes the stream too. An ImageStream is
// not safe for concurrent use.
type ImageStream struct {
	op        string
	requestID string
	body      io.ReadCloser
	dec       *sse.Decoder
	release   func()
	// doc reads each event's data; decode turns it into a typed event.
	doc    *imageDoc
	decode func(sseType string, doc *imageDoc) (StreamEvent, error)
	// files, when set, is where images are written as they arrive.
	files *imageFiles
	// cfg scrubs the key from errors a server sends.
	cfg *config
	// pending holds events not yet returned (a JSON response turned into
	// completed events).
	pending   []StreamEvent
	cur       StreamEvent
	err       error
	completed int
	done      bool
	closeOnce sync.Once
	// deadline bounds each wait for an event ([WithTimeout]).
	deadline *eventDeadline
}

// RequestID is the x-request-id response header.
func (s *ImageStream) RequestID() string { return s.requestID }

// Next advances to the next event, reporting false at the end of the stream
// or on an error (see Err).
func (s *ImageStream) Next() bool {
	if s.done {
		return false
	}
	if len(s.pending) > 0 {
		s.cur, s.pending = s.pending[0], s.pending[1:]
		return true
	}
	if s.dec == nil {
		return s.finish(nil)
	}
	s.deadline.arm()
	for {
		// The event's data goes through the image scanner as it is
		// read: a large image is never held whole (only its text, or
		// nothing when the stream saves it).
		s.doc.reset(s.files)
		s.doc.completed = s.completed
		ev, err := s.dec.NextTo(s.doc)
		if err == nil {
			err = s.doc.finish()
		}
		if err != nil {
			s.doc.abort()
			s.deadline.disarm()
			return s.finish(err)
		}
		if s.doc.blank() {
			continue // keep-alives and the [DONE] sentinel some servers send
		}
		s.deadline.disarm()
		decoded, err := s.decode(ev.Type, s.doc)
		s.doc.abort() // the files the event did not keep
		if err != nil {
			s.err = s.cfg.scrubErr(err)
			s.stop()
			return false
		}
		switch decoded.(type) {
		case *CompletedEvent, *TurnCompletedEvent:
			s.completed++
		}
		s.cur = decoded
		return true
	}
}

// finish ends the stream after the decoder stopped with err.
func (s *ImageStream) finish(err error) bool {
	switch {
	case s.deadline.err() != nil:
		s.err = opError(s.op, s.deadline.err())
	case err == nil || errors.Is(err, io.EOF) && !errors.Is(err, sse.ErrUnterminatedEvent):
		if s.completed == 0 {
			s.err = ErrTruncatedStream
		}
	case errors.Is(err, sse.ErrUnterminatedEvent):
		s.err = fmt.Errorf("%w: %w", ErrTruncatedStream, err)
	default:
		var tooLarge *sse.EventTooLargeError
		var file *fileError
		if errors.As(err, &file) {
			s.err = file.err // writing an image failed, not the stream
		} else if errors.As(err, &tooLarge) {
			s.err = &TooLargeError{Operation: s.op, What: "stream event", Limit: int64(tooLarge.Limit), Size: -1, Option: "WithMaxEventSize", err: err}
		} else {
			s.err = opError(s.op, err)
		}
	}
	s.stop()
	return false
}

func (s *ImageStream) stop() {
	s.done = true
	s.cur = nil
	s.Close()
}

// Current returns the event Next advanced to.
func (s *ImageStream) Current() StreamEvent { return s.cur }

// Err returns the error that ended the stream, or nil when it ended
// normally after its completed event.
func (s *ImageStream) Err() error { return s.err }

// Close closes the response body and releases the request's resources.
func (s *ImageStream) Close() error {
	s.closeOnce.Do(func() {
		s.deadline.disarm()
		if s.body != nil {
			s.body.Close()
		}
		if s.release != nil {
			s.release()
		}
	})
	return nil
}

// All returns the events as an iterator of (event, nil) pairs, ending with
// one (nil, err) pair if the stream fails. The stream is closed when the
// loop ends, early or not.
func (s *ImageStream) All() iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.cur, nil) {
				return
			}
		}
		if s.err != nil {
			yield(nil, s.err)
		}
	}
}

// eventHead is the part of every event's data used to route it.
type eventHead struct {
	Type  string          `json:"type"`
	Error json.RawMessage `json:"error"`
}

// decodeStreamEvent decodes one event's data into a typed event, or a
// *StreamError for error events in either form servers send
// ({"error": {...}} data, or an "error" event / "type": "error").
func decodeStreamEvent(sseType string, doc *imageDoc) (StreamEvent, error) {
	// One pass over the data, whose image the scanner has taken out: the
	// generated completed-event type has every field of the partial one
	// but its index, which is added here, along with the error member.
	var e struct {
		gen.ImageGenCompletedEvent
		PartialImageIndex int             `json:"partial_image_index"`
		Error             json.RawMessage `json:"error"`
	}
	err := doc.unmarshal(&e)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		// Not JSON at all: the type is known only from the event name.
		name := sseType
		if name == "" {
			name = "message"
		}
		return nil, &EventDecodeError{EventType: name, Err: err}
	}
	typ := string(e.Type)
	if typ == "" {
		typ = sseType
	}
	if len(e.Error) > 0 && string(e.Error) != "null" || typ == "error" || sseType == "error" {
		return nil, streamError(doc.original(), e.Error)
	}
	switch typ {
	case "image_generation.partial_image", "image_edit.partial_image":
		if err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		ev := &PartialImageEvent{
			Type: typ, Index: e.PartialImageIndex,
			Size: Size(e.Size), Quality: Quality(e.Quality), Background: Background(e.Background),
			OutputFormat: OutputFormat(e.OutputFormat), CreatedAt: time.Unix(int64(e.CreatedAt), 0).UTC(),
		}
		ev.B64JSON, ev.Path, err = doc.eventImage(e.B64Json, ImageFile{Index: doc.completed, Partial: true, PartialIndex: e.PartialImageIndex}, ev.OutputFormat)
		if err != nil {
			return nil, err
		}
		return ev, nil
	case "image_generation.completed", "image_edit.completed":
		if err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		u := e.Usage
		ev := &CompletedEvent{
			Type: typ,
			Size: Size(e.Size), Quality: Quality(e.Quality), Background: Background(e.Background),
			OutputFormat: OutputFormat(e.OutputFormat), CreatedAt: time.Unix(int64(e.CreatedAt), 0).UTC(),
			Usage: &Usage{
				InputTokens: u.InputTokens, InputTextTokens: u.InputTokensDetails.TextTokens,
				InputImageTokens: u.InputTokensDetails.ImageTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
			},
			SafetyIdentifier: deref(e.SafetyIdentifier),
		}
		ev.B64JSON, ev.Path, err = doc.eventImage(e.B64Json, ImageFile{Index: doc.completed}, ev.OutputFormat)
		if err != nil {
			return nil, err
		}
		return ev, nil
	}
	// An event type this version does not know: its fields may have any
	// type, so a type mismatch against the image events is no error here.
	return &UnknownEvent{Type: typ, Raw: doc.original()}, nil
}

// eventImage resolves an event's image field: its base64 text or, when the
// stream saves images, the path of the file it was written to (once checked
// against format, as Content checks it).
func (d *imageDoc) eventImage(v string, info ImageFile, format OutputFormat) (b64, path string, err error) {
	img := d.image(v)
	if d.files == nil || img.file == nil && img.text == "" {
		return img.text, "", nil
	}
	paths, err := d.save([]saveItem{{img: img, info: info, format: format}})
	if err != nil {
		return "", "", err
	}
	return "", paths[0], nil
}

func streamError(data, inner json.RawMessage) *StreamError {
	obj := inner
	if len(obj) == 0 || string(obj) == "null" {
		obj = data
	}
	typ, code, param, msg := parseErrorBody(obj)
	if typ == "error" { // the event's own type, not an error type
		typ = ""
	}
	return &StreamError{Type: typ, Code: code, Param: param, Message: msg, Raw: append([]byte(nil), data...)}
}

// GenerateStream creates images from a prompt and streams partial images
// (PartialImages, 0-3) and then the completed image as they are rendered.
// GPT image models only.
//
// API: POST /images/generations
func (c *Client) GenerateStream(ctx context.Context, p GenerateParams, opts ...RequestOption) (*ImageStream, error) {
	const op = "createImage"
	rc, err := c.prepare(opts, p.Model, func() error { return validateGenerate(&p, true, c.policy()) })
	if err != nil {
		return nil, err
	}
	body, err := jsonBody(generateRequest(&p, true), rc.body)
	if err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	return c.openStream(ctx, imageStreamDecoder, call{
		op: op, path: "POST /images/generations", stream: true, replayable: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.CreateImageWithBody(ctx, "application/json", bytes.NewReader(body), editors...)
		},
	}, rc)
}

// EditStream edits images like [Client.Edit] and streams partial images and
// then the completed image. GPT image models only.
//
// API: POST /images/edits
func (c *Client) EditStream(ctx context.Context, p EditParams, opts ...RequestOption) (*ImageStream, error) {
	rc, err := c.prepare(opts, p.Model, func() error { return validateEdit(&p, true, c.policy()) })
	if err != nil {
		return nil, err
	}
	cl, err := c.editCall(&p, rc, true)
	if err != nil {
		return nil, err
	}
	return c.openStream(ctx, imageStreamDecoder, cl, rc)
}

// streamDecoder turns a stream's events, whose images are at paths, or the
// JSON body a server sent instead of a stream, into typed events.
type streamDecoder struct {
	paths []imagejson.Path
	event func(sseType string, doc *imageDoc) (StreamEvent, error)
	json  func(c *Client, op string, resp *http.Response, files *imageFiles) ([]StreamEvent, error)
}

var imageStreamDecoder = streamDecoder{paths: imageEventPaths, event: decodeStreamEvent, json: imagesAsEvents}

// openStream sends cl and returns its event stream.
func (c *Client) openStream(ctx context.Context, sd streamDecoder, cl call, rc *requestConfig) (*ImageStream, error) {
	var s *ImageStream
	err := c.do(ctx, cl, rc, func(_ context.Context, resp *http.Response, release func()) error {
		s = &ImageStream{op: cl.op, requestID: resp.Header.Get("x-request-id"), body: resp.Body, release: release,
			doc: newImageDoc(sd.paths), decode: sd.event, files: rc.files, cfg: c.cfg}
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		switch mt {
		case "text/event-stream":
			// Events are read with NextTo, straight into the image
			// scanner: no data buffer at all.
			s.dec = sse.NewDecoder(resp.Body, sse.WithMaxEventSize(c.cfg.maxEventSize))
			s.deadline = &eventDeadline{d: c.timeout(rc), expire: release}
			return nil
		case "application/json":
			// A server that ignored stream=true: its result becomes
			// completed events.
			defer s.Close()
			events, err := sd.json(c, cl.op, resp, rc.files)
			if err != nil {
				return c.cfg.scrubErr(err)
			}
			s.pending = events
			s.completed = len(events)
			return nil
		default:
			s.Close()
			return &APIError{Operation: cl.op, StatusCode: resp.StatusCode, RequestID: s.requestID,
				Message: fmt.Sprintf("unexpected response content type %q for a stream", resp.Header.Get("Content-Type"))}
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// imagesAsEvents turns a JSON images response into completed events.
func imagesAsEvents(c *Client, op string, resp *http.Response, files *imageFiles) ([]StreamEvent, error) {
	res, err := c.parseImages(op, resp, files, false, "")
	if err != nil {
		return nil, err
	}
	var events []StreamEvent
	for _, img := range res.Data {
		events = append(events, &CompletedEvent{Type: "image_generation.completed", B64JSON: img.B64JSON, Path: img.Path,
			Size: res.Size, Quality: res.Quality, Background: res.Background, OutputFormat: res.OutputFormat,
			CreatedAt: res.Created, Usage: res.Usage})
	}
	return events, nil
}

// WriteFiles reads the stream to its end and writes each image into dir as
// it arrives, decoding the base64 on the way, so that no image is held in
// memory: partial images as prefix-partial-N.ext (N from 0, as the API
// numbers them) and final images as prefix.ext (prefix-2.ext and on for
// later ones; for an [EditSession] stream, those of its turn), the
// extension taken from the image bytes. Every file is written atomically,
// once checked as Content checks it. onSaved, if not nil, is called after
// each file with its event (whose Path is the file; B64JSON is empty). It
// returns the paths written, including when the stream fails part way:
// what arrived before the failure is kept.
func (s *ImageStream) WriteFiles(dir, prefix string, onSaved func(ev StreamEvent, path string)) ([]string, error) {
	defer s.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s.files = &imageFiles{dir: dir, name: func(f ImageFile) string {
		switch {
		case f.Partial:
			return fmt.Sprintf("%s-partial-%d%s", prefix, f.PartialIndex, f.Ext)
		case f.Index == 0:
			return prefix + f.Ext
		}
		return fmt.Sprintf("%s-%d%s", prefix, f.Index+1, f.Ext)
	}}
	var paths []string
	saved := func(ev StreamEvent, path string) {
		paths = append(paths, path)
		if onSaved != nil {
			onSaved(ev, path)
		}
	}
	for s.Next() {
		switch ev := s.Current().(type) {
		case *PartialImageEvent:
			if ev.Path != "" {
				saved(ev, ev.Path)
			}
		case *CompletedEvent:
			if ev.Path != "" {
				saved(ev, ev.Path)
			}
		case *TurnCompletedEvent:
			for _, img := range ev.Turn.Images {
				if img.Path != "" {
					saved(ev, img.Path)
				}
			}
		}
	}
	return paths, s.Err()
}
