package wrapper

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// noNetwork is a transport that fails the test if anything is sent.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close() // as a RoundTripper must
	}
	n.t.Errorf("a request was sent to %s", r.URL.Host)
	return nil, errors.New("no network in this test")
}

// countingTransport answers 400 to everything and counts the requests.
type countingTransport struct{ n int }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	c.n++
	return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: r}, nil
}

// On OpenAI's own API, retired models and the variations endpoint are
// refused before anything is sent, with the date and the replacements; on
// any other base URL, or with WithRetiredModels(true), they are sent.
func TestRetiredModelsOnOpenAI(t *testing.T) {
	ctx := context.Background()
	img := ImageFromBytes("v.png", vtPNG(t, 64, 64, false))
	calls := map[string]func(*Client) error{
		"dall-e-3 generation": func(c *Client) error {
			_, err := c.Generate(ctx, GenerateParams{Model: ModelDallE3, Prompt: "a boat"})
			return err
		},
		"gpt-image-1 edit": func(c *Client) error {
			_, err := c.Edit(ctx, EditParams{Model: ModelGPTImage1, Prompt: "a boat", Images: []Image{img}})
			return err
		},
		"gpt-image-1 stream": func(c *Client) error {
			_, err := c.GenerateStream(ctx, GenerateParams{Model: ModelGPTImage1, Prompt: "a boat"})
			return err
		},
		"variation": func(c *Client) error {
			_, err := c.CreateVariation(ctx, VariationParams{Image: img})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var ve *ValidationError
			// OpenAI's API: the default base URL, a data residency host
			// and the mTLS host (openai-go v3.100.0 option/data_residency.go).
			for _, base := range []string{"", "https://eu.api.openai.com/v1", "https://mtls.api.openai.com/v1/"} {
				opts := []Option{WithAPIKey("sk-test"), WithHTTPClient(&http.Client{Transport: noNetwork{t}})}
				if base != "" {
					opts = append(opts, WithBaseURL(base))
				}
				openai, err := New(opts...)
				if err != nil {
					t.Fatal(err)
				}
				err = call(openai)
				if !errors.As(err, &ve) {
					t.Fatalf("%q: err = %v, want a *ValidationError", base, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, "model=") || !strings.Contains(msg, "retired") || !strings.Contains(msg, "WithRetiredModels(true)") {
					t.Errorf("message lacks the refusal and the way out: %s", msg)
				}
				if !regexp.MustCompile(` on 20\d\d-\d\d-\d\d`).MatchString(msg) {
					t.Errorf("message lacks the date: %s", msg)
				}
				if name != "variation" && !strings.Contains(msg, "gpt-image-2.5-sunburst") {
					t.Errorf("message lacks the replacement: %s", msg)
				}
			}

			for _, opts := range [][]Option{
				{WithBaseURL("http://127.0.0.1:9/v1")},             // an OpenAI-compatible server
				{WithBaseURL("https://api.openai.com.example/v1")}, // not OpenAI's: a name that only starts like it
				{WithRetiredModels(true)},
			} {
				tr := &countingTransport{}
				c, err := New(append([]Option{WithAPIKey("sk-test"), WithMaxRetries(0), WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				err = call(c)
				if errors.As(err, &ve) || tr.n != 1 {
					t.Errorf("not sent (%d requests): %v", tr.n, err)
				}
			}
		})
	}
	// Current models go through on OpenAI's API.
	c, _ := New(WithAPIKey("sk-test"), WithRetiredModels(false), WithBaseURL("http://127.0.0.1:9/v1"), WithHTTPClient(&http.Client{Transport: noNetwork{t}}))
	if _, err := c.Generate(ctx, GenerateParams{Model: ModelDallE2, Prompt: "x"}); !strings.Contains(errString(err), "retired") {
		t.Errorf("WithRetiredModels(false) on another base URL: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSuggestModel(t *testing.T) {
	for name, want := range map[Model]Model{
		"gpt-image-l":            ModelGPTImage1,
		"gpt-image-1.S":          ModelGPTImage15,
		"gpt-imagе-2":            ModelGPTImage2, // a Cyrillic е
		"Gpt-Image-1-Mini":       ModelGPTImage1Mini,
		"gpt-image-2.6-sunbrst":  ModelGPTImage26Sunburst,
		"gpt-image-2.5-flair":    ModelGPTImage25Flare,
		"chatgpt-image-lastest":  ModelChatGPTImageLatest, // a near miss in the family
		"dalle-3":                ModelDallE3,
		"gpt-image-2.7-nova":     "",
		"gpt-image-3":            "",
		"gpt-image-2-2027-01-01": "",
		"my-local-model":         "",
		"gpt-image-2":            "",
		"":                       "",
	} {
		got, ok := SuggestModel(name)
		if got != want || ok != (want != "") {
			t.Errorf("SuggestModel(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// A model the table does not know is sent with the universal checks and a
// debug log line saying so.
func TestUnknownModelIsLogged(t *testing.T) {
	var logs bytes.Buffer
	tr := &countingTransport{}
	c, err := New(WithAPIKey("sk-test"), WithMaxRetries(0), WithBaseURL("http://127.0.0.1:9/v1"),
		WithHTTPClient(&http.Client{Transport: tr}), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Generate(context.Background(), GenerateParams{Model: "gpt-image-2.7-nova", Prompt: "x", Quality: QualityMax})
	if tr.n != 1 || !strings.Contains(logs.String(), "model not in the table") || !strings.Contains(logs.String(), "gpt-image-2.7-nova") {
		t.Errorf("%d requests; logs:\n%s", tr.n, logs.String())
	}
}
