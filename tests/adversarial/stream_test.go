package adversarial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/imagegen-go/openai-images/wrapper"
)

// sseStep answers with body as an event stream.
func sseStep(body string) step {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

// streamOf runs a streaming generation against a server answering body and
// returns what the stream yielded.
func streamOf(t *testing.T, body string, opts ...wrapper.Option) ([]wrapper.StreamEvent, error) {
	t.Helper()
	s := &script{steps: []step{sseStep(body)}}
	st, err := scriptedClient(t, s, opts...).GenerateStream(context.Background(), streamParams())
	if err != nil {
		t.Fatalf("GenerateStream: %v", err)
	}
	events, err := collect(st)
	if st.Next() {
		t.Error("Next reported an event after the end")
	}
	if !errors.Is(st.Err(), err) {
		t.Errorf("Err() = %v, All ended with %v", st.Err(), err)
	}
	return events, err
}

// A reset after one partial image keeps that partial and fails with a
// network error (not a truncation, not an API error). The server resets
// only once the client holds the partial, so the reset is what the client
// reads next.
func TestStreamResetAfterPartialKeepsIt(t *testing.T) {
	img := pngImage(t, 8, 8, false)
	serve := func(delivered <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			conn, buf := hijack(t, w, r)
			if conn == nil {
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + partialEvent(0, img))
			buf.Flush()
			<-delivered
			reset(t, conn)
		}
	}
	check := func(t *testing.T, err error) {
		t.Helper()
		var opErr *wrapper.OperationError
		var apiErr *wrapper.APIError
		if err == nil || errors.Is(err, wrapper.ErrTruncatedStream) || errors.As(err, &apiErr) || !errors.As(err, &opErr) {
			t.Errorf("err = %#v, want a network error wrapped in *OperationError", err)
		}
		var netErr *net.OpError
		if !errors.Is(err, syscall.ECONNRESET) && !errors.As(err, &netErr) {
			t.Errorf("err = %v, want the connection reset", err)
		}
	}

	t.Run("All", func(t *testing.T) {
		delivered := make(chan struct{})
		c, _ := newServer(t, serve(delivered))
		s, err := c.GenerateStream(context.Background(), streamParams())
		if err != nil {
			t.Fatal(err)
		}
		var events []wrapper.StreamEvent
		for ev, err := range s.All() {
			if err != nil {
				check(t, err)
				break
			}
			events = append(events, ev)
			if len(events) == 1 {
				close(delivered)
			}
		}
		if len(events) != 1 {
			t.Fatalf("%d events, want the partial", len(events))
		}
		p, ok := events[0].(*wrapper.PartialImageEvent)
		if !ok || p.Index != 0 {
			t.Fatalf("event = %#v", events[0])
		}
		if got, err := p.Bytes(); err != nil || !bytes.Equal(got, img) {
			t.Errorf("partial bytes differ (%v)", err)
		}
		check(t, s.Err())
	})

	t.Run("SaveTo", func(t *testing.T) {
		delivered := make(chan struct{})
		c, _ := newServer(t, serve(delivered))
		s, err := c.GenerateStream(context.Background(), streamParams())
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		paths, err := s.SaveTo(dir, "out", func(wrapper.StreamEvent, string) { close(delivered) })
		check(t, err)
		if len(paths) != 1 || filepath.Base(paths[0]) != "out-partial-0.png" {
			t.Fatalf("paths = %v, want the partial", paths)
		}
		if got, err := os.ReadFile(paths[0]); err != nil || !bytes.Equal(got, img) {
			t.Errorf("saved partial differs (%v)", err)
		}
	})
}

// Cancelling the context while the stream waits for the next event ends
// the read at once with context.Canceled, after the events already read.
func TestStreamCancelMidStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		img := pngImage(t, 4, 4, false)
		var handlerDone atomic.Bool
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, partialEvent(0, img))
			w.(http.Flusher).Flush()
			<-r.Context().Done() // the completed event never comes
			handlerDone.Store(true)
		}))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s, err := n.client(t).GenerateStream(ctx, streamParams())
		if err != nil {
			t.Fatal(err)
		}
		if !s.Next() {
			t.Fatalf("no first event: %v", s.Err())
		}
		next := make(chan bool)
		go func() { next <- s.Next() }()
		synctest.Wait()
		select {
		case got := <-next:
			t.Fatalf("Next returned %v before the cancel", got)
		default:
		}
		cancel()
		if <-next {
			t.Fatal("an event after the cancel")
		}
		if !errors.Is(s.Err(), context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", s.Err())
		}
		synctest.Wait()
		if !handlerDone.Load() {
			t.Error("the server's request is still open after the cancel")
		}
	})
}

// A stream that ends before its completed event, or in the middle of an
// event, fails with ErrTruncatedStream and keeps what came before.
func TestStreamTruncated(t *testing.T) {
	img := pngImage(t, 4, 4, false)
	completed := completedEvent(img)
	for _, tc := range []struct {
		name     string
		body     string
		partials int
	}{
		{"empty", "", 0},
		{"comments only", ": keep-alive\n\n: keep-alive\n\n", 0},
		{"after a partial", partialEvent(0, img), 1},
		{"after two partials and [DONE]", partialEvent(0, img) + partialEvent(1, img) + "data: [DONE]\n\n", 2},
		{"cut in the completed event's data", partialEvent(0, img) + completed[:len(completed)/2], 1},
		{"completed event without its blank line", partialEvent(0, img) + strings.TrimSuffix(completed, "\n"), 1},
		{"cut in the field name", partialEvent(0, img) + "da", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := streamOf(t, tc.body)
			if !errors.Is(err, wrapper.ErrTruncatedStream) {
				t.Errorf("err = %v, want ErrTruncatedStream", err)
			}
			if len(events) != tc.partials {
				t.Errorf("%d events kept, want %d", len(events), tc.partials)
			}
			for _, ev := range events {
				if _, ok := ev.(*wrapper.PartialImageEvent); !ok {
					t.Errorf("kept %T", ev)
				}
			}
		})
	}
	// Control: the whole stream is not an error.
	if events, err := streamOf(t, partialEvent(0, img)+completed); err != nil || len(events) != 2 {
		t.Errorf("whole stream: %d events, err = %v", len(events), err)
	}
}

// eventBody generates an event stream without holding it: head, then n
// bytes cycling through fill, then tail. It counts what was read.
type eventBody struct {
	head, fill, tail []byte
	n                int64
	pos              int64
	read             atomic.Int64
	closed           atomic.Bool
}

func (b *eventBody) Read(p []byte) (int, error) {
	total := int64(len(b.head)) + b.n + int64(len(b.tail))
	if b.pos >= total {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && b.pos < total {
		switch {
		case b.pos < int64(len(b.head)):
			c := copy(p[i:], b.head[b.pos:])
			i += c
			b.pos += int64(c)
		case b.pos < int64(len(b.head))+b.n:
			off := b.pos - int64(len(b.head))
			c := int64(len(p) - i)
			if rest := b.n - off; c > rest {
				c = rest
			}
			start := off % int64(len(b.fill))
			c = min(c, int64(len(b.fill))-start)
			copy(p[i:], b.fill[start:start+c])
			i += int(c)
			b.pos += c
		default:
			c := copy(p[i:], b.tail[b.pos-int64(len(b.head))-b.n:])
			i += c
			b.pos += int64(c)
		}
	}
	b.read.Add(int64(i))
	return i, nil
}

func (b *eventBody) Close() error { b.closed.Store(true); return nil }

// bigCompleted is a stream whose completed event carries a b64_json of
// b64Len characters of base64 for a repeated 3-byte pattern.
// pngRun is what the base64 of bigCompleted decodes to, repeated: the PNG
// signature, so that the image checks as the PNG it is declared as, and one
// byte more to make 9 bytes (12 characters of base64, no padding).
var pngRun = []byte("\x89PNG\r\n\x1a\n\x89")

func bigCompleted(prefix string, b64Len int64) *eventBody {
	return &eventBody{
		head: []byte(prefix + `data: {"type":"image_generation.completed","created_at":1,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3},"b64_json":"`),
		fill: bytes.Repeat([]byte(b64(pngRun)), 16<<10), // "iVBORw0KGgqJ": 12 characters per 9 bytes
		n:    b64Len,
		tail: []byte("\"}\n\n"),
	}
}

// A 64 MiB event (a large base64 image) decodes intact under the default
// maximum event size.
func TestStream64MiBEventParses(t *testing.T) {
	const b64Len = 64 << 20
	body := bigCompleted("", b64Len)
	s := &script{steps: []step{func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: body, Request: r}, nil
	}}}
	st, err := scriptedClient(t, s).GenerateStream(context.Background(), streamParams())
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(st)
	if err != nil || len(events) != 1 {
		t.Fatalf("%d events, err = %v", len(events), err)
	}
	done, ok := events[0].(*wrapper.CompletedEvent)
	if !ok || len(done.B64JSON) != b64Len || done.Usage == nil || done.Usage.TotalTokens != 3 {
		t.Fatalf("event = %T with %d characters of base64", events[0], len(done.B64JSON))
	}
	img, err := done.Bytes()
	if err != nil || len(img) != b64Len/4*3 {
		t.Fatalf("decoded %d bytes, err = %v", len(img), err)
	}
	last := len(img) - 3
	if !bytes.Equal(img[:9], pngRun) || !bytes.Equal(img[last:], []byte{pngRun[last%9], pngRun[(last+1)%9], pngRun[(last+2)%9]}) {
		t.Error("decoded bytes differ from what was sent")
	}
	if !body.closed.Load() {
		t.Error("response body not closed")
	}
}

// An event over the maximum (WithMaxEventSize) fails the stream with
// *EventTooLargeError after the events before it, without reading the rest
// of the oversized event.
func TestStreamEventOverMaximum(t *testing.T) {
	const limit = 1 << 20
	img := pngImage(t, 4, 4, false)
	body := bigCompleted(partialEvent(0, img), 64<<20)
	s := &script{steps: []step{func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: body, Request: r}, nil
	}}}
	st, err := scriptedClient(t, s, wrapper.WithMaxEventSize(limit)).GenerateStream(context.Background(), streamParams())
	if err != nil {
		t.Fatal(err)
	}
	events, err := collect(st)
	var tooLarge *wrapper.EventTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Limit != limit {
		t.Fatalf("err = %#v, want *EventTooLargeError with limit %d", err, limit)
	}
	if len(events) != 1 {
		t.Errorf("%d events before the error, want the partial", len(events))
	}
	if got := body.read.Load(); got > 4*limit {
		t.Errorf("read %d bytes of the stream for a %d-byte limit", got, limit)
	}
	if !body.closed.Load() {
		t.Error("response body not closed after the error")
	}
	// Just under the limit passes.
	small := bigCompleted("", limit-1024)
	s = &script{steps: []step{func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: small, Request: r}, nil
	}}}
	st, err = scriptedClient(t, s, wrapper.WithMaxEventSize(limit)).GenerateStream(context.Background(), streamParams())
	if err != nil {
		t.Fatal(err)
	}
	if events, err := collect(st); err != nil || len(events) != 1 {
		t.Errorf("event under the limit: %d events, err = %v", len(events), err)
	}
}

// Malformed JSON in an event fails the stream with *EventDecodeError naming
// the event, after the events before it.
func TestStreamMalformedJSON(t *testing.T) {
	img := pngImage(t, 4, 4, false)
	for _, tc := range []struct {
		name, event, wantType string
	}{
		{"cut object", "event: image_generation.completed\ndata: {\"type\": \"image_generation.completed\", \"b64_json\": \n\n", "image_generation.completed"},
		{"html", "data: <html><body>502</body></html>\n\n", "message"},
		{"wrong field type", "data: {\"type\":\"image_generation.partial_image\",\"b64_json\":42}\n\n", "image_generation.partial_image"},
		{"bare string", "event: image_generation.completed\ndata: \"done\"\n\n", "image_generation.completed"},
		{"trailing garbage", "data: {\"type\":\"image_generation.completed\"}}\n\n", "message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := streamOf(t, partialEvent(0, img)+tc.event+completedEvent(img))
			var de *wrapper.EventDecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %#v, want *EventDecodeError", err)
			}
			if de.EventType != tc.wantType || de.Err == nil {
				t.Errorf("EventType = %q (want %q), Err = %v", de.EventType, tc.wantType, de.Err)
			}
			if len(events) != 1 {
				t.Errorf("%d events before the error, want 1", len(events))
			}
		})
	}
}

// Both forms of error event servers send fail the stream with *StreamError
// carrying the server's fields, after the events before it.
func TestStreamErrorEventForms(t *testing.T) {
	img := pngImage(t, 4, 4, false)
	for _, tc := range []struct {
		name, event               string
		typ, code, param, message string
		contentPolicy             bool
	}{
		{"data with error object",
			`data: {"error":{"message":"the image was refused","type":"image_generation_user_error","code":"moderation_blocked","param":null}}` + "\n\n",
			"image_generation_user_error", "moderation_blocked", "", "the image was refused", true},
		{"error event",
			"event: error\n" + `data: {"type":"error","code":"server_error","message":"boom","param":"prompt"}` + "\n\n",
			"", "server_error", "prompt", "boom", false},
		{"type error without event line",
			`data: {"type":"error","code":"rate_limit_exceeded","message":"later"}` + "\n\n",
			"", "rate_limit_exceeded", "", "later", false},
		{"error event with error object",
			"event: error\n" + `data: {"type":"error","error":{"type":"invalid_request_error","code":"content_policy_violation","message":"no"}}` + "\n\n",
			"invalid_request_error", "content_policy_violation", "", "no", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := streamOf(t, partialEvent(0, img)+tc.event+completedEvent(img))
			var se *wrapper.StreamError
			if !errors.As(err, &se) {
				t.Fatalf("err = %#v, want *StreamError", err)
			}
			if se.Type != tc.typ || se.Code != tc.code || se.Param != tc.param || se.Message != tc.message {
				t.Errorf("StreamError = type %q code %q param %q message %q; want %q %q %q %q", se.Type, se.Code, se.Param, se.Message, tc.typ, tc.code, tc.param, tc.message)
			}
			if len(se.Raw) == 0 || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Raw = %q, Error() = %q", se.Raw, err.Error())
			}
			if got := wrapper.IsContentPolicyViolation(err); got != tc.contentPolicy {
				t.Errorf("IsContentPolicyViolation = %v", got)
			}
			if len(events) != 1 {
				t.Errorf("%d events before the error, want 1", len(events))
			}
		})
	}
}

// CRLF, CR-only and BOM-prefixed streams give the same events as LF.
func TestStreamLineEndingsAndBOM(t *testing.T) {
	img := pngImage(t, 4, 4, false)
	lf := ": comment\n\n" + partialEvent(0, img) + "id: 7\nretry: 100\n" + partialEvent(1, img) + completedEvent(img)
	want, err := streamOf(t, lf)
	if err != nil || len(want) != 3 {
		t.Fatalf("LF stream: %d events, err = %v", len(want), err)
	}
	bom := "\xef\xbb\xbf"
	for name, body := range map[string]string{
		"crlf":     strings.ReplaceAll(lf, "\n", "\r\n"),
		"cr":       strings.ReplaceAll(lf, "\n", "\r"),
		"bom":      bom + lf,
		"bom+crlf": bom + strings.ReplaceAll(lf, "\n", "\r\n"),
		"bom+cr":   bom + strings.ReplaceAll(lf, "\n", "\r"),
		"mixed":    strings.Replace(strings.Replace(lf, "\n", "\r\n", 3), "\n\n", "\r\r", 1),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := streamOf(t, body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Errorf("events differ from the LF stream's:\n got %s\nwant %s", gj, wj)
			}
		})
	}
}
