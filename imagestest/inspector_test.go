package imagestest

import (
	"bufio"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/html"

	"github.com/imagegen-go/openai-images/wrapper"
)

func TestRequestLogBoundedReadAndReset(t *testing.T) {
	t.Parallel()
	m := newInMemory(t, WithRequestLog(3))
	for _, p := range []string{"one", "two", "three", "four", "five"} {
		m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"`+p+`","model":"gpt-image-2","size":"256x256"}`), nil)
	}
	reqs := m.e.Requests()
	if len(reqs) != 3 || reqs[0].Params["prompt"] != "three" || reqs[2].Params["prompt"] != "five" {
		t.Fatalf("log keeps %d: %+v", len(reqs), reqs)
	}
	if r := reqs[2]; r.Status != 200 || !strings.HasPrefix(r.RequestID, "req_") || r.Duration <= 0 {
		t.Errorf("entry: status %d, id %q, duration %v", r.Status, r.RequestID, r.Duration)
	}
	var log struct {
		Data []logEntry `json:"data"`
	}
	if rec := m.call("GET", "/v1/emulator/requests", "", nil, &log); rec.Code != 200 || len(log.Data) != 3 {
		t.Fatalf("GET log: %d %s", rec.Code, rec.Body)
	}
	if e := log.Data[2]; e.Model != "gpt-image-2" || e.Status != 200 || e.Images != 1 || e.Path != "/v1/images/generations" {
		t.Errorf("JSON entry %+v", e)
	}
	if strings.Contains(m.call("GET", "/v1/emulator/requests", "", nil, nil).Body.String(), "sk-emulator") {
		t.Error("the log shows the key")
	}
	if rec := m.call("DELETE", "/v1/emulator/requests", "", nil, nil); rec.Code != 204 || len(m.e.Requests()) != 0 {
		t.Errorf("DELETE: %d, %d left", rec.Code, len(m.e.Requests()))
	}
}

// TestInspectorPage parses the page as a browser would and checks its
// table, its thumbnails, that no key appears, and its live updates.
func TestInspectorPage(t *testing.T) {
	t.Parallel()
	srv := NewServer()
	defer srv.Close()
	const key = "sk-inspector-secret-key"
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey(key), wrapper.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "a <b>bold</b> otter", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1536, Quality: wrapper.QualityLow}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "x", Model: "not-a-model"}); err == nil {
		t.Fatal("unknown model served")
	}

	root := srv.URL[:len(srv.URL)-len("/v1")]
	resp, err := http.Get(root + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(string(body), key) || strings.Contains(string(body), "Bearer") {
		t.Error("the page shows the key")
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	var rows [][]*html.Node
	var external []string
	walk(doc, func(n *html.Node) {
		switch {
		case n.Type != html.ElementNode:
		case n.Data == "th":
			heads = append(heads, text(n))
		case n.Data == "tr" && attr(n, "data-seq") != "":
			rows = append(rows, children(n, "td"))
		case n.Data == "script" && attr(n, "src") != "", n.Data == "link":
			external = append(external, n.Data)
		}
	})
	want := []string{"Time", "Method", "Path", "Model", "Parameters", "Status", "Latency", "Request ID", "Images"}
	if strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("columns %q", heads)
	}
	if len(external) > 0 {
		t.Errorf("external resources: %v", external)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	// Newest first: the refused request, then the generation.
	refused, ok := rows[0], rows[1]
	if text(refused[3]) != "not-a-model" || text(refused[5]) != "400" {
		t.Errorf("refused row: %s %s", text(refused[3]), text(refused[5]))
	}
	if text(ok[1]) != "POST" || text(ok[2]) != "/v1/images/generations" || text(ok[3]) != "gpt-image-1.5" || text(ok[5]) != "200" ||
		!strings.HasSuffix(text(ok[6]), " ms") || !strings.HasPrefix(text(ok[7]), "req_") {
		t.Errorf("generation row: %q", texts(ok))
	}
	if p := text(ok[4]); !strings.Contains(p, "size=1024x1536") || !strings.Contains(p, "quality=low") || !strings.Contains(p, `"a <b>bold</b> otter"`) {
		t.Errorf("parameters %q", p)
	}
	imgs := children(ok[8], "img")
	if len(imgs) != 1 {
		t.Fatalf("%d thumbnails", len(imgs))
	}
	resp, err = http.Get(root + attr(imgs[0], "src"))
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil || thumb.Bounds().Dx() != 64 || thumb.Bounds().Dy() != thumbSide {
		t.Errorf("thumbnail: %v %v", err, thumb.Bounds())
	}

	// Live updates: the event stream sends the rows when a request ends.
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", root+"/v1/emulator/events", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	next := func() []row {
		for {
			l, err := events.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := strings.CutPrefix(l, "data: "); ok {
				var rs []row
				if err := json.Unmarshal([]byte(d), &rs); err != nil {
					t.Fatal(err)
				}
				return rs
			}
		}
	}
	if rs := next(); len(rs) != 2 {
		t.Fatalf("first event: %d rows", len(rs))
	}
	if _, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "third", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}); err != nil {
		t.Fatal(err)
	}
	if rs := next(); len(rs) != 3 || rs[0].Model != "gpt-image-2" || rs[0].Status != "200" || len(rs[0].Thumbs) != 1 {
		t.Errorf("after a request: %+v", rs)
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func children(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	walk(n, func(c *html.Node) {
		if c != n && c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	})
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = text(n)
	}
	return out
}

func TestFaultRates(t *testing.T) {
	t.Parallel()
	m := newInMemory(t, WithFaultRates(7, FaultRate{Fault: ServerError(503), Rate: 0.25}, FaultRate{Fault: RateLimited(time.Second), Rate: 0.25}))
	counts := map[int]int{}
	for range 400 {
		rec := m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"gpt-image-2","size":"256x256"}`), nil)
		counts[rec.Code]++
		if rec.Code == 429 && rec.Header().Get("Retry-After") != "1" {
			t.Errorf("429 without Retry-After: %v", rec.Header())
		}
	}
	// 400 draws at 25% each: a binomial with sd ~8.7; the seed fixes the
	// draws, the bounds say what the option promises.
	for code, n := range map[int]int{503: counts[503], 429: counts[429], 200: counts[200]} {
		want := 100
		if code == 200 {
			want = 200
		}
		if n < want-45 || n > want+45 {
			t.Errorf("status %d: %d of 400, want about %d (%v)", code, n, want, counts)
		}
	}
	// The emulator's own pages never fail.
	for range 50 {
		if rec := m.call("GET", "/v1/emulator/requests", "", nil, nil); rec.Code != 200 {
			t.Fatalf("log page: %d", rec.Code)
		}
	}
}

func TestStreamCut(t *testing.T) {
	t.Parallel()
	for _, drop := range []bool{false, true} {
		srv := NewServer(WithFaultRates(1, FaultRate{Fault: StreamCut(drop), Rate: 1}))
		c, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithMaxRetries(0))
		s, err := c.GenerateStream(context.Background(), wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage15, PartialImages: wrapper.Ptr(2), Size: wrapper.Size1024x1024})
		var events int
		if err == nil {
			for _, err = range s.All() {
				if err != nil {
					break
				}
				events++
			}
		}
		if err == nil || events != 0 {
			t.Errorf("drop=%v: %d events, err %v; want none and an error", drop, events, err)
		}
		// A non-stream request is not touched.
		if _, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}); err != nil {
			t.Errorf("drop=%v: plain request: %v", drop, err)
		}
		srv.Close()
	}
}

// TestLatency checks WithLatency on the fake clock: the first byte waits
// firstByte, and each partial image perPartial.
func TestLatency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e, err := New(WithLatency(300*time.Millisecond, 100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for body, want := range map[string]time.Duration{
			`{"prompt":"x","model":"gpt-image-2","size":"256x256"}`:                                      300 * time.Millisecond,
			`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","stream":true,"partial_images":3}`: 600 * time.Millisecond,
		} {
			req := httptest.NewRequest("POST", "/v1/images/generations", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer k")
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			start := time.Now()
			e.ServeHTTP(rec, req)
			if got := time.Since(start); rec.Code != 200 || got != want {
				t.Errorf("%s: %d after %v, want %v", body, rec.Code, got, want)
			}
		}
		start := time.Now()
		req := httptest.NewRequest("GET", "/v1/emulator/requests", nil)
		e.ServeHTTP(httptest.NewRecorder(), req)
		if time.Since(start) != 0 {
			t.Error("the emulator's own pages wait too")
		}
	})
}
