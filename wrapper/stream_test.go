package wrapper

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("internal", "sse", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveSSE answers path with body as an event stream.
func serveSSE(t *testing.T, mux *http.ServeMux, path string, body []byte) *recorder {
	rec := &recorder{}
	rec.handle(t, mux, path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("x-request-id", "req_stream")
		w.Write(body)
	})
	return rec
}

func collect(s *ImageStream) (events []StreamEvent, err error) {
	for ev, err := range s.All() {
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
	return events, nil
}

func TestGenerateStreamPartialThenCompleted(t *testing.T) {
	c, mux, _ := setup(t)
	rec := serveSSE(t, mux, "POST /images/generations", fixture(t, "partial_images.sse"))
	s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "otter", Model: ModelGPTImage15, PartialImages: Ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	if s.RequestID() != "req_stream" {
		t.Errorf("RequestID = %q", s.RequestID())
	}
	events, err := collect(s)
	if err != nil {
		t.Fatal(err)
	}
	body := rec.last(t).JSON
	if body["stream"] != true || body["partial_images"] != 2.0 {
		t.Errorf("request body = %v", body)
	}
	if len(events) != 3 {
		t.Fatalf("events = %d", len(events))
	}
	for i := range 2 {
		p, ok := events[i].(*PartialImageEvent)
		if !ok || p.Index != i || p.Type != "image_generation.partial_image" || p.Size != Size1024x1024 || p.Quality != QualityLow || p.Background != BackgroundOpaque || !p.CreatedAt.Equal(time.Unix(1700000000, 0)) {
			t.Errorf("event %d = %+v", i, events[i])
		}
	}
	done, ok := events[2].(*CompletedEvent)
	if !ok {
		t.Fatalf("last event = %T", events[2])
	}
	if b, err := done.Bytes(); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("completed image bytes = %q, %v", b, err)
	}
	if done.Usage == nil {
		t.Error("completed event without usage")
	}
}

// The same stream with other line ends or a BOM gives the same events.
func TestStreamLineEndings(t *testing.T) {
	lf := fixture(t, "partial_images.sse")
	variants := map[string][]byte{
		"crlf": bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"cr":   bytes.ReplaceAll(lf, []byte("\n"), []byte("\r")),
		"bom":  append([]byte("\xef\xbb\xbf"), lf...),
	}
	c, mux, _ := setup(t)
	serveSSE(t, mux, "POST /images/generations", lf)
	s, _ := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	want, err := collect(s)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range variants {
		t.Run(name, func(t *testing.T) {
			c, mux, _ := setup(t)
			serveSSE(t, mux, "POST /images/generations", body)
			s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := collect(s)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if !bytes.Equal(gj, wj) {
				t.Errorf("events differ:\n%s\n%s", gj, wj)
			}
		})
	}
}

func TestStreamErrors(t *testing.T) {
	partial := `event: image_generation.partial_image` + "\n" + `data: {"type":"image_generation.partial_image","b64_json":"aGk=","created_at":1,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":0}` + "\n\n"
	completed := `data: {"type":"image_generation.completed","b64_json":"aGk=","created_at":1,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}` + "\n\n"
	cases := []struct {
		name     string
		body     string
		partials int
		check    func(t *testing.T, err error)
	}{
		{"error data form", partial + `data: {"error":{"message":"the image was refused","type":"image_generation_user_error","code":"moderation_blocked"}}` + "\n\n", 1,
			func(t *testing.T, err error) {
				var se *StreamError
				if !errors.As(err, &se) || se.Code != "moderation_blocked" || se.Message != "the image was refused" || !IsContentPolicyViolation(err) {
					t.Errorf("err = %#v", err)
				}
			}},
		{"error event form", partial + "event: error\n" + `data: {"type":"error","code":"server_error","message":"boom","param":null}` + "\n\n", 1,
			func(t *testing.T, err error) {
				var se *StreamError
				if !errors.As(err, &se) || se.Code != "server_error" || se.Message != "boom" || se.Type != "" {
					t.Errorf("err = %#v", err)
				}
			}},
		{"malformed json", partial + "data: {\"type\": \"image_generation.completed\", \"b64_json\": \n\n", 1,
			func(t *testing.T, err error) {
				var de *EventDecodeError
				if !errors.As(err, &de) {
					t.Errorf("err = %#v", err)
				}
			}},
		{"wrong field type", partial + `data: {"type":"image_generation.completed","b64_json":42}` + "\n\n", 1,
			func(t *testing.T, err error) {
				var de *EventDecodeError
				if !errors.As(err, &de) || de.EventType != "image_generation.completed" {
					t.Errorf("err = %#v", err)
				}
			}},
		{"ends without completed", partial, 1,
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrTruncatedStream) {
					t.Errorf("err = %v", err)
				}
			}},
		{"cut mid-event", partial + completed[:60], 1,
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrTruncatedStream) {
					t.Errorf("err = %v", err)
				}
			}},
		{"empty stream", "", 0,
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrTruncatedStream) {
					t.Errorf("err = %v", err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			serveSSE(t, mux, "POST /images/generations", []byte(tc.body))
			s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
			if err != nil {
				t.Fatal(err)
			}
			events, err := collect(s)
			if len(events) != tc.partials {
				t.Errorf("delivered %d events before the error, want %d", len(events), tc.partials)
			}
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
			if s.Next() {
				t.Error("Next after the end reported another event")
			}
		})
	}
}

func TestStreamUnknownEventAndKeepAlives(t *testing.T) {
	body := ": keep-alive\n\ndata: \n\nevent: image_generation.sparkles\ndata: {\"type\":\"image_generation.sparkles\",\"n\":3}\n\n" +
		`data: {"type":"image_generation.completed","b64_json":"aGk=","created_at":1,"size":"auto","quality":"auto","background":"auto","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}` + "\n\ndata: [DONE]\n\n"
	c, mux, _ := setup(t)
	serveSSE(t, mux, "POST /images/generations", []byte(body))
	s, _ := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	events, err := collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("events = %v", events)
	}
	u, ok := events[0].(*UnknownEvent)
	if !ok || u.Type != "image_generation.sparkles" || string(u.Raw) != `{"type":"image_generation.sparkles","n":3}` {
		t.Errorf("unknown event = %#v", events[0])
	}
}

func TestEditStreamSendsStreamFields(t *testing.T) {
	c, mux, _ := setup(t)
	body := bytes.ReplaceAll(fixture(t, "partial_images.sse"), []byte("image_generation."), []byte("image_edit."))
	rec := serveSSE(t, mux, "POST /images/edits", body)
	s, err := c.EditStream(context.Background(), EditParams{Images: []Image{ImageFromBytes("a.png", testPNG(t, 8, 8, false))}, Prompt: "x", Model: ModelGPTImage1, PartialImages: Ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if events[0].EventType() != "image_edit.partial_image" || events[2].EventType() != "image_edit.completed" {
		t.Errorf("types = %s, %s", events[0].EventType(), events[2].EventType())
	}
	f := rec.last(t).Fields
	if f["stream"][0] != "true" || f["partial_images"][0] != "0" {
		t.Errorf("fields = %v", f)
	}
}

// A server that ignores stream=true and answers JSON still yields the images.
func TestStreamJSONFallback(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /images/generations", okImages)
	s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(s)
	if err != nil || len(events) != 1 {
		t.Fatalf("events = %v, err = %v", events, err)
	}
	if ev := events[0].(*CompletedEvent); ev.Size != Size1024x1024 || ev.Usage.TotalTokens != 30 {
		t.Errorf("event = %+v", ev)
	}
}

func TestStreamAPIErrorBeforeStart(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /images/generations", jsonError(400, `{"error":{"message":"stream not supported","param":"stream"}}`))
	_, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Param != "stream" {
		t.Errorf("err = %v", err)
	}
}

// hijackSSE writes head and then lets step act on the raw connection.
func hijackSSE(t *testing.T, mux *http.ServeMux, head string, step func(conn net.Conn, buf *bufio.ReadWriter)) {
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n%s", head)
		buf.Flush()
		step(conn, buf)
	})
}

const onePartial = "data: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"aGk=\",\"created_at\":1,\"size\":\"1024x1024\",\"quality\":\"low\",\"background\":\"opaque\",\"output_format\":\"png\",\"partial_image_index\":0}\n\n"

// A connection reset after one partial keeps that partial and returns a
// network error.
func TestStreamResetAfterPartial(t *testing.T) {
	c, mux, _ := setup(t)
	hijackSSE(t, mux, onePartial, func(conn net.Conn, _ *bufio.ReadWriter) {
		if tcp, ok := conn.(*net.TCPConn); ok {
			tcp.SetLinger(0) // RST instead of FIN
		}
		conn.Close()
	})
	s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(s)
	if len(events) != 1 {
		t.Errorf("events = %d, want the partial", len(events))
	}
	var opErr *OperationError
	if !errors.As(err, &opErr) && !errors.Is(err, ErrTruncatedStream) {
		t.Errorf("err = %v, want a network error", err)
	}
	if err == nil {
		t.Error("reset stream ended without error")
	}
}

// Cancelling the context mid-stream ends the read promptly.
func TestStreamCancelMidStream(t *testing.T) {
	c, mux, _ := setup(t)
	release := make(chan struct{})
	defer close(release)
	hijackSSE(t, mux, onePartial, func(conn net.Conn, _ *bufio.ReadWriter) {
		<-release
		conn.Close()
	})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.GenerateStream(ctx, GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Next() {
		t.Fatal(s.Err())
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if s.Next() {
		t.Fatal("got an event after cancel")
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", s.Err())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestStreamEventSizeLimit(t *testing.T) {
	c, mux, _ := setup(t, WithMaxEventSize(1<<10))
	big := "data: {\"type\":\"image_generation.completed\",\"b64_json\":\"" + strings.Repeat("A", 2<<10) + "\"}\n\n"
	serveSSE(t, mux, "POST /images/generations", []byte(onePartial+big))
	s, _ := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	events, err := collect(s)
	var tooLarge *EventTooLargeError
	if len(events) != 1 || !errors.As(err, &tooLarge) || tooLarge.Limit != 1<<10 {
		t.Errorf("events = %d, err = %v", len(events), err)
	}
}

// A 64 MiB event (a large base64 image) decodes intact.
func TestStream64MiBEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB")
	}
	c, mux, _ := setup(t)
	// 48 MiB of bytes -> 64 MiB of base64, starting like a PNG.
	payload := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 12<<20)...)
	event := []byte(`data: {"type":"image_generation.completed","b64_json":"` + b64(payload) + `","created_at":1,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}` + "\n\n")
	if len(event) < 64<<20 {
		t.Fatalf("event is only %d bytes", len(event))
	}
	serveSSE(t, mux, "POST /images/generations", event)
	s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(s)
	if err != nil || len(events) != 1 {
		t.Fatalf("events = %d, err = %v", len(events), err)
	}
	got, _ := events[0].(*CompletedEvent).Bytes()
	if !bytes.Equal(got, payload) {
		t.Error("payload differs")
	}
}

func TestStreamSaveTo(t *testing.T) {
	c, mux, _ := setup(t)
	img := testPNG(t, 4, 4, false)
	ev := func(typ string, idx int) string {
		return fmt.Sprintf(`data: {"type":%q,"b64_json":%q,"created_at":1,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":%d,"usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}`+"\n\n", typ, b64(img), idx)
	}
	serveSSE(t, mux, "POST /images/generations", []byte(ev("image_generation.partial_image", 0)+ev("image_generation.partial_image", 1)+ev("image_generation.completed", 0)))
	s, _ := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	dir := t.TempDir()
	var saved []string
	paths, err := s.SaveTo(dir, "otter", func(_ StreamEvent, path string) { saved = append(saved, filepath.Base(path)) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"otter-partial-0.png", "otter-partial-1.png", "otter.png"}
	if strings.Join(saved, ",") != strings.Join(want, ",") || len(paths) != 3 {
		t.Errorf("saved %v, want %v", saved, want)
	}
	for _, p := range paths {
		if b, _ := os.ReadFile(p); !bytes.Equal(b, img) {
			t.Errorf("%s differs", p)
		}
	}
	// A stream that fails keeps what arrived.
	c2, mux2, _ := setup(t)
	serveSSE(t, mux2, "POST /images/generations", []byte(ev("image_generation.partial_image", 0)))
	s2, _ := c2.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	paths, err = s2.SaveTo(t.TempDir(), "x", nil)
	if !errors.Is(err, ErrTruncatedStream) || len(paths) != 1 {
		t.Errorf("paths = %v, err = %v", paths, err)
	}
}

func TestStreamNextCurrentErr(t *testing.T) {
	c, mux, _ := setup(t)
	serveSSE(t, mux, "POST /images/generations", fixture(t, "partial_images.sse"))
	s, _ := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	defer s.Close()
	var types []string
	for s.Next() {
		types = append(types, s.Current().EventType())
	}
	if s.Err() != nil || len(types) != 3 {
		t.Errorf("types = %v, err = %v", types, s.Err())
	}
	s.Close() // idempotent
}
